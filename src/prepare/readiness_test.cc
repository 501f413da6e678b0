#include "prepare/readiness.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/time.h"
#include "prepare/inventory.h"

namespace cloudward::prepare {
namespace {

const int64_t kNow = *ParseIsoTime("2026-11-29T12:00:00Z");

TEST(Readiness, CombineAndScore) {
  EXPECT_EQ(Combine({}), CheckStatus::kFail);
  EXPECT_EQ(Combine({{"r", "x", CheckStatus::kPass, "", {}}}), CheckStatus::kPass);
  EXPECT_EQ(Combine({{"r", "x", CheckStatus::kPass, "", {}}, {"r", "y", CheckStatus::kUnknown, "", {}}}), CheckStatus::kUnknown);
  EXPECT_EQ(Combine({{"r", "x", CheckStatus::kUnknown, "", {}}, {"r", "y", CheckStatus::kFail, "", {}}}), CheckStatus::kFail);

  ReadinessReport r;
  r.checks = {{"a", 10, CheckStatus::kPass, {}}, {"b", 5, CheckStatus::kFail, {}}, {"c", 3, CheckStatus::kUnknown, {}},
              {"d", 5, CheckStatus::kPass, {}}};
  Score(r);
  EXPECT_EQ(r.earned, 15);
  EXPECT_EQ(r.possible, 20);
  EXPECT_EQ(r.unknown_weight, 3);
  EXPECT_EQ(r.score_percent, 75);  // unknown counts neither way
  ReadinessReport none;
  Score(none);
  EXPECT_EQ(none.score_percent, 0);
}

ReadinessFacts GoodFacts() {
  ReadinessFacts f;
  f.account_id = "111111111111";
  f.home_region = "eu-west-1";
  TrailFacts t;
  t.trail = {"org", "arn:aws:cloudtrail:eu-west-1:111111111111:trail/org", "eu-west-1", "logs", true, true, false};
  t.logging = true;
  t.selectors = aws::cloudtrail::EventSelectors{true, "All", true, {"arn:aws:s3"}};
  t.bucket = BucketProtection{"logs", true, false, true, "Enabled", false, "AES256"};
  f.trails = std::vector<TrailFacts>{t};
  RegionFacts r{.region = "eu-west-1"};
  r.detectors = std::vector<aws::guardduty::Detector>{{"d1", "ENABLED", {{"S3_DATA_EVENTS", "ENABLED"}}}};
  r.security_hub = std::string("arn:aws:securityhub:eu-west-1:111111111111:hub/default");
  r.vpcs = std::vector<aws::ec2::Vpc>{{"vpc-1", "10.0.0.0/16", false, {}}};
  r.flow_logs = std::vector<aws::ec2::FlowLog>{{"fl-1", "vpc-1", "ACTIVE", "arn:aws:s3:::logs"}};
  const std::string topic = "arn:aws:sns:eu-west-1:111111111111:alerts";
  r.rules = std::vector<RuleFacts>{{{"gd", "arn:r", R"({"source":["aws.guardduty"]})", "ENABLED"}, {topic}}};
  r.topics = std::vector<TopicFacts>{{topic, std::vector<aws::sns::Subscription>{{"arn:aws:sns:eu-west-1:1:alerts:1", "email", "a@b"}}}};
  r.backup_plans = std::vector<aws::backup::PlanSummary>{{"p1", "daily"}};
  r.recovery_points = std::vector<aws::backup::RecoveryPoint>{{"arn:rp", "EBS", "COMPLETED", "2026-11-28T01:00:00Z"}};
  r.analyzers = std::vector<aws::accessanalyzer::Analyzer>{{"acct", "ACCOUNT", "ACTIVE"}};
  r.quarantine_groups = std::vector<aws::ec2::SecurityGroupRules>{{"sg-q", "cloudward-quarantine", "vpc-1", "", {}, {}, {}}};
  f.regions.push_back(r);
  f.forensic_bucket = BucketProtection{"evidence", true, false, true, "Enabled", false, "AES256"};
  aws::iam::RoleDetail bg{.role_name = "bg", .arn = "arn:aws:iam::111111111111:role/bg"};
  bg.tags = {{"cloudward:break-glass", "true"}};
  f.roles = std::vector<aws::iam::RoleDetail>{bg};
  f.support_severity_levels = std::vector<std::string>{"low", "urgent"};
  f.playbooks = CollectPlaybooks({}, /*bundled=*/true);
  return f;
}

config::Config GoodConfig() {
  config::Config c;
  c.respond.forensic_bucket = "evidence";
  c.people.contacts.push_back({.name = "ana", .email = "ana@example.com", .where = {3, 5}});
  for (const char* role : config::kRoleNames) c.people.roles[role] = {"ana"};
  for (Level l : {Level::kLow, Level::kMedium, Level::kHigh, Level::kCritical}) {
    c.people.escalation[l].push_back({.after_ms = 0, .roles = {"incident_commander"}});
  }
  return c;
}

TEST(Readiness, GoodAccountPassesEveryCheck) {
  config::Config c = GoodConfig();
  ReadinessReport r = EvaluateReadiness(GoodFacts(), c, kNow);
  ASSERT_EQ(r.checks.size(), ReadinessChecks().size());
  for (const auto& check : r.checks) {
    std::string detail;
    for (const auto& i : check.items) detail += i.detail + "; ";
    EXPECT_EQ(check.status, CheckStatus::kPass) << check.id << ": " << detail;
  }
  EXPECT_EQ(r.score_percent, 100);
  EXPECT_TRUE(PlanFixes(r, c, "eu-west-1").empty());
}

TEST(Readiness, GapsFailWithTheirFixes) {
  ReadinessFacts f = GoodFacts();
  f.trails->front().trail.multi_region = false;
  f.regions[0].detectors->front().status = "DISABLED";
  f.regions[0].flow_logs = std::vector<aws::ec2::FlowLog>{};
  f.regions[0].quarantine_groups = std::vector<aws::ec2::SecurityGroupRules>{};
  f.regions[0].analyzers = Fail(ErrorCode::kUnavailable, "access-analyzer:ListAnalyzers: InternalError (HTTP 500)");
  f.forensic_bucket = BucketProtection{"evidence", false};
  f.support_severity_levels = std::vector<std::string>{};  // SubscriptionRequiredException
  config::Config c = GoodConfig();
  ReadinessReport r = EvaluateReadiness(f, c, kNow);
  EXPECT_EQ(r.Find("cloudtrail.multi-region")->status, CheckStatus::kFail);
  EXPECT_EQ(r.Find("cloudtrail.log-validation")->status, CheckStatus::kFail);
  EXPECT_EQ(r.Find("guardduty.enabled")->status, CheckStatus::kFail);
  EXPECT_EQ(r.Find("vpc.flow-logs")->status, CheckStatus::kFail);
  EXPECT_EQ(r.Find("respond.quarantine-sg")->status, CheckStatus::kFail);
  EXPECT_EQ(r.Find("respond.forensic-bucket")->status, CheckStatus::kFail);
  EXPECT_EQ(r.Find("support.plan")->status, CheckStatus::kFail);
  const ReadinessResult* aa = r.Find("accessanalyzer.enabled");
  EXPECT_EQ(aa->status, CheckStatus::kUnknown);
  EXPECT_NE(aa->items.front().detail.find("HTTP 500"), std::string::npos);
  EXPECT_LT(r.score_percent, 100);
  EXPECT_EQ(r.unknown_weight, FindReadinessCheck("accessanalyzer.enabled")->weight);

  auto fixes = PlanFixes(r, c, "eu-west-1");
  ASSERT_EQ(fixes.size(), 2u);
  EXPECT_EQ(fixes[0].kind, "create-quarantine-sg");
  EXPECT_EQ(fixes[0].target, "vpc-1");
  EXPECT_EQ(fixes[0].options.at("name"), "cloudward-quarantine");
  EXPECT_EQ(fixes[1].kind, "create-forensic-bucket");
  EXPECT_EQ(fixes[1].target, "evidence");

  auto json = ReadinessToJson(r);
  EXPECT_EQ(json["score"]["percent"], r.score_percent);
  EXPECT_TRUE(json["checks"][0].contains("fix"));
  std::string html = ReadinessToHtml({r});
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Readiness, QuarantineGroupWithRulesIsNotReadyAndNotRecreated) {
  ReadinessFacts f = GoodFacts();
  f.regions[0].quarantine_groups->front().egress.push_back({"-1", -1, -1, {"0.0.0.0/0"}, {}});
  config::Config c = GoodConfig();
  ReadinessReport r = EvaluateReadiness(f, c, kNow);
  EXPECT_EQ(r.Find("respond.quarantine-sg")->status, CheckStatus::kFail);
  EXPECT_TRUE(PlanFixes(r, c, "eu-west-1").empty());  // the action would refuse; a person must look
}

TEST(Inventory, InternetReachesOnlyWhatRouteGroupAndAclAllAdmit) {
  AccountSnapshot s;
  s.account_id = "111111111111";
  RegionSnapshot r{.region = "eu-west-1"};
  r.vpcs = {{"vpc-1", "10.0.0.0/16", false, {}}};
  r.subnets = {{"subnet-pub", "vpc-1", "10.0.1.0/24", "eu-west-1a", true, {}},
               {"subnet-priv", "vpc-1", "10.0.2.0/24", "eu-west-1a", false, {}}};
  r.internet_gateways = {{"igw-1", {"vpc-1"}}};
  r.route_tables = {{"rtb-main", "vpc-1", true, {}, {{"10.0.0.0/16", "local", "active"}}, {}},
                    {"rtb-pub", "vpc-1", false, {"subnet-pub"}, {{"0.0.0.0/0", "igw-1", "active"}}, {}}};
  r.security_groups = {{"sg-web", "web", "vpc-1", "", {{"tcp", 22, 22, {"0.0.0.0/0"}, {}}, {"tcp", 443, 443, {"0.0.0.0/0"}, {}}}, {}, {}}};
  r.network_acls = {{"acl-1", "vpc-1", true,
                     {{90, false, "6", "deny", "0.0.0.0/0", 22, 22}, {100, false, "-1", "allow", "0.0.0.0/0"}},
                     {"subnet-pub", "subnet-priv"}}};
  aws::ec2::Instance web{.instance_id = "i-web", .state = "running", .vpc_id = "vpc-1", .subnet_id = "subnet-pub",
                               .public_ip = "54.0.0.1", .instance_profile_arn = "arn:aws:iam::111111111111:instance-profile/web"};
  web.security_group_ids = {"sg-web"};
  aws::ec2::Instance hidden = web;
  hidden.instance_id = "i-priv";
  hidden.subnet_id = "subnet-priv";  // public address but no route to the internet gateway
  r.instances = {web, hidden};
  s.regions.push_back(r);
  s.roles.push_back({.role_name = "web", .arn = "arn:aws:iam::111111111111:role/web",
                     .instance_profiles = {{"web", "arn:aws:iam::111111111111:instance-profile/web"}}});

  Inventory inv = BuildInventory(s);
  std::vector<std::string> reaches;
  bool profile = false, assumes = false, subnet_in_vpc = false, uses_table = false;
  for (const auto& e : inv.edges) {
    if (e.kind == "reaches") reaches.push_back(e.to + " " + e.label);
    profile |= e.kind == "profile" && e.from == "i-web";
    assumes |= e.kind == "assumes" && e.to == "arn:aws:iam::111111111111:role/web";
    subnet_in_vpc |= e.kind == "in" && e.from == "subnet-pub" && e.to == "vpc-1";
    uses_table |= e.kind == "uses" && e.from == "subnet-priv" && e.to == "rtb-main";
  }
  EXPECT_EQ(reaches, std::vector<std::string>{"i-web tcp/443"});  // 22 denied by the ACL, i-priv not routed
  EXPECT_TRUE(profile && assumes && subnet_in_vpc && uses_table);
  auto json = InventoryToJson(inv);
  EXPECT_EQ(json["summary"]["instance"], 2);
  std::string dot = InventoryToDot(inv);
  EXPECT_EQ(dot.rfind("digraph", 0), 0u);
  EXPECT_NE(dot.find("\"internet\" -> \"i-web\""), std::string::npos);
}

// A folder with the team's own playbooks: two scenarios covered, one file that does not load.
class TeamPlaybooks : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cw-readiness-playbooks-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    Write("key.yml", "id: compromised-access-key\ntitle: Our key runbook\nsteps:\n"
                     "  - id: page\n    phase: notify\n    text: Page the IAM owner.\n");
    Write("root.yaml", "id: root-account-compromise\ntitle: Our root runbook\nsteps:\n"
                       "  - id: call\n    phase: manual\n    text: Call AWS Support.\n");
    Write("broken.yml", "id: exposed-s3-bucket\ntitle: Broken\nsteps:\n  - id: x\n    phase: contain\n"
                        "    action: no-such-action\n    targets: incident.buckets\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::filesystem::path dir_;
};

TEST_F(TeamPlaybooks, EveryScenarioNeedsAPlaybook) {
  ReadinessFacts f = GoodFacts();
  ASSERT_EQ(f.playbooks->loaded.size(), 6u);  // the bundled ones cover every scenario
  EXPECT_EQ(EvaluateReadiness(f, GoodConfig(), kNow).Find("respond.playbooks")->status, CheckStatus::kPass);

  f.playbooks = CollectPlaybooks({dir_.string()}, /*bundled=*/false);
  ReadinessReport r = EvaluateReadiness(f, GoodConfig(), kNow);
  const ReadinessResult* pb = r.Find("respond.playbooks");
  ASSERT_NE(pb, nullptr);
  EXPECT_EQ(pb->status, CheckStatus::kFail);
  std::map<std::string, CheckStatus> by;
  for (const auto& i : pb->items) by[i.resource] = i.status;
  EXPECT_EQ(by["compromised-access-key"], CheckStatus::kPass);
  EXPECT_EQ(by["root-account-compromise"], CheckStatus::kPass);
  for (const char* missing : {"compromised-ec2-instance", "exposed-s3-bucket", "unauthorized-network-change",
                              "logging-disabled"}) {
    EXPECT_EQ(by[missing], CheckStatus::kFail) << missing;
  }
  EXPECT_EQ(by[(dir_ / "broken.yml").string()], CheckStatus::kFail);  // named with its file
  EXPECT_LT(r.score_percent, 100);

  // With the bundled ones, the team's key playbook replaces the bundled one; the broken file still fails.
  f.playbooks = CollectPlaybooks({dir_.string()}, /*bundled=*/true);
  r = EvaluateReadiness(f, GoodConfig(), kNow);  // kept: pb points into it
  pb = r.Find("respond.playbooks");
  EXPECT_EQ(pb->status, CheckStatus::kFail);
  EXPECT_EQ(f.playbooks->loaded.at("compromised-access-key"), (dir_ / "key.yml").string());
  std::filesystem::remove(dir_ / "broken.yml");
  f.playbooks = CollectPlaybooks({dir_.string()}, /*bundled=*/true);
  EXPECT_EQ(EvaluateReadiness(f, GoodConfig(), kNow).Find("respond.playbooks")->status, CheckStatus::kPass);

  // Not looked at: unknown, not a pass.
  f.playbooks.reset();
  EXPECT_EQ(EvaluateReadiness(f, GoodConfig(), kNow).Find("respond.playbooks")->status, CheckStatus::kUnknown);
}

}  // namespace
}  // namespace cloudward::prepare
