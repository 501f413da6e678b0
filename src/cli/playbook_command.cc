// `cloudward playbook list|show|check|plan|run`: the bundled playbooks (playbooks/*.yml) and the
// team's own (--playbooks DIR, repeatable), applied to an incident of the store.
//
//   cloudward playbook list [--incident ID] [--format table|json]   which playbooks fit the incident
//   cloudward playbook check [PATH...] [--format text|json]         validate (file:line: reason)
//   cloudward playbook plan ID --incident INC [--format text|json]  every step's AWS calls; reads only
//   cloudward playbook run ID --incident INC [--apply] [--approve] [--as WHO]
//
// `run` without --apply is `plan`. With --apply, steps run in order through the Responder (prior
// state, journal, rollback as for `contain`); steps marked `approval: true` are stored as planned
// actions awaiting `cloudward actions approve` unless --approve records the operator's approval of
// the whole run; a step whose required step did not complete is skipped. To-do steps are journaled.
// Exit codes: 0 ok, 1 a step failed, 2 bad flags or playbooks, 4 store or AWS unavailable.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/respond_support.h"
#include "core/clock.h"
#include "respond/playbook.h"
#include "respond/responder.h"

namespace cloudward::cli {
namespace playbook_command {  // named: the CLI is one unity build (see command.h)

using nlohmann::json;

struct PlaybookOptions {
  std::vector<std::string> dirs;   // --playbooks
  std::vector<std::string> paths;  // check PATH...
  std::string id, incident, as, store_url, region, config;
  std::string format;
  bool apply = false, approve = false, only_given = false;
};

int Fail(const char* verb, const std::string& message, int code = kExitFailure) {
  fmt::print(stderr, "playbook {}: {}\n", verb, message);
  return code;
}

// The playbooks, or nullopt after printing the problems (a bad playbook is a usage error).
std::optional<respond::PlaybookSet> Load(const PlaybookOptions& opt, const char* verb) {
  auto set = respond::LoadPlaybooks(opt.dirs);
  if (set.problems.empty()) return set;
  for (const auto& p : set.problems) fmt::print(stderr, "playbook {}: {}\n", verb, p.Describe());
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

json TriggerJson(const respond::PlaybookTrigger& t) {
  return {{"min_severity", LevelName(t.min_severity)}, {"rules", t.rules}, {"techniques", t.techniques},
          {"tactics", t.tactics}};
}

int RunList(const PlaybookOptions& opt) {
  auto set = Load(opt, "list");
  if (!set) return kExitUsage;
  std::optional<store::Incident> incident;
  if (!opt.incident.empty()) {
    auto store = OpenResolvedStore(opt.store_url);
    if (!store) return Fail("list", store.error().message);
    auto found = (*store)->GetIncident(opt.incident);
    if (!found) return Fail("list", found.error().message);
    incident = std::move(*found);
  }
  if (opt.format == "json") {
    json out = json::array();
    for (const auto& pb : set->playbooks) {
      json item = {{"id", pb.id}, {"title", pb.title}, {"file", pb.file}, {"steps", pb.steps.size()},
                   {"trigger", TriggerJson(pb.trigger)}};
      if (incident) item["matches"] = respond::Triggers(pb.trigger, *incident);
      out.push_back(std::move(item));
    }
    std::puts(out.dump(2).c_str());
    return kExitOk;
  }
  fmt::print("{:<30} {:>5}  {}{}\n", "ID", "STEPS", "TITLE", incident ? "  (* fits " + incident->id + ")" : "");
  for (const auto& pb : set->playbooks) {
    bool fits = incident && respond::Triggers(pb.trigger, *incident);
    fmt::print("{:<30} {:>5}  {}{}\n", pb.id + (fits ? " *" : ""), pb.steps.size(), pb.title, "");
  }
  return kExitOk;
}

int RunShow(const PlaybookOptions& opt) {
  auto set = Load(opt, "show");
  if (!set) return kExitUsage;
  const respond::Playbook* pb = set->Find(opt.id);
  if (!pb) return Fail("show", "no playbook '" + opt.id + "' (see `cloudward playbook list`)", kExitUsage);
  fmt::print("{} — {}\n  from {}\n", pb->id, pb->title, pb->file);
  if (!pb->description.empty()) fmt::print("  {}\n", pb->description);
  const auto& t = pb->trigger;
  fmt::print("  trigger: severity >= {}{}{}{}\n", LevelName(t.min_severity),
             t.rules.empty() ? "" : "; rules " + Join(t.rules), t.techniques.empty() ? "" : "; techniques " + Join(t.techniques),
             t.tactics.empty() ? "" : "; tactics " + Join(t.tactics));
  for (size_t i = 0; i < pb->steps.size(); ++i) {
    const auto& s = pb->steps[i];
    if (s.action.empty()) {
      fmt::print("  {}. [{}] {}: {}\n", i + 1, s.phase, s.id, s.text);
    } else {
      fmt::print("  {}. [{}] {}: {} on {}{}{}\n", i + 1, s.phase, s.id, s.action, s.targets,
                 s.approval ? " (needs approval)" : "", s.depends_on.empty() ? "" : " (requires " + Join(s.depends_on) + ")");
    }
  }
  return kExitOk;
}

int RunCheck(const PlaybookOptions& opt) {
  auto set = respond::LoadPlaybooks(opt.paths, /*bundled=*/opt.paths.empty());
  if (opt.format == "json") {
    json rejected = json::array();
    for (const auto& p : set.problems) rejected.push_back({{"file", p.file}, {"line", p.line}, {"reason", p.reason}});
    json loaded = json::array();
    for (const auto& pb : set.playbooks) loaded.push_back({{"id", pb.id}, {"file", pb.file}});
    std::puts(json{{"loaded", loaded}, {"rejected", rejected}}.dump(2).c_str());
  } else {
    for (const auto& p : set.problems) fmt::print("{}\n", p.Describe());
    fmt::print("{} playbooks loaded, {} problems\n", set.playbooks.size(), set.problems.size());
  }
  return set.problems.empty() ? kExitOk : kExitUsage;
}

struct Context {
  std::unique_ptr<store::IncidentStore> store;
  store::Incident incident;
  const respond::Playbook* playbook = nullptr;
};

std::optional<Context> Prepare(const PlaybookOptions& opt, const respond::PlaybookSet& set, const char* verb, int* code) {
  Context c;
  c.playbook = set.Find(opt.id);
  if (!c.playbook) {
    *code = Fail(verb, "no playbook '" + opt.id + "' (see `cloudward playbook list`)", kExitUsage);
    return std::nullopt;
  }
  auto store = OpenResolvedStore(opt.store_url);
  if (!store) {
    *code = Fail(verb, store.error().message);
    return std::nullopt;
  }
  c.store = std::move(*store);
  auto incident = c.store->GetIncident(opt.incident);
  if (!incident) {
    *code = Fail(verb, incident.error().message);
    return std::nullopt;
  }
  c.incident = std::move(*incident);
  return c;
}

int PrintPlaybookPlan(const respond::PlaybookPlan& plan, const respond::Playbook& pb, const std::string& format) {
  if (format == "json") {
    std::puts(plan.ToJson().dump(2).c_str());
  } else {
    fmt::print("playbook {} on {}: {}\n", pb.id, plan.incident_id, pb.title);
    for (const auto& s : plan.steps) {
      if (s.action.empty()) {
        fmt::print("\n[{}] {}: to do: {}\n", s.phase, s.step_id, s.text);
        continue;
      }
      fmt::print("\n[{}] {}{}\n", s.phase, s.step_id, s.approval ? " (needs approval)" : "");
      if (s.plan) {
        PrintPlan(*s.plan, "  plan");
      } else {
        fmt::print("  cannot plan {} {}: {}\n", s.action, s.target, s.error);
      }
    }
    for (const auto& n : plan.notes) fmt::print("\nnote: {}\n", n);
    fmt::print("\ndry run: nothing changed; `cloudward playbook run {} --incident {} --apply` runs it\n", pb.id,
               plan.incident_id);
  }
  bool any_error = std::any_of(plan.steps.begin(), plan.steps.end(), [](const auto& s) { return !s.error.empty(); });
  return any_error ? kExitFindings : kExitOk;
}

int RunPlan(const PlaybookOptions& opt) {
  auto set = Load(opt, "plan");
  if (!set) return kExitUsage;
  int code = kExitOk;
  auto c = Prepare(opt, *set, "plan", &code);
  if (!c) return code;
  auto aws = MakeRecordedAws(opt.region);
  auto plan = respond::PlanPlaybook(*c->playbook, c->incident, *aws.client, c->store.get());
  if (!respond::Triggers(c->playbook->trigger, c->incident)) {
    plan.notes.push_back("the playbook's trigger does not match this incident (planned anyway, as asked)");
  }
  return PrintPlaybookPlan(plan, *c->playbook, opt.format);
}

int RunRun(const PlaybookOptions& opt) {
  if (!opt.apply) return RunPlan(opt);
  if (opt.approve) {
    auto separate = SeparationOfDuties(opt.config);
    if (!separate) return Fail("run", separate.error().message, kExitUsage);
    if (*separate) {
      return Fail("run",
                  "separation of duties is on (respond.approvals.separation_of_duties): --approve would approve "
                  "your own steps; run without --approve and have another responder run `cloudward actions approve`",
                  kExitUsage);
    }
  }
  auto set = Load(opt, "run");
  if (!set) return kExitUsage;
  int code = kExitOk;
  auto c = Prepare(opt, *set, "run", &code);
  if (!c) return code;
  auto aws = MakeRecordedAws(opt.region);
  SystemClock clock;
  const std::string who = OperatorName(opt.as);
  respond::Responder responder(*aws.client, aws.recorder.get(), *c->store, clock, who);
  auto journal = [&](const respond::StepPlan& step) {
    store::IncidentEvent e{.incident_id = c->incident.id, .time_ms = clock.NowMs(), .author = who,
                           .kind = "playbook",
                           .text = fmt::format("playbook {} step {} ({}): {}", c->playbook->id, step.step_id,
                                               step.phase, step.text),
                           .data = json{{"playbook", c->playbook->id}, {"step", step.step_id}, {"phase", step.phase},
                                        {"todo", step.text}}
                                       .dump()};
    if (auto s = c->store->AppendEvent(e); !s) fmt::print(stderr, "playbook run: cannot journal: {}\n", s.error().message);
  };
  store::IncidentEvent start{.incident_id = c->incident.id, .time_ms = clock.NowMs(), .author = who, .kind = "playbook",
                             .text = fmt::format("playbook {} started by {}{}", c->playbook->id, who,
                                                 opt.approve ? " (approved for every step)" : ""),
                             .data = json{{"playbook", c->playbook->id}, {"approved", opt.approve}}.dump()};
  if (auto s = c->store->AppendEvent(start); !s) return Fail("run", s.error().message);
  auto run = respond::RunPlaybook(*c->playbook, c->incident, responder,
                                  opt.approve ? respond::RunApproval::kApproved : respond::RunApproval::kGated, journal);
  if (opt.format == "json") {
    std::puts(run.ToJson().dump(2).c_str());
  } else {
    fmt::print("playbook {} on {}\n", run.playbook_id, run.incident_id);
    for (const auto& s : run.steps) {
      fmt::print("  {:<28} {:<17} {}{}{}\n", s.step_id, s.status, s.target.empty() ? "" : s.target + " ",
                 s.action_id.empty() ? "" : "(" + s.action_id + ") ", s.message);
    }
  }
  return run.ok() ? kExitOk : kExitFindings;
}

bool ValidFormat(const std::string& f, const char* other) {
  if (f.empty() || f == "json" || f == other) return true;
  fmt::print(stderr, "playbook: unknown --format '{}' ({} or json)\n", f, other);
  return false;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<PlaybookOptions>();
  auto* cmd = app.add_subcommand("playbook", "Response playbooks: list, check, plan and run them on an incident");
  cmd->require_subcommand(1);
  auto common = [opt](CLI::App* sub) {
    sub->add_option("--playbooks", opt->dirs, "More playbooks: a YAML file or folder (repeatable); the bundled ones "
                                              "are always loaded, same id replaces")
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->add_option("--store", opt->store_url, "Store URL (default: $CLOUDWARD_STORE, else the default store)");
  };
  auto* list = cmd->add_subcommand("list", "List the playbooks (* marks those whose trigger fits --incident)");
  list->add_option("--incident", opt->incident, "Incident id");
  list->add_option("--format", opt->format, "table or json");
  common(list);
  list->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, "table") ? RunList(*opt) : kExitUsage; });

