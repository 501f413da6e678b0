// `cloudward timeline --access-key|--principal|--session|--ip|--resource VALUE PATH...`: one
// actor's (or address's, or resource's) activity across all logs, in time order, and what it
// created that could be persistence.
//
// Same scan as hunt (ingest::Scan, all cores); each worker keeps the events whose raw text holds
// every selector value (a substring search) and whose extracted context matches exactly.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyze/timeline.h"
#include "cli/command.h"
#include "cli/scan_flags.h"
#include "core/clock.h"
#include "core/time.h"
#include "ingest/scan.h"

namespace cloudward::cli {
namespace timeline_command {

using analyze::TimelineEntry;

struct TimelineOptions {
  analyze::TimelineQuery query;
  std::vector<std::string> inputs;
  std::string format;  // table | jsonl | json; empty = table on a terminal, jsonl otherwise
  std::string output;
  std::string summary;
  std::string since, until;
  int threads = 0;
  size_t limit = 0;  // table: rows shown (0 = all)
  bool quiet = false;
};

class Collector {
 public:
  void Add(std::vector<TimelineEntry>&& entries) {
    std::lock_guard lock(mu_);
    for (auto& e : entries) entries_.push_back(std::move(e));
  }
  std::vector<TimelineEntry> Take() {
    std::lock_guard lock(mu_);
    return std::move(entries_);
  }

 private:
  std::mutex mu_;
  std::vector<TimelineEntry> entries_;
};

class TimelineSink final : public ingest::EventSink {
 public:
  TimelineSink(const analyze::TimelineQuery& query, Collector* collector)
      : query_(query), collector_(collector) {}

  void OnEvent(const Event& event) override {
    if (!query_.MayMatch(event.raw)) return;
    TimelineEntry e;
    e.type = event.type;
    e.context = ingest::Describe(event);
    std::string_view peer;
    if (event.type == LogType::kVpcFlow && event.Record()["dstaddr"].get(peer) != simdjson::SUCCESS) peer = {};
    if (!query_.Matches(e.context, peer)) return;
    e.peer_ip = std::string(peer);
    bool read_only = false;
    if (event.type == LogType::kCloudTrail && event.Record()["readOnly"].get(read_only) != simdjson::SUCCESS) {
      read_only = false;
    }
    e.read_only = read_only;
    e.kind = analyze::ClassifyAction(event.type, e.context.event_name, read_only);
    e.file = std::string(event.source.file);
    e.offset = event.source.offset;
    local_.push_back(std::move(e));
  }
  void OnFinish() override { collector_->Add(std::move(local_)); }

 private:
  const analyze::TimelineQuery& query_;
  Collector* collector_;
  std::vector<TimelineEntry> local_;
};

std::string TimeText(int64_t ms) { return ms == kUnknownTime ? "-" : FormatIsoTime(ms); }

std::string Joined(const std::vector<std::string>& values, size_t max) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < max; ++i) {
    if (i) out += ' ';
    out += values[i];
  }
  if (values.size() > max) out += fmt::format(" (+{})", values.size() - max);
  return out;
}

nlohmann::json EntryJson(const TimelineEntry& e) {
  const EventContext& c = e.context;
  nlohmann::json j = {
      {"time", TimeText(c.time_ms)},
      {"log_type", std::string(LogTypeName(e.type))},
      {"event_source", c.event_source},
      {"event_name", c.event_name},
      {"kind", std::string(analyze::ActionKindName(e.kind))},
      {"error_code", c.error_code.empty() ? nlohmann::json() : nlohmann::json(c.error_code)},
      {"account", c.account},
      {"region", c.region},
      {"source_ip", c.source_ip},
      {"user_agent", c.user_agent},
      {"actor", {{"type", c.actor.type}, {"arn", c.actor.arn}, {"access_key_id", c.actor.access_key_id},
                 {"session", c.actor.session}, {"user_name", c.actor.user_name}}},
      {"resources", c.resources},
      {"event_id", c.event_id},
      {"source", {{"file", e.file}, {"offset", e.offset}}},
  };
  if (!e.peer_ip.empty()) j["peer_ip"] = e.peer_ip;
  return j;
}

