// `cloudward simulate`: writes a synthetic AWS log corpus with embedded attack scenarios.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "cli/command.h"
#include "core/time.h"
#include "simulate/simulator.h"

namespace cloudward::cli {
namespace simulate_command {

struct SimulateFlags {
  std::string out;
  uint64_t seed = 1;
  int64_t events = 100000;
  int days = 1;
  std::string start = "2026-01-01T00:00:00Z";
  int accounts = 4;
  std::string layout = "s3";
  bool no_gzip = false;
  bool gzip = false;
  std::string scenarios = "all";
  int threads = 0;
  bool quiet = false;
};

std::string Bytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(n) / (1ull << 30));
  else if (n >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1ull << 20));
  else std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  return buf;
}

int RunSimulate(const SimulateFlags& flags) {
  simulate::SimulateOptions options;
  options.out_dir = flags.out;
  options.seed = flags.seed;
  options.events = flags.events;
  options.days = flags.days;
  options.accounts = flags.accounts;
  options.threads = flags.threads;
  const auto start = ParseIsoTime(flags.start);
  if (!start) {
    std::fprintf(stderr, "cloudward simulate: --start: not an ISO 8601 time: %s\n", flags.start.c_str());
    return kExitUsage;
  }
  options.start_ms = *start;
  if (flags.layout == "s3") {
    options.layout = simulate::Layout::kS3;
    options.gzip = !flags.no_gzip;
  } else if (flags.layout == "plain") {
    options.layout = simulate::Layout::kPlain;
    options.gzip = flags.gzip && !flags.no_gzip;
  } else {
    std::fprintf(stderr, "cloudward simulate: --layout must be s3 or plain\n");
    return kExitUsage;
  }
  auto names = simulate::ParseScenarioList(flags.scenarios);
  if (!names) {
    std::fprintf(stderr, "cloudward simulate: --scenarios: %s\n", names.error().message.c_str());
    return kExitUsage;
  }
  options.scenarios = *names;
  auto summary = simulate::Simulate(options);
  if (!summary) {
    std::fprintf(stderr, "cloudward simulate: %s\n", summary.error().ToString().c_str());
    return summary.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  if (!flags.quiet) {
    const auto& s = *summary;
    std::printf("wrote %s\n", flags.out.c_str());
    std::printf("  cloudtrail  %10llu events    %6llu files\n", static_cast<unsigned long long>(s.cloudtrail_events),
                static_cast<unsigned long long>(s.cloudtrail_files));
    std::printf("  vpcflowlogs %10llu records   %6llu files\n", static_cast<unsigned long long>(s.flow_records),
                static_cast<unsigned long long>(s.flow_files));
    std::printf("  guardduty   %10llu findings  %6llu files\n", static_cast<unsigned long long>(s.guardduty_findings),
                static_cast<unsigned long long>(s.guardduty_files));
    for (const auto& sc : s.scenarios) {
      std::printf("  scenario %-24s %5llu events %5llu flows %3llu findings\n", sc.name.c_str(),
                  static_cast<unsigned long long>(sc.cloudtrail_events),
                  static_cast<unsigned long long>(sc.flow_records),
                  static_cast<unsigned long long>(sc.guardduty_findings));
    }
    std::printf("  %s of logs (%s on disk) in %.2f s, %.0f CloudTrail events/s\n", Bytes(s.raw_bytes).c_str(),
                Bytes(s.written_bytes).c_str(), s.seconds,
                s.seconds > 0 ? static_cast<double>(s.cloudtrail_events) / s.seconds : 0.0);
    std::printf("  ground truth: %s/scenarios.json\n", flags.out.c_str());
  }
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<SimulateFlags>();
  auto* cmd = app.add_subcommand("simulate", "Write synthetic AWS logs (CloudTrail, VPC flow logs, GuardDuty) "
                                             "with embedded attack scenarios");
  cmd->add_option("--out", flags->out, "Output folder")->required();
  cmd->add_option("--seed", flags->seed, "Random seed; the same seed gives the same bytes");
  cmd->add_option("--events", flags->events, "CloudTrail events in total (flow records: half as many)")
      ->check(CLI::Range(int64_t{0}, int64_t{2000000000}));
  cmd->add_option("--days", flags->days, "Length of the simulated window in days")->check(CLI::Range(1, 3660));
  cmd->add_option("--start", flags->start, "Start of the window (ISO 8601)");
  cmd->add_option("--accounts", flags->accounts, "Accounts in the organization (1..8)")->check(CLI::Range(1, 8));
  cmd->add_option("--layout", flags->layout, "s3 (AWSLogs/... tree, gzip) or plain (flat folders, uncompressed)");
  cmd->add_flag("--gzip", flags->gzip, "Compress files (default with --layout s3)");
  cmd->add_flag("--no-gzip", flags->no_gzip, "Write uncompressed files");
  cmd->add_option("--scenarios", flags->scenarios,
                  "all, none, or a comma-separated list of: compromised-access-key, crypto-mining, "
                  "logging-disabled, public-bucket, exposed-instance");
  cmd->add_option("-j,--threads", flags->threads, "Compression threads (default: all cores)")->check(CLI::Range(0, 256));
  cmd->add_flag("-q,--quiet", flags->quiet, "Print nothing on success");
  cmd->callback([flags, exit_code] {
    try {
      *exit_code = RunSimulate(*flags);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cloudward simulate: %s\n", e.what());
      *exit_code = kExitFailure;
    }
  });
}

}  // namespace simulate_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(simulate, 60, cloudward::cli::simulate_command::SetUp);
