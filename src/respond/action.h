// A response action is a planner: it reads the current state of one AWS resource and says exactly
// which AWS calls would bring it to the contained state (MakePlan), or back to the state recorded
// before (PlanRollback). It never writes; the Responder (responder.h) records, executes the calls
// (call_executor.h) and journals them, so that what runs is exactly what the plan showed.
//
//   const Action* action = FindAction("deactivate-access-key");
//   auto plan = action->MakePlan(aws, {.target = "AKIA...", .incident_id = "INC-1"});
//   if (plan && plan->no_op()) ...;   // already contained: nothing would be called
//
// Actions are stateless and thread-safe; the registry (FindAction, Actions) is static.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "aws/services.h"
#include "core/result.h"
#include "store/incident.h"

namespace cloudward::store {
class IncidentStore;
}  // namespace cloudward::store

namespace cloudward::respond {

// One AWS call a plan makes. `parameters` are the operation's inputs as JSON (see
// call_executor.h for each operation's shape); a string "$name" stands for the output of an
// earlier call of the same plan whose `output` is "name" (e.g. a security group created first).
struct ApiCall {
  std::string operation;  // "iam:UpdateAccessKey"
  nlohmann::json parameters = nlohmann::json::object();
  std::string change;     // for people: "access key AKIA... Active -> Inactive"
  std::string output;     // name under which the call's result (an id) is kept, or ""
};

struct Plan {
  std::string kind;
  std::string target;
  std::string incident_id;
  std::string summary;                  // one line for people
  nlohmann::json prior_state = nlohmann::json::object();  // what is there now; rollback restores it
  std::vector<ApiCall> calls;           // in order; empty when already in the desired state
  std::vector<std::string> notes;       // collateral effects and caveats
  // Rollback plans only: false when there is nothing that could be undone (evidence actions).
  bool reversible = true;

  bool no_op() const { return calls.empty(); }
  nlohmann::json ToJson() const;
  static Result<Plan> FromJson(const nlohmann::json& json);
};

// What the operator asked for.
struct ActionRequest {
  std::string target;       // access key id, instance id, bucket, role name
  std::string incident_id;  // used in tags and descriptions
  std::map<std::string, std::string> options;  // per action, e.g. {"user", "alice"}
  // The original records (CloudTrail JSON) of the incident's findings, for actions whose
  // NeedsIncidentRecords() (see AddIncidentRecords); nullopt when not loaded.
  std::optional<std::vector<std::string>> incident_records;
};

class Action {
 public:
  virtual ~Action() = default;
  virtual std::string_view Kind() const = 0;         // "isolate-instance"
  virtual std::string_view Description() const = 0;  // one line for --help
  virtual std::string_view TargetName() const = 0;   // "instance id"
  // True for actions that decide from what the incident recorded (eradicate-created-iam).
  virtual bool NeedsIncidentRecords() const { return false; }

  // Reads the current state (no writes). kInvalidArgument for a malformed target, kNotFound for a
  // missing resource, other codes for AWS errors.
  virtual Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const = 0;
  // Reads the current state of an applied action's resource and plans restoring its recorded
  // prior state (no writes). kConflict when the resource changed since in a way the restore would
  // clobber; the message says what changed.
  virtual Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                                    const Plan& applied) const = 0;
};

// The IAM actions an action needs: `read` to plan (and to check before rollback), `write` to apply
// and roll back. Empty for an unknown kind.
struct ActionPermissions {
  std::vector<std::string> read;
  std::vector<std::string> write;
};
ActionPermissions PermissionsOf(std::string_view kind);
// The least-privilege IAM policy document for these action kinds (sorted, unique actions in a
// read statement and a write statement; writes omitted when `read_only`).
nlohmann::json PermissionsPolicy(const std::vector<std::string>& kinds, bool read_only = false);

// For actions on an instance: the instance, checked to exist and not be terminated.
// kInvalidArgument for a malformed id; `gone` for a missing or terminated instance (kNotFound
// when planning, kConflict when rolling back); other codes for AWS errors.
Result<aws::ec2::Instance> ReadLiveInstance(aws::AwsClient& aws, const std::string& id, ErrorCode gone);

// Fills request->incident_records from the store when the action NeedsIncidentRecords() and the
// request names an incident; otherwise leaves the request as it is. Store errors are returned.
Status AddIncidentRecords(store::IncidentStore& store, const Action& action, ActionRequest* request);

// nullptr for an unknown kind.
const Action* FindAction(std::string_view kind);
const std::vector<const Action*>& Actions();

std::unique_ptr<Action> MakeDeactivateAccessKeyAction();
std::unique_ptr<Action> MakeIsolateInstanceAction();
std::unique_ptr<Action> MakeBlockS3PublicAccessAction();
std::unique_ptr<Action> MakeBlockAccountPublicAccessAction();
std::unique_ptr<Action> MakeSnapshotInstanceVolumesAction();
// Readiness (prepare/): cloudward-owned resources made before an incident.
std::unique_ptr<Action> MakeCreateQuarantineGroupAction();
std::unique_ptr<Action> MakeCreateForensicBucketAction();
// `contain principal TARGET`: "revoke-role-sessions" for a role (or an assumed-role session),
// "restrict-user" for a user; a bare name is looked up (roles first). kNotFound when neither.
Result<std::string> PrincipalContainment(aws::AwsClient& aws, std::string_view target);

std::unique_ptr<Action> MakeRevokeRoleSessionsAction();
std::unique_ptr<Action> MakeRestrictUserAction();
std::unique_ptr<Action> MakeBlockIpAction();
std::unique_ptr<Action> MakeEnableBucketVersioningAction();
std::unique_ptr<Action> MakeStartCloudTrailLoggingAction();
std::unique_ptr<Action> MakeRevokeOpenIngressAction();
std::unique_ptr<Action> MakeProtectInstanceAction();
std::unique_ptr<Action> MakeRequireImdsv2Action();
std::unique_ptr<Action> MakeRemoveUserFromGroupsAction();
std::unique_ptr<Action> MakeDeleteLoginProfileAction();
std::unique_ptr<Action> MakeMakeSnapshotPrivateAction();
std::unique_ptr<Action> MakeRemovePublicBucketAccessAction();
std::unique_ptr<Action> MakeZeroLambdaConcurrencyAction();
std::unique_ptr<Action> MakeEnableGuardDutyAction();
std::unique_ptr<Action> MakeRestrictRdsInstanceAction();
std::unique_ptr<Action> MakeRestoreObjectVersionsAction();
std::unique_ptr<Action> MakeDetachFromAutoScalingAction();
std::unique_ptr<Action> MakeOpenSupportCaseAction();
// EC2 instance lifecycle (capture_instance_evidence.cc, replace_instance_profile.cc, instance_lifecycle.cc).
std::unique_ptr<Action> MakeCaptureInstanceEvidenceAction();
std::unique_ptr<Action> MakeReplaceInstanceProfileAction();
std::unique_ptr<Action> MakeStopInstanceAction();
std::unique_ptr<Action> MakeTerminateInstanceAction();
// Eradication and recovery: what the attacker created in IAM, patching, AWS Backup restores.
std::unique_ptr<Action> MakeEradicateCreatedIamAction();
std::unique_ptr<Action> MakeRunPatchBaselineAction();
std::unique_ptr<Action> MakeRestoreFromBackupAction();

}  // namespace cloudward::respond
