// SQS message bodies the daemon cannot use in full: what it skips, and that it says why.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve/intake.h"

namespace cloudward::serve {
namespace {

using nlohmann::json;

json S3Record(const std::string& event, const json& s3) {
  return {{"eventVersion", "2.1"}, {"eventSource", "aws:s3"}, {"eventName", event}, {"s3", s3}};
}

json Object(const std::string& bucket, const std::string& key) {
  return {{"bucket", {{"name", bucket}}}, {"object", {{"key", key}}}};
}

std::string Sns(const std::string& message) { return json{{"Type", "Notification"}, {"Message", message}}.dump(); }

TEST(ParseIntakeMessage, ReadsCreatedObjectsAndSkipsDeletions) {
  json body = {{"Records", {S3Record("ObjectCreated:Put", Object("b", "new.json.gz")),
                            S3Record("ObjectRemoved:Delete", Object("b", "gone.json.gz")),
                            S3Record("ObjectCreated:CompleteMultipartUpload", Object("b", "big%20file.gz"))}}};
  IntakeMessage m = ParseIntakeMessage(body.dump());
  ASSERT_EQ(m.objects.size(), 2u);
  EXPECT_EQ(m.objects[0], (S3ObjectRef{"b", "new.json.gz"}));
  EXPECT_EQ(m.objects[1], (S3ObjectRef{"b", "big file.gz"}));
  EXPECT_TRUE(m.problems.empty());
  EXPECT_TRUE(m.payload.empty());
}

TEST(ParseIntakeMessage, RecordsWithoutBucketOrKeyAreProblemsNamingTheRecord) {
  json body = {{"Records", {S3Record("ObjectCreated:Put", Object("b", "ok.gz")),
                            S3Record("ObjectCreated:Put", {{"bucket", {{"name", "b"}}}, {"object", {}}}),
                            S3Record("ObjectCreated:Put", {{"bucket", "b"}, {"object", {{"key", 7}}}})}}};
  IntakeMessage m = ParseIntakeMessage(body.dump());
  ASSERT_EQ(m.objects.size(), 1u);
  ASSERT_EQ(m.problems.size(), 2u);
  EXPECT_NE(m.problems[0].find("Records[1]"), std::string::npos) << m.problems[0];
  EXPECT_NE(m.problems[1].find("Records[2]"), std::string::npos) << m.problems[1];
  EXPECT_NE(m.problems[0].find("s3.object.key"), std::string::npos) << m.problems[0];
}

TEST(ParseIntakeMessage, SnsEnvelopesAreUnwrappedUpToTheLimit) {
  std::string body = json{{"Records", {S3Record("ObjectCreated:Put", Object("b", "k"))}}}.dump();
  for (int depth = 1; depth <= kMaxSnsDepth; ++depth) {
    body = Sns(body);
    IntakeMessage m = ParseIntakeMessage(body);
    ASSERT_EQ(m.objects.size(), 1u) << depth;
    EXPECT_TRUE(m.problems.empty());
  }
  IntakeMessage too_deep = ParseIntakeMessage(Sns(body));
  EXPECT_TRUE(too_deep.objects.empty());
  EXPECT_TRUE(too_deep.payload.empty()) << "an envelope is never read as log records";
  ASSERT_EQ(too_deep.problems.size(), 1u);
  EXPECT_NE(too_deep.problems[0].find("nested more than 3"), std::string::npos) << too_deep.problems[0];
}

TEST(ParseIntakeMessage, SnsWithoutAStringMessageIsAProblem) {
  IntakeMessage m = ParseIntakeMessage(R"({"Type":"Notification","Message":{"Records":[]}})");
  EXPECT_TRUE(m.payload.empty() && m.objects.empty());
  ASSERT_EQ(m.problems.size(), 1u);
  EXPECT_NE(m.problems[0].find("Message is not a string"), std::string::npos);
  IntakeMessage inner = ParseIntakeMessage(Sns(R"({"Type":"Notification","Message":5})"));
  ASSERT_EQ(inner.problems.size(), 1u);
  EXPECT_EQ(inner.problems[0].rfind("SNS Message: ", 0), 0u) << inner.problems[0];
}

TEST(ParseIntakeMessage, SnsCarryingEventBridgeCloudTrailIsPayload) {
  const std::string event =
      R"({"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"eventID":"e"}})";
  IntakeMessage m = ParseIntakeMessage(Sns(event));
  EXPECT_EQ(m.payload, event);
  EXPECT_TRUE(m.objects.empty());
}

TEST(ParseIntakeMessage, EventBridgeS3EventsOtherThanCreatedAreSkipped) {
  json created = {{"source", "aws.s3"}, {"detail-type", "Object Created"}, {"detail", Object("b", "a b.gz")}};
  IntakeMessage m = ParseIntakeMessage(created.dump());
  ASSERT_EQ(m.objects.size(), 1u);
  EXPECT_EQ(m.objects[0].key, "a b.gz") << "EventBridge keys are not form-encoded";
  json deleted = {{"source", "aws.s3"}, {"detail-type", "Object Deleted"}, {"detail", Object("b", "k")}};
  IntakeMessage d = ParseIntakeMessage(deleted.dump());
  EXPECT_TRUE(d.objects.empty() && d.payload.empty() && d.problems.empty());
  // A CloudTrail API call on S3 delivered by EventBridge is an event to read.
  json api_call = {{"source", "aws.s3"}, {"detail-type", "AWS API Call via CloudTrail"},
                   {"detail", {{"eventName", "PutBucketPolicy"}, {"requestParameters", {{"bucketName", "b"}}}}}};
  EXPECT_EQ(ParseIntakeMessage(api_call.dump()).payload, api_call.dump());
}

TEST(DecodeS3Key, FormDecodingLeavesBadEscapesAlone) {
  EXPECT_EQ(DecodeS3Key("a+b%3Dc%2Fd"), "a b=c/d");
  EXPECT_EQ(DecodeS3Key("%zz%4%"), "%zz%4%");
  EXPECT_EQ(DecodeS3Key("%41%4"), "A%4");
  EXPECT_EQ(DecodeS3Key(""), "");
}

}  // namespace
}  // namespace cloudward::serve
