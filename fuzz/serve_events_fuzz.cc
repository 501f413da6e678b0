// Fuzzes the daemon's HTTP intake: POST /api/v1/events with the input as the body (EventBridge
// API-destination payloads, single CloudTrail records, {"Records":[...]} batches, GuardDuty
// findings, JSON Lines), through serve::Api and serve::Intake into an in-memory store, with the
// bundled rules and correlation.
// Properties checked:
//  - never crashes; the answer is 200 or 400 (never 500), a JSON object with the counters;
//  - 200 exactly when some event was read (or dropped as a duplicate); no more events than the
//    body has objects or lines; every error has a reason and an offset inside the body (the
//    decompressed body, for gzip);
//  - findings_new <= findings; created incidents are among the touched ones, and every touched
//    incident is in the store, holds findings and has an audit entry naming the token;
//  - the same body posted again reads no more events (eventIDs seen are dropped as duplicates).
#include <algorithm>
#include <cstdint>
#include <string>

#include "ingest/gzip.h"
#include "serve_fuzz_common.h"

namespace {

using namespace cloudward::serve::fuzzing;
using nlohmann::json;

uint64_t MaxRecords(const std::string& text) {
  uint64_t n = 1;
  for (char c : text) n += c == '{' || c == '[' || c == ',' || c == '\n';
  return n;
}

bool Counter(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number_integer() && j[key].get<int64_t>() >= 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;
  const std::string body(reinterpret_cast<const char*>(data), size);
  Daemon daemon;
  const auto r = daemon.Call("POST", "/api/v1/events", "Bearer tok-ops", body);
  CheckResponseShape(r);
  Check(r.status == 200 || r.status == 400, "intake answers 200 or 400");
  const json out = json::parse(r.body, nullptr, false);
  Check(out.is_object(), "the answer is an object");
  if (body.empty()) {
    Check(r.status == 400, "an empty body is refused");
    return 0;
  }
  for (const char* key : {"events", "malformed", "duplicates", "findings", "findings_new"}) {
    Check(Counter(out, key), "the answer has the counters");
  }
  // Offsets and record counts refer to the bytes read: a gzip body's decompressed bytes.
  std::string plain = body;
  if (cloudward::ingest::IsGzip(body)) {
    cloudward::ingest::GzipDecompressor gunzip;
    cloudward::ingest::ByteBuffer bytes;
    (void)gunzip.Decompress(body, uint64_t{64} << 20, bytes);
    plain.assign(bytes.view());
  }
  const uint64_t events = out["events"], duplicates = out["duplicates"];
  Check((r.status == 200) == (events + duplicates > 0), "200 exactly when events were read");
  Check(events + out["malformed"].get<uint64_t>() + duplicates <= MaxRecords(plain) + 1,
        "no more records than the body can hold");
  Check(out["findings_new"].get<uint64_t>() <= out["findings"].get<uint64_t>(), "new findings are findings");
  Check(out["errors"].is_array(), "errors is an array");
  for (const json& e : out["errors"]) {
    Check(e.contains("reason") && e["reason"].is_string() && !e["reason"].get<std::string>().empty(),
          "every error has a reason");
    Check(e.contains("offset") && e["offset"].is_number_integer() && e["offset"].get<uint64_t>() <= plain.size(),
          "every error has an offset inside the body");
  }
  Check(out["incidents"].is_array() && out["incidents_created"].is_array(), "incident lists");
  for (const json& id : out["incidents_created"]) {
    Check(std::find(out["incidents"].begin(), out["incidents"].end(), id) != out["incidents"].end(),
          "created incidents are among the touched ones");
  }
  for (const json& id : out["incidents"]) {
    Check(id.is_string(), "incident ids are strings");
    auto incident = daemon.store().GetIncident(id.get<std::string>());
    Check(incident.has_value() && incident->finding_count > 0, "a touched incident is stored with findings");
    auto journal = daemon.store().Events(id.get<std::string>());
    Check(journal.has_value(), "its journal reads");
    bool audited = false;
    for (const auto& e : *journal) audited |= e.kind == "intake" && e.author == "ops";
    Check(audited, "the intake is audited with the token's name");
  }

  const auto again = daemon.Call("POST", "/api/v1/events", "Bearer tok-ops", body);
  CheckResponseShape(again);
  const json second = json::parse(again.body, nullptr, false);
  Check(second.is_object() && Counter(second, "events") && Counter(second, "findings_new"), "second answer");
  // Events with an eventID are dropped as duplicates; the others are read again.
  Check(second["events"].get<uint64_t>() <= events, "redelivered events are not read twice");
  return 0;
}
