// What posture, readiness and inventory share: the configuration, the AWS clients of the account
// (one per region, over one transport), the regions to read (--regions, else the enabled ones)
// and a progress line on stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "prepare/snapshot.h"
#include "respond/call_recorder.h"

namespace cloudward::cli {

struct AccountScanFlags {
  std::string config_path;
  std::vector<std::string> role_arns;  // --role-arn: scan these accounts (sts:AssumeRole)
  std::vector<std::string> regions;  // empty: every enabled region
  std::string region;                // home region for account-wide calls
  bool quiet = false;
};

// Adds --config, --regions (repeatable or comma-separated), --region, --role-arn (repeatable) and --quiet.
void AddAccountScanFlags(CLI::App* cmd, AccountScanFlags* flags);

// Loads the configuration (embedded defaults without a file); prints each problem as
// "file:line:column: reason" on stderr and returns nullopt when there are any.
std::optional<config::Config> LoadScanConfig(const AccountScanFlags& flags, const char* command);

// The clients, with a call recorder in front of the shared transport (request ids for --fix).
struct AccountClients {
  std::shared_ptr<respond::CallRecorder> recorder;
  std::unique_ptr<prepare::RegionClients> clients;
};
AccountClients MakeAccountClients(const AccountScanFlags& flags);

// One account to scan: the caller's own (default credentials) or one reached with sts:AssumeRole.
struct ScanTarget {
  std::string label;                 // the role ARN, or "default credentials"
  std::vector<std::string> regions;  // from the accounts section; empty: the --regions flag
  AccountClients aws;
};
// --role-arn flags, else the `accounts:` entries of the configuration that have a role_arn, else
// the default credentials. Fails (naming the role) when a role cannot be assumed.
Result<std::vector<ScanTarget>> ResolveScanTargets(const AccountScanFlags& flags, const config::Config& config);

// Runs fn(target, index, progress) for every target, up to 4 accounts at once; `progress` prefixes
// the account when there are several.
void ForEachTarget(std::vector<ScanTarget>& targets, const std::function<void(const std::string&)>& progress,
                   const std::function<void(ScanTarget&, size_t, const std::function<void(const std::string&)>&)>& fn);

// Prints "command: message" on one stderr line (overwritten on a terminal); no-op with --quiet.
std::function<void(const std::string&)> ProgressLine(const AccountScanFlags& flags, const char* command);
void EndProgress(const AccountScanFlags& flags);

}  // namespace cloudward::cli
