// replace-instance-profile (EC2 containment): takes the IAM instance profile, and with it the role
// credentials the metadata service hands out, away from a suspect instance:
//   - without options: DisassociateIamInstanceProfile (the instance gets no credentials at all);
//   - with option quarantine_profile=NAME|ARN: ReplaceIamInstanceProfileAssociation with that
//     profile (a role that may do next to nothing, e.g. only write logs), for software that must
//     keep some credentials.
// Prior state: the association and its profile's ARN and roles. The plan names the other instances
// that use the same profile: they keep it, but they share the role's sessions.
// Rollback: AssociateIamInstanceProfile with the prior profile (or ReplaceIamInstanceProfileAssociation
// from the quarantine profile back to it); refused (kConflict) when the instance is gone, has another
// profile now, or the prior profile no longer exists.
#include <algorithm>

#include "aws/services.h"
#include "aws/services_instance.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

bool Active(const aws::ec2::InstanceProfileAssociation& a) {
  return a.state == "associated" || a.state == "associating";
}

// The instance's current association (none when it has no profile).
Result<std::optional<aws::ec2::InstanceProfileAssociation>> CurrentAssociation(aws::AwsClient& aws,
                                                                               const std::string& id) {
  auto associations = aws::ec2::DescribeIamInstanceProfileAssociations(aws, {{"instance-id", {id}}});
  if (!associations) {
    return Fail(associations.error().code,
                "cannot read the instance profile of " + id + ": " + associations.error().Describe());
  }
  for (const auto& a : *associations) {
    if (a.instance_id == id && Active(a)) return std::optional(a);
  }
  return std::optional<aws::ec2::InstanceProfileAssociation>();
}

// The profile named by a name or ARN; kNotFound when it does not exist.
Result<aws::iam::InstanceProfileRoles> ReadProfile(aws::AwsClient& aws, const std::string& name_or_arn) {
  std::string name = InstanceProfileName(name_or_arn);
  if (name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "'" + name_or_arn + "' is not an instance profile name or ARN");
  }
  auto profile = aws::iam::GetInstanceProfile(aws, name);
  if (!profile && profile.error().code == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kNotFound, "no instance profile " + name);
  }
  if (!profile) {
    return Fail(profile.error().code, "cannot read instance profile " + name + ": " + profile.error().Describe());
  }
  return *profile;
}

std::string List(const std::vector<std::string>& items, size_t at_most) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < at_most; ++i) out += (out.empty() ? "" : ", ") + items[i];
  if (items.size() > at_most) out += " and " + std::to_string(items.size() - at_most) + " more";
  return out;
}

