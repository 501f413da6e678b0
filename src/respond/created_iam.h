// The pure parts of eradicate-created-iam: which IAM resources the incident's CloudTrail records
// say an actor created, and the order in which deleting (or restoring) them works.
//
//   auto found = CreatedIamResources(records, {.principal = "arn:aws:iam::1:user/alice"});
//   for (const auto& c : found.created) ...;   // {"user", "", "backdoor"}, {"access-key", "bob", "AKIA..."}
//   OrderIamDeletions(&calls);                 // detach, inline, keys, ..., DeleteUser, DeletePolicy
//
// A record counts when it is a successful (no errorCode) IAM call by the principal inside the
// window. Creation calls and what they leave behind (type, owner, name):
//   CreateUser             user             ""            user name
//   CreateRole             role             ""            role name
//   CreatePolicy           policy           ""            policy ARN
//   CreatePolicyVersion    policy-version   policy ARN    version id
//   CreateAccessKey        access-key       user name     access key id
//   CreateLoginProfile     login-profile    user name     user name
//   PutUserPolicy          user-policy      user name     policy name
//   PutRolePolicy          role-policy      role name     policy name
//   AttachUserPolicy       user-attachment  user name     policy ARN
//   AttachRolePolicy       role-attachment  role name     policy ARN
//   AddUserToGroup         group-membership user name     group name
//   EnableMFADevice        mfa-device       user name     serial number
// Other persistence calls (instance profiles, identity providers, SSH keys, ...) are reported in
// `unhandled`, never acted on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "respond/action.h"

namespace cloudward::respond {

struct CreatedIam {
  std::string type;   // see the table above
  std::string owner;  // the user, role or policy it belongs to; "" for users, roles and policies
  std::string name;
  std::string event_name;  // "CreateUser"
  std::string event_id;
  std::string event_time;  // as recorded
  int64_t time_ms = 0;

  // "type|owner|name": the same resource created twice is one item.
  std::string Key() const;
  // For people: "access key AKIA... of user bob".
  std::string Describe() const;
  bool operator==(const CreatedIam& o) const { return Key() == o.Key(); }
};

struct CreationQuery {
  // Whose calls count: a user, role or assumed-role ARN, a bare user or role name, an access key
  // id (AKIA/ASIA...), or "all" (every actor of the incident).
  std::string principal;
  std::optional<int64_t> since_ms, until_ms;  // inclusive; nullopt: unbounded
  std::string account;                        // for policy ARNs built from a name, when known
};

struct CreationSelection {
  std::vector<CreatedIam> created;     // in time order, one per resource
  std::vector<std::string> unhandled;  // "CreateInstanceProfile at 2026-...: not handled by cloudward"
  size_t malformed = 0;                // records that are not CloudTrail JSON
};

// kInvalidArgument for a principal that is none of the forms above.
Result<CreationSelection> CreatedIamResources(const std::vector<std::string>& records, const CreationQuery& query);

// True when `name` matches one of the comma-separated '*' patterns (case-insensitive).
bool MatchesAnyPattern(std::string_view patterns, std::string_view name);

// Puts deletions in the order IAM accepts them, keeping the relative order of equals and
// dropping exact duplicates: detach managed policies, delete inline policies, access keys, login
// profiles, MFA devices, group memberships, instance-profile memberships, then users and roles,
// then non-default policy versions, then policies. Unknown operations go last.
void OrderIamDeletions(std::vector<ApiCall>* calls);
// The reverse for rollback: policies, users and roles first, then policy versions, inline
// policies, attachments, group and instance-profile memberships.
void OrderIamRestores(std::vector<ApiCall>* calls);

}  // namespace cloudward::respond
