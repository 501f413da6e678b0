// The readiness audit: is the account ready for incident response, in every enabled region? Logs
// (CloudTrail, VPC Flow Logs), detection (GuardDuty, Security Hub, Access Analyzer), alerting
// (EventBridge rules to SNS/SQS, confirmed subscriptions), recovery (AWS Backup), containment
// (quarantine security group, forensic bucket, break-glass role), response (a playbook for each
// incident scenario) and people (contacts, escalation, a Support plan that allows cases).
//
//   ReadinessFacts facts = CollectReadiness(clients, regions, config, progress);   // reads AWS
//   facts.playbooks = CollectPlaybooks(playbook_dirs, /*bundled=*/true);           // reads files
//   ReadinessReport report = EvaluateReadiness(facts, config, now_ms);              // pure
//   fmt::print("{}%\n", report.score_percent);
//   for (const FixStep& f : PlanFixes(report, config)) ...;   // respond actions that close gaps
//
// Each check has a weight; the score is the weight of passed checks over the weight of checks
// that could be judged (passed or failed). A check that could not be judged (the API is not
// offered, access denied) is "unknown" with its reason and counts neither way. A check made of
// several regions or resources fails when any of them fails.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "prepare/check.h"
#include "prepare/snapshot.h"

namespace cloudward::prepare {

inline constexpr std::string_view kBreakGlassTag = "cloudward:break-glass";

struct ReadinessCheck {
  std::string_view id;
  int weight = 1;
  std::string_view title;
  std::string_view fix;
};
const std::vector<ReadinessCheck>& ReadinessChecks();
const ReadinessCheck* FindReadinessCheck(std::string_view id);

// The incident scenarios the product has a response for, each with the id of its bundled
// playbook. A team's own playbook covers a scenario by using that id (it then replaces the
// bundled one, see respond::LoadPlaybooks).
struct IncidentScenario {
  std::string_view playbook_id;
  std::string_view name;
};
const std::vector<IncidentScenario>& IncidentScenarios();

// ---- facts (what was read) ----
// The playbooks responders would use: the bundled ones (unless left out) and those under `paths`.
struct PlaybookFacts {
  std::vector<std::string> sources;           // "bundled", then each path
  std::map<std::string, std::string> loaded;  // playbook id -> file, for playbooks with steps
  std::vector<std::pair<std::string, std::string>> problems;  // what did not load: file, "file:line: reason"
};
PlaybookFacts CollectPlaybooks(const std::vector<std::string>& paths, bool bundled);

template <class T>
using Seen = Result<T>;  // the value, or why it could not be read

struct BucketProtection {
  std::string bucket;
  bool exists = false;
  bool is_public = false;               // policy grants "*" or ACL grants AllUsers/AuthenticatedUsers
  bool public_access_blocked = false;   // all four settings on
  std::string versioning;               // "", "Enabled", "Suspended"
  bool object_lock = false;
  std::string encryption;               // "" when none
};

struct TrailFacts {
  aws::cloudtrail::Trail trail;
  Seen<bool> logging = false;
  Seen<aws::cloudtrail::EventSelectors> selectors = aws::cloudtrail::EventSelectors{};
  Seen<BucketProtection> bucket = BucketProtection{};
};

struct RuleFacts {
  aws::events::Rule rule;
  std::vector<std::string> targets;  // ARNs
};

struct TopicFacts {
  std::string arn;
  Seen<std::vector<aws::sns::Subscription>> subscriptions = std::vector<aws::sns::Subscription>{};
};

struct RegionFacts {
  std::string region;
  Seen<std::vector<aws::guardduty::Detector>> detectors = std::vector<aws::guardduty::Detector>{};
  Seen<std::string> security_hub = std::string();  // hub ARN; "" when not enabled
  Seen<std::vector<aws::ec2::Vpc>> vpcs = std::vector<aws::ec2::Vpc>{};
  Seen<std::vector<aws::ec2::FlowLog>> flow_logs = std::vector<aws::ec2::FlowLog>{};
  Seen<std::vector<RuleFacts>> rules = std::vector<RuleFacts>{};
  Seen<std::vector<TopicFacts>> topics = std::vector<TopicFacts>{};  // every topic of the region
  Seen<std::vector<aws::backup::PlanSummary>> backup_plans = std::vector<aws::backup::PlanSummary>{};
  Seen<std::vector<aws::backup::RecoveryPoint>> recovery_points = std::vector<aws::backup::RecoveryPoint>{};
  Seen<std::vector<aws::accessanalyzer::Analyzer>> analyzers = std::vector<aws::accessanalyzer::Analyzer>{};
  // Security groups named like the configured quarantine group.
  Seen<std::vector<aws::ec2::SecurityGroupRules>> quarantine_groups = std::vector<aws::ec2::SecurityGroupRules>{};
};

struct ReadinessFacts {
  std::string account_id;
  std::string home_region;
  Seen<std::vector<TrailFacts>> trails = std::vector<TrailFacts>{};
  std::vector<RegionFacts> regions;
  Seen<BucketProtection> forensic_bucket = BucketProtection{};  // kInvalidArgument: not configured
  Seen<std::vector<aws::iam::RoleDetail>> roles = std::vector<aws::iam::RoleDetail>{};
  Seen<std::vector<std::string>> support_severity_levels = std::vector<std::string>{};  // empty: plan allows no cases
  std::optional<PlaybookFacts> playbooks;  // nullopt: not looked at (unknown)
};

// Reads what the audit needs; never fails as a whole (each part keeps its own error).
ReadinessFacts CollectReadiness(RegionClients& clients, const std::vector<std::string>& regions,
                                const config::Config& config, const std::function<void(const std::string&)>& progress,
                                int64_t now_ms);

// ---- report ----
struct ReadinessItem {
  std::string region;    // "global" for account-wide items
  std::string resource;  // trail ARN, VPC id, topic ARN, ... or the region
  CheckStatus status = CheckStatus::kPass;
  std::string detail;
  nlohmann::json evidence = nlohmann::json::object();
};

struct ReadinessResult {
  std::string id;
  int weight = 0;
  CheckStatus status = CheckStatus::kPass;
  std::vector<ReadinessItem> items;
};

struct ReadinessReport {
  std::string account_id;
  int64_t generated_ms = 0;
  std::vector<std::string> regions;
  std::vector<ReadinessResult> checks;
  int earned = 0;    // weight of passed checks
  int possible = 0;  // weight of passed and failed checks
  int unknown_weight = 0;
  int score_percent = 0;

  const ReadinessResult* Find(std::string_view id) const;
  size_t Failed() const;
};

ReadinessReport EvaluateReadiness(const ReadinessFacts& facts, const config::Config& config, int64_t now_ms);

// Combines item statuses: any fail -> fail, else any unknown -> unknown, else pass (no items: fail).
CheckStatus Combine(const std::vector<ReadinessItem>& items);
// Score from check results (rounded down).
void Score(ReadinessReport& report);

// A respond action that closes a gap: `kind` run on `target` in `region`.
struct FixStep {
  std::string check_id;
  std::string kind;    // "create-quarantine-sg" | "create-forensic-bucket"
  std::string target;  // VPC id or bucket name
  std::string region;
  std::map<std::string, std::string> options;
};
std::vector<FixStep> PlanFixes(const ReadinessReport& report, const config::Config& config,
                               const std::string& home_region);

nlohmann::json ReadinessToJson(const ReadinessReport& report);
std::string ReadinessToTable(const ReadinessReport& report);
// A self-contained HTML page (no external assets), one section per account.
std::string ReadinessToHtml(const std::vector<ReadinessReport>& reports);

}  // namespace cloudward::prepare
