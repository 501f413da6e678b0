#include <cstdio>

#include "cli/command.h"

namespace cloudward::cli {
namespace version_command {

void SetUp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("version", "Print the version");
  cmd->callback([exit_code] {
    std::printf("cloudward 0.1.0\n");
    *exit_code = kExitOk;
  });
}

}  // namespace version_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(version, 1000, cloudward::cli::version_command::SetUp);
