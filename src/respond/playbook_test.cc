#include "respond/automation.h"
#include "respond/playbook.h"
#include "respond/responder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "aws/credentials.h"
#include "aws/env.h"
#include "aws/http.h"
#include "core/clock.h"
#include "store/incident_store.h"

namespace cloudward::respond {
namespace {

std::vector<PlaybookProblem> Problems(const std::string& yaml) {
  std::vector<PlaybookProblem> problems;
  auto pb = ParsePlaybook(yaml, "p.yml", &problems);
  EXPECT_EQ(pb.has_value(), problems.empty());
  return problems;
}

bool Mentions(const std::vector<PlaybookProblem>& problems, int line, const std::string& text) {
  for (const auto& p : problems) {
    if (p.line == line && p.reason.find(text) != std::string::npos && p.file == "p.yml") return true;
  }
  return false;
}

TEST(Playbook, BundledPlaybooksLoadWithoutProblems) {
  auto set = LoadPlaybooks({});
  for (const auto& p : set.problems) ADD_FAILURE() << p.Describe();
  EXPECT_GE(set.playbooks.size(), 6u);
  for (const char* id : {"compromised-access-key", "compromised-ec2-instance", "exposed-s3-bucket",
                         "unauthorized-network-change", "root-account-compromise", "logging-disabled"}) {
    const Playbook* pb = set.Find(id);
    ASSERT_NE(pb, nullptr) << id;
    EXPECT_FALSE(pb->steps.empty());
    EXPECT_TRUE(pb->file.starts_with("embedded:playbooks/"));
  }
}

TEST(Playbook, ReportsEveryProblemWithItsLine) {
  auto problems = Problems(
      "id: x\n"                                  // 1
      "colour: red\n"                            // 2
      "trigger:\n"                               // 3
      "  min_severity: severe\n"                 // 4
      "  techniques: [X1]\n"                     // 5
      "steps:\n"                                 // 6
      "  - id: a\n"                              // 7
      "    phase: contain\n"                     // 8
      "    action: launch-missiles\n"            // 9
      "    targets: incident.keys\n"             // 10
      "  - id: a\n"                              // 11
      "    phase: later\n"                       // 12
      "    text: t\n"                            // 13
      "    requires: [b]\n"                      // 14
      "  - id: c\n"                              // 15
      "    phase: notify\n"                      // 16
      "    action: block-ip\n"                   // 17
      "    targets: incident.source_ips\n"       // 18
      "  - id: d\n"                              // 19
      "    phase: contain\n"                     // 20
      "    approval: maybe\n");                  // 21
  EXPECT_TRUE(Mentions(problems, 2, "unknown key 'colour'"));
  EXPECT_TRUE(Mentions(problems, 4, "min_severity 'severe'"));
  EXPECT_TRUE(Mentions(problems, 5, "not an ATT&CK technique"));
  EXPECT_TRUE(Mentions(problems, 7, "unknown action 'launch-missiles'"));
  EXPECT_TRUE(Mentions(problems, 7, "targets 'incident.keys'"));
  EXPECT_TRUE(Mentions(problems, 11, "used twice"));
  EXPECT_TRUE(Mentions(problems, 11, "phase 'later'"));
  EXPECT_TRUE(Mentions(problems, 11, "requires 'b'"));
  EXPECT_TRUE(Mentions(problems, 15, "a notify step has text, not an action"));
  EXPECT_TRUE(Mentions(problems, 21, "approval must be true or false"));
  EXPECT_TRUE(Mentions(problems, 19, "needs an action or a text"));
}

TEST(Playbook, BadYamlAndEmptyDocumentsAreProblemsNotCrashes) {
  EXPECT_TRUE(Mentions(Problems("id: [unclosed\n"), 2, "YAML syntax"));
  EXPECT_FALSE(Problems("").empty());
  EXPECT_FALSE(Problems("- a\n- b\n").empty());
  EXPECT_FALSE(Problems("id: x\nsteps: {}\n").empty());
  EXPECT_FALSE(Problems("id: x\nsteps:\n  - 3\n").empty());
  EXPECT_TRUE(Problems("id: x\nsteps:\n  - id: s\n    phase: manual\n    text: do it\n").empty());
}

TEST(Playbook, LaterFilesReplaceBundledPlaybooksOfTheSameId) {
  auto missing = LoadPlaybooks({"/no/such/dir"});
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].file, "/no/such/dir");

