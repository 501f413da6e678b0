// Backend-independent IncidentStore tests (see incident_store_suite.h).
#include "store/incident_store_suite.h"

#include <gtest/gtest.h>

#include "store/incident_store.h"

namespace cloudward::store::testing {

Finding SampleFinding(int n, std::string rule_id) {
  Finding f;
  f.rule = {std::move(rule_id), "Sample rule", Level::kHigh, {"attack.t1078.004", "attack.persistence"}};
  f.log_type = LogType::kCloudTrail;
  f.context.time_ms = 1700000000000 + n * 1000LL;
  f.context.event_id = "evt-" + std::to_string(n);
  f.context.account = "123456789012";
  f.context.region = "eu-west-1";
  f.context.actor.type = "IAMUser";
  f.context.actor.arn = "arn:aws:iam::123456789012:user/u" + std::to_string(n % 3);
  f.context.actor.access_key_id = "AKIAEXAMPLE000000" + std::to_string(n % 3);
  f.context.source_ip = "203.0.113." + std::to_string(n % 250);
  f.context.event_source = "iam.amazonaws.com";
  f.context.event_name = "CreateAccessKey";
  f.context.resources = {"arn:aws:iam::123456789012:user/target"};
  f.source_file = "/logs/ct/file" + std::to_string(n) + ".json.gz";
  f.source_offset = static_cast<uint64_t>(n) * 100;
  f.record = R"({"eventID":"evt-)" + std::to_string(n) + R"("})";
  return f;
}

namespace {

class IncidentStoreSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    url_ = NewStoreUrl(&skip);
    if (url_.empty()) GTEST_SKIP() << skip;
    auto s = OpenStore(url_);
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }

  std::vector<StoredFinding> Stored(int from, int to) {
    std::vector<StoredFinding> out;
    for (int i = from; i < to; ++i) {
      Finding f = SampleFinding(i);
      std::string key = FindingKey(f);
      out.push_back({key, std::move(f), "hunt-1"});
    }
    return out;
  }

  Incident SampleIncident(const std::string& id) {
    Incident inc;
    inc.id = id;
    inc.title = "Access key created — arn:aws:iam::123456789012:user/u1";
    inc.severity = Level::kHigh;
    inc.first_seen_ms = 1700000000000;
    inc.last_seen_ms = 1700000360000;
    inc.finding_count = 2;
    inc.level_counts = {0, 0, 1, 1, 0};
    inc.actors = {"arn:aws:iam::123456789012:user/u1"};
    inc.access_keys = {"AKIAEXAMPLE0000001"};
    inc.source_ips = {"203.0.113.1"};
    inc.resources = {"i-0123456789abcdef0"};
    inc.accounts = {"123456789012"};
    inc.regions = {"eu-west-1"};
    inc.log_types = {"cloudtrail"};
    inc.tactics = {"persistence", "exfiltration"};
    inc.signal_tactics = {"persistence"};
    inc.techniques = {"T1098.001"};
    inc.lead = "arn:aws:iam::123456789012:user/u1";
    inc.lead_level = Level::kHigh;
    inc.lead_time_ms = 1700000000000;
    inc.link_keys = {"akid:AKIAEXAMPLE0000001"};
    inc.rules = {{"rule-a", "Access key created", Level::kHigh, 1}, {"rule-b", "Other", Level::kMedium, 1}};
    return inc;
  }

  std::string url_;
  std::unique_ptr<IncidentStore> store_;
};

TEST_F(IncidentStoreSuite, SchemaIsCurrent) {
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v) << v.error().ToString();
  EXPECT_EQ(*v, kSchemaVersion);
  // Reopening an up-to-date store migrates nothing and keeps the version.
  auto again = OpenStore(url_);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(*(*again)->SchemaVersion(), kSchemaVersion);
}

