#include "serve/intake.h"

#include <fmt/core.h>

#include <algorithm>
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
  bool NeedsRecord(const Event& event) const override { return inner_.NeedsRecord(event); }
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

// The string at j.a.b, or "" when any step is missing or not of the right type.
std::string StrAt(const json& j, const char* a, const char* b) {
  auto it = j.find(a);
  return it != j.end() && it->is_object() ? Str(*it, b) : std::string();
}

bool IsS3EventRecord(const json& r) {
  if (!r.is_object() || Str(r, "eventSource") != "aws:s3") return false;
  auto s3 = r.find("s3");
  return s3 != r.end() && s3->is_object();
}

IntakeMessage Parse(std::string_view body, int depth) {
  IntakeMessage out;
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out.payload = std::string(body);
    return out;
  }
  if (Str(j, "Type") == "Notification" && j.contains("Message")) {
    const json& message = j["Message"];
    if (!message.is_string()) {
      out.problems.push_back("SNS notification whose Message is not a string; skipped");
      return out;
    }
    if (depth >= kMaxSnsDepth) {
      out.problems.push_back(fmt::format("SNS notifications nested more than {} deep; skipped", kMaxSnsDepth));
      return out;
    }
    IntakeMessage inner = Parse(message.get_ref<const std::string&>(), depth + 1);
    for (std::string& p : inner.problems) p = "SNS Message: " + p;
    return inner;
  }
  if (Str(j, "Event") == "s3:TestEvent") {
    out.test_event = true;
    return out;
  }
  if (auto records = j.find("Records"); records != j.end() && records->is_array() && !records->empty() &&
                                        std::all_of(records->begin(), records->end(), IsS3EventRecord)) {
    for (size_t i = 0; i < records->size(); ++i) {
      const json& r = (*records)[i];
      const std::string event = Str(r, "eventName");
      if (!event.empty() && !event.starts_with("ObjectCreated:")) continue;  // deletions, restores: nothing to read
      const json& s3 = r["s3"];
      const std::string name = StrAt(s3, "bucket", "name"), key = StrAt(s3, "object", "key");
      if (name.empty() || key.empty()) {
        out.problems.push_back(
            fmt::format("Records[{}]: S3 event record without s3.bucket.name and s3.object.key; skipped", i));
        continue;
      }
      out.objects.push_back({name, DecodeS3Key(key)});
    }
    return out;
  }
  if (Str(j, "source") == "aws.s3" && j.contains("detail") && j["detail"].is_object()) {
    const json& d = j["detail"];
    const std::string type = Str(j, "detail-type");
    const std::string name = StrAt(d, "bucket", "name"), key = StrAt(d, "object", "key");
    if (!name.empty() && !key.empty() && type.starts_with("Object ")) {
      if (type == "Object Created") out.objects.push_back({name, key});  // EventBridge keys are not URL-encoded
      return out;
    }
  }
  out.payload = std::string(body);
  return out;
}

}  // namespace

IntakeMessage ParseIntakeMessage(std::string_view body) { return Parse(body, 0); }

}  // namespace cloudward::serve
