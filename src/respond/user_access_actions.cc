// Eradication of an IAM user's standing access, for a user whose credentials are known stolen:
//
//   remove-user-from-groups  takes the user out of every IAM group, so the permissions it had
//                            through them are gone. Prior state: the group names; rollback adds
//                            the user back to each (kConflict when the user or a group no
//                            longer exists).
//   delete-login-profile     deletes the user's console password. Prior state: that it had one
//                            (and when it was created). Rollback cannot restore a password that
//                            AWS never reveals: it is not reversible and says how to issue a new one.
#include <algorithm>

#include "aws/services.h"
#include "core/text.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// The user name of a user name or ARN, checked to exist. `gone` is the code for a missing user.
Result<std::string> ResolveUser(aws::AwsClient& aws, const std::string& target, ErrorCode gone) {
  auto parsed = ParsePrincipal(target);
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->kind.empty() && parsed->kind != "user") {
    return Fail(ErrorCode::kInvalidArgument, "'" + target + "' is a " + parsed->kind + ", not an IAM user");
  }
  auto arn = aws::iam::GetUserArn(aws, parsed->name);
  if (!arn && arn.error().code == ErrorCode::kNotFound) return Fail(gone, "no IAM user " + parsed->name);
  if (!arn) return Fail(arn.error().code, "cannot read user " + parsed->name + ": " + arn.error().Describe());
  return parsed->name;
}

Result<std::vector<std::string>> Groups(aws::AwsClient& aws, const std::string& user) {
  auto groups = aws::iam::ListGroupsForUser(aws, user);
  if (!groups) return Fail(groups.error().code, "cannot list the groups of " + user + ": " + groups.error().Describe());
  return std::move(*groups);
}

// ------------------------------------------------------------------- remove-user-from-groups
class RemoveUserFromGroupsAction final : public Action {
 public:
  std::string_view Kind() const override { return "remove-user-from-groups"; }
  std::string_view Description() const override {
    return "Remove an IAM user from every group it is in (the permissions it has through them)";
  }
  std::string_view TargetName() const override { return "user name or ARN"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    auto user = ResolveUser(aws, request.target, ErrorCode::kNotFound);
    if (!user) return tl::unexpected(user.error());
    auto groups = Groups(aws, *user);
    if (!groups) return tl::unexpected(groups.error());
    Plan plan{.kind = std::string(Kind()), .target = *user, .incident_id = request.incident_id};
    plan.prior_state = {{"user_name", *user}, {"groups", *groups}};
    for (const auto& group : *groups) {
      plan.calls.push_back({"iam:RemoveUserFromGroup", {{"UserName", *user}, {"GroupName", group}},
                            "user " + *user + ": removed from group " + group, ""});
    }
    if (plan.no_op()) {
      plan.summary = "user " + *user + " is in no group; nothing to do";
      return plan;
    }
    plan.summary = "remove user " + *user + " from " + std::to_string(groups->size()) + " group(s): " + Join(*groups, ", ");
    plan.notes.push_back("the user's own inline and attached policies stay; restrict-user denies everything");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string name = prior.value("user_name", "");
    std::vector<std::string> before;
    try {
      before = prior.at("groups").get<std::vector<std::string>>();
    } catch (const json::exception& e) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the groups: " + e.what());
    }
    if (name.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the user");
    auto user = ResolveUser(aws, name, ErrorCode::kConflict);
    if (!user) return tl::unexpected(user.error());
    auto now = Groups(aws, *user);
    if (!now) return tl::unexpected(now.error());

    Plan plan{.kind = action.kind, .target = *user, .incident_id = action.incident_id};
    plan.prior_state = prior;
    std::vector<std::string> missing;
    for (const auto& group : before) {
      if (std::find(now->begin(), now->end(), group) != now->end()) continue;
      auto arn = aws::iam::GetGroupArn(aws, group);
      if (!arn && arn.error().code == ErrorCode::kNotFound) {
        missing.push_back(group);
        continue;
      }
      if (!arn) return Fail(arn.error().code, "cannot read group " + group + ": " + arn.error().Describe());
      plan.calls.push_back({"iam:AddUserToGroup", {{"UserName", *user}, {"GroupName", group}},
                            "user " + *user + ": added back to group " + group, ""});
    }
    if (!missing.empty()) {
      return Fail(ErrorCode::kConflict, "group(s) " + Join(missing, ", ") + " no longer exist; user " + *user +
                                            " cannot be added back to them");
    }
    plan.summary = plan.no_op() ? "user " + *user + " is already in its prior groups"
                                : "add user " + *user + " back to " + std::to_string(plan.calls.size()) + " group(s)";
    return plan;
  }
};

// ---------------------------------------------------------------------- delete-login-profile
class DeleteLoginProfileAction final : public Action {
 public:
  std::string_view Kind() const override { return "delete-login-profile"; }
  std::string_view Description() const override {
    return "Delete an IAM user's console password (cannot be restored; a new one must be issued)";
  }
  std::string_view TargetName() const override { return "user name or ARN"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    auto user = ResolveUser(aws, request.target, ErrorCode::kNotFound);
    if (!user) return tl::unexpected(user.error());
    auto profile = aws::iam::GetLoginProfile(aws, *user);
    if (!profile && profile.error().code != ErrorCode::kNotFound) {
      return Fail(profile.error().code, "cannot read the login profile of " + *user + ": " + profile.error().Describe());
    }
    Plan plan{.kind = std::string(Kind()), .target = *user, .incident_id = request.incident_id};
    plan.prior_state = {{"user_name", *user}, {"login_profile", static_cast<bool>(profile)}};
    if (!profile) {
      plan.summary = "user " + *user + " has no console password; nothing to do";
      return plan;
    }
    plan.prior_state["created"] = profile->create_date;
    plan.calls.push_back({"iam:DeleteLoginProfile", {{"UserName", *user}},
                          "user " + *user + ": console password deleted", ""});
    plan.summary = "delete the console password of user " + *user;
    plan.notes.push_back("irreversible: rollback cannot restore the password; a new one must be issued "
                         "(aws iam create-login-profile) and given to the owner out of band");
    plan.notes.push_back("console sessions already signed in are not ended; revoke them with restrict-user");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& /*aws*/, const store::ResponseAction& action,
                            const Plan& applied) const override {
    std::string user = applied.prior_state.value("user_name", action.target);
    Plan nothing{.kind = action.kind, .target = user, .incident_id = action.incident_id};
    nothing.prior_state = applied.prior_state;
    nothing.summary = "nothing to undo: a deleted console password cannot be restored; issue a new one with "
                      "`aws iam create-login-profile --user-name " + user +
                      " --password-reset-required` once the user is trusted again";
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRemoveUserFromGroupsAction() { return std::make_unique<RemoveUserFromGroupsAction>(); }
std::unique_ptr<Action> MakeDeleteLoginProfileAction() { return std::make_unique<DeleteLoginProfileAction>(); }

}  // namespace cloudward::respond
