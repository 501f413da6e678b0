// The API without sockets: routing, authentication, roles, JSON errors, incident updates with
// optimistic versions, and intake through POST /api/v1/events into incidents (the embedded rules).
#include "serve/api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/embedded_file.h"
#include "detect/rule_set.h"

namespace cloudward::serve {
namespace {

using nlohmann::json;

std::string Hex(const TokenAuthenticator::Digest& d) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) out += {kHex[b >> 4], kHex[b & 15]};
  return out;
}

class FixedClock final : public Clock {
 public:
  int64_t NowMs() const override { return 1'795'000'000'000; }
};

std::shared_ptr<const detect::RuleSet> BundledRules() {
  std::vector<detect::RuleText> texts;
  for (const EmbeddedFile& f : RulePackFiles()) texts.push_back({f.path, std::string(f.text())});
  return detect::LoadRules({}, texts, {}).rules;
}

// A CloudTrail record the bundled pack flags: an IAM user created from an unusual place.
std::string Record(const std::string& id) {
  return json{{"eventVersion", "1.09"}, {"eventTime", "2026-11-20T09:00:00Z"}, {"eventSource", "iam.amazonaws.com"},
              {"eventName", "CreateUser"}, {"awsRegion", "us-east-1"}, {"sourceIPAddress", "185.220.101.47"},
              {"userAgent", "aws-cli/2.15.30"}, {"eventID", id}, {"eventType", "AwsApiCall"},
              {"recipientAccountId", "123456789012"}, {"requestParameters", {{"userName", "backup-admin"}}},
              {"userIdentity", {{"type", "IAMUser"}, {"arn", "arn:aws:iam::123456789012:user/svc-backup"},
                                {"accountId", "123456789012"}, {"accessKeyId", "AKIAEXAMPLEKEY000001"},
                                {"userName", "svc-backup"}}}}
      .dump();
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore(":memory:");
    ASSERT_TRUE(opened);
    store_ = std::move(*opened);
    std::vector<config::ApiToken> tokens(3);
    const char* names[] = {"viewer", "ops", "root"};
    for (int i = 0; i < 3; ++i) {
      tokens[i].name = names[i];
      tokens[i].sha256 = Hex(TokenAuthenticator::Sha256(std::string("tok-") + names[i]));
      tokens[i].role = static_cast<config::ApiRole>(i);
    }
    auto auth = TokenAuthenticator::Create(tokens);
    ASSERT_TRUE(auth);
    auth_ = std::make_unique<TokenAuthenticator>(std::move(*auth));
    rules_ = BundledRules();
    intake_ = std::make_unique<Intake>(rules_, nullptr, *store_, metrics_, clock_);
    api_ = std::make_unique<Api>(ApiOptions{.store = store_.get(), .auth = auth_.get(), .config = &config_,
                                            .metrics = &metrics_, .clock = &clock_, .intake = intake_.get(),
                                            .rules = rules_, .actions_enabled = false,
                                            .console = WebConsoleFiles(), .version = "test"});
  }

  ApiResponse Call(std::string method, std::string path, std::string token = "tok-viewer", std::string body = "",
                   std::map<std::string, std::string> query = {}) {
    return api_->Handle({.method = std::move(method), .path = std::move(path), .query = std::move(query),
                         .authorization = token.empty() ? "" : "Bearer " + token, .body = std::move(body)});
  }
  static json Body(const ApiResponse& r) { return json::parse(r.body, nullptr, false); }

  std::unique_ptr<store::IncidentStore> store_;
  std::unique_ptr<TokenAuthenticator> auth_;
  config::Config config_;
  Metrics metrics_;
  FixedClock clock_;
  std::shared_ptr<const detect::RuleSet> rules_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, HealthNeedsNoTokenEverythingElseDoes) {
  auto health = Call("GET", "/api/v1/health", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Body(health)["status"], "ok");
  auto anonymous = Call("GET", "/api/v1/incidents", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Body(anonymous)["code"], "unauthenticated");
  EXPECT_EQ(Call("GET", "/api/v1/incidents", "wrong").status, 401);
  EXPECT_EQ(Call("GET", "/metrics", "").status, 401);
  EXPECT_EQ(Call("GET", "/metrics").status, 200);
}

