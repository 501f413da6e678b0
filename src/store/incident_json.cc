#include "store/incident_json.h"

#include "core/time.h"

namespace cloudward::store {
namespace {

using nlohmann::json;

json Time(int64_t ms) { return ms == kUnknownTime ? json(nullptr) : json(FormatIsoTime(ms)); }

json ParsedOr(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(text) : j;
}

}  // namespace

json IncidentToJson(const Incident& inc) {
  json levels = json::object();
  for (size_t i = 0; i < inc.level_counts.size(); ++i) {
    if (inc.level_counts[i] > 0) levels[std::string(LevelName(static_cast<Level>(i)))] = inc.level_counts[i];
  }
  json rules = json::array();
  for (const auto& r : inc.rules) {
    rules.push_back({{"id", r.id}, {"title", r.title}, {"level", LevelName(r.level)}, {"count", r.count}});
  }
  json out = {{"id", inc.id},
              {"title", inc.title},
              {"severity", LevelName(inc.severity)},
              {"status", IncidentStatusName(inc.status)},
              {"assignee", inc.assignee.empty() ? json(nullptr) : json(inc.assignee)},
              {"first_seen", Time(inc.first_seen_ms)},
              {"last_seen", Time(inc.last_seen_ms)},
              {"created", Time(inc.created_ms)},
              {"updated", Time(inc.updated_ms)},
              {"finding_count", inc.finding_count},
              {"level_counts", levels},
              {"actors", inc.actors},
              {"access_keys", inc.access_keys},
              {"source_ips", inc.source_ips},
              {"resources", inc.resources},
              {"accounts", inc.accounts},
              {"regions", inc.regions},
              {"log_types", inc.log_types},
              {"tactics", inc.tactics},
              {"techniques", inc.techniques},
              {"rules", rules},
              {"version", inc.version}};
  if (!inc.merged_into.empty()) out["merged_into"] = inc.merged_into;
  return out;
}

json IncidentEventToJson(const IncidentEvent& e) {
  json out = {{"id", e.id},     {"time", Time(e.time_ms)}, {"author", e.author},
              {"kind", e.kind}, {"text", e.text},          {"data", ParsedOr(e.data)}};
  if (!e.hash.empty()) out["hash"] = e.hash;
  return out;
}

json ResponseActionToJson(const ResponseAction& a) {
  return {{"id", a.id},
          {"incident", a.incident_id},
          {"kind", a.kind},
          {"target", a.target},
          {"status", a.status},
          {"plan", ParsedOr(a.plan)},
          {"prior_state", ParsedOr(a.prior_state)},
          {"request_ids", a.request_ids},
          {"created", Time(a.created_ms)},
          {"applied", Time(a.applied_ms)},
          {"rolled_back", Time(a.rolled_back_ms)},
          {"version", a.version}};
}

}  // namespace cloudward::store
