// cw::aws against a real moto server (moto 5). The suite starts
//   $CW_PYTHON -m moto.server -H 127.0.0.1 -p <free port>      (CW_PYTHON defaults to python3)
// points every service at it with AWS_ENDPOINT_URL, uses fake credentials, and kills it at the
// end. It skips, saying why, when Python or moto is missing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <thread>

#include "aws/aws_client.h"
#include "aws/curl_transport.h"
#include "aws/services.h"
#include "../common/moto_server.h"

namespace cloudward::aws {
namespace {

class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { skip_reason_ = moto_.Start(); }
  static void TearDownTestSuite() { moto_.Stop(); }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ClientConfig config;
    config.region = "us-east-1";
    config.env = MapEnv({{"AWS_ENDPOINT_URL", moto_.endpoint()}});
    config.credentials = std::make_shared<StaticCredentialProvider>(
        Credentials{"testing", "testing", "testing", std::nullopt, "test"});
    config.retry.base_delay_ms = 10;
    aws_ = std::make_unique<AwsClient>(std::move(config));
  }

  // Runs a boto3 snippet against the same moto server; returns its output.
  static std::string Boto3(const std::string& code) { return moto_.Boto3(code); }

  static inline cloudward::testing::MotoServer moto_;
  static inline std::string skip_reason_;
  std::unique_ptr<AwsClient> aws_;
};

TEST_F(MotoTest, StsGetCallerIdentity) {
  auto id = sts::GetCallerIdentity(*aws_);
  ASSERT_TRUE(id) << id.error().Describe();
  EXPECT_EQ(id->account, "123456789012");
  EXPECT_FALSE(id->arn.empty());
  EXPECT_FALSE(id->request_id.empty());
}

TEST_F(MotoTest, Ec2IsolateInstanceFlow) {
  auto sg = ec2::CreateSecurityGroup(*aws_, "", "cw-quarantine", "cloudward isolation");
  ASSERT_TRUE(sg) << sg.error().Describe();
  EXPECT_TRUE(sg->starts_with("sg-"));
  auto dup = ec2::CreateSecurityGroup(*aws_, "", "cw-quarantine", "again");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

  auto described = aws_->Query("ec2", "DescribeSecurityGroups", {{"GroupId.1", *sg}});
  ASSERT_TRUE(described) << described.error().Describe();
  EXPECT_EQ(std::string(described->Root().child("securityGroupInfo").child("item").child("groupName").text().as_string()),
            "cw-quarantine");

  auto images = aws_->Query("ec2", "DescribeImages", {{"Owner.1", "amazon"}});
  ASSERT_TRUE(images) << images.error().Describe();
  std::string ami = images->Root().child("imagesSet").child("item").child("imageId").text().as_string();
  ASSERT_FALSE(ami.empty());
  auto run = aws_->Query("ec2", "RunInstances", {{"ImageId", ami}, {"MinCount", "1"}, {"MaxCount", "1"}, {"InstanceType", "t3.micro"}});
  ASSERT_TRUE(run) << run.error().Describe();
  std::string instance_id = run->Root().child("instancesSet").child("item").child("instanceId").text().as_string();
  ASSERT_FALSE(instance_id.empty());

  ASSERT_TRUE(ec2::ModifyInstanceSecurityGroups(*aws_, instance_id, {*sg}));
  ASSERT_TRUE(ec2::CreateTags(*aws_, {instance_id}, {{"cloudward:incident", "inc-1"}}));
  auto instances = ec2::DescribeInstances(*aws_, {instance_id});
  ASSERT_TRUE(instances) << instances.error().Describe();
  ASSERT_EQ(instances->size(), 1u);
  const auto& inst = (*instances)[0];
  EXPECT_EQ(inst.security_group_ids, std::vector<std::string>{*sg});
  EXPECT_EQ(inst.state, "running");
  EXPECT_NE(std::find(inst.tags.begin(), inst.tags.end(), std::pair<std::string, std::string>{"cloudward:incident", "inc-1"}),
            inst.tags.end());
  ASSERT_FALSE(inst.volume_ids.empty());
  auto snap = ec2::CreateSnapshot(*aws_, inst.volume_ids[0], "forensics", {{"cloudward:incident", "inc-1"}});
  ASSERT_TRUE(snap) << snap.error().Describe();
  EXPECT_TRUE(snap->starts_with("snap-"));

  auto missing = ec2::DescribeInstances(*aws_, {"i-0123456789abcdef0"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().aws_code, "InvalidInstanceID.NotFound");
}

TEST_F(MotoTest, IamDisableAccessKeyAndUserPolicy) {
  ASSERT_TRUE(aws_->Query("iam", "CreateUser", {{"UserName", "mallory"}}));
  auto created = aws_->Query("iam", "CreateAccessKey", {{"UserName", "mallory"}});
  ASSERT_TRUE(created) << created.error().Describe();
  std::string key_id = created->Result().child("AccessKey").child("AccessKeyId").text().as_string();
  ASSERT_FALSE(key_id.empty());

  auto keys = iam::ListAccessKeys(*aws_, "mallory");
  ASSERT_TRUE(keys) << keys.error().Describe();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].status, "Active");

  ASSERT_TRUE(iam::UpdateAccessKey(*aws_, "mallory", key_id, false));
  EXPECT_EQ(Boto3("k = boto3.client('iam').list_access_keys(UserName='mallory')['AccessKeyMetadata'][0]\n"
                  "print(k['AccessKeyId'], k['Status'])"),
            key_id + " Inactive");

  const std::string deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})";
  ASSERT_TRUE(iam::PutUserPolicy(*aws_, "mallory", "cloudward-deny-all", deny));
  auto got = aws_->Query("iam", "GetUserPolicy", {{"UserName", "mallory"}, {"PolicyName", "cloudward-deny-all"}});
  ASSERT_TRUE(got) << got.error().Describe();
  ASSERT_TRUE(iam::DeleteUserPolicy(*aws_, "mallory", "cloudward-deny-all"));
  auto gone = aws_->Query("iam", "GetUserPolicy", {{"UserName", "mallory"}, {"PolicyName", "cloudward-deny-all"}});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(gone.error().aws_code, "NoSuchEntity");
}

