// An Event is one log record handed from a reader to its consumers (matcher, timeline, store).
//
// Every record, whatever its log type, is presented as a JSON object so that one matcher and one
// field-path syntax serve all of them:
//   - CloudTrail: the record as AWS wrote it (eventTime, eventSource, userIdentity.arn, ...).
//   - GuardDuty: the finding as AWS wrote it (type, severity, resource..., service...).
//   - VPC Flow Logs: one object per line, keys are the AWS field names from the format header
//     (version, account-id, interface-id, srcaddr, dstaddr, srcport, dstport, protocol, packets,
//     bytes, start, end, action, log-status, vpc-id, ..., flow-direction); integers as numbers,
//     "-" fields left out.
//   - S3 server access logs: keys bucketowner, bucket, time, remoteip, requester, requestid,
//     operation, key, requesturi, httpstatus, errorcode, bytessent, objectsize, totaltime,
//     turnaroundtime, referrer, useragent, versionid, hostid, signatureversion, ciphersuite,
//     authenticationtype, hostheader, tlsversion, accesspointarn, aclrequired; "-" left out.
//
// Lifetime: an Event borrows everything it points to (the parsed DOM, the raw bytes, the file
// name). It is valid only during the call that receives it; copy what must outlive that call.
//
// Parsing is lazy where the reader can make it so: a CloudTrail reader that splits a file into
// records reads only the few top-level members it needs (eventTime, eventID, eventName,
// eventSource) and leaves the record unparsed; Record() parses it on first use. Consumers call
// Record(), never `record` directly.
#pragma once

#include <cstdint>
#include <limits>
#include <simdjson.h>
#include <string_view>

#include "core/log_type.h"

namespace cloudward {

inline constexpr int64_t kUnknownTime = std::numeric_limits<int64_t>::min();

struct SourceLocation {
  std::string_view file;  // path as given by the user, or "-" for stdin, or an s3:// URL
  uint64_t offset = 0;    // byte offset of the record in the (decompressed) file
  uint64_t line = 0;      // 1-based line for line-oriented formats, 0 where unknown
};

// Parses a deferred record on first use (implemented by readers).
class RecordSource {
 public:
  // The record as a JSON object; an empty object if it turned out not to parse (the reader then
  // reports it as malformed).
  virtual simdjson::dom::element Parse() = 0;

 protected:
  ~RecordSource() = default;
};

struct Event {
  LogType type = LogType::kCloudTrail;
  simdjson::dom::element record;  // the record, when parsed up front (else see `deferred`)
  RecordSource* deferred = nullptr;  // set instead of `record` when parsing waits for Record()
  std::string_view raw;           // the original text: the JSON record or the log line
  int64_t time_ms = kUnknownTime; // event time, milliseconds since the Unix epoch (UTC)
  SourceLocation source;
  // CloudTrail eventSource and eventName when the reader saw them without parsing the record
  // (empty: unknown, read them from Record()). The matcher picks candidate rules from them.
  std::string_view event_source, event_name;

  // The record as a JSON object, parsed now if it was deferred.
  simdjson::dom::element Record() const { return deferred != nullptr ? deferred->Parse() : record; }
};

}  // namespace cloudward