TEST_F(IncidentStoreSuite, FindingsRoundTripAndDeduplicate) {
  auto batch = Stored(0, 3);
  batch.push_back(batch[1]);  // same key twice in one call
  auto added = store_->AddFindings(batch);
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_EQ(*added, (std::vector<bool>{true, true, true, false}));
  auto again = store_->AddFindings(Stored(0, 3));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, (std::vector<bool>{false, false, false}));
  EXPECT_EQ(*store_->CountFindings(), 3);

  auto got = store_->GetFindings({batch[2].key, "missing"});
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_EQ(got->size(), 1u);
  const Finding& f = (*got)[0].finding;
  EXPECT_EQ((*got)[0].hunt_id, "hunt-1");
  EXPECT_EQ(f.rule.id, "rule-a");
  EXPECT_EQ(f.rule.level, Level::kHigh);
  EXPECT_EQ(f.rule.tags, batch[2].finding.rule.tags);
  EXPECT_EQ(f.context.time_ms, batch[2].finding.context.time_ms);
  EXPECT_EQ(f.context.actor.access_key_id, batch[2].finding.context.actor.access_key_id);
  EXPECT_EQ(f.context.resources, batch[2].finding.context.resources);
  EXPECT_EQ(f.source_offset, batch[2].finding.source_offset);
  EXPECT_EQ(FindingKey(f), batch[2].key) << "the key survives the round trip";
}

TEST_F(IncidentStoreSuite, ManyFindingsSpanSeveralBatches) {
  auto batch = Stored(0, static_cast<int>(kFindingBatch * 2 + 17));
  auto added = store_->AddFindings(batch);
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_EQ(std::count(added->begin(), added->end(), true), static_cast<long>(batch.size()));
  EXPECT_EQ(*store_->CountFindings(), static_cast<int64_t>(batch.size()));
  auto unassigned = store_->UnassignedFindingKeys();
  ASSERT_TRUE(unassigned);
  EXPECT_EQ(unassigned->size(), batch.size());
}

TEST_F(IncidentStoreSuite, IncidentRoundTrip) {
  Incident inc = SampleIncident("INC-0000000001");
  ASSERT_TRUE(store_->CreateIncident(inc));
  EXPECT_EQ(inc.version, 1);
  auto got = store_->GetIncident("INC-0000000001");
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->title, inc.title);
  EXPECT_EQ(got->severity, Level::kHigh);
  EXPECT_EQ(got->status, IncidentStatus::kOpen);
  EXPECT_EQ(got->first_seen_ms, inc.first_seen_ms);
  EXPECT_EQ(got->last_seen_ms, inc.last_seen_ms);
  EXPECT_EQ(got->finding_count, 2);
  EXPECT_EQ(got->level_counts, inc.level_counts);
  EXPECT_EQ(got->actors, inc.actors);
  EXPECT_EQ(got->access_keys, inc.access_keys);
  EXPECT_EQ(got->resources, inc.resources);
  EXPECT_EQ(got->tactics, inc.tactics);
  EXPECT_EQ(got->signal_tactics, inc.signal_tactics);
  EXPECT_EQ(got->lead, inc.lead);
  EXPECT_EQ(got->lead_level, Level::kHigh);
  EXPECT_EQ(got->lead_time_ms, inc.lead_time_ms);
  EXPECT_EQ(got->techniques, inc.techniques);
  EXPECT_EQ(got->link_keys, inc.link_keys);
  ASSERT_EQ(got->rules.size(), 2u);
  EXPECT_EQ(got->rules[1].id, "rule-b");
  EXPECT_EQ(got->rules[1].level, Level::kMedium);
  EXPECT_EQ(got->version, 1);

  Incident dup = SampleIncident("INC-0000000001");
  auto st = store_->CreateIncident(dup);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(IncidentStoreSuite, ListFiltersByStatusAndSeverity) {
  for (int i = 0; i < 5; ++i) {
    Incident inc = SampleIncident("INC-00000000" + std::to_string(10 + i));
    inc.severity = i == 4 ? Level::kInformational : i % 2 == 0 ? Level::kHigh : Level::kLow;
    inc.status = i == 3 ? IncidentStatus::kClosed : IncidentStatus::kOpen;
    inc.last_seen_ms += i;
    ASSERT_TRUE(store_->CreateIncident(inc));
  }
  auto all = store_->ListIncidents({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].id, "INC-0000000014") << "most recently active first";
  EXPECT_EQ((*all)[0].severity, Level::kInformational);
  EXPECT_EQ(store_->ListIncidents({.open_only = true})->size(), 4u);
  EXPECT_EQ(store_->ListIncidents({.status = IncidentStatus::kClosed})->size(), 1u);
  EXPECT_EQ(store_->ListIncidents({.severity = Level::kHigh})->size(), 2u);
  EXPECT_EQ(store_->ListIncidents({.open_only = true, .severity = Level::kLow})->size(), 1u);
  EXPECT_EQ(store_->ListIncidents({.limit = 2})->size(), 2u);
  EXPECT_EQ(store_->ListIncidents({.min_severity = Level::kLow})->size(), 4u) << "informational left out";
  EXPECT_EQ(store_->ListIncidents({.min_severity = Level::kHigh})->size(), 2u);
  EXPECT_EQ(store_->ListIncidents({.open_only = true, .min_severity = Level::kMedium})->size(), 2u);
  EXPECT_EQ(store_->ListIncidents({.severity = Level::kInformational})->size(), 1u);
}

