// Amazon S3 server access logs.
//
// Grammar (one record per line):
//   line   = field { " " field }            18 to 27 fields; AWS appends new ones over the years
//   field  = quoted | bracketed | bare
//   quoted = '"' { any byte but '"' | '\' any byte } '"'     e.g. the request URI, user agent
//   bracketed = '[' { any byte but ']' } ']'                 the time: [06/Feb/2019:00:00:38 +0000]
//   bare   = { any byte but ' ' }            "-" = absent
// Field order: bucketowner bucket time remoteip requester requestid operation key requesturi
// httpstatus errorcode bytessent objectsize totaltime turnaroundtime referrer useragent
// versionid hostid signatureversion ciphersuite authenticationtype hostheader tlsversion
// accesspointarn aclrequired, then any newer fields as field27, field28, ...
//
// Each line becomes a JSON object with those keys; httpstatus, bytessent, objectsize, totaltime
// and turnaroundtime as numbers; time as ISO 8601 UTC; quotes and brackets removed; "-" left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cloudward::ingest {

class S3AccessReader {
 public:
  enum class LineKind { kRecord, kSkip, kMalformed };

  // Parses one line (without newline; a trailing '\r' is ignored). Stateless.
  static LineKind ParseLine(std::string_view line, std::string* json, int64_t* time_ms,
                            std::string* error);

  // True when `line` looks like an S3 server access log record (format detection).
  static bool LooksLikeS3Access(std::string_view line);

  // "06/Feb/2019:00:00:38 +0000" -> ms since the epoch.
  static std::optional<int64_t> ParseTime(std::string_view text);
};

}  // namespace cloudward::ingest
