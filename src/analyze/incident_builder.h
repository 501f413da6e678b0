// IncidentBuilder turns findings into incidents: it decides which findings belong together, folds
// their facts into store::Incident values and scores them.
//
//   analyze::IncidentBuilder builder(policy);
//   auto groups = builder.GroupFindings(findings, open_incidents);
//   for (const auto& g : groups) { ... builder.Absorb(incident, *findings[i]); builder.Finish(incident); }
//
// Grouping. Every finding yields link keys that name an entity:
//   akid:<access key id>            principal:<IAM ARN>          session:<assumed-role session ARN>
//   user:<account>/<name>           ip:<public ip>, ip:<account>/<private ip>
//   res:<resource id or ARN>        (an EC2 instance's role session "…/i-0abc" also yields res:i-0abc)
// Two findings (or a finding and an open incident) belong together when they share a key and
// their times are at most `window_ms` apart (chains: A-B 20h, B-C 20h puts A, B and C together).
// That links across log types: a GuardDuty finding on i-0abc, a flow-log finding of its ENI or IP
// and CloudTrail calls made with the instance role's session i-0abc. When a new finding links two
// open incidents, they are merged.
// Weak keys never link on their own: AWS service principals (ec2.amazonaws.com), IAM roles (many
// unrelated sessions assume one role), AWS-managed policies, VPCs and subnets, IPs listed in
// policy.shared_ips, IPs used by more than policy.max_principals_per_ip distinct principals
// (NAT gateways, proxies), resources touched by more than policy.max_principals_per_resource
// distinct principals (a secret every service reads, a role every engineer assumes), and the
// resources of informational and low findings (routine activity joins its actor's incident
// through the actor, never through what it touched).
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/finding.h"
#include "store/incident.h"

namespace cloudward::analyze {

struct IncidentPolicy {
  int64_t window_ms = 24LL * 3600 * 1000;
  std::vector<std::string> shared_ips;  // NAT gateways, proxies, scanners' egress: weak links
  size_t max_principals_per_ip = 3;     // an IP used by more distinct principals is shared
  size_t max_principals_per_resource = 25;  // likewise a resource (secret, role name, KMS key)
  // Case-insensitive substrings of resource ids, ARNs or names, or account ids, that mark an
  // asset as critical (e.g. "prod", "arn:aws:s3:::payroll", "123456789012"). An incident touching
  // one is raised one severity step.
  std::vector<std::string> critical_assets;
  int64_t high_volume = 25;  // this many findings of level high or critical raise severity a step
};

struct LinkKeys {
  std::vector<std::string> strong;  // sorted, unique
  std::vector<std::string> weak;
};

LinkKeys LinkKeysOf(const Finding& finding, const IncidentPolicy& policy);

// Severity from rule levels (the highest), raised one step each for: a progression over three or
// more ATT&CK tactics of findings of level low or above (informational findings - discovery
// calls, role assumptions, console logins - describe routine as often as attack, so they give
// context, not progression); such a progression that reaches exfiltration or impact after
// persistence, privilege escalation or credential access; a critical asset; a high volume of
// high findings. Informational only when every finding is informational and nothing raises it;
// never above critical.
Level ScoreSeverity(const store::Incident& incident, const IncidentPolicy& policy);

class IncidentBuilder {
 public:
  explicit IncidentBuilder(IncidentPolicy policy = {});

  struct Group {
    std::vector<size_t> findings;   // indexes into the findings given to GroupFindings
    std::vector<size_t> incidents;  // indexes into the open incidents given (more than one: merge)
  };

  // Groups `findings` with each other and with `open` incidents. Returns only groups with at least
  // one finding, ordered by their first finding; deterministic for the same input.
  std::vector<Group> GroupFindings(const std::vector<const Finding*>& findings,
                                   const std::vector<store::Incident>& open) const;

  // Adds one finding's facts to `incident` (counts, times, actors, resources, ATT&CK, rules, keys).
  void Absorb(store::Incident& incident, const Finding& finding) const;
  // Folds the facts of `from` into `into`.
  void Merge(store::Incident& into, const store::Incident& from) const;
  // Recomputes severity and title; call after Absorb/Merge.
  void Finish(store::Incident& incident) const;

  const IncidentPolicy& policy() const { return policy_; }

 private:
  IncidentPolicy policy_;
};

}  // namespace cloudward::analyze
