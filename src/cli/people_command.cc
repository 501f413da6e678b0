// `cloudward people check [--config FILE] [--at TIME]`: validates the people section beyond the
// loader (every severity has an escalation path, every role has someone reachable on call, every
// contact has a channel), and prints the on-call roster and the escalation ladders.
// Exit 0 when there are no gaps, 1 with the gaps listed, 2 when the configuration has problems.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "config/config_loader.h"
#include "config/people.h"
#include "core/clock.h"
#include "core/time.h"

namespace cloudward::cli {
namespace people_command {

struct PeopleCheckOptions {
  std::string config;
  std::string at;
};

std::string FormatDuration(int64_t ms) {
  if (ms % 3'600'000 == 0 && ms > 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  return std::to_string(ms / 1000) + "s";
}

std::string Reach(const config::Contact& c) {
  std::string s;
  auto add = [&](const char* what, const std::string& v) {
    if (!v.empty()) s += (s.empty() ? "" : ", ") + std::string(what) + " " + v;
  };
  add("email", c.email);
  add("phone", c.phone);
  add("slack", c.slack);
  add("teams", c.teams);
  add("pagerduty", c.pagerduty);
  return s.empty() ? "unreachable" : s;
}

int RunPeopleCheck(const PeopleCheckOptions& o) {
  const auto path = config::FindConfigPath(o.config);
  config::LoadResult r = path ? config::LoadConfigFile(*path) : config::LoadResult{};
  if (!r.ok()) {
    for (const config::Problem& p : r.problems) std::fprintf(stderr, "%s\n", p.ToString().c_str());
    return kExitUsage;
  }
  int64_t now = SystemClock().NowMs();
  if (!o.at.empty()) {
    auto t = ParseIsoTime(o.at);
    if (!t) {
      std::fprintf(stderr, "cloudward: --at: expected an ISO 8601 time\n");
      return kExitUsage;
    }
    now = *t;
  }
  const config::PeopleConfig& people = r.config.people;
  std::printf("On call at %s:\n", FormatIsoTime(now).c_str());
  for (const char* role : config::kRoleNames) {
    std::vector<std::string> names = config::OnCallNow(people, role, now);
    std::printf("  %-19s", role);
    if (names.empty()) std::printf(" (nobody)");
    for (size_t i = 0; i < names.size(); ++i) {
      const config::Contact* c = people.FindContact(names[i]);
      std::printf("%s %s (%s)", i ? ";" : "", names[i].c_str(), c ? Reach(*c).c_str() : "unknown contact");
    }
    std::printf("\n");
  }
  std::printf("Escalation:\n");
  for (Level level : {Level::kCritical, Level::kHigh, Level::kMedium, Level::kLow, Level::kInformational}) {
    auto it = people.escalation.find(level);
    if (it == people.escalation.end()) continue;
    std::printf("  %s:\n", std::string(LevelName(level)).c_str());
    for (const config::EscalationStep& s : it->second) {
      std::string roles, via;
      for (const std::string& x : s.roles) roles += (roles.empty() ? "" : ", ") + x;
      for (const std::string& x : s.via) via += (via.empty() ? "" : ", ") + x;
      std::printf("    +%-5s %s%s\n", FormatDuration(s.after_ms).c_str(), roles.c_str(),
                  via.empty() ? " (via the matched routes)" : (" via " + via).c_str());
    }
  }
  if (!people.aws_support.plan.empty()) {
    std::printf("AWS Support: %s plan", people.aws_support.plan.c_str());
    for (const auto& [level, sev] : people.aws_support.case_severity)
      std::printf("; %s -> %s", std::string(LevelName(level)).c_str(), sev.c_str());
    std::printf("\n");
  }
  std::vector<config::PeopleGap> gaps = config::CheckPeople(r.config, now);
  if (gaps.empty()) {
    std::printf("No gaps.\n");
    return kExitOk;
  }
  std::printf("Gaps (%zu):\n", gaps.size());
  for (const config::PeopleGap& g : gaps) {
    if (g.where.line > 0 && path)
      std::printf("  %s:%d:%d: %s\n", path->c_str(), g.where.line, g.where.column, g.reason.c_str());
    else
      std::printf("  %s\n", g.reason.c_str());
  }
  return kExitFindings;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("people", "On-call roster and escalation ladder");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<PeopleCheckOptions>();
  auto* check = cmd->add_subcommand("check", "Print who is on call and find gaps (exit 0 none, 1 gaps, 2 bad config)");
  check->add_option("--config", opts->config, "Configuration file (default: $CLOUDWARD_CONFIG, ~/.config/cloudward/cloudward.yaml)");
  check->add_option("--at", opts->at, "Evaluate the rota at this ISO 8601 time instead of now");
  check->callback([opts, exit_code] { *exit_code = RunPeopleCheck(*opts); });
}

}  // namespace people_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(people, 910, cloudward::cli::people_command::SetUp);
