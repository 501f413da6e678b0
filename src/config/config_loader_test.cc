#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cloudward::config {
namespace {

bool HasProblem(const LoadResult& r, int line, std::string_view needle) {
  for (const Problem& p : r.problems)
    if (p.line == line && p.reason.find(needle) != std::string::npos) return true;
  return false;
}

std::string Dump(const LoadResult& r) {
  std::string s;
  for (const Problem& p : r.problems) s += p.ToString() + "\n";
  return s;
}

TEST(ConfigLoader, EmptyFileGivesDefaults) {
  LoadResult r = LoadConfigText("", "empty.yaml");
  EXPECT_TRUE(r.ok()) << Dump(r);
  EXPECT_FALSE(r.config.automation.enabled);
  EXPECT_EQ(r.config.alerts.retry.attempts, 4);
  EXPECT_EQ(r.config.respond.quarantine_security_group, "cloudward-quarantine");
}

TEST(ConfigLoader, ExampleConfigIsValidAndComplete) {
  LoadResult r = LoadConfigFile(CW_SOURCE_DIR "/docs/examples/cloudward.yaml");
  ASSERT_TRUE(r.ok()) << Dump(r);
  const Config& c = r.config;
  EXPECT_EQ(c.store.url, "sqlite:///var/lib/cloudward/cloudward.db");
  EXPECT_EQ(c.detection.lookback_ms, 24LL * 3600 * 1000);
  EXPECT_EQ(c.detection.ioc.access_keys.size(), 1u);
  EXPECT_EQ(c.assets.by_tag.size(), 2u);
  EXPECT_EQ(c.assets.by_tag[1].value, "*");
  EXPECT_EQ(c.assets.by_account[0].criticality, Criticality::kCritical);
  EXPECT_EQ(c.people.contacts.size(), 6u);
  EXPECT_EQ(c.people.FindContact("alice")->pagerduty, "PALICE1");
  EXPECT_TRUE(c.people.on_call.at("incident_commander").weekly);
  ASSERT_EQ(c.people.escalation.at(Level::kCritical).size(), 4u);
  EXPECT_EQ(c.people.escalation.at(Level::kCritical)[2].after_ms, 30 * 60 * 1000);
  EXPECT_EQ(c.people.escalation.at(Level::kCritical)[2].roles, std::vector<std::string>{"management"});
  EXPECT_EQ(c.people.aws_support.case_severity.at(Level::kCritical), "urgent");
  ASSERT_EQ(c.alerts.channels.size(), 6u);
  const ChannelConfig* sns = c.alerts.FindChannel("sns-fanout");
  ASSERT_NE(sns, nullptr);
  EXPECT_EQ(sns->region, "eu-west-1");  // derived from the topic ARN
  const ChannelConfig* siem = c.alerts.FindChannel("siem");
  EXPECT_EQ(siem->secret.source(), Secret::Source::kFile);
  EXPECT_EQ(siem->secret.ToString(), "file:/etc/cloudward/siem.key");
  EXPECT_EQ(c.alerts.routes.size(), 3u);
  EXPECT_EQ(c.alerts.routes[0].match.min_severity, Level::kCritical);
  EXPECT_EQ(c.alerts.group_window_ms, 5 * 60 * 1000);
  EXPECT_EQ(c.automation.policies[0].mode, AutomationMode::kApprove);
  EXPECT_EQ(c.respond.approval_min_severity, Level::kCritical);
  EXPECT_EQ(c.accounts[0].regions.size(), 2u);
  EXPECT_EQ(c.serve.tokens[1].role, ApiRole::kResponder);
}

TEST(ConfigLoader, UnknownKeysSuggestTheClosest) {
  LoadResult r = LoadConfigText(
      "store:\n"
      "  url: x\n"
      "alert:\n"
      "  routes: []\n"
      "serve:\n"
      "  lisen: 0.0.0.0:80\n",
      "c.yaml");
  EXPECT_EQ(r.problems.size(), 2u) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 3, "unknown key alert; did you mean 'alerts'?")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 6, "unknown key serve.lisen; did you mean 'listen'?")) << Dump(r);
  EXPECT_EQ(r.problems[0].file, "c.yaml");
  EXPECT_EQ(r.problems[1].column, 3);
}

