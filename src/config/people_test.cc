#include "config/people.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "core/time.h"

namespace cloudward::config {
namespace {

Config Load(std::string_view text) {
  LoadResult r = LoadConfigText(text, "p.yaml");
  EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0].ToString());
  return r.config;
}

TEST(People, WeeklyRotationPicksOnePersonPerWeek) {
  Config c = Load(
      "people:\n"
      "  contacts: {a: {email: a@x}, b: {email: b@x}, c: {email: c@x}}\n"
      "  roles: {incident_commander: [a, b, c], responders: [a, b]}\n"
      "  on_call:\n"
      "    incident_commander: {people: [a, b, c], rotation: weekly, start: 2026-01-05T09:00:00Z}\n");
  const int64_t start = *ParseIsoTime("2026-01-05T09:00:00Z");
  constexpr int64_t kWeek = 7LL * 86'400'000;
  EXPECT_EQ(OnCallNow(c.people, "incident_commander", start), std::vector<std::string>{"a"});
  EXPECT_EQ(OnCallNow(c.people, "incident_commander", start + kWeek - 1), std::vector<std::string>{"a"});
  EXPECT_EQ(OnCallNow(c.people, "incident_commander", start + kWeek), std::vector<std::string>{"b"});
  EXPECT_EQ(OnCallNow(c.people, "incident_commander", start + 3 * kWeek), std::vector<std::string>{"a"});
  EXPECT_EQ(OnCallNow(c.people, "incident_commander", start - 1), std::vector<std::string>{"c"});
  // Without a rota, the role's members are all on call.
  EXPECT_EQ(OnCallNow(c.people, "responders", start), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(OnCallNow(c.people, "legal", start).empty());
}

TEST(People, CheckFindsEveryGap) {
  Config c = Load(
      "people:\n"
      "  contacts: {a: {email: a@x}, ghost: {}}\n"
      "  roles: {incident_commander: [a], responders: [ghost], legal: [a], communications: [a],"
      " management: [a]}\n"
      "  escalation:\n"
      "    critical: [{after: 0m, notify: incident_commander}]\n"
      "    high: [{after: 0m, notify: responders}]\n");
  std::vector<PeopleGap> gaps = CheckPeople(c, 0);
  std::vector<std::string> reasons;
  for (auto& g : gaps) reasons.push_back(g.reason);
  EXPECT_EQ(reasons.size(), 4u);
  auto has = [&](std::string_view s) {
    for (auto& r : reasons)
      if (r.find(s) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("severity medium has no escalation path"));
  EXPECT_TRUE(has("severity low has no escalation path"));
  EXPECT_TRUE(has("role responders has nobody reachable"));
  EXPECT_TRUE(has("contact ghost has no email"));
}

TEST(People, ExampleConfigHasNoGaps) {
  LoadResult r = LoadConfigFile(CW_SOURCE_DIR "/docs/examples/cloudward.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(CheckPeople(r.config, *ParseIsoTime("2026-11-28T10:00:00Z")).empty());
}

}  // namespace
}  // namespace cloudward::config
