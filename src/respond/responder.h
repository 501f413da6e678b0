// Responder runs response actions against AWS and records them on an incident: the plan, the
// prior state (stored before any change), the AWS calls with their request ids, the outcome, and
// one journal entry per apply or rollback (who, when, what, request ids).
//
//   auto recorder = std::make_shared<CallRecorder>(std::make_shared<aws::CurlTransport>());
//   aws::AwsClient aws({.transport = recorder});
//   Responder responder(aws, recorder.get(), *store, clock, "alice");
//   auto plan = responder.PlanAction("isolate-instance", {.target = "i-0abc", .incident_id = id});
//   auto report = responder.Apply("isolate-instance", {.target = "i-0abc", .incident_id = id});
//   auto undone = responder.Rollback(report->action.id);
//
// Apply: plans from the current state; if nothing needs changing, records a no-op action (no
// AWS write is made); otherwise stores the action with its prior state (status "approved"),
// executes the plan's calls, then marks it "applied" or "failed". Rollback: re-reads the
// resource, refuses with kConflict when it changed since in a way a restore would clobber,
// executes the restore and marks the action "rolled_back". Every outcome is journaled.
//
// Not thread-safe; the references must outlive the Responder.
#pragma once

#include <string>
#include <string_view>

#include "aws/aws_client.h"
#include "core/clock.h"
#include "respond/action.h"
#include "respond/call_executor.h"
#include "respond/call_recorder.h"
#include "store/incident_store.h"

namespace cloudward::respond {

struct ApplyReport {
  Plan plan;
  store::ResponseAction action;  // as stored
  Execution execution;           // no calls for a no-op
  std::string principal;         // the AWS identity that made the calls, or ""
  bool no_op = false;
};

struct RollbackReport {
  Plan plan;                     // the restore that was planned
  store::ResponseAction action;  // as stored afterwards
  Execution execution;
  bool rolled_back = false;      // status changed to rolled_back
};

class Responder {
 public:
  // `recorder` may be null (request ids are then not journaled). `who` is the operator.
  Responder(aws::AwsClient& aws, const CallRecorder* recorder, store::IncidentStore& store, const Clock& clock,
            std::string who);

  // Reads only; touches neither AWS state nor the store.
  Result<Plan> PlanAction(std::string_view kind, const ActionRequest& request);
  // kNotFound for an unknown incident; AWS errors while planning are returned before anything is
  // recorded. A failure while executing is reported in ApplyReport::execution (status "failed").
  Result<ApplyReport> Apply(std::string_view kind, const ActionRequest& request);

  // The reviewed path (the daemon's API): Propose plans and stores the action as "planned" (plan
  // and prior state as seen now; no AWS write), Approve moves it to "approved", ApplyStored
  // re-plans from the current state (the stored plan may be stale), stores that prior state before
  // the first write and executes like Apply. Each step is journaled. kNotFound for an unknown
  // incident or action; kConflict when the action is not in the status the step needs (Approve:
  // planned; ApplyStored: planned or approved).
  Result<store::ResponseAction> Propose(std::string_view kind, const ActionRequest& request);
  // With separation of duties on (respond.approvals.separation_of_duties), kAccessDenied when the
  // operator is the one who proposed the action (names compared case-insensitively); the refusal
  // is journaled.
  Result<store::ResponseAction> Approve(const std::string& action_id);
  void RequireSeparateApprover(bool on) { separate_approver_ = on; }
  Result<ApplyReport> ApplyStored(const std::string& action_id);

  // Reads only.
  Result<Plan> PlanRollback(const std::string& action_id);
  // kNotFound (unknown id), kConflict (already rolled back, or the resource changed; journaled),
  // kInvalidArgument (never applied). A failing restore call is in RollbackReport::execution.
  Result<RollbackReport> Rollback(const std::string& action_id);

 private:
  Result<const Action*> Find(std::string_view kind) const;
  // Stores `report.action` (created when `create`, else updated) and runs the plan's calls.
  Result<ApplyReport> Execute(ApplyReport report, bool create);
  Result<std::pair<store::ResponseAction, Plan>> LoadForRollback(const std::string& action_id);
  std::string Principal();
  Status Journal(const store::ResponseAction& action, std::string_view phase, std::string_view outcome,
                 const std::string& text, const Execution* execution, const std::string& error);
  std::string NewActionId() const;

  aws::AwsClient& aws_;
  const CallRecorder* recorder_;
  store::IncidentStore& store_;
  const Clock& clock_;
  bool separate_approver_ = false;
  std::string who_;
  std::string principal_;  // cached caller identity
};

}  // namespace cloudward::respond
