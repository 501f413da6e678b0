// `cloudward hunt [OPTIONS] PATH...`: logs -> events -> Sigma matcher (+ correlation) -> findings
// -> output, store and summary. The main job of cloudward.
//
// Threads: ingest::Scan runs one detect::FindingSink per worker; each owns a detect::Matcher and
// hands its findings to the collector in batches. Correlation is shared and thread-safe, and so is
// the IOC set (detect/ioc.h): each hit kind of an event becomes one finding of the synthetic rule
// cloudward-ioc-<kind>. Findings are written in detect::FindingBefore order whatever the thread
// count; with --no-store and a line format they are spilled to a temporary file as they come
// (memory flat however many there are), otherwise kept for the table and the store.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyze/record_findings.h"
#include "cli/command.h"
#include "cli/finding_table.h"
#include "cli/rule_loading.h"
#include "cli/scan_flags.h"
#include "config/config_loader.h"
#include "core/clock.h"
#include "core/embedded_file.h"
#include "core/finding_json.h"
#include "core/time.h"
#include "detect/correlation_engine.h"
#include "detect/finding_sink.h"
#include "detect/ioc.h"
#include "detect/matcher.h"
#include "ingest/scan.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace hunt_command {

struct HuntOptions {
  std::vector<std::string> inputs;
  RuleLoadingOptions rules;
  IocOptions ioc;
  std::string config;
  std::string format;  // table | jsonl | ocsf; empty = table on a terminal, jsonl otherwise
  std::string output;
  std::string summary;
  int threads = 0;
  std::string since, until;
  std::string store_url;
  bool no_store = false;
  bool no_record = false;
  bool quiet = false;
};

using detect::FindingCollector;

nlohmann::json SummaryJson(const ingest::IngestStats& stats, const std::map<std::string, uint64_t>& by_rule,
                           uint64_t finding_count, double seconds, const RuleLoadingResult& rules,
                           const IocLoadingResult& ioc) {
  using nlohmann::json;
  json events = json::object();
  for (int i = 0; i < kLogTypeCount; ++i) {
    events[std::string(LogTypeName(static_cast<LogType>(i)))] = stats.events[i];
  }
  json skipped = json::object();
  for (const auto& [reason, n] : stats.skipped) skipped[reason] = n;
  json errors = json::array();
  for (const auto& e : stats.errors) {
    json err = {{"file", e.file}, {"offset", e.offset}, {"reason", e.reason}};
    if (e.line) err["line"] = e.line;
    errors.push_back(std::move(err));
  }
  json out = {{"files", stats.files},
              {"bytes", stats.bytes},
              {"events", events},
              {"events_total", stats.TotalEvents()},
              {"duplicates", stats.duplicates},
              {"malformed", stats.malformed},
              {"filtered", stats.filtered},
              {"skipped", skipped},
              {"errors", errors},
              {"errors_dropped", stats.errors_dropped},
              {"rules", {{"loaded", rules.loaded}, {"rejected", rules.rejected.size()}}},
              {"findings", finding_count},
              {"findings_by_rule", by_rule},
              {"seconds", seconds}};
  if (ioc.iocs) {
    json indicators = json::object();
    for (int k = 0; k < detect::kIocKindCount; ++k) {
      const auto kind = static_cast<detect::IocKind>(k);
      indicators[std::string(detect::IocKindName(kind))] = ioc.iocs->size(kind);
    }
    out["ioc"] = {{"lists", ioc.lists}, {"indicators", indicators}, {"rejected", ioc.rejected}};
  }
  return out;
}

bool WriteText(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) bytes /= 1000, ++u;
  return fmt::format("{:.1f} {}", bytes, units[u]);
}

