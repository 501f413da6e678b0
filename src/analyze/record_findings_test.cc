#include "analyze/record_findings.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace cloudward::analyze {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700000000000;

Finding Make(const std::string& rule, int64_t time, const std::string& akid, const std::string& ip,
             Level level = Level::kMedium, std::vector<std::string> tags = {}) {
  Finding f;
  f.rule = {rule, rule + " title", level, std::move(tags)};
  f.context.time_ms = time;
  f.context.account = "123456789012";
  f.context.actor.access_key_id = akid;
  f.context.source_ip = ip;
  f.context.event_id = rule + "-" + std::to_string(time) + akid + ip;
  return f;
}

class RecordFindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cw_record_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto s = store::OpenStore(dir_ + "/cw.db");
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  std::unique_ptr<store::IncidentStore> store_;
};

TEST_F(RecordFindingsTest, GroupsAndIsIdempotent) {
  std::vector<Finding> hunt = {
      Make("a", kT0, "AKIAALICEALICEALIC01", "203.0.113.1"),
      Make("b", kT0 + kHour, "AKIAALICEALICEALIC01", "203.0.113.2", Level::kHigh),
      Make("c", kT0, "AKIABOBBOBBOBBOB0001", "198.51.100.9"),
  };
  auto first = RecordFindings(*store_, hunt);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->findings_added, 3u);
  EXPECT_EQ(first->findings_duplicate, 0u);
  EXPECT_EQ(first->incidents_created, 2u);
  EXPECT_EQ(first->incident_ids.size(), 2u);

  auto again = RecordFindings(*store_, hunt);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->findings_added, 0u);
  EXPECT_EQ(again->findings_duplicate, 3u);
  EXPECT_EQ(again->incidents_created, 0u);
  EXPECT_EQ(again->incidents_updated, 0u);
  EXPECT_EQ(store_->ListIncidents({})->size(), 2u);
  EXPECT_EQ(*store_->CountFindings(), 3);

  // The incident id is stable: a fresh store given the same findings names it the same.
  auto other = store::OpenStore(":memory:");
  ASSERT_TRUE(other);
  auto replay = RecordFindings(**other, hunt);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->incident_ids, first->incident_ids);

  auto alice = store_->ListIncidents({.severity = Level::kHigh});
  ASSERT_TRUE(alice);
  ASSERT_EQ(alice->size(), 1u);
  EXPECT_EQ((*alice)[0].finding_count, 2);
  EXPECT_EQ(store_->IncidentFindings((*alice)[0].id)->size(), 2u);
  auto events = store_->Events((*alice)[0].id);
  ASSERT_FALSE(events->empty());
  EXPECT_EQ((*events)[0].kind, "created");
}

TEST_F(RecordFindingsTest, LaterFindingJoinsAndMergesIncidents) {
  ASSERT_TRUE(RecordFindings(*store_, {Make("a", kT0, "AKIAALICEALICEALIC01", "")}));
  ASSERT_TRUE(RecordFindings(*store_, {Make("b", kT0 + kHour, "", "203.0.113.77")}));
  ASSERT_EQ(store_->ListIncidents({.open_only = true})->size(), 2u);

  // Same key, later in the day: joins the first incident, no new one.
  auto join = RecordFindings(*store_, {Make("c", kT0 + 3 * kHour, "AKIAALICEALICEALIC01", "")});
  ASSERT_TRUE(join);
  EXPECT_EQ(join->incidents_created, 0u);
  EXPECT_EQ(join->incidents_updated, 1u);

  // The key used from the IP: one incident survives, the other is closed as merged.
  auto link = RecordFindings(*store_, {Make("d", kT0 + 4 * kHour, "AKIAALICEALICEALIC01", "203.0.113.77", Level::kHigh)});
  ASSERT_TRUE(link) << link.error().ToString();
  EXPECT_EQ(link->incidents_created, 0u);
  auto open = store_->ListIncidents({.open_only = true});
  ASSERT_EQ(open->size(), 1u);
  const auto& survivor = (*open)[0];
  EXPECT_EQ(survivor.finding_count, 4);
  EXPECT_EQ(store_->IncidentFindings(survivor.id)->size(), 4u);
  EXPECT_EQ(survivor.severity, Level::kHigh);
  auto closed = store_->ListIncidents({.status = store::IncidentStatus::kClosed});
  ASSERT_EQ(closed->size(), 1u);
  EXPECT_EQ((*closed)[0].merged_into, survivor.id);
  EXPECT_TRUE(store_->IncidentFindings((*closed)[0].id)->empty());
  auto journal = store_->Events((*closed)[0].id);
  EXPECT_EQ(journal->back().kind, "merged");
}

