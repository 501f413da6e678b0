// eradicate-created-iam (eradication): deletes the IAM users, roles, managed policies, policy
// versions, access keys, console passwords, inline policies, attachments, group memberships and
// MFA devices an attacker created during the incident.
//
// What counts as created: a successful IAM call by the target principal (a user, role or
// assumed-role ARN, a name, an access key id, or "all" for every actor) in the incident's recorded
// findings (ActionRequest::incident_records, loaded by the Responder), inside the optional window
// --since/--until. Calls the detection rules did not record can be named with the option
// resources=user/NAME,role/NAME,POLICY-ARN,AKIA... together with --since: each must then have been
// created (IAM's CreateDate) inside the window, or it is refused. Nothing else is ever deleted.
// Never touched: the principal cloudward runs as (and what belongs to it), names matching the
// option protect=PATTERN,... ('*' wildcards), service-linked roles and AWS managed policies.
//
// The plan lists every item with its live state ("already gone" when it no longer exists) and,
// for users and roles, what deleting them takes (keys, inline and attached policies, groups,
// MFA devices, instance profiles). The prior state keeps every policy document, the trust policy,
// tags, attachments and memberships, so rollback recreates users, roles and managed policies
// (default version) and puts back inline policies, attachments, group and instance-profile
// memberships. Access keys, console passwords and MFA devices cannot be restored.
#include <algorithm>
#include <set>

#include "aws/services.h"
#include "core/text.h"
#include "core/time.h"
#include "respond/action.h"
#include "respond/created_iam.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

template <class T>
Result<std::optional<T>> Maybe(aws::AwsResult<T> r, const std::string& what) {
  if (r) return std::optional<T>(std::move(*r));
  if (r.error().code == ErrorCode::kNotFound) return std::optional<T>();
  return Fail(r.error().code, "cannot read " + what + ": " + r.error().Describe());
}

template <class T>
Result<T> Must(aws::AwsResult<T> r, const std::string& what) {
  if (r) return std::move(*r);
  return Fail(r.error().code, "cannot read " + what + ": " + r.error().Describe());
}

#define CW_TRY(var, expr)                              \
  auto var = (expr);                                   \
  if (!var) return tl::unexpected(var.error())

json TagsJson(const aws::Tags& tags) {
  json out = json::object();
  for (const auto& [k, v] : tags) out[k] = v;
  return out;
}

std::string LastSegment(const std::string& arn) { return arn.substr(arn.rfind('/') + 1); }

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::string Option(const ActionRequest& request, const char* name) {
  auto it = request.options.find(name);
  return it == request.options.end() ? std::string() : it->second;
}

// Inline policies of a user or role: name -> document.
Result<json> InlinePolicies(aws::AwsClient& aws, bool role, const std::string& name) {
  std::string what = std::string(role ? "role " : "user ") + name;
  CW_TRY(names, Must(role ? aws::iam::ListRolePolicies(aws, name) : aws::iam::ListUserPolicies(aws, name),
                     "the inline policies of " + what));
  json out = json::object();
  for (const auto& policy : *names) {
    CW_TRY(doc, Must(role ? aws::iam::GetRolePolicy(aws, name, policy) : aws::iam::GetUserPolicy(aws, name, policy),
                     "inline policy " + policy + " of " + what));
    out[policy] = *doc;
  }
  return out;
}