  auto dir = std::filesystem::temp_directory_path() / ("cw_playbooks_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "mine.yml") << "id: logging-disabled\ntitle: Ours\nsteps:\n  - id: s\n    phase: manual\n"
                                      "    text: call Bob\n";
  std::ofstream(dir / "broken.yaml") << "id: broken\nsteps: 3\n";
  auto set = LoadPlaybooks({dir.string()});
  std::filesystem::remove_all(dir);
  ASSERT_NE(set.Find("logging-disabled"), nullptr);
  EXPECT_EQ(set.Find("logging-disabled")->title, "Ours");
  EXPECT_EQ(set.Find("broken"), nullptr);
  ASSERT_FALSE(set.problems.empty());
  for (const auto& p : set.problems) EXPECT_NE(p.file.find("broken.yaml"), std::string::npos) << p.Describe();
}

store::Incident SampleIncident() {
  store::Incident inc;
  inc.id = "INC-0000000001";
  inc.severity = Level::kHigh;
  inc.actors = {"arn:aws:iam::123456789012:user/alice", "arn:aws:sts::123456789012:assumed-role/web/i-0abc",
                "arn:aws:iam::123456789012:root",
                "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForConfig/x", "bob"};
  inc.access_keys = {"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"};
  inc.source_ips = {"10.0.0.5", "185.220.101.47", "AWS Internal", "2001:db8::1", "fd00::1"};
  inc.resources = {"i-0123456789abcdef0", "arn:aws:ec2:us-east-1:123456789012:instance/i-0fedcba987654321f",
                   "arn:aws:s3:::payroll-exports/2026/01.csv", "arn:aws:s3:::logs-bucket", "sg-0123",
                   "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc1234", "arn:aws:ec2:us-east-1:1:volume/vol-1"};
  inc.techniques = {"T1078.004", "T1530"};
  inc.tactics = {"initial-access", "exfiltration"};
  inc.rules = {{"6f2c-...", "AWS Access Key Used From Unusual Address", Level::kHigh, 3}};
  return inc;
}

TEST(Playbook, SelectorsPickContainableTargets) {
  auto inc = SampleIncident();
  using V = std::vector<std::string>;
  EXPECT_EQ(SelectTargets("incident.access_keys", inc), (V{"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"}));
  EXPECT_EQ(SelectTargets("incident.long_term_keys", inc), (V{"AKIAIOSFODNN7EXAMPLE"}));
  EXPECT_EQ(SelectTargets("incident.source_ips", inc), (V{"185.220.101.47", "2001:db8::1"}));
  EXPECT_EQ(SelectTargets("incident.instances", inc), (V{"i-0123456789abcdef0", "i-0fedcba987654321f"}));
  EXPECT_EQ(SelectTargets("incident.buckets", inc), (V{"logs-bucket", "payroll-exports"}));
  EXPECT_EQ(SelectTargets("incident.security_groups", inc), (V{"sg-0123", "sg-0abc1234"}));
  EXPECT_EQ(SelectTargets("incident.users", inc), (V{"alice"}));
  EXPECT_EQ(SelectTargets("incident.roles", inc), (V{"web"}));
  EXPECT_EQ(SelectTargets("incident.principals", inc).size(), 2u);
  EXPECT_TRUE(SelectTargets("incident.nothing", inc).empty());
}

TEST(Playbook, TriggersNeedEveryConditionGiven) {
  auto inc = SampleIncident();
  EXPECT_TRUE(Triggers({}, inc));
  EXPECT_TRUE(Triggers({.min_severity = Level::kHigh}, inc));
  EXPECT_FALSE(Triggers({.min_severity = Level::kCritical}, inc));
  EXPECT_TRUE(Triggers({.rules = {"*access key*"}}, inc));
  EXPECT_FALSE(Triggers({.rules = {"*root*"}}, inc));
  EXPECT_TRUE(Triggers({.techniques = {"T1078"}}, inc));  // a parent technique
  EXPECT_FALSE(Triggers({.techniques = {"T1078.001"}}, inc));
  EXPECT_TRUE(Triggers({.tactics = {"Exfiltration"}}, inc));
  EXPECT_FALSE(Triggers({.rules = {"*access key*"}, .tactics = {"impact"}}, inc));
  EXPECT_TRUE(Triggers({.involves = {"incident.long_term_keys", "incident.buckets"}}, inc));
  inc.resources.clear();
  EXPECT_FALSE(Triggers({.involves = {"incident.long_term_keys", "incident.buckets"}}, inc));
  auto set = LoadPlaybooks({});
  EXPECT_TRUE(Triggers(set.Find("compromised-access-key")->trigger, inc));
  EXPECT_FALSE(Triggers(set.Find("root-account-compromise")->trigger, inc));
}

TEST(Automation, PoliciesMatchOnSeverityRulesAndFindingTypes) {
  auto set = LoadPlaybooks({});
  config::AutomationConfig automation;
  automation.policies.push_back({.rules = {"*access key*"}, .min_severity = Level::kHigh,
                                 .playbook = "compromised-access-key", .mode = config::AutomationMode::kRun});
  automation.policies.push_back({.finding_types = {"CryptoCurrency:EC2/*"}, .playbook = "compromised-ec2-instance",
                                 .mode = config::AutomationMode::kApprove});
  automation.policies.push_back({.min_severity = Level::kCritical, .playbook = "root-account-compromise"});
  automation.policies.push_back({.playbook = "compromised-access-key"});  // same playbook: once
  automation.policies.push_back({.playbook = "no-such-playbook", .where = {.line = 42}});
  auto inc = SampleIncident();
  auto fits = MatchPolicies(automation, set, inc, {});
  ASSERT_EQ(fits.size(), 2u);
  EXPECT_EQ(fits[0].playbook->id, "compromised-access-key");
  EXPECT_EQ(fits[0].mode, config::AutomationMode::kRun);
  EXPECT_EQ(fits[1].playbook, nullptr);  // unknown: reported by CheckPolicies at start
  fits = MatchPolicies(automation, set, inc, {"CryptoCurrency:EC2/BitcoinTool.B!DNS"});
  ASSERT_EQ(fits.size(), 3u);
  EXPECT_EQ(fits[1].playbook->id, "compromised-ec2-instance");
  inc.severity = Level::kMedium;
  fits = MatchPolicies(automation, set, inc, {});
  ASSERT_EQ(fits.size(), 2u);  // the high-severity policy no longer fits; the catch-all does
  EXPECT_EQ(fits[0].mode, config::AutomationMode::kPlan);
  auto problems = CheckPolicies(automation, set, "cloudward.yaml");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 42);
  EXPECT_NE(problems[0].reason.find("no-such-playbook"), std::string::npos);
}

