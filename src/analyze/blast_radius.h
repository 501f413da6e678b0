// Blast radius of a compromised principal, from an IAM snapshot
// (`aws iam get-account-authorization-details` output): what it may do directly, the roles it can
// assume (transitively, through trust policies and sts:AssumeRole permissions), the roles it can
// pass to services that run code, and the known privilege-escalation paths open to it.
//
//   auto snap = IamSnapshot::Parse(json_text);
//   auto radius = ComputeBlastRadius(*snap, "arn:aws:iam::111122223333:user/alice");
//
// Evaluation is over identity policies, group policies and permission boundaries (iam_policy.h).
// Not modelled: SCPs, resource policies other than role trust, session policies, and Condition
// values (an Allow behind a Condition is reported as conditional). This errs towards reporting
// more reach, which is the safe side for an incident responder.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/iam_policy.h"
#include "core/result.h"

namespace cloudward::analyze {

struct IamPrincipal {
  enum class Kind { kUser, kRole } kind = Kind::kUser;
  std::string name, arn, account;
  std::vector<std::string> groups;              // users: group names
  std::vector<const PolicyDocument*> policies;  // inline + attached managed (+ groups' for users)
  const PolicyDocument* boundary = nullptr;
  std::optional<PolicyDocument> trust;          // roles: AssumeRolePolicyDocument
  std::vector<std::string> instance_profiles;   // roles
  std::map<std::string, std::string> tags;
};

class IamSnapshot {
 public:
  // Problems that did not stop the parse (an unreadable policy, a dangling managed-policy ARN).
  std::vector<std::string> warnings;

  static Result<IamSnapshot> Parse(std::string_view json_text);

  const std::vector<IamPrincipal>& principals() const { return principals_; }
  // By ARN, user or role name, or an assumed-role session ARN (-> its role).
  const IamPrincipal* Find(std::string_view who) const;

 private:
  std::vector<std::unique_ptr<PolicyDocument>> documents_;  // stable addresses
  std::vector<IamPrincipal> principals_;
};

struct ActionReach {
  std::string action;
  std::string why;                     // what an intruder does with it
  std::vector<std::string> resources;  // patterns it is allowed on
  bool conditional = false;
  std::vector<std::string> granted_by;
};

struct RoleHop {
  std::string role_arn;
  std::vector<std::string> via;  // the chain of roles before this one (empty: assumed directly)
  bool conditional = false;      // a Condition in the trust or the permission
  bool admin = false;
};

struct PassableRole {
  std::string role_arn, service;  // service principal the role trusts, e.g. ec2.amazonaws.com
  bool admin = false;
  bool can_launch = false;         // the principal may also create what runs the role
  std::string launch_action;       // e.g. ec2:RunInstances
};

struct EscalationPath {
  std::string name;                  // e.g. "CreatePolicyVersion"
  std::string description;
  std::vector<std::string> actions;  // all allowed
  bool conditional = false;
  std::vector<std::string> targets;  // resources of the key action, or the role passed
};

struct BlastRadius {
  std::string principal_arn;
  std::string kind;  // user | role
  bool admin = false;  // Allow * on * (after boundary and Deny)
  std::vector<std::string> policies;
  std::string boundary;
  std::vector<ActionReach> sensitive;       // sensitive actions it may perform
  std::vector<RoleHop> assumable_roles;     // transitively
  std::vector<PassableRole> passable_roles;
  std::vector<EscalationPath> escalation_paths;
  std::vector<std::string> services;        // services with any allowed action (by prefix seen)
};

Result<BlastRadius> ComputeBlastRadius(const IamSnapshot& snapshot, std::string_view who);

nlohmann::json BlastRadiusJson(const BlastRadius& radius);

}  // namespace cloudward::analyze
