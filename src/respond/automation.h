// Automation policies (config `automation`): which playbook an incident triggers, in which mode,
// and the rate limits that keep a runaway rule from changing half an account. Pure decisions;
// serve/automator.h runs them.
//
//   auto fits = respond::MatchPolicies(config.automation, playbooks, incident, guardduty_types);
//   for (const auto& d : fits) ...   // d.playbook, d.mode
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "respond/playbook.h"
#include "store/incident.h"

namespace cloudward::respond {

struct AutomationDecision {
  const config::AutomationPolicy* policy = nullptr;
  const Playbook* playbook = nullptr;  // null when the policy names an unknown playbook
  config::AutomationMode mode = config::AutomationMode::kPlan;
};

// The policies that fit the incident, in configuration order, at most one per playbook. A policy
// fits when the incident's severity is at least `severity`, and (when given) one of its rules
// matches `rules` (rule id or title, '*' wildcards, case-insensitive) and one of `finding_types`
// matches a GuardDuty finding type of the incident (same wildcards). A policy with no rules and no
// finding types fits on severity alone.
std::vector<AutomationDecision> MatchPolicies(const config::AutomationConfig& automation, const PlaybookSet& playbooks,
                                              const store::Incident& incident,
                                              const std::vector<std::string>& finding_types);

// Policies naming playbooks that do not exist, as "file:line: reason" problems (checked at start).
std::vector<PlaybookProblem> CheckPolicies(const config::AutomationConfig& automation, const PlaybookSet& playbooks,
                                           const std::string& config_file);

// Sliding one-hour windows: at most `per_hour` automated actions in all, `per_resource_per_hour`
// on one target. Not thread-safe.
class ActionRateLimiter {
 public:
  ActionRateLimiter(int per_hour, int per_resource_per_hour) : per_hour_(per_hour), per_resource_(per_resource_per_hour) {}
  // True and counted when one more action on `target` at `now_ms` is within both limits.
  bool Allow(const std::string& target, int64_t now_ms);
  // All or nothing: true and every target counted when they all fit together.
  bool AllowAll(const std::vector<std::string>& targets, int64_t now_ms);

 private:
  void Expire(int64_t now_ms);
  int per_hour_, per_resource_;
  std::deque<std::pair<int64_t, std::string>> recent_;
  std::map<std::string, int> per_target_;
};

}  // namespace cloudward::respond
