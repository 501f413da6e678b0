// `cloudward readiness`: is the account ready for incident response, in every enabled region? A
// scored report (pass / fail / unknown per check, weights, the fix for each gap) and --fix, which
// creates the missing cloudward-owned resources (quarantine security group per VPC, forensic
// bucket) with the respond actions create-quarantine-sg and create-forensic-bucket: planned only
// by default, applied, recorded with their prior state and journaled with --apply, so
// `cloudward rollback ACTION_ID` undoes them.
//
//   cloudward readiness [--regions R,...] [--format table|json|html] [--config FILE]
//   cloudward readiness --fix [--apply] [--store URL] [--as WHO]
//   cloudward readiness --playbooks DIR [--no-bundled-playbooks]   # whose playbooks cover the scenarios
//
// The applied fixes are journaled on a per-account record incident "PREP-<account>" (closed; it
// only holds the journal). Exit codes: 0 every check passed or could not be judged, 1 some check
// failed, 2 bad flags or configuration, 4 AWS or the store could not be used, or a fix failed.
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/account_scan.h"
#include "cli/command.h"
#include "core/clock.h"
#include "prepare/readiness.h"
#include "respond/responder.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace readiness_command {

using nlohmann::json;

struct ReadinessOptions {
  AccountScanFlags scan;
  std::string format = "table";
  bool fix = false;
  bool apply = false;
  std::string store_url;
  std::string as;
  std::vector<std::string> playbook_dirs;  // --playbooks
  bool no_bundled_playbooks = false;
};