TEST_F(ApiTest, RolesGateWrites) {
  auto denied = Call("POST", "/api/v1/events", "tok-viewer", Record("e-1"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Body(denied)["code"], "forbidden");
  EXPECT_EQ(Call("PATCH", "/api/v1/incidents/INC-0000000000", "tok-viewer", "{}").status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/actions/ACT-1/apply", "tok-viewer").status, 403);
}

TEST_F(ApiTest, UnknownPathsAndMethods) {
  EXPECT_EQ(Call("GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/incidents").status, 405);
  EXPECT_EQ(Call("GET", "/api/v1/incidents/INC-0000000000").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/incidents", "tok-viewer", "", {{"status", "weird"}}).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/incidents", "tok-viewer", "", {{"limit", "x"}}).status, 400);
}

TEST_F(ApiTest, MalformedBodiesAre400WithAReason) {
  auto bad = Call("POST", "/api/v1/events", "tok-ops", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(Body(bad).contains("error"));
  EXPECT_EQ(Call("POST", "/api/v1/events", "tok-ops", "").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/v1/incidents/INC-0000000000", "tok-ops", "[1,2]").status, 400);
}

TEST_F(ApiTest, EventsBecomeIncidentsThatCanBeTriaged) {
  auto posted = Call("POST", "/api/v1/events", "tok-ops", json{{"Records", json::array({json::parse(Record("e-1"))})}}.dump());
  ASSERT_EQ(posted.status, 200) << posted.body;
  json result = Body(posted);
  EXPECT_EQ(result["events"], 1);
  ASSERT_GE(result["findings"].get<int>(), 1) << posted.body;
  ASSERT_EQ(result["incidents"].size(), 1u);
  const std::string id = result["incidents"][0];

  // Redelivery: the same eventID adds nothing.
  auto again = Call("POST", "/api/v1/events", "tok-ops", Record("e-1"));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Body(again)["duplicates"], 1) << again.body;
  EXPECT_EQ(Body(again)["findings_new"], 0) << again.body;

  auto list = Body(Call("GET", "/api/v1/incidents"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], id);
  EXPECT_EQ(Body(Call("GET", "/api/v1/incidents", "tok-viewer", "", {{"status", "closed"}})).size(), 0u);
  const std::string severity = list[0]["severity"];
  EXPECT_EQ(Body(Call("GET", "/api/v1/incidents", "tok-viewer", "", {{"min_severity", severity}})).size(), 1u);
  EXPECT_EQ(Body(Call("GET", "/api/v1/incidents", "tok-viewer", "", {{"min_severity", "critical"}})).size(),
            severity == "critical" ? 1u : 0u);
  EXPECT_EQ(Call("GET", "/api/v1/incidents", "tok-viewer", "", {{"min_severity", "severe"}}).status, 400);
  EXPECT_GE(Body(Call("GET", "/api/v1/incidents/" + id + "/findings")).size(), 1u);

  const int64_t version = list[0]["version"];
  auto stale = Call("PATCH", "/api/v1/incidents/" + id, "tok-ops", json{{"status", "triaged"}, {"version", version + 5}}.dump());
  EXPECT_EQ(stale.status, 409);
  auto patched = Call("PATCH", "/api/v1/incidents/" + id, "tok-ops",
                      json{{"status", "triaged"}, {"assignee", "alice"}, {"note", "on it"}, {"version", version}}.dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["status"], "triaged");
  EXPECT_EQ(Body(patched)["assignee"], "alice");
  EXPECT_EQ(Call("PATCH", "/api/v1/incidents/" + id, "tok-ops", json{{"status", "recovered"}}.dump()).status, 400);
  EXPECT_EQ(Call("PATCH", "/api/v1/incidents/" + id, "tok-ops", json{{"colour", "red"}}.dump()).status, 400);

  // The journal names the token for every write.
  auto timeline = Body(Call("GET", "/api/v1/incidents/" + id + "/timeline"));
  bool by_ops = false, intake = false;
  for (const auto& e : timeline) {
    if (e["author"] == "ops" && e["kind"] == "status") by_ops = true;
    if (e["author"] == "ops" && e["kind"] == "intake") intake = true;
  }
  EXPECT_TRUE(by_ops) << timeline.dump();
  EXPECT_TRUE(intake) << timeline.dump();

  auto html = Call("GET", "/api/v1/incidents/" + id + "/report", "tok-viewer", "", {{"format", "html"}});
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.content_type.find("text/html"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/incidents/" + id + "/report", "tok-viewer", "", {{"format", "ocsf"}}).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/incidents/" + id + "/report", "tok-viewer", "", {{"format", "pdf"}}).status, 400);

  auto metrics = Call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("cloudward_events_ingested_total{log_type=\"cloudtrail\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("cloudward_events_duplicate_total 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("cloudward_http_requests_total{code=\"200\"}"), std::string::npos);
}

TEST_F(ApiTest, ActionsDisabledAnswer503) {
  EXPECT_EQ(Call("POST", "/api/v1/incidents/INC-0000000000/actions", "tok-ops",
                 json{{"kind", "deactivate-access-key"}, {"target", "AKIAEXAMPLE"}}.dump())
                .status,
            503);
}

TEST_F(ApiTest, RulesAndConsole) {
  auto rules = Body(Call("GET", "/api/v1/rules"));
  ASSERT_TRUE(rules.is_array());
  EXPECT_GT(rules.size(), 10u);
  auto root = Call("GET", "/", "");
  EXPECT_EQ(root.status, 302);
  auto index = Call("GET", "/console/", "");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.content_type.find("text/html"), std::string::npos);
  EXPECT_EQ(Call("GET", "/console/../secret", "").status, 404);
}

