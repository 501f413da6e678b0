#include "analyze/report.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "analyze/attack.h"
#include "analyze/resource_context.h"
#include "core/finding_json.h"
#include "core/time.h"

namespace cloudward::analyze {
namespace {

using nlohmann::json;
using store::StoredFinding;

constexpr const char* kVersion = "0.1.0";

std::string TimeText(int64_t ms) { return ms == kUnknownTime ? "-" : FormatIsoTime(ms); }

std::vector<const StoredFinding*> ByTime(const std::vector<StoredFinding>& findings) {
  std::vector<const StoredFinding*> out;
  out.reserve(findings.size());
  for (const auto& f : findings) out.push_back(&f);
  std::stable_sort(out.begin(), out.end(), [](const StoredFinding* a, const StoredFinding* b) {
    if (a->finding.context.time_ms != b->finding.context.time_ms)
      return a->finding.context.time_ms < b->finding.context.time_ms;
    return a->key < b->key;
  });
  return out;
}

std::string ActorOf(const Finding& f) {
  const Actor& a = f.context.actor;
  if (!a.arn.empty()) return a.arn;
  if (!a.user_name.empty()) return a.user_name;
  if (!a.access_key_id.empty()) return a.access_key_id;
  return a.type;
}

std::string_view LevelColour(Level level) {
  switch (level) {
    case Level::kCritical: return "#7f1d1d";
    case Level::kHigh: return "#dc2626";
    case Level::kMedium: return "#f59e0b";
    case Level::kLow: return "#3b82f6";
    case Level::kInformational: break;
  }
  return "#9ca3af";
}

std::string Joined(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string TacticNames(const std::vector<std::string>& tactics) {
  std::vector<std::string> names;
  for (const auto& t : tactics) {
    const AttackTactic* tactic = FindTactic(t);
    names.push_back(tactic ? fmt::format("{} ({})", tactic->name, tactic->id) : t);
  }
  return Joined(names);
}

std::string TechniqueNames(const std::vector<std::string>& techniques) {
  std::vector<std::string> names;
  for (const auto& t : techniques) {
    const AttackTechnique* tech = FindTechnique(t);
    names.push_back(tech ? fmt::format("{} {}", t, tech->name) : t);
  }
  return Joined(names);
}

// Swimlane chart: one lane per rule (most severe first), one dot per finding at its time.
std::string TimelineSvg(const ReportData& d, const std::vector<const StoredFinding*>& sorted) {
  const auto& inc = d.incident;
  std::vector<std::string> lanes;
  std::map<std::string, size_t> lane_of;
  for (const auto& r : inc.rules) {
    if (lanes.size() == 12) break;
    lane_of[r.id] = lanes.size();
    lanes.push_back(r.title);
  }
  const bool other = inc.rules.size() > lanes.size();
  if (other) lanes.push_back("other rules");
  int64_t t0 = kUnknownTime, t1 = kUnknownTime;
  for (const auto* f : sorted) {
    int64_t t = f->finding.context.time_ms;
    if (t == kUnknownTime) continue;
    if (t0 == kUnknownTime) t0 = t;
    t1 = t;
  }
  if (t0 == kUnknownTime || lanes.empty()) return "<p>No timed findings to chart.</p>";
  const int label_w = 300, plot_w = 640, lane_h = 22, top = 10;
  const int height = top + static_cast<int>(lanes.size()) * lane_h + 30;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"findings over time by rule\" font-family=\"sans-serif\" font-size=\"11\">\n",
      label_w + plot_w + 20, height);
  for (size_t i = 0; i < lanes.size(); ++i) {
    int y = top + static_cast<int>(i) * lane_h;
    std::string label = lanes[i].size() > 48 ? lanes[i].substr(0, 47) + "…" : lanes[i];
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", label_w, y, plot_w,
                       lane_h, i % 2 ? "#f9fafb" : "#f3f4f6");
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_w - 6, y + 15,
                       HtmlEscape(label));
  }
  const double span = std::max<int64_t>(1, t1 - t0);
  // At most 4000 dots: beyond that, every n-th finding (the table and exports keep all).
  const size_t step = std::max<size_t>(1, sorted.size() / 4000);
  for (size_t i = 0; i < sorted.size(); i += step) {
    const Finding& f = sorted[i]->finding;
    if (f.context.time_ms == kUnknownTime) continue;
    auto it = lane_of.find(f.rule.id);
    size_t lane = it != lane_of.end() ? it->second : lanes.size() - 1;
    double x = label_w + 6 + (plot_w - 12) * static_cast<double>(f.context.time_ms - t0) / span;
    int y = top + static_cast<int>(lane) * lane_h + lane_h / 2;
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.8\"><title>{} {}</title></circle>\n",
                       x, y, LevelColour(f.rule.level), TimeText(f.context.time_ms), HtmlEscape(f.rule.title));
  }
  int axis_y = top + static_cast<int>(lanes.size()) * lane_h + 16;
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", label_w, axis_y, TimeText(t0));
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_w + plot_w, axis_y, TimeText(t1));
  svg += "</svg>\n";
  return svg;
}

