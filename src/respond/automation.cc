#include "respond/automation.h"

#include <algorithm>

#include "core/text.h"

namespace cloudward::respond {
namespace {

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return WildcardMatch(p, text, /*case_insensitive=*/true); });
}

}  // namespace

std::vector<AutomationDecision> MatchPolicies(const config::AutomationConfig& automation, const PlaybookSet& playbooks,
                                              const store::Incident& incident,
                                              const std::vector<std::string>& finding_types) {
  std::vector<AutomationDecision> out;
  for (const auto& policy : automation.policies) {
    if (incident.severity < policy.min_severity) continue;
    if (!policy.rules.empty()) {
      bool any = std::any_of(incident.rules.begin(), incident.rules.end(), [&](const store::RuleSummary& r) {
        return AnyGlob(policy.rules, r.id) || AnyGlob(policy.rules, r.title);
      });
      if (!any) continue;
    }
    if (!policy.finding_types.empty()) {
      bool any = std::any_of(finding_types.begin(), finding_types.end(),
                             [&](const std::string& t) { return AnyGlob(policy.finding_types, t); });
      if (!any) continue;
    }
    const Playbook* pb = playbooks.Find(policy.playbook);
    bool seen = std::any_of(out.begin(), out.end(), [&](const auto& d) { return d.policy->playbook == policy.playbook; });
    if (!seen) out.push_back({&policy, pb, policy.mode});
  }
  return out;
}

std::vector<PlaybookProblem> CheckPolicies(const config::AutomationConfig& automation, const PlaybookSet& playbooks,
                                           const std::string& config_file) {
  std::vector<PlaybookProblem> out;
  for (const auto& policy : automation.policies) {
    if (!playbooks.Find(policy.playbook)) {
      out.push_back({config_file, policy.where.line,
                     "automation policy names playbook '" + policy.playbook + "', which does not exist "
                     "(see `cloudward playbook list`)"});
    }
  }
  return out;
}

void ActionRateLimiter::Expire(int64_t now_ms) {
  constexpr int64_t kHourMs = 3600 * 1000;
  while (!recent_.empty() && recent_.front().first <= now_ms - kHourMs) {
    if (--per_target_[recent_.front().second] == 0) per_target_.erase(recent_.front().second);
    recent_.pop_front();
  }
}

bool ActionRateLimiter::Allow(const std::string& target, int64_t now_ms) {
  Expire(now_ms);
  if (static_cast<int>(recent_.size()) >= per_hour_) return false;
  auto it = per_target_.find(target);
  if (it != per_target_.end() && it->second >= per_resource_) return false;
  recent_.emplace_back(now_ms, target);
  ++per_target_[target];
  return true;
}

bool ActionRateLimiter::AllowAll(const std::vector<std::string>& targets, int64_t now_ms) {
  Expire(now_ms);
  if (static_cast<int>(recent_.size() + targets.size()) > per_hour_) return false;
  std::map<std::string, int> wanted;
  for (const auto& t : targets) ++wanted[t];
  for (const auto& [t, n] : wanted) {
    auto it = per_target_.find(t);
    if ((it == per_target_.end() ? 0 : it->second) + n > per_resource_) return false;
  }
  for (const auto& t : targets) {
    recent_.emplace_back(now_ms, t);
    ++per_target_[t];
  }
  return true;
}

}  // namespace cloudward::respond
