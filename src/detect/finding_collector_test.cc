#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/finding_json.h"
#include "detect/finding_sink.h"
#include "detect/rule_set.h"

namespace cloudward::detect {
namespace {

Finding Make(int64_t time, const std::string& file, uint64_t offset, const std::string& rule) {
  Finding f;
  f.rule.id = rule;
  f.rule.title = "rule " + rule;
  f.context.time_ms = time;
  f.context.event_id = file + ":" + std::to_string(offset);
  f.source_file = file;
  f.source_offset = offset;
  f.record = R"({"eventName":"X"})";
  return f;
}

std::string Line(const Finding& f) { return FindingToJsonLine(f) + "\n"; }

// Many findings in shuffled batches, with ties on time, file and offset.
std::vector<std::vector<Finding>> Batches() {
  std::vector<Finding> all;
  for (int i = 0; i < 3000; ++i) {
    all.push_back(Make(1000 + i % 97, "f" + std::to_string(i % 7) + ".json", static_cast<uint64_t>(i % 13),
                       "rule-" + std::to_string(i % 5)));
  }
  std::mt19937 rng(7);
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<std::vector<Finding>> batches;
  for (size_t i = 0; i < all.size(); i += 311) {
    batches.emplace_back(all.begin() + static_cast<long>(i), all.begin() + static_cast<long>(std::min(all.size(), i + 311)));
  }
  return batches;
}

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(FindingCollector, SpillingWritesWhatSortingInMemoryWrites) {
  FindingCollector memory;
  FindingCollector spill(FindingLineFormat(FindingLineFormat::Kind::kJsonl, true));
  ASSERT_TRUE(spill.spilling());
  EXPECT_FALSE(memory.spilling());
  for (auto batch : Batches()) {
    auto copy = batch;
    memory.Add(std::move(batch));
    spill.Add(std::move(copy));
  }
  std::vector<Finding> kept = memory.Take();
  std::stable_sort(kept.begin(), kept.end(), FindingBefore);
  std::string expected;
  for (const auto& f : kept) expected += Line(f);

  EXPECT_TRUE(spill.Take().empty()) << "a spilling collector keeps no findings";
  EXPECT_EQ(spill.spilled(), 3000u);
  const auto by_rule = spill.SpilledByRule();
  ASSERT_EQ(by_rule.size(), 5u);
  EXPECT_EQ(by_rule.at("rule-0"), 600u);

  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  ASSERT_TRUE(spill.WriteSorted(out));
  EXPECT_EQ(ReadAll(out), expected);
  std::fclose(out);
}

// A spilling sink writes the lines of its rule matches straight from the event; a collector
// that keeps findings makes them from Finding copies. Both must give the same bytes.
std::string Hunt(const std::shared_ptr<const RuleSet>& rules, const std::vector<std::string>& records,
                 FindingCollector& collector) {
  simdjson::dom::parser parser;
  FindingSink sink(rules, nullptr, nullptr, &collector);
  std::vector<simdjson::padded_string> texts;
  for (const auto& r : records) texts.emplace_back(r);
  for (size_t i = 0; i < texts.size(); ++i) {
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(texts[i]).get(element), simdjson::SUCCESS);
    Event event;
    event.record = element;
    event.raw = records[i];
    event.time_ms = 0;
    event.source.file = i % 2 == 0 ? "a.json" : "b.json";
    event.source.offset = i * 100;
    sink.OnEvent(event);
  }
  sink.OnFinish();
  std::string out;
  if (collector.spilling()) {
    std::FILE* f = std::tmpfile();
    EXPECT_TRUE(collector.WriteSorted(f));
    out = ReadAll(f);
    std::fclose(f);
  } else {
    std::vector<Finding> kept = collector.Take();
    std::stable_sort(kept.begin(), kept.end(), FindingBefore);
    const FindingLineFormat format(FindingLineFormat::Kind::kJsonl, true);
    for (const auto& f : kept) format.Append(out, ViewOf(f), format.Record(f.record));
  }
  return out;
}

TEST(FindingSink, SpilledLinesAreTheLinesOfTheFindings) {
  const LoadResult loaded = LoadRules(
      {}, {{"r.yml", "title: by name\nid: r-name\nlogsource: {product: aws, service: cloudtrail}\n"
                     "detection:\n  sel:\n    eventName: CreateUser\n  condition: sel\n---\n"
                     "title: by source\nid: r-source\nlogsource: {product: aws, service: cloudtrail}\n"
                     "detection:\n  sel:\n    eventSource: iam.amazonaws.com\n  condition: sel\n"}});
  ASSERT_TRUE(loaded.rejected.empty()) << loaded.rejected[0].reason;
  std::vector<std::string> records;
  for (int i = 0; i < 2000; ++i) {
    records.push_back(R"({ "eventTime": "2026-01-01T00:00:0)" + std::to_string(i % 10) +
                      R"(Z", "eventSource": ")" + (i % 3 == 0 ? "iam" : "s3") + R"(.amazonaws.com", "eventName": ")" +
                      (i % 4 == 0 ? "CreateUser" : "GetObject") + R"(", "eventID": "e)" + std::to_string(i) +
                      R"(", "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"}, "x": [1, 2] })");
  }
  FindingCollector memory;
  FindingCollector spill(FindingLineFormat(FindingLineFormat::Kind::kJsonl, true));
  const std::string expected = Hunt(loaded.rules, records, memory);
  EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 1167) << "r-name on 1 event in 4, r-source on 1 in 3";
  EXPECT_TRUE(Hunt(loaded.rules, records, spill) == expected);
  EXPECT_EQ(spill.spilled(), 1167u);
  EXPECT_EQ(spill.SpilledByRule().at("r-name"), 500u);
}

TEST(FindingCollector, OrderIsTimeThenFileOffsetAndRule) {
  const Finding early = Make(1, "b", 9, "z"), late = Make(2, "a", 0, "a");
  EXPECT_TRUE(FindingBefore(early, late));
  EXPECT_FALSE(FindingBefore(late, early));
  EXPECT_TRUE(FindingBefore(Make(5, "a", 9, "z"), Make(5, "b", 0, "a")));
  EXPECT_TRUE(FindingBefore(Make(5, "a", 1, "z"), Make(5, "a", 2, "a")));
  EXPECT_TRUE(FindingBefore(Make(5, "a", 1, "a"), Make(5, "a", 1, "b")));
}

}  // namespace
}  // namespace cloudward::detect