// "i-1 (running), i-2 (stopped)": the other instances associated with `profile_arn`.
Result<std::vector<std::string>> OtherInstancesWith(aws::AwsClient& aws, const std::string& profile_arn,
                                                    const std::string& id) {
  auto all = aws::ec2::DescribeIamInstanceProfileAssociations(aws);
  if (!all) return Fail(all.error().code, "cannot list instance profile associations: " + all.error().Describe());
  std::vector<std::string> ids;
  for (const auto& a : *all) {
    if (a.instance_profile_arn == profile_arn && a.instance_id != id && Active(a)) ids.push_back(a.instance_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return ids;
  auto instances = aws::ec2::DescribeInstances(aws, ids);
  if (!instances) {
    return Fail(instances.error().code, "cannot read instances " + List(ids, 5) + ": " + instances.error().Describe());
  }
  std::vector<std::string> out;
  for (const auto& i : *instances) {
    if (i.state != "terminated") out.push_back(i.instance_id + " (" + i.state + ")");
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    // running ones first: they hold live credentials
    bool ra = a.ends_with("(running)"), rb = b.ends_with("(running)");
    return ra != rb ? ra : a < b;
  });
  return out;
}

class ReplaceInstanceProfileAction final : public Action {
 public:
  std::string_view Kind() const override { return "replace-instance-profile"; }
  std::string_view Description() const override {
    return "Take the IAM instance profile (role credentials) away from an EC2 instance, or replace it with a "
           "quarantine profile (option quarantine_profile=NAME)";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    std::optional<aws::iam::InstanceProfileRoles> quarantine;
    if (auto it = request.options.find("quarantine_profile"); it != request.options.end() && !it->second.empty()) {
      auto q = ReadProfile(aws, it->second);
      if (!q && q.error().code == ErrorCode::kNotFound) {
        return Fail(ErrorCode::kInvalidArgument, q.error().message + " (option quarantine_profile)");
      }
      if (!q) return tl::unexpected(q.error());
      quarantine = std::move(*q);
    }
    auto current = CurrentAssociation(aws, id);
    if (!current) return tl::unexpected(current.error());

    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"instance_id", id},
                        {"association_id", *current ? (*current)->association_id : ""},
                        {"instance_profile_arn", *current ? (*current)->instance_profile_arn : ""},
                        {"role_names", json::array()},
                        {"quarantine_profile_arn", quarantine ? quarantine->arn : ""}};
    if (!*current) {
      plan.summary = "instance " + id + " has no instance profile; nothing to do";
      return plan;
    }
    const auto& association = **current;
    if (quarantine && association.instance_profile_arn == quarantine->arn) {
      plan.summary = "instance " + id + " already has the quarantine profile " + quarantine->name + "; nothing to do";
      return plan;
    }
    std::string profile_name = InstanceProfileName(association.instance_profile_arn);
    std::vector<std::string> roles;
    if (auto profile = ReadProfile(aws, association.instance_profile_arn)) {
      roles = profile->role_names;
    } else if (profile.error().code != ErrorCode::kNotFound) {
      return tl::unexpected(profile.error());
    }
    plan.prior_state["role_names"] = roles;
    auto others = OtherInstancesWith(aws, association.instance_profile_arn, id);
    if (!others) return tl::unexpected(others.error());

    if (quarantine) {
      plan.calls.push_back({"ec2:ReplaceIamInstanceProfileAssociation",
                            {{"AssociationId", association.association_id},
                             {"IamInstanceProfileArn", quarantine->arn}},
                            id + ": instance profile " + association.instance_profile_arn + " -> " + quarantine->arn,
                            "association"});
      plan.summary = "replace the instance profile of " + id + " (" + profile_name + ") with the quarantine profile " +
                     quarantine->name;
      plan.notes.push_back("the instance gets the credentials of the quarantine profile's role" +
                           (quarantine->role_names.empty() ? std::string(" (it has none: no credentials)")
                                                           : " " + List(quarantine->role_names, 3)) +
                           " on its next metadata request");
    } else {
      plan.calls.push_back({"ec2:DisassociateIamInstanceProfile",
                            {{"AssociationId", association.association_id}},
                            id + ": instance profile " + association.instance_profile_arn + " removed (association " +
                                association.association_id + ")",
                            ""});
      plan.summary = "remove the instance profile " + profile_name + " from instance " + id;
      plan.notes.push_back("software on " + id + " that calls AWS with the instance's role gets no new credentials "
                           "(agents such as SSM and CloudWatch stop working too)");
    }
    std::string role = roles.empty() ? std::string() : List(roles, 3);
    plan.notes.push_back("credentials " + id + " already got from the metadata service stay valid until they expire "
                         "(hours)" + (role.empty() ? std::string() : "; revoke-role-sessions " + roles.front() +
                                                                          " cuts them off"));
    if (others->empty()) {
      plan.notes.push_back("no other instance uses instance profile " + profile_name);
    } else {
      plan.notes.push_back(std::to_string(others->size()) + " other instance(s) use instance profile " + profile_name +
                           ": " + List(*others, 10) + ". This change does not touch them: they keep the profile. But "
                           "they share the role" + (role.empty() ? std::string() : " " + role) +
                           " and its sessions: revoking the role's sessions denies their current credentials too "
                           "(until they fetch new ones), and a policy change on the role affects them all");
    }
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    if (!prior.is_object()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state is not an object");
    std::string id = prior.value("instance_id", ""), prior_arn = prior.value("instance_profile_arn", "");
    std::string quarantine = prior.value("quarantine_profile_arn", "");
    if (id.empty() || prior_arn.empty()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the instance or its profile");
    }
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kConflict);
    if (!instance) return tl::unexpected(instance.error());
    auto current = CurrentAssociation(aws, id);
    if (!current) return tl::unexpected(current.error());
    std::string now = *current ? (*current)->instance_profile_arn : "";
    auto restore = InstanceProfileRestore(prior_arn, quarantine, now);
    if (!restore) return Fail(restore.error().code, "instance " + id + ": " + restore.error().message);

    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    if (*restore == ProfileRestore::kNothing) {
      plan.summary = "instance " + id + " already has its prior instance profile " + InstanceProfileName(prior_arn);
      return plan;
    }
    auto profile = ReadProfile(aws, prior_arn);
    if (!profile && profile.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kConflict, "instance profile " + prior_arn + " no longer exists; it cannot be given back");
    }
    if (!profile) return tl::unexpected(profile.error());
    if (*restore == ProfileRestore::kAssociate) {
      plan.calls.push_back({"ec2:AssociateIamInstanceProfile", {{"InstanceId", id}, {"IamInstanceProfileArn", prior_arn}},
                            id + ": instance profile " + prior_arn + " associated again", "association"});
    } else {
      plan.calls.push_back({"ec2:ReplaceIamInstanceProfileAssociation",
                            {{"AssociationId", (*current)->association_id}, {"IamInstanceProfileArn", prior_arn}},
                            id + ": instance profile " + now + " -> " + prior_arn, "association"});
    }
    plan.summary = "give instance " + id + " its instance profile " + profile->name + " back";
    plan.notes.push_back("the instance gets the role's credentials again on its next metadata request");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeReplaceInstanceProfileAction() { return std::make_unique<ReplaceInstanceProfileAction>(); }

}  // namespace cloudward::respond