TEST(Automation, RateLimitsSlideOverAnHour) {
  ActionRateLimiter limit(3, 2);
  const int64_t t = 1'000'000'000;
  EXPECT_TRUE(limit.Allow("i-1", t));
  EXPECT_TRUE(limit.Allow("i-1", t + 1));
  EXPECT_FALSE(limit.Allow("i-1", t + 2));  // per resource
  EXPECT_TRUE(limit.Allow("i-2", t + 3));
  EXPECT_FALSE(limit.Allow("i-3", t + 4));  // in all
  EXPECT_TRUE(limit.Allow("i-3", t + 3600 * 1000));   // the first (at t) has left the hour
  EXPECT_FALSE(limit.Allow("i-4", t + 3600 * 1000));  // three in (t, t + 1h]
  EXPECT_TRUE(limit.Allow("i-1", t + 3600 * 1000 + 1));  // and now the one at t + 1 has left too
  ActionRateLimiter batch(3, 2);
  EXPECT_FALSE(batch.AllowAll({"a", "a", "a"}, t));  // three on one resource: none counted
  EXPECT_TRUE(batch.AllowAll({"a", "b", "c"}, t));
  EXPECT_FALSE(batch.AllowAll({"d"}, t));
}

// A stop after evidence: when the snapshot step fails, the stop step that requires it is skipped
// and StopInstances is never sent. AWS is a fake transport; the store is in memory.
TEST(Playbook, StopIsSkippedWhenTheSnapshotItRequiresFailed) {
  const std::string instance = "i-0123456789abcdef0";
  auto transport = std::make_shared<aws::FakeTransport>();
  transport->SetHandler([&](const aws::HttpRequest& request) -> Result<aws::HttpResponse> {
    auto is = [&](const char* action) { return request.body.find(std::string("Action=") + action + "&") != std::string::npos; };
    if (is("DescribeInstances")) {
      return aws::HttpResponse{200, {}, "<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
                                        "<instanceId>" + instance + "</instanceId><instanceState><name>running</name>"
                                        "</instanceState><blockDeviceMapping><item><ebs><volumeId>vol-0123456789abcdef0"
                                        "</volumeId></ebs></item></blockDeviceMapping></item></instancesSet></item>"
                                        "</reservationSet></DescribeInstancesResponse>"};
    }
    if (is("DescribeSnapshots")) return aws::HttpResponse{200, {}, "<DescribeSnapshotsResponse><snapshotSet/></DescribeSnapshotsResponse>"};
    return aws::HttpResponse{403, {}, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>denied"
                                      "</Message></Error></Errors><RequestID>r-1</RequestID></Response>"};
  });
  aws::ClientConfig config;
  config.region = "us-east-1";
  config.transport = transport;
  config.credentials = std::make_shared<aws::StaticCredentialProvider>(
      aws::Credentials{"AKID", "SECRET", "", std::nullopt, "static"});
  config.env = aws::MapEnv({});
  aws::AwsClient aws(std::move(config));
  auto store = store::OpenStore(":memory:");
  ASSERT_TRUE(store) << store.error().message;
  store::Incident incident{.id = "INC-1", .title = "miner", .resources = {instance}};
  ASSERT_TRUE((*store)->CreateIncident(incident));
  FakeClock clock(1'700'000'000'000);
  Responder responder(aws, nullptr, **store, clock, "analyst");

  std::vector<PlaybookProblem> problems;
  auto pb = ParsePlaybook("id: stop-after-evidence\n"
                          "steps:\n"
                          "  - id: snapshot-volumes\n"
                          "    phase: evidence\n"
                          "    action: snapshot-instance-volumes\n"
                          "    targets: incident.instances\n"
                          "  - id: stop\n"
                          "    phase: contain\n"
                          "    action: stop-instance\n"
                          "    targets: incident.instances\n"
                          "    requires: [snapshot-volumes]\n",
                          "p.yml", &problems);
  ASSERT_TRUE(pb) << (problems.empty() ? "" : problems[0].Describe());
  auto run = RunPlaybook(*pb, incident, responder, RunApproval::kApproved, nullptr);
  ASSERT_EQ(run.steps.size(), 2u) << run.ToJson().dump(2);
  EXPECT_EQ(run.steps[0].status, "failed");
  EXPECT_EQ(run.steps[1].step_id, "stop");
  EXPECT_EQ(run.steps[1].status, "skipped");
  EXPECT_NE(run.steps[1].message.find("requires snapshot-volumes, which failed"), std::string::npos)
      << run.steps[1].message;
  EXPECT_FALSE(run.ok());
  for (const auto& request : transport->requests()) {
    EXPECT_EQ(request.body.find("Action=StopInstances"), std::string::npos);
  }

  // Planned on its own, the stop is refused for the missing evidence.
  auto plan = responder.PlanAction("stop-instance", {.target = instance, .incident_id = "INC-1"});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kConflict);
  EXPECT_NE(plan.error().message.find("vol-0123456789abcdef0"), std::string::npos) << plan.error().message;
}

TEST(Playbook, BundledPlaybooksStopOnlyAfterEvidenceAndNeverTerminate) {
  auto set = LoadPlaybooks({});
  for (const auto& pb : set.playbooks) {
    for (const auto& step : pb.steps) {
      EXPECT_NE(step.action, "terminate-instance") << pb.id << " " << step.id;
      if (step.action != "stop-instance") continue;
      EXPECT_TRUE(step.approval) << pb.id << " " << step.id;
      bool after_snapshot = false;
      for (const auto& r : step.depends_on) {
        for (const auto& other : pb.steps) after_snapshot |= other.id == r && other.action == "snapshot-instance-volumes";
      }
      EXPECT_TRUE(after_snapshot) << pb.id << " " << step.id;
    }
  }
}

}  // namespace
}  // namespace cloudward::respond
