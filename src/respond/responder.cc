#include "respond/responder.h"

#include <fmt/core.h>

#include <random>

#include "aws/services.h"
#include "core/text.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

std::string CallList(const Execution& run) {
  std::string out;
  for (const auto& c : run.calls) {
    if (!out.empty()) out += ", ";
    out += c.operation;
    if (!c.request_ids.empty()) out += " (request id " + c.request_ids.back() + ")";
    if (c.error) out += " FAILED";
  }
  return out;
}

}  // namespace

Responder::Responder(aws::AwsClient& aws, const CallRecorder* recorder, store::IncidentStore& store,
                     const Clock& clock, std::string who)
    : aws_(aws), recorder_(recorder), store_(store), clock_(clock), who_(std::move(who)) {}

Result<const Action*> Responder::Find(std::string_view kind) const {
  if (const Action* a = FindAction(kind)) return a;
  std::string known;
  for (const Action* a : Actions()) known += (known.empty() ? "" : ", ") + std::string(a->Kind());
  return Fail(ErrorCode::kInvalidArgument, "unknown action '" + std::string(kind) + "' (" + known + ")");
}

std::string Responder::NewActionId() const {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device() ^ static_cast<uint64_t>(clock_.NowMs()));
  return fmt::format("ACT-{:010x}", rng() & 0xffffffffffULL);
}

std::string Responder::Principal() {
  if (principal_.empty()) {
    if (auto id = aws::sts::GetCallerIdentity(aws_)) principal_ = id->arn;
  }
  return principal_;
}

Status Responder::Journal(const store::ResponseAction& action, std::string_view phase, std::string_view outcome,
                          const std::string& text, const Execution* execution, const std::string& error) {
  json data = {{"action_id", action.id}, {"kind", action.kind},  {"target", action.target},
               {"phase", phase},         {"outcome", outcome},   {"operator", who_},
               {"principal", principal_}, {"status", action.status}};
  if (execution) {
    data["calls"] = execution->ToJson()["calls"];
    data["request_ids"] = execution->RequestIds();
  }
  if (!error.empty()) data["error"] = error;
  store::IncidentEvent event{.incident_id = action.incident_id, .time_ms = clock_.NowMs(), .author = who_,
                             .kind = "action", .text = text, .data = data.dump()};
  auto id = store_.AppendEvent(event);
  if (!id) return tl::unexpected(id.error());
  return Ok();
}

Result<Plan> Responder::PlanAction(std::string_view kind, const ActionRequest& request) {
  auto action = Find(kind);
  if (!action) return tl::unexpected(action.error());
  ActionRequest full = request;
  if (auto s = AddIncidentRecords(store_, **action, &full); !s) return tl::unexpected(s.error());
  return (*action)->MakePlan(aws_, full);
}

Result<ApplyReport> Responder::Apply(std::string_view kind, const ActionRequest& request) {
  auto action = Find(kind);
  if (!action) return tl::unexpected(action.error());
  if (request.incident_id.empty()) return Fail(ErrorCode::kInvalidArgument, "an incident id is required to apply");
  auto incident = store_.GetIncident(request.incident_id);
  if (!incident) return tl::unexpected(incident.error());
  ActionRequest full = request;
  if (auto s = AddIncidentRecords(store_, **action, &full); !s) return tl::unexpected(s.error());

  auto plan = (*action)->MakePlan(aws_, full);
  if (!plan) return tl::unexpected(plan.error());

  ApplyReport report;
  report.plan = *plan;
  store::ResponseAction& stored = report.action;
  stored.id = NewActionId();
  stored.incident_id = request.incident_id;
  stored.kind = std::string(kind);
  stored.target = plan->target;
  stored.created_ms = clock_.NowMs();
  return Execute(std::move(report), /*create=*/true);
}

