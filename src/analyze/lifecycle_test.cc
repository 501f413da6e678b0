#include "analyze/lifecycle.h"

#include <gtest/gtest.h>

namespace cloudward::analyze {
namespace {

using store::IncidentStatus;

TEST(Lifecycle, Transitions) {
  using S = IncidentStatus;
  EXPECT_TRUE(CheckTransition(S::kOpen, S::kTriaged));
  EXPECT_TRUE(CheckTransition(S::kTriaged, S::kContained));
  EXPECT_TRUE(CheckTransition(S::kContained, S::kEradicated));
  EXPECT_TRUE(CheckTransition(S::kEradicated, S::kRecovered));
  EXPECT_TRUE(CheckTransition(S::kRecovered, S::kClosed));
  EXPECT_TRUE(CheckTransition(S::kOpen, S::kContained)) << "contain first, triage implied";
  EXPECT_TRUE(CheckTransition(S::kOpen, S::kClosed)) << "false positive";
  EXPECT_TRUE(CheckTransition(S::kClosed, S::kOpen)) << "reopen";

  auto skip = CheckTransition(S::kOpen, S::kRecovered);
  ASSERT_FALSE(skip);
  EXPECT_EQ(skip.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(skip.error().message.find("next is triaged"), std::string::npos) << skip.error().message;
  EXPECT_FALSE(CheckTransition(S::kContained, S::kTriaged)) << "no going back";
  EXPECT_FALSE(CheckTransition(S::kClosed, S::kContained)) << "reopen first";
  auto same = CheckTransition(S::kTriaged, S::kTriaged);
  ASSERT_FALSE(same);
  EXPECT_NE(same.error().message.find("already triaged"), std::string::npos);
}

class LifecycleStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore(":memory:");
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
    store::Incident inc;
    inc.id = "INC-1";
    inc.title = "t";
    ASSERT_TRUE(store_->CreateIncident(inc));
  }
  std::unique_ptr<store::IncidentStore> store_;
};

TEST_F(LifecycleStore, ChangesAreAppliedAndJournaled) {
  auto inc = ApplyIncidentChange(*store_, "INC-1",
                                 {.status = IncidentStatus::kTriaged, .assignee = "alice", .note = "phishing?"},
                                 "bob", 5000);
  ASSERT_TRUE(inc) << inc.error().ToString();
  EXPECT_EQ(inc->status, IncidentStatus::kTriaged);
  EXPECT_EQ(inc->assignee, "alice");
  auto stored = store_->GetIncident("INC-1");
  EXPECT_EQ(stored->status, IncidentStatus::kTriaged);
  EXPECT_EQ(stored->version, 2);
  auto events = store_->Events("INC-1");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].kind, "status");
  EXPECT_EQ((*events)[0].text, "open -> triaged");
  EXPECT_EQ((*events)[0].author, "bob");
  EXPECT_EQ((*events)[0].time_ms, 5000);
  EXPECT_EQ((*events)[1].kind, "assignee");
  EXPECT_EQ((*events)[2].kind, "note");
  EXPECT_EQ((*events)[2].text, "phishing?");
}

TEST_F(LifecycleStore, RejectedChangeLeavesNoTrace) {
  auto bad = ApplyIncidentChange(*store_, "INC-1", {.status = IncidentStatus::kRecovered, .note = "n"}, "bob", 1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store_->Events("INC-1")->empty()) << "the note is not journaled either";
  EXPECT_EQ(store_->GetIncident("INC-1")->status, IncidentStatus::kOpen);

  auto missing = ApplyIncidentChange(*store_, "INC-404", {.note = "x"}, "bob", 1);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto empty = ApplyIncidentChange(*store_, "INC-1", {}, "bob", 1);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LifecycleStore, CloseAndReopen) {
  ASSERT_TRUE(ApplyIncidentChange(*store_, "INC-1", {.status = IncidentStatus::kClosed}, "a", 1));
  ASSERT_TRUE(ApplyIncidentChange(*store_, "INC-1", {.status = IncidentStatus::kOpen, .note = "new activity"}, "a", 2));
  EXPECT_EQ(store_->GetIncident("INC-1")->status, IncidentStatus::kOpen);
  EXPECT_EQ(store_->Events("INC-1")->size(), 3u);
}

}  // namespace
}  // namespace cloudward::analyze
