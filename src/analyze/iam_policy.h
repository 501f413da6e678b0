// IAM policy documents and their evaluation, enough to answer "what can this principal reach":
// Allow/Deny, Action/NotAction, Resource/NotResource with * and ? wildcards, and whether a
// Condition stands in the way (reported as "conditional", never evaluated: the attacker's
// request context is unknown).
//
//   auto doc = ParsePolicyDocument(json);               // object, or the URL-encoded string IAM returns
//   Reach r = ReachOf({&doc}, "iam:CreateAccessKey");    // resources it is allowed on
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/text.h"

namespace cloudward::analyze {

struct PolicyStatement {
  bool allow = true;
  bool not_action = false, not_resource = false;
  std::vector<std::string> actions;    // Action or NotAction patterns
  std::vector<std::string> resources;  // Resource or NotResource patterns (empty: trust policies)
  bool has_condition = false;
  // Trust policies: Principal. "*" is stored as aws = {"*"}.
  std::vector<std::string> principal_aws, principal_service, principal_federated;
};

struct PolicyDocument {
  std::string name;  // for reports: "inline alice/ops" or a managed policy ARN
  std::vector<PolicyStatement> statements;
};

// Accepts the document as a JSON object or as a (possibly URL-encoded) JSON string.
Result<PolicyDocument> ParsePolicyDocument(const nlohmann::json& value, std::string name);

// IAM wildcard match: '*' any run, '?' one character. Actions compare case-insensitively.
using cloudward::WildcardMatch;  // core/text.h
bool ActionMatches(const PolicyStatement& s, std::string_view action);
bool ResourceMatches(const PolicyStatement& s, std::string_view resource);

// Where a set of policies lets `action` go.
struct Reach {
  bool allowed = false;       // some Allow statement covers the action
  bool conditional = false;   // ... but every such statement has a Condition
  bool denied_everywhere = false;            // an unconditional Deny on Resource "*"
  std::vector<std::string> resources;         // Allow patterns ("NOT x" for NotResource)
  std::vector<std::string> denied_resources;  // unconditional Deny patterns
  std::vector<std::string> granted_by;        // policy names
  bool effective() const { return allowed && !denied_everywhere; }
};
Reach ReachOf(const std::vector<const PolicyDocument*>& policies, std::string_view action);

// Is `action` on the specific `resource` allowed? Explicit unconditional Deny wins; an Allow with
// a Condition makes the answer conditional.
enum class Decision { kDeny, kImplicitDeny, kConditionalAllow, kAllow };
Decision Evaluate(const std::vector<const PolicyDocument*>& policies, std::string_view action,
                  std::string_view resource);
// Identity policies filtered by a permissions boundary (none = no boundary).
Decision EvaluateWithBoundary(const std::vector<const PolicyDocument*>& identity,
                              const PolicyDocument* boundary, std::string_view action,
                              std::string_view resource);

}  // namespace cloudward::analyze
