// Synthetic AWS logs for tests, demos and benchmarks: CloudTrail for an AWS Organization of a few
// accounts and regions, VPC flow logs (v2 default and v5 custom format) and GuardDuty findings,
// with attack scenarios embedded in benign background activity. Everything is fixed by the seed:
// the same SimulateOptions give the same bytes.
//
//   SimulateOptions options;
//   options.out_dir = "/tmp/corpus";
//   options.events = 200000;
//   options.scenarios = AllScenarioNames();
//   Result<SimulateSummary> summary = Simulate(options);
//
// Layout kS3 mirrors the S3 keys AWS writes:
//   OUT/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 chars>.json.gz
//   OUT/AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<acct>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHMMZ>_<hash>.log.gz
//   OUT/AWSLogs/<acct>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz          (GuardDuty S3 export)
// Layout kPlain writes the same files flat under OUT/cloudtrail/, OUT/vpcflowlogs/, OUT/guardduty/.
// Without gzip the ".gz" suffix is dropped. OUT/scenarios.json holds the ground truth of every
// injected scenario (see WriteScenariosJson in simulator.cc for its shape).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cloudward::simulate {

enum class Layout { kS3, kPlain };

struct SimulateOptions {
  std::filesystem::path out_dir;
  uint64_t seed = 1;
  int64_t events = 100000;       // CloudTrail records in total (background + scenarios)
  int days = 1;                  // length of the simulated window
  int64_t start_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  int accounts = 4;              // 1..8; the first is the organization's management account
  Layout layout = Layout::kS3;
  bool gzip = true;
  std::vector<std::string> scenarios;  // names from AllScenarioNames(); empty = none
  int threads = 0;               // compression/write workers; 0 = hardware concurrency
};

struct ScenarioSummary {
  std::string name;
  uint64_t cloudtrail_events = 0;
  uint64_t flow_records = 0;
  uint64_t guardduty_findings = 0;
};

struct SimulateSummary {
  uint64_t cloudtrail_events = 0;
  uint64_t flow_records = 0;
  uint64_t guardduty_findings = 0;
  uint64_t cloudtrail_files = 0;
  uint64_t flow_files = 0;
  uint64_t guardduty_files = 0;
  uint64_t raw_bytes = 0;      // before compression
  uint64_t written_bytes = 0;  // on disk, including scenarios.json
  double seconds = 0;
  std::vector<ScenarioSummary> scenarios;
};

// "compromised-access-key", "crypto-mining", "logging-disabled", "public-bucket",
// "exposed-instance".
const std::vector<std::string>& AllScenarioNames();

// Parses "all", "none" or a comma-separated list of names.
Result<std::vector<std::string>> ParseScenarioList(std::string_view list);

// Writes the corpus. Fails on unknown scenario names, bad counts or I/O errors.
Result<SimulateSummary> Simulate(const SimulateOptions& options);

}  // namespace cloudward::simulate
