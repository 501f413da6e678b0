// detach-from-auto-scaling (EC2 containment): takes a suspect instance out of its Auto Scaling
// group and out of every load balancer target group it is registered in, so the group neither
// replaces nor terminates it while it is examined and it gets no more traffic:
//   - elbv2 DeregisterTargets for each target group that has the instance (any port), first;
//   - autoscaling DetachInstances with ShouldDecrementDesiredCapacity=true (no replacement is
//     launched; the group runs one instance fewer).
// Prior state: the group and the instance's lifecycle state, and each target group with its port.
// Rollback: AttachInstances back into the group (desired capacity +1 again) and RegisterTargets with
// the recorded ports; refused (kConflict) when the instance is gone or now in another group.
#include <algorithm>
#include <optional>

#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

Result<std::optional<aws::autoscaling::InstanceGroup>> ReadGroup(aws::AwsClient& aws, const std::string& id) {
  auto group = aws::autoscaling::DescribeAutoScalingInstance(aws, id);
  if (!group) return Fail(group.error().code, "cannot read the Auto Scaling group of " + id + ": " + group.error().Describe());
  return *group;
}

struct Registration {
  std::string target_group_arn;
  int port = 0;
};

// Every (target group, port) the instance is registered in.
Result<std::vector<Registration>> ReadRegistrations(aws::AwsClient& aws, const std::string& id) {
  auto groups = aws::elbv2::DescribeTargetGroups(aws);
  if (!groups) return Fail(groups.error().code, "cannot list target groups: " + groups.error().Describe());
  std::vector<Registration> out;
  for (const auto& group : *groups) {
    if (!group.target_type.empty() && group.target_type != "instance") continue;
    auto targets = aws::elbv2::DescribeTargetHealth(aws, group.arn);
    if (!targets) {
      return Fail(targets.error().code, "cannot read the targets of " + group.arn + ": " + targets.error().Describe());
    }
    for (const auto& t : *targets) {
      // "draining": deregistered, finishing its connections; "unused": not registered.
      if (t.id == id && t.state != "unused" && t.state != "draining") out.push_back({group.arn, t.port});
    }
  }
  return out;
}

ApiCall Targets(const char* operation, const std::string& arn, const std::string& id, int port, std::string change) {
  return {operation, {{"TargetGroupArn", arn}, {"Id", id}, {"Port", port}}, std::move(change), ""};
}

class DetachFromAutoScalingAction final : public Action {
 public:
  std::string_view Kind() const override { return "detach-from-auto-scaling"; }
  std::string_view Description() const override {
    return "Detach an EC2 instance from its Auto Scaling group (no replacement) and deregister it from its target groups";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    auto group = ReadGroup(aws, id);
    if (!group) return tl::unexpected(group.error());
    auto registrations = ReadRegistrations(aws, id);
    if (!registrations) return tl::unexpected(registrations.error());

    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    json target_groups = json::array();
    for (const auto& r : *registrations) {
      target_groups.push_back({{"arn", r.target_group_arn}, {"port", r.port}});
      plan.calls.push_back(Targets("elbv2:DeregisterTargets", r.target_group_arn, id, r.port,
                                   id + ":" + std::to_string(r.port) + " deregistered from " + r.target_group_arn));
    }
    plan.prior_state = {{"instance_id", id},
                        {"auto_scaling_group", *group ? (*group)->group_name : ""},
                        {"lifecycle_state", *group ? (*group)->lifecycle_state : ""},
                        {"target_groups", target_groups}};
    if (*group) {
      plan.calls.push_back({"autoscaling:DetachInstances",
                            {{"AutoScalingGroupName", (*group)->group_name},
                             {"InstanceIds", json::array({id})},
                             {"ShouldDecrementDesiredCapacity", true}},
                            id + " detached from Auto Scaling group " + (*group)->group_name + " (" +
                                (*group)->lifecycle_state + "), desired capacity -1",
                            ""});
      plan.notes.push_back("ShouldDecrementDesiredCapacity=true: the group does not launch a replacement, so it runs "
                           "one instance fewer while " + id + " is examined (DetachInstances fails if that would "
                           "go below the group's minimum size: lower MinSize first)");
    }
    if (plan.no_op()) {
      plan.summary = "instance " + id + " is in no Auto Scaling group and no target group; nothing to do";
      return plan;
    }
    plan.summary = "take instance " + id + " out of its Auto Scaling group and load balancers";
    if (!registrations->empty()) {
      plan.notes.push_back("load balancers stop sending new requests to " + id +
                           " after the target groups' deregistration delay (connection draining)");
    }
    plan.notes.push_back("the instance keeps running; nothing in the group terminates it any more (scale-in, health "
                         "checks, instance refresh)");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string id = prior.value("instance_id", ""), group_name = prior.value("auto_scaling_group", "");
    if (id.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the instance");
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kConflict);
    if (!instance) return tl::unexpected(instance.error());
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    bool detached = false;
    for (const auto& call : applied.calls) detached |= call.operation == "autoscaling:DetachInstances";
    if (detached && !group_name.empty()) {
      auto group = ReadGroup(aws, id);
      if (!group) return tl::unexpected(group.error());
      if (*group && (*group)->group_name != group_name) {
        return Fail(ErrorCode::kConflict, "instance " + id + " is now in Auto Scaling group " + (*group)->group_name +
                                              ", not " + group_name + "; attaching it back would clobber that");
      }
      if (!*group) {
        if (instance->state != "running") {
          return Fail(ErrorCode::kConflict, "instance " + id + " is " + instance->state +
                                                "; Auto Scaling attaches only running instances");
        }
        plan.calls.push_back({"autoscaling:AttachInstances",
                              {{"AutoScalingGroupName", group_name}, {"InstanceIds", json::array({id})}},
                              id + " attached to Auto Scaling group " + group_name + " again, desired capacity +1", ""});
      }
    }
    auto registrations = ReadRegistrations(aws, id);
    if (!registrations) return tl::unexpected(registrations.error());
    for (const auto& call : applied.calls) {
      if (call.operation != "elbv2:DeregisterTargets") continue;
      std::string arn = call.parameters.value("TargetGroupArn", "");
      int port = call.parameters.value("Port", 0);
      bool there = std::any_of(registrations->begin(), registrations->end(),
                               [&](const Registration& r) { return r.target_group_arn == arn && r.port == port; });
      if (there) continue;
      plan.calls.push_back(Targets("elbv2:RegisterTargets", arn, id, port,
                                   id + ":" + std::to_string(port) + " registered in " + arn + " again"));
    }
    plan.summary = plan.no_op() ? "instance " + id + " is already back in its Auto Scaling group and target groups"
                                : "put instance " + id + " back into its Auto Scaling group and target groups";
    if (!plan.no_op()) {
      plan.notes.push_back("the instance serves traffic again once healthy; the group may scale it in or replace it");
    }
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeDetachFromAutoScalingAction() { return std::make_unique<DetachFromAutoScalingAction>(); }

}  // namespace cloudward::respond