void HtmlList(std::string& out, std::string_view label, const std::vector<std::string>& values) {
  out += fmt::format("<tr><th>{}</th><td>", label);
  if (values.empty()) out += "-";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i == 200) {
      out += fmt::format(" … {} more", values.size() - 200);
      break;
    }
    out += fmt::format("{}<code>{}</code>", i ? " " : "", HtmlEscape(values[i]));
  }
  out += "</td></tr>\n";
}

std::string MdCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}


std::string_view AsffSeverity(Level level) {
  switch (level) {
    case Level::kInformational: return "INFORMATIONAL";
    case Level::kLow: return "LOW";
    case Level::kMedium: return "MEDIUM";
    case Level::kHigh: return "HIGH";
    case Level::kCritical: return "CRITICAL";
  }
  return "MEDIUM";
}

// ASFF finding types are "namespace/category"; ATT&CK tactics map onto the TTPs namespace.
std::string AsffType(std::string_view tactic_short_name) {
  if (tactic_short_name == "exfiltration") return "Effects/Data Exfiltration";
  if (tactic_short_name == "impact") return "Effects";
  const AttackTactic* t = FindTactic(tactic_short_name);
  if (t == nullptr || t->short_name == "reconnaissance" || t->short_name == "resource-development")
    return "TTPs";
  return "TTPs/" + std::string(t->name);
}

// ASFF resource type from an ARN or id.
std::pair<std::string, std::string> AsffResource(const std::string& id) {
  auto has = [&](std::string_view s) { return id.find(s) != std::string::npos; };
  if (id.rfind("arn:aws:s3:::", 0) == 0) return {id.find('/') == std::string::npos ? "AwsS3Bucket" : "AwsS3Object", id};
  if (has(":iam::") && has(":user/")) return {"AwsIamUser", id};
  if (has(":iam::") && has(":role/")) return {"AwsIamRole", id};
  if (has(":iam::") && has(":policy/")) return {"AwsIamPolicy", id};
  if (has(":instance/") || id.rfind("i-", 0) == 0) return {"AwsEc2Instance", id};
  if (id.rfind("AKIA", 0) == 0 || id.rfind("ASIA", 0) == 0) return {"AwsIamAccessKey", id};
  if (has(":lambda:")) return {"AwsLambdaFunction", id};
  if (has(":kms:")) return {"AwsKmsKey", id};
  if (has(":secretsmanager:")) return {"AwsSecretsManagerSecret", id};
  if (id.rfind("sg-", 0) == 0) return {"AwsEc2SecurityGroup", id};
  return {"Other", id};
}

std::string_view AsffWorkflow(store::IncidentStatus s) {
  switch (s) {
    case store::IncidentStatus::kOpen: return "NEW";
    case store::IncidentStatus::kTriaged:
    case store::IncidentStatus::kContained:
    case store::IncidentStatus::kEradicated: return "NOTIFIED";
    case store::IncidentStatus::kRecovered:
    case store::IncidentStatus::kClosed: return "RESOLVED";
  }
  return "NEW";
}

int OcsfStatus(store::IncidentStatus s) {
  switch (s) {
    case store::IncidentStatus::kOpen: return 1;       // New
    case store::IncidentStatus::kTriaged:
    case store::IncidentStatus::kContained:
    case store::IncidentStatus::kEradicated: return 2; // In Progress
    case store::IncidentStatus::kRecovered: return 4;  // Resolved
    case store::IncidentStatus::kClosed: return 5;     // Closed
  }
  return 0;
}

