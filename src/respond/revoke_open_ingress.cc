// revoke-open-ingress: closes what a security group opens to the whole internet. Every ingress
// permission that admits 0.0.0.0/0 or ::/0 loses those ranges (RevokeSecurityGroupIngress with
// exactly the world ranges; narrower ranges and referenced groups in the same permission stay).
// Option "keep" lists TCP/UDP ports that must stay public (a web server's 80,443): a permission
// covering only kept ports is left alone.
// Prior state: the world ranges removed, per permission. Rollback authorizes again those that are
// missing (authorizing cannot clobber a later change); kConflict when the group is gone.
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "aws/services_prepare.h"
#include "core/text.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

bool World(std::string_view cidr) { return cidr == "0.0.0.0/0" || cidr == "::/0"; }

std::string Ports(const aws::ec2::IpPermission& p) {
  if (p.protocol == "-1") return "all traffic";
  std::string proto = p.protocol == "6" ? "tcp" : p.protocol == "17" ? "udp" : p.protocol;
  if (p.from_port == p.to_port) return proto + "/" + std::to_string(p.from_port);
  return proto + "/" + std::to_string(p.from_port) + "-" + std::to_string(p.to_port);
}

// "80,443" -> {80, 443}; nullopt when malformed.
std::optional<std::set<int>> KeptPorts(const std::map<std::string, std::string>& options) {
  std::set<int> out;
  auto it = options.find("keep");
  if (it == options.end() || it->second.empty()) return out;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    int port = -1;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), port);
    if (ec != std::errc() || end != item.data() + item.size() || port < 0 || port > 65535) return std::nullopt;
    out.insert(port);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

// A TCP/UDP permission whose whole port range is kept stays public.
bool Kept(const aws::ec2::IpPermission& p, const std::set<int>& keep) {
  if (p.protocol == "-1" || p.from_port < 0 || p.to_port < p.from_port || p.to_port - p.from_port > 65535) return false;
  for (int port = p.from_port; port <= p.to_port; ++port)
    if (!keep.contains(port)) return false;
  return true;
}

json PermissionJson(const aws::ec2::IpPermission& p) {
  return {{"IpProtocol", p.protocol}, {"FromPort", p.from_port}, {"ToPort", p.to_port}, {"Cidrs", p.cidrs}};
}

aws::ec2::IpPermission PermissionFromJson(const json& j) {
  aws::ec2::IpPermission p;
  p.protocol = j.value("IpProtocol", "");
  p.from_port = j.value("FromPort", -1);
  p.to_port = j.value("ToPort", -1);
  if (j.contains("Cidrs") && j["Cidrs"].is_array())
    for (const auto& c : j["Cidrs"])
      if (c.is_string()) p.cidrs.push_back(c.get<std::string>());
  return p;
}

bool SameRange(const aws::ec2::IpPermission& a, const aws::ec2::IpPermission& b) {
  return a.protocol == b.protocol && (a.protocol == "-1" || (a.from_port == b.from_port && a.to_port == b.to_port));
}

Result<aws::ec2::SecurityGroupRules> ReadGroup(aws::AwsClient& aws, const std::string& id, ErrorCode gone) {
  auto groups = aws::ec2::DescribeSecurityGroupRules(aws, {{"group-id", {id}}});
  if (!groups && groups.error().code != ErrorCode::kNotFound) {
    return Fail(groups.error().code, "cannot read security group " + id + ": " + groups.error().Describe());
  }
  if (!groups || groups->empty()) {
    return Fail(gone, gone == ErrorCode::kNotFound ? "no security group " + id : "security group " + id + " no longer exists");
  }
  return groups->front();
}

ApiCall Call(const char* operation, const std::string& group, const aws::ec2::IpPermission& p, const std::string& change) {
  json params = PermissionJson(p);
  params["GroupId"] = group;
  if (p.protocol == "-1") params.erase("FromPort"), params.erase("ToPort");
  return {operation, std::move(params), change, ""};
}

class RevokeOpenIngressAction final : public Action {
 public:
  std::string_view Kind() const override { return "revoke-open-ingress"; }
  std::string_view Description() const override {
    return "Remove 0.0.0.0/0 and ::/0 from a security group's ingress rules (option keep=80,443 keeps ports public)";
  }
  std::string_view TargetName() const override { return "security group id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    if (!ValidSecurityGroupId(id)) return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not a security group id (sg-...)");
    auto keep = KeptPorts(request.options);
    if (!keep) {
      return Fail(ErrorCode::kInvalidArgument, "option keep must be a comma-separated list of ports, e.g. keep=80,443");
    }
    auto group = ReadGroup(aws, id, ErrorCode::kNotFound);
    if (!group) return tl::unexpected(group.error());
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    json removed = json::array();
    std::vector<std::string> kept;
    for (const auto& permission : group->ingress) {
      aws::ec2::IpPermission open = permission;
      open.cidrs.clear();
      for (const auto& cidr : permission.cidrs)
        if (World(cidr)) open.cidrs.push_back(cidr);
      if (open.cidrs.empty()) continue;
      if (Kept(open, *keep)) {
        kept.push_back(Ports(open));
        continue;
      }
      plan.calls.push_back(Call("ec2:RevokeSecurityGroupIngress", id, open,
                                "security group " + id + ": " + Ports(open) + " no longer open to " + Join(open.cidrs, " and ")));
      removed.push_back(PermissionJson(open));
    }
    plan.prior_state = {{"group_id", id}, {"vpc_id", group->vpc_id}, {"removed", removed}};
    if (!kept.empty()) plan.notes.push_back("kept open to the internet (option keep): " + Join(kept, ", "));
    if (plan.calls.empty()) {
      plan.summary = "security group " + id + " opens nothing else to the internet; nothing to do";
      return plan;
    }
    plan.summary = "close " + std::to_string(plan.calls.size()) + " internet-open ingress rule(s) of " + id + " (" +
                   group->group_name + ")";
    plan.notes.push_back("established connections stay up until they close (security groups track connections); "
                         "isolate-instance cuts them");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action, const Plan& applied) const override {
    const std::string id = applied.prior_state.value("group_id", "");
    if (id.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the group id");
    auto group = ReadGroup(aws, id, ErrorCode::kConflict);
    if (!group) return tl::unexpected(group.error());
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = applied.prior_state;
    const json removed = applied.prior_state.value("removed", json::array());
    for (const auto& entry : removed) {
      aws::ec2::IpPermission wanted = PermissionFromJson(entry);
      aws::ec2::IpPermission missing = wanted;
      missing.cidrs.clear();
      for (const auto& cidr : wanted.cidrs) {
        bool present = std::any_of(group->ingress.begin(), group->ingress.end(), [&](const aws::ec2::IpPermission& p) {
          return SameRange(p, wanted) && std::find(p.cidrs.begin(), p.cidrs.end(), cidr) != p.cidrs.end();
        });
        if (!present) missing.cidrs.push_back(cidr);
      }
      if (missing.cidrs.empty()) continue;
      plan.calls.push_back(Call("ec2:AuthorizeSecurityGroupIngress", id, missing,
                                "security group " + id + ": " + Ports(missing) + " open to " + Join(missing.cidrs, " and ") +
                                    " again"));
    }
    plan.summary = plan.calls.empty() ? "security group " + id + " already has every rule it had"
                                      : "reopen " + std::to_string(plan.calls.size()) + " ingress rule(s) of " + id;
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRevokeOpenIngressAction() { return std::make_unique<RevokeOpenIngressAction>(); }

}  // namespace cloudward::respond
