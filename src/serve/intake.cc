#include "serve/intake.h"

#include <nlohmann/json.hpp>

#include "detect/finding_sink.h"

namespace cloudward::serve {

using nlohmann::json;

Intake::Intake(std::shared_ptr<const detect::RuleSet> rules, std::shared_ptr<const detect::IocSet> iocs,
               store::IncidentStore& store, Metrics& metrics, const Clock& clock)
    : rules_(std::move(rules)),
      iocs_(std::move(iocs)),
      store_(store),
      metrics_(metrics),
      clock_(clock),
      recent_ids_(std::make_shared<ingest::EventIdSet>()),
      reader_(recent_ids_) {
  auto correlation = std::make_unique<detect::CorrelationEngine>(rules_);
  if (!correlation->empty()) correlation_ = std::move(correlation);
}

namespace {

// Tracks the newest event time of a batch, then hands events on to the finding sink.
class TimedSink final : public ingest::EventSink {
 public:
  explicit TimedSink(ingest::EventSink& inner) : inner_(inner) {}
  void OnEvent(const Event& event) override {
    if (event.time_ms != kUnknownTime && event.time_ms > newest_) newest_ = event.time_ms;
    inner_.OnEvent(event);
  }
  void OnFinish() override { inner_.OnFinish(); }
  int64_t newest() const { return newest_; }

 private:
  ingest::EventSink& inner_;
  int64_t newest_ = INT64_MIN;
};

}  // namespace

Result<BatchResult> Intake::Ingest(std::string_view name, std::string_view bytes) {
  std::unique_lock lock(mu_);
  if (recent_ids_->size() > kRecentIds) recent_ids_->Clear();
  const detect::IocSet* iocs = iocs_ && !iocs_->empty() ? iocs_.get() : nullptr;
  detect::FindingCollector collector;
  detect::FindingSink findings(rules_, correlation_.get(), iocs, &collector);
  TimedSink sink(findings);
  ingest::IngestStats stats;
  reader_.ReadBuffer(name, bytes, sink, stats);
  sink.OnFinish();

  BatchResult batch;
  batch.events = stats.TotalEvents();
  batch.malformed = stats.malformed;
  batch.duplicates = stats.duplicates;
  for (size_t i = 0; i < stats.errors.size() && i < 10; ++i) batch.errors.push_back(stats.errors[i]);
  for (int i = 0; i < kLogTypeCount; ++i) metrics_.events[i] += stats.events[i];
  metrics_.malformed += stats.malformed;
  metrics_.duplicates += stats.duplicates;

  std::vector<Finding> found = collector.Take();
  if (correlation_ && sink.newest() != INT64_MIN) {
    newest_event_ms_ = std::max(newest_event_ms_, sink.newest());
    for (auto& f : correlation_->Advance(newest_event_ms_ - kLatenessMs)) found.push_back(std::move(f));
  }
  auto result = Record(std::move(found), std::move(batch));
  lock.unlock();
  if (result && on_incidents_ && !result->recorded.incident_ids.empty()) on_incidents_(*result);
  return result;
}

Result<BatchResult> Intake::Flush() {
  std::unique_lock lock(mu_);
  std::vector<Finding> found;
  if (correlation_) found = correlation_->Finish();
  auto result = Record(std::move(found), BatchResult{});
  lock.unlock();
  if (result && on_incidents_ && !result->recorded.incident_ids.empty()) on_incidents_(*result);
  return result;
}

Result<BatchResult> Intake::Record(std::vector<Finding> findings, BatchResult batch) {
  batch.findings = findings.size();
  if (findings.empty()) {
    ++metrics_.batches;
    return batch;
  }
  const int64_t started = clock_.NowMs();
  auto recorded = analyze::RecordFindings(store_, findings);
  if (!recorded) {
    ++metrics_.batch_failures;
    return tl::unexpected(recorded.error());
  }
  batch.recorded = std::move(*recorded);
  // Which of the touched incidents are new: created at or after this batch began.
  for (const std::string& id : batch.recorded.incident_ids) {
    auto incident = store_.GetIncident(id);
    if (incident && incident->created_ms >= started) batch.created.push_back(id);
  }
  ++metrics_.batches;
  metrics_.findings_new += batch.recorded.findings_added;
  metrics_.findings_duplicate += batch.recorded.findings_duplicate;
  metrics_.incidents_created += batch.recorded.incidents_created;
  metrics_.incidents_updated += batch.recorded.incidents_updated;
  return batch;
}

// ---- SQS message bodies.

std::string DecodeS3Key(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '+') {
      out += ' ';
    } else if (key[i] == '%' && i + 2 < key.size() && hex(key[i + 1]) >= 0 && hex(key[i + 2]) >= 0) {
      out += static_cast<char>(hex(key[i + 1]) * 16 + hex(key[i + 2]));
      i += 2;
    } else {
      out += key[i];
    }
  }
  return out;
}

namespace {

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

IntakeMessage Parse(std::string_view body, int depth) {
  IntakeMessage out;
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out.payload = std::string(body);
    return out;
  }
  if (depth < 3 && Str(j, "Type") == "Notification" && j.contains("Message") && j["Message"].is_string()) {
    return Parse(j["Message"].get_ref<const std::string&>(), depth + 1);
  }
  if (Str(j, "Event") == "s3:TestEvent") {
    out.test_event = true;
    return out;
  }
  if (auto records = j.find("Records"); records != j.end() && records->is_array() && !records->empty()) {
    bool all_s3 = true;
    for (const auto& r : *records) {
      if (!r.is_object() || Str(r, "eventSource") != "aws:s3" || !r.contains("s3") || !r["s3"].is_object()) {
        all_s3 = false;
        break;
      }
    }
    if (all_s3) {
      for (const auto& r : *records) {
        const json& s3 = r["s3"];
        if (!s3.contains("bucket") || !s3.contains("object") || !s3["bucket"].is_object() || !s3["object"].is_object())
          continue;
        const std::string name = Str(s3["bucket"], "name"), key = Str(s3["object"], "key");
        if (!name.empty() && !key.empty()) out.objects.push_back({name, DecodeS3Key(key)});
      }
      return out;
    }
  }
  if (Str(j, "source") == "aws.s3" && j.contains("detail") && j["detail"].is_object()) {
    const json& d = j["detail"];
    if (d.contains("bucket") && d.contains("object") && d["bucket"].is_object() && d["object"].is_object()) {
      const std::string name = Str(d["bucket"], "name"), key = Str(d["object"], "key");
      if (!name.empty() && !key.empty()) {
        out.objects.push_back({name, key});
        return out;
      }
    }
  }
  out.payload = std::string(body);
  return out;
}

}  // namespace

IntakeMessage ParseIntakeMessage(std::string_view body) { return Parse(body, 0); }

}  // namespace cloudward::serve
