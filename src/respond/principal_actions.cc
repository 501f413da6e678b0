// Containment of IAM principals with cloudward-owned inline policies, so that nothing the
// principal already had is touched and rollback is removing (or restoring) one policy:
//
//   revoke-role-sessions  puts cloudward-revoke-older-sessions on a role: Deny * when
//                         aws:TokenIssueTime is before now. Every session already issued (stolen
//                         instance credentials, assumed-role sessions) stops working; new sessions
//                         (instances refresh theirs from IMDS within minutes) keep working.
//   restrict-user         puts cloudward-deny-all on a user: Deny *. Requests signed with the
//                         user's keys, and with session tokens obtained from them, are denied.
//
// Prior state: the policy of that name the principal had before (usually none). Rollback restores
// it, or deletes ours, refusing when someone changed our policy since.
#include <chrono>

#include "aws/services.h"
#include "core/time.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// Within this window a repeated revocation is a no-op (it would change nothing that matters).
constexpr int64_t kRevocationFreshMs = 5 * 60 * 1000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Which IAM principal type an action works on, and its inline-policy calls.
struct PrincipalApi {
  const char* type;        // "role" | "user"
  const char* name_param;  // "RoleName" | "UserName"
  const char* put_operation;
  const char* delete_operation;
  aws::AwsResult<std::string> (*get_policy)(aws::AwsClient&, const std::string&, const std::string&);
};

constexpr PrincipalApi kRoleApi{"role", "RoleName", "iam:PutRolePolicy", "iam:DeleteRolePolicy", aws::iam::GetRolePolicy};
constexpr PrincipalApi kUserApi{"user", "UserName", "iam:PutUserPolicy", "iam:DeleteUserPolicy", aws::iam::GetUserPolicy};

// The inline policy `name` of a principal: the document, or nullopt when it has none.
Result<std::optional<std::string>> CurrentPolicy(aws::AwsClient& aws, const PrincipalApi& api,
                                                 const std::string& principal, std::string_view name) {
  auto doc = api.get_policy(aws, principal, std::string(name));
  if (doc) return std::optional<std::string>(std::move(*doc));
  if (doc.error().code == ErrorCode::kNotFound) return std::optional<std::string>();
  return Fail(doc.error().code, std::string("cannot read inline policy ") + std::string(name) + " of " + api.type +
                                    " " + principal + ": " + doc.error().Describe());
}

// The role or user name of the target, checked to exist; `arn` receives its ARN.
Result<std::string> ResolveName(aws::AwsClient& aws, const PrincipalApi& api, const std::string& target,
                                std::string* arn) {
  auto parsed = ParsePrincipal(target);
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->kind.empty() && parsed->kind != api.type) {
    return Fail(ErrorCode::kInvalidArgument, "'" + target + "' is a " + parsed->kind + ", not a " + api.type);
  }
  if (api.type == std::string_view("role")) {
    auto role = aws::iam::GetRole(aws, parsed->name);
    if (!role) return Fail(role.error().code, "cannot read role " + parsed->name + ": " + role.error().Describe());
    *arn = role->arn;
  } else {
    auto user = aws::iam::GetUserArn(aws, parsed->name);
    if (!user) return Fail(user.error().code, "cannot read user " + parsed->name + ": " + user.error().Describe());
    *arn = *user;
  }
  return parsed->name;
}

class InlinePolicyAction : public Action {
 public:
  InlinePolicyAction(const PrincipalApi& api, std::string_view policy_name) : api_(api), policy_name_(policy_name) {}

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    std::string arn;
    auto name = ResolveName(aws, api_, request.target, &arn);
    if (!name) return tl::unexpected(name.error());
    auto current = CurrentPolicy(aws, api_, *name, policy_name_);
    if (!current) return tl::unexpected(current.error());

