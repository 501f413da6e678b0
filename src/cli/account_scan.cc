#include "cli/account_scan.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "aws/curl_transport.h"
#include "aws/services_prepare.h"
#include "config/config_loader.h"

namespace cloudward::cli {
namespace account_scan {  // named: the CLI is one unity build (see command.h)

bool StderrIsTerminal() { return isatty(fileno(stderr)) != 0; }

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
  struct Wanted {
    std::string role_arn;
    std::string external_id;
    std::vector<std::string> regions;
  };
  std::vector<Wanted> wanted;
  for (const auto& arn : flags.role_arns) wanted.push_back({arn, "", {}});
  if (wanted.empty()) {
    for (const auto& a : config.accounts) {
      if (a.role_arn.empty()) continue;
      Wanted w{a.role_arn, "", a.regions};
      if (!a.external_id.empty()) {
        auto id = a.external_id.Resolve();
        if (!id) return Fail(ErrorCode::kInvalidArgument, "accounts: external_id of " + a.role_arn + ": " + id.error().message);
        w.external_id = *id;
      }
      wanted.push_back(std::move(w));
    }
  }
  std::vector<ScanTarget> out;
  if (wanted.empty()) {
    out.push_back({"default credentials", {}, MakeAccountClients(flags)});
    return out;
  }
  AccountClients base = MakeAccountClients(flags);
  for (const auto& w : wanted) {
    if (!w.role_arn.starts_with("arn:") || w.role_arn.find(":role/") == std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "'" + w.role_arn + "' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
    }
    auto creds = aws::sts::AssumeRole(base.clients->Home(), w.role_arn, "cloudward-prepare", w.external_id);
    if (!creds) return Fail(creds.error().code, "cannot assume " + w.role_arn + ": " + creds.error().Describe());
    AccountClients a;
    a.recorder = std::make_shared<respond::CallRecorder>(std::make_shared<aws::CurlTransport>());
    aws::ClientConfig config_for_role;
    config_for_role.region = flags.region;
    config_for_role.transport = a.recorder;
    config_for_role.credentials = std::make_shared<aws::StaticCredentialProvider>(*creds);
    a.clients = std::make_unique<prepare::RegionClients>(std::move(config_for_role));
    out.push_back({w.role_arn, w.regions, std::move(a)});
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