TEST_F(IncidentStoreSuite, UnknownIdsAreNotFound) {
  auto got = store_->GetIncident("INC-nope");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_NE(got.error().message.find("INC-nope"), std::string::npos);
  Incident ghost = SampleIncident("INC-ghost");
  ghost.version = 1;
  auto st = store_->UpdateIncident(ghost);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
  auto action = store_->GetAction("act-nope");
  ASSERT_FALSE(action);
  EXPECT_EQ(action.error().code, ErrorCode::kNotFound);
}

TEST_F(IncidentStoreSuite, ConcurrentUpdateConflicts) {
  Incident inc = SampleIncident("INC-0000000020");
  ASSERT_TRUE(store_->CreateIncident(inc));
  auto other = OpenStore(url_);
  ASSERT_TRUE(other) << other.error().ToString();
  Incident mine = *store_->GetIncident(inc.id);
  Incident theirs = *(*other)->GetIncident(inc.id);

  mine.assignee = "alice";
  ASSERT_TRUE(store_->UpdateIncident(mine));
  EXPECT_EQ(mine.version, 2);
  theirs.assignee = "bob";
  auto st = (*other)->UpdateIncident(theirs);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->GetIncident(inc.id)->assignee, "alice") << "the first update is kept";

  // Reload and retry succeeds.
  theirs = *(*other)->GetIncident(inc.id);
  theirs.assignee = "bob";
  ASSERT_TRUE((*other)->UpdateIncident(theirs));
  EXPECT_EQ(store_->GetIncident(inc.id)->assignee, "bob");
  EXPECT_EQ(store_->GetIncident(inc.id)->version, 3);
}

TEST_F(IncidentStoreSuite, LinkMoveAndUnassigned) {
  auto batch = Stored(0, 4);
  ASSERT_TRUE(store_->AddFindings(batch));
  Incident a = SampleIncident("INC-000000000a");
  Incident b = SampleIncident("INC-000000000b");
  ASSERT_TRUE(store_->CreateIncident(a));
  ASSERT_TRUE(store_->CreateIncident(b));
  ASSERT_TRUE(store_->LinkFindings(a.id, {batch[0].key, batch[1].key}));
  ASSERT_TRUE(store_->LinkFindings(b.id, {batch[2].key}));
  auto unassigned = store_->UnassignedFindingKeys();
  ASSERT_TRUE(unassigned);
  EXPECT_EQ(*unassigned, std::vector<std::string>{batch[3].key});
  EXPECT_EQ(store_->IncidentFindings(a.id)->size(), 2u);

  ASSERT_TRUE(store_->LinkFindings(b.id, {batch[1].key}));  // moves from a to b
  EXPECT_EQ(store_->IncidentFindings(a.id)->size(), 1u);
  ASSERT_TRUE(store_->MoveFindings(a.id, b.id));
  EXPECT_EQ(store_->IncidentFindings(a.id)->size(), 0u);
  auto in_b = store_->IncidentFindings(b.id);
  ASSERT_TRUE(in_b);
  ASSERT_EQ(in_b->size(), 3u);
  EXPECT_LE((*in_b)[0].finding.context.time_ms, (*in_b)[2].finding.context.time_ms) << "ordered by time";
}