std::string Truncate(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

std::string Description(const store::Incident& inc) {
  std::string rules;
  for (size_t i = 0; i < inc.rules.size() && i < 5; ++i)
    rules += fmt::format("{}{} x{}", i ? "; " : "", inc.rules[i].title, inc.rules[i].count);
  return fmt::format("{} findings from {} to {}. Actors: {}. Source IPs: {}. Rules: {}.", inc.finding_count,
                     TimeText(inc.first_seen_ms), TimeText(inc.last_seen_ms),
                     inc.actors.empty() ? "-" : Joined(inc.actors), inc.source_ips.empty() ? "-" : Joined(inc.source_ips),
                     rules);
}

}  // namespace


std::string RenderHtml(const ReportData& d, const ReportOptions& o) {
  const store::Incident& inc = d.incident;
  const auto sorted = ByTime(d.findings);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += fmt::format("<title>{} — {}</title>\n", HtmlEscape(inc.id), HtmlEscape(inc.title));
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n";
  h += R"(<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#111827;max-width:1200px}
h1{font-size:1.5em;margin-bottom:.2em}h2{border-bottom:1px solid #e5e7eb;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f9fafb;white-space:nowrap}code{font-size:.9em;background:#f3f4f6;padding:0 2px;word-break:break-all}
.sev{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:600}
pre{white-space:pre-wrap;word-break:break-all;background:#f9fafb;padding:6px;font-size:.85em}
.muted{color:#6b7280}
</style></head><body>
)";
  h += fmt::format("<h1>{}: {}</h1>\n", HtmlEscape(inc.id), HtmlEscape(inc.title));
  h += fmt::format("<p><span class=\"sev\" style=\"background:{}\">{}</span> status <b>{}</b>{} — generated {} by cloudward {}</p>\n",
                   LevelColour(inc.severity), LevelName(inc.severity), store::IncidentStatusName(inc.status),
                   inc.assignee.empty() ? "" : ", assigned to <b>" + HtmlEscape(inc.assignee) + "</b>",
                   TimeText(o.generated_ms), kVersion);
  if (!inc.merged_into.empty())
    h += fmt::format("<p>Merged into <b>{}</b>.</p>\n", HtmlEscape(inc.merged_into));

  h += "<h2>Summary</h2>\n<table>\n";
  h += fmt::format("<tr><th>First seen</th><td>{}</td></tr><tr><th>Last seen</th><td>{}</td></tr>\n",
                   TimeText(inc.first_seen_ms), TimeText(inc.last_seen_ms));
  h += fmt::format("<tr><th>Findings</th><td>{} (critical {}, high {}, medium {}, low {}, informational {})</td></tr>\n",
                   inc.finding_count, inc.level_counts[4], inc.level_counts[3], inc.level_counts[2],
                   inc.level_counts[1], inc.level_counts[0]);
  h += fmt::format("<tr><th>ATT&amp;CK tactics</th><td>{}</td></tr>\n", HtmlEscape(TacticNames(inc.tactics)));
  h += fmt::format("<tr><th>ATT&amp;CK techniques</th><td>{}</td></tr>\n", HtmlEscape(TechniqueNames(inc.techniques)));
  HtmlList(h, "Accounts", inc.accounts);
  HtmlList(h, "Regions", inc.regions);
  HtmlList(h, "Log types", inc.log_types);
  h += "</table>\n";

  h += "<h2>Timeline</h2>\n" + TimelineSvg(d, sorted);
  h += "<h2>Rules</h2>\n<table><tr><th>Level</th><th>Rule</th><th>Findings</th></tr>\n";
  for (const auto& r : inc.rules) {
    h += fmt::format("<tr><td><span class=\"sev\" style=\"background:{}\">{}</span></td><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td></tr>\n",
                     LevelColour(r.level), LevelName(r.level), HtmlEscape(r.title), HtmlEscape(r.id), r.count);
  }
  h += "</table>\n";

  h += fmt::format("<h2>Findings ({})</h2>\n<table><tr><th>Time</th><th>Level</th><th>Rule</th><th>Actor</th><th>Source IP</th><th>Event</th><th>Resources</th></tr>\n",
                   sorted.size());
  for (size_t i = 0; i < sorted.size() && i < o.max_rows; ++i) {
    const Finding& f = sorted[i]->finding;
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     TimeText(f.context.time_ms), LevelName(f.rule.level), HtmlEscape(f.rule.title),
                     HtmlEscape(ActorOf(f)), HtmlEscape(f.context.source_ip),
                     HtmlEscape(f.context.event_source + " " + f.context.event_name +
                                (f.context.error_code.empty() ? "" : " (" + f.context.error_code + ")")),
                     HtmlEscape(Joined(f.context.resources)));
  }
  if (sorted.size() > o.max_rows)
    h += fmt::format("<tr><td colspan=\"7\">… {} more findings (see the JSON or OCSF export)</td></tr>\n", sorted.size() - o.max_rows);
  h += "</table>\n";

  h += "<h2>Actors and resources</h2>\n<table>\n";
  HtmlList(h, "Actors", inc.actors);
  HtmlList(h, "Access keys", inc.access_keys);
  HtmlList(h, "Source IPs", inc.source_ips);
  HtmlList(h, "Resources", inc.resources);
  h += "</table>\n";
  if (!d.context.is_null()) {
    h += fmt::format("<h2>Resource context</h2>\n<p class=\"muted\">From inventory {} taken {}.</p>\n<ul>\n",
                     HtmlEscape(d.context.value("inventory", "")), HtmlEscape(d.context.value("taken", "")));
    for (const auto& entry : d.context["resources"]) h += "<li>" + HtmlEscape(DescribeContextEntry(entry)) + "</li>\n";
    h += "</ul>\n";
  }

  h += fmt::format("<h2>Actions taken ({})</h2>\n", d.actions.size());
  if (d.actions.empty()) {
    h += "<p class=\"muted\">No response actions recorded.</p>\n";
  } else {
    h += "<table><tr><th>Action</th><th>Target</th><th>Status</th><th>Applied</th><th>Prior state</th></tr>\n";
    for (const auto& a : d.actions) {
      h += fmt::format("<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>\n",
                       HtmlEscape(a.kind), HtmlEscape(a.target), HtmlEscape(a.status), TimeText(a.applied_ms),
                       HtmlEscape(a.prior_state));
    }
    h += "</table>\n";
  }

  h += fmt::format("<h2>Journal ({})</h2>\n<table><tr><th>Time</th><th>Author</th><th>Kind</th><th>Text</th></tr>\n", d.journal.size());
  for (const auto& e : d.journal) {
    h += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", TimeText(e.time_ms),
                     HtmlEscape(e.author), HtmlEscape(e.kind), HtmlEscape(e.text));
  }
  h += "</table>\n";

  h += fmt::format("<h2>Evidence</h2>\n<p class=\"muted\">The original records of the first {} findings, with their source.</p>\n",
                   std::min(o.max_evidence, sorted.size()));
  for (size_t i = 0; i < sorted.size() && i < o.max_evidence; ++i) {
    const Finding& f = sorted[i]->finding;
    h += fmt::format("<details><summary>{} {} — <code>{}:{}</code></summary><pre>{}</pre></details>\n",
                     TimeText(f.context.time_ms), HtmlEscape(f.rule.title), HtmlEscape(f.source_file),
                     f.source_offset, HtmlEscape(f.record));
  }
  h += "</body></html>\n";
  return h;
}

