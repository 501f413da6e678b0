// `cloudward incidents list|show|update|verify`: read and triage the incidents that hunts recorded.
//
//   cloudward incidents list [--store URL] [--status S] [--severity S] [--all] [--limit N] [--format table|json]
//   cloudward incidents show ID [--store URL] [--format table|json]
//   cloudward incidents update ID [--store URL] [--status S] [--assignee NAME] [--note TEXT] [--as WHO]
//   cloudward incidents verify ID [--store URL] [--format table|json]   the journal's hash chain
//
// The store is --store, else $CLOUDWARD_STORE, else store::DefaultStoreUrl(). Every update is
// journaled with who (--as, else $USER) and when. Exit codes: 0 ok, 2 bad flags or a forbidden
// status change, 4 store unavailable, unknown id or concurrent update.
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "analyze/attack.h"
#include "analyze/lifecycle.h"
#include "analyze/resource_context.h"
#include "cli/command.h"
#include "core/clock.h"
#include "core/finding_json.h"
#include "core/time.h"
#include "store/incident_json.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace incidents_command {

struct IncidentsOptions {
  std::string store_url;
  std::string format = "table";
  std::string status, severity, assignee, note, as;
  bool assignee_set = false;
  bool all = false;  // list: the table shows informational incidents too
  size_t limit = 0;
  std::string id;
};

std::string Time(int64_t ms) { return ms == kUnknownTime ? "-" : FormatIsoTime(ms); }

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out.empty() ? "-" : out;
}

int Report(const char* verb, const Error& e) {
  fmt::print(stderr, "incidents {}: {}\n", verb, e.message);
  switch (e.code) {
    case ErrorCode::kInvalidArgument: return kExitUsage;
    default: return kExitFailure;
  }
}

Result<std::unique_ptr<store::IncidentStore>> Open(const IncidentsOptions& opt) {
  const std::string url = store::ResolveStoreUrl(opt.store_url);
  auto s = store::OpenStore(url);
  if (!s) return Fail(s.error().code, "cannot open store " + url + ": " + s.error().message);
  return s;
}

bool ValidFormat(const std::string& f) { return f == "table" || f == "json"; }

int RunList(const IncidentsOptions& opt) {
  store::IncidentFilter filter;
  filter.limit = opt.limit;
  if (!opt.status.empty()) {
    if (opt.status == "active") {
      filter.open_only = true;
    } else {
      auto s = store::IncidentStatusFromName(opt.status);
      if (!s) return Report("list", {ErrorCode::kInvalidArgument, "unknown status '" + opt.status + "' (open, triaged, contained, eradicated, recovered, closed, active)"});
      filter.status = *s;
    }
  }
  if (!opt.severity.empty()) {
    Level l = LevelFromName(opt.severity);
    if (LevelName(l) != opt.severity) {
      return Report("list", {ErrorCode::kInvalidArgument, "unknown severity '" + opt.severity + "' (informational, low, medium, high, critical)"});
    }
    filter.severity = l;
  }
  // The table is the triage queue: incidents made only of informational findings (routine
  // activity kept as context) stay out of it unless asked for; JSON lists every match.
  const bool hide_routine = opt.format == "table" && !opt.all && !filter.severity;
  if (hide_routine) filter.limit = 0;
  auto store = Open(opt);
  if (!store) return Report("list", store.error());
  auto incidents = (*store)->ListIncidents(filter);
  if (!incidents) return Report("list", incidents.error());
  size_t hidden = 0;
  if (hide_routine) {
    auto routine = std::remove_if(incidents->begin(), incidents->end(),
                                  [](const store::Incident& inc) { return inc.severity == Level::kInformational; });
    hidden = static_cast<size_t>(incidents->end() - routine);
    incidents->erase(routine, incidents->end());
    if (opt.limit > 0 && incidents->size() > opt.limit) incidents->resize(opt.limit);
  }
  const auto print_hidden = [&] {
    if (hidden > 0) {
      fmt::print("({} informational incident{} of routine activity not shown: --all or --severity informational)\n",
                 hidden, hidden == 1 ? "" : "s");
    }
  };
  if (opt.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& inc : *incidents) out.push_back(store::IncidentToJson(inc));
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }
  if (incidents->empty()) {
    std::puts("no incidents");
    print_hidden();
    return kExitOk;
  }
  // The table is a triage queue: most severe first, then most recently active (the store's order).
  std::stable_sort(incidents->begin(), incidents->end(),
                   [](const store::Incident& a, const store::Incident& b) { return a.severity > b.severity; });
  fmt::print("{:<18} {:<9} {:<11} {:>8}  {:<20} {:<20} {:<12} {}\n", "ID", "SEVERITY", "STATUS", "FINDINGS",
             "FIRST SEEN", "LAST SEEN", "ASSIGNEE", "TITLE");
  for (const auto& inc : *incidents) {
    fmt::print("{:<18} {:<9} {:<11} {:>8}  {:<20} {:<20} {:<12} {}\n", inc.id, LevelName(inc.severity),
               store::IncidentStatusName(inc.status), inc.finding_count, Time(inc.first_seen_ms),
               Time(inc.last_seen_ms), inc.assignee.empty() ? "-" : inc.assignee, inc.title);
  }
  print_hidden();
  return kExitOk;
}

