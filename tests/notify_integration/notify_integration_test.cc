// Delivers Slack, webhook, PagerDuty and e-mail alerts through CurlHttpPoster and CurlMailSender
// to the local receivers of receiver.py (127.0.0.1 only) and checks what arrived.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "config/config_loader.h"
#include "notify/alert_router.h"
#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

using nlohmann::json;

class Receivers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("python3 -c 'import http.server, socketserver' >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "needs python3";
    log_ = ::testing::TempDir() + "cw_notify_receiver_" + std::to_string(::getpid()) + ".jsonl";
    std::filesystem::remove(log_);
    const std::string cmd = "python3 " CW_SOURCE_DIR "/tests/notify_integration/receiver.py " + log_;
    proc_ = ::popen(cmd.c_str(), "r");
    ASSERT_NE(proc_, nullptr);
    char what[16];
    int port = 0;
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(std::fscanf(proc_, "%15s %d", what, &port), 2);
      (std::string(what) == "HTTP" ? http_port_ : smtp_port_) = port;
    }
    base_ = "http://127.0.0.1:" + std::to_string(http_port_);
  }
  void TearDown() override {
    if (!proc_) return;
    CurlHttpPoster poster;
    (void)poster.Post({base_ + "/shutdown", {}, ""});
    ::pclose(proc_);
    std::filesystem::remove(log_);
  }

  std::vector<json> Records() {
    std::vector<json> out;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  FILE* proc_ = nullptr;
  std::string log_;
  std::string base_;
  int http_port_ = 0;
  int smtp_port_ = 0;
  CurlHttpPoster poster_{CurlOptions{2000, 5000, ""}};
  CurlMailSender mailer_{CurlOptions{2000, 5000, ""}};
  FakeClock clock_{1'800'000'000'000};
  NotifierDeps deps() { return {&poster_, &mailer_, nullptr, &clock_}; }
};

Alert SampleAlert() {
  Alert a;
  a.incident_id = "inc-7";
  a.title = "Access key used from Tor exit";
  a.severity = Level::kHigh;
  a.accounts = {"111122223333"};
  a.rule_ids = {"aws_tor_access"};
  a.summary = "AKIAEXAMPLE used from 203.0.113.9\n.\n..dots survive";
  a.link = "https://cloudward.example/incidents/inc-7";
  return a;
}

std::string HmacHex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  std::string hex;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", mac[i]);
    hex += b;
  }
  return hex;
}

TEST_F(Receivers, SlackWebhookAndPagerDutyArriveIntact) {
  setenv("CW_IT_WEBHOOK_KEY", "integration-key", 1);
  setenv("CW_IT_PD_KEY", "pd-routing", 1);
  config::ChannelConfig slack{.name = "chat", .type = "slack"};
  slack.url = config::Secret::Parse(base_ + "/slack");
  config::ChannelConfig hook{.name = "siem", .type = "webhook"};
  hook.url = config::Secret::Parse(base_ + "/hook");
  hook.secret = config::Secret::Parse("env:CW_IT_WEBHOOK_KEY");
  config::ChannelConfig pd{.name = "pd", .type = "pagerduty"};
  pd.routing_key = config::Secret::Parse("env:CW_IT_PD_KEY");
  pd.url = config::Secret::Parse(base_ + "/v2/enqueue");

  for (auto* ch : {&slack, &hook, &pd}) {
    auto n = MakeNotifier(*ch, deps());
    ASSERT_TRUE(n.has_value()) << n.error().message;
    Status s = (*n)->Send(SampleAlert(), {});
    ASSERT_TRUE(s.has_value()) << ch->name << ": " << s.error().message;
  }
  Alert resolved = SampleAlert();
  resolved.kind = AlertKind::kResolved;
  ASSERT_TRUE((*MakeNotifier(pd, deps()))->Send(resolved, {}).has_value());

  std::vector<json> recs = Records();
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0]["path"], "/slack");
  json slack_body = json::parse(recs[0]["body"].get<std::string>());
  EXPECT_EQ(slack_body["blocks"][0]["type"], "header");

  EXPECT_EQ(recs[1]["path"], "/hook");
  const std::string body = recs[1]["body"];
  const std::string ts = recs[1]["headers"]["x-cloudward-timestamp"];
  EXPECT_EQ(ts, "1800000000");
  EXPECT_EQ(recs[1]["headers"]["x-cloudward-signature"], "sha256=" + HmacHex("integration-key", ts + "." + body));
  EXPECT_EQ(recs[1]["headers"]["content-type"], "application/json");
  EXPECT_EQ(json::parse(body)["summary"], SampleAlert().summary);

  json trig = json::parse(recs[2]["body"].get<std::string>());
  EXPECT_EQ(trig["event_action"], "trigger");
  EXPECT_EQ(trig["dedup_key"], "inc-7");
  EXPECT_EQ(trig["routing_key"], "pd-routing");
  EXPECT_EQ(trig["payload"]["severity"], "error");
  EXPECT_EQ(json::parse(recs[3]["body"].get<std::string>())["event_action"], "resolve");
}

