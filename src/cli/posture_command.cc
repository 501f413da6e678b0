// `cloudward posture`: posture checks of what must be secured (S3, EC2, VPC, RDS, DynamoDB, IAM,
// Lambda, load balancers) in every enabled region, with suppressions by tag and configuration.
//
//   cloudward posture [--regions R,...] [--format table|json|ocsf|asff] [--all] [--at TIME] [--config FILE]
//   cloudward posture --organization [--organization-role NAME]   # every account of the organization
//   cloudward posture --list-checks
//
// Exit codes: 0 every check passed (or failed only where suppressed), 1 some check failed, 2 bad
// flags or configuration (file:line:column: reason), 4 AWS (or one of the accounts) could not be
// read at all.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/account_scan.h"
#include "cli/command.h"
#include "core/clock.h"
#include "core/time.h"
#include "prepare/posture.h"

namespace cloudward::cli {
namespace posture_command {

struct PostureOptions {
  AccountScanFlags scan;
  std::string format = "table";
  bool all = false;
  bool list_checks = false;
  std::string at;  // evaluate key ages, runtimes and suppression expiry as of this time
};

int ListChecks(const std::string& format) {
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : prepare::PostureChecks()) {
      out.push_back({{"id", std::string(c.id)}, {"severity", std::string(LevelName(c.severity))},
                     {"title", std::string(c.title)}, {"remediation", std::string(c.remediation)}});
    }
    std::puts(out.dump(2).c_str());
    return kExitOk;
  }
  for (const auto& c : prepare::PostureChecks()) fmt::print("{:<31} {:<9} {}\n", c.id, LevelName(c.severity), c.title);
  return kExitOk;
}

int Run(const PostureOptions& o) {
  if (o.format != "table" && o.format != "json" && o.format != "ocsf" && o.format != "asff") {
    fmt::print(stderr, "posture: --format must be table, json, ocsf or asff\n");
    return kExitUsage;
  }
  if (o.list_checks) return ListChecks(o.format);
  auto config = LoadScanConfig(o.scan, "posture");
  if (!config) return kExitUsage;
  if (auto unknown = prepare::UnknownSuppressionChecks(*config); !unknown.empty()) {
    for (const auto& u : unknown) fmt::print(stderr, "{}\n", u);
    return kExitUsage;
  }
  SystemClock clock;
  int64_t now_ms = clock.NowMs();
  if (!o.at.empty()) {
    auto at = ParseIsoTime(o.at);
    if (!at) {
      fmt::print(stderr, "posture: --at: not an ISO 8601 time: {}\n", o.at);
      return kExitUsage;
    }
    now_ms = *at;
  }
  auto targets = ResolveScanTargets(o.scan, *config);
  if (!targets) {
    fmt::print(stderr, "posture: {}\n", targets.error().message);
    return targets.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  struct Outcome {
    std::optional<prepare::PostureReport> report;
    std::string home_region;
    Error error;
  };
  std::vector<Outcome> outcomes(targets->size());
  for (size_t i = 0; i < targets->size(); ++i) {
    if ((*targets)[i].refused) outcomes[i].error = *(*targets)[i].refused;
  }
  ForEachTarget(*targets, ProgressLine(o.scan, "posture"),
                [&](ScanTarget& t, size_t i, const std::function<void(const std::string&)>& progress) {
    auto regions = prepare::ResolveRegions(*t.aws.clients, t.regions.empty() ? o.scan.regions : t.regions);
    if (!regions) {
      outcomes[i].error = {regions.error().code, t.label + ": " + regions.error().message};
      return;
    }
    prepare::AccountSnapshot snap = prepare::CollectSnapshot(*t.aws.clients, *regions, {.progress = progress}, clock.NowMs());
    if (const prepare::Gap* g = snap.FindGap("global", "sts:GetCallerIdentity")) {
      outcomes[i].error = {ErrorCode::kUnavailable, t.label + ": cannot identify the account: " + g->error};
      return;
    }
    outcomes[i].report = prepare::EvaluatePosture(snap, config->posture, now_ms);
    outcomes[i].report->config_path = config->path;
    outcomes[i].home_region = t.aws.clients->Home().region();
  });
  EndProgress(o.scan);

  int exit_code = kExitOk;
  nlohmann::json combined = nlohmann::json::array();
  std::string table;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& out = outcomes[i];
    if (!out.report) {
      fmt::print(stderr, "posture: {}\n", out.error.message);
      exit_code = out.error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
      if (targets->size() > 1) {
        nlohmann::json failed = {{"error", out.error.message}};
        if (!(*targets)[i].account_id.empty()) failed["account"] = (*targets)[i].account_id;
        combined.push_back(std::move(failed));
      }
      continue;
    }
    const prepare::PostureReport& report = *out.report;
    if (o.format == "json") {
      combined.push_back(prepare::PostureToJson(report));
    } else if (o.format == "ocsf" || o.format == "asff") {
      auto list = o.format == "ocsf" ? prepare::PostureToOcsf(report) : prepare::PostureToAsff(report, out.home_region);
      for (auto& f : list) combined.push_back(std::move(f));
    } else {
      table += (table.empty() ? "" : "\n") + prepare::PostureToTable(report, o.all);
    }
    for (const auto& s : report.expired_suppressions) {
      fmt::print(stderr, "posture: {}:{}: suppression of {} on {} expired {}; it no longer applies\n",
                 config->path, s.where.line, s.check, s.resource, s.expires);
    }
    if (report.Failures() > 0 && exit_code == kExitOk) exit_code = kExitFindings;
  }
  if (o.format == "table") {
    std::fputs(table.c_str(), stdout);
  } else if (o.format == "json") {
    // One account: its report; several: {"accounts": [report or {"error"}, ...]}.
    if (targets->size() == 1) {
      if (!combined.empty()) std::puts(combined[0].dump(2).c_str());
    } else {
      std::puts(nlohmann::json{{"accounts", combined}}.dump(2).c_str());
    }
  } else {
    std::puts(combined.dump(2).c_str());
  }
  return exit_code;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<PostureOptions>();
  auto* cmd = app.add_subcommand("posture", "Check that what must be secured is (exit 0 pass, 1 failures, 2 bad config, 4 AWS error)");
  AddAccountScanFlags(cmd, &opts->scan);
  cmd->add_option("--format", opts->format, "table, json, ocsf (OCSF Compliance Finding) or asff (Security Hub)");
  cmd->add_flag("--all", opts->all, "Table: list passed results too");
  cmd->add_flag("--list-checks", opts->list_checks, "List the checks and exit");
  cmd->add_option("--at", opts->at, "Judge key ages, runtimes and suppression expiry as of this ISO 8601 time (what-if)");
  cmd->footer("Suppress a failure with the resource tag cloudward:suppress=<check-id>[,...], or in the configuration:\n"
              "  posture: {suppressions: [{check: s3.logging, resource: arn:aws:s3:::my-bucket, reason: ..., expires: 2027-01-31}]}");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace posture_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(posture, 30, cloudward::cli::posture_command::SetUp);