TEST_F(RecordFindingsTest, StoredButUngroupedFindingsAreRecovered) {
  // As if a hunt was killed after committing findings but before saving incidents.
  Finding f = Make("a", kT0, "AKIAALICEALICEALIC01", "");
  ASSERT_TRUE(store_->AddFindings({{store::FindingKey(f), f, ""}}));
  auto r = RecordFindings(*store_, {f});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->findings_duplicate, 1u);
  EXPECT_EQ(r->incidents_created, 1u) << "the orphan finding is grouped now";
  EXPECT_TRUE(store_->UnassignedFindingKeys()->empty());
}

TEST_F(RecordFindingsTest, ManyFindingsOneIncidentPerKey) {
  std::vector<Finding> hunt;
  for (int i = 0; i < 5000; ++i) {
    hunt.push_back(Make("r" + std::to_string(i % 7), kT0 + i * 1000LL, "AKIAUSER" + std::to_string(100000000000 + i % 50), ""));
  }
  auto r = RecordFindings(*store_, hunt);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->findings_added, 5000u);
  EXPECT_EQ(r->incidents_created, 50u) << "one incident per access key";
}

TEST_F(RecordFindingsTest, KillNineDuringAHuntLeavesAConsistentStore) {
  std::vector<Finding> hunt;
  for (int i = 0; i < 20000; ++i) {
    hunt.push_back(Make("k" + std::to_string(i % 5), kT0 + i * 100LL, "AKIAKILL" + std::to_string(100000000000 + i % 40), ""));
  }
  const std::string path = dir_ + "/killed.db";
  ASSERT_TRUE(store::OpenStore(path));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = store::OpenStore(path);
    if (s) (void)RecordFindings(**s, hunt);
    _exit(0);
  }
  auto watcher = store::OpenStore(path);
  ASSERT_TRUE(watcher);
  // Kill it once some, but not all, findings are committed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = (*watcher)->CountFindings();
    if (n && *n > 0) {
      seen = *n;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_GT(seen, 0) << "the child never committed a batch";

  // The store opens, its counts agree, and the next run completes the work.
  auto store = store::OpenStore(path);
  ASSERT_TRUE(store) << store.error().ToString();
  auto incidents = (*store)->ListIncidents({});
  ASSERT_TRUE(incidents);
  for (const auto& inc : *incidents) {
    EXPECT_EQ(static_cast<size_t>(inc.finding_count), (*store)->IncidentFindings(inc.id)->size()) << inc.id;
  }
  auto rerun = RecordFindings(**store, hunt);
  ASSERT_TRUE(rerun) << rerun.error().ToString();
  EXPECT_EQ(rerun->findings_added + rerun->findings_duplicate, hunt.size());
  EXPECT_EQ(*(*store)->CountFindings(), 20000);
  EXPECT_TRUE((*store)->UnassignedFindingKeys()->empty());
  int64_t grouped = 0;
  auto open = (*store)->ListIncidents({.open_only = true});
  ASSERT_TRUE(open);
  for (const auto& inc : *open) grouped += inc.finding_count;
  EXPECT_EQ(grouped, 20000);
  EXPECT_EQ((*store)->ListIncidents({.open_only = true})->size(), 40u);
}

}  // namespace
}  // namespace cloudward::analyze
