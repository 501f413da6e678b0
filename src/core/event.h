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

struct Event {
  LogType type = LogType::kCloudTrail;
  simdjson::dom::element record;  // the record as a JSON object
  std::string_view raw;           // the original text: the JSON record or the log line
  int64_t time_ms = kUnknownTime; // event time, milliseconds since the Unix epoch (UTC)
  SourceLocation source;
};

}  // namespace cloudward
