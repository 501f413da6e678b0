// isolate-instance: puts every network interface of an instance into a quarantine security group
// with no rules (created once per VPC, found again by name), so no new connection can start or
// end at it. Prior state: each interface's groups; rollback puts them back unless changed since.
// The quarantine group is kept on rollback (other instances may be in it).
#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "(none)" : out;
}

Result<std::vector<InterfaceGroups>> ReadInterfaces(aws::AwsClient& aws, const std::vector<std::string>& ids) {
  std::vector<InterfaceGroups> out;
  if (ids.empty()) return out;
  auto enis = aws::ec2::DescribeNetworkInterfaces(aws, ids);
  if (!enis) {
    if (enis.error().code == ErrorCode::kNotFound) {
      // One of them is gone; read them one by one to say which.
      for (const auto& id : ids) {
        auto one = aws::ec2::DescribeNetworkInterfaces(aws, {id});
        if (!one && one.error().code != ErrorCode::kNotFound) return Fail(one.error().code, one.error().Describe());
        if (one) {
          for (const auto& eni : *one) out.push_back({eni.network_interface_id, eni.group_ids});
        }
      }
      return out;
    }
    return Fail(enis.error().code, "cannot read network interfaces: " + enis.error().Describe());
  }
  for (const auto& eni : *enis) out.push_back({eni.network_interface_id, eni.group_ids});
  return out;
}

