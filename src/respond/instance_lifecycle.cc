// Actions that end a suspect EC2 instance's run, each only once its disks are kept as evidence
// (every EBS volume has a snapshot tagged with the incident: snapshot-instance-volumes, earlier or
// in the same playbook run); otherwise the plan is refused (kConflict) and says which volumes lack one:
//
//   stop-instance       StopInstances on a running instance. Its memory, instance-store data and
//                       public IPv4 address (unless elastic) are lost; the EBS volumes stay.
//                       Prior state: the instance state. Rollback: StartInstances when it was
//                       running and is stopped now; refused (kConflict) while it is stopping or
//                       after it was terminated.
//   terminate-instance  TerminateInstances, for good. Only when asked twice: the option
//                       confirm=true to plan it at all, and --apply to apply it. Refused while
//                       termination protection is on (cloudward never turns it off). No rollback.
#include "aws/services.h"
#include "aws/services_instance.h"
#include "core/text.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

struct Evidence {
  std::vector<std::string> snapshot_ids;     // tagged with the incident
  std::vector<std::string> missing_volumes;  // EBS volumes with none
};

Result<Evidence> ReadEvidence(aws::AwsClient& aws, const aws::ec2::Instance& instance, const std::string& incident) {
  Evidence out;
  if (instance.volume_ids.empty()) return out;
  auto snapshots = aws::ec2::DescribeSnapshots(
      aws, {}, {{"tag:" + std::string(kIncidentTag), {incident}}, {"volume-id", instance.volume_ids}});
  if (!snapshots) return Fail(snapshots.error().code, "cannot list snapshots: " + snapshots.error().Describe());
  for (const auto& s : *snapshots) {
    if (s.state != "error") out.snapshot_ids.push_back(s.snapshot_id);
  }
  out.missing_volumes = VolumesWithoutSnapshot(instance.volume_ids, *snapshots);
  return out;
}

std::string MissingEvidence(const std::string& id, const std::string& incident, const Evidence& evidence) {
  return "no evidence snapshot tagged " + std::string(kIncidentTag) + "=" + incident + " of " +
         Join(evidence.missing_volumes, ", ") + ": take them first (snapshot-instance-volumes " + id + ")";
}

Status CheckRequest(const ActionRequest& request, std::string_view kind) {
  if (!ValidInstanceId(request.target)) {
    return Fail(ErrorCode::kInvalidArgument, "'" + request.target + "' is not an EC2 instance id (i-...)");
  }
  if (request.incident_id.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kind) + " needs an incident (its evidence snapshots are tagged with it)");
  }
  return Ok();
}

bool Captured(const aws::ec2::Instance& instance, const std::string& incident) {
  for (const auto& [k, v] : instance.tags) {
    if (k == kEvidenceTag && v == incident) return true;
  }
  return false;
}

// ----------------------------------------------------------------------------- stop-instance
class StopInstanceAction final : public Action {
 public:
  std::string_view Kind() const override { return "stop-instance"; }
  std::string_view Description() const override {
    return "Stop an EC2 instance (its memory is lost) once every EBS volume has an evidence snapshot";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    if (auto ok = CheckRequest(request, Kind()); !ok) return tl::unexpected(ok.error());
    const std::string& id = request.target;
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"instance_id", id},          {"state", instance->state},
                        {"instance_type", instance->instance_type}, {"private_ip", instance->private_ip},
                        {"public_ip", instance->public_ip}};
    if (instance->state == "stopped" || instance->state == "stopping") {
      plan.summary = "instance " + id + " is already " + instance->state + "; nothing to do";
      return plan;
    }
    if (instance->state != "running") {
      return Fail(ErrorCode::kConflict,
                  "instance " + id + " is " + instance->state + "; only a running instance is stopped");
    }
    auto evidence = ReadEvidence(aws, *instance, request.incident_id);
    if (!evidence) return tl::unexpected(evidence.error());
    if (!evidence->missing_volumes.empty()) {
      return Fail(ErrorCode::kConflict, "stopping " + id + " loses its memory; " +
                                            MissingEvidence(id, request.incident_id, *evidence));
    }
    plan.prior_state["evidence_snapshots"] = evidence->snapshot_ids;
    plan.calls.push_back({"ec2:StopInstances", {{"InstanceIds", json::array({id})}}, id + ": running -> stopped", ""});
    plan.summary = "stop instance " + id;
    plan.notes.push_back("the instance's memory is lost: running processes, open connections, malware that lives "
                         "only in memory; data on instance-store volumes is lost too. The EBS volumes stay");
    if (instance->volume_ids.empty()) {
      plan.notes.push_back("the instance has no EBS volumes: there is no disk evidence to keep");
    } else {
      plan.notes.push_back("evidence snapshots for " + request.incident_id + ": " + Join(evidence->snapshot_ids, ", "));
    }
    if (!Captured(*instance, request.incident_id)) {
      plan.notes.push_back("its console output, user data and configuration were not captured for " +
                           request.incident_id + " (capture-instance-evidence " + id + ")");
    }
    if (!instance->public_ip.empty()) {
      plan.notes.push_back("its public IPv4 address " + instance->public_ip +
                           " is released unless it is an Elastic IP; a start gives it a new one");
    }
    plan.notes.push_back("an Auto Scaling group replaces a stopped instance as unhealthy: detach-from-auto-scaling "
                         "first");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    if (!prior.is_object()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state is not an object");
    std::string id = prior.value("instance_id", ""), state = prior.value("state", "");
    if (id.empty() || state.empty()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the instance or its state");
    }
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kConflict);
    if (!instance) return tl::unexpected(instance.error());
    auto start = StartAfterStop(state, instance->state);
    if (!start) return Fail(start.error().code, "instance " + id + ": " + start.error().message);
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    if (!*start) {
      plan.summary = "instance " + id + " is " + instance->state + " (it was " + state + "); nothing to start";
      return plan;
    }
    plan.calls.push_back({"ec2:StartInstances", {{"InstanceIds", json::array({id})}}, id + ": stopped -> running", ""});
    plan.summary = "start instance " + id + " again";
    plan.notes.push_back("the instance runs again from its disks, with whatever an attacker left there: keep it "
                         "isolated");
    return plan;
  }
};

