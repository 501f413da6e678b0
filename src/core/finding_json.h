// Findings as JSON: the `jsonl` output line of `cloudward hunt`, the store's serialised form,
// and OCSF 1.1 Detection Finding (class_uid 2004). Pure functions, no I/O.
//
//   nlohmann::json line = FindingToJson(finding);   // {"rule": {...}, "time": ..., "record": {...}}
//   std::string ocsf = FindingToOcsf(finding).dump();
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <optional>

#include "core/finding.h"
#include "core/result.h"

namespace cloudward {

// Keys: rule {id, title, level, tags}, time, account, region, actor {type, arn, access_key_id,
// session}, source_ip, user_agent, event_source, event_name, event_id, error_code, log_type,
// source {file, offset}, record (the original record: a JSON object, or the log line as a
// string), and for correlation findings group {k: v} and related [..].
nlohmann::json FindingToJson(const Finding& finding);

// FindingToJson(finding) as one line of JSON (the `hunt --format jsonl` output), with a JSON
// record copied minified rather than parsed and re-serialised; "record" is the last key.
std::string FindingToJsonLine(const Finding& finding);

// A finding's fields by reference, for writing lines without first copying an event's context
// and record into a Finding for every rule it matched (the hot path of a noisy hunt).
struct FindingView {
  const RuleRef& rule;
  LogType log_type;
  const EventContext& context;
  std::string_view source_file;
  uint64_t source_offset;
  const std::vector<std::string>* related = nullptr;                       // correlation findings
  const std::vector<std::pair<std::string, std::string>>* group = nullptr;  // correlation findings
};
FindingView ViewOf(const Finding& finding);

// The record as a JSON line embeds it: a JSON record minified (records that are JSON came
// through simdjson, which validated them), anything else as a JSON string.
std::string RecordJsonText(std::string_view record);

// Appends FindingToJsonLine's line (no newline) with `record_json` (RecordJsonText of the
// record, made once per event) as "record"; an empty `record_json` leaves "record" out.
void AppendFindingJsonLine(std::string& out, const FindingView& finding, std::string_view record_json);

// Inverse of FindingToJson, for the store and tests.
Result<Finding> FindingFromJson(const nlohmann::json& json);

// The line formats of `hunt` output, with or without each finding's original record. Records
// must be as the readers deliver them (JSON that simdjson parsed, or a log line): a JSON record on
// one line is copied as it was read, one that spans lines is minified, a log line is a string.
//
//   FindingLineFormat format(FindingLineFormat::Kind::kJsonl, /*with_record=*/true);
//   const std::string record = format.Record(event.raw);   // once per event
//   format.Append(out, view_of_each_finding, record);       // one line each, '\n' included
class FindingLineFormat {
 public:
  enum class Kind { kJsonl, kOcsf };
  FindingLineFormat(Kind kind, bool with_record) : kind_(kind), with_record_(with_record) {}
  // The record as this format's lines embed it ("" without records), made once per event.
  std::string Record(std::string_view raw) const;
  // Appends the line of `finding`, newline included; `record` is Record() of its record.
  void Append(std::string& out, const FindingView& finding, std::string_view record) const;

 private:
  Kind kind_;
  bool with_record_;
};

// OCSF 1.1.0 Detection Finding.
nlohmann::json FindingToOcsf(const Finding& finding);

// OCSF severity_id of a Sigma level: informational 1 ... critical 5.
int OcsfSeverityId(Level level);

}  // namespace cloudward
