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

inline constexpr std::string_view kOrganizationRole = "OrganizationAccountAccessRole";

struct AccountScanFlags {
  std::string config_path;
  std::vector<std::string> role_arns;  // --role-arn: scan these accounts (sts:AssumeRole)
  bool organization = false;           // --organization: every active member of the organization
  std::string organization_role;       // --organization-role: role assumed in each member
  std::vector<std::string> regions;  // empty: every enabled region
  std::string region;                // home region for account-wide calls
  bool quiet = false;
};

// Adds --config, --regions (repeatable or comma-separated), --region, --role-arn (repeatable),
// --organization, --organization-role and --quiet.
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
  AccountClients aws;                // null clients when `refused`
  std::string account_id;            // when known before the scan (organization members)
  std::optional<Error> refused;      // a member account whose role could not be assumed: not scanned
};
// --role-arn flags, else --organization, else the `accounts:` entries of the configuration (those
// with a role_arn, and every active member of the organization for an `organization: true`
// entry), else the default credentials.
//
// Organization members come from organizations:ListAccounts (every page; ACTIVE accounts only),
// called with the current credentials (the management account or a delegated administrator);
// each member is reached through arn:<partition>:iam::<id>:role/<role name>, the caller's own
// account with the current credentials. A member whose role cannot be assumed is returned with
// `refused` set, so the others are still scanned. Fails when the accounts cannot be listed, or
// (naming the role) when an explicitly given role cannot be assumed.
Result<std::vector<ScanTarget>> ResolveScanTargets(const AccountScanFlags& flags, const config::Config& config);

// Runs fn(target, index, progress) for every target that is not `refused`, up to 4 accounts at
// once; `progress` prefixes the account when there are several.
void ForEachTarget(std::vector<ScanTarget>& targets, const std::function<void(const std::string&)>& progress,
                   const std::function<void(ScanTarget&, size_t, const std::function<void(const std::string&)>&)>& fn);

// Prints "command: message" on one stderr line (overwritten on a terminal); no-op with --quiet.
std::function<void(const std::string&)> ProgressLine(const AccountScanFlags& flags, const char* command);
void EndProgress(const AccountScanFlags& flags);

}  // namespace cloudward::cli
