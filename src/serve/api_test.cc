// The API without sockets: routing, authentication, roles, JSON errors, incident updates with
// optimistic versions, and intake through POST /api/v1/events into incidents (the embedded rules).
#include "serve/api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/credentials.h"
#include "aws/env.h"
#include "aws/http.h"
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

// A CloudTrail record the bundled pack flags: an IAM user created from an unusual place (low), or
// with `name` CreateLoginProfile, a console password given to it (medium).
std::string Record(const std::string& id, const std::string& name = "CreateUser") {
  return json{{"eventVersion", "1.09"}, {"eventTime", "2026-11-20T09:00:00Z"}, {"eventSource", "iam.amazonaws.com"},
              {"eventName", name}, {"awsRegion", "us-east-1"}, {"sourceIPAddress", "185.220.101.47"},
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

  // Rebuilds the API with response actions on, calling AWS through `transport`.
  void EnableActions(std::shared_ptr<aws::Transport> transport) {
    aws::ClientConfig aws{.region = "us-east-1", .transport = std::move(transport)};
    aws.credentials = std::make_shared<aws::StaticCredentialProvider>(
        aws::Credentials{"AKID", "SECRET", "", std::nullopt, "static"});
    aws.env = aws::MapEnv({});
    api_ = std::make_unique<Api>(ApiOptions{.store = store_.get(), .auth = auth_.get(), .config = &config_,
                                            .metrics = &metrics_, .clock = &clock_, .intake = intake_.get(),
                                            .rules = rules_, .aws = std::move(aws), .actions_enabled = true,
                                            .console = WebConsoleFiles(), .version = "test"});
  }

  // A medium incident: svc-backup's access key AKIAEXAMPLEKEY000001 creates a user and gives it a
  // console password.
  std::string PostIncident() {
    json records = json::array({json::parse(Record("e-1")), json::parse(Record("e-2", "CreateLoginProfile"))});
    auto posted = Call("POST", "/api/v1/events", "tok-ops", json{{"Records", records}}.dump());
    EXPECT_EQ(posted.status, 200) << posted.body;
    json incidents = Body(posted)["incidents"];
    return incidents.empty() ? "" : incidents[0].get<std::string>();
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

// Finds the element of a JSON array whose `key` is `value` (null when none).
json Element(const json& array, const std::string& key, const std::string& value) {
  for (const json& e : array) {
    if (e.value(key, "") == value) return e;
  }
  return nullptr;
}

TEST_F(ApiTest, PlaybooksAreListedWithTheirSteps) {
  EXPECT_EQ(Call("GET", "/api/v1/playbooks", "").status, 401);
  auto list = Call("GET", "/api/v1/playbooks");
  ASSERT_EQ(list.status, 200) << list.body;
  json playbooks = Body(list);
  ASSERT_GE(playbooks.size(), 6u);  // the bundled ones
  json key = Element(playbooks, "id", "compromised-access-key");
  ASSERT_TRUE(key.is_object()) << list.body;
  EXPECT_EQ(key["title"], "Compromised IAM access key");
  EXPECT_EQ(key["trigger"]["min_severity"], "medium");
  EXPECT_EQ(key["trigger"]["involves"], json::array({"incident.long_term_keys"}));
  EXPECT_EQ(key["step_count"], key["steps"].size());
  EXPECT_EQ(key["phases"][0], "contain");
  const json& first = key["steps"][0];
  EXPECT_EQ(first["id"], "deactivate-keys");
  EXPECT_EQ(first["action"], "deactivate-access-key");
  EXPECT_EQ(first["targets"], "incident.long_term_keys");
  EXPECT_FALSE(first["action_description"].get<std::string>().empty());
  json restrict = Element(key["steps"], "id", "restrict-users");
  EXPECT_EQ(restrict["approval"], true);
  EXPECT_EQ(restrict["requires"], json::array({"deactivate-keys"}));
  json todo = Element(key["steps"], "id", "tell-owner");
  EXPECT_EQ(todo["phase"], "notify");
  EXPECT_FALSE(todo.contains("action"));
  EXPECT_FALSE(todo["text"].get<std::string>().empty());

  auto one = Call("GET", "/api/v1/playbooks/compromised-access-key");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(Body(one), key);
  EXPECT_EQ(Call("GET", "/api/v1/playbooks/no-such-playbook").status, 404);
}

TEST_F(ApiTest, IncidentPlaybooksAreThoseWhoseTriggerFits) {
  const std::string id = PostIncident();
  ASSERT_FALSE(id.empty());
  auto r = Call("GET", "/api/v1/incidents/" + id + "/playbooks");
  ASSERT_EQ(r.status, 200) << r.body;
  json fitting = Body(r);
  json key = Element(fitting, "id", "compromised-access-key");
  ASSERT_TRUE(key.is_object()) << Call("GET", "/api/v1/incidents/" + id).body;
  EXPECT_EQ(key["matches"], true);
  EXPECT_EQ(Element(key["steps"], "id", "deactivate-keys")["picks"], json::array({"AKIAEXAMPLEKEY000001"}));
  EXPECT_EQ(Element(key["steps"], "id", "restrict-users")["picks"], json::array({"svc-backup"}));
  EXPECT_FALSE(Element(key["steps"], "id", "tell-owner").contains("picks"));
  for (const json& pb : fitting) EXPECT_EQ(pb["matches"], true) << pb["id"];
  EXPECT_TRUE(Element(fitting, "id", "compromised-ec2-instance").is_null());  // no instance involved

  json all = Body(Call("GET", "/api/v1/incidents/" + id + "/playbooks", "tok-viewer", "", {{"all", "true"}}));
  EXPECT_EQ(all.size(), Body(Call("GET", "/api/v1/playbooks")).size());
  EXPECT_EQ(Element(all, "id", "compromised-ec2-instance")["matches"], false);
  EXPECT_EQ(Call("GET", "/api/v1/incidents/" + id + "/playbooks", "tok-viewer", "", {{"all", "yes"}}).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/incidents/INC-0000000000/playbooks").status, 404);
  // Planning reads AWS: refused like the other action routes on a daemon without actions.
  EXPECT_EQ(Call("GET", "/api/v1/incidents/" + id + "/playbooks/compromised-access-key/plan").status, 503);
}

// The plan is a dry run: only reads reach AWS, and nothing is stored or journaled.
TEST_F(ApiTest, PlaybookPlanOnlyReads) {
  const std::string id = PostIncident();
  ASSERT_FALSE(id.empty());
  config_.respond.approval_actions = {"deactivate-access-key"};
  auto transport = std::make_shared<aws::FakeTransport>();
  transport->SetHandler([](const aws::HttpRequest& request) -> Result<aws::HttpResponse> {
    auto is = [&](const char* action) { return request.body.find(std::string("Action=") + action + "&") != std::string::npos; };
    if (is("GetAccessKeyLastUsed")) {
      return aws::HttpResponse{200, {}, "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult>"
                                        "<UserName>svc-backup</UserName></GetAccessKeyLastUsedResult>"
                                        "</GetAccessKeyLastUsedResponse>"};
    }
    if (is("ListAccessKeys")) {
      return aws::HttpResponse{200, {}, "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member>"
                                        "<UserName>svc-backup</UserName><AccessKeyId>AKIAEXAMPLEKEY000001</AccessKeyId>"
                                        "<Status>Active</Status></member></AccessKeyMetadata>"
                                        "<IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>"};
    }
    return aws::HttpResponse{403, {}, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>denied</Message>"
                                      "</Error><RequestId>r-1</RequestId></ErrorResponse>"};
  });
  EnableActions(transport);
  const size_t journal = Body(Call("GET", "/api/v1/incidents/" + id + "/timeline")).size();

  auto r = Call("GET", "/api/v1/incidents/" + id + "/playbooks/compromised-access-key/plan");
  ASSERT_EQ(r.status, 200) << r.body;
  json plan = Body(r);
  EXPECT_EQ(plan["playbook"], "compromised-access-key");
  EXPECT_EQ(plan["incident_id"], id);
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(plan["matches"], true);
  json keys = Element(plan["steps"], "step", "deactivate-keys");
  ASSERT_TRUE(keys.is_object()) << r.body;
  EXPECT_EQ(keys["target"], "AKIAEXAMPLEKEY000001");
  ASSERT_EQ(keys["plan"]["calls"].size(), 1u) << r.body;
  EXPECT_EQ(keys["plan"]["calls"][0]["operation"], "iam:UpdateAccessKey");
  EXPECT_EQ(keys["needs_approval"], true);
  EXPECT_EQ(keys["approval_by"], "policy");  // respond.approvals.actions
  json restrict = Element(plan["steps"], "step", "restrict-users");
  EXPECT_EQ(restrict["approval_by"], "playbook");
  EXPECT_EQ(restrict["requires"], json::array({"deactivate-keys"}));
  EXPECT_GE(plan["calls"].get<int>(), 1);
  EXPECT_TRUE(Element(plan["steps"], "step", "tell-owner").contains("text"));

  ASSERT_GT(transport->request_count(), 0u);
  for (const aws::HttpRequest& sent : transport->requests()) {
    const size_t at = sent.body.find("Action=");
    if (at == std::string::npos) {
      EXPECT_TRUE(sent.method == "GET" || sent.method == "HEAD") << sent.method << " " << sent.url;
      continue;
    }
    const std::string action = sent.body.substr(at + 7, sent.body.find('&', at) - at - 7);
    EXPECT_TRUE(action.starts_with("Get") || action.starts_with("List") || action.starts_with("Describe")) << action;
  }
  EXPECT_EQ(Body(Call("GET", "/api/v1/incidents/" + id + "/actions")).size(), 0u);
  EXPECT_EQ(Body(Call("GET", "/api/v1/incidents/" + id + "/timeline")).size(), journal);

  EXPECT_EQ(Call("GET", "/api/v1/incidents/" + id + "/playbooks/no-such-playbook/plan").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/incidents/INC-0000000000/playbooks/compromised-access-key/plan").status, 404);
  auto other = Body(Call("GET", "/api/v1/incidents/" + id + "/playbooks/compromised-ec2-instance/plan"));
  EXPECT_EQ(other["matches"], false);
  EXPECT_NE(other["notes"].dump().find("does not match"), std::string::npos) << other.dump();
}

TEST(ServeOpenApi, DescribesEveryRoute) {
  std::ifstream in(std::string(CW_SOURCE_DIR) + "/docs/openapi.yaml");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  for (const Api::RouteEntry& route : Api::Routes()) {
    std::string path = route.pattern;
    for (const char* name : {"{id}", "{playbook}"}) {  // the parameters' names, in order
      if (size_t p = path.find("{}"); p != std::string::npos) path.replace(p, 2, name);
    }
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
