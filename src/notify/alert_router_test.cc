#include "notify/alert_router.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "notify/notify_fakes.h"

namespace cloudward::notify {
namespace {

constexpr int64_t kMin = 60'000;

const char* kConfig = R"(
people:
  contacts:
    alice: {email: alice@x, slack: UALICE}
    bob: {email: bob@x}
    dan: {email: dan@x}
    frank: {email: frank@x}
  roles:
    incident_commander: [alice]
    responders: [bob]
    legal: [dan]
    management: [frank]
  escalation:
    critical:
      - {after: 0m, notify: incident_commander}
      - {after: 30m, notify: management, via: [mail]}
      - {after: 60m, notify: legal, via: [mail]}
    high:
      - {after: 0m, notify: responders}
alerts:
  channels:
    chat: {type: slack, webhook_url: "https://chat.example/hook"}
    siem: {type: webhook, url: "https://siem.example/hook", secret: "env:CW_ROUTER_TEST_KEY"}
    mail: {type: email, smtp_url: "smtp://127.0.0.1:1", from: cw@x, to: [ops@x]}
  routes:
    - match: {severity: high}
      channels: [chat]
    - match: {accounts: ["999999999999"]}
      channels: [siem]
      stop: true
    - match: {tags: [attack.exfiltration]}
      channels: [siem]
  group_window: 5m
  dedup_window: 1h
  retry: {attempts: 3, initial_backoff: 1s, max_backoff: 3s}
)";

struct Fixture : ::testing::Test {
  FakeHttpPoster http;
  FakeMailSender mail;
  FakeClock clock{1'800'000'000'000};
  FakeSleeper sleeper;
  std::unique_ptr<AlertRouter> router;

  void SetUp() override {
    setenv("CW_ROUTER_TEST_KEY", "k", 1);
    config::LoadResult loaded = config::LoadConfigText(kConfig, "router.yaml");
    ASSERT_TRUE(loaded.ok()) << loaded.problems[0].ToString();
    auto r = AlertRouter::Create(loaded.config, {&http, &mail, nullptr, &clock}, clock, sleeper);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    router = std::move(*r);
  }

  static Alert MakeAlert(Level sev, AlertKind kind = AlertKind::kNew, std::string id = "inc-1") {
    Alert a;
    a.incident_id = std::move(id);
    a.title = "t";
    a.severity = sev;
    a.kind = kind;
    return a;
  }
};

int Count(const std::vector<DeliveryRecord>& rs, DeliveryStatus s, std::string_view channel = "") {
  int n = 0;
  for (const auto& r : rs)
    if (r.status == s && (channel.empty() || r.channel == channel)) ++n;
  return n;
}

TEST_F(Fixture, RoutesBySeverityAccountTagsAndStop) {
  std::set<std::string> ch, roles;
  router->Match(MakeAlert(Level::kMedium), &ch, &roles);
  EXPECT_TRUE(ch.empty());
  Alert a = MakeAlert(Level::kHigh);
  a.accounts = {"999999999999"};
  a.tags = {"attack.exfiltration"};
  router->Match(a, &ch, &roles);
  EXPECT_EQ(ch, (std::set<std::string>{"chat", "siem"}));
  // stop: the exfiltration route after the account route is not consulted, still siem once.
  Alert low = MakeAlert(Level::kLow);
  low.tags = {"attack.exfiltration"};
  ch.clear();
  router->Match(low, &ch, &roles);
  EXPECT_EQ(ch, std::set<std::string>{"siem"});
}

TEST_F(Fixture, NewAlertGoesToRouteChannelsWithOnCallPeople) {
  auto rs = router->Submit(MakeAlert(Level::kHigh));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].channel, "chat");
  EXPECT_EQ(rs[0].status, DeliveryStatus::kDelivered);
  EXPECT_EQ(rs[0].attempt, 1);
  EXPECT_EQ(rs[0].notified, std::vector<std::string>{"bob"});  // high ladder, step 0: responders
  EXPECT_EQ(rs[0].time_ms, clock.NowMs());
  ASSERT_EQ(http.requests.size(), 1u);
}

TEST_F(Fixture, DeduplicatesWithinWindowOnly) {
  EXPECT_EQ(Count(router->Submit(MakeAlert(Level::kHigh)), DeliveryStatus::kDelivered), 1);
  auto dup = router->Submit(MakeAlert(Level::kHigh));
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0].status, DeliveryStatus::kSuppressed);
  EXPECT_EQ(http.requests.size(), 1u);
  // Same incident, other severity: not a duplicate.
  EXPECT_EQ(Count(router->Submit(MakeAlert(Level::kCritical)), DeliveryStatus::kDelivered), 1);
  clock.Advance(61 * kMin);
  router->Tick();
  EXPECT_EQ(Count(router->Submit(MakeAlert(Level::kHigh)), DeliveryStatus::kDelivered), 1);
}

