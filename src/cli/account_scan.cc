#include "cli/account_scan.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <thread>

#include "aws/curl_transport.h"
#include "aws/services_prepare.h"
#include "config/config_loader.h"

namespace cloudward::cli {
namespace account_scan {  // named: the CLI is one unity build (see command.h)

bool StderrIsTerminal() { return isatty(fileno(stderr)) != 0; }

// An account to reach.
struct Wanted {
  std::string role_arn;
  std::string external_id;
  std::vector<std::string> regions;
  std::string label;       // "" = the role ARN
  std::string account_id;  // when known (organization members)
  bool own = false;        // the caller's own account: the current credentials
  bool lenient = false;    // a refused role is reported for the account instead of failing the scan
};

// Where the members of an organization are reached.
struct OrganizationScan {
  std::string role_name;
  std::string external_id;
  std::vector<std::string> regions;
};

bool ValidRoleName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
}

bool ValidAccountId(std::string_view id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The active accounts of the caller's organization.
Result<std::vector<Wanted>> OrganizationMembers(aws::AwsClient& home, const OrganizationScan& org) {
  auto who = aws::sts::GetCallerIdentity(home);
  if (!who) return Fail(who.error().code, "cannot identify the caller (sts:GetCallerIdentity): " + who.error().Describe());
  auto accounts = aws::organizations::ListAccounts(home);
  if (!accounts) {
    return Fail(accounts.error().code,
                "cannot list the organization's accounts (organizations:ListAccounts needs the management account's "
                "or a delegated administrator's credentials): " + accounts.error().Describe());
  }
  std::string partition = "aws";
  if (who->arn.starts_with("arn:") && who->arn.find(':', 4) != std::string::npos) {
    partition = who->arn.substr(4, who->arn.find(':', 4) - 4);
  }
  std::vector<Wanted> out;
  for (const auto& a : *accounts) {
    if (a.status != "ACTIVE") continue;  // suspended or closing: nothing to scan
    Wanted w{.regions = org.regions, .label = a.id + (a.name.empty() ? "" : " (" + a.name + ")"), .account_id = a.id,
             .lenient = true};
    if (a.id == who->account) {
      w.own = true;
      w.label += " with the current credentials";
    } else if (ValidAccountId(a.id)) {
      w.role_arn = fmt::format("arn:{}:iam::{}:role/{}", partition, a.id, org.role_name);
      w.external_id = org.external_id;
    }
    out.push_back(std::move(w));
  }
  if (out.empty()) return Fail(ErrorCode::kNotFound, "the organization has no active account");
  return out;
}

}  // namespace account_scan

void AddAccountScanFlags(CLI::App* cmd, AccountScanFlags* flags) {
  cmd->add_option("--config", flags->config_path,
                  "Configuration file (default: $CLOUDWARD_CONFIG, ~/.config/cloudward/cloudward.yaml)");
  cmd->add_option("--regions", flags->regions, "Regions to read (repeatable or comma-separated; default: every enabled region)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--region", flags->region, "Home region for account-wide calls (default: AWS_REGION, profile)");
  cmd->add_option("--role-arn", flags->role_arns,
                  "Scan the account of this role (sts:AssumeRole; repeatable; default: the accounts section, else "
                  "the current credentials)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--organization", flags->organization,
                "Scan every active account of the AWS Organization (organizations:ListAccounts with the current "
                "credentials), each through --organization-role; an account that refuses is reported, the others scanned");
  cmd->add_option("--organization-role", flags->organization_role,
                  "Role assumed in each member account (default: role_name of the organization entry of the accounts "
                  "section, else OrganizationAccountAccessRole)");
  cmd->add_flag("--quiet,-q", flags->quiet, "No progress line on stderr");
}

std::optional<config::Config> LoadScanConfig(const AccountScanFlags& flags, const char* command) {
  config::LoadResult r = config::LoadConfig(flags.config_path);
  if (!r.ok()) {
    for (const config::Problem& p : r.problems) fmt::print(stderr, "{}\n", p.ToString());
    fmt::print(stderr, "{}: the configuration has {} problem(s)\n", command, r.problems.size());
    return std::nullopt;
  }
  return std::move(r.config);
}

AccountClients MakeAccountClients(const AccountScanFlags& flags) {
  AccountClients a;
  a.recorder = std::make_shared<respond::CallRecorder>(std::make_shared<aws::CurlTransport>());
  aws::ClientConfig config;
  config.region = flags.region;
  config.transport = a.recorder;
  a.clients = std::make_unique<prepare::RegionClients>(std::move(config));
  return a;
}

Result<std::vector<ScanTarget>> ResolveScanTargets(const AccountScanFlags& flags, const config::Config& config) {
  using account_scan::Wanted;
  if (flags.organization && !flags.role_arns.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "--role-arn and --organization do not combine");
  }
  if (!flags.organization_role.empty() && !account_scan::ValidRoleName(flags.organization_role)) {
    return Fail(ErrorCode::kInvalidArgument, "--organization-role: '" + flags.organization_role + "' is not an IAM role name");
  }
  std::vector<Wanted> wanted;
  std::optional<account_scan::OrganizationScan> organization;
  for (const auto& arn : flags.role_arns) wanted.push_back({.role_arn = arn});
  if (flags.organization) organization = account_scan::OrganizationScan{};
  if (wanted.empty() && !flags.organization) {
    for (const auto& a : config.accounts) {
      std::string external_id;
      if (!a.external_id.empty()) {
        auto id = a.external_id.Resolve();
        std::string which = a.organization ? std::string("the organization entry") : a.role_arn;
        if (!id) return Fail(ErrorCode::kInvalidArgument, "accounts: external_id of " + which + ": " + id.error().message);
        external_id = *id;
      }
      if (a.organization) {
        organization = account_scan::OrganizationScan{a.role_name, external_id, a.regions};
      } else if (!a.role_arn.empty()) {
        wanted.push_back({.role_arn = a.role_arn, .external_id = external_id, .regions = a.regions});
      }
    }
  }
  if (!flags.organization_role.empty() && !organization) {
    return Fail(ErrorCode::kInvalidArgument, "--organization-role needs --organization (or an organization entry in accounts)");
  }
  std::vector<ScanTarget> out;
  if (wanted.empty() && !organization) {
    out.push_back({"default credentials", {}, MakeAccountClients(flags)});
    return out;
  }
  AccountClients base = MakeAccountClients(flags);
  if (organization) {
    if (!flags.organization_role.empty()) organization->role_name = flags.organization_role;
    if (organization->role_name.empty()) organization->role_name = std::string(kOrganizationRole);
    auto members = account_scan::OrganizationMembers(base.clients->Home(), *organization);
    if (!members) return tl::unexpected(members.error());
    // An account also listed on its own keeps its own entry (role, external id, regions).
    auto listed = [&](const std::string& id) {
      return std::any_of(wanted.begin(), wanted.end(),
                         [&](const Wanted& w) { return w.role_arn.find(":iam::" + id + ":") != std::string::npos; });
    };
    for (auto& m : *members) {
      if (!listed(m.account_id)) wanted.push_back(std::move(m));
    }
  }
  for (const auto& w : wanted) {
    std::string label = w.label.empty() ? w.role_arn : w.label;
    if (w.own) {
      out.push_back({label, w.regions, MakeAccountClients(flags), w.account_id, std::nullopt});
      continue;
    }
    if (!w.role_arn.starts_with("arn:") || w.role_arn.find(":role/") == std::string::npos) {
      Error bad{ErrorCode::kInvalidArgument,
                "'" + w.role_arn + "' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"};
      if (!w.lenient) return tl::unexpected(bad);
      bad.message = label + ": " + (w.role_arn.empty() ? "'" + w.account_id + "' is not a 12-digit account id" : bad.message);
      out.push_back({label, w.regions, {}, w.account_id, bad});
      continue;
    }
    auto creds = aws::sts::AssumeRole(base.clients->Home(), w.role_arn, "cloudward-prepare", w.external_id);
    if (!creds) {
      if (!w.lenient) return Fail(creds.error().code, "cannot assume " + w.role_arn + ": " + creds.error().Describe());
      out.push_back({label, w.regions, {}, w.account_id,
                     Error{creds.error().code, label + ": cannot assume " + w.role_arn + ": " + creds.error().Describe()}});
      continue;
    }
    AccountClients a;
    a.recorder = std::make_shared<respond::CallRecorder>(std::make_shared<aws::CurlTransport>());
    aws::ClientConfig config_for_role;
    config_for_role.region = flags.region;
    config_for_role.transport = a.recorder;
    config_for_role.credentials = std::make_shared<aws::StaticCredentialProvider>(*creds);
    a.clients = std::make_unique<prepare::RegionClients>(std::move(config_for_role));
    out.push_back({label, w.regions, std::move(a), w.account_id, std::nullopt});
  }
  return out;
}

