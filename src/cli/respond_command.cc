// `cloudward respond plan|apply|rollback|list`: containment and evidence actions on AWS, planned
// by default, applied only with --apply, recorded with their prior state and journaled on the
// incident (see respond/responder.h).
//
//   cloudward respond plan ACTION TARGET [--incident ID] [--user NAME] [--region R] [--format text|json]
//   cloudward respond apply ACTION TARGET --incident ID [--apply] [--user NAME] [--as WHO] [--store URL]
//   (restore-object-versions: --since TIME [--until TIME] [--prefix P] on plan and apply;
//    any action: --option KEY=VALUE, repeatable, e.g. open-support-case --option title=...)
//   cloudward respond rollback ACTION_ID [--apply] [--as WHO] [--store URL]
//   cloudward respond list --incident ID [--store URL] [--format table|json]
//
// ACTION: deactivate-access-key, isolate-instance, block-s3-public-access, snapshot-instance-volumes,
// revoke-role-sessions, restrict-user, block-ip, enable-bucket-versioning, protect-instance, require-imdsv2,
// remove-user-from-groups, delete-login-profile, make-snapshot-private, remove-public-bucket-access,
// zero-lambda-concurrency, enable-guardduty, restrict-rds-instance, restore-object-versions,
// detach-from-auto-scaling, open-support-case, capture-instance-evidence, replace-instance-profile
// (--option quarantine_profile=NAME), stop-instance, terminate-instance (only with --option confirm=true)
// (`respond --help` lists them).
// Without --apply, apply and rollback print what they would do and change nothing. AWS region,
// credentials and endpoints (AWS_ENDPOINT_URL[_<SERVICE>]) come from the usual AWS environment and
// profile files; the store is --store, else $CLOUDWARD_STORE, else the default store.
// Exit codes: 0 ok (including no-ops), 2 bad flags, target or action, 4 AWS error, unknown id,
// conflict (the resource changed since; rollback refused) or store unavailable.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "cli/command.h"
#include "cli/respond_support.h"
#include "core/clock.h"
#include "core/time.h"
#include "respond/responder.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace respond_command {  // named: the CLI is one unity build (see command.h)

using nlohmann::json;

struct RespondOptions {
  std::string kind, target, action_id, incident, user, vpc, as, store_url, region, config;
  std::string since, until, prefix;  // restore-object-versions
  std::vector<std::string> options;  // --option KEY=VALUE (any action's ActionRequest::options)
  std::string format = "text";       // plan, apply, rollback: text or json
  std::string list_format = "table";  // list: table or json
  bool apply = false;
};

