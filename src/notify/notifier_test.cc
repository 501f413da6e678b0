#include "notify/notifier.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "config/config_loader.h"
#include "notify/notify_fakes.h"

namespace cloudward::notify {
namespace {

using nlohmann::json;

Alert SampleAlert(AlertKind kind = AlertKind::kNew) {
  Alert a;
  a.incident_id = "inc-42";
  a.title = "Root account console login";
  a.severity = Level::kCritical;
  a.accounts = {"111122223333"};
  a.tags = {"attack.initial_access"};
  a.rule_ids = {"aws_root_login"};
  a.summary = "Root logged in from 198.51.100.7 <unusual>";
  a.link = "https://cloudward.example.com/incidents/inc-42";
  a.kind = kind;
  a.time_ms = 1'700'000'000'000;
  return a;
}

config::ChannelConfig Channel(std::string type) {
  config::ChannelConfig ch;
  ch.name = "ch-" + type;
  ch.type = std::move(type);
  return ch;
}

std::string Header(const HttpRequest& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

struct Env {
  FakeHttpPoster http;
  FakeMailSender mail;
  FakeSnsPublisher sns;
  FakeClock clock{1'700'000'123'456};
  NotifierDeps deps() { return {&http, &mail, &sns, &clock}; }
};

config::Contact Alice() {
  config::Contact c;
  c.name = "alice";
  c.email = "alice@example.com";
  c.slack = "U012ALICE";
  return c;
}

TEST(SlackNotifier, PostsBlocksWithMentionsAndEscapedText) {
  Env env;
  auto ch = Channel("slack");
  ch.url = config::Secret::Parse("https://hooks.slack.example/services/T/B/X");
  auto n = MakeNotifier(ch, env.deps());
  ASSERT_TRUE(n.has_value()) << n.error().message;
  ASSERT_TRUE((*n)->Send(SampleAlert(), {{Alice()}}).has_value());
  ASSERT_EQ(env.http.requests.size(), 1u);
  const HttpRequest& r = env.http.requests[0];
  EXPECT_EQ(r.url, "https://hooks.slack.example/services/T/B/X");
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  json body = json::parse(r.body);
  EXPECT_EQ(body["text"], "[cloudward] CRITICAL new: Root account console login");
  ASSERT_TRUE(body["blocks"].is_array());
  EXPECT_EQ(body["blocks"][0]["type"], "header");
  EXPECT_EQ(body["blocks"][1]["text"]["text"], "Root logged in from 198.51.100.7 &lt;unusual&gt;");
  EXPECT_EQ(body["blocks"][2]["fields"][0]["text"], "*Severity*\ncritical");
  EXPECT_EQ(body["blocks"][3]["elements"][0]["text"], "Notifying <@U012ALICE>");
  EXPECT_EQ(body["blocks"][4]["elements"][0]["url"], "https://cloudward.example.com/incidents/inc-42");
}

TEST(SlackNotifier, MapsHttpStatusesToRetryableErrors) {
  Env env;
  auto ch = Channel("slack");
  ch.url = config::Secret::Parse("https://hooks.slack.example/x");
  auto n = MakeNotifier(ch, env.deps());
  env.http.script.push_back(HttpResponse{503, "busy"});
  env.http.script.push_back(HttpResponse{404, "no_service"});
  env.http.script.push_back(Fail(ErrorCode::kTimeout, "timed out"));
  auto s1 = (*n)->Send(SampleAlert(), {});
  EXPECT_EQ(s1.error().code, ErrorCode::kUnavailable);
  auto s2 = (*n)->Send(SampleAlert(), {});
  EXPECT_EQ(s2.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(s2.error().message.find("404"), std::string::npos);
  EXPECT_EQ((*n)->Send(SampleAlert(), {}).error().code, ErrorCode::kTimeout);
}

TEST(SlackNotifier, UnsetSecretFailsWithoutPrintingAnything) {
  Env env;
  auto ch = Channel("slack");
  ch.url = config::Secret::Parse("env:CW_TEST_UNSET_SLACK_URL");
  unsetenv("CW_TEST_UNSET_SLACK_URL");
  auto n = MakeNotifier(ch, env.deps());
  auto s = (*n)->Send(SampleAlert(), {});
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_NE(s.error().message.find("env:CW_TEST_UNSET_SLACK_URL"), std::string::npos);
  EXPECT_TRUE(env.http.requests.empty());
}

TEST(TeamsNotifier, MessageCardAndAdaptiveCard) {
  Env env;
  auto ch = Channel("teams");
  ch.url = config::Secret::Parse("https://outlook.example/webhook/abc");
  ch.format = "messagecard";
  ASSERT_TRUE((*MakeNotifier(ch, env.deps()))->Send(SampleAlert(), {{Alice()}}).has_value());
  json card = json::parse(env.http.requests.at(0).body);
  EXPECT_EQ(card["@type"], "MessageCard");
  EXPECT_EQ(card["@context"], "https://schema.org/extensions");
  EXPECT_EQ(card["themeColor"], "8B0000");
  EXPECT_EQ(card["sections"][0]["facts"][0]["name"], "Severity");
  EXPECT_EQ(card["sections"][0]["facts"][4]["value"], "alice");
  EXPECT_EQ(card["potentialAction"][0]["targets"][0]["uri"], "https://cloudward.example.com/incidents/inc-42");

  ch.format = "adaptive";
  ASSERT_TRUE((*MakeNotifier(ch, env.deps()))->Send(SampleAlert(), {}).has_value());
  json msg = json::parse(env.http.requests.at(1).body);
  EXPECT_EQ(msg["type"], "message");
  EXPECT_EQ(msg["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(msg["attachments"][0]["content"]["type"], "AdaptiveCard");
  EXPECT_EQ(msg["attachments"][0]["content"]["actions"][0]["type"], "Action.OpenUrl");
}

// Independent reference: OpenSSL's one-shot HMAC, hex-encoded here.
std::string ReferenceHmacHex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", mac[i]);
    hex += buf;
  }
  return hex;
}

TEST(WebhookNotifier, SignsTimestampDotBodyWithHmacSha256) {
  Env env;
  setenv("CW_TEST_WEBHOOK_KEY", "topsecret-key", 1);
  auto ch = Channel("webhook");
  ch.url = config::Secret::Parse("https://siem.example.com/hook?token=abc");
  ch.secret = config::Secret::Parse("env:CW_TEST_WEBHOOK_KEY");
  auto n = MakeNotifier(ch, env.deps());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ((*n)->target(), "webhook:https://siem.example.com/hook");  // query (tokens) not shown
  ASSERT_TRUE((*n)->Send(SampleAlert(), {{Alice()}}).has_value());
  const HttpRequest& r = env.http.requests.at(0);
  const std::string ts = Header(r, "X-Cloudward-Timestamp");
  EXPECT_EQ(ts, "1700000123");
  EXPECT_EQ(Header(r, "X-Cloudward-Signature"), "sha256=" + ReferenceHmacHex("topsecret-key", ts + "." + r.body));
  // Known-answer check of the reference itself (RFC 4231 test case 2).
  EXPECT_EQ(ReferenceHmacHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  json body = json::parse(r.body);
  EXPECT_EQ(body["incident_id"], "inc-42");
  EXPECT_EQ(body["kind"], "new");
  EXPECT_EQ(body["severity"], "critical");
  EXPECT_EQ(body["rule_ids"][0], "aws_root_login");
  EXPECT_EQ(body["notify"][0], "alice");
  EXPECT_EQ(body["time"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(r.body.find("topsecret"), std::string::npos);
  unsetenv("CW_TEST_WEBHOOK_KEY");
}

TEST(PagerDutyNotifier, TriggerWithDedupKeyThenResolve) {
  Env env;
  const std::string key_file = ::testing::TempDir() + "cw_pd_key";
  FILE* f = std::fopen(key_file.c_str(), "w");
  std::fputs("R0UTINGKEY\n", f);
  std::fclose(f);
  auto ch = Channel("pagerduty");
  ch.routing_key = config::Secret::Parse("file:" + key_file);
  auto n = MakeNotifier(ch, env.deps());
  ASSERT_TRUE(n.has_value());
  ASSERT_TRUE((*n)->Send(SampleAlert(), {}).has_value());
  Alert high = SampleAlert();
  high.severity = Level::kHigh;
  ASSERT_TRUE((*n)->Send(high, {}).has_value());
  ASSERT_TRUE((*n)->Send(SampleAlert(AlertKind::kResolved), {}).has_value());
  ASSERT_EQ(env.http.requests.size(), 3u);
  EXPECT_EQ(env.http.requests[0].url, "https://events.pagerduty.com/v2/enqueue");
  json trig = json::parse(env.http.requests[0].body);
  EXPECT_EQ(trig["routing_key"], "R0UTINGKEY");
  EXPECT_EQ(trig["event_action"], "trigger");
  EXPECT_EQ(trig["dedup_key"], "inc-42");
  EXPECT_EQ(trig["payload"]["severity"], "critical");
  EXPECT_EQ(trig["payload"]["source"], "cloudward");
  EXPECT_EQ(trig["links"][0]["href"], "https://cloudward.example.com/incidents/inc-42");
  EXPECT_EQ(json::parse(env.http.requests[1].body)["payload"]["severity"], "error");
  json res = json::parse(env.http.requests[2].body);
  EXPECT_EQ(res["event_action"], "resolve");
  EXPECT_EQ(res["dedup_key"], "inc-42");
  EXPECT_FALSE(res.contains("payload"));
  std::remove(key_file.c_str());
}

TEST(EmailNotifier, SendsRfc5322PlainTextToChannelAndContacts) {
  Env env;
  auto ch = Channel("email");
  ch.smtp_url = config::Secret::Parse("smtp://127.0.0.1:2525");
  ch.from = "cloudward@example.com";
  ch.to = {"secops@example.com"};
  auto n = MakeNotifier(ch, env.deps());
  ASSERT_TRUE(n.has_value());
  Alert a = SampleAlert();
  a.summary = "line one\nline two";
  ASSERT_TRUE((*n)->Send(a, {{Alice()}}).has_value());
  ASSERT_EQ(env.mail.sent.size(), 1u);
  const auto& m = env.mail.sent[0];
  EXPECT_EQ(m.url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(m.to, (std::vector<std::string>{"secops@example.com", "alice@example.com"}));
  const std::string& msg = m.message;
  EXPECT_NE(msg.find("From: cloudward@example.com\r\n"), std::string::npos);
  EXPECT_NE(msg.find("To: secops@example.com, alice@example.com\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Subject: [cloudward] CRITICAL new: Root account console login\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Date: Tue, 14 Nov 2023 22:15:23 +0000\r\n"), std::string::npos);
  EXPECT_NE(msg.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(msg.find("\r\n\r\nRoot account console login\r\n\r\nline one\r\nline two\r\n"), std::string::npos) << msg;
  // Every line ends in CRLF: no bare LF.
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      ASSERT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST(FormatRfc5322, NoHeaderInjectionAndEncodedSubject) {
  MailMessage m{"a@x", {"b@x\r\nBcc: evil@x"}, "Alerte sécurité\nX-Evil: 1", "body"};
  std::string msg = FormatRfc5322(m, 0, "id");
  EXPECT_EQ(msg.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(msg.find("\r\nX-Evil:"), std::string::npos);
  EXPECT_NE(msg.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(msg.find("Date: Thu, 01 Jan 1970 00:00:00 +0000"), std::string::npos);
}

TEST(SnsNotifier, PublishesJsonWithAsciiSubjectAndAttributes) {
  Env env;
  auto ch = Channel("sns");
  ch.topic_arn = "arn:aws:sns:eu-west-1:111122223333:alerts";
  ch.region = "eu-west-1";
  auto n = MakeNotifier(ch, env.deps());
  Alert a = SampleAlert();
  a.title = std::string(200, 'x') + "é";
  ASSERT_TRUE((*n)->Send(a, {}).has_value());
  ASSERT_EQ(env.sns.published.size(), 1u);
  const SnsMessage& m = env.sns.published[0];
  EXPECT_EQ(m.topic_arn, ch.topic_arn);
  EXPECT_EQ(m.region, "eu-west-1");
  EXPECT_LT(m.subject.size(), 100u);
  for (char c : m.subject) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
  EXPECT_EQ(json::parse(m.message)["incident_id"], "inc-42");
  EXPECT_EQ(m.attributes.at("severity"), "critical");
  // Without an SNS client the channel fails cleanly.
  NotifierDeps no_sns = env.deps();
  no_sns.sns = nullptr;
  EXPECT_EQ((*MakeNotifier(ch, no_sns))->Send(a, {}).error().code, ErrorCode::kUnsupported);
}

TEST(NotifierRegistry, KnowsEveryConfiguredType) {
  for (const char* type : {"slack", "teams", "webhook", "pagerduty", "email", "sns"})
    EXPECT_NE(FindNotifierFactory(type), nullptr) << type;
  EXPECT_EQ(FindNotifierFactory("carrier-pigeon"), nullptr);
  Env env;
  EXPECT_FALSE(MakeNotifier(Channel("carrier-pigeon"), env.deps()).has_value());
  EXPECT_FALSE(MakeNotifier(Channel("slack"), env.deps()).has_value());  // no webhook_url
}

}  // namespace
}  // namespace cloudward::notify
