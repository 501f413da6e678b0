// `cloudward permissions`: the least-privilege IAM policy for the response actions cloudward may
// run — all of them, those of some playbooks, or some actions — to attach to the role cloudward
// runs as. --read-only gives the policy for planning only (dry runs, `playbook plan`).
//
//   cloudward permissions [--playbook ID]... [--action KIND]... [--playbooks DIR]... [--read-only]
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "respond/action.h"
#include "respond/playbook.h"

namespace cloudward::cli {
namespace permissions_command {  // named: the CLI is one unity build (see command.h)

struct PermissionsOptions {
  std::vector<std::string> playbooks, actions, dirs;
  bool read_only = false;
};

int Run(const PermissionsOptions& opt) {
  std::vector<std::string> kinds = opt.actions;
  for (const auto& kind : opt.actions) {
    if (!respond::FindAction(kind)) {
      fmt::print(stderr, "permissions: unknown action '{}' (see `cloudward respond --help`)\n", kind);
      return kExitUsage;
    }
  }
  if (!opt.playbooks.empty()) {
    auto set = respond::LoadPlaybooks(opt.dirs);
    for (const auto& p : set.problems) fmt::print(stderr, "permissions: {}\n", p.Describe());
    if (!set.problems.empty()) return kExitUsage;
    for (const auto& id : opt.playbooks) {
      const auto* pb = set.Find(id);
      if (!pb) {
        fmt::print(stderr, "permissions: no playbook '{}' (see `cloudward playbook list`)\n", id);
        return kExitUsage;
      }
      for (const auto& step : pb->steps) {
        if (!step.action.empty()) kinds.push_back(step.action);
      }
    }
  }
  if (opt.actions.empty() && opt.playbooks.empty()) {
    for (const auto* a : respond::Actions()) kinds.emplace_back(a->Kind());
  }
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  std::puts(respond::PermissionsPolicy(kinds, opt.read_only).dump(2).c_str());
  std::string list;
  for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
  fmt::print(stderr, "policy for: {}{}\n", list, opt.read_only ? " (plan only)" : "");
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<PermissionsOptions>();
  auto* cmd = app.add_subcommand("permissions", "Print the least-privilege IAM policy the response actions need");
  auto repeat = [](CLI::Option* o) {
    o->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  repeat(cmd->add_option("--playbook", opt->playbooks, "Only what these playbooks run (repeatable)"));
  repeat(cmd->add_option("--action", opt->actions, "Only these actions (repeatable)"));
  repeat(cmd->add_option("--playbooks", opt->dirs, "More playbooks: a YAML file or folder (repeatable)"));
  cmd->add_flag("--read-only", opt->read_only, "Only what planning needs (no changes possible)");
  cmd->callback([opt, exit_code] { *exit_code = Run(*opt); });
}

}  // namespace permissions_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(permissions, 53, cloudward::cli::permissions_command::SetUp);
