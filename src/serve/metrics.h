// The daemon's counters and gauges, rendered in the Prometheus text exposition format (0.0.4) at
// GET /metrics. Every member is atomic or guarded: safe to update from any thread.
//
//   metrics.findings_new += 3;
//   metrics.CountHttp(200);
//   std::string text = metrics.Render();
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/log_type.h"

namespace cloudward::serve {

struct Metrics {
  std::array<std::atomic<uint64_t>, kLogTypeCount> events{};  // events read, by log type
  std::atomic<uint64_t> malformed{0};           // malformed records
  std::atomic<uint64_t> duplicates{0};          // CloudTrail eventIDs seen before
  std::atomic<uint64_t> findings_new{0};        // findings added to the store
  std::atomic<uint64_t> findings_duplicate{0};  // findings already stored (redeliveries)
  std::atomic<uint64_t> incidents_created{0};
  std::atomic<uint64_t> incidents_updated{0};
  std::atomic<uint64_t> batches{0};             // intake batches committed
  std::atomic<uint64_t> batch_failures{0};      // batches whose store commit failed
  std::atomic<int64_t> intake_inflight{0};      // SQS messages received, not yet deleted
  std::atomic<int64_t> intake_lag_ms{0};        // age of the last SQS message when committed
  std::atomic<uint64_t> sqs_messages{0};        // SQS messages committed and deleted
  std::atomic<uint64_t> sqs_errors{0};          // receive/delete/fetch failures
  std::atomic<uint64_t> files_watched{0};       // watched-folder files read
  std::atomic<uint64_t> alerts_sent{0};
  std::atomic<uint64_t> alerts_failed{0};
  std::atomic<int64_t> started_ms{0};

  void CountHttp(int status);
  // `now_ms` gives the uptime gauge.
  std::string Render(int64_t now_ms) const;

 private:
  mutable std::mutex http_mu_;
  std::map<int, uint64_t> http_;  // requests by status code
};

}  // namespace cloudward::serve
