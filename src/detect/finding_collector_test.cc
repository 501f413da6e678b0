#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/finding_json.h"
#include "detect/finding_sink.h"

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
  FindingCollector spill(Line);
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