  auto* show = cmd->add_subcommand("show", "Show a playbook's trigger and steps");
  show->add_option("id", opt->id, "Playbook id")->required();
  common(show);
  show->callback([opt, exit_code] { *exit_code = RunShow(*opt); });

  auto* check = cmd->add_subcommand("check", "Validate playbook files (default: the bundled ones)");
  check->add_option("paths", opt->paths, "Files or folders");
  check->add_option("--format", opt->format, "text or json");
  check->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, "text") ? RunCheck(*opt) : kExitUsage; });

  for (bool run : {false, true}) {
    auto* sub = cmd->add_subcommand(run ? "run" : "plan", run ? "Run a playbook on an incident (dry run unless --apply)"
                                                               : "Plan every step of a playbook on an incident; "
                                                                 "changes nothing");
    sub->add_option("id", opt->id, "Playbook id")->required();
    sub->add_option("--incident", opt->incident, "Incident id")->required();
    sub->add_option("--format", opt->format, "text or json");
    sub->add_option("--region", opt->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
    common(sub);
    if (run) {
      sub->add_flag("--apply", opt->apply, "Make the changes (without it: print the plan)");
      sub->add_flag("--approve", opt->approve, "Approve the steps that need approval, as --as");
      sub->add_option("--as", opt->as, "Who runs it (default $USER)");
      sub->add_option("--config", opt->config,
                      "Configuration file for respond.approvals (default: $CLOUDWARD_CONFIG, "
                      "~/.config/cloudward/cloudward.yaml)");
      sub->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, "text") ? RunRun(*opt) : kExitUsage; });
    } else {
      sub->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format, "text") ? RunPlan(*opt) : kExitUsage; });
    }
  }
}

}  // namespace playbook_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(playbook, 52, cloudward::cli::playbook_command::SetUp);
