// Posture checks: is what must be secured secured? S3 buckets and the account's Block Public
// Access, EC2 instances (their patches where SSM reports on them) and volumes, the VPC's security
// groups and network ACLs, RDS and DynamoDB, IAM (keys' age and last use), Lambda and load
// balancers, each judged from an AccountSnapshot (snapshot.h) with no further AWS calls.
//
//   PostureReport report = EvaluatePosture(snapshot, config.posture, now_ms);
//   for (const CheckResult& r : report.results) if (r.status == CheckStatus::kFail && !r.suppressed) ...;
//   std::string json = PostureToJson(report).dump(2);
//
// Every check has a stable id (PostureChecks() lists them); a check emits one result per resource
// it applies to, and one "unknown" result per region whose data could not be read. A failed
// result is suppressed by the resource tag `cloudward:suppress=<check-id>[,<check-id>...]` or by
// a configured suppression (posture.suppressions) until its expiry date; expired suppressions
// no longer suppress and are listed in the report. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "prepare/check.h"
#include "prepare/snapshot.h"

namespace cloudward::prepare {

inline constexpr std::string_view kSuppressTag = "cloudward:suppress";

const std::vector<CheckDefinition>& PostureChecks();
const CheckDefinition* FindPostureCheck(std::string_view id);

struct PostureReport {
  std::string account_id;
  int64_t generated_ms = 0;
  std::vector<std::string> regions;
  std::vector<CheckResult> results;
  std::vector<config::PostureSuppression> expired_suppressions;
  std::string config_path;  // names the file in expired suppressions
  std::vector<Gap> gaps;

  // Failed and not suppressed.
  size_t Failures() const;
};

PostureReport EvaluatePosture(const AccountSnapshot& snapshot, const config::PostureConfig& config, int64_t now_ms);

// Marks failed results that a configured suppression covers (check id or "*", resource glob) and
// not yet expired at `now_ms`; returns the suppressions that have expired.
std::vector<config::PostureSuppression> ApplySuppressions(std::vector<CheckResult>& results,
                                                          std::span<const config::PostureSuppression> suppressions,
                                                          int64_t now_ms);

// Configured suppressions naming a check id that does not exist: "file:line: reason".
std::vector<std::string> UnknownSuppressionChecks(const config::Config& config);

// '*' matches any run of characters.
bool GlobMatch(std::string_view pattern, std::string_view text);

// {account, generated, regions, summary, checks: [per check totals], results, expired_suppressions, gaps}.
nlohmann::json PostureToJson(const PostureReport& report);
// One OCSF 1.1 Compliance Finding (class_uid 2003) per result.
nlohmann::json PostureToOcsf(const PostureReport& report);
// One ASFF finding per result (Compliance.Status PASSED / FAILED / NOT_AVAILABLE).
nlohmann::json PostureToAsff(const PostureReport& report, const std::string& region);
// A fixed-width table for terminals: failures first, then unknown, then a pass count per check.
std::string PostureToTable(const PostureReport& report, bool show_passed);

}  // namespace cloudward::prepare