TEST(ConfigLoader, CollectsEveryProblemWithTypesNamed) {
  LoadResult r = LoadConfigText(
      "automation:\n"
      "  enabled: maybe\n"
      "  rate_limits: {actions_per_hour: lots}\n"
      "alerts:\n"
      "  group_window: soon\n"
      "  routes:\n"
      "    - match: {severity: severe}\n"
      "      channels: chat\n"
      "accounts:\n"
      "  - id: 12345\n",
      "c.yaml");
  EXPECT_TRUE(HasProblem(r, 2, "expected a boolean")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 3, "expected an integer")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 5, "expected a duration")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 7, "expected a severity")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 8, "expected a list, got a scalar")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 10, "12-digit")) << Dump(r);
}

TEST(ConfigLoader, OrganizationAccounts) {
  LoadResult ok = LoadConfigText(
      "accounts:\n"
      "  - organization: true\n"
      "    role_name: SecurityAudit\n"
      "    regions: [eu-west-1]\n"
      "  - organization: true\n",
      "org.yaml");
  ASSERT_TRUE(ok.ok()) << Dump(ok);
  ASSERT_EQ(ok.config.accounts.size(), 2u);
  EXPECT_TRUE(ok.config.accounts[0].organization);
  EXPECT_EQ(ok.config.accounts[0].role_name, "SecurityAudit");
  EXPECT_EQ(ok.config.accounts[1].role_name, "");  // the default role, chosen by the scan
  LoadResult bad = LoadConfigText(
      "accounts:\n"
      "  - organization: true\n"
      "    role_arn: arn:aws:iam::111111111111:role/x\n"
      "  - organization: yes please\n"
      "    role_name: a/b\n"
      "  - id: '111111111111'\n"
      "    role_name: Audit\n",
      "org.yaml");
  EXPECT_TRUE(HasProblem(bad, 2, "an organization entry names its accounts itself")) << Dump(bad);
  EXPECT_TRUE(HasProblem(bad, 4, "expected a boolean")) << Dump(bad);
  EXPECT_TRUE(HasProblem(bad, 5, "expected an IAM role name")) << Dump(bad);
  EXPECT_TRUE(HasProblem(bad, 6, "only with organization: true")) << Dump(bad);
}

TEST(ConfigLoader, SyntaxErrorHasLineAndColumn) {
  LoadResult r = LoadConfigText("store:\n  url: [unclosed\nalerts: {}\n", "bad.yaml");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_GE(r.problems[0].line, 2);
  EXPECT_NE(r.problems[0].reason.find("YAML syntax"), std::string::npos);
}

TEST(ConfigLoader, BadReferencesAreReportedWhereTheyAre) {
  LoadResult r = LoadConfigText(
      "people:\n"
      "  contacts:\n"
      "    alice: {email: a@example.com}\n"
      "  roles:\n"
      "    legal: [alise]\n"
      "  escalation:\n"
      "    critical:\n"
      "      - {after: 0m, notify: incident_comander}\n"
      "      - {after: 1h, notify: legal, via: [nope]}\n"
      "alerts:\n"
      "  channels:\n"
      "    chat: {type: slack, webhook_url: 'env:X'}\n"
      "  routes:\n"
      "    - channels: [caht]\n"
      "      roles: [legal]\n",
      "refs.yaml");
  EXPECT_EQ(r.problems.size(), 4u) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 5, "unknown contact 'alise'; did you mean 'alice'?")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 8, "unknown role 'incident_comander'; did you mean 'incident_commander'?"))
      << Dump(r);
  EXPECT_TRUE(HasProblem(r, 9, "unknown channel 'nope'")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 14, "unknown channel 'caht'; did you mean 'chat'?")) << Dump(r);
}

