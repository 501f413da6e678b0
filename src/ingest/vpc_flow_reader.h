// VPC Flow Logs and Transit Gateway flow logs, as delivered to S3 or CloudWatch Logs.
//
// Grammar (one record per line, fields separated by runs of spaces or tabs):
//   file    = { line "\n" }
//   line    = header | record | comment | blank
//   header  = field-name { " " field-name }     e.g. "version account-id interface-id srcaddr ..."
//   record  = value { " " value }              value "-" = field absent
//   comment = "#" ...                           (annotations in hand-made samples; ignored)
// A header sets the field order of the records after it (S3 delivery writes one per file; files
// concatenated from several formats carry several). Records without a header use AWS's default
// order: VPC "all fields" (whose first 14 are the v2 default format) or, when the fourth value is
// a tgw- id, the Transit Gateway default order.
//
// Each record becomes a JSON object keyed by the AWS field names; integer fields (ports, counts,
// times, flags) are JSON numbers, everything else strings, absent fields left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cloudward::ingest {

// Parses flow log lines one at a time. Holds the header in force; not thread-safe.
class VpcFlowReader {
 public:
  enum class LineKind { kRecord, kHeader, kSkip, kMalformed };

  // Parses one line (without its newline; a trailing '\r' is ignored). kRecord: *json holds the
  // record as a JSON object and *time_ms the `start` time (or kUnknownTime). kMalformed: *error
  // says why. kHeader switches the field order for the following lines.
  LineKind ParseLine(std::string_view line, std::string* json, int64_t* time_ms,
                     std::string* error);

  void ResetHeader() { header_.clear(); }
  // Sets the field order from a header line (as found by IsHeader).
  void SetHeader(std::string_view line);

  // True for a header line: only field-name tokens, at least two of them known flow fields.
  static bool IsHeader(std::string_view line);
  // True when `line` looks like a flow log header or record (used by format detection).
  static bool LooksLikeFlowLog(std::string_view line);

 private:
  std::vector<std::string> header_;
};

}  // namespace cloudward::ingest