nlohmann::json SummaryJson(const analyze::TimelineQuery& q, const analyze::TimelineSummary& s,
                           const ingest::IngestStats& stats, double seconds) {
  nlohmann::json persistence = nlohmann::json::array();
  for (const auto& p : s.persistence) {
    persistence.push_back({{"time", TimeText(p.time_ms)}, {"kind", p.kind}, {"event_name", p.event_name},
                           {"region", p.region}, {"resources", p.resources}});
  }
  return {
      {"query", q.Describe()},
      {"events", s.events},
      {"errors", s.errors},
      {"first_seen", s.events ? TimeText(s.first_ms) : "-"},
      {"last_seen", s.events ? TimeText(s.last_ms) : "-"},
      {"by_action", s.by_action},
      {"by_error", s.by_error},
      {"by_kind", s.by_kind},
      {"regions", s.by_region},
      {"source_ips", s.by_ip},
      {"user_agents", s.by_user_agent},
      {"resources_read", s.resources_read},
      {"resources_changed", s.resources_changed},
      {"resources_created", s.resources_created},
      {"persistence", persistence},
      {"scanned", {{"files", stats.files}, {"events", stats.TotalEvents()}, {"bytes", stats.bytes},
                   {"malformed", stats.malformed}, {"seconds", seconds}}},
  };
}

// Top entries of a count map, most frequent first.
std::string Top(const std::map<std::string, uint64_t>& m, size_t n) {
  std::vector<std::pair<std::string, uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (size_t i = 0; i < v.size() && i < n; ++i) {
    out += fmt::format("{}{} ({})", i ? ", " : "", v[i].first, v[i].second);
  }
  if (v.size() > n) out += fmt::format(", ... {} more", v.size() - n);
  return out.empty() ? "-" : out;
}

void WriteTable(std::FILE* out, const std::vector<TimelineEntry>& entries,
                const analyze::TimelineSummary& s, const analyze::TimelineQuery& q, size_t limit) {
  fmt::print(out, "Timeline of {}: {} events", q.Describe(), s.events);
  if (s.events) fmt::print(out, ", {} .. {}", TimeText(s.first_ms), TimeText(s.last_ms));
  fmt::print(out, "\n\n{:<24} {:<10} {:<14} {:<6} {:<48} {:<22} {:<16} {}\n", "TIME", "LOG", "REGION",
             "KIND", "ACTION", "RESULT", "SOURCE IP", "RESOURCES");
  size_t shown = 0;
  for (const TimelineEntry& e : entries) {
    if (limit && shown == limit) {
      fmt::print(out, "... {} more events (--limit 0 shows all, --format jsonl for machines)\n",
                 entries.size() - shown);
      break;
    }
    ++shown;
    const EventContext& c = e.context;
    std::string service(c.event_source.substr(0, c.event_source.find('.')));
    std::string action = c.event_name.empty() ? service : service + ":" + c.event_name;
    std::string ip = c.source_ip;
    if (!e.peer_ip.empty()) ip += " -> " + e.peer_ip;
    fmt::print(out, "{:<24} {:<10} {:<14} {:<6} {:<48} {:<22} {:<16} {}\n", TimeText(c.time_ms),
               LogTypeName(e.type), c.region.empty() ? "-" : c.region,
               analyze::ActionKindName(e.kind), action, c.error_code.empty() ? "ok" : c.error_code,
               ip.empty() ? "-" : ip, Joined(c.resources, 3));
  }
  fmt::print(out, "\nSummary\n");
  fmt::print(out, "  calls:        {}\n", Top(s.by_action, 12));
  fmt::print(out, "  kinds:        {}\n", Top(s.by_kind, 5));
  fmt::print(out, "  errors:       {}\n", Top(s.by_error, 8));
  fmt::print(out, "  regions:      {}\n", Top(s.by_region, 10));
  fmt::print(out, "  source IPs:   {}\n", Top(s.by_ip, 10));
  fmt::print(out, "  user agents:  {}\n", Top(s.by_user_agent, 5));
  fmt::print(out, "  read:         {}\n", Top(s.resources_read, 10));
  fmt::print(out, "  changed:      {}\n", Top(s.resources_changed, 10));
  fmt::print(out, "  created:      {}\n", Top(s.resources_created, 10));
  if (s.persistence.empty()) {
    fmt::print(out, "\nNo successful calls that could leave persistence.\n");
  } else {
    fmt::print(out, "\nPossible persistence ({} successful calls):\n", s.persistence.size());
    for (const auto& p : s.persistence) {
      fmt::print(out, "  {}  {:<30} {:<28} {:<14} {}\n", TimeText(p.time_ms), p.kind, p.event_name,
                 p.region.empty() ? "-" : p.region, Joined(p.resources, 4));
    }
  }
}

