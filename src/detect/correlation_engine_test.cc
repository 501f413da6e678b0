#include "detect/correlation_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "detect/matcher.h"

namespace cloudward::detect {
namespace {

const char* kBases =
    "title: Failed Login\nname: failed\nid: base-failed\n"
    "logsource: {product: aws, service: cloudtrail}\n"
    "detection:\n  sel:\n    eventName: ConsoleLogin\n    responseElements.ConsoleLogin: Failure\n"
    "  condition: sel\n"
    "---\n"
    "title: Good Login\nname: good\nid: base-good\n"
    "logsource: {product: aws, service: cloudtrail}\n"
    "detection:\n  sel:\n    eventName: ConsoleLogin\n    responseElements.ConsoleLogin: Success\n"
    "  condition: sel\n";

struct Harness {
  explicit Harness(const std::string& correlation) {
    load = LoadRules({}, {{"bases.yml", kBases}, {"corr.yml", correlation}});
    EXPECT_TRUE(load.rejected.empty()) << (load.rejected.empty() ? "" : load.rejected[0].reason);
    engine = std::make_unique<CorrelationEngine>(load.rules);
    matcher = std::make_unique<Matcher>(load.rules);
  }
  // minute: event time in minutes from 12:00; ip: sourceIPAddress.
  void Feed(int minute_seconds, const std::string& outcome, const std::string& ip,
            const std::string& user = "alice") {
    std::string json = R"({"eventName":"ConsoleLogin","sourceIPAddress":")" + ip +
                       R"(","userIdentity":{"userName":")" + user +
                       R"("},"responseElements":{"ConsoleLogin":")" + outcome + R"("}})";
    simdjson::dom::parser parser;
    Event event;
    event.record = parser.parse(json).value();
    event.time_ms = 1'700'000'000'000 + static_cast<int64_t>(minute_seconds) * 1000;
    event.source.file = "f.json";
    event.source.offset = static_cast<uint64_t>(offset++);
    EventContext context;
    context.time_ms = event.time_ms;
    context.source_ip = ip;
    std::vector<const Rule*> hits;
    matcher->Match(event, hits);
    for (const Rule* r : hits)
      if (engine->Wants(*r)) engine->Observe(*r, event, context);
  }
  LoadResult load;
  std::unique_ptr<CorrelationEngine> engine;
  std::unique_ptr<Matcher> matcher;
  int offset = 0;
};

const char* kEventCount =
    "title: Brute force\nid: corr-1\nlevel: high\nlogsource: {product: aws, service: cloudtrail}\n"
    "correlation:\n  type: event_count\n  rules: [failed]\n  group-by: [sourceIPAddress]\n"
    "  timespan: 5m\n  condition:\n    gte: 3\n";

TEST(CorrelationEngineTest, EventCountSlidingWindowByGroup) {
  Harness h(kEventCount);
  EXPECT_FALSE(h.engine->empty());
  EXPECT_TRUE(h.engine->Wants(*h.load.rules->FindById("base-failed")));
  EXPECT_FALSE(h.engine->Wants(*h.load.rules->FindById("base-good")));
  EXPECT_FALSE(h.load.rules->FindById("base-failed")->standalone);
  // 1.2.3.4: three failures within 5 minutes -> one finding; 5.6.7.8: three spread over 12 min.
  h.Feed(0, "Failure", "1.2.3.4");
  h.Feed(0, "Failure", "5.6.7.8");
  h.Feed(60, "Failure", "1.2.3.4");
  h.Feed(360, "Failure", "5.6.7.8");
  h.Feed(200, "Failure", "1.2.3.4");
  h.Feed(720, "Failure", "5.6.7.8");
  h.Feed(210, "Success", "1.2.3.4");
  auto findings = h.engine->Finish();
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.rule.id, "corr-1");
  EXPECT_EQ(f.rule.level, Level::kHigh);
  ASSERT_EQ(f.group.size(), 1u);
  EXPECT_EQ(f.group[0].first, "sourceIPAddress");
  EXPECT_EQ(f.group[0].second, "1.2.3.4");
  EXPECT_EQ(f.related.size(), 3u);
  EXPECT_EQ(f.context.time_ms, 1'700'000'000'000 + 200'000);  // when the condition became true
  EXPECT_NE(f.record.find("\"event_count\""), std::string::npos);
}

TEST(CorrelationEngineTest, OutOfOrderArrivalGivesTheSameResult) {
  std::vector<int> times = {0, 30, 61, 400, 420, 430, 1000, 1010, 1290, 1300};
  auto run = [&](std::vector<int> order) {
    Harness h(kEventCount);
    for (int t : order) h.Feed(t, "Failure", "9.9.9.9");
    std::vector<int64_t> out;
    for (const Finding& f : h.engine->Finish()) out.push_back(f.context.time_ms);
    return out;
  };
  auto expected = run(times);
  // windows: {0,30,61} fires at 61; {400,420,430} at 430; {1000,1010,1290} at 1290.
  ASSERT_EQ(expected.size(), 3u);
  std::mt19937 rng(7);
  for (int i = 0; i < 5; ++i) {
    auto shuffled = times;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    EXPECT_EQ(run(shuffled), expected);
  }
}

