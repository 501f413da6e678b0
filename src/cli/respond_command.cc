// `cloudward respond plan|apply|rollback|list`: containment and evidence actions on AWS, planned
// by default, applied only with --apply, recorded with their prior state and journaled on the
// incident (see respond/responder.h).
//
//   cloudward respond plan ACTION TARGET [--incident ID] [--user NAME] [--region R] [--format text|json]
//   cloudward respond apply ACTION TARGET --incident ID [--apply] [--user NAME] [--as WHO] [--store URL]
//   cloudward respond rollback ACTION_ID [--apply] [--as WHO] [--store URL]
//   cloudward respond list --incident ID [--store URL] [--format table|json]
//
// ACTION: deactivate-access-key, isolate-instance, block-s3-public-access, snapshot-instance-volumes.
// Without --apply, apply and rollback print what they would do and change nothing. AWS region,
// credentials and endpoints (AWS_ENDPOINT_URL[_<SERVICE>]) come from the usual AWS environment and
// profile files; the store is --store, else $CLOUDWARD_STORE, else the default store.
// Exit codes: 0 ok (including no-ops), 2 bad flags, target or action, 4 AWS error, unknown id,
// conflict (the resource changed since; rollback refused) or store unavailable.
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/aws_client.h"
#include "aws/curl_transport.h"
#include "cli/command.h"
#include "core/clock.h"
#include "core/time.h"
#include "respond/responder.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace respond_command {  // named: the CLI is one unity build (see command.h)

using nlohmann::json;

struct RespondOptions {
  std::string kind, target, action_id, incident, user, as, store_url, region;
  std::string format = "text";       // plan, apply, rollback: text or json
  std::string list_format = "table";  // list: table or json
  bool apply = false;
};

int Report(const char* verb, const Error& e) {
  fmt::print(stderr, "respond {}: {}\n", verb, e.message);
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

std::string Who(const RespondOptions& opt) {
  if (!opt.as.empty()) return opt.as;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

Result<std::unique_ptr<store::IncidentStore>> OpenStore(const RespondOptions& opt) {
  const std::string url = store::ResolveStoreUrl(opt.store_url);
  auto s = store::OpenStore(url);
  if (!s) return Fail(s.error().code, "cannot open store " + url + ": " + s.error().message);
  return s;
}

// The AWS client with a recorder in front of its transport, so request ids can be journaled.
struct Aws {
  std::shared_ptr<respond::CallRecorder> recorder;
  std::unique_ptr<aws::AwsClient> client;
};

Aws MakeAws(const RespondOptions& opt) {
  Aws a;
  a.recorder = std::make_shared<respond::CallRecorder>(std::make_shared<aws::CurlTransport>());
  aws::ClientConfig config;
  config.region = opt.region;
  config.transport = a.recorder;
  a.client = std::make_unique<aws::AwsClient>(std::move(config));
  return a;
}

respond::ActionRequest Request(const RespondOptions& opt) {
  respond::ActionRequest r{.target = opt.target, .incident_id = opt.incident};
  if (!opt.user.empty()) r.options["user"] = opt.user;
  return r;
}

void PrintPlan(const respond::Plan& plan, const char* heading) {
  fmt::print("{} {} {}\n  {}\n", heading, plan.kind, plan.target, plan.summary);
  if (plan.no_op()) {
    fmt::print("  AWS calls: none\n");
  } else {
    fmt::print("  AWS calls:\n");
    for (size_t i = 0; i < plan.calls.size(); ++i) {
      const auto& c = plan.calls[i];
      fmt::print("    {}. {} {}\n       {}\n", i + 1, c.operation, c.parameters.dump(), c.change);
    }
  }
  if (!plan.prior_state.empty()) fmt::print("  prior state: {}\n", plan.prior_state.dump());
  for (const auto& n : plan.notes) fmt::print("  note: {}\n", n);
}

void PrintExecution(const respond::Execution& run) {
  for (const auto& c : run.calls) {
    std::string ids;
    for (const auto& id : c.request_ids) ids += (ids.empty() ? "" : ",") + id;
    fmt::print("  {} {}{}{}{}\n", c.error ? "FAILED" : "done  ", c.operation, c.result.empty() ? "" : " -> " + c.result,
               ids.empty() ? "" : "  request id " + ids, c.error ? "  " + c.error->message : "");
  }
}

int RunPlan(const RespondOptions& opt) {
  auto aws = MakeAws(opt);
  const respond::Action* action = respond::FindAction(opt.kind);
  if (!action) return Report("plan", {ErrorCode::kInvalidArgument, "unknown action '" + opt.kind + "'"});
  auto plan = action->MakePlan(*aws.client, Request(opt));
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

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RespondOptions>();
  std::string kinds;
  for (const auto* a : respond::Actions()) kinds += fmt::format("\n  {:<26} {} ({})", a->Kind(), a->Description(), a->TargetName());
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
  plan->add_option("target", opt->target, "Target: access key id, instance id or bucket")->required();
  plan->add_option("--incident", opt->incident, "Incident id (tags and descriptions)");
  plan->add_option("--user", opt->user, "deactivate-access-key: the key's user (default: looked up)");
  plan->add_option("--format", opt->format, "text or json");
  aws_flags(plan);
  plan->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, false) ? RunPlan(*opt) : kExitUsage; });

  auto* apply = cmd->add_subcommand("apply", "Apply an action (only with --apply; otherwise print its plan)");
  apply->add_option("action", opt->kind, "Action")->required();
  apply->add_option("target", opt->target, "Target: access key id, instance id or bucket")->required();
  apply->add_option("--incident", opt->incident, "Incident the action is recorded on")->required();
  apply->add_flag("--apply", opt->apply, "Make the changes (without it: dry run)");
  apply->add_option("--user", opt->user, "deactivate-access-key: the key's user (default: looked up)");
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

// The short forms of the incident-response runbook: `contain instance|key|bucket TARGET`,
// `actions list`, `rollback ACTION_ID`. Same code paths as `respond`.
void SetUpShortForms(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<RespondOptions>();
  auto* contain = app.add_subcommand(
      "contain", "Contain a resource: instance (isolate), key (deactivate), bucket (block public access); dry run "
                 "unless --apply");
  auto what = std::make_shared<std::string>();  // outlives SetUp: the callback runs after parsing
  contain->add_option("what", *what, "instance, key or bucket (principal and ip: not available yet)")
      ->required()
      ->check(CLI::IsMember({"instance", "key", "bucket", "principal", "ip"}));
  contain->add_option("target", opt->target, "Instance id, access key id or bucket name")->required();
  contain->add_option("--incident", opt->incident, "Incident the action is recorded on (required with --apply)");
  contain->add_flag("--apply", opt->apply, "Make the changes (without it: print the plan, change nothing)");
  contain->add_option("--user", opt->user, "key: the key's user (default: looked up)");
  contain->add_option("--as", opt->as, "Who applies it (default $USER)");
  contain->add_option("--format", opt->format, "text or json");
  contain->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  contain->add_option("--region", opt->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  contain->callback([opt, exit_code, what] {
    if (*what == "principal" || *what == "ip") {
      fmt::print(stderr, "contain {}: not available yet (instance, key and bucket are)\n", *what);
      *exit_code = kExitUsage;
      return;
    }
    opt->kind = *what == "instance" ? "isolate-instance" : *what == "key" ? "deactivate-access-key" : "block-s3-public-access";
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