int Report(const char* verb, const Error& e) {
  fmt::print(stderr, "respond {}: {}\n", verb, e.message);
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

std::string Who(const RespondOptions& opt) { return OperatorName(opt.as); }

Result<std::unique_ptr<store::IncidentStore>> OpenStore(const RespondOptions& opt) {
  return OpenResolvedStore(opt.store_url);
}

RecordedAws MakeAws(const RespondOptions& opt) { return MakeRecordedAws(opt.region); }

respond::ActionRequest Request(const RespondOptions& opt) {
  respond::ActionRequest r{.target = opt.target, .incident_id = opt.incident};
  if (!opt.user.empty()) r.options["user"] = opt.user;
  if (!opt.vpc.empty()) r.options["vpc"] = opt.vpc;
  if (!opt.since.empty()) r.options["since"] = opt.since;
  if (!opt.until.empty()) r.options["until"] = opt.until;
  if (!opt.prefix.empty()) r.options["prefix"] = opt.prefix;
  for (const auto& o : opt.options) {
    size_t eq = o.find('=');  // checked by the flag's validator
    r.options[o.substr(0, eq)] = o.substr(eq + 1);
  }
  return r;
}

int RunPlan(const RespondOptions& opt) {
  auto aws = MakeAws(opt);
  const respond::Action* action = respond::FindAction(opt.kind);
  if (!action) return Report("plan", {ErrorCode::kInvalidArgument, "unknown action '" + opt.kind + "'"});
  respond::ActionRequest request = Request(opt);
  // Actions that decide from the incident's records (eradication) read them from the store.
  if (action->NeedsIncidentRecords() && !opt.incident.empty()) {
    auto store = OpenStore(opt);
    if (!store) return Report("plan", store.error());
    if (auto loaded = respond::AddIncidentRecords(**store, *action, &request); !loaded) return Report("plan", loaded.error());
  }
  auto plan = action->MakePlan(*aws.client, request);
  if (!plan) return Report("plan", plan.error());
  if (opt.format == "json") {
    std::puts(plan->ToJson().dump(2).c_str());
  } else {
    PrintPlan(*plan, "plan");
    if (!plan->no_op()) fmt::print("dry run: nothing changed (apply with `cloudward respond apply ... --apply`)\n");
  }
  return kExitOk;
}

int RunApply(const RespondOptions& opt) {
  if (!respond::FindAction(opt.kind)) return Report("apply", {ErrorCode::kInvalidArgument, "unknown action '" + opt.kind + "'"});
  if (opt.incident.empty()) return Report("apply", {ErrorCode::kInvalidArgument, "--incident is required"});
  auto store = OpenStore(opt);
  if (!store) return Report("apply", store.error());
  auto aws = MakeAws(opt);
  SystemClock clock;
  respond::Responder responder(*aws.client, aws.recorder.get(), **store, clock, Who(opt));
  if (!opt.apply) {
    auto incident = (*store)->GetIncident(opt.incident);
    if (!incident) return Report("apply", incident.error());
    auto plan = responder.PlanAction(opt.kind, Request(opt));
    if (!plan) return Report("apply", plan.error());
    if (opt.format == "json") {
      std::puts(json{{"dry_run", true}, {"plan", plan->ToJson()}}.dump(2).c_str());
    } else {
      PrintPlan(*plan, "plan");
      fmt::print("dry run: nothing changed and nothing recorded; add --apply to make these changes\n");
    }
    return kExitOk;
  }
  auto report = responder.Apply(opt.kind, Request(opt));
  if (!report) return Report("apply", report.error());
  if (opt.format == "json") {
    std::puts(json{{"action_id", report->action.id}, {"status", report->action.status}, {"no_op", report->no_op},
                   {"plan", report->plan.ToJson()}, {"execution", report->execution.ToJson()}}
                  .dump(2)
                  .c_str());
  } else {
    PrintPlan(report->plan, "apply");
    PrintExecution(report->execution);
    fmt::print("{} {} ({}){}\n", report->action.id, report->action.status, report->no_op ? "no-op, no AWS call made" : "recorded",
               report->principal.empty() ? "" : " as " + report->principal);
  }
  if (!report->execution.ok()) {
    fmt::print(stderr, "respond apply: {}\n", report->execution.error->message);
    return kExitFailure;
  }
  return kExitOk;
}

int RunRollback(const RespondOptions& opt) {
  auto store = OpenStore(opt);
  if (!store) return Report("rollback", store.error());
  auto aws = MakeAws(opt);
  SystemClock clock;
  respond::Responder responder(*aws.client, aws.recorder.get(), **store, clock, Who(opt));
  if (!opt.apply) {
    auto plan = responder.PlanRollback(opt.action_id);
    if (!plan) return Report("rollback", plan.error());
    if (opt.format == "json") {
      std::puts(json{{"dry_run", true}, {"plan", plan->ToJson()}}.dump(2).c_str());
    } else {
      PrintPlan(*plan, "rollback");
      if (plan->reversible && !plan->no_op()) fmt::print("dry run: nothing changed; add --apply to roll back\n");
    }
    return kExitOk;
  }
  auto report = responder.Rollback(opt.action_id);
  if (!report) return Report("rollback", report.error());
  if (opt.format == "json") {
    std::puts(json{{"action_id", report->action.id}, {"status", report->action.status}, {"rolled_back", report->rolled_back},
                   {"plan", report->plan.ToJson()}, {"execution", report->execution.ToJson()}}
                  .dump(2)
                  .c_str());
  } else {
    PrintPlan(report->plan, "rollback");
    PrintExecution(report->execution);
    fmt::print("{} {}\n", report->action.id, report->action.status);
  }
  if (!report->execution.ok()) {
    fmt::print(stderr, "respond rollback: {}\n", report->execution.error->message);
    return kExitFailure;
  }
  return kExitOk;
}

// `actions approve ID`: a planned action (from a playbook step with approval, or the console)
// becomes approved; the approver is journaled.
int RunApprove(const RespondOptions& opt) {
  auto store = OpenStore(opt);
  if (!store) return Report("approve", store.error());
  auto aws = MakeAws(opt);
  SystemClock clock;
  respond::Responder responder(*aws.client, aws.recorder.get(), **store, clock, Who(opt));
  auto separate = SeparationOfDuties(opt.config);
  if (!separate) return Report("approve", separate.error());
  responder.RequireSeparateApprover(*separate);
  auto approved = responder.Approve(opt.action_id);
  if (!approved) return Report("approve", approved.error());
  fmt::print("{} {} {} approved by {}\n", approved->id, approved->kind, approved->target, Who(opt));
  return kExitOk;
}

// `actions apply ID`: applies an approved action, re-planned from the current state. Without
// --apply it prints that plan and changes nothing.
int RunApplyStored(const RespondOptions& opt) {
  auto store = OpenStore(opt);
  if (!store) return Report("apply", store.error());
  auto stored = (*store)->GetAction(opt.action_id);
  if (!stored) return Report("apply", stored.error());
  if (stored->status == "planned") {
    return Report("apply", {ErrorCode::kConflict, opt.action_id + " is not approved yet: `cloudward actions approve " +
                                                      opt.action_id + "` first"});
  }
  auto aws = MakeAws(opt);
  SystemClock clock;
  respond::Responder responder(*aws.client, aws.recorder.get(), **store, clock, Who(opt));
  if (!opt.apply) {
    json saved = json::parse(stored->plan, nullptr, false);
    respond::ActionRequest request{.target = stored->target, .incident_id = stored->incident_id};
    if (saved.is_object() && saved.contains("options") && saved["options"].is_object()) {
      for (const auto& [k, v] : saved["options"].items()) {
        if (v.is_string()) request.options[k] = v.get<std::string>();
      }
    }
    auto plan = responder.PlanAction(stored->kind, request);
    if (!plan) return Report("apply", plan.error());
    PrintPlan(*plan, "plan");
    fmt::print("dry run: nothing changed; add --apply to apply {} ({})\n", opt.action_id, stored->status);
    return kExitOk;
  }
  auto report = responder.ApplyStored(opt.action_id);
  if (!report) return Report("apply", report.error());
  PrintPlan(report->plan, "apply");
  PrintExecution(report->execution);
  fmt::print("{} {}\n", report->action.id, report->action.status);
  if (!report->execution.ok()) {
    fmt::print(stderr, "actions apply: {}\n", report->execution.error->message);
    return kExitFailure;
  }
  return kExitOk;
}

std::string Time(int64_t ms) { return ms == kUnknownTime ? "-" : FormatIsoTime(ms); }

int RunList(const RespondOptions& opt) {
  auto store = OpenStore(opt);
  if (!store) return Report("list", store.error());
  std::vector<std::string> incident_ids;
  if (!opt.incident.empty()) {
    auto incident = (*store)->GetIncident(opt.incident);
    if (!incident) return Report("list", incident.error());
    incident_ids.push_back(opt.incident);
  } else {  // every incident's actions
    auto incidents = (*store)->ListIncidents({});
    if (!incidents) return Report("list", incidents.error());
    for (const auto& i : *incidents) incident_ids.push_back(i.id);
  }
  auto actions = Result<std::vector<store::ResponseAction>>(std::vector<store::ResponseAction>{});
  for (const std::string& id : incident_ids) {
    auto some = (*store)->ListActions(id);
    if (!some) return Report("list", some.error());
    actions->insert(actions->end(), some->begin(), some->end());
  }
  if (opt.list_format == "json") {
    json out = json::array();
    for (const auto& a : *actions) {
      json plan = json::parse(a.plan, nullptr, false);
      json prior = json::parse(a.prior_state, nullptr, false);
      out.push_back({{"id", a.id}, {"incident_id", a.incident_id}, {"kind", a.kind}, {"target", a.target},
                     {"status", a.status}, {"plan", plan.is_discarded() ? json(a.plan) : plan},
                     {"prior_state", prior.is_discarded() ? json(a.prior_state) : prior},
                     {"request_ids", a.request_ids}, {"created", Time(a.created_ms)}, {"applied", Time(a.applied_ms)},
                     {"rolled_back", Time(a.rolled_back_ms)}});
    }
    std::puts(out.dump(2).c_str());
    return kExitOk;
  }
  if (actions->empty()) {
    std::puts("no actions");
    return kExitOk;
  }
  fmt::print("{:<15} {:<26} {:<12} {:<25} {:<25} {}\n", "ID", "ACTION", "STATUS", "APPLIED", "ROLLED BACK", "TARGET");
  for (const auto& a : *actions) {
    json plan = json::parse(a.plan, nullptr, false);
    bool no_op = plan.is_object() && plan.value("no_op", false);
    fmt::print("{:<15} {:<26} {:<12} {:<25} {:<25} {}\n", a.id, a.kind, no_op ? a.status + "*" : a.status,
               Time(a.applied_ms), Time(a.rolled_back_ms), a.target);
  }
  fmt::print("(* no-op: already in the desired state, nothing called)\n");
  return kExitOk;
}

bool ValidFormat(const std::string& f, bool table) {
  if (f == "json" || f == (table ? "table" : "text")) return true;
  fmt::print(stderr, "respond: unknown --format '{}' ({} or json)\n", f, table ? "table" : "text");
  return false;
}

// --option values: KEY=VALUE with a non-empty KEY.
std::string KeyValueOption(const std::string& text) {
  size_t eq = text.find('=');
  return eq == std::string::npos || eq == 0 ? "expected KEY=VALUE, got '" + text + "'" : std::string();
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RespondOptions>();
  std::string kinds;
  for (const auto* a : respond::Actions()) kinds += fmt::format("\n  {:<27} {} ({})", a->Kind(), a->Description(), a->TargetName());
  auto* cmd = app.add_subcommand("respond", "Plan, apply and roll back response actions on AWS (dry run by default)");
  cmd->require_subcommand(1);
  cmd->footer("Actions:" + kinds);

  auto store_flag = [opt](CLI::App* sub) {
    sub->add_option("--store", opt->store_url, "Store URL: sqlite://PATH, PATH or postgresql://... "
                                               "(default: $CLOUDWARD_STORE, else the default store)");
  };
  auto aws_flags = [opt](CLI::App* sub) {
    sub->add_option("--region", opt->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  };

  auto* plan = cmd->add_subcommand("plan", "Show the AWS calls an action would make; changes nothing");
  plan->add_option("action", opt->kind, "Action")->required();
  plan->add_option("target", opt->target, "Target (see the actions below)")->required();
  plan->add_option("--incident", opt->incident, "Incident id (tags and descriptions)");
  plan->add_option("--user", opt->user, "deactivate-access-key: the key's user (default: looked up)");
  plan->add_option("--vpc", opt->vpc, "block-ip: only these VPCs (comma-separated; default: all)");
  plan->add_option("--since", opt->since, "restore-object-versions: start of the window (ISO time)");
  plan->add_option("--until", opt->until, "restore-object-versions: end of the window (ISO time; default: now)");
  plan->add_option("--prefix", opt->prefix, "restore-object-versions: only keys under this prefix");
  plan->add_option("--option", opt->options, "KEY=VALUE passed to the action (e.g. open-support-case title=...)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(KeyValueOption);
  plan->add_option("--format", opt->format, "text or json");
  aws_flags(plan);
  plan->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, false) ? RunPlan(*opt) : kExitUsage; });

  auto* apply = cmd->add_subcommand("apply", "Apply an action (only with --apply; otherwise print its plan)");
  apply->add_option("action", opt->kind, "Action")->required();
  apply->add_option("target", opt->target, "Target (see the actions below)")->required();
  apply->add_option("--incident", opt->incident, "Incident the action is recorded on")->required();
  apply->add_flag("--apply", opt->apply, "Make the changes (without it: dry run)");
  apply->add_option("--user", opt->user, "deactivate-access-key: the key's user (default: looked up)");
  apply->add_option("--vpc", opt->vpc, "block-ip: only these VPCs (comma-separated; default: all)");
  apply->add_option("--since", opt->since, "restore-object-versions: start of the window (ISO time)");
  apply->add_option("--until", opt->until, "restore-object-versions: end of the window (ISO time; default: now)");
  apply->add_option("--prefix", opt->prefix, "restore-object-versions: only keys under this prefix");
  apply->add_option("--option", opt->options, "KEY=VALUE passed to the action (e.g. open-support-case title=...)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(KeyValueOption);
  apply->add_option("--as", opt->as, "Who applies it (default $USER)");
  apply->add_option("--format", opt->format, "text or json");
  store_flag(apply);
  aws_flags(apply);
  apply->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, false) ? RunApply(*opt) : kExitUsage; });

  auto* rollback = cmd->add_subcommand("rollback", "Restore the prior state recorded by an action (only with --apply)");
  rollback->add_option("action_id", opt->action_id, "Action id (ACT-...)")->required();
  rollback->add_flag("--apply", opt->apply, "Make the changes (without it: dry run)");
  rollback->add_option("--as", opt->as, "Who rolls it back (default $USER)");
  rollback->add_option("--format", opt->format, "text or json");
  store_flag(rollback);
  aws_flags(rollback);
  rollback->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, false) ? RunRollback(*opt) : kExitUsage; });

  auto* list = cmd->add_subcommand("list", "List the response actions recorded on an incident (default: all)");
  list->add_option("--incident", opt->incident, "Incident id (default: every incident)");
  list->add_option("--format", opt->list_format, "table or json");
  store_flag(list);
  list->callback([opt, exit_code] { *exit_code = ValidFormat(opt->list_format, true) ? RunList(*opt) : kExitUsage; });
}

