// All public AWS rules (SigmaHQ, TrailAlerts, Suzaku) over the TrailDiscover sample records:
//  1. the indexed Matcher::Match returns exactly the rules a brute-force evaluation of every
//     rule returns (the index never loses a match);
//  2. Matcher::MayMatch, judging from eventName/eventSource alone as the streaming reader does,
//     never rules out an event that some rule matches;
//  3. prints how many candidate rules the index hands to each event (throughput is in bench/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "detect/matcher.h"

namespace cloudward::detect {
namespace {

namespace fs = std::filesystem;

struct Samples {
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::vector<simdjson::dom::element> records;
};

// Every record of every example file, parsed once and kept.
Samples LoadSamples(const fs::path& examples) {
  Samples out;
  auto& parsers = out.parsers;
  auto& records = out.records;
  for (const auto& e : fs::directory_iterator(examples)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto parser = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element root;
    if (parser->parse(ss.str()).get(root) != simdjson::SUCCESS) continue;
    simdjson::dom::array list;
    if (root.get_array().get(list) == simdjson::SUCCESS ||
        root["Records"].get_array().get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element r : list) records.push_back(r);
    } else {
      records.push_back(root);
    }
    parsers.push_back(std::move(parser));
  }
  return out;
}

TEST(MatcherThroughputTest, IndexAgreesWithBruteForceAndIsFast) {
  const std::string data = CW_SHARED_DATA_DIR;
  fs::path examples = data + "/traildiscover/docs/logExamples";
  if (!fs::exists(examples)) GTEST_SKIP() << "needs ../shared/data";
  LoadResult load = LoadRules({data + "/sigmahq-sigma/rules/cloud/aws",
                               data + "/trailalerts/rules/sigma_rules", data + "/suzaku-rules"});
  ASSERT_GT(load.loaded, 800u);

  Samples samples = LoadSamples(examples);
  const std::vector<simdjson::dom::element>& records = samples.records;
  ASSERT_GT(records.size(), 300u);

  Matcher matcher(load.rules);
  std::vector<const Rule*> hits;
  size_t total_hits = 0, candidates = 0, ruled_out = 0;
  for (simdjson::dom::element record : records) {
    Event event;
    event.record = record;
    if (record["eventName"].get_string().get(event.event_name) != simdjson::SUCCESS) event.event_name = {};
    if (record["eventSource"].get_string().get(event.event_source) != simdjson::SUCCESS) event.event_source = {};
    const bool may_match = matcher.MayMatch(event);
    matcher.Match(event, hits);
    candidates += matcher.last_candidates();
    std::vector<const Rule*> brute;
    for (size_t i = 0; i < load.rules->size(); ++i) {
      const Rule& rule = load.rules->at(i);
      if (rule.is_correlation() || rule.log_type != LogType::kCloudTrail) continue;
      if (matcher.MatchRule(rule, event)) brute.push_back(&rule);
    }
    EXPECT_EQ(hits, brute) << simdjson::minify(record).substr(0, 300);
    if (!may_match) {
      EXPECT_TRUE(brute.empty()) << "ruled out but matched: " << simdjson::minify(record).substr(0, 300);
      ++ruled_out;
    }
    total_hits += hits.size();
  }
  EXPECT_GT(total_hits, 0u);

  std::cout << load.loaded << " rules, " << records.size() << " records, " << total_hits
            << " hits, " << static_cast<double>(candidates) / static_cast<double>(records.size())
            << " candidate rules per event, " << ruled_out
            << " events ruled out without parsing (throughput: bench/run.sh)\n";
}

TEST(MatcherThroughputTest, RulesPinnedByNameRuleOutOtherEventsUnparsed) {
  // With rules that all name their API calls, most events need no parse at all: two such
  // rules, one pinned by eventName, one by eventSource (real rule sets add rules that read any
  // call's identity or user agent, and then every event is parsed).
  const std::string data = CW_SHARED_DATA_DIR;
  fs::path examples = data + "/traildiscover/docs/logExamples";
  if (!fs::exists(examples)) GTEST_SKIP() << "needs ../shared/data";
  const std::string by_name =
      "title: Key created\nid: 7d3cf1b4-1d5e-4f43-9d37-0c5e0b0f0a01\nlogsource: {product: aws, service: cloudtrail}\n"
      "detection:\n  selection: {eventName: [CreateAccessKey, CreateLoginProfile]}\n  condition: selection\nlevel: low\n";
  const std::string by_source =
      "title: Any KMS call denied\nid: 7d3cf1b4-1d5e-4f43-9d37-0c5e0b0f0a02\nlogsource: {product: aws, service: cloudtrail}\n"
      "detection:\n  selection: {eventSource: kms.amazonaws.com, errorCode|exists: true}\n  condition: selection\nlevel: low\n";
  LoadResult load = LoadRules({}, {RuleText{"by_name.yml", by_name}, RuleText{"by_source.yml", by_source}});
  ASSERT_EQ(load.loaded, 2u);
  Samples samples = LoadSamples(examples);
  Matcher matcher(load.rules);
  std::vector<const Rule*> hits;
  size_t ruled_out = 0, matched = 0;
  for (simdjson::dom::element record : samples.records) {
    Event event;
    event.record = record;
    if (record["eventName"].get_string().get(event.event_name) != simdjson::SUCCESS) event.event_name = {};
    if (record["eventSource"].get_string().get(event.event_source) != simdjson::SUCCESS) event.event_source = {};
    matcher.Match(event, hits);
    matched += !hits.empty();
    if (!matcher.MayMatch(event)) {
      ++ruled_out;
      for (size_t i = 0; i < load.rules->size(); ++i) {
        const Rule& rule = load.rules->at(i);
        if (rule.is_correlation() || rule.log_type != LogType::kCloudTrail) continue;
        EXPECT_FALSE(matcher.MatchRule(rule, event)) << rule.ref.title;
      }
    }
  }
  EXPECT_GT(matched, 0u);
  EXPECT_GT(ruled_out, samples.records.size() / 2);
}

}  // namespace
}  // namespace cloudward::detect
