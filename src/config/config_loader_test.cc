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
  EXPECT_EQ(c.detection.ioc.amis, std::vector<std::string>{"/etc/cloudward/ioc/backdoored-amis.txt"});
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
  EXPECT_EQ(c.serve.public_url, "https://cloudward.example.com:8443");
  EXPECT_EQ(c.serve.sqs_visibility_timeout_seconds, 300);
  EXPECT_EQ(c.serve.watch_interval_ms, 5000);
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

TEST(ConfigLoader, ServeTuningDefaults) {
  LoadResult r = LoadConfigText("serve:\n  listen: 127.0.0.1:9000\n", "c.yaml");
  ASSERT_TRUE(r.ok()) << Dump(r);
  const ServeConfig& s = r.config.serve;
  EXPECT_EQ(s.sqs_wait_seconds, 10);
  EXPECT_EQ(s.sqs_visibility_timeout_seconds, 120);
  EXPECT_EQ(s.sqs_max_messages, 10);
  EXPECT_EQ(s.watch_interval_ms, 2000);
  EXPECT_EQ(s.watch_state, "");
  EXPECT_EQ(s.public_url, "");
  EXPECT_EQ(s.max_body_bytes, 64 << 20);
}

TEST(ConfigLoader, ServeTuningValuesLand) {
  LoadResult r = LoadConfigText(
      "serve:\n"
      "  sqs_wait: 0\n"
      "  sqs_visibility_timeout: 12h\n"
      "  sqs_max_messages: 1\n"
      "  watch_interval: 100ms\n"
      "  watch_state: /var/lib/cloudward/watch.state\n"
      "  public_url: https://cw.example.com:8443/\n"
      "  max_body_bytes: 1024\n",
      "c.yaml");
  ASSERT_TRUE(r.ok()) << Dump(r);
  const ServeConfig& s = r.config.serve;
  EXPECT_EQ(s.sqs_wait_seconds, 0);
  EXPECT_EQ(s.sqs_visibility_timeout_seconds, 43200);
  EXPECT_EQ(s.sqs_max_messages, 1);
  EXPECT_EQ(s.watch_interval_ms, 100);
  EXPECT_EQ(s.watch_state, "/var/lib/cloudward/watch.state");
  EXPECT_EQ(s.public_url, "https://cw.example.com:8443");  // the trailing '/' dropped
  EXPECT_EQ(s.max_body_bytes, 1024);

  LoadResult upper = LoadConfigText(
      "serve: {sqs_wait: 20s, sqs_visibility_timeout: 1s, sqs_max_messages: 10, watch_interval: 1h,\n"
      "        max_body_bytes: 1073741824, public_url: http://10.0.0.5:8080}\n",
      "c.yaml");
  ASSERT_TRUE(upper.ok()) << Dump(upper);
  EXPECT_EQ(upper.config.serve.sqs_wait_seconds, 20);
  EXPECT_EQ(upper.config.serve.sqs_visibility_timeout_seconds, 1);
  EXPECT_EQ(upper.config.serve.watch_interval_ms, 3'600'000);
  EXPECT_EQ(upper.config.serve.max_body_bytes, 1 << 30);
}

