#include "serve/metrics.h"

#include <fmt/core.h>

namespace cloudward::serve {

void Metrics::CountHttp(int status) {
  std::lock_guard lock(http_mu_);
  ++http_[status];
}

std::string Metrics::Render(int64_t now_ms) const {
  std::string out;
  auto counter = [&out](const char* name, const char* help, uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, value);
  };
  auto gauge = [&out](const char* name, const char* help, double value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, value);
  };
  out += "# HELP cloudward_events_ingested_total Events read by the daemon, by log type.\n"
         "# TYPE cloudward_events_ingested_total counter\n";
  for (int i = 0; i < kLogTypeCount; ++i) {
    out += fmt::format("cloudward_events_ingested_total{{log_type=\"{}\"}} {}\n",
                       LogTypeName(static_cast<LogType>(i)), events[i].load());
  }
  counter("cloudward_events_malformed_total", "Malformed records seen by the daemon.", malformed.load());
  counter("cloudward_events_duplicate_total", "CloudTrail records dropped as already seen (eventID).",
          duplicates.load());
  counter("cloudward_findings_total", "Findings added to the store by the daemon.", findings_new.load());
  counter("cloudward_findings_duplicate_total", "Findings already in the store (redelivered events).",
          findings_duplicate.load());
  counter("cloudward_incidents_created_total", "Incidents created by the daemon.", incidents_created.load());
  counter("cloudward_incidents_updated_total", "Incidents updated with new findings by the daemon.",
          incidents_updated.load());
  counter("cloudward_intake_batches_total", "Intake batches committed to the store.", batches.load());
  counter("cloudward_intake_batch_failures_total", "Intake batches whose commit failed (retried).",
          batch_failures.load());
  counter("cloudward_sqs_messages_total", "SQS messages committed and deleted.", sqs_messages.load());
  counter("cloudward_sqs_errors_total", "SQS receive, delete and S3 fetch failures.", sqs_errors.load());
  counter("cloudward_watch_files_total", "Files read from watched folders.", files_watched.load());
  counter("cloudward_alerts_sent_total", "Alert deliveries that succeeded.", alerts_sent.load());
  counter("cloudward_alerts_failed_total", "Alert delivery attempts that failed.", alerts_failed.load());
  gauge("cloudward_intake_queue_depth", "SQS messages received and not yet committed and deleted.",
        static_cast<double>(intake_inflight.load()));
  gauge("cloudward_intake_lag_seconds", "Age of the last SQS message when its events were committed.",
        static_cast<double>(intake_lag_ms.load()) / 1000.0);
  gauge("cloudward_uptime_seconds", "Seconds since the daemon started.",
        static_cast<double>(now_ms - started_ms.load()) / 1000.0);
  out += "# HELP cloudward_http_requests_total HTTP requests answered, by status code.\n"
         "# TYPE cloudward_http_requests_total counter\n";
  std::lock_guard lock(http_mu_);
  for (const auto& [status, n] : http_) {
    out += fmt::format("cloudward_http_requests_total{{code=\"{}\"}} {}\n", status, n);
  }
  return out;
}

}  // namespace cloudward::serve