class IsolateInstanceAction final : public Action {
 public:
  std::string_view Kind() const override { return "isolate-instance"; }
  std::string_view Description() const override {
    return "Replace the security groups of every network interface of an EC2 instance by a rule-less quarantine group";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    if (!ValidInstanceId(id)) return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not an EC2 instance id (i-...)");
    auto instances = aws::ec2::DescribeInstances(aws, {id});
    if (!instances) return Fail(instances.error().code, "cannot read instance " + id + ": " + instances.error().Describe());
    if (instances->empty()) return Fail(ErrorCode::kNotFound, "no instance " + id);
    const aws::ec2::Instance& instance = instances->front();
    if (instance.state == "terminated") return Fail(ErrorCode::kInvalidArgument, "instance " + id + " is terminated");
    if (instance.vpc_id.empty()) return Fail(ErrorCode::kUnsupported, "instance " + id + " is not in a VPC");
    auto enis = ReadInterfaces(aws, instance.network_interface_ids);
    if (!enis) return tl::unexpected(enis.error());
    if (enis->empty()) return Fail(ErrorCode::kNotFound, "instance " + id + " has no network interfaces");

    auto groups = aws::ec2::DescribeSecurityGroups(
        aws, {}, {{"vpc-id", {instance.vpc_id}}, {"group-name", {std::string(kQuarantineGroupName)}}});
    if (!groups) return Fail(groups.error().code, "cannot look up the quarantine group: " + groups.error().Describe());

    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    json interfaces = json::array();
    for (const auto& eni : *enis) interfaces.push_back({{"id", eni.id}, {"groups", eni.groups}});
    std::string quarantine = groups->empty() ? "" : groups->front().group_id;
    plan.prior_state = {{"instance_id", id}, {"vpc_id", instance.vpc_id}, {"network_interfaces", interfaces},
                        {"quarantine_group", quarantine}};

    std::string group_ref = quarantine;
    if (quarantine.empty()) {
      group_ref = "$quarantine_group";
      std::string name(kQuarantineGroupName);
      plan.calls.push_back({"ec2:CreateSecurityGroup",
                            {{"VpcId", instance.vpc_id}, {"GroupName", name},
                             {"Description", "cloudward quarantine: no inbound or outbound traffic"}},
                            "create security group " + name + " in " + instance.vpc_id, "quarantine_group"});
      // AWS gives a new group an allow-all egress rule, and a second one for ::/0 when the VPC
      // has IPv6; both must go, or the instance could still reach out.
      auto ipv6 = aws::ec2::VpcIpv6Cidrs(aws, instance.vpc_id);
      if (!ipv6) return Fail(ipv6.error().code, "cannot read VPC " + instance.vpc_id + ": " + ipv6.error().Describe());
      json egress = ipv6->empty() ? json{"0.0.0.0/0"} : json{"0.0.0.0/0", "::/0"};
      plan.calls.push_back({"ec2:RevokeSecurityGroupEgress",
                            {{"GroupId", group_ref}, {"IpProtocol", "-1"}, {"Cidrs", egress}},
                            std::string("remove the default allow-all egress rule") +
                                (ipv6->empty() ? "" : "s (IPv4 and IPv6)") + " of the new group",
                            ""});
      plan.calls.push_back({"ec2:CreateTags",
                            {{"Resources", {group_ref}},
                             {"Tags", {{"cloudward:purpose", "quarantine"}, {"Name", name}}}},
                            "tag the new group cloudward:purpose=quarantine", ""});
    } else {
      const auto& g = groups->front();
      if (g.ingress_rules != 0 || g.egress_rules != 0) {
        return Fail(ErrorCode::kConflict, "quarantine group " + g.group_id + " in " + instance.vpc_id + " has " +
                                              std::to_string(g.ingress_rules) + " inbound and " +
                                              std::to_string(g.egress_rules) +
                                              " outbound rules; remove them (a quarantine group must have none)");
      }
    }
    for (const auto& eni : InterfacesToIsolate(*enis, quarantine)) {
      plan.calls.push_back({"ec2:ModifyNetworkInterfaceAttribute",
                            {{"NetworkInterfaceId", eni.id}, {"Groups", {group_ref}}},
                            eni.id + ": groups " + Join(eni.groups) + " -> " +
                                (quarantine.empty() ? std::string(kQuarantineGroupName) + " (new)" : quarantine),
                            ""});
    }
    if (plan.no_op()) {
      plan.summary = "every network interface of " + id + " is already only in " + quarantine + "; nothing to do";
      return plan;
    }
    plan.summary = "isolate " + id + " (" + std::to_string(enis->size()) + " network interface(s)) in " +
                   instance.vpc_id;
    plan.notes.push_back("connections already tracked by the security group may continue until they go idle; "
                         "new connections in either direction are refused");
    plan.notes.push_back("the instance keeps running (memory and disks are preserved for forensics)");
    for (const auto& [k, v] : instance.tags) {
      if (k == "aws:autoscaling:groupName") {
        plan.notes.push_back("the instance belongs to Auto Scaling group " + v +
                             ", which may replace it when health checks fail; detach it first (detach-from-auto-scaling) or "
                             "suspend the group's processes");
      }
    }
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::vector<InterfaceGroups> before;
    try {
      for (const auto& eni : prior.at("network_interfaces")) {
        before.push_back({eni.at("id").get<std::string>(), eni.at("groups").get<std::vector<std::string>>()});
      }
    } catch (const json::exception& e) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state is malformed: " + e.what());
    }
    std::string quarantine = prior.value("quarantine_group", "");
    json result = json::parse(action.plan, nullptr, false);
    if (quarantine.empty() && result.is_object()) {
      quarantine = result.value(json::json_pointer("/result/outputs/quarantine_group"), "");
    }
    std::vector<std::string> ids;
    for (const auto& eni : before) ids.push_back(eni.id);
    auto now = ReadInterfaces(aws, ids);
    if (!now) return tl::unexpected(now.error());
    auto restore = InterfacesToRestore(before, *now, quarantine);
    if (!restore) return Fail(restore.error().code, "instance " + action.target + ": " + restore.error().message);

    Plan plan{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    plan.prior_state = prior;
    for (const auto& eni : *restore) {
      plan.calls.push_back({"ec2:ModifyNetworkInterfaceAttribute", {{"NetworkInterfaceId", eni.id}, {"Groups", eni.groups}},
                            eni.id + ": groups " + quarantine + " -> " + Join(eni.groups), ""});
    }
    plan.summary = plan.no_op() ? "every network interface of " + action.target + " is already in its prior groups"
                                : "restore the security groups of " + action.target;
    if (!quarantine.empty()) {
      plan.notes.push_back("the quarantine group " + quarantine + " is kept; delete it when no instance uses it");
    }
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeIsolateInstanceAction() { return std::make_unique<IsolateInstanceAction>(); }

}  // namespace cloudward::respond
