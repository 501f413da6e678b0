#include "aws/aws_client.h"

#include <gtest/gtest.h>

#include "aws/services.h"
#include "aws/sigv4_signer.h"
#include "core/time.h"

namespace cloudward::aws {
namespace {

const int64_t kNow = *ParseIsoTime("2024-03-01T12:00:00Z");

struct Harness {
  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>(kNow);
  std::shared_ptr<RecordingSleeper> sleeper = std::make_shared<RecordingSleeper>(clock.get());
  std::map<std::string, std::string> env;

  AwsClient Client(std::string region = "us-east-1") {
    ClientConfig config;
    config.region = std::move(region);
    config.transport = transport;
    config.clock = clock;
    config.sleeper = sleeper;
    config.env = MapEnv(env);
    config.credentials = std::make_shared<StaticCredentialProvider>(Credentials{"AKID", "SECRET", "TOKEN", std::nullopt, "static"});
    config.retry.jitter = [] { return 0.5; };
    return AwsClient(std::move(config));
  }
};

constexpr char kCallerIdentity[] =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
    "<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>req-body-1</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>";

TEST(AwsClientTest, QuerySignsAndParsesAndKeepsRequestId) {
  Harness h;
  h.transport->Push(200, kCallerIdentity);
  AwsClient aws = h.Client("eu-west-1");
  auto id = sts::GetCallerIdentity(aws);
  ASSERT_TRUE(id) << id.error().Describe();
  EXPECT_EQ(id->account, "123456789012");
  EXPECT_EQ(id->arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(id->request_id, "req-body-1");
  auto sent = h.transport->requests().at(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_EQ(sent.body, "Action=GetCallerIdentity&Version=2011-06-15");
  auto auth = FindHeader(sent.headers, "Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->find("Credential=AKID/20240301/eu-west-1/sts/aws4_request"), std::string_view::npos);
  EXPECT_EQ(FindHeader(sent.headers, "X-Amz-Security-Token").value_or(""), "TOKEN");
  EXPECT_EQ(FindHeader(sent.headers, "X-Amz-Date").value_or(""), "20240301T120000Z");
}

TEST(AwsClientTest, IamIsGlobalAndSignedForUsEast1) {
  Harness h;
  h.transport->Push(200, "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata/><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>");
  AwsClient aws = h.Client("eu-central-1");
  ASSERT_TRUE(iam::ListAccessKeys(aws, "bob"));
  auto sent = h.transport->requests().at(0);
  EXPECT_EQ(sent.url, "https://iam.amazonaws.com/");
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/us-east-1/iam/aws4_request"), std::string_view::npos);
}

TEST(AwsClientTest, EndpointOverridesPerServiceAndGlobal) {
  Harness h;
  h.env = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"}, {"AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://sm:1"}};
  AwsClient aws = h.Client("eu-west-1");
  EXPECT_EQ(aws.EndpointFor("iam")->url, "http://127.0.0.1:5000");
  EXPECT_EQ(aws.EndpointFor("iam")->signing_region, "eu-west-1");
  EXPECT_EQ(aws.EndpointFor("secretsmanager")->url, "http://sm:1");
  EXPECT_FALSE(aws.EndpointFor("nosuchservice"));
}

TEST(AwsClientTest, PartitionsPickTheirDnsSuffixAndIamEndpoint) {
  EndpointOverrides none;
  EXPECT_EQ(ResolveEndpoint(*FindService("ec2"), "cn-north-1", none)->url, "https://ec2.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(ResolveEndpoint(*FindService("iam"), "cn-northwest-1", none)->signing_region, "cn-north-1");
  auto gov = ResolveEndpoint(*FindService("iam"), "us-gov-east-1", none);
  EXPECT_EQ(gov->url, "https://iam.us-gov.amazonaws.com");
  EXPECT_EQ(gov->signing_region, "us-gov-west-1");
  EXPECT_EQ(ResolveEndpoint(*FindService("sqs"), "ap-south-1", none)->url, "https://sqs.ap-south-1.amazonaws.com");
  EXPECT_FALSE(ResolveEndpoint(*FindService("sqs"), "", none));
  EXPECT_FALSE(ResolveEndpoint(*FindService("sqs"), "evil.com/x", none));
}

TEST(AwsClientTest, RetriesThrottlingWithFullJitterBackoffThenSucceeds) {
  Harness h;
  const char* throttled = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors><RequestID>r1</RequestID></Response>";
  h.transport->Push(503, throttled);
  h.transport->Push(503, throttled);
  h.transport->Push(200, "<CreateTagsResponse><return>true</return></CreateTagsResponse>");
  AwsClient aws = h.Client();
  ASSERT_TRUE(ec2::CreateTags(aws, {"i-1"}, {{"k", "v"}}));
  EXPECT_EQ(h.transport->request_count(), 3u);
  // jitter 0.5: 0.5 * 1 s, then 0.5 * 2 s
  EXPECT_EQ(h.sleeper->sleeps(), (std::vector<int64_t>{500, 1000}));
  // Each attempt is signed afresh with the advanced clock.
  EXPECT_EQ(FindHeader(h.transport->requests()[2].headers, "X-Amz-Date").value_or(""), "20240301T120001Z");
}

TEST(AwsClientTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  Harness h;
  h.transport->SetHandler([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{400, {{"x-amzn-RequestId", "rid-9"}},
                        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>rid-9</RequestId></ErrorResponse>"};
  });
  AwsClient aws = h.Client();
  auto r = aws.Query("iam", "ListUsers");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kThrottled);
  EXPECT_EQ(r.error().aws_code, "Throttling");
  EXPECT_EQ(r.error().request_id, "rid-9");
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(h.transport->request_count(), 3u);
  EXPECT_EQ(h.sleeper->sleeps().size(), 2u);
  Error plain = r.error();  // converts for Result<T> callers
  EXPECT_NE(plain.message.find("iam:ListUsers: Throttling: Rate exceeded (HTTP 400, request id rid-9)"), std::string::npos);
}

TEST(AwsClientTest, BackoffIsCappedAt20Seconds) {
  RetryPolicy p;
  p.jitter = [] { return 0.999; };
  EXPECT_EQ(p.BackoffMs(1), 999);
  EXPECT_EQ(p.BackoffMs(2), 1998);
  EXPECT_EQ(p.BackoffMs(10), 19980);
  EXPECT_EQ(p.BackoffMs(100), 19980);
  RetryPolicy random;
  for (int i = 0; i < 100; ++i) {
    int64_t d = random.BackoffMs(3);
    EXPECT_GE(d, 0);
    EXPECT_LT(d, 4000);
  }
}

TEST(AwsClientTest, DoesNotRetryAccessDenied) {
  Harness h;
  h.transport->Push(403, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message></Error></Errors><RequestID>ec2-rid</RequestID></Response>");
  AwsClient aws = h.Client();
  auto r = aws.Query("ec2", "DescribeInstances");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAccessDenied);
  EXPECT_EQ(r.error().request_id, "ec2-rid");
  EXPECT_EQ(h.transport->request_count(), 1u);
}

TEST(AwsClientTest, RetriesTransportTimeouts) {
  Harness h;
  h.transport->Push(Fail(ErrorCode::kTimeout, "timed out"));
  h.transport->Push(200, kCallerIdentity);
  AwsClient aws = h.Client();
  EXPECT_TRUE(sts::GetCallerIdentity(aws));
  EXPECT_EQ(h.transport->request_count(), 2u);
}

TEST(AwsClientTest, CorrectsClockSkewFromServerDate) {
  Harness h;
  h.transport->Push(HttpResponse{403, {{"Date", "Fri, 01 Mar 2024 12:30:00 GMT"}},
                                 "<Error><Code>RequestTimeTooSkewed</Code><Message>too skewed</Message></Error>"});
  h.transport->Push(200, "", {{"x-amz-request-id", "s3-rid"}});
  AwsClient aws = h.Client();
  auto r = aws.Rest({.service = "s3", .method = "DELETE", .bucket = "bucket-one", .query = {{"publicAccessBlock", ""}}});
  ASSERT_TRUE(r) << r.error().Describe();
  EXPECT_EQ(r->request_id, "s3-rid");
  EXPECT_EQ(aws.clock_skew_ms(), 30 * 60 * 1000);
  EXPECT_TRUE(h.sleeper->sleeps().empty());
  EXPECT_EQ(FindHeader(h.transport->requests()[1].headers, "X-Amz-Date").value_or(""), "20240301T123000Z");
}

TEST(AwsClientTest, JsonProtocolSetsTargetAndParsesErrors) {
  Harness h;
  h.transport->Push(200, R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"rh1","Body":"hello","Attributes":{"SentTimestamp":"1"}}]})",
                    {{"x-amzn-RequestId", "sqs-rid"}});
  h.transport->Push(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
                    {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  AwsClient aws = h.Client();
  auto msgs = sqs::ReceiveMessage(aws, "https://sqs.us-east-1.amazonaws.com/1/q", 5, 1);
  ASSERT_TRUE(msgs) << msgs.error().Describe();
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_EQ((*msgs)[0].receipt_handle, "rh1");
  EXPECT_EQ((*msgs)[0].attributes.at("SentTimestamp"), "1");
  auto sent = h.transport->requests()[0];
  EXPECT_EQ(FindHeader(sent.headers, "X-Amz-Target").value_or(""), "AmazonSQS.ReceiveMessage");
  EXPECT_EQ(FindHeader(sent.headers, "Content-Type").value_or(""), "application/x-amz-json-1.0");
  auto body = nlohmann::json::parse(sent.body);
  EXPECT_EQ(body["MaxNumberOfMessages"], 5);

  auto err = sqs::DeleteMessage(aws, "https://sqs.us-east-1.amazonaws.com/1/q", "rh1");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().aws_code, "QueueDoesNotExist");
  EXPECT_EQ(err.error().code, ErrorCode::kNotFound);
}

TEST(AwsClientTest, S3VirtualHostedUnlessCustomEndpointOrDottedBucket) {
  Harness h;
  h.transport->SetHandler([](const HttpRequest&) -> Result<HttpResponse> { return HttpResponse{200, {}, "{}"}; });
  AwsClient aws = h.Client("eu-west-1");
  ASSERT_TRUE(s3::GetObject(aws, "my-bucket", "dir/a b+c.txt"));
  ASSERT_TRUE(s3::GetObject(aws, "my.dotted.bucket", "k"));
  auto sent = h.transport->requests();
  EXPECT_EQ(sent[0].url, "https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc.txt");
  EXPECT_EQ(sent[1].url, "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k");
  EXPECT_TRUE(FindHeader(sent[0].headers, "x-amz-content-sha256"));

  Harness custom;
  custom.env = {{"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566"}};
  custom.transport->SetHandler([](const HttpRequest&) -> Result<HttpResponse> { return HttpResponse{200, {}, ""}; });
  AwsClient local = custom.Client();
  ASSERT_TRUE(s3::PutBucketPolicy(local, "my-bucket", R"({"Version":"2012-10-17"})"));
  auto put = custom.transport->requests()[0];
  EXPECT_EQ(put.url, "http://127.0.0.1:4566/my-bucket?policy=");
  EXPECT_EQ(FindHeader(put.headers, "Content-MD5").value_or(""), Md5Base64(R"({"Version":"2012-10-17"})"));
}

TEST(AwsClientTest, S3ErrorsMapToNotFoundAndKeepRequestId) {
  Harness h;
  h.transport->Push(404, "<?xml version=\"1.0\"?><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message><RequestId>s3rid</RequestId></Error>");
  h.transport->Push(HttpResponse{404, {{"x-amz-request-id", "head-rid"}}, ""});
  AwsClient aws = h.Client();
  auto r = s3::GetPublicAccessBlock(aws, "bucket-x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().request_id, "s3rid");
  auto head = aws.Rest({.service = "s3", .method = "HEAD", .bucket = "bucket-x", .path = "/k"});
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().aws_code, "NotFound");
  EXPECT_EQ(head.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(head.error().request_id, "head-rid");
}

TEST(AwsClientTest, PaginatesIamMarkersAndEc2NextTokens) {
  Harness h;
  h.transport->Push(200, "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>u</UserName><AccessKeyId>AK1</AccessKeyId><Status>Active</Status></member></AccessKeyMetadata><IsTruncated>true</IsTruncated><Marker>m1</Marker></ListAccessKeysResult></ListAccessKeysResponse>");
  h.transport->Push(200, "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member><UserName>u</UserName><AccessKeyId>AK2</AccessKeyId><Status>Inactive</Status></member></AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>");
  AwsClient aws = h.Client();
  auto keys = iam::ListAccessKeys(aws, "u");
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].status, "Inactive");
  EXPECT_NE(h.transport->requests()[1].body.find("Marker=m1"), std::string::npos);

  h.transport->Push(200, "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>i-1</instanceId><instanceState><name>running</name></instanceState><groupSet><item><groupId>sg-1</groupId></item></groupSet></item></instancesSet></item></reservationSet><nextToken>t2</nextToken></DescribeInstancesResponse>");
  h.transport->Push(200, "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>i-2</instanceId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>");
  auto instances = ec2::DescribeInstances(aws, {}, {{"tag:env", {"prod", "dev"}}});
  ASSERT_TRUE(instances);
  ASSERT_EQ(instances->size(), 2u);
  EXPECT_EQ((*instances)[0].security_group_ids, std::vector<std::string>{"sg-1"});
  EXPECT_EQ((*instances)[0].state, "running");
  auto third = h.transport->requests()[2].body;
  EXPECT_NE(third.find("Filter.1.Name=tag%3Aenv&Filter.1.Value.1=prod&Filter.1.Value.2=dev"), std::string::npos);
  EXPECT_NE(h.transport->requests()[3].body.find("NextToken=t2"), std::string::npos);
}

TEST(AwsClientTest, PaginationStopsOnARepeatedToken) {
  int calls = 0;
  auto status = Paginate([&](const std::string&) -> AwsResult<std::string> {
    ++calls;
    return std::string("same");
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(calls, 2);
}

TEST(AwsClientTest, RestJsonErrorFromHeader) {
  Harness h;
  h.transport->Push(HttpResponse{404, {{"X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}, {"x-amzn-RequestId", "gd"}},
                                 R"({"message":"detector not found"})"});
  AwsClient aws = h.Client();
  auto r = aws.RestJson({.service = "guardduty", .path = "/detector/abc/findings/get", .body = "{}"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().aws_code, "ResourceNotFoundException");
  EXPECT_EQ(r.error().message, "detector not found");
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST(AwsErrorTest, MapsCodes) {
  EXPECT_EQ(MapAwsErrorCode("AccessDeniedException", 400), ErrorCode::kAccessDenied);
  EXPECT_EQ(MapAwsErrorCode("InvalidInstanceID.NotFound", 400), ErrorCode::kNotFound);
  EXPECT_EQ(MapAwsErrorCode("NoSuchEntity", 404), ErrorCode::kNotFound);
  EXPECT_EQ(MapAwsErrorCode("SlowDown", 503), ErrorCode::kThrottled);
  EXPECT_EQ(MapAwsErrorCode("ProvisionedThroughputExceededException", 400), ErrorCode::kThrottled);
  EXPECT_EQ(MapAwsErrorCode("EntityAlreadyExists", 409), ErrorCode::kAlreadyExists);
  EXPECT_EQ(MapAwsErrorCode("InvalidGroup.Duplicate", 400), ErrorCode::kAlreadyExists);
  EXPECT_EQ(MapAwsErrorCode("OperationAborted", 409), ErrorCode::kConflict);
  EXPECT_EQ(MapAwsErrorCode("InvalidParameterValue", 400), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MapAwsErrorCode("InternalError", 500), ErrorCode::kUnavailable);
  EXPECT_EQ(MapAwsErrorCode("WeirdNewThing", 418), ErrorCode::kInternal);
}

TEST(AwsErrorTest, UnparsableBodiesFallBackToStatus) {
  auto e = ParseErrorResponse(HttpResponse{502, {}, "<html>bad gateway"});
  EXPECT_EQ(e.aws_code, "BadGateway");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable);
  auto j = ParseErrorResponse(HttpResponse{400, {}, "{\"__type\": 5}"});
  EXPECT_EQ(j.aws_code, "BadRequest");
}

TEST(HttpDateTest, Parses) {
  EXPECT_EQ(ParseHttpDate("Fri, 01 Mar 2024 12:30:00 GMT"), *ParseIsoTime("2024-03-01T12:30:00Z"));
  EXPECT_FALSE(ParseHttpDate("yesterday"));
}

}  // namespace
}  // namespace cloudward::aws
