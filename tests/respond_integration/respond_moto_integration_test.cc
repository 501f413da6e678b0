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

#include "aws/aws_client.h"
#include "aws/curl_transport.h"
#include "aws/services.h"
#include "core/clock.h"
#include "../common/moto_server.h"
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

}  // namespace
}  // namespace cloudward::respond