Result<ApplyReport> Responder::Execute(ApplyReport report, bool create) {
  const Plan& plan = report.plan;
  report.no_op = plan.no_op();
  report.principal = Principal();
  store::ResponseAction& stored = report.action;
  const std::string& kind = stored.kind;
  stored.plan = plan.ToJson().dump();
  stored.prior_state = plan.prior_state.dump();
  auto save = [&]() { return create ? store_.CreateAction(stored) : store_.UpdateAction(stored); };

  if (report.no_op) {
    stored.status = "applied";
    stored.applied_ms = clock_.NowMs();
    if (auto s = save(); !s) return tl::unexpected(s.error());
    auto s = Journal(stored, "apply", "no_op",
                     fmt::format("{} {} ({}): no-op, already in the desired state; no AWS call made (by {})", kind,
                                 stored.target, stored.id, who_),
                     nullptr, "");
    if (!s) return tl::unexpected(s.error());
    return report;
  }

  // The prior state is in the store before the first write.
  stored.status = "approved";
  if (auto s = save(); !s) return tl::unexpected(s.error());

  report.execution = ExecuteCalls(aws_, plan.calls, recorder_);
  json plan_json = plan.ToJson();
  plan_json["result"] = report.execution.ToJson();
  stored.plan = plan_json.dump();
  stored.request_ids = report.execution.RequestIds();
  stored.status = report.execution.ok() ? "applied" : "failed";
  stored.applied_ms = clock_.NowMs();
  if (auto s = store_.UpdateAction(stored); !s) return tl::unexpected(s.error());

  std::string error = report.execution.ok() ? "" : report.execution.error->message;
  std::string text = fmt::format("{} {} ({}): {} by {}{}; AWS calls: {}", kind, stored.target, stored.id,
                                 stored.status, who_, principal_.empty() ? "" : " as " + principal_,
                                 CallList(report.execution));
  if (!error.empty()) text += "; error: " + error;
  auto s = Journal(stored, "apply", stored.status, text, &report.execution, error);
  if (!s) return tl::unexpected(s.error());
  return report;
}

Result<store::ResponseAction> Responder::Propose(std::string_view kind, const ActionRequest& request) {
  auto action = Find(kind);
  if (!action) return tl::unexpected(action.error());
  if (request.incident_id.empty()) return Fail(ErrorCode::kInvalidArgument, "an incident id is required");
  auto incident = store_.GetIncident(request.incident_id);
  if (!incident) return tl::unexpected(incident.error());
  ActionRequest full = request;
  if (auto s = AddIncidentRecords(store_, **action, &full); !s) return tl::unexpected(s.error());
  auto plan = (*action)->MakePlan(aws_, full);
  if (!plan) return tl::unexpected(plan.error());
  store::ResponseAction stored;
  stored.id = NewActionId();
  stored.incident_id = request.incident_id;
  stored.kind = std::string(kind);
  stored.target = plan->target;
  json plan_json = plan->ToJson();
  if (!request.options.empty()) plan_json["options"] = request.options;
  plan_json["proposed_by"] = who_;
  stored.plan = plan_json.dump();
  stored.prior_state = plan->prior_state.dump();
  stored.status = "planned";
  stored.created_ms = clock_.NowMs();
  if (auto s = store_.CreateAction(stored); !s) return tl::unexpected(s.error());
  auto s = Journal(stored, "plan", "planned",
                   fmt::format("{} {} ({}) planned by {}: {}{}", kind, stored.target, stored.id, who_, plan->summary,
                               plan->no_op() ? " (already in the desired state)" : ""),
                   nullptr, "");
  if (!s) return tl::unexpected(s.error());
  return stored;
}

Result<store::ResponseAction> Responder::Approve(const std::string& action_id) {
  auto stored = store_.GetAction(action_id);
  if (!stored) return tl::unexpected(stored.error());
  if (stored->status != "planned") {
    return Fail(ErrorCode::kConflict, "action " + action_id + " is " + stored->status + ", not planned");
  }
  if (separate_approver_) {
    json plan = json::parse(stored->plan, nullptr, false);
    std::string proposer = plan.is_object() ? plan.value("proposed_by", "") : "";
    if (!proposer.empty() && EqualsIgnoreCase(proposer, who_)) {
      std::string why = fmt::format("{} {} ({}): {} proposed this action and cannot also approve it (separation of "
                                    "duties); another responder must approve it",
                                    stored->kind, stored->target, action_id, who_);
      if (auto s = Journal(*stored, "approve", "refused", why, nullptr, why); !s) return tl::unexpected(s.error());
      return Fail(ErrorCode::kAccessDenied, why);
    }
  }
  stored->status = "approved";
  if (auto s = store_.UpdateAction(*stored); !s) return tl::unexpected(s.error());
  auto s = Journal(*stored, "approve", "approved",
                   fmt::format("{} {} ({}) approved by {}", stored->kind, stored->target, action_id, who_), nullptr,
                   "");
  if (!s) return tl::unexpected(s.error());
  return *stored;
}

Result<ApplyReport> Responder::ApplyStored(const std::string& action_id) {
  auto stored = store_.GetAction(action_id);
  if (!stored) return tl::unexpected(stored.error());
  if (stored->status != "planned" && stored->status != "approved") {
    return Fail(ErrorCode::kConflict, "action " + action_id + " is " + stored->status + "; only planned or "
                                      "approved actions can be applied");
  }
  auto action = Find(stored->kind);
  if (!action) return tl::unexpected(action.error());
  ActionRequest request{.target = stored->target, .incident_id = stored->incident_id};
  json planned = json::parse(stored->plan, nullptr, false);
  if (planned.is_object() && planned.contains("options") && planned["options"].is_object()) {
    for (const auto& [k, v] : planned["options"].items()) {
      if (v.is_string()) request.options[k] = v.get<std::string>();
    }
  }
  if (auto s = AddIncidentRecords(store_, **action, &request); !s) return tl::unexpected(s.error());
  auto plan = (*action)->MakePlan(aws_, request);
  if (!plan) return tl::unexpected(plan.error());
  ApplyReport report;
  report.plan = std::move(*plan);
  report.action = std::move(*stored);
  return Execute(std::move(report), /*create=*/false);
}

