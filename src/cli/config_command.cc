// `cloudward config check [--config FILE] [--format text|json]`: loads the configuration and
// prints every problem with file, line, column and reason. Exit 0 when clean, 2 otherwise.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "config/config_loader.h"

namespace cloudward::cli {
namespace config_command {

struct ConfigCheckOptions {
  std::string config;
  std::string format = "text";
};

int RunConfigCheck(const ConfigCheckOptions& o) {
  const auto path = config::FindConfigPath(o.config);
  config::LoadResult r = path ? config::LoadConfigFile(*path) : config::LoadResult{};
  if (o.format == "json") {
    nlohmann::json problems = nlohmann::json::array();
    for (const config::Problem& p : r.problems)
      problems.push_back({{"file", p.file}, {"line", p.line}, {"column", p.column}, {"reason", p.reason}});
    nlohmann::json out = {{"ok", r.ok()}, {"file", path.value_or("")}, {"problems", problems}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const config::Problem& p : r.problems) std::printf("%s\n", p.ToString().c_str());
    if (!path)
      std::printf("no configuration file (--config, $CLOUDWARD_CONFIG, ~/.config/cloudward/cloudward.yaml): "
                  "using the embedded defaults\n");
    else if (r.ok())
      std::printf("%s: ok\n", path->c_str());
    else
      std::printf("%s: %zu problem%s\n", path->c_str(), r.problems.size(), r.problems.size() == 1 ? "" : "s");
  }
  return r.ok() ? kExitOk : kExitUsage;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("config", "Check the configuration file");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<ConfigCheckOptions>();
  auto* check = cmd->add_subcommand("check", "Report every problem in the configuration (exit 0 clean, 2 problems)");
  check->add_option("--config", opts->config, "Configuration file (default: $CLOUDWARD_CONFIG, ~/.config/cloudward/cloudward.yaml)");
  check->add_option("--format", opts->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  check->callback([opts, exit_code] { *exit_code = RunConfigCheck(*opts); });
}

}  // namespace config_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(config, 900, cloudward::cli::config_command::SetUp);
