#include "analyze/incident_builder.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analyze/attack.h"

namespace cloudward::analyze {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700000000000;

Finding CloudTrail(const std::string& rule, Level level, int64_t time, const std::string& arn,
                   const std::string& akid, const std::string& ip, std::vector<std::string> tags = {}) {
  Finding f;
  f.rule = {rule, rule + " title", level, std::move(tags)};
  f.log_type = LogType::kCloudTrail;
  f.context.time_ms = time;
  f.context.account = "123456789012";
  f.context.region = "us-east-1";
  f.context.actor.type = arn.find("assumed-role") != std::string::npos ? "AssumedRole" : "IAMUser";
  f.context.actor.arn = arn;
  f.context.actor.access_key_id = akid;
  f.context.source_ip = ip;
  f.context.event_id = rule + std::to_string(time);
  return f;
}

Finding GuardDutyOnInstance(int64_t time, const std::string& instance) {
  Finding f;
  f.rule = {"gd-crypto", "GuardDuty CryptoCurrency:EC2/BitcoinTool.B!DNS", Level::kHigh, {"attack.impact", "attack.t1496"}};
  f.log_type = LogType::kGuardDuty;
  f.context.time_ms = time;
  f.context.account = "123456789012";
  f.context.region = "us-east-1";
  f.context.event_id = "gd-" + instance;
  f.context.resources = {"arn:aws:ec2:us-east-1:123456789012:instance/" + instance, "eni-0aaa1111bbbb2222c",
                         "10.0.1.15"};
  return f;
}

Finding FlowFromEni(int64_t time, const std::string& eni, const std::string& src) {
  Finding f;
  f.rule = {"flow-mining-port", "Outbound to mining pool port", Level::kMedium, {"attack.command_and_control"}};
  f.log_type = LogType::kVpcFlow;
  f.context.time_ms = time;
  f.context.account = "123456789012";
  f.context.source_ip = src;
  f.context.resources = {eni, "vpc-0123456789abcdef0"};
  f.source_file = "flows.log";
  f.source_offset = static_cast<uint64_t>(time % 100000);
  f.record = "line";
  return f;
}

std::vector<const Finding*> Ptrs(const std::vector<Finding>& v) {
  std::vector<const Finding*> out;
  for (const auto& f : v) out.push_back(&f);
  return out;
}

TEST(LinkKeys, NameEntitiesAndSeparateWeakOnes) {
  Finding f = CloudTrail("r", Level::kMedium, kT0, "arn:aws:sts::123456789012:assumed-role/WebRole/i-0abc12345def67890",
                         "ASIAEXAMPLEKEY000001", "10.0.1.15");
  f.context.resources = {"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:s3:::payroll-bucket"};
  auto keys = LinkKeysOf(f, {});
  auto has = [](const std::vector<std::string>& v, const std::string& k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  EXPECT_TRUE(has(keys.strong, "akid:ASIAEXAMPLEKEY000001"));
  EXPECT_TRUE(has(keys.strong, "session:arn:aws:sts::123456789012:assumed-role/WebRole/i-0abc12345def67890"));
  EXPECT_TRUE(has(keys.strong, "res:i-0abc12345def67890")) << "an instance role session names its instance";
  EXPECT_TRUE(has(keys.strong, "ip:123456789012/10.0.1.15")) << "private IPs are scoped to the account";
  EXPECT_TRUE(has(keys.strong, "res:arn:aws:s3:::payroll-bucket"));
  EXPECT_TRUE(has(keys.weak, "res:arn:aws:iam::aws:policy/AdministratorAccess"));

  Finding svc = CloudTrail("r", Level::kLow, kT0, "", "", "ec2.amazonaws.com");
  svc.context.actor.type = "AWSService";
  svc.context.actor.user_name = "ec2.amazonaws.com";
  auto svc_keys = LinkKeysOf(svc, {});
  EXPECT_TRUE(svc_keys.strong.empty());
  EXPECT_FALSE(svc_keys.weak.empty());

  IncidentPolicy nat;
  nat.shared_ips = {"198.51.100.1"};
  auto nat_keys = LinkKeysOf(CloudTrail("r", Level::kLow, kT0, "", "", "198.51.100.1"), nat);
  EXPECT_TRUE(has(nat_keys.weak, "ip:198.51.100.1"));
  EXPECT_FALSE(has(nat_keys.strong, "ip:198.51.100.1"));
}

TEST(IncidentBuilder, SameInstanceAcrossGuardDutyFlowLogsAndCloudTrail) {
  const std::string instance = "i-0abc12345def67890";
  std::vector<Finding> findings = {
      GuardDutyOnInstance(kT0, instance),
      FlowFromEni(kT0 + kHour, "eni-0aaa1111bbbb2222c", "10.0.1.15"),
      CloudTrail("ct-enum", Level::kMedium, kT0 + 2 * kHour,
                 "arn:aws:sts::123456789012:assumed-role/WebRole/" + instance, "ASIAEXAMPLEKEY000001", "10.0.1.15"),
      // Unrelated user, different IP: its own incident.
      CloudTrail("ct-login", Level::kLow, kT0 + kHour, "arn:aws:iam::123456789012:user/bob", "AKIABOBBOBBOBBOB0001",
                 "203.0.113.50"),
  };
  IncidentBuilder builder;
  auto groups = builder.GroupFindings(Ptrs(findings), {});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].findings, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(groups[1].findings, (std::vector<size_t>{3}));
}

TEST(IncidentBuilder, UnrelatedActorsStayApartEvenBehindOneServiceOrNat) {
  IncidentPolicy policy;
  policy.shared_ips = {"198.51.100.1"};
  std::vector<Finding> findings = {
      CloudTrail("a", Level::kHigh, kT0, "arn:aws:iam::123456789012:user/alice", "AKIAALICEALICEALIC01", "198.51.100.1"),
      CloudTrail("b", Level::kHigh, kT0 + 1000, "arn:aws:iam::123456789012:user/bob", "AKIABOBBOBBOBBOB0001", "198.51.100.1"),
  };
  // Same role, different sessions: the role alone is a weak link.
  findings.push_back(CloudTrail("c", Level::kLow, kT0, "arn:aws:sts::123456789012:assumed-role/Ops/carol", "", "203.0.113.7"));
  findings.push_back(CloudTrail("c", Level::kLow, kT0 + 5, "arn:aws:sts::123456789012:assumed-role/Ops/dave", "", "203.0.113.8"));
  findings.back().context.resources = {"arn:aws:iam::123456789012:role/Ops"};
  auto groups = IncidentBuilder(policy).GroupFindings(Ptrs(findings), {});
  EXPECT_EQ(groups.size(), 4u);

  // Without the policy entry, an IP used by more than max_principals_per_ip principals is shared.
  std::vector<Finding> crowd;
  for (int i = 0; i < 5; ++i) {
    crowd.push_back(CloudTrail("x", Level::kLow, kT0 + i, "arn:aws:iam::123456789012:user/u" + std::to_string(i), "",
                               "192.0.2.44"));
  }
  EXPECT_EQ(IncidentBuilder().GroupFindings(Ptrs(crowd), {}).size(), 5u);
  crowd.resize(2);  // two principals on one IP: a real link
  EXPECT_EQ(IncidentBuilder().GroupFindings(Ptrs(crowd), {}).size(), 1u);
}

TEST(IncidentBuilder, RoutineFindingsAndCrowdedResourcesDoNotChainActors) {
  auto touching = [](const std::string& user, Level level, int i, const std::string& resource) {
    Finding f = CloudTrail("r" + std::to_string(static_cast<int>(level)), level, kT0 + i * 1000,
                           "arn:aws:iam::123456789012:user/" + user, "", "");
    f.context.resources = {resource};
    return f;
  };
  // Two engineers read the same secret: routine (low) findings do not make one incident of them.
  std::vector<Finding> routine = {touching("alice", Level::kLow, 0, "prod/orders/db"),
                                  touching("bob", Level::kInformational, 1, "prod/orders/db")};
  EXPECT_EQ(IncidentBuilder().GroupFindings(Ptrs(routine), {}).size(), 2u);
  LinkKeys keys = LinkKeysOf(routine[0], {});
  EXPECT_NE(std::find(keys.weak.begin(), keys.weak.end(), "res:prod/orders/db"), keys.weak.end());
  EXPECT_NE(std::find(keys.strong.begin(), keys.strong.end(), "principal:arn:aws:iam::123456789012:user/alice"),
            keys.strong.end()) << "the actor still links its own findings";

  // A high finding on the bucket another principal emptied: the resource links them.
  std::vector<Finding> attack = {touching("mallory", Level::kHigh, 0, "arn:aws:s3:::payroll"),
                                 touching("mallory-2", Level::kMedium, 1, "arn:aws:s3:::payroll")};
  EXPECT_EQ(IncidentBuilder().GroupFindings(Ptrs(attack), {}).size(), 1u);

  // A resource that more than max_principals_per_resource actors touch is shared, whatever the level.
  IncidentPolicy policy;
  policy.max_principals_per_resource = 3;
  std::vector<Finding> crowd;
  for (int i = 0; i < 4; ++i) crowd.push_back(touching("u" + std::to_string(i), Level::kHigh, i, "arn:aws:kms:us-east-1:123456789012:key/k1"));
  EXPECT_EQ(IncidentBuilder(policy).GroupFindings(Ptrs(crowd), {}).size(), 4u);
  crowd.resize(3);
  EXPECT_EQ(IncidentBuilder(policy).GroupFindings(Ptrs(crowd), {}).size(), 1u);
}

TEST(IncidentBuilder, TimeWindowSplitsAndChains) {
  const std::string arn = "arn:aws:iam::123456789012:user/alice";
  std::vector<Finding> apart = {CloudTrail("a", Level::kLow, kT0, arn, "", ""),
                                CloudTrail("a", Level::kLow, kT0 + 30 * kHour, arn, "", "")};
  EXPECT_EQ(IncidentBuilder().GroupFindings(Ptrs(apart), {}).size(), 2u);
  apart.push_back(CloudTrail("a", Level::kLow, kT0 + 15 * kHour, arn, "", ""));
  EXPECT_EQ(IncidentBuilder().GroupFindings(Ptrs(apart), {}).size(), 1u) << "a finding in between chains them";
}

TEST(IncidentBuilder, LinkingFindingMergesOpenIncidents) {
  IncidentBuilder builder;
  // Two open incidents: one for an access key, one for a source IP.
  store::Incident by_key, by_ip;
  by_key.id = "INC-a";
  builder.Absorb(by_key, CloudTrail("a", Level::kMedium, kT0, "", "AKIAALICEALICEALIC01", ""));
  by_ip.id = "INC-b";
  builder.Absorb(by_ip, CloudTrail("b", Level::kMedium, kT0 + kHour, "", "", "203.0.113.9"));
  std::vector<store::Incident> open = {by_key, by_ip};
  // Unrelated finding: its own group, no incident.
  std::vector<Finding> unrelated = {CloudTrail("c", Level::kLow, kT0, "", "", "203.0.113.10")};
  auto g1 = builder.GroupFindings(Ptrs(unrelated), open);
  ASSERT_EQ(g1.size(), 1u);
  EXPECT_TRUE(g1[0].incidents.empty());
  // The same key used from that IP links both.
  std::vector<Finding> link = {CloudTrail("d", Level::kHigh, kT0 + 2 * kHour, "", "AKIAALICEALICEALIC01", "203.0.113.9")};
  auto g2 = builder.GroupFindings(Ptrs(link), open);
  ASSERT_EQ(g2.size(), 1u);
  EXPECT_EQ(g2[0].incidents, (std::vector<size_t>{0, 1}));
}

TEST(Severity, FromLevelsProgressionAssetsAndVolume) {
  IncidentBuilder builder;
  store::Incident inc;
  builder.Absorb(inc, CloudTrail("recon", Level::kLow, kT0, "arn:aws:iam::1:user/a", "", "", {"attack.discovery"}));
  builder.Finish(inc);
  EXPECT_EQ(inc.severity, Level::kLow);
  builder.Absorb(inc, CloudTrail("key", Level::kMedium, kT0 + 1, "arn:aws:iam::1:user/a", "", "",
                                 {"attack.persistence", "attack.t1098.001"}));
  builder.Finish(inc);
  EXPECT_EQ(inc.severity, Level::kMedium);
  builder.Absorb(inc, CloudTrail("exfil", Level::kMedium, kT0 + 2, "arn:aws:iam::1:user/a", "", "",
                                 {"attack.exfiltration", "attack.t1537"}));
  builder.Finish(inc);
  EXPECT_EQ(inc.tactics, (std::vector<std::string>{"persistence", "discovery", "exfiltration"}));
  EXPECT_EQ(inc.severity, Level::kCritical) << "recon -> persistence -> exfil raises two steps";

  store::Incident info;
  builder.Absorb(info, CloudTrail("x", Level::kInformational, kT0, "arn:aws:iam::1:user/a", "", ""));
  builder.Finish(info);
  EXPECT_EQ(info.severity, Level::kInformational) << "routine activity stays informational";

  // A busy user's routine: role assumptions (informational, privilege escalation and lateral
  // movement) and identity checks (low, discovery). Informational tactics are no progression.
  store::Incident routine;
  const std::string user = "arn:aws:iam::1:user/b";
  builder.Absorb(routine, CloudTrail("assume", Level::kInformational, kT0, user, "", "",
                                     {"attack.privilege_escalation", "attack.lateral_movement"}));
  builder.Absorb(routine, CloudTrail("whoami", Level::kLow, kT0 + 1, user, "", "", {"attack.discovery"}));
  builder.Finish(routine);
  EXPECT_EQ(routine.tactics.size(), 3u) << "all tactics are still shown";
  EXPECT_EQ(routine.severity, Level::kLow);
  // The same context counts once findings that matter make the progression.
  builder.Absorb(routine, CloudTrail("attach", Level::kMedium, kT0 + 2, user, "", "",
                                     {"attack.persistence", "attack.privilege_escalation"}));
  builder.Absorb(routine, CloudTrail("secret", Level::kLow, kT0 + 3, user, "", "", {"attack.credential_access"}));
  builder.Finish(routine);
  EXPECT_EQ(routine.severity, Level::kHigh) << "discovery, persistence, privilege escalation, credential access";
  // Merging keeps the signal tactics apart from the context ones.
  store::Incident merged;
  builder.Absorb(merged, CloudTrail("assume", Level::kInformational, kT0, user, "", "", {"attack.lateral_movement"}));
  builder.Merge(merged, routine);
  builder.Finish(merged);
  EXPECT_EQ(merged.severity, Level::kHigh);
  EXPECT_EQ(std::count(merged.signal_tactics.begin(), merged.signal_tactics.end(), "lateral-movement"), 0);

  IncidentPolicy crown;
  crown.critical_assets = {"PAYROLL"};
  store::Incident asset;
  Finding f = CloudTrail("get", Level::kMedium, kT0, "arn:aws:iam::1:user/a", "", "");
  f.context.resources = {"arn:aws:s3:::payroll-exports"};
  IncidentBuilder(crown).Absorb(asset, f);
  EXPECT_EQ(ScoreSeverity(asset, {}), Level::kMedium);
  EXPECT_EQ(ScoreSeverity(asset, crown), Level::kHigh);

  store::Incident noisy;
  for (int i = 0; i < 25; ++i) builder.Absorb(noisy, CloudTrail("h", Level::kHigh, kT0 + i, "arn:aws:iam::1:user/a", "", ""));
  EXPECT_EQ(ScoreSeverity(noisy, {}), Level::kCritical);
}

TEST(IncidentBuilder, TitleNamesWhoTheMostSevereFindingIsAbout) {
  IncidentBuilder builder;
  store::Incident inc;
  // A console user's low finding sorts first among the actors; the stolen instance session's
  // medium findings are what the incident is about.
  builder.Absorb(inc, CloudTrail("recon", Level::kLow, kT0, "arn:aws:iam::1:user/alice", "", "203.0.113.5"));
  const std::string session = "arn:aws:sts::1:assumed-role/web/i-0abc12345def67890";
  builder.Absorb(inc, CloudTrail("s3-read", Level::kMedium, kT0 + 2, session, "", "203.0.113.5"));
  builder.Absorb(inc, CloudTrail("s3-read", Level::kMedium, kT0 + 1, "arn:aws:sts::1:assumed-role/web/i-0fff", "", ""));
  builder.Finish(inc);
  EXPECT_EQ(inc.actors.front(), "arn:aws:iam::1:user/alice");
  EXPECT_EQ(inc.lead, "arn:aws:sts::1:assumed-role/web/i-0fff") << "the earliest of the most severe";
  EXPECT_NE(inc.title.find("— arn:aws:sts::1:assumed-role/web/i-0fff"), std::string::npos) << inc.title;

  store::Incident other;
  builder.Absorb(other, CloudTrail("x", Level::kHigh, kT0, session, "", ""));
  builder.Merge(inc, other);
  builder.Finish(inc);
  EXPECT_EQ(inc.lead, session) << "a merge keeps the more severe lead";
  EXPECT_EQ(inc.lead_level, Level::kHigh);
}

TEST(IncidentBuilder, SummaryFieldsAndTitle) {
  IncidentBuilder builder;
  store::Incident inc;
  builder.Absorb(inc, GuardDutyOnInstance(kT0 + kHour, "i-0abc12345def67890"));
  builder.Absorb(inc, FlowFromEni(kT0, "eni-0aaa1111bbbb2222c", "10.0.1.15"));
  builder.Absorb(inc, FlowFromEni(kT0 + 2 * kHour, "eni-0aaa1111bbbb2222c", "10.0.1.15"));
  builder.Finish(inc);
  EXPECT_EQ(inc.finding_count, 3);
  EXPECT_EQ(inc.first_seen_ms, kT0);
  EXPECT_EQ(inc.last_seen_ms, kT0 + 2 * kHour);
  EXPECT_EQ(inc.log_types, (std::vector<std::string>{"guardduty", "vpcflow"}));
  EXPECT_EQ(inc.techniques, std::vector<std::string>{"T1496"});
  EXPECT_EQ(inc.tactics, (std::vector<std::string>{"command-and-control", "impact"}));
  ASSERT_EQ(inc.rules.size(), 2u);
  EXPECT_EQ(inc.rules[0].id, "gd-crypto") << "highest level first";
  EXPECT_EQ(inc.rules[1].count, 2);
  EXPECT_EQ(inc.severity, Level::kHigh);
  EXPECT_EQ(inc.title.rfind("GuardDuty CryptoCurrency", 0), 0u) << inc.title;
  EXPECT_NE(inc.title.find("+1 more rules"), std::string::npos) << inc.title;
  EXPECT_EQ(inc.level_counts[static_cast<size_t>(Level::kMedium)], 2);
}

TEST(Attack, TablesAndTags) {
  ASSERT_NE(FindTechnique("t1078.004"), nullptr);
  EXPECT_EQ(FindTechnique("T1078.004")->name, "Cloud Accounts");
  EXPECT_EQ(FindTechnique("T1537")->name, "Transfer Data to Cloud Account");
  EXPECT_EQ(FindTechnique("T9999"), nullptr);
  ASSERT_NE(FindTactic("privilege_escalation"), nullptr);
  EXPECT_EQ(FindTactic("TA0004")->name, "Privilege Escalation");
  EXPECT_EQ(FindTactic("Command and Control")->id, "TA0011");
  auto tags = ParseAttackTags({"attack.t1562.008", "attack.defense_evasion", "cve.2021-1234"});
  EXPECT_EQ(tags.techniques, std::vector<std::string>{"T1562.008"});
  EXPECT_EQ(tags.tactics, std::vector<std::string>{"defense-evasion"});
  auto implied = ParseAttackTags({"attack.t1530"});
  EXPECT_EQ(implied.tactics, std::vector<std::string>{"collection"}) << "tactic implied by the technique";
  // The technique table is sorted (FindTechnique relies on it).
  auto techniques = AttackTechniques();
  for (size_t i = 1; i < techniques.size(); ++i) EXPECT_LT(techniques[i - 1].id, techniques[i].id);
}

}  // namespace
}  // namespace cloudward::analyze
