#include "respond/created_iam.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/text.h"
#include "core/time.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// A member of a CloudTrail object by its name, or by its lower-case name (Athena's form).
const json* Member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  if (auto it = object.find(name); it != object.end()) return &*it;
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto it = object.find(lower); it != object.end()) return &*it;
  return nullptr;
}

std::string Str(const json& object, const char* name) {
  const json* v = Member(object, name);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// requestParameters and responseElements: an object, or JSON text (Athena).
json Object(const json& record, const char* name) {
  const json* v = Member(record, name);
  if (!v) return json::object();
  if (v->is_object()) return *v;
  if (v->is_string()) {
    json parsed = json::parse(v->get<std::string>(), nullptr, false);
    if (parsed.is_object()) return parsed;
  }
  return json::object();
}

struct Principal {
  bool all = false;
  std::string access_key;  // when an access key id was given
  PrincipalName name;      // otherwise
};

bool ActorMatches(const Principal& p, const json& identity) {
  if (p.all) return true;
  if (!p.access_key.empty()) return Str(identity, "accessKeyId") == p.access_key;
  std::string arn = Str(identity, "arn");
  if (!arn.empty()) {
    if (auto actor = ParsePrincipal(arn); actor && actor->name == p.name.name &&
                                          (p.name.kind.empty() || p.name.kind == actor->kind)) {
      return true;
    }
  }
  if (p.name.kind != "role" && Str(identity, "type") == "IAMUser" && Str(identity, "userName") == p.name.name) {
    return true;
  }
  const json* context = Member(identity, "sessionContext");
  const json* issuer = context ? Member(*context, "sessionIssuer") : nullptr;
  return p.name.kind != "user" && issuer && Str(*issuer, "type") == "Role" && Str(*issuer, "userName") == p.name.name;
}

// The user a call without a userName parameter acts on: the caller itself.
std::string CallerUser(const json& identity) {
  if (Str(identity, "type") != "IAMUser") return "";
  std::string user = Str(identity, "userName");
  if (user.empty()) {
    if (auto p = ParsePrincipal(Str(identity, "arn")); p && p->kind == "user") user = p->name;
  }
  return user;
}

// The creation a successful call made, or nullopt (a call that creates nothing handled here).
std::optional<CreatedIam> Creation(const std::string& event, const json& request, const json& response,
                                   const json& identity, const std::string& account) {
  auto make = [&](const char* type, std::string owner, std::string name) -> std::optional<CreatedIam> {
    if (name.empty() || (std::string_view(type) != "user" && std::string_view(type) != "role" &&
                         std::string_view(type) != "policy" && owner.empty())) {
      return std::nullopt;
    }
    return CreatedIam{type, std::move(owner), std::move(name), event, "", "", 0};
  };
  std::string user = Str(request, "userName");
  if (user.empty()) user = CallerUser(identity);
  if (event == "CreateUser") return make("user", "", Str(request, "userName"));
  if (event == "CreateRole") return make("role", "", Str(request, "roleName"));
  if (event == "CreatePolicy") {
    std::string arn;
    if (const json* policy = Member(response, "policy")) arn = Str(*policy, "arn");
    if (arn.empty() && !account.empty() && !Str(request, "policyName").empty()) {
      std::string path = Str(request, "path");
      if (path.empty()) path = "/";
      arn = "arn:aws:iam::" + account + ":policy" + path + Str(request, "policyName");
    }
    return make("policy", "", arn);
  }
  if (event == "CreatePolicyVersion") {
    std::string version;
    if (const json* v = Member(response, "policyVersion")) version = Str(*v, "versionId");
    return make("policy-version", Str(request, "policyArn"), version);
  }
  if (event == "CreateAccessKey") {
    std::string key, owner = user;
    if (const json* k = Member(response, "accessKey")) {
      key = Str(*k, "accessKeyId");
      if (!Str(*k, "userName").empty()) owner = Str(*k, "userName");
    }
    return make("access-key", owner, key);
  }
  if (event == "CreateLoginProfile") return make("login-profile", user, user);
  if (event == "PutUserPolicy") return make("user-policy", user, Str(request, "policyName"));
  if (event == "PutRolePolicy") return make("role-policy", Str(request, "roleName"), Str(request, "policyName"));
  if (event == "AttachUserPolicy") return make("user-attachment", user, Str(request, "policyArn"));
  if (event == "AttachRolePolicy") return make("role-attachment", Str(request, "roleName"), Str(request, "policyArn"));
  if (event == "AddUserToGroup") return make("group-membership", user, Str(request, "groupName"));
  if (event == "EnableMFADevice") return make("mfa-device", user, Str(request, "serialNumber"));
  return std::nullopt;
}

// Persistence calls that are reported but not undone.
constexpr std::string_view kUnhandled[] = {
    "CreateInstanceProfile", "AddRoleToInstanceProfile", "CreateSAMLProvider",   "CreateOpenIDConnectProvider",
    "UploadSSHPublicKey",    "UploadSigningCertificate", "CreateServiceSpecificCredential", "UpdateAssumeRolePolicy",
    "AttachGroupPolicy",     "PutGroupPolicy",           "CreateGroup",          "SetDefaultPolicyVersion",
    "UpdateLoginProfile",    "CreateVirtualMFADevice"};

int Rank(const std::vector<std::string_view>& order, const std::string& operation) {
  auto it = std::find(order.begin(), order.end(), operation);
  return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

void Order(std::vector<ApiCall>* calls, const std::vector<std::string_view>& order) {
  std::vector<ApiCall> unique;
  std::set<std::string> seen;
  for (auto& c : *calls) {
    if (seen.insert(c.operation + "\n" + c.parameters.dump()).second) unique.push_back(std::move(c));
  }
  std::stable_sort(unique.begin(), unique.end(), [&](const ApiCall& a, const ApiCall& b) {
    return Rank(order, a.operation) < Rank(order, b.operation);
  });
  *calls = std::move(unique);
}

}  // namespace

std::string CreatedIam::Key() const { return type + "|" + owner + "|" + name; }

std::string CreatedIam::Describe() const {
  if (type == "user") return "user " + name;
  if (type == "role") return "role " + name;
  if (type == "policy") return "managed policy " + name;
  if (type == "policy-version") return "version " + name + " of policy " + owner;
  if (type == "access-key") return "access key " + name + " of user " + owner;
  if (type == "login-profile") return "console password of user " + owner;
  if (type == "user-policy") return "inline policy " + name + " of user " + owner;
  if (type == "role-policy") return "inline policy " + name + " of role " + owner;
  if (type == "user-attachment") return "policy " + name + " attached to user " + owner;
  if (type == "role-attachment") return "policy " + name + " attached to role " + owner;
  if (type == "group-membership") return "user " + owner + " in group " + name;
  if (type == "mfa-device") return "MFA device " + name + " of user " + owner;
  return type + " " + name;
}

Result<CreationSelection> CreatedIamResources(const std::vector<std::string>& records, const CreationQuery& query) {
  Principal who;
  if (query.principal == "all") {
    who.all = true;
  } else if (ValidAccessKeyId(query.principal)) {
    who.access_key = query.principal;
  } else {
    auto name = ParsePrincipal(query.principal);
    if (!name) return tl::unexpected(name.error());
    who.name = *name;
  }
  CreationSelection out;
  std::set<std::string> seen;
  std::vector<std::pair<int64_t, std::string>> unhandled;
  for (const auto& text : records) {
    json record = json::parse(text, nullptr, false);
    if (!record.is_object()) {
      ++out.malformed;
      continue;
    }
    if (Str(record, "eventSource") != "iam.amazonaws.com" || !Str(record, "errorCode").empty()) continue;
    const json* identity = Member(record, "userIdentity");
    if (!identity || !ActorMatches(who, *identity)) continue;
    std::string time_text = Str(record, "eventTime");
    auto time = ParseIsoTime(time_text);
    if (!time) {
      // Athena's "2023-01-10 23:10:06".
      std::string iso = time_text;
      if (iso.size() == 19 && iso[10] == ' ') iso = iso.substr(0, 10) + "T" + iso.substr(11) + "Z";
      time = ParseIsoTime(iso);
    }
    if ((query.since_ms || query.until_ms) && !time) continue;
    if (query.since_ms && *time < *query.since_ms) continue;
    if (query.until_ms && *time > *query.until_ms) continue;
    std::string event = Str(record, "eventName");
    std::string account = Str(record, "recipientAccountId");
    if (account.empty()) account = Str(*identity, "accountId");
    if (account.empty()) account = query.account;
    auto created = Creation(event, Object(record, "requestParameters"), Object(record, "responseElements"), *identity,
                            account);
    if (!created) {
      if (std::find(std::begin(kUnhandled), std::end(kUnhandled), event) != std::end(kUnhandled)) {
        unhandled.emplace_back(time.value_or(0), event + " at " + time_text + " (event " + Str(record, "eventID") +
                                                     "): not undone by cloudward; review it by hand");
      }
      continue;
    }
    created->event_id = Str(record, "eventID");
    created->event_time = time_text;
    created->time_ms = time.value_or(0);
    if (!seen.insert(created->Key()).second) {
      // The earliest creation is kept.
      for (auto& c : out.created) {
        if (c.Key() == created->Key() && created->time_ms < c.time_ms) c = *created;
      }
      continue;
    }
    out.created.push_back(std::move(*created));
  }
  std::stable_sort(out.created.begin(), out.created.end(),
                   [](const CreatedIam& a, const CreatedIam& b) { return a.time_ms < b.time_ms; });
  std::stable_sort(unhandled.begin(), unhandled.end());
  for (auto& [t, text] : unhandled) out.unhandled.push_back(std::move(text));
  return out;
}

bool MatchesAnyPattern(std::string_view patterns, std::string_view name) {
  size_t start = 0;
  while (start <= patterns.size()) {
    size_t comma = patterns.find(',', start);
    std::string_view p = patterns.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
    while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
    if (!p.empty() && WildcardMatch(p, name, /*case_insensitive=*/true)) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

void OrderIamDeletions(std::vector<ApiCall>* calls) {
  Order(calls, {"iam:DetachUserPolicy", "iam:DetachRolePolicy", "iam:DetachGroupPolicy", "iam:DeleteUserPolicy",
                "iam:DeleteRolePolicy", "iam:DeleteAccessKey", "iam:DeleteLoginProfile", "iam:DeactivateMFADevice",
                "iam:DeleteVirtualMFADevice", "iam:RemoveUserFromGroup", "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteUser", "iam:DeleteRole", "iam:DeletePolicyVersion", "iam:DeletePolicy"});
}

void OrderIamRestores(std::vector<ApiCall>* calls) {
  Order(calls, {"iam:CreatePolicy", "iam:CreateUser", "iam:CreateRole", "iam:CreatePolicyVersion",
                "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:AttachUserPolicy", "iam:AttachRolePolicy",
                "iam:AttachGroupPolicy", "iam:AddUserToGroup", "iam:AddRoleToInstanceProfile"});
}

}  // namespace cloudward::respond
