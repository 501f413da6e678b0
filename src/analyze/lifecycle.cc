#include "analyze/lifecycle.h"

#include <nlohmann/json.hpp>

namespace cloudward::analyze {

using store::IncidentStatus;

Status CheckTransition(IncidentStatus from, IncidentStatus to) {
  const int f = static_cast<int>(from);
  const int t = static_cast<int>(to);
  const bool ok = t == f + 1 || (from == IncidentStatus::kOpen && to == IncidentStatus::kContained) ||
                  (to == IncidentStatus::kClosed && from != IncidentStatus::kClosed) ||
                  (from == IncidentStatus::kClosed && to == IncidentStatus::kOpen);
  if (ok) return Ok();
  std::string message = "cannot move an incident from " + std::string(store::IncidentStatusName(from)) +
                        " to " + std::string(store::IncidentStatusName(to));
  if (from == to) {
    message += " (it is already " + std::string(store::IncidentStatusName(to)) + ")";
  } else if (from != IncidentStatus::kClosed) {
    message += "; next is " + std::string(store::IncidentStatusName(static_cast<IncidentStatus>(f + 1))) +
               " (or closed)";
  } else {
    message += "; reopen it first (status open)";
  }
  return Fail(ErrorCode::kInvalidArgument, message);
}

namespace {

Result<store::Incident> ApplyOnce(store::IncidentStore& store, const std::string& id, const IncidentChange& change,
                                  const std::string& who, int64_t now_ms) {
  store::Incident result;
  auto st = store.Transaction([&]() -> Status {
    auto inc = store.GetIncident(id);
    if (!inc) return tl::unexpected(inc.error());
    std::vector<store::IncidentEvent> events;
    if (change.status) {
      if (auto ok = CheckTransition(inc->status, *change.status); !ok) return ok;
      const auto from = inc->status;
      inc->status = *change.status;
      events.push_back({0, id, now_ms, who, "status",
                        std::string(store::IncidentStatusName(from)) + " -> " +
                            std::string(store::IncidentStatusName(inc->status)),
                        nlohmann::json{{"from", store::IncidentStatusName(from)},
                                       {"to", store::IncidentStatusName(inc->status)}}
                            .dump()});
    }
    if (change.assignee && *change.assignee != inc->assignee) {
      events.push_back({0, id, now_ms, who, "assignee",
                        change.assignee->empty() ? "unassigned" : "assigned to " + *change.assignee,
                        nlohmann::json{{"from", inc->assignee}, {"to", *change.assignee}}.dump(
                            -1, ' ', false, nlohmann::json::error_handler_t::replace)});
      inc->assignee = *change.assignee;
    }
    if (!change.note.empty()) events.push_back({0, id, now_ms, who, "note", change.note, "{}"});
    if (events.empty()) return Fail(ErrorCode::kInvalidArgument, "nothing to change on incident " + id);
    inc->updated_ms = now_ms;
    if (auto up = store.UpdateIncident(*inc); !up) return up;
    for (const auto& e : events) {
      if (auto r = store.AppendEvent(e); !r) return tl::unexpected(r.error());
    }
    result = std::move(*inc);
    return Ok();
  });
  if (!st) return tl::unexpected(st.error());
  return result;
}

}  // namespace

Result<store::Incident> ApplyIncidentChange(store::IncidentStore& store, const std::string& id,
                                            const IncidentChange& change, const std::string& who,
                                            int64_t now_ms) {
  auto r = ApplyOnce(store, id, change, who, now_ms);
  if (!r && r.error().code == ErrorCode::kConflict) r = ApplyOnce(store, id, change, who, now_ms);
  return r;
}

}  // namespace cloudward::analyze
