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

// Inverse of FindingToJson, for the store and tests.
Result<Finding> FindingFromJson(const nlohmann::json& json);

// OCSF 1.1.0 Detection Finding.
nlohmann::json FindingToOcsf(const Finding& finding);

// OCSF severity_id of a Sigma level: informational 1 ... critical 5.
int OcsfSeverityId(Level level);

}  // namespace cloudward