int RunTimeline(const TimelineOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  if (opt.query.empty()) {
    fmt::print(stderr, "timeline: give at least one of --access-key, --principal, --session, --ip, --resource\n");
    return kExitUsage;
  }
  SystemClock clock;
  ingest::ScanOptions scan;
  scan.threads = opt.threads;
  if (!SetScanWindow(opt.since, opt.until, clock.NowMs(), "timeline", scan)) return kExitUsage;
  const bool to_terminal = opt.output.empty() && isatty(STDOUT_FILENO);
  std::string format = opt.format.empty() ? (to_terminal ? "table" : "jsonl") : opt.format;

  Collector collector;
  ingest::IngestStats stats = ingest::Scan(opt.inputs, scan, [&](int) {
    return std::make_unique<TimelineSink>(opt.query, &collector);
  });
  std::vector<TimelineEntry> entries = collector.Take();
  analyze::SortTimeline(entries);
  analyze::TimelineSummary summary = analyze::Summarize(entries);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json summary_json = SummaryJson(opt.query, summary, stats, seconds);

  std::FILE* out = stdout;
  if (!opt.output.empty() && (out = std::fopen(opt.output.c_str(), "wb")) == nullptr) {
    fmt::print(stderr, "timeline: cannot write {}\n", opt.output);
    return kExitFailure;
  }
  auto dump = [](const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (format == "table") {
    WriteTable(out, entries, summary, opt.query, opt.limit);
  } else if (format == "json") {
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : entries) events.push_back(EntryJson(e));
    fmt::print(out, "{}\n", dump({{"events", events}, {"summary", summary_json}}, 2));
  } else {
    for (const auto& e : entries) fmt::print(out, "{}\n", dump(EntryJson(e), -1));
  }
  if (out != stdout && std::fclose(out) != 0) {
    fmt::print(stderr, "timeline: error writing {}\n", opt.output);
    return kExitFailure;
  }
  if (!opt.summary.empty()) {
    std::FILE* f = std::fopen(opt.summary.c_str(), "wb");
    if (f == nullptr) return fmt::print(stderr, "timeline: cannot write {}\n", opt.summary), kExitFailure;
    fmt::print(f, "{}\n", dump(summary_json, 2));
    std::fclose(f);
  }
  if (!opt.quiet) {
    PrintInputErrors("timeline", stats, "");
    fmt::print(stderr, "{} files, {} events scanned, {} matched, {} malformed, in {:.2f}s\n",
               stats.files, stats.TotalEvents(), entries.size(), stats.malformed, seconds);
  }
  if (stats.files == 0 && stats.TotalEvents() == 0) {
    fmt::print(stderr, "timeline: no readable input\n");
    return kExitFailure;
  }
  if (stats.malformed > 0 || !stats.errors.empty()) return kExitInputErrors;
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<TimelineOptions>();
  auto* cmd = app.add_subcommand(
      "timeline", "One actor's activity across all logs in time order, and the persistence it may have left");
  cmd->add_option("paths", opt->inputs, "Log files or folders (as for hunt)")->required();
  // One value per flag occurrence, so "--ip A PATH" does not take PATH as a second address.
  auto selector = [cmd](const char* flag, std::vector<std::string>& values, const char* help) {
    cmd->add_option(flag, values, help)->allow_extra_args(false);
  };
  selector("--access-key", opt->query.access_keys, "Access key id (AKIA..., ASIA...); repeatable");
  selector("--principal", opt->query.principals,
           "Principal: ARN, user name, or role name (matches its assumed-role sessions); repeatable");
  selector("--session", opt->query.sessions, "Assumed-role session name or session ARN; repeatable");
  selector("--ip", opt->query.ips, "Source address (flow records: either end); repeatable");
  selector("--resource", opt->query.resources,
           "Resource ARN or id (i-..., bucket, user, key id) named by the event; repeatable");
  cmd->add_option("--format", opt->format, "table (default on a terminal), jsonl (default otherwise), json")
      ->check(CLI::IsMember({"table", "jsonl", "json"}));
  cmd->add_option("-o,--output", opt->output, "Write to FILE instead of stdout");
  cmd->add_option("--summary", opt->summary, "Write the JSON summary (counts, resources, persistence) to FILE");
  cmd->add_option("--since", opt->since, "Only events at or after TIME (ISO 8601 or duration: 90m, 36h, 7d)");
  cmd->add_option("--until", opt->until, "Only events before TIME");
  cmd->add_option("--limit", opt->limit, "Table: show at most N events (default: all)");
  cmd->add_option("-j,--threads", opt->threads, "Worker threads (default: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_flag("-q,--quiet", opt->quiet, "No summary line on stderr");
  cmd->footer(
      "Selectors of different kinds must all match; repeated values of one kind are alternatives.\n"
      "Exit codes: 0 done, 2 usage error, 3 done but some input was malformed, 4 could not run.");
  cmd->callback([opt, exit_code] { *exit_code = RunTimeline(*opt); });
}

}  // namespace timeline_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(timeline, 15, cloudward::cli::timeline_command::SetUp);
