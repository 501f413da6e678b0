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

TEST(MatcherThroughputTest, IndexAgreesWithBruteForceAndIsFast) {
  const std::string data = CW_SHARED_DATA_DIR;
  fs::path examples = data + "/traildiscover/docs/logExamples";
  if (!fs::exists(examples)) GTEST_SKIP() << "needs ../shared/data";
  LoadResult load = LoadRules({data + "/sigmahq-sigma/rules/cloud/aws",
                               data + "/trailalerts/rules/sigma_rules", data + "/suzaku-rules"});
  ASSERT_GT(load.loaded, 800u);

  // Every record of every example file, parsed once and kept.
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::vector<simdjson::dom::element> records;
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
  ASSERT_GT(records.size(), 300u);

  Matcher matcher(load.rules);
  std::vector<const Rule*> hits;
  size_t total_hits = 0, candidates = 0, ruled_out = 0;
  for (simdjson::dom::element record : records) {
    Event event;
    event.record = record;
    (void)record["eventName"].get_string().get(event.event_name);
    (void)record["eventSource"].get_string().get(event.event_source);
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

}  // namespace
}  // namespace cloudward::detect
