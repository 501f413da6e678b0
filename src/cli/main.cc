// cloudward: one binary for the incident life cycle on AWS. Subcommands register themselves
// (see command.h); main() parses, dispatches and turns any escaped exception into exit code 4.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "cli/command.h"

namespace cloudward::cli {

std::vector<CommandEntry>& CommandRegistry() {
  static std::vector<CommandEntry> registry;
  return registry;
}

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success, nothing found\n"
    "  1  findings reported (hunt, rules test failures, posture/readiness gaps)\n"
    "  2  usage or configuration error\n"
    "  3  completed, but some input was malformed or unreadable (see the summary)\n"
    "  4  could not run (no readable input, store or AWS unavailable, internal error)\n";

int Main(int argc, char** argv) {
  CLI::App app{"cloudward: AWS incident response — prepare, detect, analyse, contain, recover",
               "cloudward"};
  app.set_version_flag("--version", "cloudward 0.1.0");
  app.require_subcommand(1);
  app.footer(kExitCodes);
  int exit_code = kExitOk;
  auto& registry = CommandRegistry();
  std::sort(registry.begin(), registry.end(),
            [](const CommandEntry& a, const CommandEntry& b) { return a.order < b.order; });
  for (const auto& entry : registry) entry.set_up(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace
}  // namespace cloudward::cli

int main(int argc, char** argv) {
  try {
    return cloudward::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cloudward: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "cloudward: internal error\n");
  }
  return cloudward::cli::kExitFailure;
}
