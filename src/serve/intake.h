// Intake: the daemon's streaming form of `cloudward hunt`. Every batch of bytes (a POST body, an
// SQS message, an S3 object, a watched file) is read by ingest (format detected from the content,
// gzip undone), matched by detect::FindingSink with the same rules, IOC lists and correlation
// engine as hunt, and recorded with analyze::RecordFindings. Ingest returns only after the
// findings and incidents are committed, so a caller that acknowledges its source afterwards (an
// SQS delete) gets at-least-once delivery.
//
//   serve::Intake intake(rules, iocs, store, metrics, clock);
//   auto batch = intake.Ingest("sqs:queue/msg-1", body);
//   if (batch) sqs::DeleteMessage(...);                  // committed
//
// Duplicates: CloudTrail eventIDs seen recently (the last kRecentIds) are dropped before
// detection, and a finding's store key (store::FindingKey: rule + eventID) makes a redelivered
// finding a no-op in the store even after a restart.
// Correlation: state lives in memory; Ingest advances the engine's watermark to the newest event
// time minus the lateness allowance, and Flush (shutdown) closes every open window.
//
// Thread-safe: batches are processed one at a time under a mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/record_findings.h"
#include "core/clock.h"
#include "detect/correlation_engine.h"
#include "detect/ioc.h"
#include "detect/rule_set.h"
#include "ingest/dedup.h"
#include "ingest/scan.h"
#include "serve/metrics.h"
#include "store/incident_store.h"

namespace cloudward::serve {

struct BatchResult {
  uint64_t events = 0, malformed = 0, duplicates = 0, findings = 0;
  analyze::RecordResult recorded;
  std::vector<ingest::IngestError> errors;  // first few input errors
  std::vector<std::string> created;          // ids of incidents created by this batch
};

class Intake {
 public:
  static constexpr size_t kRecentIds = 1'000'000;
  static constexpr int64_t kLatenessMs = 5 * 60 * 1000;

  // `iocs` may be null. `store`, `metrics` and `clock` must outlive the Intake.
  Intake(std::shared_ptr<const detect::RuleSet> rules, std::shared_ptr<const detect::IocSet> iocs,
         store::IncidentStore& store, Metrics& metrics, const Clock& clock);

  // Reads, detects, commits. An error means nothing of the batch may be assumed stored (the
  // caller keeps its source for a retry); malformed input is not an error (see BatchResult).
  Result<BatchResult> Ingest(std::string_view name, std::string_view bytes);

  // Closes every open correlation window and records the findings (at shutdown).
  Result<BatchResult> Flush();

  // Called after each committed batch that created or updated incidents (for alerts). Runs on
  // the ingesting thread, outside the intake lock.
  void OnIncidents(std::function<void(const BatchResult&)> callback) { on_incidents_ = std::move(callback); }

 private:
  Result<BatchResult> Record(std::vector<Finding> findings, BatchResult batch);

  std::shared_ptr<const detect::RuleSet> rules_;
  std::shared_ptr<const detect::IocSet> iocs_;
  store::IncidentStore& store_;
  Metrics& metrics_;
  const Clock& clock_;
  std::mutex mu_;
  std::unique_ptr<detect::CorrelationEngine> correlation_;  // null: no correlation rules
  std::shared_ptr<ingest::EventIdSet> recent_ids_;
  ingest::LogReader reader_;
  int64_t newest_event_ms_ = INT64_MIN;
  std::function<void(const BatchResult&)> on_incidents_;
};

// ---- SQS message bodies.

struct S3ObjectRef {
  std::string bucket;
  std::string key;
  bool operator==(const S3ObjectRef&) const = default;
};

struct IntakeMessage {
  std::string payload;               // log bytes to read; empty when only objects are named
  std::vector<S3ObjectRef> objects;  // S3 objects to fetch and read
  bool test_event = false;           // s3:TestEvent: nothing to do
  // Parts of the body that were skipped, each with where and why ("Records[2]: ..."), for the
  // caller to log. Skipping is not an error: a retry would read the same bytes.
  std::vector<std::string> problems;
};

// Unwraps an SQS message body (a pure function of the bytes; fuzz/intake_message_fuzz.cc):
//   SNS notification {"Type":"Notification","Message":"<body>"}   -> the inner body, recursively
//                                                                    (at most kMaxSnsDepth levels)
//   S3 event notification {"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:*",
//                                      "s3":{"bucket":{"name"},"object":{"key"}}}]}
//                                                                    -> objects (keys URL-decoded);
//                                                                    other eventNames are skipped
//   EventBridge {"source":"aws.s3","detail-type":"Object Created","detail":{bucket,object}}
//                                                                    -> objects; other "Object ..."
//                                                                    detail-types are skipped
//   {"Event":"s3:TestEvent"}                                        -> test_event
//   anything else (EventBridge CloudTrail/GuardDuty events, raw records, arrays, flow log lines)
//                                                                    -> payload, for ingest to read
// Never throws; a body that is not JSON is payload as it is.
inline constexpr int kMaxSnsDepth = 3;
IntakeMessage ParseIntakeMessage(std::string_view body);

// application/x-www-form-urlencoded decoding of S3 event keys ('+' is a space, %XX a byte).
std::string DecodeS3Key(std::string_view key);

}  // namespace cloudward::serve