int RunShow(const IncidentsOptions& opt) {
  auto store = Open(opt);
  if (!store) return Report("show", store.error());
  auto inc = (*store)->GetIncident(opt.id);
  if (!inc) return Report("show", inc.error());
  auto findings = (*store)->IncidentFindings(opt.id);
  if (!findings) return Report("show", findings.error());
  auto events = (*store)->Events(opt.id);
  if (!events) return Report("show", events.error());
  auto actions = (*store)->ListActions(opt.id);
  if (!actions) return Report("show", actions.error());

  if (opt.format == "json") {
    nlohmann::json out = store::IncidentToJson(*inc);
    nlohmann::json attack = {{"tactics", nlohmann::json::array()}, {"techniques", nlohmann::json::array()}};
    for (const auto& t : inc->tactics) {
      const auto* known = analyze::FindTactic(t);
      attack["tactics"].push_back({{"short_name", t},
                                   {"id", known ? nlohmann::json(known->id) : nlohmann::json(nullptr)},
                                   {"name", known ? nlohmann::json(known->name) : nlohmann::json(nullptr)}});
    }
    for (const auto& t : inc->techniques) {
      const auto* known = analyze::FindTechnique(t);
      attack["techniques"].push_back({{"id", t}, {"name", known ? nlohmann::json(known->name) : nlohmann::json(nullptr)}});
    }
    out["attack"] = std::move(attack);
    out["findings"] = nlohmann::json::array();
    for (const auto& sf : *findings) {
      nlohmann::json f = FindingToJson(sf.finding);
      f["key"] = sf.key;
      out["findings"].push_back(std::move(f));
    }
    out["journal"] = nlohmann::json::array();
    for (const auto& e : *events) out["journal"].push_back(store::IncidentEventToJson(e));
    auto chain = store::VerifyJournal(*events);
    out["journal_chain"] = {{"intact", chain.ok()}, {"verified", chain.verified}, {"unchained", chain.unchained},
                            {"head", chain.head}};
    if (!chain.ok()) out["journal_chain"]["problem"] = chain.reason;
    out["actions"] = nlohmann::json::array();
    for (const auto& a : *actions) out["actions"].push_back(store::ResponseActionToJson(a));
    out["context"] = analyze::IncidentContext(**store, *inc);
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kExitOk;
  }

  fmt::print("{}  {}\n", inc->id, inc->title);
  fmt::print("  severity   {}\n  status     {}{}\n  assignee   {}\n", LevelName(inc->severity),
             store::IncidentStatusName(inc->status),
             inc->merged_into.empty() ? std::string() : " (merged into " + inc->merged_into + ")",
             inc->assignee.empty() ? "-" : inc->assignee);
  fmt::print("  seen       {} .. {}\n  findings   {}\n", Time(inc->first_seen_ms), Time(inc->last_seen_ms),
             inc->finding_count);
  fmt::print("  actors     {}\n  keys       {}\n  source ips {}\n", Join(inc->actors), Join(inc->access_keys),
             Join(inc->source_ips));
  fmt::print("  resources  {}\n  accounts   {}\n  regions    {}\n  logs       {}\n", Join(inc->resources),
             Join(inc->accounts), Join(inc->regions), Join(inc->log_types));
  std::vector<std::string> tactics, techniques;
  for (const auto& t : inc->tactics) {
    const auto* known = analyze::FindTactic(t);
    tactics.push_back(known ? std::string(known->name) + " (" + std::string(known->id) + ")" : t);
  }
  for (const auto& t : inc->techniques) {
    const auto* known = analyze::FindTechnique(t);
    techniques.push_back(known ? t + " " + std::string(known->name) : t);
  }
  fmt::print("  tactics    {}\n  techniques {}\n", Join(tactics, " -> "), Join(techniques));
  fmt::print("\nRules\n");
  for (const auto& r : inc->rules) fmt::print("  {:<9} {:>6}  {}  ({})\n", LevelName(r.level), r.count, r.title, r.id);
  fmt::print("\nFindings\n");
  for (const auto& sf : *findings) {
    const auto& c = sf.finding.context;
    std::string who = !c.actor.arn.empty() ? c.actor.arn : !c.actor.access_key_id.empty() ? c.actor.access_key_id : c.source_ip;
    fmt::print("  {:<24} {:<9} {:<10} {:<28} {}  {}\n", Time(c.time_ms), LevelName(sf.finding.rule.level),
               LogTypeName(sf.finding.log_type), c.event_name.empty() ? "-" : c.event_name, who.empty() ? "-" : who,
               sf.finding.rule.title);
  }
  nlohmann::json context = analyze::IncidentContext(**store, *inc);
  if (!context.is_null()) {
    fmt::print("\nContext (inventory {} of {})\n", context["inventory"].get<std::string>(),
               Time(context["taken_ms"].get<int64_t>()));
    for (const auto& entry : context["resources"]) fmt::print("  {}\n", analyze::DescribeContextEntry(entry));
  }
  if (!actions->empty()) {
    fmt::print("\nActions\n");
    for (const auto& a : *actions) {
      fmt::print("  {:<12} {:<24} {:<12} {}\n", a.id, a.kind, a.status, a.target);
    }
  }
  auto chain = store::VerifyJournal(*events);
  fmt::print("\nJournal ({})\n", chain.ok() ? fmt::format("hash chain intact, head {}", chain.head.substr(0, 16))
                                            : "HASH CHAIN BROKEN: " + chain.reason);
  for (const auto& e : *events) {
    fmt::print("  {:<24} {:<12} {:<9} {}\n", Time(e.time_ms), e.author, e.kind, e.text);
  }
  return kExitOk;
}

