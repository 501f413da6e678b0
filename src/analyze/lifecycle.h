// The incident life cycle and the journaled changes people make to incidents.
//
//   open -> triaged -> contained -> eradicated -> recovered -> closed
//
// Allowed moves: one step forward; open -> contained (containing first is triage enough); any
// status -> closed (benign or false positive); closed -> open (reopen). Everything else, and
// "moving" to the current status, is kInvalidArgument.
//
//   analyze::IncidentChange change{.status = store::IncidentStatus::kTriaged, .note = "looking"};
//   auto inc = analyze::ApplyIncidentChange(store, "INC-3f2a9c01d4", change, "alice", now_ms);
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "store/incident_store.h"

namespace cloudward::analyze {

Status CheckTransition(store::IncidentStatus from, store::IncidentStatus to);

struct IncidentChange {
  std::optional<store::IncidentStatus> status;
  std::optional<std::string> assignee;  // "" unassigns
  std::string note;                     // empty: no note
};

// Applies `change` in one transaction and journals each part (kind "status", "assignee", "note")
// with `who` and `now_ms`. kNotFound for an unknown id, kInvalidArgument for a forbidden
// transition or an empty change, kConflict if the incident changed concurrently (retried once
// after reloading it; a second conflict is returned).
Result<store::Incident> ApplyIncidentChange(store::IncidentStore& store, const std::string& id,
                                            const IncidentChange& change, const std::string& who,
                                            int64_t now_ms);

}  // namespace cloudward::analyze
