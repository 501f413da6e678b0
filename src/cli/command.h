// Subcommands register themselves by name, one file each (hunt_command.cc, rules_command.cc, ...),
// so adding a command never touches main.cc:
//
//   namespace cloudward::cli {
//   namespace hunt_command {           // named after the file: the CLI is one unity build
//   void SetUp(CLI::App& app, int* exit_code) {
//     auto* cmd = app.add_subcommand("hunt", "Run detection rules over logs");
//     ... options bound to a shared_ptr<Options> captured by the callback ...
//     cmd->callback([=] { *exit_code = RunHunt(*options); });
//   }
//   }  // namespace hunt_command
//   }  // namespace cloudward::cli
//   CW_REGISTER_COMMAND(hunt, 10, cloudward::cli::hunt_command::SetUp);
//
// Command sources are compiled straight into the `cloudward` executable (not a static library)
// so that their registration objects are always linked. They are compiled as one unity
// translation unit, because CLI11 is header-only and costs seconds (a minute under ASan) in every
// file that includes it; that is why each file keeps its helpers in its own named namespace
// rather than an anonymous one.
#pragma once

#include <CLI/CLI.hpp>
#include <vector>

namespace cloudward::cli {

using CommandSetUp = void (*)(CLI::App& app, int* exit_code);

struct CommandEntry {
  const char* name;
  int order;  // position in --help
  CommandSetUp set_up;
};

std::vector<CommandEntry>& CommandRegistry();

inline bool RegisterCommand(const char* name, int order, CommandSetUp set_up) {
  CommandRegistry().push_back({name, order, set_up});
  return true;
}

// Process exit codes, documented in --help and the README.
inline constexpr int kExitOk = 0;           // ran, nothing found
inline constexpr int kExitFindings = 1;     // ran, findings reported (hunt), checks failed (posture)
inline constexpr int kExitUsage = 2;        // bad flags or configuration
inline constexpr int kExitInputErrors = 3;  // ran, but some input was malformed or unreadable
inline constexpr int kExitFailure = 4;      // could not run (no input, store unavailable, AWS error)

}  // namespace cloudward::cli

#define CW_REGISTER_COMMAND(name, order, set_up) \
  static const bool cw_command_registered_##name = \
      ::cloudward::cli::RegisterCommand(#name, order, set_up)