// `incidents verify ID`: checks the journal's hash chain; exit 1 when it is broken.
int RunVerify(const IncidentsOptions& opt) {
  auto store = store::OpenStore(store::ResolveStoreUrl(opt.store_url));
  if (!store) return Report("verify", store.error());
  auto inc = (*store)->GetIncident(opt.id);
  if (!inc) return Report("verify", inc.error());
  auto events = (*store)->Events(opt.id);
  if (!events) return Report("verify", events.error());
  auto chain = store::VerifyJournal(*events);
  if (opt.format == "json") {
    nlohmann::json out = {{"incident", opt.id}, {"intact", chain.ok()}, {"verified", chain.verified},
                          {"unchained", chain.unchained}, {"head", chain.head}};
    if (!chain.ok()) out["problem"] = chain.reason, out["broken_at"] = chain.broken_at;
    std::puts(out.dump(2).c_str());
  } else if (chain.ok()) {
    fmt::print("{}: journal intact, {} entries verified{}; head {}\n", opt.id, chain.verified,
               chain.unchained ? fmt::format(" ({} older entries before the chain)", chain.unchained) : "",
               chain.head);
  } else {
    fmt::print("{}: journal TAMPERED: {}\n", opt.id, chain.reason);
  }
  return chain.ok() ? kExitOk : kExitFindings;
}