void ForEachTarget(std::vector<ScanTarget>& targets, const std::function<void(const std::string&)>& progress,
                   const std::function<void(ScanTarget&, size_t, const std::function<void(const std::string&)>&)>& fn) {
  std::mutex mu;
  std::atomic<size_t> next{0};
  const size_t n = targets.size();
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      if (targets[i].refused) continue;
      std::function<void(const std::string&)> line;
      if (progress) {
        std::string prefix = n > 1 ? "account " + std::to_string(i + 1) + "/" + std::to_string(n) + " (" + targets[i].label + "): " : "";
        line = [&mu, &progress, prefix](const std::string& m) {
          std::lock_guard lock(mu);
          progress(prefix + m);
        };
      }
      fn(targets[i], i, line);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min<size_t>(4, n); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

std::function<void(const std::string&)> ProgressLine(const AccountScanFlags& flags, const char* command) {
  if (flags.quiet) return nullptr;
  std::string name = command;
  bool tty = account_scan::StderrIsTerminal();
  return [name, tty](const std::string& message) {
    if (tty) {
      fmt::print(stderr, "\r\033[K{}: {}", name, message);
    } else {
      fmt::print(stderr, "{}: {}\n", name, message);
    }
    std::fflush(stderr);
  };
}

void EndProgress(const AccountScanFlags& flags) {
  if (!flags.quiet && account_scan::StderrIsTerminal()) fmt::print(stderr, "\r\033[K");
}

}  // namespace cloudward::cli