    Plan plan{.kind = std::string(Kind()), .target = *name, .incident_id = request.incident_id};
    plan.prior_state = {{"principal_type", api_.type}, {"name", *name}, {"arn", arn},
                        {"policy_name", policy_name_}, {"policy_document", *current ? json(**current) : json(nullptr)}};
    std::string document;
    if (auto done = AlreadyDone(*current, &plan.summary, &document); done) {
      plan.summary = std::string(api_.type) + " " + *name + ": " + plan.summary + "; nothing to do";
      return plan;
    }
    plan.calls.push_back({api_.put_operation,
                          {{api_.name_param, *name}, {"PolicyName", policy_name_}, {"PolicyDocument", document}},
                          std::string(api_.type) + " " + *name + ": inline policy " + std::string(policy_name_) + " " +
                              (*current ? "replaced" : "added"),
                          ""});
    AddNotes(aws, *name, arn, &plan);
    if (*current) plan.notes.push_back("the existing " + std::string(policy_name_) + " is replaced; rollback restores it");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string name = prior.value("name", "");
    if (name.empty() || applied.calls.empty()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": the stored plan lacks the principal or its call");
    }
    std::string ours = applied.calls.front().parameters.value("PolicyDocument", "");
    std::optional<std::string> before;
    if (prior.contains("policy_document") && prior["policy_document"].is_string()) {
      before = prior["policy_document"].get<std::string>();
    }
    auto current = CurrentPolicy(aws, api_, name, policy_name_);
    if (!current) return tl::unexpected(current.error());

    Plan plan{.kind = action.kind, .target = name, .incident_id = action.incident_id};
    plan.prior_state = prior;
    bool now_prior = before ? (*current && SamePolicy(**current, *before)) : !*current;
    if (now_prior) {
      plan.summary = std::string(api_.type) + " " + name + " already has its prior " + std::string(policy_name_);
      return plan;
    }
    if (!*current || !SamePolicy(**current, ours)) {
      return Fail(ErrorCode::kConflict, std::string(api_.type) + " " + name + ": inline policy " +
                                            std::string(policy_name_) +
                                            " changed since it was applied; restoring would clobber that change");
    }
    if (before) {
      plan.summary = "restore the prior inline policy " + std::string(policy_name_) + " of " + api_.type + " " + name;
      plan.calls.push_back({api_.put_operation,
                            {{api_.name_param, name}, {"PolicyName", policy_name_}, {"PolicyDocument", *before}},
                            std::string(api_.type) + " " + name + ": inline policy " + std::string(policy_name_) +
                                " restored",
                            ""});
    } else {
      plan.summary = "remove inline policy " + std::string(policy_name_) + " from " + api_.type + " " + name;
      plan.calls.push_back({api_.delete_operation, {{api_.name_param, name}, {"PolicyName", policy_name_}},
                            std::string(api_.type) + " " + name + ": inline policy " + std::string(policy_name_) +
                                " removed",
                            ""});
    }
    RollbackNotes(&plan);
    return plan;
  }

 protected:
  // True (with `why`) when `current` already contains the principal; else the document to put.
  virtual bool AlreadyDone(const std::optional<std::string>& current, std::string* why,
                           std::string* document) const = 0;
  virtual void AddNotes(aws::AwsClient& aws, const std::string& name, const std::string& arn, Plan* plan) const = 0;
  virtual void RollbackNotes(Plan* plan) const = 0;

  const PrincipalApi& api_;
  std::string_view policy_name_;
};

class RevokeRoleSessionsAction final : public InlinePolicyAction {
 public:
  RevokeRoleSessionsAction() : InlinePolicyAction(kRoleApi, kRevokeSessionsPolicy) {}
  std::string_view Kind() const override { return "revoke-role-sessions"; }
  std::string_view Description() const override {
    return "Deny every session of an IAM role issued before now (stolen role and instance credentials)";
  }
  std::string_view TargetName() const override { return "role name or ARN (or an assumed-role session ARN)"; }

 protected:
  bool AlreadyDone(const std::optional<std::string>& current, std::string* why, std::string* document) const override {
    int64_t now = NowMs();
    if (current) {
      if (auto at = RevocationTime(*current); at && *at >= now - kRevocationFreshMs) {
        *why = "sessions issued before " + FormatIsoTime(*at) + " are already denied";
        return true;
      }
    }
    *document = RevokeSessionsPolicy(now);
    return false;
  }