TEST_F(IncidentStoreSuite, JournalKeepsOrder) {
  Incident inc = SampleIncident("INC-0000000030");
  ASSERT_TRUE(store_->CreateIncident(inc));
  auto first = store_->AppendEvent({0, inc.id, 1000, "alice", "note", "first", "{}"});
  auto second = store_->AppendEvent({0, inc.id, 2000, "bob", "status", "open -> triaged", R"({"to":"triaged"})"});
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_TRUE(second);
  EXPECT_LT(*first, *second);
  auto events = store_->Events(inc.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].author, "alice");
  EXPECT_EQ((*events)[0].text, "first");
  EXPECT_EQ((*events)[1].kind, "status");
  EXPECT_EQ((*events)[1].data, R"({"to":"triaged"})");
  EXPECT_EQ((*events)[1].time_ms, 2000);
  EXPECT_TRUE(store_->Events("INC-other")->empty());
}

TEST_F(IncidentStoreSuite, JournalIsHashChainedPerIncident) {
  Incident a = SampleIncident("INC-0000000031"), b = SampleIncident("INC-0000000032");
  ASSERT_TRUE(store_->CreateIncident(a));
  ASSERT_TRUE(store_->CreateIncident(b));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->AppendEvent({0, a.id, 1000 + i, "alice", "note", "a" + std::to_string(i), "{}"}));
    ASSERT_TRUE(store_->AppendEvent({0, b.id, 1000 + i, "bob", "note", "b" + std::to_string(i), "{}"}));
  }
  auto events = store_->Events(a.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].prev_hash, "");
  EXPECT_EQ((*events)[1].prev_hash, (*events)[0].hash);
  EXPECT_EQ((*events)[0].hash.size(), 64u);
  auto check = VerifyJournal(*events);
  EXPECT_TRUE(check.ok()) << check.reason;
  EXPECT_EQ(check.verified, 3u);
  EXPECT_EQ(check.head, (*events)[2].hash);
  EXPECT_TRUE(VerifyJournal(*store_->Events(b.id)).ok());

  auto edited = *events;  // what an edit of the database would look like to the verifier
  edited[1].text = "a1, but different";
  EXPECT_EQ(VerifyJournal(edited).broken_at, edited[1].id);
  auto removed = *events;
  removed.erase(removed.begin() + 1);
  EXPECT_EQ(VerifyJournal(removed).broken_at, removed[1].id);
  EXPECT_NE(VerifyJournal(removed).reason.find("does not follow"), std::string::npos);
}

