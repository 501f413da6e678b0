// Who is on call and who is told when: the people section of the configuration, evaluated at a
// point in time. Pure functions over PeopleConfig; thread-safe.
//
//   auto on_call = config::OnCallNow(config.people, "incident_commander", clock.NowMs());
//   std::vector<config::PeopleGap> gaps = config::CheckPeople(config, clock.NowMs());
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"

namespace cloudward::config {

// Contact names on call for `role` at `now_ms`: the on_call rota (weekly: one person, chosen by
// whole weeks since its start; otherwise all listed), or, without a rota, every member of the role.
std::vector<std::string> OnCallNow(const PeopleConfig& people, std::string_view role, int64_t now_ms);

struct PeopleGap {
  SourceLocation where;  // line 0 when the gap is an absence (nothing configured)
  std::string reason;
};

// Gaps that would leave an incident without a person: a severity with no escalation path, a role
// used in escalation or routes with nobody on call now, a contact with no way to reach them.
std::vector<PeopleGap> CheckPeople(const Config& config, int64_t now_ms);

}  // namespace cloudward::config