TEST_F(Receivers, EmailOverSmtpKeepsBodyAndRecipients) {
  config::ChannelConfig mail{.name = "ops", .type = "email"};
  mail.smtp_url = config::Secret::Parse("smtp://127.0.0.1:" + std::to_string(smtp_port_));
  mail.from = "cloudward@example.com";
  mail.to = {"secops@example.com"};
  config::Contact bob{.name = "bob", .email = "bob@example.com"};
  auto n = MakeNotifier(mail, deps());
  ASSERT_TRUE(n.has_value());
  Status s = (*n)->Send(SampleAlert(), {{bob}});
  ASSERT_TRUE(s.has_value()) << s.error().message;
  std::vector<json> recs = Records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["from"], "<cloudward@example.com>");
  EXPECT_EQ(recs[0]["to"], json({"<secops@example.com>", "<bob@example.com>"}));
  const std::string data = recs[0]["data"];
  EXPECT_NE(data.find("Subject: [cloudward] HIGH new: Access key used from Tor exit\r\n"), std::string::npos);
  EXPECT_NE(data.find("To: secops@example.com, bob@example.com\r\n"), std::string::npos);
  // Lines made of dots went through SMTP dot-stuffing and came back unchanged.
  EXPECT_NE(data.find("\r\nAKIAEXAMPLE used from 203.0.113.9\r\n.\r\n..dots survive\r\n"), std::string::npos) << data;
}

TEST_F(Receivers, RouterRetriesA503ThroughRealCurl) {
  const std::string yaml = "alerts:\n  channels:\n    chat: {type: slack, webhook_url: '" + base_ +
                           "/flaky/slack'}\n  routes:\n    - channels: [chat]\n"
                           "  retry: {attempts: 3, initial_backoff: 10ms, max_backoff: 20ms}\n";
  config::LoadResult loaded = config::LoadConfigText(yaml, "it.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.problems[0].ToString();
  ThreadSleeper sleeper;
  auto router = AlertRouter::Create(loaded.config, deps(), clock_, sleeper);
  ASSERT_TRUE(router.has_value()) << router.error().message;
  std::vector<DeliveryRecord> rs = (*router)->Submit(SampleAlert());
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].status, DeliveryStatus::kFailed);
  EXPECT_NE(rs[0].error.find("HTTP 503"), std::string::npos);
  EXPECT_EQ(rs[1].status, DeliveryStatus::kDelivered);
  std::vector<json> recs = Records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["status"], 503);
  EXPECT_EQ(recs[1]["status"], 200);
}

TEST_F(Receivers, RefusedConnectionIsRetryable) {
  CurlHttpPoster poster{CurlOptions{500, 1000, ""}};
  auto r = poster.Post({"http://127.0.0.1:1/nothing", {}, "{}"});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(IsRetryable(r.error().code));
  auto bad = poster.Post({"file:///etc/passwd", {}, ""});
  EXPECT_FALSE(bad.has_value());  // only http and https
}

}  // namespace
}  // namespace cloudward::notify