TEST_F(Fixture, GroupsUpdatesWithinTheWindow) {
  router->Submit(MakeAlert(Level::kHigh));
  Alert u1 = MakeAlert(Level::kHigh, AlertKind::kUpdated);
  u1.summary = "3 more events";
  Alert u2 = u1;
  u2.summary = "5 more events";
  clock.Advance(1 * kMin);
  EXPECT_EQ(router->Submit(u1)[0].status, DeliveryStatus::kGrouped);
  clock.Advance(1 * kMin);
  EXPECT_EQ(router->Submit(u2)[0].status, DeliveryStatus::kGrouped);
  EXPECT_EQ(http.requests.size(), 1u);
  clock.Advance(2 * kMin);
  EXPECT_TRUE(router->Tick().empty());  // 4 minutes since the last delivery: still inside
  clock.Advance(1 * kMin);
  auto flushed = router->Tick();
  ASSERT_EQ(Count(flushed, DeliveryStatus::kDelivered, "chat"), 1);
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_NE(http.requests[1].body.find("5 more events\\n(2 updates grouped)"), std::string::npos)
      << http.requests[1].body;
  EXPECT_TRUE(router->Tick().empty());
}

TEST_F(Fixture, EscalatesByElapsedTimeUntilResolved) {
  auto first = router->Submit(MakeAlert(Level::kCritical));
  ASSERT_EQ(Count(first, DeliveryStatus::kDelivered, "chat"), 1);
  EXPECT_EQ(first[0].notified, std::vector<std::string>{"alice"});
  clock.Advance(29 * kMin);
  EXPECT_TRUE(router->Tick().empty());
  clock.Advance(1 * kMin);
  auto at30 = router->Tick();
  ASSERT_EQ(at30.size(), 1u);
  EXPECT_EQ(at30[0].channel, "mail");
  EXPECT_EQ(at30[0].kind, AlertKind::kEscalated);
  EXPECT_EQ(at30[0].notified, std::vector<std::string>{"frank"});
  ASSERT_EQ(mail.sent.size(), 1u);
  EXPECT_EQ(mail.sent[0].to, (std::vector<std::string>{"ops@x", "frank@x"}));
  EXPECT_TRUE(router->Tick().empty());  // each step fires once
  router->Submit(MakeAlert(Level::kCritical, AlertKind::kResolved));
  clock.Advance(60 * kMin);
  EXPECT_TRUE(router->Tick().empty());  // resolved: legal is never paged
  EXPECT_EQ(mail.sent.size(), 1u);
}

TEST_F(Fixture, RetriesRetryableFailuresWithBackoffAndJitter) {
  http.script.push_back(HttpResponse{503, ""});
  http.script.push_back(Fail(ErrorCode::kTimeout, "slow"));
  auto rs = router->Submit(MakeAlert(Level::kHigh));
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].status, DeliveryStatus::kFailed);
  EXPECT_NE(rs[0].error.find("HTTP 503"), std::string::npos);
  EXPECT_EQ(rs[1].status, DeliveryStatus::kFailed);
  EXPECT_EQ(rs[2].status, DeliveryStatus::kDelivered);
  EXPECT_EQ(rs[2].attempt, 3);
  ASSERT_EQ(sleeper.sleeps.size(), 2u);
  EXPECT_GE(sleeper.sleeps[0], 500);
  EXPECT_LE(sleeper.sleeps[0], 1000);
  EXPECT_GE(sleeper.sleeps[1], 1000);
  EXPECT_LE(sleeper.sleeps[1], 2000);
}

TEST_F(Fixture, DoesNotRetryPermanentFailuresAndGivesUpAfterAttempts) {
  http.script.push_back(HttpResponse{403, "invalid"});
  auto rs = router->Submit(MakeAlert(Level::kHigh));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, DeliveryStatus::kFailed);
  EXPECT_TRUE(sleeper.sleeps.empty());
  for (int i = 0; i < 3; ++i) http.script.push_back(HttpResponse{500, ""});
  auto again = router->Submit(MakeAlert(Level::kHigh, AlertKind::kNew, "inc-2"));
  EXPECT_EQ(again.size(), 3u);
  EXPECT_EQ(Count(again, DeliveryStatus::kFailed), 3);
}

TEST(Backoff, ExponentialCappedAndJittered) {
  config::RetryPolicy p{6, 1000, 8000};
  EXPECT_EQ(BackoffMs(p, 1, 1.0), 1000);
  EXPECT_EQ(BackoffMs(p, 2, 1.0), 2000);
  EXPECT_EQ(BackoffMs(p, 3, 1.0), 4000);
  EXPECT_EQ(BackoffMs(p, 4, 1.0), 8000);
  EXPECT_EQ(BackoffMs(p, 9, 1.0), 8000);
  EXPECT_EQ(BackoffMs(p, 4, 0.0), 4000);
}

TEST_F(Fixture, AlertWithoutAnyChannelIsRecordedAsFailed) {
  auto rs = router->Submit(MakeAlert(Level::kLow));
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].status, DeliveryStatus::kFailed);
  EXPECT_NE(rs[0].error.find("no route"), std::string::npos);
  EXPECT_EQ(DeliveryRecordToJson(rs[0])["status"], "failed");
}

}  // namespace
}  // namespace cloudward::notify