TEST_F(IncidentStoreSuite, FailedTransactionLeavesNothing) {
  auto st = store_->Transaction([&]() -> Status {
    Incident inc = SampleIncident("INC-0000000040");
    if (auto c = store_->CreateIncident(inc); !c) return c;
    if (auto r = store_->AddFindings(Stored(0, 5)); !r) return tl::unexpected(r.error());
    return Fail(ErrorCode::kInternal, "simulated failure");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(store_->GetIncident("INC-0000000040").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountFindings(), 0);
}

TEST_F(IncidentStoreSuite, ActionsRoundTripAndConflict) {
  Incident inc = SampleIncident("INC-0000000050");
  ASSERT_TRUE(store_->CreateIncident(inc));
  ResponseAction a;
  a.id = "act-1";
  a.incident_id = inc.id;
  a.kind = "deactivate-access-key";
  a.target = "AKIAEXAMPLE0000001";
  a.plan = R"({"user":"u1"})";
  a.prior_state = R"({"status":"Active"})";
  ASSERT_TRUE(store_->CreateAction(a));
  a.status = "applied";
  a.applied_ms = 1700000000123;
  a.request_ids = {"req-1", "req-2"};
  ASSERT_TRUE(store_->UpdateAction(a));
  auto got = store_->GetAction("act-1");
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->status, "applied");
  EXPECT_EQ(got->applied_ms, 1700000000123);
  EXPECT_EQ(got->rolled_back_ms, kUnknownTime);
  EXPECT_EQ(got->request_ids, a.request_ids);
  EXPECT_EQ(got->prior_state, a.prior_state);
  EXPECT_EQ(got->version, 2);
  ResponseAction stale = a;
  stale.version = 1;
  auto st = store_->UpdateAction(stale);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->ListActions(inc.id)->size(), 1u);
}

TEST_F(IncidentStoreSuite, InventoriesNewestPerAccountAndTime) {
  EXPECT_EQ(store_->LatestInventory("", 0).error().code, ErrorCode::kNotFound);
  const int64_t day = 86'400'000;
  ASSERT_TRUE(store_->SaveInventory({"INV-1", "111111111111", 1'700'000'000'000, R"({"nodes":[1]})"}));
  ASSERT_TRUE(store_->SaveInventory({"INV-2", "111111111111,222222222222", 1'700'000'000'000 + day, R"({"nodes":[2]})"}));
  ASSERT_TRUE(store_->SaveInventory({"INV-3", "333333333333", 1'700'000'000'000 + 2 * day, "{}"}));
  EXPECT_EQ(store_->SaveInventory({"INV-1", "111111111111", 1, "{}"}).error().code, ErrorCode::kAlreadyExists);

  auto newest = store_->LatestInventory("", 0);
  ASSERT_TRUE(newest) << newest.error().message;
  EXPECT_EQ(newest->id, "INV-3");
  auto of_one = store_->LatestInventory("111111111111", 0);
  ASSERT_TRUE(of_one);
  EXPECT_EQ(of_one->id, "INV-2");  // a multi-account inventory covers each of its accounts
  EXPECT_EQ(of_one->data, R"({"nodes":[2]})");
  auto second = store_->LatestInventory("222222222222", 0);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, "INV-2");
  auto before = store_->LatestInventory("111111111111", 1'700'000'000'000 + 1);  // as of an incident's time
  ASSERT_TRUE(before);
  EXPECT_EQ(before->id, "INV-1");
  EXPECT_EQ(store_->LatestInventory("11111111111", 0).error().code, ErrorCode::kNotFound);  // no prefix match
  EXPECT_EQ(store_->LatestInventory("111111111111", 5).error().code, ErrorCode::kNotFound);

  auto listed = store_->ListInventories(2);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "INV-3");
  EXPECT_EQ((*listed)[1].id, "INV-2");
  EXPECT_EQ((*listed)[1].account_id, "111111111111,222222222222");
}

TEST_F(IncidentStoreSuite, HuntsUpsertAndList) {
  ASSERT_TRUE(store_->SaveHunt({"h1", 1000, kUnknownTime, R"({"files":1})"}));
  ASSERT_TRUE(store_->SaveHunt({"h2", 2000, 2500, "{}"}));
  ASSERT_TRUE(store_->SaveHunt({"h1", 1000, 1800, R"({"files":2})"}));
  auto hunts = store_->ListHunts(10);
  ASSERT_TRUE(hunts);
  ASSERT_EQ(hunts->size(), 2u);
  EXPECT_EQ((*hunts)[0].id, "h2");
  EXPECT_EQ((*hunts)[1].finished_ms, 1800);
  EXPECT_EQ((*hunts)[1].summary, R"({"files":2})");
}

}  // namespace
}  // namespace cloudward::store::testing
