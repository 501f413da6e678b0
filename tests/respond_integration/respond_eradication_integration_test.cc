// cw::respond eradication and recovery actions end to end: eradicate-created-iam and
// run-patch-baseline against a real moto server (tests/common/moto_server.h), and the calls moto
// lacks (AWS Backup recovery points and restore jobs, SSM DescribeInstanceInformation) against
// aws_fixture_server.py beside this file, with a SQLite store in a temporary directory. For each
// action: the plan changes nothing, apply changes what the plan said (checked with boto3 or the
// fixture's state), a second apply is a recorded no-op, and rollback restores what it can.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "../common/moto_server.h"
#include "aws/aws_client.h"
#include "aws/curl_transport.h"
#include "aws/services.h"
#include "core/clock.h"
#include "core/time.h"
#include "respond/responder.h"
#include "store/incident_store.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// aws_fixture_server.py, started by Start() and killed by the destructor.
class FixtureServer {
 public:
  ~FixtureServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  std::string Start() {
    std::string port_file = "/tmp/cw_fixture_port_" + std::to_string(getpid());
    std::filesystem::remove(port_file);
    std::string script = std::string(CW_SOURCE_DIR) + "/tests/respond_integration/aws_fixture_server.py";
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // gone with the test, even when it crashes
      std::string py = testing::MotoServer::Python();
      execlp(py.c_str(), py.c_str(), script.c_str(), port_file.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      std::ifstream in(port_file);
      int port = 0;
      if (in >> port && port > 0) {
        endpoint_ = "http://127.0.0.1:" + std::to_string(port);
        std::filesystem::remove(port_file);
        return "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "aws_fixture_server.py did not start";
  }

  // A plain (unsigned) request to the fixture's own endpoints.
  json Call(const std::string& method, const std::string& path, const json& body = json()) const {
    aws::CurlTransport transport;
    aws::HttpRequest request{.method = method, .url = endpoint_ + path};
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers = {{"Content-Type", "application/json"}};
    }
    auto r = transport.Send(request);
    if (!r) return json();
    return json::parse(r->body, nullptr, false);
  }

  const std::string& endpoint() const { return endpoint_; }

 private:
  pid_t pid_ = -1;
  std::string endpoint_;
};

class RespondEradicationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    moto_ = new testing::MotoServer();
    skip_reason_ = moto_->Start();
    if (skip_reason_.empty()) {
      fixture_ = new FixtureServer();
      skip_reason_ = fixture_->Start();
    }
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
    delete moto_;
    moto_ = nullptr;
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    char dir_template[] = "/tmp/cw_eradicate_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    auto store = store::OpenStore("sqlite://" + dir_ + "/cw.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    store::Incident incident{.id = kIncident, .title = "stolen access key"};
    ASSERT_TRUE(store_->CreateIncident(incident));
    recorder_ = std::make_shared<CallRecorder>(std::make_shared<aws::CurlTransport>());
    // EC2 and IAM on moto; Backup on the fixture; SSM on moto unless `ssm_on_fixture`.
    aws_ = MakeClient(false);
    responder_ = std::make_unique<Responder>(*aws_, recorder_.get(), *store_, clock_, "analyst");
  }

  std::unique_ptr<aws::AwsClient> MakeClient(bool ssm_on_fixture) {
    aws::ClientConfig config;
    config.region = "us-east-1";
    std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL", moto_->endpoint()},
                                              {"AWS_ENDPOINT_URL_BACKUP", fixture_->endpoint()}};
    if (ssm_on_fixture) env["AWS_ENDPOINT_URL_SSM"] = fixture_->endpoint();
    config.env = aws::MapEnv(env);
    config.credentials = std::make_shared<aws::StaticCredentialProvider>(
        aws::Credentials{"testing", "testing", "testing", std::nullopt, "test"});
    config.transport = recorder_;
    config.retry.base_delay_ms = 10;
    return std::make_unique<aws::AwsClient>(std::move(config));
  }

  void TearDown() override {
    responder_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> OperationsSince(size_t mark) const {
    std::vector<std::string> out;
    for (const auto& c : recorder_->Since(mark)) out.push_back(c.operation);
    return out;
  }
  static bool Contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }
  static bool Mentions(const std::vector<std::string>& notes, const std::string& text) {
    return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
  }
  static size_t IndexOf(const Plan& plan, const std::string& operation, const std::string& param, const std::string& value) {
    for (size_t i = 0; i < plan.calls.size(); ++i) {
      if (plan.calls[i].operation == operation && plan.calls[i].parameters.value(param, "") == value) return i;
    }
    return plan.calls.size();
  }

  // A successful IAM CloudTrail record by `actor`, stored as a finding of the incident.
  void Record(const std::string& event, const json& request, const json& response = json(),
              const std::string& actor = "alice") {
    json record = {{"eventVersion", "1.08"},
                   {"userIdentity",
                    {{"type", "IAMUser"}, {"arn", "arn:aws:iam::123456789012:user/" + actor},
                     {"accountId", "123456789012"}, {"accessKeyId", "AKIAALICEALICE000001"}, {"userName", actor}}},
                   {"eventTime", FormatIsoTime(clock_.NowMs())},
                   {"eventSource", "iam.amazonaws.com"},
                   {"eventName", event},
                   {"awsRegion", "us-east-1"},
                   {"sourceIPAddress", "203.0.113.9"},
                   {"requestParameters", request},
                   {"responseElements", response},
                   {"eventID", "ev-" + std::to_string(++records_)},
                   {"recipientAccountId", "123456789012"}};
    store::StoredFinding f;
    f.key = "finding-" + std::to_string(records_);
    f.finding.rule = {.id = "iam-persistence", .title = "IAM persistence", .level = Level::kHigh};
    f.finding.context.event_name = event;
    f.finding.context.event_source = "iam.amazonaws.com";
    f.finding.context.time_ms = clock_.NowMs();
    f.finding.record = record.dump();
    ASSERT_TRUE(store_->AddFindings({f}));
    ASSERT_TRUE(store_->LinkFindings(kIncident, {f.key}));
  }

  std::string Query(const std::string& action, const aws::QueryParams& params, const char* result_path = nullptr) {
    auto r = aws_->Query("iam", action, params);
    EXPECT_TRUE(r) << action << ": " << (r ? "" : r.error().Describe());
    if (!r || !result_path) return "";
    pugi::xml_node node = r->Result();
    std::string path = result_path;
    size_t start = 0;
    while (start < path.size()) {
      size_t slash = path.find('/', start);
      node = node.child(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start).c_str());
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return node.text().as_string();
  }

  static constexpr const char* kIncident = "INC-00000000e1";
  static inline testing::MotoServer* moto_ = nullptr;
  static inline FixtureServer* fixture_ = nullptr;
  static inline std::string skip_reason_;
  int records_ = 0;
  std::string dir_;
  SystemClock clock_;
  std::unique_ptr<store::IncidentStore> store_;
  std::shared_ptr<CallRecorder> recorder_;
  std::unique_ptr<aws::AwsClient> aws_;
  std::unique_ptr<Responder> responder_;
};