TEST(ConfigLoader, ChannelsAreCheckedPerType) {
  LoadResult r = LoadConfigText(
      "alerts:\n"
      "  channels:\n"
      "    a: {type: slak, webhook_url: x}\n"
      "    b: {type: webhook, url: 'https://x'}\n"
      "    c: {type: webhook, url: 'https://x', secret: inline-secret}\n"
      "    d: {type: pagerduty, routing_key: 'env:PD', topic_arn: x}\n",
      "ch.yaml");
  EXPECT_TRUE(HasProblem(r, 3, "unknown channel type 'slak'; did you mean 'slack'?")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 4, "missing required key 'secret'")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 5, "not inline")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 6, "unknown key alerts.channels.d.topic_arn")) << Dump(r);
}

TEST(ConfigLoader, DuplicateKeysAndNonMapRoot) {
  LoadResult dup = LoadConfigText("store: {url: a}\nstore: {url: b}\n", "d.yaml");
  EXPECT_TRUE(HasProblem(dup, 2, "duplicate key store")) << Dump(dup);
  LoadResult list = LoadConfigText("- a\n- b\n", "l.yaml");
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 1);
  EXPECT_NE(list.problems[0].reason.find("got a list"), std::string::npos);
}

TEST(ConfigLoader, MissingFileIsOneProblem) {
  LoadResult r = LoadConfigFile("/nonexistent/cloudward.yaml");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 0);
}

TEST(ConfigLoader, FindConfigPathOrder) {
  EXPECT_EQ(FindConfigPath("flag.yaml").value(), "flag.yaml");
  setenv("CLOUDWARD_CONFIG", "/tmp/from-env.yaml", 1);
  EXPECT_EQ(FindConfigPath("").value(), "/tmp/from-env.yaml");
  unsetenv("CLOUDWARD_CONFIG");
  const std::string home = ::testing::TempDir() + "cw_home_test";
  std::filesystem::create_directories(home + "/.config/cloudward");
  const char* old_home = std::getenv("HOME");
  std::string saved = old_home ? old_home : "";
  setenv("HOME", home.c_str(), 1);
  EXPECT_FALSE(FindConfigPath("").has_value());
  std::ofstream(home + "/.config/cloudward/cloudward.yaml") << "store: {url: x}\n";
  EXPECT_EQ(FindConfigPath("").value(), home + "/.config/cloudward/cloudward.yaml");
  if (old_home) setenv("HOME", saved.c_str(), 1);
  std::filesystem::remove_all(home);
}

TEST(Secret, ResolvesLazilyAndNeverPrintsValues) {
  Secret env = Secret::Parse("env:CW_TEST_SECRET_VALUE");
  EXPECT_EQ(env.Resolve().error().code, ErrorCode::kNotFound);
  setenv("CW_TEST_SECRET_VALUE", "s3cret", 1);
  EXPECT_EQ(env.Resolve().value(), "s3cret");
  EXPECT_EQ(env.ToString().find("s3cret"), std::string::npos);
  unsetenv("CW_TEST_SECRET_VALUE");

  const std::string path = ::testing::TempDir() + "cw_secret_test.key";
  std::ofstream(path) << "filekey\n";
  Secret file = Secret::Parse("file:" + path);
  EXPECT_EQ(file.Resolve().value(), "filekey");
  std::filesystem::remove(path);
  EXPECT_FALSE(file.Resolve().has_value());

  Secret literal = Secret::Parse("hunter2");
  EXPECT_EQ(literal.Resolve().value(), "hunter2");
  EXPECT_EQ(literal.ToString(), "<literal>");
  EXPECT_TRUE(Secret::Parse("").empty());
}

TEST(ParseDuration, Forms) {
  EXPECT_EQ(ParseDuration("0"), 0);
  EXPECT_EQ(ParseDuration("0m"), 0);
  EXPECT_EQ(ParseDuration("250ms"), 250);
  EXPECT_EQ(ParseDuration("30s"), 30'000);
  EXPECT_EQ(ParseDuration("1h30m"), 90 * 60'000);
  EXPECT_EQ(ParseDuration("2d"), 2 * 86'400'000LL);
  EXPECT_FALSE(ParseDuration("").has_value());
  EXPECT_FALSE(ParseDuration("10").has_value());
  EXPECT_FALSE(ParseDuration("m").has_value());
  EXPECT_FALSE(ParseDuration("5y").has_value());
  EXPECT_FALSE(ParseDuration("99999999999999999999d").has_value());
}

}  // namespace
}  // namespace cloudward::config