TEST(CorrelationEngineTest, AdvanceEmitsOnlyWhatCannotChange) {
  Harness h(kEventCount);
  h.Feed(0, "Failure", "1.1.1.1");
  h.Feed(10, "Failure", "1.1.1.1");
  h.Feed(20, "Failure", "1.1.1.1");
  EXPECT_TRUE(h.engine->Advance(1'700'000'000'000 + 15'000).empty());
  auto out = h.engine->Advance(1'700'000'000'000 + 25'000);
  EXPECT_EQ(out.size(), 1u);
  h.Feed(5, "Failure", "1.1.1.1");  // behind the replayed frontier: late
  EXPECT_EQ(h.engine->late_events(), 1u);
  EXPECT_TRUE(h.engine->Finish().empty());
}

TEST(CorrelationEngineTest, ValueCountDistinctUsers) {
  Harness h(
      "title: Spray\nid: corr-2\nlogsource: {product: aws, service: cloudtrail}\n"
      "correlation:\n  type: value_count\n  rules: [base-failed]\n  group-by: [sourceIPAddress]\n"
      "  timespan: 10m\n  condition:\n    field: userIdentity.userName\n    gte: 3\n");
  h.Feed(0, "Failure", "1.1.1.1", "a");
  h.Feed(10, "Failure", "1.1.1.1", "a");
  h.Feed(20, "Failure", "1.1.1.1", "b");
  EXPECT_TRUE(h.engine->Advance(1'700'000'000'000 + 25'000).empty());  // only a, b so far
  h.Feed(30, "Failure", "1.1.1.1", "c");
  auto out = h.engine->Finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].record.find("\"value\":3"), std::string::npos) << out[0].record;
}

TEST(CorrelationEngineTest, TemporalAndOrdered) {
  const char* temporal =
      "title: Fail and succeed\nid: corr-3\nlogsource: {product: aws, service: cloudtrail}\n"
      "correlation:\n  type: temporal\n  rules: [failed, good]\n  group-by: [sourceIPAddress]\n"
      "  timespan: 1m\n";
  {
    Harness h(temporal);
    h.Feed(50, "Success", "1.1.1.1");
    h.Feed(10, "Failure", "1.1.1.1");  // out of order
    h.Feed(10, "Failure", "2.2.2.2");
    h.Feed(200, "Success", "2.2.2.2");  // too late for 2.2.2.2's window
    auto out = h.engine->Finish();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].group[0].second, "1.1.1.1");
  }
  const char* ordered =
      "title: Fail then succeed\nid: corr-4\nlogsource: {product: aws, service: cloudtrail}\n"
      "correlation:\n  type: temporal_ordered\n  rules: [failed, good]\n"
      "  group-by: [sourceIPAddress]\n  timespan: 1m\n";
  {
    Harness h(ordered);
    h.Feed(10, "Success", "1.1.1.1");  // success before failure: wrong order
    h.Feed(20, "Failure", "1.1.1.1");
    h.Feed(40, "Success", "2.2.2.2");  // arrives first, but happened after the failure
    h.Feed(30, "Failure", "2.2.2.2");
    auto out = h.engine->Finish();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].group[0].second, "2.2.2.2");
    EXPECT_EQ(out[0].related.size(), 2u);
  }
}

TEST(CorrelationEngineTest, RangeConditionUsesAnchoredWindows) {
  Harness h(
      "title: Few\nid: corr-5\nlogsource: {product: aws, service: cloudtrail}\n"
      "correlation:\n  type: event_count\n  rules: [failed]\n  group-by: [sourceIPAddress]\n"
      "  timespan: 1m\n  condition:\n    gt: 1\n    lte: 2\n");
  h.Feed(0, "Failure", "1.1.1.1");
  h.Feed(30, "Failure", "1.1.1.1");   // window [0,60]: 2 -> fires
  h.Feed(100, "Failure", "2.2.2.2");
  h.Feed(110, "Failure", "2.2.2.2");
  h.Feed(120, "Failure", "2.2.2.2");  // window [100,160]: 3 -> no
  auto out = h.engine->Finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].group[0].second, "1.1.1.1");
}

TEST(CorrelationEngineTest, AliasesResolvePerRule) {
  Harness h(
      "title: Same user\nid: corr-6\nlogsource: {product: aws, service: cloudtrail}\n"
      "correlation:\n  type: temporal\n  rules: [failed, good]\n  group-by: [who]\n"
      "  timespan: 1m\n  aliases:\n    who:\n      failed: userIdentity.userName\n"
      "      good: sourceIPAddress\n");
  h.Feed(0, "Failure", "1.1.1.1", "x");
  h.Feed(10, "Success", "x", "other");  // sourceIPAddress "x" == failed's userName "x"
  auto out = h.engine->Finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].group[0].second, "x");
}

TEST(CorrelationEngineTest, SuzakuCorrelationsRun) {
  std::string dir = std::string(CW_SHARED_DATA_DIR) + "/suzaku-rules/suzaku/aws/cloudtrail";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "needs ../shared/data";
  LoadResult load = LoadRules({dir + "/aws_cloudtrail_many_failed_logins.yml"});
  ASSERT_TRUE(load.rejected.empty());
  CorrelationEngine engine(load.rules);
  Matcher matcher(load.rules);
  for (int i = 0; i < 3; ++i) {
    std::string json = R"({"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",)"
                       R"("sourceIPAddress":"203.0.113.9","responseElements":{"ConsoleLogin":"Failure"}})";
    simdjson::dom::parser parser;
    Event event;
    event.record = parser.parse(json).value();
    event.time_ms = 1'000'000 + i * 60'000;
    EventContext context;
    context.time_ms = event.time_ms;
    std::vector<const Rule*> hits;
    matcher.Match(event, hits);
    ASSERT_EQ(hits.size(), 1u);
    engine.Observe(*hits[0], event, context);
  }
  auto out = engine.Finish();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule.title, "Many Failed Logins");
}

}  // namespace
}  // namespace cloudward::detect
