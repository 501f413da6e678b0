// deactivate-access-key: sets an IAM access key Inactive (iam:UpdateAccessKey); rollback sets it
// Active again unless it was deleted since. The owning user is --user or found with
// iam:GetAccessKeyLastUsed.
#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// The key's status ("" when the user has no such key).
Result<std::string> KeyStatus(aws::AwsClient& aws, const std::string& user, const std::string& key,
                              std::vector<std::string>* other_active) {
  auto keys = aws::iam::ListAccessKeys(aws, user);
  if (!keys) return Fail(keys.error().code, "cannot list the access keys of " + user + ": " + keys.error().Describe());
  std::string status;
  for (const auto& k : *keys) {
    if (k.access_key_id == key) {
      status = k.status;
    } else if (other_active && k.status == "Active") {
      other_active->push_back(k.access_key_id);
    }
  }
  return status;
}

class DeactivateAccessKeyAction final : public Action {
 public:
  std::string_view Kind() const override { return "deactivate-access-key"; }
  std::string_view Description() const override { return "Set an IAM user's access key Inactive"; }
  std::string_view TargetName() const override { return "access key id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& key = request.target;
    if (!ValidAccessKeyId(key)) {
      return Fail(ErrorCode::kInvalidArgument, "'" + key + "' is not an access key id (AKIA... or ASIA...)");
    }
    if (key.starts_with("ASIA")) {
      return Fail(ErrorCode::kInvalidArgument, key + " is a temporary (STS) key; it cannot be deactivated, "
                                                     "revoke the sessions of its role instead");
    }
    std::string user;
    if (auto it = request.options.find("user"); it != request.options.end() && !it->second.empty()) {
      user = it->second;
    } else {
      auto found = aws::iam::GetAccessKeyUser(aws, key);
      if (!found) {
        return Fail(found.error().code, "cannot find the user of access key " + key + " (pass --user): " +
                                            found.error().Describe());
      }
      user = *found;
    }
    std::vector<std::string> others;
    auto status = KeyStatus(aws, user, key, &others);
    if (!status) return tl::unexpected(status.error());
    if (status->empty()) return Fail(ErrorCode::kNotFound, "user " + user + " has no access key " + key);

    Plan plan{.kind = std::string(Kind()), .target = key, .incident_id = request.incident_id};
    plan.prior_state = {{"user_name", user}, {"access_key_id", key}, {"status", *status}};
    if (*status == "Inactive") {
      plan.summary = "access key " + key + " of " + user + " is already Inactive; nothing to do";
      return plan;
    }
    plan.summary = "deactivate access key " + key + " of user " + user;
    plan.calls.push_back({"iam:UpdateAccessKey", {{"UserName", user}, {"AccessKeyId", key}, {"Status", "Inactive"}},
                          "access key " + key + " of " + user + ": " + *status + " -> Inactive", ""});
    plan.notes.push_back("requests signed with this key fail from now on; sessions already obtained with it "
                         "(sts:GetSessionToken, sts:AssumeRole) stay valid until they expire");
    if (!others.empty()) {
      std::string list;
      for (const auto& o : others) list += (list.empty() ? "" : ", ") + o;
      plan.notes.push_back("user " + user + " has other active access keys that stay active: " + list);
    }
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string user = prior.value("user_name", ""), key = prior.value("access_key_id", "");
    if (user.empty() || key.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks user or key");
    auto status = KeyStatus(aws, user, key, nullptr);
    if (!status) return tl::unexpected(status.error());
    auto restore = AccessKeyRestore(prior.value("status", ""), *status);
    if (!restore) return Fail(restore.error().code, "access key " + key + " of " + user + ": " + restore.error().message);
    Plan plan{.kind = action.kind, .target = key, .incident_id = action.incident_id};
    plan.prior_state = prior;
    if (!*restore) {
      plan.summary = "access key " + key + " of " + user + " is already Active; nothing to restore";
      return plan;
    }
    plan.summary = "re-activate access key " + key + " of user " + user;
    plan.calls.push_back({"iam:UpdateAccessKey", {{"UserName", user}, {"AccessKeyId", key}, {"Status", **restore}},
                          "access key " + key + " of " + user + ": Inactive -> Active", ""});
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeDeactivateAccessKeyAction() { return std::make_unique<DeactivateAccessKeyAction>(); }

}  // namespace cloudward::respond
