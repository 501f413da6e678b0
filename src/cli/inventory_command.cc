// `cloudward inventory`: a snapshot of the account's architecture (VPCs, subnets, route tables,
// gateways, security groups, network ACLs, instances, interfaces, addresses, roles and instance
// profiles, buckets, databases, tables, functions, load balancers) as nodes and edges, with the
// derived edges "the internet reaches X on port P".
//
//   cloudward inventory [--regions R,...] [--format json|dot] [--svg FILE]
//
// --svg renders the DOT graph with Graphviz (`dot`, Debian package graphviz) into FILE.
// Exit codes: 0 ok, 2 bad flags or configuration, 4 AWS could not be read or dot failed.
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cli/account_scan.h"
#include "cli/command.h"
#include "core/clock.h"
#include "prepare/inventory.h"

extern char** environ;  // NOLINT: POSIX

namespace cloudward::cli {
namespace inventory_command {

struct InventoryOptions {
  AccountScanFlags scan;
  std::string format = "json";
  std::string svg;
};

// Runs `dot -Tsvg -o svg_path dot_path`; an Error names what failed.
Status RenderSvg(const std::string& dot_text, const std::string& svg_path) {
  std::string dot_path = svg_path + ".dot.tmp";
  {
    std::ofstream out(dot_path, std::ios::binary);
    if (!out || !(out << dot_text)) return Fail(ErrorCode::kIo, "cannot write " + dot_path);
  }
  std::string output = "-o" + svg_path;
  char* argv[] = {const_cast<char*>("dot"), const_cast<char*>("-Tsvg"), output.data(), dot_path.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "dot", nullptr, nullptr, argv, environ);
  if (rc != 0) {
    std::filesystem::remove(dot_path);
    return Fail(ErrorCode::kUnavailable, "cannot run dot (install the graphviz package)");
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::filesystem::remove(dot_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return Fail(ErrorCode::kIo, "dot failed to render " + svg_path);
  return Ok();
}

int Run(const InventoryOptions& o) {
  if (o.format != "json" && o.format != "dot") {
    fmt::print(stderr, "inventory: --format must be json or dot\n");
    return kExitUsage;
  }
  auto config = LoadScanConfig(o.scan, "inventory");
  if (!config) return kExitUsage;
  auto targets = ResolveScanTargets(o.scan, *config);
  if (!targets) {
    fmt::print(stderr, "inventory: {}\n", targets.error().message);
    return targets.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  SystemClock clock;
  std::vector<std::optional<prepare::Inventory>> parts(targets->size());
  std::vector<Error> errors(targets->size());
  ForEachTarget(*targets, ProgressLine(o.scan, "inventory"),
                [&](ScanTarget& t, size_t i, const std::function<void(const std::string&)>& progress) {
    auto regions = prepare::ResolveRegions(*t.aws.clients, t.regions.empty() ? o.scan.regions : t.regions);
    if (!regions) {
      errors[i] = {regions.error().code, t.label + ": " + regions.error().message};
      return;
    }
    prepare::AccountSnapshot snap = prepare::CollectSnapshot(*t.aws.clients, *regions, {.progress = progress}, clock.NowMs());
    if (const prepare::Gap* g = snap.FindGap("global", "sts:GetCallerIdentity")) {
      errors[i] = {ErrorCode::kUnavailable, t.label + ": cannot identify the account: " + g->error};
      return;
    }
    parts[i] = prepare::BuildInventory(snap);
  });
  EndProgress(o.scan);
  std::vector<prepare::Inventory> read;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i]) {
      read.push_back(std::move(*parts[i]));
    } else {
      fmt::print(stderr, "inventory: {}\n", errors[i].message);
      return errors[i].code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
    }
  }
  prepare::Inventory inv = prepare::MergeInventories(read);
  std::string dot = prepare::InventoryToDot(inv);
  if (o.format == "dot") {
    std::fputs(dot.c_str(), stdout);
  } else {
    std::puts(prepare::InventoryToJson(inv).dump(2).c_str());
  }
  if (!o.svg.empty()) {
    if (auto s = RenderSvg(dot, o.svg); !s) {
      fmt::print(stderr, "inventory: {}\n", s.error().message);
      return kExitFailure;
    }
  }
  if (!inv.gaps.empty()) fmt::print(stderr, "inventory: {} part(s) could not be read (see \"gaps\" in the JSON)\n", inv.gaps.size());
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<InventoryOptions>();
  auto* cmd = app.add_subcommand("inventory", "Snapshot the architecture as a graph (JSON, DOT, SVG) with what the internet can reach");
  AddAccountScanFlags(cmd, &opts->scan);
  cmd->add_option("--format", opts->format, "json (nodes and edges) or dot (Graphviz)");
  cmd->add_option("--svg", opts->svg, "Also render the graph to this SVG file with Graphviz dot");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace inventory_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(inventory, 32, cloudward::cli::inventory_command::SetUp);