std::string RenderMarkdown(const ReportData& d, const ReportOptions& o) {
  const store::Incident& inc = d.incident;
  const auto sorted = ByTime(d.findings);
  std::string m;
  m += fmt::format("# {}: {}\n\n", inc.id, MdCell(inc.title));
  m += fmt::format("**Severity** {} · **Status** {}{} · generated {} by cloudward {}\n\n", LevelName(inc.severity),
                   store::IncidentStatusName(inc.status), inc.assignee.empty() ? "" : " · **Assignee** " + inc.assignee,
                   TimeText(o.generated_ms), kVersion);
  m += "## Summary\n\n| | |\n|---|---|\n";
  m += fmt::format("| First seen | {} |\n| Last seen | {} |\n", TimeText(inc.first_seen_ms), TimeText(inc.last_seen_ms));
  m += fmt::format("| Findings | {} |\n", inc.finding_count);
  m += fmt::format("| ATT&CK tactics | {} |\n", MdCell(TacticNames(inc.tactics)));
  m += fmt::format("| ATT&CK techniques | {} |\n", MdCell(TechniqueNames(inc.techniques)));
  m += fmt::format("| Actors | {} |\n| Access keys | {} |\n| Source IPs | {} |\n", MdCell(Joined(inc.actors)),
                   MdCell(Joined(inc.access_keys)), MdCell(Joined(inc.source_ips)));
  m += fmt::format("| Resources | {} |\n| Accounts | {} |\n| Regions | {} |\n\n", MdCell(Joined(inc.resources)),
                   MdCell(Joined(inc.accounts)), MdCell(Joined(inc.regions)));
  m += "## Rules\n\n| Level | Rule | Findings |\n|---|---|---:|\n";
  for (const auto& r : inc.rules) m += fmt::format("| {} | {} | {} |\n", LevelName(r.level), MdCell(r.title), r.count);
  m += fmt::format("\n## Timeline ({} findings)\n\n| Time | Level | Rule | Actor | Source IP | Event |\n|---|---|---|---|---|---|\n",
                   sorted.size());
  for (size_t i = 0; i < sorted.size() && i < o.max_rows; ++i) {
    const Finding& f = sorted[i]->finding;
    m += fmt::format("| {} | {} | {} | `{}` | {} | {} {} |\n", TimeText(f.context.time_ms), LevelName(f.rule.level),
                     MdCell(f.rule.title), MdCell(ActorOf(f)), MdCell(f.context.source_ip),
                     MdCell(f.context.event_source), MdCell(f.context.event_name));
  }
  if (sorted.size() > o.max_rows) m += fmt::format("\n… {} more findings.\n", sorted.size() - o.max_rows);
  if (!d.context.is_null()) {
    m += fmt::format("\n## Resource context\n\nFrom inventory {} taken {}.\n\n", d.context.value("inventory", ""),
                     d.context.value("taken", ""));
    for (const auto& entry : d.context["resources"]) m += "- " + MdCell(DescribeContextEntry(entry)) + "\n";
  }
  m += fmt::format("\n## Actions taken ({})\n\n", d.actions.size());
  for (const auto& a : d.actions) {
    m += fmt::format("- {} `{}` on `{}`: {} (applied {})\n", a.id, a.kind, MdCell(a.target), a.status, TimeText(a.applied_ms));
  }
  m += fmt::format("\n## Journal ({})\n\n", d.journal.size());
  for (const auto& e : d.journal) {
    m += fmt::format("- {} **{}** {}: {}\n", TimeText(e.time_ms), MdCell(e.author), e.kind, MdCell(e.text));
  }
  return m;
}

