#include "prepare/readiness.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "config/people.h"
#include "core/text.h"
#include "core/time.h"
#include "prepare/rules.h"
#include "respond/playbook.h"

namespace cloudward::prepare {

using nlohmann::json;

const std::vector<ReadinessCheck>& ReadinessChecks() {
  static const std::vector<ReadinessCheck> checks = {
      {"cloudtrail.multi-region", 10, "A multi-region CloudTrail trail is logging",
       "aws cloudtrail create-trail --name org-trail --s3-bucket-name LOGBUCKET --is-multi-region-trail "
       "--enable-log-file-validation && aws cloudtrail start-logging --name org-trail"},
      {"cloudtrail.log-validation", 4, "The multi-region trail validates its log files",
       "aws cloudtrail update-trail --name TRAIL --enable-log-file-validation"},
      {"cloudtrail.management-events", 5, "The multi-region trail records read and write management events",
       "aws cloudtrail put-event-selectors --trail-name TRAIL --event-selectors "
       "'[{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}]'"},
      {"cloudtrail.s3-data-events", 3, "A trail records S3 object-level (data) events",
       "Add an event selector with DataResources Type AWS::S3::Object for the sensitive buckets (or all)"},
      {"cloudtrail.bucket-protected", 5, "The trail's log bucket is not public and is versioned or object-locked",
       "Block public access on the log bucket and enable versioning (or Object Lock) so logs cannot be erased"},
      {"guardduty.enabled", 10, "GuardDuty is enabled in every region",
       "aws guardduty create-detector --enable (in each region, or delegate an administrator in Organizations)"},
      {"guardduty.protection-plans", 3, "GuardDuty protection plans (S3, EKS, malware, RDS, Lambda, runtime) are on",
       "aws guardduty update-detector --detector-id ID --features Name=S3_DATA_EVENTS,Status=ENABLED ..."},
      {"securityhub.enabled", 5, "Security Hub is enabled in every region",
       "aws securityhub enable-security-hub --enable-default-standards (in each region)"},
      {"vpc.flow-logs", 6, "Every VPC has VPC Flow Logs",
       "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC --traffic-type ALL "
       "--log-destination-type s3 --log-destination arn:aws:s3:::LOGBUCKET"},
      {"eventbridge.security-routing", 5, "An EventBridge rule routes GuardDuty/Security Hub/CloudTrail events to SNS or SQS",
       "aws events put-rule --name security-findings --event-pattern '{\"source\":[\"aws.guardduty\"]}' && "
       "aws events put-targets --rule security-findings --targets Id=1,Arn=TOPIC_OR_QUEUE_ARN"},
      {"sns.alert-subscriptions", 4, "Alert topics have a confirmed subscription",
       "Subscribe the on-call address or endpoint to the alert topic and confirm the subscription"},
      {"backup.plans", 4, "An AWS Backup plan exists in every region",
       "Create a backup plan covering EC2/EBS, RDS and DynamoDB (aws backup create-backup-plan + "
       "create-backup-selection)"},
      {"backup.recovery-points", 3, "Recovery points were made in the last 7 days",
       "Check the backup plan's selections and schedule; run an on-demand backup job to verify"},
      {"respond.quarantine-sg", 4, "Every VPC has the rule-less quarantine security group",
       "cloudward readiness --fix --apply (creates it, journaled), or create a group with no rules"},
      {"respond.forensic-bucket", 4, "The forensic evidence bucket exists, versioned, encrypted and private",
       "Set respond.forensic_bucket in the configuration, then cloudward readiness --fix --apply"},
      {"iam.break-glass-role", 4, "A break-glass role exists (tagged cloudward:break-glass or configured)",
       "Create an emergency-access role with MFA-protected trust, tag it cloudward:break-glass=true"},
      {"accessanalyzer.enabled", 3, "IAM Access Analyzer has an active analyzer in every region",
       "aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT (in each region)"},
      {"respond.playbooks", 4,
       "A playbook for each incident scenario (access key, EC2 instance, S3 bucket, network change, root, logging)",
       "Keep the bundled playbooks, or give the team's own version of each the scenario's id (compromised-access-key, "
       "compromised-ec2-instance, exposed-s3-bucket, unauthorized-network-change, root-account-compromise, "
       "logging-disabled); fix what `cloudward playbook check DIR` rejects"},
      {"people.escalation", 6, "Contacts, an incident commander and escalation are configured",
       "Fill the people section of cloudward.yaml and run `cloudward people check`"},
      {"support.plan", 2, "The AWS Support plan allows opening cases",
       "Subscribe to Business, Enterprise On-Ramp or Enterprise Support to open cases during an incident"},
  };
  return checks;
}

const std::vector<IncidentScenario>& IncidentScenarios() {
  static const std::vector<IncidentScenario> scenarios = {
      {"compromised-access-key", "compromised access key"},
      {"compromised-ec2-instance", "compromised EC2 instance (crypto-mining included)"},
      {"exposed-s3-bucket", "exposed or ransomed S3 bucket"},
      {"unauthorized-network-change", "unauthorized network change"},
      {"root-account-compromise", "root account compromise"},
      {"logging-disabled", "logging disabled"},
  };
  return scenarios;
}

PlaybookFacts CollectPlaybooks(const std::vector<std::string>& paths, bool bundled) {
  PlaybookFacts facts;
  if (bundled) facts.sources.push_back("bundled");
  facts.sources.insert(facts.sources.end(), paths.begin(), paths.end());
  respond::PlaybookSet set = respond::LoadPlaybooks(paths, bundled);
  for (const auto& p : set.playbooks) {
    if (!p.steps.empty()) facts.loaded[p.id] = p.file;
  }
  for (const auto& problem : set.problems) facts.problems.emplace_back(problem.file, problem.Describe());
  return facts;
}

const ReadinessCheck* FindReadinessCheck(std::string_view id) {
  for (const auto& c : ReadinessChecks()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const ReadinessResult* ReadinessReport::Find(std::string_view id) const {
  for (const auto& c : checks) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

size_t ReadinessReport::Failed() const {
  return static_cast<size_t>(
      std::count_if(checks.begin(), checks.end(), [](const ReadinessResult& c) { return c.status == CheckStatus::kFail; }));
}

// ----------------------------------------------------------------------------------- collect
namespace {

template <class T>
Seen<T> ToSeen(aws::AwsResult<T> r) {
  if (!r) return tl::unexpected(r.error().ToError());
  return std::move(*r);
}

Seen<BucketProtection> Protection(RegionClients& clients, const std::string& bucket, const std::string& account) {
  BucketProtection p{.bucket = bucket};
  auto region = aws::s3::GetBucketLocation(clients.Home(), bucket);
  if (!region) {
    if (region.error().aws_code == "NoSuchBucket" || region.error().code == ErrorCode::kNotFound) return p;
    return tl::unexpected(region.error().ToError());
  }
  p.exists = true;
  aws::AwsClient& aws = clients.For(*region);
  if (auto pab = aws::s3::GetPublicAccessBlock(aws, bucket)) {
    p.public_access_blocked = pab->block_public_acls && pab->ignore_public_acls && pab->block_public_policy &&
                              pab->restrict_public_buckets;
  } else if (pab.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(pab.error().ToError());
  }
  if (auto policy = aws::s3::GetBucketPolicy(aws, bucket)) {
    p.is_public = BucketPolicyExposure(*policy, account).is_public;
  } else if (policy.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(policy.error().ToError());
  }
  if (auto acl = aws::s3::GetBucketAcl(aws, bucket)) {
    for (const auto& g : *acl) {
      if (g.grantee_uri.ends_with("/global/AllUsers") || g.grantee_uri.ends_with("/global/AuthenticatedUsers")) p.is_public = true;
    }
  }
  auto versioning = aws::s3::GetBucketVersioningState(aws, bucket);
  if (!versioning) return tl::unexpected(versioning.error().ToError());
  p.versioning = versioning->status;
  if (auto lock = aws::s3::GetObjectLockEnabled(aws, bucket)) p.object_lock = *lock;
  if (auto enc = aws::s3::GetBucketEncryption(aws, bucket)) {
    p.encryption = *enc;
  } else if (enc.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(enc.error().ToError());
  }
  return p;
}

RegionFacts CollectRegionFacts(RegionClients& clients, const std::string& region, const config::Config& config) {
  aws::AwsClient& aws = clients.For(region);
  aws::AwsClient& probe = clients.Probe(region);
  RegionFacts f{.region = region};

  if (auto ids = aws::guardduty::ListDetectors(aws)) {
    std::vector<aws::guardduty::Detector> detectors;
    for (const auto& id : *ids) {
      auto d = aws::guardduty::GetDetector(aws, id);
      if (!d) {
        f.detectors = tl::unexpected(d.error().ToError());
        break;
      }
      detectors.push_back(*d);
    }
    if (f.detectors) f.detectors = std::move(detectors);
  } else {
    f.detectors = tl::unexpected(ids.error().ToError());
  }

  if (auto hub = aws::securityhub::DescribeHub(aws)) {
    f.security_hub = *hub;
  } else if (hub.error().aws_code == "InvalidAccessException" || hub.error().aws_code == "ResourceNotFoundException") {
    f.security_hub = std::string();  // not enabled
  } else {
    f.security_hub = tl::unexpected(hub.error().ToError());
  }

  f.vpcs = ToSeen(aws::ec2::DescribeVpcs(aws));
  f.flow_logs = ToSeen(aws::ec2::DescribeFlowLogs(aws));

  if (auto rules = aws::events::ListRules(aws)) {
    std::vector<RuleFacts> out;
    for (auto& rule : *rules) {
      auto targets = aws::events::ListTargetArns(aws, rule.name);
      if (!targets) {
        f.rules = tl::unexpected(targets.error().ToError());
        break;
      }
      out.push_back({std::move(rule), std::move(*targets)});
    }
    if (f.rules) f.rules = std::move(out);
  } else {
    f.rules = tl::unexpected(rules.error().ToError());
  }

  if (auto topics = aws::sns::ListTopics(aws)) {
    std::vector<TopicFacts> out;
    for (const auto& arn : *topics) out.push_back({arn, ToSeen(aws::sns::ListSubscriptionsByTopic(aws, arn))});
    f.topics = std::move(out);
  } else {
    f.topics = tl::unexpected(topics.error().ToError());
  }

  f.backup_plans = ToSeen(aws::backup::ListBackupPlans(aws));
  if (auto vaults = aws::backup::ListBackupVaults(aws)) {
    std::vector<aws::backup::RecoveryPoint> points;
    for (const auto& vault : *vaults) {
      auto some = aws::backup::ListRecoveryPoints(probe, vault);
      if (!some) {
        f.recovery_points = tl::unexpected(some.error().ToError());
        break;
      }
      points.insert(points.end(), some->begin(), some->end());
    }
    if (f.recovery_points) f.recovery_points = std::move(points);
  } else {
    f.recovery_points = tl::unexpected(vaults.error().ToError());
  }

  f.analyzers = ToSeen(aws::accessanalyzer::ListAnalyzers(probe));
  f.quarantine_groups = ToSeen(aws::ec2::DescribeSecurityGroupRules(
      aws, {{"group-name", {config.respond.quarantine_security_group}}}));
  return f;
}

}  // namespace

ReadinessFacts CollectReadiness(RegionClients& clients, const std::vector<std::string>& regions,
                                const config::Config& config, const std::function<void(const std::string&)>& progress,
                                int64_t /*now_ms*/) {
  ReadinessFacts facts;
  facts.home_region = clients.Home().region();
  if (auto who = aws::sts::GetCallerIdentity(clients.Home())) facts.account_id = who->account;

  if (auto trails = aws::cloudtrail::DescribeTrails(clients.Home())) {
    std::vector<TrailFacts> out;
    std::set<std::string> seen;
    for (const auto& t : *trails) {
      if (!seen.insert(t.arn).second) continue;
      aws::AwsClient& home = clients.For(t.home_region.empty() ? facts.home_region : t.home_region);
      TrailFacts tf{.trail = t};
      tf.logging = ToSeen(aws::cloudtrail::GetTrailLogging(home, t.arn));
      tf.selectors = ToSeen(aws::cloudtrail::GetEventSelectors(home, t.arn));
      tf.bucket = t.s3_bucket.empty() ? Seen<BucketProtection>(BucketProtection{})
                                      : Protection(clients, t.s3_bucket, facts.account_id);
      out.push_back(std::move(tf));
    }
    facts.trails = std::move(out);
  } else {
    facts.trails = tl::unexpected(trails.error().ToError());
  }
  if (progress) progress("CloudTrail read");

  facts.regions.resize(regions.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex mu;
  auto worker = [&] {
    for (size_t i = next++; i < regions.size(); i = next++) {
      facts.regions[i] = CollectRegionFacts(clients, regions[i], config);
      size_t n = ++done;
      if (progress) {
        std::lock_guard lock(mu);
        progress("region " + std::to_string(n) + "/" + std::to_string(regions.size()) + ": " + regions[i] + " read");
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min<size_t>(8, regions.size()); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  if (config.respond.forensic_bucket.empty()) {
    facts.forensic_bucket = Fail(ErrorCode::kInvalidArgument, "respond.forensic_bucket is not configured");
  } else {
    facts.forensic_bucket = Protection(clients, config.respond.forensic_bucket, facts.account_id);
  }
  if (auto details = aws::iam::GetAccountAuthorizationDetails(clients.Home())) {
    facts.roles = std::move(details->roles);
  } else {
    facts.roles = tl::unexpected(details.error().ToError());
  }
  auto levels = aws::support::DescribeSeverityLevels(clients.Probe("us-east-1"));
  if (levels) {
    facts.support_severity_levels = *levels;
  } else if (levels.error().aws_code == "SubscriptionRequiredException") {
    facts.support_severity_levels = std::vector<std::string>{};
  } else {
    facts.support_severity_levels = tl::unexpected(levels.error().ToError());
  }
  if (progress) progress("account-wide settings read");
  return facts;
}

// ---------------------------------------------------------------------------------- evaluate
CheckStatus Combine(const std::vector<ReadinessItem>& items) {
  if (items.empty()) return CheckStatus::kFail;
  bool unknown = false;
  for (const auto& i : items) {
    if (i.status == CheckStatus::kFail) return CheckStatus::kFail;
    unknown |= i.status == CheckStatus::kUnknown;
  }
  return unknown ? CheckStatus::kUnknown : CheckStatus::kPass;
}

void Score(ReadinessReport& report) {
  report.earned = report.possible = report.unknown_weight = 0;
  for (const auto& c : report.checks) {
    if (c.status == CheckStatus::kPass) report.earned += c.weight;
    if (c.status != CheckStatus::kUnknown) report.possible += c.weight;
    if (c.status == CheckStatus::kUnknown) report.unknown_weight += c.weight;
  }
  report.score_percent = report.possible == 0 ? 0 : report.earned * 100 / report.possible;
}

namespace {

ReadinessItem Item(std::string region, std::string resource, bool pass, std::string detail, json evidence = json::object()) {
  return {std::move(region), std::move(resource), pass ? CheckStatus::kPass : CheckStatus::kFail, std::move(detail),
          std::move(evidence)};
}

ReadinessItem Unknown(std::string region, std::string resource, const Error& e) {
  return {std::move(region), std::move(resource), CheckStatus::kUnknown, "not checked: " + e.message,
          {{"error", e.message}}};
}

json ProtectionJson(const BucketProtection& p) {
  return {{"Bucket", p.bucket},     {"Exists", p.exists},         {"Public", p.is_public},
          {"PublicAccessBlocked", p.public_access_blocked},       {"Versioning", p.versioning},
          {"ObjectLock", p.object_lock}, {"Encryption", p.encryption}};
}

bool IsSecurityPattern(const std::string& pattern) {
  for (const char* s : {"aws.guardduty", "aws.securityhub", "aws.cloudtrail", "AWS API Call via CloudTrail",
                        "aws.access-analyzer", "aws.inspector2", "aws.macie"}) {
    if (pattern.find(s) != std::string::npos) return true;
  }
  return false;
}

bool IsAlertTarget(const std::string& arn) {
  return arn.starts_with("arn:aws:sns:") || arn.starts_with("arn:aws:sqs:") || arn.starts_with("arn:aws:lambda:") ||
         arn.find(":sns:") != std::string::npos || arn.find(":sqs:") != std::string::npos;
}

std::string RegionOfArn(const std::string& arn) {
  // arn:partition:service:region:account:resource
  size_t a = arn.find(':', arn.find(':', arn.find(':') + 1) + 1);
  if (a == std::string::npos) return {};
  size_t b = arn.find(':', a + 1);
  return b == std::string::npos ? std::string() : arn.substr(a + 1, b - a - 1);
}

std::optional<int64_t> PointTimeMs(const std::string& created) {
  if (auto t = ParseIsoTime(created)) return t;
  char* end = nullptr;
  double seconds = std::strtod(created.c_str(), &end);
  if (end != created.c_str() && seconds > 0) return static_cast<int64_t>(seconds * 1000);
  return std::nullopt;
}

void AddCheck(ReadinessReport& report, std::string_view id, std::vector<ReadinessItem> items) {
  const ReadinessCheck* def = FindReadinessCheck(id);
  ReadinessResult r{.id = std::string(id), .weight = def ? def->weight : 1, .status = Combine(items), .items = std::move(items)};
  report.checks.push_back(std::move(r));
}

}  // namespace

ReadinessReport EvaluateReadiness(const ReadinessFacts& facts, const config::Config& config, int64_t now_ms) {
  ReadinessReport report;
  report.account_id = facts.account_id;
  report.generated_ms = now_ms;
  for (const auto& r : facts.regions) report.regions.push_back(r.region);
  const std::string account = facts.account_id.empty() ? "account" : facts.account_id;

  // CloudTrail.
  {
    std::vector<ReadinessItem> multi, validation, management, data, bucket;
    if (!facts.trails) {
      for (auto* v : {&multi, &validation, &management, &data, &bucket}) v->push_back(Unknown("global", account, facts.trails.error()));
    } else {
      json all_trails = json::array();
      for (const auto& t : *facts.trails) {
        all_trails.push_back({{"Name", t.trail.name}, {"MultiRegion", t.trail.multi_region}, {"HomeRegion", t.trail.home_region}});
      }
      bool any_data = false;
      json data_evidence = json::array();
      for (const auto& t : *facts.trails) {
        const std::string& arn = t.trail.arn;
        if (t.selectors && t.selectors->s3_data_events) {
          any_data = true;
          data_evidence.push_back({{"Trail", t.trail.name}, {"Resources", t.selectors->s3_data_resources}});
        }
        if (!t.trail.multi_region) continue;
        if (!t.logging) {
          multi.push_back(Unknown("global", arn, t.logging.error()));
        } else {
          multi.push_back(Item("global", arn, *t.logging, *t.logging ? "multi-region trail " + t.trail.name + " is logging"
                                                                      : "multi-region trail " + t.trail.name + " is not logging",
                               {{"IsLogging", *t.logging}, {"IsMultiRegionTrail", true}}));
        }
        validation.push_back(Item("global", arn, t.trail.log_file_validation,
                                  t.trail.log_file_validation ? "log file validation on" : "log file validation off",
                                  {{"LogFileValidationEnabled", t.trail.log_file_validation}}));
        if (!t.selectors) {
          management.push_back(Unknown("global", arn, t.selectors.error()));
        } else {
          bool all = t.selectors->management_read_write == "All";
          management.push_back(Item("global", arn, all,
                                    all ? "read and write management events recorded"
                                        : "management events: " + (t.selectors->management_read_write.empty()
                                                                       ? std::string("none")
                                                                       : t.selectors->management_read_write),
                                    {{"ReadWriteType", t.selectors->management_read_write}}));
        }
        if (!t.bucket) {
          bucket.push_back(Unknown("global", arn, t.bucket.error()));
        } else {
          const BucketProtection& p = *t.bucket;
          bool ok = p.exists && !p.is_public && (p.versioning == "Enabled" || p.object_lock);
          std::string why = !p.exists ? "log bucket " + p.bucket + " does not exist"
                            : p.is_public ? "log bucket " + p.bucket + " is public"
                            : ok ? "log bucket " + p.bucket + " is private and " + (p.object_lock ? "object-locked" : "versioned")
                                 : "log bucket " + p.bucket + " is neither versioned nor object-locked";
          bucket.push_back(Item("global", p.bucket.empty() ? arn : "arn:aws:s3:::" + p.bucket, ok, why, ProtectionJson(p)));
        }
      }
      if (multi.empty()) {
        for (auto* v : {&multi, &validation, &management, &bucket}) {
          v->push_back(Item("global", account, false, "no multi-region trail", {{"Trails", all_trails}}));
        }
      }
      data.push_back(Item("global", account, any_data,
                          any_data ? "S3 data events recorded" : "no trail records S3 data events",
                          {{"TrailsWithS3DataEvents", data_evidence}}));
    }
    AddCheck(report, "cloudtrail.multi-region", std::move(multi));
    AddCheck(report, "cloudtrail.log-validation", std::move(validation));
    AddCheck(report, "cloudtrail.management-events", std::move(management));
    AddCheck(report, "cloudtrail.s3-data-events", std::move(data));
    AddCheck(report, "cloudtrail.bucket-protected", std::move(bucket));
  }

  // Per region.
  std::vector<ReadinessItem> gd, plans, hub, flow, routing, subs, backup_plans, points, quarantine, analyzers;
  std::set<std::string> configured_topics;
  for (const auto& ch : config.alerts.channels) {
    if (ch.type == "sns" && !ch.topic_arn.empty()) configured_topics.insert(ch.topic_arn);
  }
  for (const auto& r : facts.regions) {
    const std::string& region = r.region;
    if (!r.detectors) {
      gd.push_back(Unknown(region, region, r.detectors.error()));
      plans.push_back(Unknown(region, region, r.detectors.error()));
    } else {
      const aws::guardduty::Detector* on = nullptr;
      for (const auto& d : *r.detectors) {
        if (d.status == "ENABLED") on = &d;
      }
      gd.push_back(Item(region, on ? on->id : region, on != nullptr,
                        on ? "detector " + on->id + " enabled"
                           : (r.detectors->empty() ? "no GuardDuty detector" : "the detector is suspended"),
                        {{"Detectors", r.detectors->size()}}));
      if (on == nullptr) {
        plans.push_back(Item(region, region, false, "GuardDuty is off"));
      } else if (on->features.empty()) {
        plans.push_back({region, on->id, CheckStatus::kUnknown, "not checked: the detector reports no protection plans",
                         {{"features", json::array()}}});
      } else {
        std::vector<std::string> off;
        json features = json::object();
        for (const auto& [name, status] : on->features) {
          features[name] = status;
          if (status != "ENABLED") off.push_back(name);
        }
        std::string list;
        for (const auto& o : off) list += (list.empty() ? "" : ", ") + o;
        plans.push_back(Item(region, on->id, off.empty(), off.empty() ? "every protection plan on" : "off: " + list,
                             {{"features", features}}));
      }
    }
    if (!r.security_hub) {
      hub.push_back(Unknown(region, region, r.security_hub.error()));
    } else {
      hub.push_back(Item(region, r.security_hub->empty() ? region : *r.security_hub, !r.security_hub->empty(),
                         r.security_hub->empty() ? "Security Hub not enabled" : "Security Hub enabled"));
    }
    if (!r.vpcs || !r.flow_logs) {
      flow.push_back(Unknown(region, region, !r.vpcs ? r.vpcs.error() : r.flow_logs.error()));
    } else {
      for (const auto& v : *r.vpcs) {
        json logs = json::array();
        for (const auto& fl : *r.flow_logs) {
          if (fl.resource_id == v.vpc_id && (fl.status.empty() || fl.status == "ACTIVE")) logs.push_back(fl.flow_log_id);
        }
        flow.push_back(Item(region, v.vpc_id, !logs.empty(),
                            logs.empty() ? "no flow log" : "flow log " + logs.front().get<std::string>(),
                            {{"FlowLogs", logs}, {"IsDefault", v.is_default}}));
      }
      if (r.vpcs->empty()) flow.push_back(Item(region, region, true, "no VPC"));
    }
    std::vector<std::string> alert_topics;
    if (!r.rules) {
      routing.push_back(Unknown(region, region, r.rules.error()));
    } else {
      json routed = json::array();
      for (const auto& rf : *r.rules) {
        if (rf.rule.state != "ENABLED" || !IsSecurityPattern(rf.rule.event_pattern)) continue;
        std::vector<std::string> targets;
        for (const auto& t : rf.targets) {
          if (IsAlertTarget(t)) targets.push_back(t);
          if (t.find(":sns:") != std::string::npos) alert_topics.push_back(t);
        }
        if (!targets.empty()) routed.push_back({{"Rule", rf.rule.name}, {"Targets", targets}});
      }
      routing.push_back(Item(region, region, !routed.empty(),
                             routed.empty() ? "no enabled rule sends security events to SNS, SQS or Lambda"
                                            : std::to_string(routed.size()) + " rule(s) route security events",
                             {{"Rules", routed}}));
    }
    for (const auto& t : configured_topics) {
      if (RegionOfArn(t) == region) alert_topics.push_back(t);
    }
    std::sort(alert_topics.begin(), alert_topics.end());
    alert_topics.erase(std::unique(alert_topics.begin(), alert_topics.end()), alert_topics.end());
    if (!r.topics) {
      subs.push_back(Unknown(region, region, r.topics.error()));
    } else if (alert_topics.empty()) {
      subs.push_back(Item(region, region, false, "no SNS topic receives security events (no rule target, no alert channel)"));
    } else {
      for (const auto& arn : alert_topics) {
        auto it = std::find_if(r.topics->begin(), r.topics->end(), [&](const TopicFacts& t) { return t.arn == arn; });
        if (it == r.topics->end()) {
          subs.push_back(Item(region, arn, false, "alert topic does not exist"));
        } else if (!it->subscriptions) {
          subs.push_back(Unknown(region, arn, it->subscriptions.error()));
        } else {
          size_t confirmed = static_cast<size_t>(std::count_if(it->subscriptions->begin(), it->subscriptions->end(),
                                                               [](const aws::sns::Subscription& s) { return s.confirmed(); }));
          subs.push_back(Item(region, arn, confirmed > 0,
                              fmt::format("{} confirmed of {} subscription(s)", confirmed, it->subscriptions->size()),
                              {{"Confirmed", confirmed}, {"Subscriptions", it->subscriptions->size()}}));
        }
      }
    }
    if (!r.backup_plans) {
      backup_plans.push_back(Unknown(region, region, r.backup_plans.error()));
    } else {
      json names = json::array();
      for (const auto& p : *r.backup_plans) names.push_back(p.name);
      backup_plans.push_back(Item(region, region, !r.backup_plans->empty(),
                                  r.backup_plans->empty() ? "no backup plan" : std::to_string(names.size()) + " backup plan(s)",
                                  {{"BackupPlans", names}}));
    }
    if (!r.recovery_points) {
      points.push_back(Unknown(region, region, r.recovery_points.error()));
    } else {
      size_t recent = 0;
      for (const auto& p : *r.recovery_points) {
        auto t = PointTimeMs(p.creation_date);
        if (t && now_ms - *t <= 7 * 86'400'000LL && (p.status.empty() || p.status == "COMPLETED")) ++recent;
      }
      points.push_back(Item(region, region, recent > 0, fmt::format("{} recovery point(s) in the last 7 days", recent),
                            {{"RecoveryPoints", r.recovery_points->size()}, {"Recent", recent}}));
    }
    if (!r.vpcs || !r.quarantine_groups) {
      quarantine.push_back(Unknown(region, region, !r.vpcs ? r.vpcs.error() : r.quarantine_groups.error()));
    } else {
      for (const auto& v : *r.vpcs) {
        auto g = std::find_if(r.quarantine_groups->begin(), r.quarantine_groups->end(),
                              [&](const aws::ec2::SecurityGroupRules& s) { return s.vpc_id == v.vpc_id; });
        if (g == r.quarantine_groups->end()) {
          quarantine.push_back(Item(region, v.vpc_id, false,
                                    "no " + config.respond.quarantine_security_group + " group in " + v.vpc_id));
        } else {
          bool empty = g->ingress.empty() && g->egress.empty();
          quarantine.push_back(Item(region, v.vpc_id, empty,
                                    empty ? "quarantine group " + g->group_id + " ready"
                                          : fmt::format("quarantine group {} has {} inbound and {} outbound rule(s)",
                                                        g->group_id, g->ingress.size(), g->egress.size()),
                                    {{"GroupId", g->group_id}, {"Inbound", g->ingress.size()}, {"Outbound", g->egress.size()}}));
        }
      }
      if (r.vpcs->empty()) quarantine.push_back(Item(region, region, true, "no VPC"));
    }
    if (!r.analyzers) {
      analyzers.push_back(Unknown(region, region, r.analyzers.error()));
    } else {
      auto active = std::find_if(r.analyzers->begin(), r.analyzers->end(),
                                 [](const aws::accessanalyzer::Analyzer& a) { return a.status == "ACTIVE"; });
      analyzers.push_back(Item(region, active == r.analyzers->end() ? region : active->name, active != r.analyzers->end(),
                               active == r.analyzers->end() ? "no active analyzer" : "analyzer " + active->name + " active"));
    }
  }
  AddCheck(report, "guardduty.enabled", std::move(gd));
  AddCheck(report, "guardduty.protection-plans", std::move(plans));
  AddCheck(report, "securityhub.enabled", std::move(hub));
  AddCheck(report, "vpc.flow-logs", std::move(flow));
  AddCheck(report, "eventbridge.security-routing", std::move(routing));
  AddCheck(report, "sns.alert-subscriptions", std::move(subs));
  AddCheck(report, "backup.plans", std::move(backup_plans));
  AddCheck(report, "backup.recovery-points", std::move(points));
  AddCheck(report, "respond.quarantine-sg", std::move(quarantine));

  // Forensic bucket.
  {
    std::vector<ReadinessItem> items;
    const std::string& name = config.respond.forensic_bucket;
    if (!facts.forensic_bucket) {
      if (facts.forensic_bucket.error().code == ErrorCode::kInvalidArgument) {
        items.push_back(Item("global", account, false, facts.forensic_bucket.error().message));
      } else {
        items.push_back(Unknown("global", "arn:aws:s3:::" + name, facts.forensic_bucket.error()));
      }
    } else {
      const BucketProtection& p = *facts.forensic_bucket;
      std::vector<std::string> missing;
      if (!p.exists) missing.push_back("does not exist");
      if (p.exists && p.versioning != "Enabled") missing.push_back("not versioned");
      if (p.exists && !p.public_access_blocked) missing.push_back("public access not blocked");
      if (p.exists && p.encryption.empty()) missing.push_back("no default encryption");
      if (p.is_public) missing.push_back("public");
      std::string why;
      for (const auto& m : missing) why += (why.empty() ? "" : ", ") + m;
      items.push_back(Item("global", "arn:aws:s3:::" + name, missing.empty(),
                           missing.empty() ? "forensic bucket " + name + " ready" : "forensic bucket " + name + ": " + why,
                           ProtectionJson(p)));
    }
    AddCheck(report, "respond.forensic-bucket", std::move(items));
  }

  // Break-glass role.
  {
    std::vector<ReadinessItem> items;
    if (!facts.roles) {
      items.push_back(Unknown("global", account, facts.roles.error()));
    } else {
      const aws::iam::RoleDetail* found = nullptr;
      for (const auto& role : *facts.roles) {
        bool named = !config.respond.break_glass_role.empty() && role.role_name == config.respond.break_glass_role;
        bool tagged = config.respond.break_glass_role.empty() && TagValue(role.tags, kBreakGlassTag).has_value();
        if (named || tagged) found = &role;
      }
      std::string wanted = config.respond.break_glass_role.empty() ? "no role tagged " + std::string(kBreakGlassTag)
                                                                   : "role " + config.respond.break_glass_role + " not found";
      items.push_back(Item("global", found ? found->arn : account, found != nullptr,
                           found ? "break-glass role " + found->role_name : wanted, {{"Roles", facts.roles->size()}}));
    }
    AddCheck(report, "iam.break-glass-role", std::move(items));
  }
  AddCheck(report, "accessanalyzer.enabled", std::move(analyzers));

  // Playbooks.
  {
    std::vector<ReadinessItem> items;
    if (!facts.playbooks) {
      items.push_back(Unknown("global", "playbooks", Error{ErrorCode::kUnsupported, "the playbooks were not looked at"}));
    } else {
      const PlaybookFacts& p = *facts.playbooks;
      for (const auto& scenario : IncidentScenarios()) {
        const std::string id(scenario.playbook_id);
        auto it = p.loaded.find(id);
        bool ok = it != p.loaded.end();
        items.push_back(Item("global", id, ok,
                             ok ? std::string(scenario.name) + ": playbook " + id + " (" + it->second + ")"
                                : "no playbook for " + std::string(scenario.name) + " (expected id " + id + ")",
                             {{"Scenario", scenario.name},
                              {"Playbook", ok ? json(id) : json(nullptr)},
                              {"File", ok ? json(it->second) : json(nullptr)},
                              {"Sources", p.sources}}));
      }
      for (const auto& [file, problem] : p.problems) {
        items.push_back(Item("global", file, false, "does not load: " + problem, {{"Problem", problem}}));
      }
    }
    AddCheck(report, "respond.playbooks", std::move(items));
  }

  // People.
  {
    std::vector<std::string> problems;
    const auto& people = config.people;
    if (people.contacts.empty()) problems.push_back("no contacts");
    auto ic = people.roles.find("incident_commander");
    if (ic == people.roles.end() || ic->second.empty()) problems.push_back("no incident commander");
    if (people.escalation.empty()) problems.push_back("no escalation");
    for (const auto& gap : config::CheckPeople(config, now_ms)) problems.push_back(gap.reason);
    std::string why;
    for (const auto& p : problems) why += (why.empty() ? "" : "; ") + p;
    AddCheck(report, "people.escalation",
             {Item("global", config.path.empty() ? "configuration" : config.path, problems.empty(),
                   problems.empty() ? fmt::format("{} contact(s), escalation for {} severity level(s)", people.contacts.size(),
                                                  people.escalation.size())
                                    : why,
                   {{"Contacts", people.contacts.size()}, {"Problems", problems}})});
  }

  // Support.
  {
    std::vector<ReadinessItem> items;
    std::string configured = config.people.aws_support.plan;
    if (!facts.support_severity_levels) {
      ReadinessItem u = Unknown("global", account, facts.support_severity_levels.error());
      u.evidence["ConfiguredPlan"] = configured;
      items.push_back(std::move(u));
    } else {
      bool ok = !facts.support_severity_levels->empty();
      items.push_back(Item("global", account, ok,
                           ok ? "cases can be opened (severities: " + std::to_string(facts.support_severity_levels->size()) + ")"
                              : "the Support plan does not allow API cases (SubscriptionRequiredException)",
                           {{"SeverityLevels", *facts.support_severity_levels}, {"ConfiguredPlan", configured}}));
    }
    AddCheck(report, "support.plan", std::move(items));
  }

  // Keep the catalog order.
  std::vector<ReadinessResult> ordered;
  for (const auto& def : ReadinessChecks()) {
    for (auto& c : report.checks) {
      if (c.id == def.id) ordered.push_back(std::move(c));
    }
  }
  report.checks = std::move(ordered);
  Score(report);
  return report;
}

std::vector<FixStep> PlanFixes(const ReadinessReport& report, const config::Config& config, const std::string& home_region) {
  std::vector<FixStep> out;
  if (const ReadinessResult* q = report.Find("respond.quarantine-sg")) {
    for (const auto& i : q->items) {
      if (i.status == CheckStatus::kFail && i.resource.starts_with("vpc-") && !i.evidence.contains("GroupId")) {
        out.push_back({std::string(q->id), "create-quarantine-sg", i.resource, i.region,
                       {{"name", config.respond.quarantine_security_group}}});
      }
    }
  }
  if (const ReadinessResult* b = report.Find("respond.forensic-bucket")) {
    if (b->status == CheckStatus::kFail && !config.respond.forensic_bucket.empty()) {
      bool is_public = false;
      for (const auto& i : b->items) is_public |= i.evidence.value("Public", false);
      if (!is_public) out.push_back({std::string(b->id), "create-forensic-bucket", config.respond.forensic_bucket, home_region, {}});
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------ output
json ReadinessToJson(const ReadinessReport& report) {
  json checks = json::array();
  for (const auto& c : report.checks) {
    const ReadinessCheck* def = FindReadinessCheck(c.id);
    json items = json::array();
    for (const auto& i : c.items) {
      items.push_back({{"region", i.region}, {"resource", i.resource}, {"status", std::string(CheckStatusName(i.status))},
                       {"detail", i.detail}, {"evidence", i.evidence}});
    }
    json check = {{"id", c.id}, {"title", def ? std::string(def->title) : c.id}, {"weight", c.weight},
                  {"status", std::string(CheckStatusName(c.status))}, {"items", items}};
    if (c.status != CheckStatus::kPass && def) check["fix"] = std::string(def->fix);
    checks.push_back(std::move(check));
  }
  size_t pass = 0, fail = 0, unknown = 0;
  for (const auto& c : report.checks) {
    pass += c.status == CheckStatus::kPass;
    fail += c.status == CheckStatus::kFail;
    unknown += c.status == CheckStatus::kUnknown;
  }
  return {{"account", report.account_id},
          {"generated", FormatIsoTime(report.generated_ms)},
          {"regions", report.regions},
          {"score", {{"percent", report.score_percent}, {"earned", report.earned}, {"possible", report.possible},
                     {"unknown_weight", report.unknown_weight}}},
          {"summary", {{"checks", report.checks.size()}, {"pass", pass}, {"fail", fail}, {"unknown", unknown}}},
          {"checks", checks}};
}

std::string ReadinessToTable(const ReadinessReport& report) {
  std::string out = fmt::format("Readiness of account {} in {} region(s): {}% ({} of {} points; {} points not checked)\n\n",
                                report.account_id.empty() ? "?" : report.account_id, report.regions.size(),
                                report.score_percent, report.earned, report.possible, report.unknown_weight);
  out += fmt::format("  {:<8} {:>3}  {:<30} {}\n", "STATUS", "PTS", "CHECK", "WHAT");
  for (const auto& c : report.checks) {
    const ReadinessCheck* def = FindReadinessCheck(c.id);
    out += fmt::format("  {:<8} {:>3}  {:<30} {}\n", CheckStatusName(c.status), c.weight, c.id, def ? def->title : "");
    for (const auto& i : c.items) {
      if (i.status == CheckStatus::kPass) continue;
      out += fmt::format("  {:<8} {:>3}    {} {}: {}\n", "", "", i.region, i.resource, i.detail);
    }
    if (c.status == CheckStatus::kFail && def) out += fmt::format("  {:<8} {:>3}    fix: {}\n", "", "", def->fix);
  }
  return out;
}

namespace {
std::string Html(std::string_view s) { return HtmlEscape(s); }
}  // namespace

std::string ReadinessToHtml(const std::vector<ReadinessReport>& reports) {
  std::string accounts;
  for (const auto& r : reports) accounts += (accounts.empty() ? "" : ", ") + r.account_id;
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cloudward readiness " + Html(accounts) +
      "</title><style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}"
      "td,th{border-bottom:1px solid #ddd;padding:6px;text-align:left;vertical-align:top}.pass{color:#1a7f37}"
      ".fail{color:#cf222e;font-weight:bold}.unknown{color:#9a6700}.score{font-size:2em}small{color:#666}</style></head><body>\n"
      "<h1>Incident-response readiness</h1>\n";
  for (const auto& report : reports) {
    out += fmt::format("<h2>Account {}</h2><p>{} region(s) &middot; {}</p>\n", Html(report.account_id),
                       report.regions.size(), Html(FormatIsoTime(report.generated_ms)));
    out += fmt::format("<p class=\"score\">{}%</p><p>{} of {} points; {} points could not be checked.</p>\n",
                       report.score_percent, report.earned, report.possible, report.unknown_weight);
    out += "<table><tr><th>Status</th><th>Points</th><th>Check</th><th>Seen</th><th>Fix</th></tr>\n";
    for (const auto& c : report.checks) {
      const ReadinessCheck* def = FindReadinessCheck(c.id);
      std::string seen;
      for (const auto& i : c.items) {
        seen += fmt::format("<div class=\"{}\">{} {}: {}</div>", CheckStatusName(i.status), Html(i.region),
                            Html(i.resource), Html(i.detail));
      }
      out += fmt::format("<tr><td class=\"{0}\">{0}</td><td>{1}</td><td><b>{2}</b><br><small>{3}</small></td><td>{4}</td>"
                         "<td>{5}</td></tr>\n",
                         CheckStatusName(c.status), c.weight, Html(c.id), Html(def ? def->title : ""), seen,
                         c.status == CheckStatus::kPass || !def ? "" : Html(def->fix));
    }
    out += "</table>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace cloudward::prepare
