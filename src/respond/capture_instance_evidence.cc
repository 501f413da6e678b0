// capture-instance-evidence (evidence): what an EC2 instance looks like and what it printed, kept
// with the incident before anyone stops, isolates or rebuilds it.
//   - read while planning and recorded as the action's prior state (stored before any call): the
//     instance (state, type, image, launch time, addresses, metadata options, volumes, tags), its
//     disableApiTermination and instanceInitiatedShutdownBehavior, its IAM instance profile
//     association, its network interfaces and the rules of their security groups;
//   - read by the plan's calls, their output kept with the action and in its journal entry (with
//     the request ids): the serial console output (GetConsoleOutput, Latest=true where AWS supports
//     it) and the user data, each decoded from base64, the last 64 KiB kept with the size and
//     SHA-256 of the whole;
//   - then the tag cloudward:evidence=<incident> on the instance marks the capture: a second apply
//     for the same incident is a no-op (option recapture=true captures again).
// Rollback undoes nothing: the evidence is kept; the tag stays.
#include <set>

#include "aws/services.h"
#include "aws/services_instance.h"
#include "aws/services_prepare.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

json TagObject(const aws::Tags& tags) {
  json out = json::object();
  for (const auto& [k, v] : tags) out[k] = v;
  return out;
}

json Permissions(const std::vector<aws::ec2::IpPermission>& permissions) {
  json out = json::array();
  for (const auto& p : permissions) {
    out.push_back({{"protocol", p.protocol}, {"from_port", p.from_port}, {"to_port", p.to_port},
                   {"cidrs", p.cidrs}, {"groups", p.group_ids}});
  }
  return out;
}

// The instance's configuration as recorded evidence. Reads only.
Result<json> ReadConfiguration(aws::AwsClient& aws, const aws::ec2::Instance& instance) {
  const std::string& id = instance.instance_id;
  json attributes = json::object();
  for (const char* attribute : {"disableApiTermination", "instanceInitiatedShutdownBehavior"}) {
    auto v = aws::ec2::DescribeInstanceAttribute(aws, id, attribute);
    if (!v) {
      return Fail(v.error().code, "cannot read " + std::string(attribute) + " of " + id + ": " + v.error().Describe());
    }
    attributes[attribute] = *v;
  }

  auto associations = aws::ec2::DescribeIamInstanceProfileAssociations(aws, {{"instance-id", {id}}});
  if (!associations) {
    return Fail(associations.error().code,
                "cannot read the instance profile of " + id + ": " + associations.error().Describe());
  }
  json profile = json::array();
  for (const auto& a : *associations) {
    profile.push_back({{"association_id", a.association_id}, {"arn", a.instance_profile_arn}, {"state", a.state}});
  }

  json interfaces = json::array();
  std::set<std::string> group_ids(instance.security_group_ids.begin(), instance.security_group_ids.end());
  if (!instance.network_interface_ids.empty()) {
    auto enis = aws::ec2::DescribeNetworkInterfaces(aws, instance.network_interface_ids);
    if (!enis) return Fail(enis.error().code, "cannot read the interfaces of " + id + ": " + enis.error().Describe());
    for (const auto& eni : *enis) {
      interfaces.push_back({{"id", eni.network_interface_id}, {"vpc_id", eni.vpc_id}, {"groups", eni.group_ids}});
      group_ids.insert(eni.group_ids.begin(), eni.group_ids.end());
    }
  }
  json groups = json::array();
  if (!group_ids.empty()) {
    auto rules = aws::ec2::DescribeSecurityGroupRules(aws, {{"group-id", {group_ids.begin(), group_ids.end()}}});
    if (!rules) {
      return Fail(rules.error().code, "cannot read the security groups of " + id + ": " + rules.error().Describe());
    }
    for (const auto& g : *rules) {
      groups.push_back({{"id", g.group_id}, {"name", g.group_name}, {"vpc_id", g.vpc_id},
                        {"description", g.description}, {"ingress", Permissions(g.ingress)},
                        {"egress", Permissions(g.egress)}, {"tags", TagObject(g.tags)}});
    }
  }

  return json{{"instance_id", id},
              {"state", instance.state},
              {"instance_type", instance.instance_type},
              {"image_id", instance.image_id},
              {"launch_time", instance.launch_time},
              {"vpc_id", instance.vpc_id},
              {"subnet_id", instance.subnet_id},
              {"private_ip", instance.private_ip},
              {"public_ip", instance.public_ip},
              {"metadata_options", {{"http_tokens", instance.http_tokens}, {"http_endpoint", instance.http_endpoint}}},
              {"attributes", attributes},
              {"instance_profile_associations", profile},
              {"network_interfaces", interfaces},
              {"security_groups", groups},
              {"volumes", instance.volume_ids},
              {"tags", TagObject(instance.tags)}};
}