// The short forms of the incident-response runbook: `contain
// instance|key|principal|ip|bucket|snapshot|function|db TARGET`, `actions list`,
// `rollback ACTION_ID`. Same code paths as `respond`.
void SetUpShortForms(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RespondOptions>();
  auto* contain = app.add_subcommand(
      "contain", "Contain a resource: instance (isolate), key (deactivate), principal (revoke role sessions or "
                 "deny a user everything), ip (deny in network ACLs), bucket (block public access), snapshot "
                 "(stop sharing an EBS snapshot or AMI), function (stop a Lambda function's invocations), db "
                 "(snapshot an RDS instance, then make it not publicly accessible); dry run unless --apply");
  auto what = std::make_shared<std::string>();  // outlives SetUp: the callback runs after parsing
  contain->add_option("what", *what, "instance, key, principal, ip, bucket, snapshot, function or db")
      ->required()
      ->check(CLI::IsMember({"instance", "key", "bucket", "principal", "ip", "snapshot", "function", "db"}));
  contain->add_option("target", opt->target,
                      "Instance id, access key id, role/user name or ARN (an assumed-role session ARN names its "
                      "role), IP address or CIDR, bucket name, snapshot or AMI id, function name or ARN, DB "
                      "instance identifier")
      ->required();
  contain->add_option("--incident", opt->incident, "Incident the action is recorded on (required with --apply)");
  contain->add_flag("--apply", opt->apply, "Make the changes (without it: print the plan, change nothing)");
  contain->add_option("--user", opt->user, "key: the key's user (default: looked up)");
  contain->add_option("--vpc", opt->vpc, "ip: only these VPCs (comma-separated; default: all)");
  contain->add_option("--as", opt->as, "Who applies it (default $USER)");
  contain->add_option("--format", opt->format, "text or json");
  contain->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  contain->add_option("--region", opt->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  contain->callback([opt, exit_code, what] {
    if (*what == "principal") {
      auto aws = MakeAws(*opt);
      auto kind = respond::PrincipalContainment(*aws.client, opt->target);
      if (!kind) {
        *exit_code = Report("contain", kind.error());
        return;
      }
      opt->kind = *kind;
    } else {
      opt->kind = *what == "instance"   ? "isolate-instance"
                  : *what == "key"      ? "deactivate-access-key"
                  : *what == "ip"       ? "block-ip"
                  : *what == "snapshot" ? "make-snapshot-private"
                  : *what == "function" ? "zero-lambda-concurrency"
                  : *what == "db"       ? "restrict-rds-instance"
                                        : "block-s3-public-access";
    }
    if (!ValidFormat(opt->format, false)) {
      *exit_code = kExitUsage;
    } else if (opt->apply || !opt->incident.empty()) {
      *exit_code = RunApply(*opt);
    } else {
      *exit_code = RunPlan(*opt);
    }
  });

  auto* actions = app.add_subcommand("actions", "Response actions recorded in the store");
  actions->require_subcommand(1);
  auto* list = actions->add_subcommand("list", "List response actions, of one incident or of all");
  list->add_option("--incident", opt->incident, "Incident id (default: every incident)");
  list->add_option("--format", opt->list_format, "table or json");
  list->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  list->callback([opt, exit_code] { *exit_code = ValidFormat(opt->list_format, true) ? RunList(*opt) : kExitUsage; });
  auto* approve = actions->add_subcommand("approve", "Approve a planned action (e.g. a playbook step that needs approval)");
  approve->add_option("action_id", opt->action_id, "Action id (ACT-...)")->required();
  approve->add_option("--as", opt->as, "Who approves (default $USER)");
  approve->add_option("--config", opt->config,
                      "Configuration file for respond.approvals (default: $CLOUDWARD_CONFIG, "
                      "~/.config/cloudward/cloudward.yaml)");
  approve->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  approve->callback([opt, exit_code] { *exit_code = RunApprove(*opt); });
  auto* apply_stored = actions->add_subcommand("apply", "Apply an approved action (dry run unless --apply)");
  apply_stored->add_option("action_id", opt->action_id, "Action id (ACT-...)")->required();
  apply_stored->add_flag("--apply", opt->apply, "Make the changes (without it: print the current plan)");
  apply_stored->add_option("--as", opt->as, "Who applies it (default $USER)");
  apply_stored->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  apply_stored->add_option("--region", opt->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  apply_stored->callback([opt, exit_code] { *exit_code = RunApplyStored(*opt); });

  auto* rollback = app.add_subcommand("rollback", "Restore the prior state recorded by an action (dry run unless --apply)");
  rollback->add_option("action_id", opt->action_id, "Action id (ACT-...)")->required();
  rollback->add_flag("--apply", opt->apply, "Make the changes (without it: dry run)");
  rollback->add_option("--as", opt->as, "Who rolls it back (default $USER)");
  rollback->add_option("--format", opt->format, "text or json");
  rollback->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  rollback->add_option("--region", opt->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  rollback->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, false) ? RunRollback(*opt) : kExitUsage; });
}

}  // namespace respond_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(respond, 50, cloudward::cli::respond_command::SetUp);
CW_REGISTER_COMMAND(contain_actions_rollback, 51, cloudward::cli::respond_command::SetUpShortForms);