int RunUpdate(const IncidentsOptions& opt) {
  analyze::IncidentChange change;
  if (!opt.status.empty()) {
    auto s = store::IncidentStatusFromName(opt.status);
    if (!s) return Report("update", {ErrorCode::kInvalidArgument, "unknown status '" + opt.status + "' (open, triaged, contained, eradicated, recovered, closed)"});
    change.status = *s;
  }
  if (opt.assignee_set) change.assignee = opt.assignee;
  change.note = opt.note;
  if (!change.status && !change.assignee && change.note.empty()) {
    return Report("update", {ErrorCode::kInvalidArgument, "nothing to change: give --status, --assignee or --note"});
  }
  std::string who = opt.as;
  if (who.empty()) {
    const char* user = std::getenv("USER");
    who = user != nullptr && *user != '\0' ? user : "unknown";
  }
  auto store = Open(opt);
  if (!store) return Report("update", store.error());
  auto inc = analyze::ApplyIncidentChange(**store, opt.id, change, who, SystemClock().NowMs());
  if (!inc) return Report("update", inc.error());
  fmt::print("{}: status {}, assignee {}\n", inc->id, store::IncidentStatusName(inc->status),
             inc->assignee.empty() ? "-" : inc->assignee);
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("incidents", "List, show and triage incidents");
  cmd->require_subcommand(1);
  auto opt = std::make_shared<IncidentsOptions>();
  auto add_store = [&](CLI::App* sub) {
    sub->add_option("--store", opt->store_url, "Store URL: sqlite://PATH, PATH or postgresql://... "
                                               "(default $CLOUDWARD_STORE, else " + store::DefaultStoreUrl() + ")");
  };
  auto add_format = [&](CLI::App* sub) {
    sub->add_option("--format", opt->format, "Output format: table or json")
        ->check(CLI::IsMember({"table", "json"}));
  };

  auto* list = cmd->add_subcommand("list", "List incidents: the table most severe first, then most recently active; JSON most recently active first");
  add_store(list);
  add_format(list);
  list->add_option("--status", opt->status, "Only this status (or 'active': all but closed)");
  list->add_option("--severity", opt->severity, "Only this severity: informational, low, medium, high, critical");
  list->add_flag("--all", opt->all, "The table also shows informational incidents (routine activity; JSON always lists them)");
  list->add_option("--limit", opt->limit, "At most this many");
  list->callback([opt, exit_code] { *exit_code = ValidFormat(opt->format) ? RunList(*opt) : kExitUsage; });

  auto* show = cmd->add_subcommand("show", "Show one incident: summary, ATT&CK, findings, journal");
  show->add_option("id", opt->id, "Incident id")->required();
  add_store(show);
  add_format(show);
  show->callback([opt, exit_code] { *exit_code = RunShow(*opt); });

  auto* verify = cmd->add_subcommand("verify", "Check that the incident's journal was not edited (hash chain)");
  verify->add_option("id", opt->id, "Incident id")->required();
  add_store(verify);
  add_format(verify);
  verify->callback([opt, exit_code] { *exit_code = RunVerify(*opt); });

  auto* update = cmd->add_subcommand("update", "Change status or assignee, or add a note (journaled)");
  update->add_option("id", opt->id, "Incident id")->required();
  add_store(update);
  update->add_option("--status", opt->status, "open, triaged, contained, eradicated, recovered, closed");
  update->add_option("--assignee", opt->assignee, "Assign to NAME ('' to unassign)")
      ->each([opt](const std::string&) { opt->assignee_set = true; });
  update->add_option("--note", opt->note, "Add a note to the journal");
  update->add_option("--as", opt->as, "Who makes the change (default $USER)");
  update->callback([opt, exit_code] { *exit_code = RunUpdate(*opt); });
}

}  // namespace incidents_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(incidents, 40, cloudward::cli::incidents_command::SetUp);