json IncidentToOcsf(const ReportData& d, int64_t now_ms) {
  const store::Incident& inc = d.incident;
  json infos = json::array();
  for (const StoredFinding* sf : ByTime(d.findings)) {
    const Finding& f = sf->finding;
    json info = {{"uid", sf->key}, {"title", f.rule.title}, {"types", {f.rule.id}},
                 {"analytic", {{"uid", f.rule.id}, {"name", f.rule.title}, {"type_id", 1}, {"type", "Rule"}}}};
    if (f.context.time_ms != kUnknownTime) info["first_seen_time"] = f.context.time_ms;
    infos.push_back(std::move(info));
  }
  json attacks = json::array();
  for (const auto& t : inc.techniques) {
    json a = {{"technique", {{"uid", t}}}, {"version", "14.1"}};
    if (const AttackTechnique* tech = FindTechnique(t)) a["technique"]["name"] = std::string(tech->name);
    attacks.push_back(std::move(a));
  }
  for (const auto& t : inc.tactics) {
    if (const AttackTactic* tactic = FindTactic(t)) {
      attacks.push_back({{"tactic", {{"uid", std::string(tactic->id)}, {"name", std::string(tactic->name)}}}, {"version", "14.1"}});
    }
  }
  const bool closed = inc.status == store::IncidentStatus::kClosed;
  const int activity = closed ? 3 : (inc.version > 1 ? 2 : 1);
  json out = {
      {"class_uid", 2005},
      {"class_name", "Incident Finding"},
      {"category_uid", 2},
      {"category_name", "Findings"},
      {"activity_id", activity},
      {"type_uid", 200500 + activity},
      {"severity_id", OcsfSeverityId(inc.severity)},
      {"severity", std::string(LevelName(inc.severity))},
      {"status_id", OcsfStatus(inc.status)},
      {"status", std::string(store::IncidentStatusName(inc.status))},
      {"time", now_ms},
      {"desc", Description(inc)},
      {"finding_info_list", infos},
      {"attacks", attacks},
      {"is_suspected_breach", inc.severity >= Level::kHigh},
      {"metadata", {{"version", "1.1.0"}, {"uid", inc.id},
                    {"product", {{"name", "cloudward"}, {"vendor_name", "cloudward"}, {"version", kVersion}}}}},
      {"unmapped", {{"incident_id", inc.id}, {"title", inc.title}, {"actors", inc.actors},
                    {"source_ips", inc.source_ips}, {"resources", inc.resources}, {"accounts", inc.accounts},
                    {"regions", inc.regions}}},
  };
  if (inc.first_seen_ms != kUnknownTime) out["start_time"] = inc.first_seen_ms;
  if (inc.last_seen_ms != kUnknownTime) out["end_time"] = inc.last_seen_ms;
  if (!inc.assignee.empty()) out["assignee"] = {{"name", inc.assignee}};
  return out;
}