TEST(ConfigLoader, ServeTuningProblemsNameLineAndReason) {
  LoadResult r = LoadConfigText(
      "serve:\n"
      "  sqs_wait: 21s\n"                  // 2
      "  sqs_visibility_timeout: 1500ms\n"  // 3
      "  sqs_max_messages: 11\n"           // 4
      "  watch_interval: 50ms\n"           // 5
      "  watch_state: \"\"\n"               // 6
      "  public_url: cw.example.com\n"     // 7
      "  max_body_bytes: 64MB\n"           // 8
      "  sqs_wiat: 5s\n",                  // 9
      "c.yaml");
  EXPECT_EQ(r.problems.size(), 8u) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 2, "serve.sqs_wait: must be between 0s and 20s, got '21s'")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 3, "serve.sqs_visibility_timeout: must be a whole number of seconds, got '1500ms'"))
      << Dump(r);
  EXPECT_TRUE(HasProblem(r, 4, "serve.sqs_max_messages: must be between 1 and 10, got 11")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 5, "serve.watch_interval: must be between 100ms and 1h, got '50ms'")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 6, "serve.watch_state: must not be empty")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 7, "serve.public_url: expected an http:// or https:// URL")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 8, "serve.max_body_bytes: expected an integer, got '64MB'")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 9, "unknown key serve.sqs_wiat; did you mean 'sqs_wait'?")) << Dump(r);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_EQ(r.problems[0].file, "c.yaml");
  EXPECT_EQ(r.problems[0].column, 13);  // the value, not its key
  // Wrong types and the remaining bounds.
  LoadResult types = LoadConfigText(
      "serve:\n"
      "  sqs_wait: [1]\n"                   // 2
      "  sqs_visibility_timeout: 0\n"       // 3
      "  watch_interval: soon\n"            // 4
      "  max_body_bytes: 100\n"             // 5
      "  public_url: {host: x}\n"           // 6
      "  sqs_max_messages: 0\n",            // 7
      "c.yaml");
  EXPECT_EQ(types.problems.size(), 6u) << Dump(types);
  EXPECT_TRUE(HasProblem(types, 2, "serve.sqs_wait: expected a duration such as 30s")) << Dump(types);
  EXPECT_TRUE(HasProblem(types, 3, "serve.sqs_visibility_timeout: must be between 1s and 12h, got '0'")) << Dump(types);
  EXPECT_TRUE(HasProblem(types, 4, "serve.watch_interval: expected a duration such as 30s")) << Dump(types);
  EXPECT_TRUE(HasProblem(types, 5, "serve.max_body_bytes: must be between 1024 and 1073741824, got 100")) << Dump(types);
  EXPECT_TRUE(HasProblem(types, 6, "serve.public_url: expected a string, got a map")) << Dump(types);
  EXPECT_TRUE(HasProblem(types, 7, "serve.sqs_max_messages: must be between 1 and 10, got 0")) << Dump(types);
  // A bad value keeps the default.
  EXPECT_EQ(types.config.serve.sqs_wait_seconds, 10);
  EXPECT_EQ(types.config.serve.max_body_bytes, 64 << 20);
}

TEST(ConfigLoader, AlertRetryBounds) {
  LoadResult r = LoadConfigText(
      "alerts:\n"
      "  retry:\n"
      "    attempts: 21\n"
      "    initial_backoff: 2h\n"
      "    max_backoff: 1h\n",
      "c.yaml");
  EXPECT_EQ(r.problems.size(), 2u) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 3, "alerts.retry.attempts: must be between 1 and 20, got 21")) << Dump(r);
  EXPECT_TRUE(HasProblem(r, 4, "alerts.retry.initial_backoff: must be between 0s and 1h, got '2h'")) << Dump(r);
  LoadResult order = LoadConfigText("alerts:\n  retry: {initial_backoff: 10s, max_backoff: 5s}\n", "c.yaml");
  EXPECT_EQ(order.problems.size(), 1u) << Dump(order);
  EXPECT_TRUE(HasProblem(order, 2, "alerts.retry: max_backoff is shorter than initial_backoff")) << Dump(order);
  LoadResult ok = LoadConfigText("alerts:\n  retry: {attempts: 2, initial_backoff: 0, max_backoff: 1h}\n", "c.yaml");
  ASSERT_TRUE(ok.ok()) << Dump(ok);
  EXPECT_EQ(ok.config.alerts.retry.attempts, 2);
  EXPECT_EQ(ok.config.alerts.retry.initial_backoff_ms, 0);
  EXPECT_EQ(ok.config.alerts.retry.max_backoff_ms, 3'600'000);
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