Result<std::pair<store::ResponseAction, Plan>> Responder::LoadForRollback(const std::string& action_id) {
  auto stored = store_.GetAction(action_id);
  if (!stored) return tl::unexpected(stored.error());
  if (stored->status == "rolled_back") {
    return Fail(ErrorCode::kConflict, "action " + action_id + " was already rolled back");
  }
  if (stored->status == "planned") {
    return Fail(ErrorCode::kInvalidArgument, "action " + action_id + " was never applied; nothing to roll back");
  }
  auto plan_json = json::parse(stored->plan, nullptr, false);
  auto applied = Plan::FromJson(plan_json);
  if (!applied) return Fail(applied.error().code, "action " + action_id + ": " + applied.error().message);
  applied->prior_state = json::parse(stored->prior_state, nullptr, false);
  if (applied->prior_state.is_discarded()) {
    return Fail(ErrorCode::kMalformed, "action " + action_id + ": stored prior state is not JSON");
  }
  return std::pair{std::move(*stored), std::move(*applied)};
}

Result<Plan> Responder::PlanRollback(const std::string& action_id) {
  auto loaded = LoadForRollback(action_id);
  if (!loaded) return tl::unexpected(loaded.error());
  auto& [stored, applied] = *loaded;
  if (applied.no_op()) {
    Plan nothing{.kind = stored.kind, .target = stored.target, .incident_id = stored.incident_id,
                 .summary = "nothing to roll back: the apply was a no-op and changed nothing"};
    nothing.reversible = false;
    return nothing;
  }
  auto action = Find(stored.kind);
  if (!action) return tl::unexpected(action.error());
  return (*action)->PlanRollback(aws_, stored, applied);
}

Result<RollbackReport> Responder::Rollback(const std::string& action_id) {
  auto loaded = LoadForRollback(action_id);
  if (!loaded) return tl::unexpected(loaded.error());
  RollbackReport report;
  report.action = loaded->first;
  auto plan = PlanRollback(action_id);
  Principal();
  if (!plan) {
    if (plan.error().code == ErrorCode::kConflict) {
      auto s = Journal(report.action, "rollback", "refused",
                       fmt::format("rollback of {} {} ({}) refused for {}: {}", report.action.kind,
                                   report.action.target, action_id, who_, plan.error().message),
                       nullptr, plan.error().message);
      if (!s) return tl::unexpected(s.error());
    }
    return tl::unexpected(plan.error());
  }
  report.plan = *plan;
  store::ResponseAction& stored = report.action;
  if (!plan->reversible) {
    // Evidence and no-op actions: nothing is undone and the status stays.
    auto s = Journal(stored, "rollback", "nothing_to_undo",
                     fmt::format("rollback of {} {} ({}) by {}: {}", stored.kind, stored.target, action_id, who_,
                                 plan->summary),
                     nullptr, "");
    if (!s) return tl::unexpected(s.error());
    return report;
  }
  report.execution = ExecuteCalls(aws_, plan->calls, recorder_);
  std::string error = report.execution.ok() ? "" : report.execution.error->message;
  auto ids = report.execution.RequestIds();
  stored.request_ids.insert(stored.request_ids.end(), ids.begin(), ids.end());
  if (report.execution.ok()) {
    stored.status = "rolled_back";
    stored.rolled_back_ms = clock_.NowMs();
    report.rolled_back = true;
  }
  if (auto s = store_.UpdateAction(stored); !s) return tl::unexpected(s.error());
  std::string text;
  if (plan->no_op()) {
    text = fmt::format("rollback of {} {} ({}) by {}: already in the prior state; no AWS call made", stored.kind,
                       stored.target, action_id, who_);
  } else {
    text = fmt::format("rollback of {} {} ({}): {} by {}{}; AWS calls: {}", stored.kind, stored.target, action_id,
                       report.execution.ok() ? "rolled back" : "failed", who_,
                       principal_.empty() ? "" : " as " + principal_, CallList(report.execution));
    if (!error.empty()) text += "; error: " + error;
  }
  auto s = Journal(stored, "rollback", report.execution.ok() ? "rolled_back" : "failed", text, &report.execution,
                   error);
  if (!s) return tl::unexpected(s.error());
  return report;
}

}  // namespace cloudward::respond
