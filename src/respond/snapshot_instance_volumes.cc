// snapshot-instance-volumes (evidence): one EBS snapshot of every volume attached to an instance,
// tagged with the incident. Non-destructive and idempotent per incident: volumes that already have
// a snapshot tagged with this incident are skipped. Rollback undoes nothing: the snapshots are
// evidence and are kept.
#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

class SnapshotInstanceVolumesAction final : public Action {
 public:
  std::string_view Kind() const override { return "snapshot-instance-volumes"; }
  std::string_view Description() const override {
    return "Snapshot every EBS volume of an EC2 instance as evidence, tagged with the incident";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    if (!ValidInstanceId(id)) return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not an EC2 instance id (i-...)");
    if (request.incident_id.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "snapshot-instance-volumes needs an incident (its snapshots are tagged with it)");
    }
    auto instances = aws::ec2::DescribeInstances(aws, {id});
    if (!instances) return Fail(instances.error().code, "cannot read instance " + id + ": " + instances.error().Describe());
    if (instances->empty()) return Fail(ErrorCode::kNotFound, "no instance " + id);
    const auto& volumes = instances->front().volume_ids;

    json existing = json::object();
    if (!volumes.empty()) {
      auto snapshots = aws::ec2::DescribeSnapshots(
          aws, {}, {{"tag:" + std::string(kIncidentTag), {request.incident_id}}, {"volume-id", volumes}});
      if (!snapshots) return Fail(snapshots.error().code, "cannot list snapshots: " + snapshots.error().Describe());
      for (const auto& s : *snapshots) {
        if (s.state != "error") existing[s.volume_id] = s.snapshot_id;
      }
    }
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"instance_id", id}, {"volumes", volumes}, {"existing_snapshots", existing}};
    for (const auto& volume : volumes) {
      if (existing.contains(volume)) continue;
      plan.calls.push_back({"ec2:CreateSnapshot",
                            {{"VolumeId", volume},
                             {"Description", "cloudward evidence for " + request.incident_id + ": " + volume + " of " + id},
                             {"Tags", {{std::string(kIncidentTag), request.incident_id},
                                       {"cloudward:instance", id},
                                       {"cloudward:volume", volume}}}},
                            "new snapshot of " + volume + " tagged " + std::string(kIncidentTag) + "=" +
                                request.incident_id,
                            "snapshot:" + volume});
    }
    if (volumes.empty()) {
      plan.summary = "instance " + id + " has no EBS volumes; nothing to snapshot";
    } else if (plan.no_op()) {
      plan.summary = "every volume of " + id + " already has a snapshot for " + request.incident_id + "; nothing to do";
    } else {
      plan.summary = "snapshot " + std::to_string(plan.calls.size()) + " EBS volume(s) of " + id;
      plan.notes.push_back("non-destructive: the instance keeps running; snapshots of a running instance are "
                           "crash-consistent");
    }
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& /*aws*/, const store::ResponseAction& action,
                            const Plan& /*applied*/) const override {
    std::string snapshots;
    json plan = json::parse(action.plan, nullptr, false);
    if (plan.is_object()) {
      const json outputs = plan.value(json::json_pointer("/result/outputs"), json::object());
      for (const auto& value : outputs) {
        if (value.is_string()) snapshots += (snapshots.empty() ? "" : ", ") + value.get<std::string>();
      }
    }
    Plan nothing{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    nothing.summary = "nothing to undo: snapshots are evidence and are kept" +
                      (snapshots.empty() ? std::string() : " (" + snapshots + ")") +
                      "; delete them by hand when the case is closed";
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeSnapshotInstanceVolumesAction() {
  return std::make_unique<SnapshotInstanceVolumesAction>();
}

}  // namespace cloudward::respond