class CaptureInstanceEvidenceAction final : public Action {
 public:
  std::string_view Kind() const override { return "capture-instance-evidence"; }
  std::string_view Description() const override {
    return "Keep an EC2 instance's console output, user data, instance profile, interfaces, security groups and "
           "tags as evidence with the incident";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    if (!ValidInstanceId(id)) return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not an EC2 instance id (i-...)");
    if (request.incident_id.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "capture-instance-evidence needs an incident (the evidence is kept with it)");
    }
    bool recapture = false;
    if (auto it = request.options.find("recapture"); it != request.options.end()) {
      if (it->second != "true" && it->second != "false") {
        return Fail(ErrorCode::kInvalidArgument, "option recapture must be true or false, not '" + it->second + "'");
      }
      recapture = it->second == "true";
    }
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    auto configuration = ReadConfiguration(aws, *instance);
    if (!configuration) return tl::unexpected(configuration.error());

    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = std::move(*configuration);
    bool captured = false;
    for (const auto& [k, v] : instance->tags) captured |= k == kEvidenceTag && v == request.incident_id;
    if (captured && !recapture) {
      plan.summary = "evidence of instance " + id + " was already captured for " + request.incident_id +
                     " (tag " + std::string(kEvidenceTag) + "); nothing to do (option recapture=true captures it again)";
      return plan;
    }
    plan.calls.push_back({"ec2:GetConsoleOutput", {{"InstanceId", id}, {"Latest", true}},
                          "read (evidence): the serial console output of " + id +
                              ", decoded; the last 64 KiB kept with the SHA-256 of all of it",
                          ""});
    plan.calls.push_back({"ec2:DescribeInstanceAttribute", {{"InstanceId", id}, {"Attribute", "userData"}},
                          "read (evidence): the user data of " + id + ", decoded, with its SHA-256", ""});
    plan.calls.push_back({"ec2:CreateTags",
                          {{"Resources", json::array({id})}, {"Tags", {{std::string(kEvidenceTag), request.incident_id}}}},
                          id + ": tag " + std::string(kEvidenceTag) + "=" + request.incident_id + " (marks the capture)",
                          ""});
    plan.summary = "capture the console output, user data and configuration of instance " + id + " as evidence";
    plan.notes.push_back("reads only, but for the tag that marks the capture; the configuration (attributes, instance "
                         "profile, interfaces, security groups and their rules, tags) is the prior state recorded "
                         "with the action, the console output and user data are the output of its first two calls");
    plan.notes.push_back("the console output is what the instance wrote to its serial console (boot messages, kernel "
                         "and cloud-init logs), as AWS last saved it; stopping the instance loses its memory, so take "
                         "this and snapshot-instance-volumes before stop-instance");
    plan.notes.push_back("user data can contain secrets (keys, passwords in bootstrap scripts): the incident's "
                         "actions and journal then contain them too");
    plan.notes.push_back("the tag is visible from inside the instance when instance metadata tags are enabled");
    if (captured) plan.notes.push_back("captured again (recapture=true): the earlier capture stays recorded");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& /*aws*/, const store::ResponseAction& action,
                            const Plan& /*applied*/) const override {
    Plan nothing{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    nothing.summary = "nothing to undo: the evidence stays recorded with action " + action.id + " and the tag " +
                      std::string(kEvidenceTag) + " stays on the instance";
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeCaptureInstanceEvidenceAction() { return std::make_unique<CaptureInstanceEvidenceAction>(); }

}  // namespace cloudward::respond
