#include "config/people.h"

#include <algorithm>
#include <set>

namespace cloudward::config {

std::vector<std::string> OnCallNow(const PeopleConfig& people, std::string_view role, int64_t now_ms) {
  auto it = people.on_call.find(std::string(role));
  if (it != people.on_call.end() && !it->second.people.empty()) {
    const OnCall& oc = it->second;
    if (!oc.weekly) return oc.people;
    constexpr int64_t kWeekMs = 7LL * 86'400'000;
    int64_t weeks = (now_ms - oc.rotation_start_ms) / kWeekMs;
    if (now_ms < oc.rotation_start_ms) weeks = (now_ms - oc.rotation_start_ms - kWeekMs + 1) / kWeekMs;
    const int64_t n = static_cast<int64_t>(oc.people.size());
    return {oc.people[static_cast<size_t>(((weeks % n) + n) % n)]};
  }
  auto r = people.roles.find(std::string(role));
  if (r != people.roles.end()) return r->second;
  return {};
}

std::vector<PeopleGap> CheckPeople(const Config& config, int64_t now_ms) {
  const PeopleConfig& people = config.people;
  std::vector<PeopleGap> gaps;
  for (Level level : {Level::kCritical, Level::kHigh, Level::kMedium, Level::kLow}) {
    auto it = people.escalation.find(level);
    if (it == people.escalation.end() || it->second.empty())
      gaps.push_back({{}, "severity " + std::string(LevelName(level)) + " has no escalation path"});
  }
  std::set<std::string> used_roles;
  for (const auto& [level, steps] : people.escalation)
    for (const EscalationStep& s : steps) used_roles.insert(s.roles.begin(), s.roles.end());
  for (const Route& r : config.alerts.routes) used_roles.insert(r.roles.begin(), r.roles.end());
  for (const char* role : kRoleNames) used_roles.insert(role);
  for (const std::string& role : used_roles) {
    std::vector<std::string> now = OnCallNow(people, role, now_ms);
    bool anyone = false;
    for (const std::string& name : now) {
      const Contact* c = people.FindContact(name);
      if (c && c->Reachable()) anyone = true;
    }
    if (!anyone) {
      auto w = people.role_where.find(role);
      gaps.push_back({w == people.role_where.end() ? SourceLocation{} : w->second,
                      "role " + role + " has nobody reachable on call now"});
    }
  }
  for (const Contact& c : people.contacts)
    if (!c.Reachable())
      gaps.push_back({c.where, "contact " + c.name + " has no email, phone, slack, teams or pagerduty"});
  return gaps;
}

}  // namespace cloudward::config