// The state of a user and the calls that delete it with everything that belongs to it.
Result<std::optional<json>> ReadUser(aws::AwsClient& aws, const std::string& user, std::vector<ApiCall>* calls) {
  CW_TRY(detail, Maybe(aws::iam::GetUserDetail(aws, user), "user " + user));
  if (!*detail) return std::optional<json>();
  CW_TRY(inline_policies, InlinePolicies(aws, false, user));
  CW_TRY(attached, Must(aws::iam::ListAttachedUserPolicies(aws, user), "the attached policies of user " + user));
  CW_TRY(keys, Must(aws::iam::ListAccessKeys(aws, user), "the access keys of user " + user));
  CW_TRY(profile, Maybe(aws::iam::GetLoginProfile(aws, user), "the login profile of user " + user));
  CW_TRY(mfa, Must(aws::iam::ListMfaDevices(aws, user), "the MFA devices of user " + user));
  CW_TRY(groups, Must(aws::iam::ListGroupsForUser(aws, user), "the groups of user " + user));
  json keys_json = json::array();
  for (const auto& k : *keys) {
    keys_json.push_back({{"id", k.access_key_id}, {"status", k.status}, {"created", k.create_date}});
  }
  json state = {{"arn", (*detail)->arn},       {"path", (*detail)->path},       {"created", (*detail)->create_date},
                {"tags", TagsJson((*detail)->tags)}, {"inline_policies", *inline_policies}, {"attached_policies", *attached},
                {"access_keys", keys_json},    {"login_profile", profile->has_value()}, {"mfa_devices", *mfa},
                {"groups", *groups}};
  const std::string who = "user " + user;
  for (const auto& arn : *attached) {
    calls->push_back({"iam:DetachUserPolicy", {{"UserName", user}, {"PolicyArn", arn}}, who + ": detach " + arn, ""});
  }
  for (const auto& [name, doc] : inline_policies->items()) {
    calls->push_back({"iam:DeleteUserPolicy", {{"UserName", user}, {"PolicyName", name}},
                      who + ": delete inline policy " + name, ""});
  }
  for (const auto& k : *keys) {
    calls->push_back({"iam:DeleteAccessKey", {{"UserName", user}, {"AccessKeyId", k.access_key_id}},
                      who + ": delete access key " + k.access_key_id + " (" + k.status + ")", ""});
  }
  if (*profile) calls->push_back({"iam:DeleteLoginProfile", {{"UserName", user}}, who + ": delete console password", ""});
  for (const auto& serial : *mfa) {
    calls->push_back({"iam:DeactivateMFADevice", {{"UserName", user}, {"SerialNumber", serial}},
                      who + ": deactivate MFA device " + serial, ""});
    if (serial.starts_with("arn:")) {
      calls->push_back({"iam:DeleteVirtualMFADevice", {{"SerialNumber", serial}}, "delete virtual MFA device " + serial, ""});
    }
  }
  for (const auto& group : *groups) {
    calls->push_back({"iam:RemoveUserFromGroup", {{"UserName", user}, {"GroupName", group}},
                      who + ": remove from group " + group, ""});
  }
  calls->push_back({"iam:DeleteUser", {{"UserName", user}}, "delete " + who, ""});
  return std::optional<json>(std::move(state));
}