// ------------------------------------------------------------------------ terminate-instance
class TerminateInstanceAction final : public Action {
 public:
  std::string_view Kind() const override { return "terminate-instance"; }
  std::string_view Description() const override {
    return "Terminate an EC2 instance for good (option confirm=true; needs evidence snapshots; NO rollback)";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    if (auto ok = CheckRequest(request, Kind()); !ok) return tl::unexpected(ok.error());
    const std::string& id = request.target;
    auto instances = aws::ec2::DescribeInstances(aws, {id});
    if (!instances && instances.error().code != ErrorCode::kNotFound) {
      return Fail(instances.error().code, "cannot read instance " + id + ": " + instances.error().Describe());
    }
    if (!instances || instances->empty()) return Fail(ErrorCode::kNotFound, "no instance " + id);
    const aws::ec2::Instance& instance = instances->front();
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"instance_id", id},
                        {"state", instance.state},
                        {"instance_type", instance.instance_type},
                        {"image_id", instance.image_id},
                        {"launch_time", instance.launch_time},
                        {"volumes", instance.volume_ids}};
    if (instance.state == "terminated" || instance.state == "shutting-down") {
      plan.summary = "instance " + id + " is already " + instance.state + "; nothing to do";
      return plan;
    }

    // Every reason to refuse, together.
    std::vector<std::string> refusals;
    ErrorCode code = ErrorCode::kInvalidArgument;
    auto protection = aws::ec2::DescribeInstanceAttribute(aws, id, "disableApiTermination");
    if (!protection) {
      return Fail(protection.error().code,
                  "cannot read the termination protection of " + id + ": " + protection.error().Describe());
    }
    if (*protection == "true") {
      code = ErrorCode::kConflict;
      refusals.push_back("termination protection is on for " + id + " and cloudward never turns it off: if the "
                         "instance must really go, turn it off yourself (roll back protect-instance, or "
                         "ModifyInstanceAttribute DisableApiTermination=false) and plan again");
    }
    auto evidence = ReadEvidence(aws, instance, request.incident_id);
    if (!evidence) return tl::unexpected(evidence.error());
    if (!evidence->missing_volumes.empty()) {
      code = ErrorCode::kConflict;
      refusals.push_back(MissingEvidence(id, request.incident_id, *evidence));
    }
    auto confirm = request.options.find("confirm");
    if (confirm == request.options.end() || confirm->second != "true") {
      refusals.push_back("terminating " + id + " cannot be undone: ask for it explicitly with the option "
                         "confirm=true (--option confirm=true), then apply with --apply");
    }
    if (!refusals.empty()) {
      std::string message = "terminate-instance " + id + " refused: ";
      for (size_t i = 0; i < refusals.size(); ++i) message += (i ? "; " : "") + refusals[i];
      return Fail(code, message);
    }

    plan.prior_state["evidence_snapshots"] = evidence->snapshot_ids;
    plan.calls.push_back({"ec2:TerminateInstances", {{"InstanceIds", json::array({id})}},
                          id + ": " + instance.state + " -> terminated (IRREVERSIBLE)", ""});
    plan.summary = "TERMINATE instance " + id + " - irreversible, there is NO rollback";
    plan.notes.push_back("NO ROLLBACK: a terminated instance cannot be started again; its memory, instance-store "
                         "data and addresses are gone for good");
    plan.notes.push_back("EBS volumes with DeleteOnTermination (normally the root volume) are deleted with it; " +
                         (evidence->snapshot_ids.empty() ? std::string("it has no EBS volumes")
                                                         : "the evidence snapshots " + Join(evidence->snapshot_ids, ", ") +
                                                               " stay"));
    if (!Captured(instance, request.incident_id)) {
      plan.notes.push_back("its console output, user data and configuration were not captured for " +
                           request.incident_id + " and are lost with it (capture-instance-evidence " + id + ")");
    }
    plan.notes.push_back("an Auto Scaling group launches a replacement from the same launch template, which may "
                         "carry the same weakness");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& /*aws*/, const store::ResponseAction& action,
                            const Plan& applied) const override {
    Plan nothing{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    std::string snapshots;
    const json& prior = applied.prior_state;
    if (prior.is_object() && prior.contains("evidence_snapshots") && prior["evidence_snapshots"].is_array()) {
      for (const auto& s : prior["evidence_snapshots"]) {
        if (s.is_string()) snapshots += (snapshots.empty() ? "" : ", ") + s.get<std::string>();
      }
    }
    nothing.summary = "nothing can undo a termination: instance " + action.target + " is gone" +
                      (snapshots.empty() ? std::string() : "; its evidence snapshots remain (" + snapshots + ")");
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeStopInstanceAction() { return std::make_unique<StopInstanceAction>(); }
std::unique_ptr<Action> MakeTerminateInstanceAction() { return std::make_unique<TerminateInstanceAction>(); }

}  // namespace cloudward::respond