  void AddNotes(aws::AwsClient& aws, const std::string& name, const std::string& arn, Plan* plan) const override {
    auto at = RevocationTime(plan->calls.front().parameters["PolicyDocument"].get<std::string>());
    std::string when = at ? FormatIsoTime(*at) : "now";
    plan->notes.push_back("every request signed with a session of " + name + " issued before " + when +
                          " is denied, the attacker's and legitimate workloads' alike; sessions issued later work");
    plan->notes.push_back("the revocation time is fixed when planned: apply soon, or plan again");
    // Collateral: instances that run as this role lose their current credentials; they fetch new
    // ones from the instance metadata service within minutes.
    auto profiles = aws::iam::ListInstanceProfilesForRole(aws, name);
    auto instances = aws::ec2::DescribeInstances(aws, {});
    if (!profiles || !instances) {
      plan->notes.push_back("could not list the instances that use " + arn +
                            " (needs iam:ListInstanceProfilesForRole and ec2:DescribeInstances)");
      return;
    }
    std::vector<std::string> affected;
    for (const auto& instance : *instances) {
      if (instance.state == "terminated" || instance.instance_profile_arn.empty()) continue;
      for (const auto& profile : *profiles) {
        if (instance.instance_profile_arn == profile) affected.push_back(instance.instance_id);
      }
    }
    if (!affected.empty()) {
      std::string list;
      for (const auto& id : affected) list += (list.empty() ? "" : ", ") + id;
      plan->notes.push_back("instances running as this role (their credentials are refreshed from IMDS within "
                            "minutes; an attacker on them gets the new ones too, so isolate them): " + list);
    }
  }

  void RollbackNotes(Plan* plan) const override {
    plan->notes.push_back("sessions issued before the revocation that have not expired work again");
  }
};

class RestrictUserAction final : public InlinePolicyAction {
 public:
  RestrictUserAction() : InlinePolicyAction(kUserApi, kDenyAllPolicy) {}
  std::string_view Kind() const override { return "restrict-user"; }
  std::string_view Description() const override {
    return "Deny every action to an IAM user with an inline deny-all policy (keys, console and sessions)";
  }
  std::string_view TargetName() const override { return "user name or ARN"; }

 protected:
  bool AlreadyDone(const std::optional<std::string>& current, std::string* why, std::string* document) const override {
    *document = DenyAllPolicy();
    if (current && SamePolicy(*current, *document)) {
      *why = "already denied everything by " + std::string(kDenyAllPolicy);
      return true;
    }
    return false;
  }

  void AddNotes(aws::AwsClient&, const std::string& name, const std::string&, Plan* plan) const override {
    plan->notes.push_back("every request of " + name +
                          " is denied, including with session tokens obtained from its keys; its keys, password "
                          "and MFA devices stay as they are (deactivate the keys too to stop them authenticating)");
  }

  void RollbackNotes(Plan* plan) const override {
    plan->notes.push_back("the user's own permissions apply again");
  }
};

}  // namespace

Result<std::string> PrincipalContainment(aws::AwsClient& aws, std::string_view target) {
  auto parsed = ParsePrincipal(target);
  if (!parsed) return tl::unexpected(parsed.error());
  if (parsed->kind == "role") return std::string("revoke-role-sessions");
  if (parsed->kind == "user") return std::string("restrict-user");
  auto role = aws::iam::GetRole(aws, parsed->name);
  if (role) return std::string("revoke-role-sessions");
  if (role.error().code != ErrorCode::kNotFound) {
    return Fail(role.error().code, "cannot read role " + parsed->name + ": " + role.error().Describe());
  }
  auto user = aws::iam::GetUserArn(aws, parsed->name);
  if (user) return std::string("restrict-user");
  if (user.error().code != ErrorCode::kNotFound) {
    return Fail(user.error().code, "cannot read user " + parsed->name + ": " + user.error().Describe());
  }
  return Fail(ErrorCode::kNotFound, "no IAM role or user named " + parsed->name);
}

std::unique_ptr<Action> MakeRevokeRoleSessionsAction() { return std::make_unique<RevokeRoleSessionsAction>(); }
std::unique_ptr<Action> MakeRestrictUserAction() { return std::make_unique<RestrictUserAction>(); }

}  // namespace cloudward::respond