constexpr const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]})";
constexpr const char* kAdmin = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

// ------------------------------------------------------------------------ eradicate-created-iam
TEST_F(RespondEradicationTest, EradicateCreatedIamDeletesWhatTheAttackerCreatedAndRestoresOnRollback) {
  const std::string policy_arn = "arn:aws:iam::123456789012:policy/exfil-policy";
  const std::string readonly = "arn:aws:iam::123456789012:policy/readonly";
  // Before the incident: alice (whose key is stolen) with one key, the admins group, carol.
  Query("CreateUser", {{"UserName", "alice"}});
  std::string alice_old_key = Query("CreateAccessKey", {{"UserName", "alice"}}, "AccessKey/AccessKeyId");
  Query("CreateGroup", {{"GroupName", "admins"}});
  Query("CreateUser", {{"UserName", "carol"}});
  Query("CreateInstanceProfile", {{"InstanceProfileName", "persist-profile"}});
  Query("CreatePolicy", {{"PolicyName", "readonly"}, {"PolicyDocument", kAdmin}});

  // What alice's stolen key created (made on moto, recorded in the incident).
  Query("CreatePolicy", {{"PolicyName", "exfil-policy"}, {"PolicyDocument", kAdmin}, {"Description", "x"}});
  Record("CreatePolicy", {{"policyName", "exfil-policy"}, {"policyDocument", kAdmin}},
         {{"policy", {{"arn", policy_arn}, {"policyName", "exfil-policy"}}}});
  Query("CreateUser", {{"UserName", "backdoor"}, {"Tags.member.1.Key", "team"}, {"Tags.member.1.Value", "ops"}});
  Record("CreateUser", {{"userName", "backdoor"}});
  std::string backdoor_key = Query("CreateAccessKey", {{"UserName", "backdoor"}}, "AccessKey/AccessKeyId");
  Record("CreateAccessKey", {{"userName", "backdoor"}},
         {{"accessKey", {{"accessKeyId", backdoor_key}, {"userName", "backdoor"}, {"status", "Active"}}}});
  Query("CreateLoginProfile", {{"UserName", "backdoor"}, {"Password", "Xy9!long-password"}});
  Record("CreateLoginProfile", {{"userName", "backdoor"}});
  Query("PutUserPolicy", {{"UserName", "backdoor"}, {"PolicyName", "inline-admin"}, {"PolicyDocument", kAdmin}});
  Record("PutUserPolicy", {{"userName", "backdoor"}, {"policyName", "inline-admin"}});
  Query("AttachUserPolicy", {{"UserName", "backdoor"}, {"PolicyArn", policy_arn}});
  Record("AttachUserPolicy", {{"userName", "backdoor"}, {"policyArn", policy_arn}});
  Query("AddUserToGroup", {{"UserName", "backdoor"}, {"GroupName", "admins"}});
  Record("AddUserToGroup", {{"userName", "backdoor"}, {"groupName", "admins"}});
  Query("CreateRole", {{"RoleName", "persist-role"}, {"AssumeRolePolicyDocument", kTrust}, {"Description", "cross account"}});
  Record("CreateRole", {{"roleName", "persist-role"}});
  Query("PutRolePolicy", {{"RoleName", "persist-role"}, {"PolicyName", "role-admin"}, {"PolicyDocument", kAdmin}});
  Query("AttachRolePolicy", {{"RoleName", "persist-role"}, {"PolicyArn", readonly}});
  Query("AddRoleToInstanceProfile", {{"InstanceProfileName", "persist-profile"}, {"RoleName", "persist-role"}});
  std::string alice_new_key = Query("CreateAccessKey", {{"UserName", "alice"}}, "AccessKey/AccessKeyId");
  Record("CreateAccessKey", json::object(), {{"accessKey", {{"accessKeyId", alice_new_key}, {"userName", "alice"}}}});
  Query("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "escalate"}, {"PolicyDocument", kAdmin}});
  Record("PutUserPolicy", {{"userName", "alice"}, {"policyName", "escalate"}});
  Query("AddUserToGroup", {{"UserName", "alice"}, {"GroupName", "admins"}});
  Record("AddUserToGroup", {{"userName", "alice"}, {"groupName", "admins"}});
  // Another actor's creation is not the attacker's; an instance profile is reported, not undone.
  Record("CreateUser", {{"userName", "carol"}}, json(), "bob");
  Record("CreateInstanceProfile", {{"instanceProfileName", "persist-profile"}});

  auto state = [&] {
    return moto_->Boto3(
        "iam = boto3.client('iam')\n"
        "users = sorted(u['UserName'] for u in iam.list_users()['Users'])\n"
        "roles = sorted(r['RoleName'] for r in iam.list_roles()['Roles'])\n"
        "pols = sorted(p['PolicyName'] for p in iam.list_policies(Scope='Local')['Policies'])\n"
        "keys = sorted(k['AccessKeyId'] for k in iam.list_access_keys(UserName='alice')['AccessKeyMetadata'])\n"
        "inline = iam.list_user_policies(UserName='alice')['PolicyNames']\n"
        "groups = [g['GroupName'] for g in iam.list_groups_for_user(UserName='alice')['Groups']]\n"
        "print(json.dumps({'users': users, 'roles': roles, 'policies': pols, 'alice_keys': keys, "
        "'alice_inline': inline, 'alice_groups': groups}))");
  };
  const json before = json::parse(state());
  ASSERT_EQ(before["users"], json({"alice", "backdoor", "carol"}));
  const ActionRequest request{.target = "arn:aws:iam::123456789012:user/alice", .incident_id = kIncident};

  // Plan: every item with its live state; nothing changes.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("eradicate-created-iam", request);
  ASSERT_TRUE(plan) << plan.error().message;
  for (const auto& op : OperationsSince(mark)) {
    EXPECT_TRUE(op.starts_with("Get") || op.starts_with("List")) << op;
  }
  EXPECT_EQ(json::parse(state()), before);
  EXPECT_FALSE(plan->no_op());
  size_t delete_user = IndexOf(*plan, "iam:DeleteUser", "UserName", "backdoor");
  size_t delete_role = IndexOf(*plan, "iam:DeleteRole", "RoleName", "persist-role");
  size_t delete_policy = IndexOf(*plan, "iam:DeletePolicy", "PolicyArn", policy_arn);
  ASSERT_LT(delete_user, plan->calls.size());
  ASSERT_LT(delete_role, plan->calls.size());
  ASSERT_LT(delete_policy, plan->calls.size());
  EXPECT_LT(IndexOf(*plan, "iam:DeleteAccessKey", "AccessKeyId", backdoor_key), delete_user);
  EXPECT_LT(IndexOf(*plan, "iam:DeleteLoginProfile", "UserName", "backdoor"), delete_user);
  EXPECT_LT(IndexOf(*plan, "iam:RemoveUserFromGroup", "UserName", "backdoor"), delete_user);
  EXPECT_LT(IndexOf(*plan, "iam:DetachUserPolicy", "UserName", "backdoor"), delete_user);
  EXPECT_LT(IndexOf(*plan, "iam:RemoveRoleFromInstanceProfile", "RoleName", "persist-role"), delete_role);
  EXPECT_LT(IndexOf(*plan, "iam:DetachRolePolicy", "RoleName", "persist-role"), delete_role);
  EXPECT_LT(delete_user, delete_policy);
  EXPECT_LT(IndexOf(*plan, "iam:DeleteAccessKey", "AccessKeyId", alice_new_key), plan->calls.size());
  EXPECT_LT(IndexOf(*plan, "iam:DeleteUserPolicy", "PolicyName", "escalate"), plan->calls.size());
  EXPECT_EQ(IndexOf(*plan, "iam:DeleteAccessKey", "AccessKeyId", alice_old_key), plan->calls.size());
  EXPECT_EQ(IndexOf(*plan, "iam:DeleteUser", "UserName", "alice"), plan->calls.size());
  EXPECT_EQ(IndexOf(*plan, "iam:DeleteUser", "UserName", "carol"), plan->calls.size());
  EXPECT_TRUE(Mentions(plan->notes, "access keys, console passwords and MFA devices cannot be restored"));
  EXPECT_TRUE(Mentions(plan->notes, "CreateInstanceProfile"));
  EXPECT_TRUE(Mentions(plan->notes, "deleted with user backdoor"));
  EXPECT_TRUE(store_->ListActions(kIncident)->empty());

  // Apply: exactly what the plan said.
  auto applied = responder_->Apply("eradicate-created-iam", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(applied->plan.calls.size(), plan->calls.size());
  json after = json::parse(state());
  EXPECT_EQ(after["users"], json({"alice", "carol"}));
  EXPECT_EQ(after["roles"], json::array());
  EXPECT_EQ(after["policies"], json({"readonly"}));
  EXPECT_EQ(after["alice_keys"], json({alice_old_key}));
  EXPECT_EQ(after["alice_inline"], json::array());
  EXPECT_EQ(after["alice_groups"], json::array());
  json prior = json::parse(store_->GetAction(applied->action.id)->prior_state);
  bool recorded_trust = false;
  for (const auto& item : prior["items"]) {
    if (item["type"] == "role") recorded_trust = json::parse(item["state"]["trust_policy"].get<std::string>()) == json::parse(kTrust);
  }
  EXPECT_TRUE(recorded_trust);

  // Apply again: nothing left; a recorded no-op.
  mark = recorder_->Mark();
  auto again = responder_->Apply("eradicate-created-iam", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("Delete")) << op;

  // Rollback: users, roles, policies and what hung on them come back; keys do not.
  auto rollback_plan = responder_->PlanRollback(applied->action.id);
  ASSERT_TRUE(rollback_plan) << rollback_plan.error().message;
  EXPECT_EQ(json::parse(state()), after);
  EXPECT_TRUE(Mentions(rollback_plan->notes, "access key " + backdoor_key));
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_TRUE(rolled->execution.ok()) << rolled->execution.error->message;
  EXPECT_TRUE(rolled->rolled_back);
  json restored = json::parse(state());
  EXPECT_EQ(restored["users"], before["users"]);
  EXPECT_EQ(restored["roles"], before["roles"]);
  EXPECT_EQ(restored["policies"], before["policies"]);
  EXPECT_EQ(restored["alice_inline"], before["alice_inline"]);
  EXPECT_EQ(restored["alice_groups"], before["alice_groups"]);
  EXPECT_EQ(restored["alice_keys"], json({alice_old_key}));  // the attacker's key is not restored
  std::string backdoor = moto_->Boto3(
      "iam = boto3.client('iam')\n"
      "print(json.dumps({'inline': iam.list_user_policies(UserName='backdoor')['PolicyNames'],\n"
      "  'attached': [p['PolicyArn'] for p in iam.list_attached_user_policies(UserName='backdoor')['AttachedPolicies']],\n"
      "  'groups': [g['GroupName'] for g in iam.list_groups_for_user(UserName='backdoor')['Groups']],\n"
      "  'keys': iam.list_access_keys(UserName='backdoor')['AccessKeyMetadata'],\n"
      "  'tags': iam.list_user_tags(UserName='backdoor')['Tags'],\n"
      "  'trust': iam.get_role(RoleName='persist-role')['Role']['AssumeRolePolicyDocument'],\n"
      "  'role_inline': iam.list_role_policies(RoleName='persist-role')['PolicyNames'],\n"
      "  'profiles': [p['InstanceProfileName'] for p in iam.list_instance_profiles_for_role(RoleName='persist-role')['InstanceProfiles']]}))");
  json b = json::parse(backdoor);
  EXPECT_EQ(b["inline"], json({"inline-admin"}));
  EXPECT_EQ(b["attached"], json({policy_arn}));
  EXPECT_EQ(b["groups"], json({"admins"}));
  EXPECT_EQ(b["keys"], json::array());
  EXPECT_EQ(b["tags"], json::parse(R"([{"Key":"team","Value":"ops"}])"));
  EXPECT_EQ(b["trust"], json::parse(kTrust));
  EXPECT_EQ(b["role_inline"], json({"role-admin"}));
  EXPECT_EQ(b["profiles"], json({"persist-profile"}));
}

TEST_F(RespondEradicationTest, EradicateCreatedIamProtectsTheCallerAndPatternsAndChecksListedResources) {
  // moto's caller is user "moto"; an attacker-made user of that name, and one matching protect=.
  Query("CreateUser", {{"UserName", "moto"}});
  Record("CreateUser", {{"userName", "moto"}});
  Query("CreateUser", {{"UserName", "ci-deployer"}});
  Record("CreateUser", {{"userName", "ci-deployer"}});
  auto plan = responder_->PlanAction("eradicate-created-iam", {.target = "alice", .incident_id = kIncident,
                                                                .options = {{"protect", "ci-*"}}});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->no_op());
  EXPECT_TRUE(Mentions(plan->notes, "the principal cloudward runs as"));
  EXPECT_TRUE(Mentions(plan->notes, "matches protect=ci-*"));

  // A listed resource with no recorded creation: deleted only when IAM created it in the window.
  Query("CreateUser", {{"UserName", "unrecorded"}});
  const Action* action = FindAction("eradicate-created-iam");
  ASSERT_NE(action, nullptr);
  auto listed = action->MakePlan(*aws_, {.target = "alice", .incident_id = kIncident,
                                         .options = {{"resources", "user/unrecorded"},
                                                     {"since", FormatIsoTime(clock_.NowMs() - 3600 * 1000)}}});
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_LT(IndexOf(*listed, "iam:DeleteUser", "UserName", "unrecorded"), listed->calls.size());
  auto outside = action->MakePlan(*aws_, {.target = "alice", .incident_id = kIncident,
                                          .options = {{"resources", "user/unrecorded"},
                                                      {"since", FormatIsoTime(clock_.NowMs() + 3600 * 1000)}}});
  ASSERT_TRUE(outside) << outside.error().message;
  EXPECT_TRUE(outside->no_op());
  EXPECT_TRUE(Mentions(outside->notes, "outside the incident window"));

  // Bad input: no records and no list, a list without --since, a malformed entry or principal.
  auto no_records = action->MakePlan(*aws_, {.target = "alice", .incident_id = kIncident});
  ASSERT_FALSE(no_records);
  EXPECT_EQ(no_records.error().code, ErrorCode::kInvalidArgument);
  auto no_since = action->MakePlan(*aws_, {.target = "alice", .options = {{"resources", "user/x"}}});
  ASSERT_FALSE(no_since);
  EXPECT_EQ(no_since.error().code, ErrorCode::kInvalidArgument);
  auto bad_entry = action->MakePlan(*aws_, {.target = "alice", .options = {{"resources", "bucket/x"}, {"since", "2026-01-01T00:00:00Z"}}});
  ASSERT_FALSE(bad_entry);
  EXPECT_EQ(bad_entry.error().code, ErrorCode::kInvalidArgument);
  auto bad_principal = responder_->PlanAction("eradicate-created-iam", {.target = "not a principal!", .incident_id = kIncident});
  ASSERT_FALSE(bad_principal);
  EXPECT_EQ(bad_principal.error().code, ErrorCode::kInvalidArgument);
}

// --------------------------------------------------------------------------- run-patch-baseline
std::string RunInstance(aws::AwsClient& aws) {
  auto images = aws.Query("ec2", "DescribeImages", {{"Owner.1", "amazon"}});
  if (!images) return "";
  std::string ami = images->Root().child("imagesSet").child("item").child("imageId").text().as_string();
  auto run = aws.Query("ec2", "RunInstances",
                       {{"ImageId", ami}, {"MinCount", "1"}, {"MaxCount", "1"}, {"InstanceType", "t3.micro"}});
  if (!run) return "";
  return run->Root().child("instancesSet").child("item").child("instanceId").text().as_string();
}

TEST_F(RespondEradicationTest, RunPatchBaselineOnMotoWhereTheManagedStateIsUnknown) {
  const std::string id = RunInstance(*aws_);
  ASSERT_FALSE(id.empty());
  const ActionRequest request{.target = id, .incident_id = kIncident};
  auto commands = [&] {
    return moto_->Boto3("print(json.dumps([[c['DocumentName'], c['Parameters'], c['Comment']] for c in "
                        "boto3.client('ssm').list_commands(InstanceId='" + id + "')['Commands']]))");
  };
  ASSERT_EQ(commands(), "[]");

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("run-patch-baseline", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "AmazonSSM.SendCommand"));
  EXPECT_EQ(commands(), "[]");
  EXPECT_EQ(plan->prior_state["managed"], "unknown");
  EXPECT_TRUE(Mentions(plan->notes, "SSM managed state unknown"));
  EXPECT_TRUE(Mentions(plan->notes, "cannot roll patches back"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ssm:SendCommand");
  EXPECT_EQ(plan->calls[0].parameters["Parameters"]["Operation"], json({"Install"}));

  auto applied = responder_->Apply("run-patch-baseline", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  const std::string command_id = applied->execution.outputs.value("command", "");
  EXPECT_FALSE(command_id.empty());
  json sent = json::parse(commands());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0][0], "AWS-RunPatchBaseline");
  EXPECT_EQ(sent[0][1]["Operation"], json({"Install"}));
  EXPECT_EQ(sent[0][1]["RebootOption"], json({"RebootIfNeeded"}));
  EXPECT_EQ(sent[0][2], std::string("cloudward incident ") + kIncident + ": patch Install");

  // A second apply finds the command and sends nothing; Scan is another command.
  auto again = responder_->Apply("run-patch-baseline", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_EQ(again->plan.prior_state["command_id"], command_id);
  EXPECT_EQ(json::parse(commands()).size(), 1u);
  auto scan = responder_->PlanAction("run-patch-baseline", {.target = id, .incident_id = kIncident,
                                                             .options = {{"operation", "scan"}, {"reboot", "no"}}});
  ASSERT_TRUE(scan) << scan.error().message;
  ASSERT_EQ(scan->calls.size(), 1u);
  EXPECT_EQ(scan->calls[0].parameters["Parameters"]["RebootOption"], json({"NoReboot"}));

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_FALSE(rolled->plan.reversible);
  EXPECT_FALSE(rolled->rolled_back);
  EXPECT_NE(rolled->plan.summary.find(command_id), std::string::npos);

  auto bad = responder_->PlanAction("run-patch-baseline", {.target = id, .incident_id = kIncident,
                                                            .options = {{"operation", "uninstall"}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto missing = responder_->PlanAction("run-patch-baseline", {.target = "i-00000000000000000", .incident_id = kIncident});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(RespondEradicationTest, RunPatchBaselineShowsTheManagedStateAndRefusesUnmanagedInstances) {
  auto aws = MakeClient(/*ssm_on_fixture=*/true);
  Responder responder(*aws, recorder_.get(), *store_, clock_, "analyst");
  const std::string managed = RunInstance(*aws), unmanaged = RunInstance(*aws);
  ASSERT_FALSE(managed.empty());
  fixture_->Call("POST", "/fixture/managed-instances", {{managed, "Online"}});

  auto plan = responder.PlanAction("run-patch-baseline", {.target = managed, .incident_id = kIncident});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->prior_state["managed"], "Online");
  EXPECT_EQ(plan->prior_state["platform"], "Amazon Linux");
  auto applied = responder.Apply("run-patch-baseline", {.target = managed, .incident_id = kIncident});
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  json state = fixture_->Call("GET", "/fixture/state");
  ASSERT_EQ(state["commands"].size(), 1u);
  EXPECT_EQ(state["commands"][0]["InstanceIds"], json({managed}));
  auto again = responder.Apply("run-patch-baseline", {.target = managed, .incident_id = kIncident});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_EQ(fixture_->Call("GET", "/fixture/state")["commands"].size(), 1u);

  auto refused = responder.PlanAction("run-patch-baseline", {.target = unmanaged, .incident_id = kIncident});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("not managed by SSM"), std::string::npos);
}

// -------------------------------------------------------------------------- restore-from-backup
TEST_F(RespondEradicationTest, RestoreFromBackupStartsOneRestoreJobAndCannotBeRolledBack) {
  const std::string point = "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0";
  const std::string role = "arn:aws:iam::123456789012:role/backup-restore";
  fixture_->Call("POST", "/fixture/recovery-points",
                 {{"vault", "prod-vault"}, {"arn", point}, {"resource_arn", "arn:aws:ec2:us-east-1:123456789012:volume/vol-0aaa"},
                  {"resource_type", "EBS"}, {"metadata", {{"availabilityZone", "us-east-1a"}, {"volumeType", "gp2"}}}});
  const ActionRequest request{.target = point, .incident_id = kIncident,
                              .options = {{"vault", "prod-vault"}, {"role", role}, {"metadata.volumeType", "gp3"}}};
  auto jobs = [&] { return fixture_->Call("GET", "/fixture/state")["restore_jobs"]; };
  size_t jobs_before = jobs().size();

  auto plan = responder_->PlanAction("restore-from-backup", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(jobs().size(), jobs_before);
  EXPECT_EQ(plan->prior_state["resource_type"], "EBS");
  EXPECT_EQ(plan->prior_state["status"], "COMPLETED");
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "backup:StartRestoreJob");
  EXPECT_EQ(plan->calls[0].parameters["Metadata"], json({{"availabilityZone", "us-east-1a"}, {"volumeType", "gp3"}}));
  EXPECT_TRUE(Mentions(plan->notes, "cannot roll a restore back"));

  auto applied = responder_->Apply("restore-from-backup", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  const std::string job = applied->execution.outputs.value("restore_job", "");
  ASSERT_EQ(jobs().size(), jobs_before + 1);
  json started = jobs().back();
  EXPECT_EQ(started["RestoreJobId"], job);
  EXPECT_EQ(started["RecoveryPointArn"], point);
  EXPECT_EQ(started["IamRoleArn"], role);
  EXPECT_EQ(started["Metadata"]["volumeType"], "gp3");

  auto again = responder_->Apply("restore-from-backup", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_EQ(jobs().size(), jobs_before + 1);

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_FALSE(rolled->plan.reversible);
  EXPECT_NE(rolled->plan.summary.find(job), std::string::npos);
  EXPECT_NE(rolled->plan.summary.find("vol-0restored"), std::string::npos);
  EXPECT_NE(rolled->plan.summary.find("delete-volume"), std::string::npos);

  auto unknown = responder_->PlanAction("restore-from-backup", {.target = point + "1", .incident_id = kIncident,
                                                                 .options = {{"vault", "prod-vault"}, {"role", role}}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto no_role = responder_->PlanAction("restore-from-backup", {.target = point, .options = {{"vault", "prod-vault"}}});
  ASSERT_FALSE(no_role);
  EXPECT_EQ(no_role.error().code, ErrorCode::kInvalidArgument);
  auto not_arn = responder_->PlanAction("restore-from-backup", {.target = "snap-1", .options = {{"vault", "v"}, {"role", role}}});
  ASSERT_FALSE(not_arn);
  EXPECT_EQ(not_arn.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cloudward::respond
