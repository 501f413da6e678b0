// block-ip: denies all traffic to and from an address (or CIDR) at the subnet boundary, with a
// deny entry in each direction of every network ACL that is associated with subnets (optionally
// only in some VPCs), numbered below every allow entry so that it takes effect. Network ACLs are
// stateless, so established connections are cut too. Prior state: the ACLs and their
// associations; rollback deletes exactly the entries apply added, unless they changed since.
#include <set>

#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

const char* Direction(bool egress) { return egress ? "outbound" : "inbound"; }

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::vector<aws::ec2::NetworkAcl>> ReadAcls(aws::AwsClient& aws, const std::vector<std::string>& ids,
                                                   const std::vector<std::string>& vpcs) {
  std::vector<aws::ec2::Filter> filters;
  if (!vpcs.empty()) filters.push_back({"vpc-id", vpcs});
  auto acls = aws::ec2::DescribeNetworkAcls(aws, ids, filters);
  if (!acls) return Fail(acls.error().code, "cannot read network ACLs: " + acls.error().Describe());
  return std::move(*acls);
}

class BlockIpAction final : public Action {
 public:
  std::string_view Kind() const override { return "block-ip"; }
  std::string_view Description() const override {
    return "Deny all traffic to and from an address in every network ACL in use (option vpc: only these VPCs)";
  }
  std::string_view TargetName() const override { return "IPv4/IPv6 address or CIDR"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    auto cidr = NormalizeCidr(request.target);
    if (!cidr) return tl::unexpected(cidr.error());
    std::vector<std::string> vpcs;
    if (auto it = request.options.find("vpc"); it != request.options.end()) vpcs = SplitList(it->second);
    auto acls = ReadAcls(aws, {}, vpcs);
    if (!acls) return tl::unexpected(acls.error());

    Plan plan{.kind = std::string(Kind()), .target = *cidr, .incident_id = request.incident_id};
    json acl_state = json::array();
    std::vector<std::string> unused, blocked_already, cannot;
    std::set<std::string> subnets;
    for (const auto& acl : *acls) {
      if (acl.subnet_ids.empty()) {
        unused.push_back(acl.network_acl_id);
        continue;
      }
      acl_state.push_back({{"network_acl_id", acl.network_acl_id}, {"vpc_id", acl.vpc_id},
                           {"subnet_ids", acl.subnet_ids}});
      subnets.insert(acl.subnet_ids.begin(), acl.subnet_ids.end());
      for (bool egress : {false, true}) {
        std::string where = acl.network_acl_id + " " + Direction(egress);
        if (auto n = EffectiveDeny(acl.entries, egress, *cidr)) {
          blocked_already.push_back(where + " (rule " + std::to_string(*n) + ")");
          continue;
        }
        auto number = FreeRuleNumber(acl.entries, egress);
        auto allow = FirstAllow(acl.entries, egress);
        if (!number || (allow && *number > *allow)) {
          cannot.push_back(where + ": no free rule number below the allow rule " + std::to_string(allow.value_or(0)));
          continue;
        }
        plan.calls.push_back({"ec2:CreateNetworkAclEntry",
                              {{"NetworkAclId", acl.network_acl_id},
                               {"RuleNumber", *number},
                               {"Egress", egress},
                               {"RuleAction", "deny"},
                               {"Protocol", "-1"},
                               {"Cidr", *cidr}},
                              where + ": rule " + std::to_string(*number) + " deny all " +
                                  (egress ? "to " : "from ") + *cidr,
                              ""});
      }
    }
    plan.prior_state = {{"cidr", *cidr}, {"vpcs", vpcs}, {"network_acls", acl_state}};
    if (acl_state.empty()) {
      return Fail(ErrorCode::kNotFound, "no network ACL in use" + (vpcs.empty() ? std::string() : " in the VPCs given") +
                                            " (an ACL without subnets filters nothing)");
    }
    if (plan.calls.empty() && cannot.empty()) {
      plan.summary = *cidr + " is already denied in every network ACL in use; nothing to do";
      return plan;
    }
    plan.summary = "deny all traffic to and from " + *cidr + " in " + std::to_string(acl_state.size()) +
                   " network ACLs (" + std::to_string(subnets.size()) + " subnets)";
    plan.notes.push_back("network ACLs are stateless: established connections with " + *cidr + " are cut too");
    plan.notes.push_back("traffic between instances of the same subnet does not cross an ACL and is not blocked");
    for (const auto& c : cannot) plan.notes.push_back("NOT blocked in " + c + "; renumber that ACL's rules");
    for (const auto& b : blocked_already) plan.notes.push_back("already denied in " + b);
    if (!unused.empty()) {
      std::string list;
      for (const auto& u : unused) list += (list.empty() ? "" : ", ") + u;
      plan.notes.push_back("ACLs without subnets left alone: " + list);
    }
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    std::string cidr = applied.prior_state.value("cidr", "");
    Plan plan{.kind = action.kind, .target = cidr, .incident_id = action.incident_id};
    plan.prior_state = applied.prior_state;
    std::vector<std::string> ids;
    for (const auto& call : applied.calls) ids.push_back(call.parameters.value("NetworkAclId", ""));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<aws::ec2::NetworkAcl> acls;
    for (const auto& id : ids) {  // one by one: an ACL deleted since is not an error
      auto one = ReadAcls(aws, {id}, {});
      if (!one && one.error().code != ErrorCode::kNotFound) return tl::unexpected(one.error());
      if (one) acls.insert(acls.end(), one->begin(), one->end());
    }
    std::vector<std::string> problems;
    for (const auto& call : applied.calls) {
      const json& p = call.parameters;
      std::string id = p.value("NetworkAclId", "");
      int number = p.value("RuleNumber", 0);
      bool egress = p.value("Egress", false);
      auto acl = std::find_if(acls.begin(), acls.end(), [&](const auto& a) { return a.network_acl_id == id; });
      if (acl == acls.end()) continue;  // the ACL is gone, and the entry with it
      auto entry = std::find_if(acl->entries.begin(), acl->entries.end(),
                                [&](const auto& e) { return e.rule_number == number && e.egress == egress; });
      if (entry == acl->entries.end()) continue;  // removed already
      if (entry->rule_action != "deny" || entry->cidr != cidr) {
        problems.push_back(id + " " + Direction(egress) + " rule " + std::to_string(number) + " is now " +
                           entry->rule_action + " " + entry->cidr);
        continue;
      }
      plan.calls.push_back({"ec2:DeleteNetworkAclEntry", {{"NetworkAclId", id}, {"RuleNumber", number}, {"Egress", egress}},
                            id + " " + Direction(egress) + ": rule " + std::to_string(number) + " (deny " + cidr +
                                ") removed",
                            ""});
    }
    if (!problems.empty()) {
      std::string message = "changed since the block, removing would delete someone else's rule: ";
      for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
      return Fail(ErrorCode::kConflict, message);
    }
    plan.summary = plan.calls.empty() ? "the deny entries for " + cidr + " are already gone"
                                      : "remove the deny entries for " + cidr + " that block-ip added";
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeBlockIpAction() { return std::make_unique<BlockIpAction>(); }

}  // namespace cloudward::respond
