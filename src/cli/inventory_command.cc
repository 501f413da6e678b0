// `cloudward inventory`: a snapshot of the account's architecture (VPCs, subnets, route tables,
// gateways, security groups, network ACLs, instances, interfaces, addresses, roles and instance
// profiles, buckets, databases, tables, functions, load balancers) as nodes and edges, with the
// derived edges "the internet reaches X on port P".
//
//   cloudward inventory [--regions R,...] [--format json|dot] [--svg FILE] [--store URL] [--no-save]
//
// --svg renders the DOT graph with Graphviz (`dot`, Debian package graphviz) into FILE. The
// inventory is saved in the store (as INV-...), where `incidents show` and reports use it to say
// what an incident's resources are, what the internet reaches on them and what runs as a role;
// --no-save skips that.
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
#include <random>
#include <string>

#include "cli/account_scan.h"
#include "cli/command.h"
#include "cli/respond_support.h"
#include "core/clock.h"
#include "prepare/inventory.h"

extern char** environ;  // NOLINT: POSIX

namespace cloudward::cli {
namespace inventory_command {

struct InventoryOptions {
  AccountScanFlags scan;
  std::string format = "json";
  std::string svg;
  std::string store_url;
  bool no_save = false;
};

// Saves the inventory as INV-<10 hex digits>; returns the id.
Result<std::string> Save(const prepare::Inventory& inv, const std::string& json_text, const std::string& store_url) {
  auto store = OpenResolvedStore(store_url);
  if (!store) return tl::unexpected(store.error());
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device() ^ static_cast<uint64_t>(inv.taken_ms));
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string id = fmt::format("INV-{:010x}", rng() & 0xffffffffffULL);
    auto saved = (*store)->SaveInventory({id, inv.account_id, inv.taken_ms, json_text});
    if (saved) return id;
    if (saved.error().code != ErrorCode::kAlreadyExists) return tl::unexpected(saved.error());
  }
  return Fail(ErrorCode::kInternal, "cannot find a free inventory id");
}

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
  for (size_t i = 0; i < targets->size(); ++i) {
    if ((*targets)[i].refused) errors[i] = *(*targets)[i].refused;
  }
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
  const nlohmann::json as_json = prepare::InventoryToJson(inv);
  if (o.format == "dot") {
    std::fputs(dot.c_str(), stdout);
  } else {
    std::puts(as_json.dump(2).c_str());
  }
  if (!o.no_save) {
    auto id = Save(inv, as_json.dump(), o.store_url);
    if (!id) {
      fmt::print(stderr, "inventory: not saved: {}\n", id.error().message);
      return kExitFailure;
    }
    fmt::print(stderr, "inventory: saved as {} in {}\n", *id, store::ResolveStoreUrl(o.store_url));
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
  cmd->add_option("--store", opts->store_url, "Store URL to save it in (default: $CLOUDWARD_STORE, else the default store)");
  cmd->add_flag("--no-save", opts->no_save, "Do not save the inventory in the store");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace inventory_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(inventory, 32, cloudward::cli::inventory_command::SetUp);
