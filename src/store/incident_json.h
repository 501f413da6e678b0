// Incidents, journal entries and actions as JSON: the `--format json` output of
// `cloudward incidents` and the bodies of the HTTP API. Pure functions, no I/O.
//
//   std::puts(store::IncidentToJson(incident).dump(2).c_str());
#pragma once

#include <nlohmann/json.hpp>

#include "store/incident.h"

namespace cloudward::store {

// Keys: id, title, severity, status, assignee, first_seen, last_seen (ISO or null), created,
// updated, finding_count, level_counts {level: n}, actors, access_keys, source_ips, resources,
// accounts, regions, log_types, tactics (ATT&CK short names), techniques (ATT&CK ids),
// rules [{id, title, level, count}], merged_into (when set), version.
nlohmann::json IncidentToJson(const Incident& incident);
// Keys: id, time, author, kind, text, data (parsed JSON).
nlohmann::json IncidentEventToJson(const IncidentEvent& event);
// Keys: id, incident, kind, target, status, plan, prior_state (parsed), request_ids, created,
// applied, rolled_back, version.
nlohmann::json ResponseActionToJson(const ResponseAction& action);

}  // namespace cloudward::store
