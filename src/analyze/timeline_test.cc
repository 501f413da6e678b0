#include "analyze/timeline.h"

#include <gtest/gtest.h>

namespace cloudward::analyze {
namespace {

EventContext Call(int64_t t, std::string source, std::string name, std::string key,
                  std::string error = {}) {
  EventContext c;
  c.time_ms = t;
  c.event_source = std::move(source);
  c.event_name = std::move(name);
  c.actor.access_key_id = std::move(key);
  c.actor.arn = "arn:aws:iam::111122223333:user/alice";
  c.actor.user_name = "alice";
  c.source_ip = "203.0.113.9";
  c.region = "us-east-1";
  c.error_code = std::move(error);
  return c;
}

TEST(TimelineQuery, SelectorsAreAndedValuesAreOred) {
  TimelineQuery q;
  q.access_keys = {"AKIAOTHER", "AKIAALICE"};
  q.ips = {"203.0.113.9"};
  EventContext c = Call(1, "iam.amazonaws.com", "ListUsers", "AKIAALICE");
  EXPECT_TRUE(q.Matches(c));
  c.source_ip = "198.51.100.1";
  EXPECT_FALSE(q.Matches(c)) << "the ip selector must match too";
  c.source_ip = "203.0.113.9";
  c.actor.access_key_id = "AKIAALICE2";
  EXPECT_FALSE(q.Matches(c)) << "access keys match exactly, not as prefixes";
  EXPECT_TRUE(q.MayMatch(R"({"accessKeyId":"AKIAALICE","sourceIPAddress":"203.0.113.9"})"));
  EXPECT_FALSE(q.MayMatch(R"({"accessKeyId":"AKIAALICE","sourceIPAddress":"10.0.0.1"})"));
}

TEST(TimelineQuery, PrincipalMatchesArnUserNameAndRoleOfSessions) {
  TimelineQuery q;
  q.principals = {"DevOps"};
  EventContext c;
  c.actor.arn = "arn:aws:sts::111122223333:assumed-role/DevOps/i-0abc";
  c.actor.session = "i-0abc";
  EXPECT_TRUE(q.Matches(c));
  q.principals = {"alice"};
  EXPECT_FALSE(q.Matches(c));
  c.actor.arn = "arn:aws:iam::111122223333:user/team/alice";
  EXPECT_TRUE(q.Matches(c));
  q.principals = {};
  q.sessions = {"i-0abc"};
  c.actor.arn = "arn:aws:sts::111122223333:assumed-role/DevOps/i-0abc";
  EXPECT_TRUE(q.Matches(c));
}

TEST(TimelineQuery, ResourceMatchesIdsInsideArnsAndFlowPeers) {
  TimelineQuery q;
  q.resources = {"i-0abc"};
  EventContext c;
  c.resources = {"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc"};
  EXPECT_TRUE(q.Matches(c));
  c.resources = {"arn:aws:ec2:us-east-1:111122223333:instance/xi-0abc"};
  EXPECT_FALSE(q.Matches(c));
  TimelineQuery ip;
  ip.ips = {"10.0.0.5"};
  EventContext flow;
  flow.source_ip = "198.51.100.7";
  EXPECT_FALSE(ip.Matches(flow));
  EXPECT_TRUE(ip.Matches(flow, "10.0.0.5")) << "a flow record matches by either end";
}

TEST(Timeline, ClassifiesActions) {
  EXPECT_EQ(ClassifyAction(LogType::kCloudTrail, "ListBuckets", false), ActionKind::kRead);
  EXPECT_EQ(ClassifyAction(LogType::kCloudTrail, "ConsoleLogin", true), ActionKind::kRead);
  EXPECT_EQ(ClassifyAction(LogType::kCloudTrail, "CreateUser", false), ActionKind::kCreate);
  EXPECT_EQ(ClassifyAction(LogType::kCloudTrail, "RunInstances", false), ActionKind::kCreate);
  EXPECT_EQ(ClassifyAction(LogType::kCloudTrail, "DeleteTrail", false), ActionKind::kDelete);
  EXPECT_EQ(ClassifyAction(LogType::kCloudTrail, "StopLogging", false), ActionKind::kChange);
  EXPECT_EQ(ClassifyAction(LogType::kS3Access, "REST.GET.OBJECT", false), ActionKind::kRead);
  EXPECT_EQ(ClassifyAction(LogType::kS3Access, "REST.DELETE.OBJECT", false), ActionKind::kDelete);
  EXPECT_EQ(ClassifyAction(LogType::kVpcFlow, "ACCEPT", false), ActionKind::kOther);
}

TEST(Timeline, PersistenceKinds) {
  EXPECT_EQ(PersistenceKind("iam.amazonaws.com", "CreateAccessKey"), "access key");
  EXPECT_EQ(PersistenceKind("lambda.amazonaws.com", "CreateFunction20150331"), "Lambda function");
  EXPECT_EQ(PersistenceKind("rolesanywhere.amazonaws.com", "CreateTrustAnchor"), "Roles Anywhere trust anchor");
  EXPECT_EQ(PersistenceKind("iam.amazonaws.com", "ListUsers"), "");
  EXPECT_EQ(PersistenceKind("s3.amazonaws.com", "CreateAccessKey"), "") << "service must match";
}

TEST(Timeline, SortsAndSummarises) {
  std::vector<TimelineEntry> entries;
  auto add = [&](EventContext c, std::string file, uint64_t offset) {
    TimelineEntry e;
    e.kind = ClassifyAction(LogType::kCloudTrail, c.event_name, false);
    e.context = std::move(c);
    e.file = std::move(file);
    e.offset = offset;
    entries.push_back(std::move(e));
  };
  EventContext create_user = Call(3000, "iam.amazonaws.com", "CreateUser", "AKIAALICE");
  create_user.resources = {"backdoor"};
  add(create_user, "b.json", 0);
  add(Call(1000, "iam.amazonaws.com", "ListUsers", "AKIAALICE"), "a.json", 10);
  EventContext denied = Call(2000, "iam.amazonaws.com", "CreateAccessKey", "AKIAALICE", "AccessDenied");
  denied.resources = {"root"};
  add(denied, "a.json", 20);
  add(Call(3000, "iam.amazonaws.com", "CreateAccessKey", "AKIAALICE"), "a.json", 30);
  SortTimeline(entries);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].context.event_name, "ListUsers");
  EXPECT_EQ(entries[1].context.event_name, "CreateAccessKey");
  EXPECT_EQ(entries[2].file, "a.json") << "equal times: by file, then offset";
  EXPECT_EQ(entries[3].context.event_name, "CreateUser");

  TimelineSummary s = Summarize(entries);
  EXPECT_EQ(s.events, 4u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.first_ms, 1000);
  EXPECT_EQ(s.last_ms, 3000);
  EXPECT_EQ(s.by_error.at("AccessDenied"), 1u);
  EXPECT_EQ(s.by_action.at("iam:CreateAccessKey"), 2u);
  EXPECT_EQ(s.resources_created.count("backdoor"), 1u);
  EXPECT_EQ(s.resources_created.count("root"), 0u) << "a denied call created nothing";
  ASSERT_EQ(s.persistence.size(), 2u) << "the denied CreateAccessKey is not persistence";
  EXPECT_EQ(s.persistence[0].kind, "access key");
  EXPECT_EQ(s.persistence[1].kind, "IAM user");
}

}  // namespace
}  // namespace cloudward::analyze