int RunHunt(const HuntOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  SystemClock clock;
  ingest::ScanOptions scan;
  scan.threads = opt.threads;
  if (!SetScanWindow(opt.since, opt.until, clock.NowMs(), "hunt", scan)) return kExitUsage;
  std::string format = opt.format;
  const bool to_terminal = opt.output.empty() && isatty(STDOUT_FILENO);
  if (format.empty()) format = to_terminal ? "table" : "jsonl";

  const std::optional<std::string> config_path = config::FindConfigPath(opt.config);
  config::LoadResult configured = config_path ? config::LoadConfigFile(*config_path) : config::LoadResult{};
  if (!configured.ok()) {
    for (const config::Problem& p : configured.problems) fmt::print(stderr, "hunt: {}\n", p.ToString());
    fmt::print(stderr, "hunt: the configuration has problems (see `cloudward config check`)\n");
    return kExitUsage;
  }

  RuleLoadingOptions rule_options = opt.rules;
  rule_options.threads = opt.threads;
  RuleLoadingResult rules = LoadRulesForCommand(rule_options, "hunt");
  if (!rules.ok) return kExitUsage;
  const IocLoadingResult ioc =
      LoadIocForCommand(opt.ioc, configured.config.detection.ioc, config_path.value_or(""), "hunt");
  if (!ioc.ok) return kExitUsage;
  const detect::IocSet* iocs = ioc.iocs && !ioc.iocs->empty() ? ioc.iocs.get() : nullptr;

  std::unique_ptr<store::IncidentStore> store;
  std::string store_url;
  if (!opt.no_store) {
    store_url = store::ResolveStoreUrl(opt.store_url);
    auto opened = store::OpenStore(store_url);
    if (!opened) {
      fmt::print(stderr, "hunt: cannot open store {}: {}\n", store_url, opened.error().message);
      return kExitFailure;
    }
    store = std::move(*opened);
  }

  auto correlation = std::make_unique<detect::CorrelationEngine>(rules.rules);
  detect::CorrelationEngine* correlation_ptr = correlation->empty() ? nullptr : correlation.get();
  // Without a store, findings are needed only as output lines: spill them as they come, so memory
  // stays flat however many a hunt makes. The table groups and aligns, so it keeps them.
  const FindingLineFormat line_format(format == "ocsf" ? FindingLineFormat::Kind::kOcsf : FindingLineFormat::Kind::kJsonl,
                                      !opt.no_record);
  std::unique_ptr<FindingCollector> collector_owner = opt.no_store && format != "table"
                                                          ? std::make_unique<FindingCollector>(line_format)
                                                          : std::make_unique<FindingCollector>();
  FindingCollector& collector = *collector_owner;
  const bool progress = !opt.quiet && isatty(STDERR_FILENO);
  if (progress) {
    scan.on_progress = [&collector](const ingest::ScanProgress& p) {
      fmt::print(stderr, "\r\033[K{}/{} files  {}  {} events  {:.0f} ev/s  {} findings  {} errors",
                 p.files_done, p.files_total, HumanBytes(static_cast<double>(p.bytes)), p.events,
                 p.seconds > 0 ? static_cast<double>(p.events) / p.seconds : 0.0,
                 collector.count.load(), p.errors);
    };
  }
  ingest::IngestStats stats = ingest::Scan(opt.inputs, scan, [&](int) {
    return std::make_unique<detect::FindingSink>(rules.rules, correlation_ptr, iocs, &collector);
  });
  if (progress) fmt::print(stderr, "\r\033[K");

  if (correlation_ptr != nullptr) collector.Add(correlation_ptr->Finish());
  std::vector<Finding> findings = collector.Take();
  std::stable_sort(findings.begin(), findings.end(), detect::FindingBefore);
  const uint64_t finding_count = findings.size() + collector.spilled();

  // Output.
  std::FILE* out = stdout;
  if (!opt.output.empty()) {
    out = std::fopen(opt.output.c_str(), "wb");
    if (out == nullptr) {
      fmt::print(stderr, "hunt: cannot write {}\n", opt.output);
      return kExitFailure;
    }
  }
  bool written = true;
  if (format == "table") {
    WriteFindingTable(out, findings, {.colour = to_terminal});
  } else if (collector.spilling()) {
    written = collector.WriteSorted(out);
  } else {
    std::string text;
    for (const auto& f : findings) {
      text.clear();
      line_format.Append(text, ViewOf(f), line_format.Record(f.record));
      std::fwrite(text.data(), 1, text.size(), out);
    }
  }
  if (!written) {
    fmt::print(stderr, "hunt: cannot write the findings (temporary file or {}): {}\n",
               opt.output.empty() ? "stdout" : opt.output, std::strerror(errno));
    if (out != stdout) std::fclose(out);
    return kExitFailure;
  }
  if (out != stdout && std::fclose(out) != 0) {
    fmt::print(stderr, "hunt: error writing {}\n", opt.output);
    return kExitFailure;
  }

  // Store.
  if (store) {
    auto recorded = analyze::RecordFindings(*store, findings);
    if (!recorded) {
      fmt::print(stderr, "hunt: store {}: {}\n", store_url, recorded.error().message);
      return kExitFailure;
    }
    if (!opt.quiet) {
      fmt::print(stderr, "store: {} ({} new findings, {} already stored; {} incidents created, {} updated)\n",
                 store_url, recorded->findings_added, recorded->findings_duplicate,
                 recorded->incidents_created, recorded->incidents_updated);
    }
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!opt.summary.empty()) {
    std::map<std::string, uint64_t> by_rule = collector.SpilledByRule();
    for (const auto& f : findings) ++by_rule[f.rule.id];
    const auto summary = SummaryJson(stats, by_rule, finding_count, seconds, rules, ioc);
    if (!WriteText(opt.summary, summary.dump(2) + "\n")) {
      fmt::print(stderr, "hunt: cannot write summary {}\n", opt.summary);
      return kExitFailure;
    }
  }
  const uint64_t error_count = stats.errors.size() + stats.errors_dropped;
  if (!opt.quiet) {
    PrintInputErrors("hunt", stats, " (see --summary)");
    fmt::print(stderr, "{} files, {}, {} events ({} cloudtrail, {} vpcflow, {} guardduty, {} s3access), "
               "{} duplicates, {} malformed, {} findings in {:.2f}s\n",
               stats.files, HumanBytes(static_cast<double>(stats.bytes)), stats.TotalEvents(),
               stats.events[0], stats.events[1], stats.events[2], stats.events[3], stats.duplicates,
               stats.malformed, finding_count, seconds);
  }
  if (stats.files == 0 && stats.TotalEvents() == 0) {
    fmt::print(stderr, "hunt: no readable input\n");
    return kExitFailure;
  }
  if (finding_count > 0) return kExitFindings;
  if (error_count > 0 || stats.malformed > 0) return kExitInputErrors;
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<HuntOptions>();
  auto* cmd = app.add_subcommand("hunt", "Run detection rules over CloudTrail, VPC Flow Logs, GuardDuty and S3 access logs");
  cmd->add_option("paths", opt->inputs, "Log files or folders (walked recursively; .gz read transparently; - for stdin)")
      ->required();
  AddRuleLoadingOptions(*cmd, opt->rules);
  AddIocOptions(*cmd, opt->ioc);
  cmd->add_option("--config", opt->config,
                  "Configuration file, for detection.ioc (default: $CLOUDWARD_CONFIG, ~/.config/cloudward/cloudward.yaml)");
  cmd->add_option("--format", opt->format, "Output: table (default on a terminal), jsonl (default otherwise), ocsf")
      ->check(CLI::IsMember({"table", "jsonl", "ocsf"}));
  cmd->add_option("-o,--output", opt->output, "Write findings to FILE instead of stdout");
  cmd->add_option("--summary", opt->summary, "Write a JSON summary of the run (counts, errors, timings) to FILE");
  cmd->add_option("-j,--threads", opt->threads, "Worker threads (default: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--since", opt->since, "Only events at or after TIME (ISO 8601, or a duration back from now: 90m, 36h, 7d)");
  cmd->add_option("--until", opt->until, "Only events before TIME (ISO 8601 or duration)");
  cmd->add_option("--store", opt->store_url, "Incident store URL: sqlite://PATH or postgresql://... (default: $CLOUDWARD_STORE, else the embedded store)");
  cmd->add_flag("--no-store", opt->no_store, "Do not record findings and incidents in a store");
  cmd->add_flag("--no-record", opt->no_record,
                "Leave each finding's original record out of jsonl and ocsf output (source.file and source.offset "
                "say where it is; the store keeps it)");
  cmd->add_flag("-q,--quiet", opt->quiet, "No progress or summary lines on stderr");
  cmd->footer(
      "Exit codes: 0 nothing found, 1 findings, 2 usage error, 3 no findings but some input was malformed or\n"
      "unreadable (listed on stderr and in --summary), 4 could not run.");
  cmd->callback([opt, exit_code] { *exit_code = RunHunt(*opt); });
}

}  // namespace hunt_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(hunt, 10, cloudward::cli::hunt_command::SetUp);