TEST(ServeOpenApi, DescribesEveryRoute) {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/docs/openapi.yaml");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  for (const Api::RouteEntry& route : Api::Routes()) {
    std::string path = route.pattern;
    if (size_t p = path.find("{}"); p != std::string::npos) path.replace(p, 2, "{id}");
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t at = text.str().find("\n  " + path + ":\n");
    ASSERT_NE(at, std::string::npos) << path << " is missing from docs/openapi.yaml";
    const size_t next = text.str().find("\n  /", at + 1);
    EXPECT_NE(text.str().substr(at, next - at).find("\n    " + method + ":"), std::string::npos)
        << route.method << " " << path << " is missing from docs/openapi.yaml";
  }
}

TEST(ServeApprovals, ByKindOrSeverity) {
  config::RespondConfig respond;
  EXPECT_FALSE(NeedsApproval(respond, "isolate-instance", Level::kCritical));
  respond.approval_actions = {"isolate-instance"};
  EXPECT_TRUE(NeedsApproval(respond, "isolate-instance", Level::kLow));
  EXPECT_FALSE(NeedsApproval(respond, "deactivate-access-key", Level::kCritical));
  respond.approval_min_severity = Level::kHigh;
  EXPECT_TRUE(NeedsApproval(respond, "deactivate-access-key", Level::kCritical));
  EXPECT_FALSE(NeedsApproval(respond, "deactivate-access-key", Level::kMedium));
}

TEST(ServeIntakeMessages, UnwrapsSnsS3AndEventBridge) {
  auto raw = ParseIntakeMessage(R"({"detail-type":"AWS API Call via CloudTrail","detail":{"eventID":"x"}})");
  EXPECT_FALSE(raw.payload.empty());
  EXPECT_TRUE(raw.objects.empty());
  auto s3 = ParseIntakeMessage(
      R"({"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"trail"},"object":{"key":"AWSLogs/a+b%3D.json.gz"}}}]})");
  ASSERT_EQ(s3.objects.size(), 1u);
  EXPECT_EQ(s3.objects[0], (S3ObjectRef{"trail", "AWSLogs/a b=.json.gz"}));
  EXPECT_TRUE(s3.payload.empty());
  json inner = {{"Records", json::array({{{"eventSource", "aws:s3"}, {"s3", {{"bucket", {{"name", "b"}}}, {"object", {{"key", "k"}}}}}}})}};
  auto sns = ParseIntakeMessage(json{{"Type", "Notification"}, {"Message", inner.dump()}}.dump());
  ASSERT_EQ(sns.objects.size(), 1u);
  EXPECT_EQ(sns.objects[0].bucket, "b");
  auto eventbridge = ParseIntakeMessage(
      R"({"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":"k.gz"}}})");
  ASSERT_EQ(eventbridge.objects.size(), 1u);
  EXPECT_TRUE(ParseIntakeMessage(R"({"Event":"s3:TestEvent"})").test_event);
  // CloudTrail's own {"Records":[...]} is a payload, not an S3 notification.
  EXPECT_FALSE(ParseIntakeMessage(R"({"Records":[{"eventSource":"iam.amazonaws.com"}]})").payload.empty());
  EXPECT_EQ(ParseIntakeMessage("not json").payload, "not json");
}

}  // namespace
}  // namespace cloudward::serve