Result<std::optional<json>> ReadRole(aws::AwsClient& aws, const std::string& role, std::vector<ApiCall>* calls) {
  CW_TRY(detail, Maybe(aws::iam::GetRoleDetail(aws, role), "role " + role));
  if (!*detail) return std::optional<json>();
  CW_TRY(inline_policies, InlinePolicies(aws, true, role));
  CW_TRY(attached, Must(aws::iam::ListAttachedRolePolicies(aws, role), "the attached policies of role " + role));
  CW_TRY(profiles, Must(aws::iam::ListInstanceProfilesForRole(aws, role), "the instance profiles of role " + role));
  std::vector<std::string> profile_names;
  for (const auto& arn : *profiles) profile_names.push_back(LastSegment(arn));
  const auto& d = **detail;
  json state = {{"arn", d.arn},         {"path", d.path},     {"created", d.create_date},
                {"trust_policy", d.trust_policy}, {"description", d.description},
                {"max_session_duration", d.max_session_duration}, {"tags", TagsJson(d.tags)},
                {"inline_policies", *inline_policies}, {"attached_policies", *attached},
                {"instance_profiles", profile_names}};
  const std::string who = "role " + role;
  for (const auto& arn : *attached) {
    calls->push_back({"iam:DetachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}}, who + ": detach " + arn, ""});
  }
  for (const auto& [name, doc] : inline_policies->items()) {
    calls->push_back({"iam:DeleteRolePolicy", {{"RoleName", role}, {"PolicyName", name}},
                      who + ": delete inline policy " + name, ""});
  }
  for (const auto& profile : profile_names) {
    calls->push_back({"iam:RemoveRoleFromInstanceProfile", {{"InstanceProfileName", profile}, {"RoleName", role}},
                      who + ": remove from instance profile " + profile, ""});
  }
  calls->push_back({"iam:DeleteRole", {{"RoleName", role}}, "delete " + who, ""});
  return std::optional<json>(std::move(state));
}

Result<std::optional<json>> ReadPolicy(aws::AwsClient& aws, const std::string& arn, std::vector<ApiCall>* calls) {
  CW_TRY(policy, Maybe(aws::iam::GetPolicy(aws, arn), "policy " + arn));
  if (!*policy) return std::optional<json>();
  CW_TRY(versions, Must(aws::iam::ListPolicyVersions(aws, arn), "the versions of policy " + arn));
  CW_TRY(entities, Must(aws::iam::ListEntitiesForPolicy(aws, arn), "the entities of policy " + arn));
  json documents = json::object();
  for (const auto& v : *versions) {
    CW_TRY(doc, Must(aws::iam::GetPolicyVersionDocument(aws, arn, v.version_id), "version " + v.version_id + " of " + arn));
    documents[v.version_id] = *doc;
  }
  const auto& p = **policy;
  json state = {{"arn", p.arn},           {"name", p.name},         {"path", p.path},
                {"description", p.description}, {"default_version", p.default_version}, {"created", p.create_date},
                {"tags", TagsJson(p.tags)}, {"versions", documents},
                {"users", entities->users}, {"roles", entities->roles}, {"groups", entities->groups}};
  for (const auto& user : entities->users) {
    calls->push_back({"iam:DetachUserPolicy", {{"UserName", user}, {"PolicyArn", arn}}, "user " + user + ": detach " + arn, ""});
  }
  for (const auto& role : entities->roles) {
    calls->push_back({"iam:DetachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}}, "role " + role + ": detach " + arn, ""});
  }
  for (const auto& group : entities->groups) {
    calls->push_back({"iam:DetachGroupPolicy", {{"GroupName", group}, {"PolicyArn", arn}},
                      "group " + group + ": detach " + arn, ""});
  }
  for (const auto& v : *versions) {
    if (v.is_default) continue;
    calls->push_back({"iam:DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", v.version_id}},
                      "policy " + arn + ": delete version " + v.version_id, ""});
  }
  calls->push_back({"iam:DeletePolicy", {{"PolicyArn", arn}}, "delete managed policy " + arn, ""});
  return std::optional<json>(std::move(state));
}

// An entry of option resources: "user/NAME", "role/NAME", a user, role or policy ARN, or an access key id.
std::optional<std::pair<std::string, std::string>> ParseListed(const std::string& entry) {
  if (ValidAccessKeyId(entry)) return std::pair{std::string("access-key"), entry};
  if (entry.starts_with("user/") && entry.size() > 5) return std::pair{std::string("user"), LastSegment(entry)};
  if (entry.starts_with("role/") && entry.size() > 5) return std::pair{std::string("role"), LastSegment(entry)};
  if (entry.starts_with("arn:") && entry.find(":policy/") != std::string::npos) return std::pair{std::string("policy"), entry};
  if (entry.starts_with("arn:")) {
    if (auto p = ParsePrincipal(entry); p && entry.find(":assumed-role/") == std::string::npos) return std::pair{p->kind, p->name};
  }
  return std::nullopt;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

class EradicateCreatedIamAction final : public Action {
 public:
  std::string_view Kind() const override { return "eradicate-created-iam"; }
  std::string_view Description() const override {
    return "Delete the IAM users, roles, policies, keys, passwords, inline policies, attachments and group "
           "memberships a principal created in the incident ([--since T] [--until T] [--option resources=...] "
           "[--option protect=PATTERN,...])";
  }
  std::string_view TargetName() const override { return "principal ARN or name, access key id, or all"; }
  bool NeedsIncidentRecords() const override { return true; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    CreationQuery query{.principal = request.target};
    const std::string since_text = Option(request, "since"), until_text = Option(request, "until");
    const std::string listed_text = Option(request, "resources"), protect = Option(request, "protect");
    if (!since_text.empty()) {
      query.since_ms = ParseIsoTime(since_text);
      if (!query.since_ms) return Fail(ErrorCode::kInvalidArgument, "since: '" + since_text + "' is not an ISO 8601 time");
    }
    if (!until_text.empty()) {
      query.until_ms = ParseIsoTime(until_text);
      if (!query.until_ms) return Fail(ErrorCode::kInvalidArgument, "until: '" + until_text + "' is not an ISO 8601 time");
    }
    std::vector<std::pair<std::string, std::string>> listed;
    for (const auto& entry : SplitList(listed_text)) {
      auto parsed = ParseListed(entry);
      if (!parsed) {
        return Fail(ErrorCode::kInvalidArgument, "resources: '" + entry + "' is not user/NAME, role/NAME, a user, role "
                                                 "or policy ARN, or an access key id");
      }
      listed.push_back(*parsed);
    }
    if (!listed.empty() && !query.since_ms) {
      return Fail(ErrorCode::kInvalidArgument, "resources=... needs --since: a listed resource is deleted only when "
                                               "IAM says it was created inside the window");
    }
    if (!request.incident_records && listed.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "eradicate-created-iam decides from the incident's recorded CloudTrail events: give --incident "
                  "(planned through the responder), or list the resources with --option resources=... and --since");
    }
    static const std::vector<std::string> kNoRecords;
    CW_TRY(selection, CreatedIamResources(request.incident_records ? *request.incident_records : kNoRecords, query));
    CW_TRY(caller, Must(aws::sts::GetCallerIdentity(aws), "the caller identity"));
    query.account = caller->account;
    std::string caller_name;
    if (auto p = ParsePrincipal(caller->arn)) caller_name = p->name;

    Plan plan{.kind = std::string(Kind()), .target = request.target, .incident_id = request.incident_id};
    std::vector<CreatedIam> items = selection->created;
    json refused = json::array();
    // Listed resources without a recorded creation: IAM's CreateDate must fall in the window.
    for (const auto& entry : listed) {
      const std::string& type = entry.first;  // not a structured binding: lambdas capture it (clang 14)
      const std::string& name = entry.second;
      bool recorded = std::any_of(items.begin(), items.end(), [&](const CreatedIam& c) {
        return c.type == type && c.name == name;
      });
      if (recorded) continue;
      std::string owner, created;
      if (type == "user") {
        CW_TRY(u, Maybe(aws::iam::GetUserDetail(aws, name), "user " + name));
        if (*u) created = (*u)->create_date;
      } else if (type == "role") {
        CW_TRY(r, Maybe(aws::iam::GetRoleDetail(aws, name), "role " + name));
        if (*r) created = (*r)->create_date;
      } else if (type == "policy") {
        CW_TRY(p, Maybe(aws::iam::GetPolicy(aws, name), "policy " + name));
        if (*p) created = (*p)->create_date;
      } else {
        CW_TRY(user, Maybe(aws::iam::GetAccessKeyUser(aws, name), "the owner of access key " + name));
        if (*user) {
          owner = **user;
          CW_TRY(keys, Must(aws::iam::ListAccessKeys(aws, owner), "the access keys of user " + owner));
          for (const auto& k : *keys) {
            if (k.access_key_id == name) created = k.create_date;
          }
        }
      }
      CreatedIam item{type, owner, name, "listed", "", created, 0};
      auto at = ParseIsoTime(created);
      if (created.empty()) {
        refused.push_back({{"item", item.Describe()}, {"reason", "listed, but it does not exist"}});
        continue;
      }
      if (!at || *at < *query.since_ms || (query.until_ms && *at > *query.until_ms)) {
        refused.push_back({{"item", item.Describe()},
                           {"reason", "listed, but created " + created + ", outside the incident window; not deleted"}});
        continue;
      }
      item.time_ms = *at;
      items.push_back(std::move(item));
    }

    // Items that belong to a user, role or policy deleted whole are part of that deletion.
    std::set<std::string> whole;
    for (const auto& c : items) {
      if (c.type == "user" || c.type == "role" || c.type == "policy") whole.insert(c.type + "|" + c.name);
    }
    auto owner_kind = [](const std::string& type) -> std::string {
      if (type == "policy-version") return "policy";
      if (type.starts_with("role-")) return "role";
      return "user";
    };
    auto is_protected = [&](const CreatedIam& c) -> std::string {
      bool principal_type = c.type == "user" || c.type == "role";
      std::string principal = principal_type ? c.name : (owner_kind(c.type) == "policy" ? "" : c.owner);
      if (!caller_name.empty() && principal == caller_name) {
        return "belongs to " + caller->arn + ", the principal cloudward runs as";
      }
      std::string policy = c.type == "policy" ? LastSegment(c.name) : "";
      for (const auto& n : {principal, policy}) {
        if (!n.empty() && !protect.empty() && MatchesAnyPattern(protect, n)) return n + " matches protect=" + protect;
      }
      if (c.type == "policy" && c.name.starts_with("arn:aws:iam::aws:")) return "an AWS managed policy";
      return "";
    };

    json items_json = json::array();
    std::vector<std::string> lines;
    size_t present = 0, gone = 0;
    for (const auto& c : items) {
      json item = {{"type", c.type}, {"owner", c.owner}, {"name", c.name},
                   {"event", {{"name", c.event_name}, {"id", c.event_id}, {"time", c.event_time}}}};
      std::string line = c.Describe() + " (" + (c.event_name == "listed" ? "listed, created " + c.event_time
                                                                          : c.event_name + " " + c.event_time) + "): ";
      auto finish = [&](const std::string& status, const std::string& text) {
        item["status"] = status;
        items_json.push_back(item);
        lines.push_back(line + text);
      };
      if (auto why = is_protected(c); !why.empty()) {
        finish("protected", "NOT deleted: " + why);
        continue;
      }
      if (c.type != "user" && c.type != "role" && c.type != "policy" && whole.contains(owner_kind(c.type) + "|" + c.owner)) {
        finish("included", "deleted with " + owner_kind(c.type) + " " + c.owner);
        continue;
      }
      if ((c.type == "user-attachment" || c.type == "role-attachment") && whole.contains("policy|" + c.name)) {
        finish("included", "detached when policy " + c.name + " is deleted");
        continue;
      }
      std::vector<ApiCall> calls;
      std::optional<json> state;
      std::string status_text;
      if (c.type == "user") {
        CW_TRY(s, ReadUser(aws, c.name, &calls));
        state = *s;
        if (state) status_text = "present; deleted with " + std::to_string(calls.size() - 1) + " dependent call(s)";
      } else if (c.type == "role") {
        CW_TRY(d, Maybe(aws::iam::GetRoleDetail(aws, c.name), "role " + c.name));
        if (*d && (*d)->path.starts_with("/aws-service-role/")) {
          finish("protected", "NOT deleted: a service-linked role (deleted through its service)");
          continue;
        }
        CW_TRY(s, ReadRole(aws, c.name, &calls));
        state = *s;
        if (state) status_text = "present; deleted with " + std::to_string(calls.size() - 1) + " dependent call(s)";
      } else if (c.type == "policy") {
        CW_TRY(s, ReadPolicy(aws, c.name, &calls));
        state = *s;
        if (state) status_text = "present; detached from " + std::to_string(calls.size() - 1) + " place(s)/versions, then deleted";
      } else if (c.type == "policy-version") {
        CW_TRY(versions, Maybe(aws::iam::ListPolicyVersions(aws, c.owner), "the versions of policy " + c.owner));
        const aws::iam::PolicyVersion* found = nullptr;
        if (*versions) {
          for (const auto& v : **versions) {
            if (v.version_id == c.name) found = &v;
          }
        }
        if (found && found->is_default) {
          finish("refused", "NOT deleted: it is the policy's default version; make an earlier version the default "
                            "(iam set-default-policy-version) and plan again");
          continue;
        }
        if (found) {
          CW_TRY(doc, Must(aws::iam::GetPolicyVersionDocument(aws, c.owner, c.name), c.Describe()));
          state = json{{"document", *doc}};
          calls.push_back({"iam:DeletePolicyVersion", {{"PolicyArn", c.owner}, {"VersionId", c.name}}, "delete " + c.Describe(), ""});
          status_text = "present, not the default version; deleted";
        }
      } else if (c.type == "access-key") {
        CW_TRY(keys, Maybe(aws::iam::ListAccessKeys(aws, c.owner), "the access keys of user " + c.owner));
        if (*keys) {
          for (const auto& k : **keys) {
            if (k.access_key_id != c.name) continue;
            state = json{{"status", k.status}, {"created", k.create_date}};
            calls.push_back({"iam:DeleteAccessKey", {{"UserName", c.owner}, {"AccessKeyId", c.name}}, "delete " + c.Describe(), ""});
            status_text = k.status + "; deleted (cannot be restored)";
          }
        }
      } else if (c.type == "login-profile") {
        CW_TRY(profile, Maybe(aws::iam::GetLoginProfile(aws, c.owner), c.Describe()));
        if (*profile) {
          state = json{{"created", (*profile)->create_date}};
          calls.push_back({"iam:DeleteLoginProfile", {{"UserName", c.owner}}, "delete " + c.Describe(), ""});
          status_text = "present; deleted (cannot be restored)";
        }
      } else if (c.type == "user-policy" || c.type == "role-policy") {
        bool role = c.type == "role-policy";
        CW_TRY(doc, Maybe(role ? aws::iam::GetRolePolicy(aws, c.owner, c.name) : aws::iam::GetUserPolicy(aws, c.owner, c.name),
                          c.Describe()));
        if (*doc) {
          state = json{{"document", **doc}};
          calls.push_back({role ? "iam:DeleteRolePolicy" : "iam:DeleteUserPolicy",
                           {{role ? "RoleName" : "UserName", c.owner}, {"PolicyName", c.name}}, "delete " + c.Describe(), ""});
          status_text = "present; deleted";
        }
      } else if (c.type == "user-attachment" || c.type == "role-attachment") {
        bool role = c.type == "role-attachment";
        CW_TRY(attached, Maybe(role ? aws::iam::ListAttachedRolePolicies(aws, c.owner)
                                    : aws::iam::ListAttachedUserPolicies(aws, c.owner),
                               "the attached policies of " + c.owner));
        if (*attached && Has(**attached, c.name)) {
          state = json::object();
          calls.push_back({role ? "iam:DetachRolePolicy" : "iam:DetachUserPolicy",
                           {{role ? "RoleName" : "UserName", c.owner}, {"PolicyArn", c.name}}, "detach: " + c.Describe(), ""});
          status_text = "attached; detached";
        }
      } else if (c.type == "group-membership") {
        CW_TRY(groups, Maybe(aws::iam::ListGroupsForUser(aws, c.owner), "the groups of user " + c.owner));
        if (*groups && Has(**groups, c.name)) {
          state = json::object();
          calls.push_back({"iam:RemoveUserFromGroup", {{"UserName", c.owner}, {"GroupName", c.name}}, "remove: " + c.Describe(), ""});
          status_text = "member; removed";
        }
      } else if (c.type == "mfa-device") {
        CW_TRY(mfa, Maybe(aws::iam::ListMfaDevices(aws, c.owner), "the MFA devices of user " + c.owner));
        if (*mfa && Has(**mfa, c.name)) {
          state = json::object();
          calls.push_back({"iam:DeactivateMFADevice", {{"UserName", c.owner}, {"SerialNumber", c.name}}, "deactivate " + c.Describe(), ""});
          if (c.name.starts_with("arn:")) {
            calls.push_back({"iam:DeleteVirtualMFADevice", {{"SerialNumber", c.name}}, "delete " + c.Describe(), ""});
          }
          status_text = "enabled; deactivated and deleted (cannot be restored)";
        }
      }
      if (!state) {
        ++gone;
        finish("gone", "already gone");
        continue;
      }
      ++present;
      item["state"] = std::move(*state);
      finish("present", status_text);
      for (auto& call : calls) plan.calls.push_back(std::move(call));
    }
    OrderIamDeletions(&plan.calls);

    plan.prior_state = {{"principal", request.target}, {"since", since_text}, {"until", until_text},
                        {"caller", caller->arn}, {"items", items_json}, {"refused", refused},
                        {"unhandled", selection->unhandled}};
    for (const auto& line : lines) plan.notes.push_back(line);
    for (const auto& r : refused) plan.notes.push_back(r["item"].get<std::string>() + ": " + r["reason"].get<std::string>());
    for (const auto& u : selection->unhandled) plan.notes.push_back(u);
    if (selection->malformed > 0) {
      plan.notes.push_back(std::to_string(selection->malformed) + " recorded finding(s) are not CloudTrail JSON; skipped");
    }
    std::string who = request.target == "all" ? "the incident's actors" : request.target;
    if (plan.no_op()) {
      plan.summary = items.empty() ? "no IAM resource created by " + who + " is recorded in the incident; nothing to do"
                                   : "nothing " + who + " created in IAM is left to delete (" + std::to_string(gone) +
                                         " already gone); nothing to do";
      return plan;
    }
    plan.summary = "delete " + std::to_string(present) + " IAM resource(s) " + who + " created in the incident (" +
                   std::to_string(plan.calls.size()) + " call(s))";
    plan.notes.push_back("access keys, console passwords and MFA devices cannot be restored; rollback recreates users, "
                         "roles and managed policies (default version) with their tags, inline policies, attachments, "
                         "group and instance-profile memberships");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    if (!prior.contains("items") || !prior["items"].is_array()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the items");
    }
    Plan plan{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    plan.prior_state = prior;
    std::vector<std::string> lost;
    // Users, roles and policies recreated by this rollback (they exist once it has run).
    std::set<std::string> recreated;
    auto exists = [&](const std::string& kind, const std::string& name) -> Result<bool> {
      if (recreated.contains(kind + "|" + name)) return true;
      if (name.starts_with("arn:aws:iam::aws:")) return true;
      if (kind == "user") {
        CW_TRY(u, Maybe(aws::iam::GetUserDetail(aws, name), "user " + name));
        return u->has_value();
      }
      if (kind == "role") {
        CW_TRY(r, Maybe(aws::iam::GetRoleDetail(aws, name), "role " + name));
        return r->has_value();
      }
      if (kind == "group") {
        CW_TRY(g, Maybe(aws::iam::GetGroupArn(aws, name), "group " + name));
        return g->has_value();
      }
      CW_TRY(p, Maybe(aws::iam::GetPolicy(aws, name), "policy " + name));
      return p->has_value();
    };
    try {
      // Pass 1: what must exist first.
      for (const auto& item : prior["items"]) {
        if (item.value("status", "") != "present") continue;
        std::string type = item.at("type").get<std::string>(), name = item.at("name").get<std::string>();
        const json& state = item.at("state");
        if (type != "user" && type != "role" && type != "policy") continue;
        std::string now_created;
        bool present = false;
        if (type == "user") {
          CW_TRY(u, Maybe(aws::iam::GetUserDetail(aws, name), "user " + name));
          if (*u) present = true, now_created = (*u)->create_date;
        } else if (type == "role") {
          CW_TRY(r, Maybe(aws::iam::GetRoleDetail(aws, name), "role " + name));
          if (*r) present = true, now_created = (*r)->create_date;
        } else {
          CW_TRY(p, Maybe(aws::iam::GetPolicy(aws, name), "policy " + name));
          if (*p) present = true, now_created = (*p)->create_date;
        }
        if (present && now_created != state.value("created", "")) {
          return Fail(ErrorCode::kConflict, type + " " + name + " was created again since (" + now_created +
                                                "); restoring would give it the deleted one's permissions");
        }
        if (present) continue;
        recreated.insert(type + "|" + name);
        json tags = state.value("tags", json::object());
        if (type == "user") {
          json params = {{"UserName", name}, {"Path", state.value("path", "/")}};
          if (!tags.empty()) params["Tags"] = tags;
          plan.calls.push_back({"iam:CreateUser", params, "recreate user " + name, ""});
        } else if (type == "role") {
          json params = {{"RoleName", name}, {"Path", state.value("path", "/")},
                         {"AssumeRolePolicyDocument", state.at("trust_policy").get<std::string>()}};
          if (!state.value("description", "").empty()) params["Description"] = state["description"];
          if (state.value("max_session_duration", 0) > 0) {
            params["MaxSessionDuration"] = std::to_string(state["max_session_duration"].get<int>());
          }
          if (!tags.empty()) params["Tags"] = tags;
          plan.calls.push_back({"iam:CreateRole", params, "recreate role " + name, ""});
        } else {
          std::string default_version = state.at("default_version").get<std::string>();
          json params = {{"PolicyName", state.at("name").get<std::string>()}, {"Path", state.value("path", "/")},
                         {"PolicyDocument", state.at("versions").at(default_version).get<std::string>()}};
          if (!state.value("description", "").empty()) params["Description"] = state["description"];
          if (!tags.empty()) params["Tags"] = tags;
          plan.calls.push_back({"iam:CreatePolicy", params, "recreate managed policy " + name + " (its default version "
                                                               + default_version + ")", ""});
          if (state.at("versions").size() > 1) {
            lost.push_back("the non-default versions of " + name + " (their documents are in the prior state)");
          }
        }
      }
      // Pass 2: what hangs on them, where it is missing now.
      for (const auto& item : prior["items"]) {
        if (item.value("status", "") != "present") continue;
        std::string type = item.at("type").get<std::string>(), name = item.at("name").get<std::string>();
        std::string owner = item.value("owner", "");
        const json& state = item.at("state");
        if (type == "user" || type == "role") {
          bool role = type == "role";
          bool fresh = recreated.contains(type + "|" + name);
          json inline_now = json::object();
          std::vector<std::string> attached_now, groups_now, profiles_now;
          if (!fresh) {
            CW_TRY(i, InlinePolicies(aws, role, name));
            inline_now = *i;
            CW_TRY(a, Must(role ? aws::iam::ListAttachedRolePolicies(aws, name) : aws::iam::ListAttachedUserPolicies(aws, name),
                           "the attached policies of " + name));
            attached_now = *a;
            if (role) {
              CW_TRY(pr, Must(aws::iam::ListInstanceProfilesForRole(aws, name), "the instance profiles of " + name));
              for (const auto& arn : *pr) profiles_now.push_back(LastSegment(arn));
            } else {
              CW_TRY(g, Must(aws::iam::ListGroupsForUser(aws, name), "the groups of " + name));
              groups_now = *g;
            }
          }
          for (const auto& [policy, doc] : state.at("inline_policies").items()) {
            if (inline_now.contains(policy)) continue;
            plan.calls.push_back({role ? "iam:PutRolePolicy" : "iam:PutUserPolicy",
                                  {{role ? "RoleName" : "UserName", name}, {"PolicyName", policy}, {"PolicyDocument", doc}},
                                  type + " " + name + ": put back inline policy " + policy, ""});
          }
          for (const auto& arn : state.at("attached_policies")) {
            std::string a = arn.get<std::string>();
            if (Has(attached_now, a)) continue;
            CW_TRY(there, exists("policy", a));
            if (!*there) {
              lost.push_back("the attachment of " + a + " to " + type + " " + name + " (the policy no longer exists)");
              continue;
            }
            plan.calls.push_back({role ? "iam:AttachRolePolicy" : "iam:AttachUserPolicy",
                                  {{role ? "RoleName" : "UserName", name}, {"PolicyArn", a}},
                                  type + " " + name + ": attach " + a + " again", ""});
          }
          for (const auto& g : state.value(role ? "instance_profiles" : "groups", json::array())) {
            std::string group = g.get<std::string>();
            if (Has(role ? profiles_now : groups_now, group)) continue;
            if (!role) {
              CW_TRY(there, exists("group", group));
              if (!*there) {
                lost.push_back("user " + name + "'s membership of group " + group + " (the group no longer exists)");
                continue;
              }
              plan.calls.push_back({"iam:AddUserToGroup", {{"UserName", name}, {"GroupName", group}},
                                    "user " + name + ": add back to group " + group, ""});
            } else {
              plan.calls.push_back({"iam:AddRoleToInstanceProfile", {{"InstanceProfileName", group}, {"RoleName", name}},
                                    "role " + name + ": add back to instance profile " + group, ""});
            }
          }
          if (!role) {
            for (const auto& k : state.value("access_keys", json::array())) {
              lost.push_back("access key " + k.value("id", "") + " of user " + name);
            }
            if (state.value("login_profile", false)) lost.push_back("the console password of user " + name);
            for (const auto& m : state.value("mfa_devices", json::array())) {
              lost.push_back("MFA device " + m.get<std::string>() + " of user " + name);
            }
          }
        } else if (type == "policy") {
          bool fresh = recreated.contains("policy|" + name);
          std::vector<std::string> users, roles, groups;
          if (!fresh) {
            CW_TRY(e, Must(aws::iam::ListEntitiesForPolicy(aws, name), "the entities of policy " + name));
            users = e->users, roles = e->roles, groups = e->groups;
          }
          for (const auto& [kind, field, now, op, param] :
               {std::tuple{"user", "users", &users, "iam:AttachUserPolicy", "UserName"},
                std::tuple{"role", "roles", &roles, "iam:AttachRolePolicy", "RoleName"},
                std::tuple{"group", "groups", &groups, "iam:AttachGroupPolicy", "GroupName"}}) {
            for (const auto& e : state.value(field, json::array())) {
              std::string entity = e.get<std::string>();
              if (Has(*now, entity)) continue;
              CW_TRY(there, exists(kind, entity));
              if (!*there) {
                lost.push_back("the attachment of " + name + " to " + kind + " " + entity + " (it no longer exists)");
                continue;
              }
              plan.calls.push_back({op, {{param, entity}, {"PolicyArn", name}},
                                    std::string(kind) + " " + entity + ": attach " + name + " again", ""});
            }
          }
        } else if (type == "policy-version") {
          CW_TRY(there, exists("policy", owner));
          if (!*there) {
            lost.push_back(item.value("name", "") + " of " + owner + " (the policy no longer exists)");
            continue;
          }
          plan.calls.push_back({"iam:CreatePolicyVersion",
                                {{"PolicyArn", owner}, {"PolicyDocument", state.at("document")}, {"SetAsDefault", "false"}},
                                "policy " + owner + ": recreate version " + name + " as a new, non-default version", ""});
        } else if (type == "user-policy" || type == "role-policy") {
          bool role = type == "role-policy";
          CW_TRY(there, exists(role ? "role" : "user", owner));
          if (!*there) {
            lost.push_back("inline policy " + name + " of " + owner + " (it no longer exists)");
            continue;
          }
          CW_TRY(doc, Maybe(role ? aws::iam::GetRolePolicy(aws, owner, name) : aws::iam::GetUserPolicy(aws, owner, name),
                            "inline policy " + name + " of " + owner));
          if (*doc) continue;  // put back already (or again by someone)
          plan.calls.push_back({role ? "iam:PutRolePolicy" : "iam:PutUserPolicy",
                                {{role ? "RoleName" : "UserName", owner}, {"PolicyName", name},
                                 {"PolicyDocument", state.at("document")}},
                                (role ? "role " : "user ") + owner + ": put back inline policy " + name, ""});
        } else if (type == "user-attachment" || type == "role-attachment") {
          bool role = type == "role-attachment";
          CW_TRY(owner_there, exists(role ? "role" : "user", owner));
          CW_TRY(policy_there, exists("policy", name));
          if (!*owner_there || !*policy_there) {
            lost.push_back("the attachment of " + name + " to " + owner + " (one of them no longer exists)");
            continue;
          }
          CW_TRY(a, Must(role ? aws::iam::ListAttachedRolePolicies(aws, owner) : aws::iam::ListAttachedUserPolicies(aws, owner),
                         "the attached policies of " + owner));
          if (Has(*a, name)) continue;
          plan.calls.push_back({role ? "iam:AttachRolePolicy" : "iam:AttachUserPolicy",
                                {{role ? "RoleName" : "UserName", owner}, {"PolicyArn", name}},
                                (role ? "role " : "user ") + owner + ": attach " + name + " again", ""});
        } else if (type == "group-membership") {
          CW_TRY(user_there, exists("user", owner));
          CW_TRY(group_there, exists("group", name));
          if (!*user_there || !*group_there) {
            lost.push_back("user " + owner + "'s membership of group " + name + " (one of them no longer exists)");
            continue;
          }
          CW_TRY(g, Must(aws::iam::ListGroupsForUser(aws, owner), "the groups of " + owner));
          if (Has(*g, name)) continue;
          plan.calls.push_back({"iam:AddUserToGroup", {{"UserName", owner}, {"GroupName", name}},
                                "user " + owner + ": add back to group " + name, ""});
        } else {
          lost.push_back(CreatedIam{type, owner, name}.Describe());
        }
      }
    } catch (const json::exception& e) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state is malformed: " + e.what());
    }
    OrderIamRestores(&plan.calls);
    for (const auto& l : lost) plan.notes.push_back("not restored: " + l);
    plan.summary = plan.no_op() ? "everything eradicated that can be restored is back already"
                                : "recreate what was eradicated (" + std::to_string(plan.calls.size()) + " call(s))";
    if (!lost.empty()) {
      plan.notes.push_back("deleted access keys, console passwords and MFA devices cannot be restored; issue new ones "
                           "if the identity is legitimate");
    }
    return plan;
  }
};

#undef CW_TRY

}  // namespace

std::unique_ptr<Action> MakeEradicateCreatedIamAction() { return std::make_unique<EradicateCreatedIamAction>(); }

}  // namespace cloudward::respond