json IncidentToAsff(const ReportData& d, const std::string& region, std::string account, int64_t now_ms) {
  const store::Incident& inc = d.incident;
  if (account.empty()) account = inc.accounts.empty() ? "000000000000" : inc.accounts.front();
  json types = json::array();
  for (const auto& t : inc.tactics) {
    std::string type = AsffType(t);
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  }
  if (types.empty()) types.push_back("Unusual Behaviors");
  json resources = json::array();
  for (const auto& r : inc.resources) {
    if (resources.size() == 32) break;  // the ASFF limit
    auto [type, id] = AsffResource(r);
    resources.push_back({{"Type", type}, {"Id", id}, {"Partition", "aws"}, {"Region", region}});
  }
  if (resources.empty()) {
    resources.push_back({{"Type", "AwsAccount"}, {"Id", "AWS::::Account:" + account}, {"Partition", "aws"}, {"Region", region}});
  }
  const std::string created = FormatIsoTime(inc.created_ms ? inc.created_ms : now_ms);
  json out = {
      {"SchemaVersion", "2018-10-08"},
      {"Id", "cloudward/" + inc.id},
      {"ProductArn", fmt::format("arn:aws:securityhub:{}:{}:product/{}/default", region, account, account)},
      {"GeneratorId", "cloudward-incident"},
      {"AwsAccountId", account},
      {"Types", types},
      {"CreatedAt", created},
      {"UpdatedAt", FormatIsoTime(inc.updated_ms ? inc.updated_ms : now_ms)},
      {"Severity", {{"Label", std::string(AsffSeverity(inc.severity))}, {"Original", std::string(LevelName(inc.severity))}}},
      {"Title", Truncate(inc.id + ": " + inc.title, 256)},
      {"Description", Truncate(Description(inc), 1024)},
      {"Resources", resources},
      {"Workflow", {{"Status", std::string(AsffWorkflow(inc.status))}}},
      {"RecordState", inc.status == store::IncidentStatus::kClosed ? "ARCHIVED" : "ACTIVE"},
      {"ProductFields", {{"cloudward/IncidentId", inc.id},
                         {"cloudward/Status", std::string(store::IncidentStatusName(inc.status))},
                         {"cloudward/FindingCount", std::to_string(inc.finding_count)},
                         {"cloudward/Techniques", Truncate(Joined(inc.techniques, " "), 256)}}},
  };
  if (inc.first_seen_ms != kUnknownTime) out["FirstObservedAt"] = FormatIsoTime(inc.first_seen_ms);
  if (inc.last_seen_ms != kUnknownTime) out["LastObservedAt"] = FormatIsoTime(inc.last_seen_ms);
  return out;
}

Result<ReportData> LoadReportData(store::IncidentStore& store, const std::string& incident_id) {
  ReportData data;
  auto incident = store.GetIncident(incident_id);
  if (!incident) return Fail(incident.error().code, "incident " + incident_id + ": " + incident.error().message);
  data.incident = std::move(*incident);
  auto findings = store.IncidentFindings(incident_id);
  if (!findings) return tl::unexpected(findings.error());
  data.findings = std::move(*findings);
  auto journal = store.Events(incident_id);
  if (!journal) return tl::unexpected(journal.error());
  data.journal = std::move(*journal);
  auto actions = store.ListActions(incident_id);
  if (!actions) return tl::unexpected(actions.error());
  data.actions = std::move(*actions);
  data.context = IncidentContext(store, data.incident);
  return data;
}

}  // namespace cloudward::analyze