TEST_F(MotoTest, S3ObjectsPublicAccessBlockAndPolicy) {
  const std::string bucket = "cw-evidence-bucket";
  ASSERT_TRUE(s3::CreateBucket(*aws_, bucket));
  const std::string key = "cases/inc 1/caf\xc3\xa9+log.json";
  const std::string body = std::string("{\"a\":1}\n") + std::string(1000, 'x');
  auto etag = s3::PutObject(*aws_, bucket, key, body, "application/json");
  ASSERT_TRUE(etag) << etag.error().Describe();
  EXPECT_FALSE(etag->empty());
  auto got = s3::GetObject(*aws_, bucket, key);
  ASSERT_TRUE(got) << got.error().Describe();
  EXPECT_EQ(*got, body);
  EXPECT_EQ(Boto3("print(boto3.client('s3').get_object(Bucket='" + bucket + "', Key='cases/inc 1/caf\\u00e9+log.json')['ContentLength'])"),
            std::to_string(body.size()));

  auto missing = s3::GetObject(*aws_, bucket, "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().aws_code, "NoSuchKey");

  auto versions = s3::ListObjectVersions(*aws_, bucket, "cases/");
  ASSERT_TRUE(versions) << versions.error().Describe();
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].key, key);
  EXPECT_EQ((*versions)[0].size, static_cast<int64_t>(body.size()));

  auto none = s3::GetPublicAccessBlock(*aws_, bucket);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(s3::PutPublicAccessBlock(*aws_, bucket, {true, true, true, false}));
  auto pab = s3::GetPublicAccessBlock(*aws_, bucket);
  ASSERT_TRUE(pab) << pab.error().Describe();
  EXPECT_TRUE(pab->block_public_acls);
  EXPECT_TRUE(pab->block_public_policy);
  EXPECT_FALSE(pab->restrict_public_buckets);
  ASSERT_TRUE(s3::DeletePublicAccessBlock(*aws_, bucket));
  EXPECT_FALSE(s3::GetPublicAccessBlock(*aws_, bucket));

  auto no_policy = s3::GetBucketPolicy(*aws_, bucket);
  ASSERT_FALSE(no_policy);
  EXPECT_EQ(no_policy.error().aws_code, "NoSuchBucketPolicy");
  const std::string policy = R"({"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::cw-evidence-bucket/*"}]})";
  ASSERT_TRUE(s3::PutBucketPolicy(*aws_, bucket, policy));
  auto got_policy = s3::GetBucketPolicy(*aws_, bucket);
  ASSERT_TRUE(got_policy) << got_policy.error().Describe();
  EXPECT_EQ(nlohmann::json::parse(*got_policy), nlohmann::json::parse(policy));
  auto denied = s3::GetObject(*aws_, bucket, key);  // moto enforces the Deny statement
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kAccessDenied);

}

TEST_F(MotoTest, SqsSendReceiveDelete) {
  auto url = sqs::CreateQueue(*aws_, "cw-intake");
  ASSERT_TRUE(url) << url.error().Describe();
  auto again = sqs::GetQueueUrl(*aws_, "cw-intake");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *url);
  auto id = sqs::SendMessage(*aws_, *url, R"({"detail-type":"GuardDuty Finding"})");
  ASSERT_TRUE(id) << id.error().Describe();
  auto msgs = sqs::ReceiveMessage(*aws_, *url, 10, 1);
  ASSERT_TRUE(msgs) << msgs.error().Describe();
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ((*msgs)[0].message_id, *id);
  EXPECT_EQ((*msgs)[0].body, R"({"detail-type":"GuardDuty Finding"})");
  ASSERT_TRUE(sqs::DeleteMessage(*aws_, *url, (*msgs)[0].receipt_handle));
  auto empty = sqs::ReceiveMessage(*aws_, *url, 10, 0, 0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto missing = sqs::GetQueueUrl(*aws_, "no-such-queue");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(MotoTest, SnsCreateTopicAndPublish) {
  auto arn = sns::CreateTopic(*aws_, "cw-alerts");
  ASSERT_TRUE(arn) << arn.error().Describe();
  EXPECT_TRUE(arn->starts_with("arn:aws:sns:us-east-1:123456789012:cw-alerts"));
  auto id = sns::Publish(*aws_, *arn, "incident inc-1 opened", "cloudward");
  ASSERT_TRUE(id) << id.error().Describe();
  EXPECT_FALSE(id->empty());
  auto bad = sns::Publish(*aws_, "arn:aws:sns:us-east-1:123456789012:nope", "x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cloudward::aws