std::string Operator(const ReadinessOptions& o) {
  if (!o.as.empty()) return o.as;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

// The closed incident that holds the journal of readiness fixes for `account`.
Result<std::string> RecordIncident(store::IncidentStore& store, const std::string& account, int64_t now_ms) {
  std::string id = "PREP-" + (account.empty() ? std::string("unknown") : account);
  if (store.GetIncident(id)) return id;
  store::Incident inc;
  inc.id = id;
  inc.title = "Readiness: cloudward-owned resources of account " + account + " (record of readiness --fix)";
  inc.severity = Level::kLow;
  inc.status = store::IncidentStatus::kClosed;
  inc.created_ms = inc.updated_ms = now_ms;
  if (!account.empty()) inc.accounts = {account};
  if (auto s = store.CreateIncident(inc); !s && s.error().code != ErrorCode::kAlreadyExists) return tl::unexpected(s.error());
  return id;
}

// Plans (and with --apply applies) the fixes; returns their JSON and whether every apply succeeded.
std::pair<json, bool> RunFixes(const ReadinessOptions& o, const prepare::ReadinessReport& report, const config::Config& config,
                               AccountClients& aws, bool print) {
  json out = json::array();
  const std::string home = aws.clients->Home().region();
  auto steps = prepare::PlanFixes(report, config, home);
  if (print) {
    fmt::print("\n{} fix(es) {}\n", steps.size(), o.apply ? "to apply" : "planned (dry run: nothing changes; add --apply)");
    if (steps.empty() && config.respond.forensic_bucket.empty()) {
      fmt::print("  (set respond.forensic_bucket in the configuration to have --fix create the forensic bucket)\n");
    }
  }
  std::unique_ptr<store::IncidentStore> store;
  std::string incident;
  SystemClock clock;
  bool ok = true;
  if (o.apply && !steps.empty()) {
    const std::string url = store::ResolveStoreUrl(o.store_url);
    auto opened = store::OpenStore(url);
    if (!opened) {
      fmt::print(stderr, "readiness: cannot open store {}: {}\n", url, opened.error().message);
      return {out, false};
    }
    store = std::move(*opened);
    auto id = RecordIncident(*store, report.account_id, clock.NowMs());
    if (!id) {
      fmt::print(stderr, "readiness: cannot record the fixes: {}\n", id.error().message);
      return {out, false};
    }
    incident = *id;
  }
  for (const auto& step : steps) {
    const respond::Action* action = respond::FindAction(step.kind);
    respond::ActionRequest request{.target = step.target, .incident_id = incident, .options = step.options};
    json item = {{"check", step.check_id}, {"action", step.kind}, {"target", step.target}, {"region", step.region}};
    aws::AwsClient& client = aws.clients->For(step.region);
    if (!o.apply) {
      auto plan = action ? action->MakePlan(client, request) : Result<respond::Plan>(Fail(ErrorCode::kInternal, "no action " + step.kind));
      if (!plan) {
        item["error"] = plan.error().message;
        if (print) fmt::print("  {} {} ({}): cannot plan: {}\n", step.kind, step.target, step.region, plan.error().message);
      } else {
        item["plan"] = plan->ToJson();
        if (print) {
          fmt::print("  {} {} ({}): {}\n", step.kind, step.target, step.region, plan->summary);
          for (const auto& c : plan->calls) fmt::print("      {} {}\n", c.operation, c.parameters.dump());
        }
      }
      out.push_back(std::move(item));
      continue;
    }
    respond::Responder responder(client, aws.recorder.get(), *store, clock, Operator(o));
    auto applied = responder.Apply(step.kind, request);
    if (!applied) {
      ok = false;
      item["error"] = applied.error().message;
      if (print) fmt::print("  {} {} ({}): FAILED: {}\n", step.kind, step.target, step.region, applied.error().message);
    } else {
      item["action_id"] = applied->action.id;
      item["status"] = applied->action.status;
      item["no_op"] = applied->no_op;
      item["plan"] = applied->plan.ToJson();
      item["execution"] = applied->execution.ToJson();
      if (!applied->execution.ok()) ok = false;
      if (print) {
        fmt::print("  {} {} ({}): {} {}{}\n", step.kind, step.target, step.region, applied->action.id,
                   applied->action.status, applied->execution.ok() ? "" : ": " + applied->execution.error->message);
      }
    }
    out.push_back(std::move(item));
  }
  if (print && o.apply && !steps.empty()) {
    fmt::print("recorded on {} (cloudward actions list --incident {}; undo with cloudward rollback ACTION_ID --apply)\n",
               incident, incident);
  }
  return {out, ok};
}

int Run(const ReadinessOptions& o) {
  if (o.format != "table" && o.format != "json" && o.format != "html") {
    fmt::print(stderr, "readiness: --format must be table, json or html\n");
    return kExitUsage;
  }
  if (o.apply && !o.fix) {
    fmt::print(stderr, "readiness: --apply needs --fix\n");
    return kExitUsage;
  }
  auto config = LoadScanConfig(o.scan, "readiness");
  if (!config) return kExitUsage;
  auto targets = ResolveScanTargets(o.scan, *config);
  if (!targets) {
    fmt::print(stderr, "readiness: {}\n", targets.error().message);
    return targets.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  SystemClock clock;
  const prepare::PlaybookFacts playbooks = prepare::CollectPlaybooks(o.playbook_dirs, !o.no_bundled_playbooks);
  struct Outcome {
    std::optional<prepare::ReadinessReport> report;
    Error error;
  };
  std::vector<Outcome> outcomes(targets->size());
  for (size_t i = 0; i < targets->size(); ++i) {
    if ((*targets)[i].refused) outcomes[i].error = *(*targets)[i].refused;
  }
  ForEachTarget(*targets, ProgressLine(o.scan, "readiness"),
                [&](ScanTarget& t, size_t i, const std::function<void(const std::string&)>& progress) {
    auto regions = prepare::ResolveRegions(*t.aws.clients, t.regions.empty() ? o.scan.regions : t.regions);
    if (!regions) {
      outcomes[i].error = {regions.error().code, t.label + ": " + regions.error().message};
      return;
    }
    auto facts = prepare::CollectReadiness(*t.aws.clients, *regions, *config, progress, clock.NowMs());
    if (facts.account_id.empty()) {
      outcomes[i].error = {ErrorCode::kUnavailable,
                           t.label + ": cannot identify the account (sts:GetCallerIdentity failed); check credentials"};
      return;
    }
    facts.playbooks = playbooks;
    outcomes[i].report = prepare::EvaluateReadiness(facts, *config, clock.NowMs());
  });
  EndProgress(o.scan);

  int exit_code = kExitOk;
  json accounts = json::array();
  std::vector<prepare::ReadinessReport> reports;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto& out = outcomes[i];
    if (!out.report) {
      fmt::print(stderr, "readiness: {}\n", out.error.message);
      exit_code = out.error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
      json failed = {{"error", out.error.message}};
      if (!(*targets)[i].account_id.empty()) failed["account"] = (*targets)[i].account_id;
      accounts.push_back(std::move(failed));
      continue;
    }
    const prepare::ReadinessReport& report = *out.report;
    reports.push_back(report);
    bool fixes_ok = true;
    if (o.format == "json") {
      json one = prepare::ReadinessToJson(report);
      if (o.fix) {
        auto [fixes, ok] = RunFixes(o, report, *config, (*targets)[i].aws, false);
        one["fixes"] = fixes;
        one["fix_mode"] = o.apply ? "apply" : "dry_run";
        fixes_ok = ok;
      }
      accounts.push_back(std::move(one));
    } else if (o.format == "table") {
      std::fputs(prepare::ReadinessToTable(report).c_str(), stdout);
      if (o.fix) fixes_ok = RunFixes(o, report, *config, (*targets)[i].aws, true).second;
      if (i + 1 < outcomes.size()) std::fputs("\n", stdout);
    } else if (o.fix) {
      fixes_ok = RunFixes(o, report, *config, (*targets)[i].aws, false).second;
    }
    if (!fixes_ok) exit_code = kExitFailure;
    if (report.Failed() > 0 && exit_code == kExitOk) exit_code = kExitFindings;
  }
  if (o.format == "json") {
    // One account: its report; several: {"accounts": [report or {"error"}, ...]}.
    if (targets->size() == 1) {
      if (outcomes[0].report) std::puts(accounts[0].dump(2).c_str());
    } else {
      std::puts(json{{"accounts", accounts}}.dump(2).c_str());
    }
  } else if (o.format == "html" && !reports.empty()) {
    std::fputs(prepare::ReadinessToHtml(reports).c_str(), stdout);
  }
  return exit_code;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<ReadinessOptions>();
  auto* cmd = app.add_subcommand("readiness", "Score how ready the account is for incident response; --fix creates what is missing");
  AddAccountScanFlags(cmd, &opts->scan);
  cmd->add_option("--format", opts->format, "table, json or html");
  cmd->add_flag("--fix", opts->fix, "Plan the cloudward-owned resources that are missing (quarantine groups, forensic bucket)");
  cmd->add_flag("--apply", opts->apply, "With --fix: create them (recorded and journaled; undo with cloudward rollback)");
  cmd->add_option("--store", opts->store_url, "Store URL for --apply: sqlite://PATH, PATH or postgresql://... "
                                              "(default: $CLOUDWARD_STORE, else the default store)");
  cmd->add_option("--as", opts->as, "Operator name journaled with --apply (default: $USER)");
  cmd->add_option("--playbooks", opts->playbook_dirs,
                  "The team's playbooks besides the bundled ones: a YAML file or folder (repeatable), as given to "
                  "serve and playbook")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--no-bundled-playbooks", opts->no_bundled_playbooks,
                "Judge only the --playbooks given: does the team's own set cover every incident scenario?");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace readiness_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(readiness, 31, cloudward::cli::readiness_command::SetUp);
