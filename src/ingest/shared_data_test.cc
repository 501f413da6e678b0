// Every log format in ../shared/data (third-party samples) reads correctly.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/time.h"
#include "ingest/ingest_test_util.h"
#include "ingest/scan.h"

namespace cloudward::ingest {
namespace {

namespace fs = std::filesystem;
using testing::CollectingSink;
using testing::ReadFileBytes;
using testing::SharedData;

#define REQUIRE_SHARED_DATA() \
  if (!testing::HaveSharedData()) GTEST_SKIP() << "needs ../shared/data"

struct Result {
  CollectingSink sink;
  IngestStats stats;
};

Result ReadPath(const std::string& path, ScanOptions options = {}) {
  Result r;
  LogReader reader;
  reader.ReadFile(path, r.sink, r.stats, options);
  return r;
}

Result ReadText(std::string_view name, std::string_view text, ScanOptions options = {}) {
  Result r;
  LogReader reader;
  reader.ReadBuffer(name, text, r.sink, r.stats, options);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

// Collects the minified value at `key` of each JSON line whose `filter_key` equals `filter`.
std::vector<std::string> ExtractFromJsonLines(const std::string& path, std::string_view key,
                                              std::string_view filter_key = {},
                                              std::string_view filter = {}) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (const std::string& line : Lines(ReadFileBytes(path))) {
    if (line.empty()) continue;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc)) continue;
    if (!filter_key.empty()) {
      std::string_view v;
      if (doc[filter_key].get_string().get(v) || v != filter) continue;
    }
    simdjson::dom::element value;
    if (doc[key].get(value)) continue;
    out.push_back(simdjson::minify(value));
  }
  return out;
}

TEST(SharedDataTest, AwsDocsCloudTrailExamples) {
  REQUIRE_SHARED_DATA();
  auto records = ExtractFromJsonLines(SharedData() + "/awsdocs/cloudtrail_examples.jsonl", "event");
  ASSERT_EQ(records.size(), 21u);
  std::string text;
  for (const auto& r : records) text += r + "\n";
  ScanOptions options;
  options.dedup = false;
  Result r = ReadText("cloudtrail_examples.jsonl", text, options);
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_EQ(r.stats.events[0], 21u);
  ASSERT_EQ(r.sink.events.size(), 21u);
  const auto& first = r.sink.events[0];
  EXPECT_EQ(first.context.event_name, "ConsoleLogin");
  EXPECT_EQ(first.context.event_source, "signin.amazonaws.com");
  EXPECT_EQ(first.context.actor.arn, "arn:aws:iam::111122223333:user/anaya");
  EXPECT_EQ(first.context.actor.user_name, "anaya");
  EXPECT_EQ(first.context.region, "us-east-2");
  EXPECT_EQ(first.time_ms, *ParseIsoTime("2022-11-10T16:24:34Z"));
  size_t insights = 0;
  for (const auto& e : r.sink.events) {
    // Insight events name the API in insightDetails; one example is a bare userIdentity block.
    if (e.Has("eventName") || e.Has("insightDetails")) {
      EXPECT_FALSE(e.context.event_name.empty()) << e.raw;
      EXPECT_FALSE(e.context.event_source.empty()) << e.raw;
    }
    insights += e.Has("insightDetails");
    EXPECT_EQ(e.raw, records[e.line - 1]);
  }
  EXPECT_EQ(insights, 3u);
}

TEST(SharedDataTest, AwsDocsVpcFlowExamplesMixedFormats) {
  REQUIRE_SHARED_DATA();
  std::string path = SharedData() + "/awsdocs/vpcflow_examples.txt";
  // Expected: every line that is neither a '#' annotation nor a header.
  size_t records = 0;
  for (const std::string& line : Lines(ReadFileBytes(path))) {
    if (!line.empty() && line[0] != '#' && line.rfind("version ", 0) != 0) ++records;
  }
  ASSERT_GT(records, 15u);
  Result r = ReadPath(path);
  EXPECT_EQ(r.stats.malformed, 0u);
  for (const auto& e : r.stats.errors) ADD_FAILURE() << e.line << ": " << e.reason;
  ASSERT_EQ(r.sink.events.size(), records);
  EXPECT_EQ(r.stats.events[static_cast<size_t>(LogType::kVpcFlow)], records);
  const auto& v2 = r.sink.events[0];
  EXPECT_EQ(v2.Get("srcaddr"), "172.31.16.139");
  EXPECT_EQ(v2.GetInt("dstport"), 22);
  EXPECT_EQ(v2.GetInt("bytes"), 4249);
  EXPECT_EQ(v2.line, 2u);
  // The v3 header: instance-id and tcp-flags as named there.
  bool saw_v3 = false, saw_v5 = false;
  for (const auto& e : r.sink.events) {
    if (e.GetInt("version") == 3 && e.Has("pkt-srcaddr") && e.Get("instance-id") == "i-01234567890123456" &&
        e.GetInt("tcp-flags") == 2 && e.Get("type") == "IPv4") {
      saw_v3 = true;
    }
    if (e.GetInt("version") == 5 && e.Get("flow-direction") == "egress") {
      saw_v5 = true;
      EXPECT_EQ(e.Get("pkt-dst-aws-service"), "S3");
      EXPECT_EQ(e.GetInt("traffic-path"), 8);
      EXPECT_EQ(e.Get("region"), "ap-southeast-2");
      EXPECT_EQ(e.context.region, "ap-southeast-2");
      EXPECT_EQ(e.context.resources,
                (std::vector<std::string>{"eni-1235b8ca123456789", "i-0c50d5961bcb2d47b"}));
      EXPECT_FALSE(e.Has("sublocation-type"));
    }
  }
  EXPECT_TRUE(saw_v3);
  EXPECT_TRUE(saw_v5);
}

TEST(SharedDataTest, ElasticVpcFlowSamples) {
  REQUIRE_SHARED_DATA();
  std::string dir = SharedData() + "/elastic-integrations-aws-pipeline-tests/vpcflow/";
  Result extra = ReadPath(dir + "test-extra-samples.log");
  EXPECT_EQ(extra.sink.events.size(), 7u);
  EXPECT_EQ(extra.stats.malformed, 0u);
  EXPECT_EQ(extra.sink.events[0].Get("srcaddr"), "2001:db8:1234:a100:8d6e:3477:df66:f105");

  Result tcp = ReadPath(dir + "test-tcp-flag-sequence.log");
  ASSERT_EQ(tcp.sink.events.size(), 3u);
  EXPECT_EQ(tcp.stats.malformed, 0u);
  EXPECT_EQ(tcp.sink.events[0].GetInt("tcp-flags"), 2);
  EXPECT_EQ(tcp.sink.events[2].Get("log-status"), "NODATA");
  EXPECT_EQ(tcp.sink.events[2].line, 6u);

  Result tgw = ReadPath(dir + "test-tgw-samples.log");
  EXPECT_EQ(tgw.sink.events.size(), 10u);
  EXPECT_EQ(tgw.stats.malformed, 0u);
  ASSERT_FALSE(tgw.sink.events.empty());
  EXPECT_EQ(tgw.sink.events[0].Get("tgw-id"), "tgw-0a12bc34de56f7890");
  EXPECT_EQ(tgw.sink.events[0].Get("srcaddr"), "1.128.0.0");
  EXPECT_EQ(tgw.sink.events[0].GetInt("dstport"), 22);
  EXPECT_EQ(tgw.sink.events[0].Get("flow-direction"), "ingress");
  EXPECT_EQ(tgw.sink.events[0].Get("log-status"), "SKIPDATA");

  // v5 "all fields" without a header, checked against elastic's expected output.
  Result v5 = ReadPath(dir + "test-v5-all-fields.log");
  ASSERT_EQ(v5.sink.events.size(), 1u);
  const auto& e = v5.sink.events[0];
  EXPECT_EQ(e.Get("account-id"), "64111117617");
  EXPECT_EQ(e.Get("interface-id"), "eni-069xxxxxb7a490");
  EXPECT_EQ(e.GetInt("srcport"), 50041);
  EXPECT_EQ(e.GetInt("dstport"), 33004);
  EXPECT_EQ(e.GetInt("protocol"), 17);
  EXPECT_EQ(e.GetInt("packets"), 52);
  EXPECT_EQ(e.GetInt("start"), 164000066);
  EXPECT_EQ(e.time_ms, int64_t{164000066} * 1000);
  EXPECT_EQ(e.Get("vpc-id"), "vpc-09676f97xxxxxb8a7");
  EXPECT_EQ(e.Get("pkt-dstaddr"), "10.200.0.80");
  EXPECT_EQ(e.Get("az-id"), "use1-az5");
  EXPECT_EQ(e.Get("pkt-src-aws-service"), "AMAZON");
  EXPECT_EQ(e.Get("pkt-dst-aws-service"), "CLOUDFRONT");
  EXPECT_EQ(e.Get("flow-direction"), "ingress");
  EXPECT_EQ(e.GetInt("traffic-path"), 1);
  EXPECT_FALSE(e.Has("sublocation-type"));

  Result v8 = ReadPath(dir + "test-v8-samples.log");
  ASSERT_EQ(v8.sink.events.size(), 1u);
  EXPECT_EQ(v8.sink.events[0].Get("reject-reason"), "BPA");
  EXPECT_EQ(v8.sink.events[0].Get("ecs-service-name"), "payments-service");
  EXPECT_EQ(v8.sink.events[0].Get("action"), "REJECT");

  Result msg = ReadPath(dir + "test-with-message-field.log");
  ASSERT_EQ(msg.sink.events.size(), 1u);
  EXPECT_EQ(msg.sink.events[0].type, LogType::kVpcFlow);
  EXPECT_EQ(msg.sink.events[0].Get("log-status"), "NODATA");
  EXPECT_EQ(msg.sink.events[0].Get("interface-id"), "eni-0e0bf7be352692297");
}

TEST(SharedDataTest, ElasticS3AccessLog) {
  REQUIRE_SHARED_DATA();
  std::string path =
      SharedData() + "/elastic-integrations-aws-pipeline-tests/s3access/test-s3-server-access.log";
  size_t lines = 0;
  for (const auto& l : Lines(ReadFileBytes(path))) lines += !l.empty();
  Result r = ReadPath(path);
  for (const auto& e : r.stats.errors) ADD_FAILURE() << e.line << ": " << e.reason;
  EXPECT_EQ(r.sink.events.size(), lines);
  EXPECT_EQ(r.stats.malformed, 0u);
  ASSERT_FALSE(r.sink.events.empty());
  const auto& a = r.sink.events[0];
  EXPECT_EQ(a.Get("bucketowner"), "36c1f05b76016b78528454e6e0c60e2b7ff7aa20c0a5e4c748276e5b0a2debd2");
  EXPECT_EQ(a.Get("bucket"), "test-s3-ks");
  EXPECT_EQ(a.Get("time"), "2019-08-01T00:24:41Z");
  EXPECT_EQ(a.Get("remoteip"), "89.160.20.156");
  EXPECT_EQ(a.Get("operation"), "REST.GET.LOCATION");
  EXPECT_EQ(a.GetInt("httpstatus"), 200);
  EXPECT_EQ(a.GetInt("bytessent"), 142);
  EXPECT_EQ(a.GetInt("totaltime"), 17);
  EXPECT_EQ(a.Get("signatureversion"), "SigV4");
  EXPECT_EQ(a.Get("tlsversion"), "TLSv1.2");
  EXPECT_EQ(a.Get("hostheader"), "s3.ap-southeast-1.amazonaws.com");
  EXPECT_EQ(a.context.source_ip, "89.160.20.156");
  EXPECT_EQ(a.context.actor.session,
            "TrustedAdvisor_627959692251_784ab70b-8cc9-4d37-a2ec-2ff4d0c08af9");
  bool lifecycle = false;
  for (const auto& e : r.sink.events) lifecycle |= e.Get("operation") == "S3.EXPIRE.OBJECT";
  EXPECT_TRUE(lifecycle);
}

TEST(SharedDataTest, ElasticGuardDuty) {
  REQUIRE_SHARED_DATA();
  Result r = ReadPath(SharedData() +
                      "/elastic-integrations-aws-pipeline-tests/guardduty/test-guardduty.log");
  EXPECT_EQ(r.stats.events[static_cast<size_t>(LogType::kGuardDuty)], 5u);
  EXPECT_EQ(r.sink.events.size(), 5u);
  EXPECT_EQ(r.stats.malformed, 0u);
  ASSERT_FALSE(r.sink.events.empty());
  const auto& c = r.sink.events[0].context;
  EXPECT_EQ(c.event_name, "Trojan:EC2/BlackholeTraffic!DNS");
  EXPECT_EQ(c.event_source, "guardduty.amazonaws.com");
  EXPECT_EQ(c.account, "123412341234");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.event_id, "d6012345678912345678912349f831b8f");
  ASSERT_FALSE(c.resources.empty());
  EXPECT_EQ(c.resources[0], "i-99999999");
  for (const auto& e : r.sink.events) EXPECT_NE(e.time_ms, kUnknownTime);
}

TEST(SharedDataTest, GuardDutySamples) {
  REQUIRE_SHARED_DATA();
  std::string dir = SharedData() + "/guardduty-samples/aws-samples-automated-response/events/";
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    Result r = ReadPath(entry.path().string());
    ++files;
    ASSERT_EQ(r.sink.events.size(), 1u) << entry.path();
    EXPECT_EQ(r.sink.events[0].type, LogType::kGuardDuty);
    EXPECT_EQ(r.stats.malformed, 0u);
    EXPECT_NE(r.sink.events[0].time_ms, kUnknownTime);
    EXPECT_EQ(r.sink.events[0].context.event_source, "guardduty.amazonaws.com");
    EXPECT_FALSE(r.sink.events[0].context.event_name.empty());
  }
  EXPECT_EQ(files, 3u);
  Result ec2 = ReadPath(dir + "guardduty_ec2_event.json");
  ASSERT_EQ(ec2.sink.events.size(), 1u);
  EXPECT_EQ(ec2.sink.events[0].context.event_name, "Canary:EC2/Stateless.IntegTest");
  EXPECT_EQ(ec2.sink.events[0].context.account, "123456789012");
}

TEST(SharedDataTest, OtrfReshippedCloudTrail) {
  REQUIRE_SHARED_DATA();
  std::string path = SharedData() +
                     "/otrf-security-datasets/extracted/ec2_proxy_s3_exfiltration/"
                     "ec2_proxy_s3_exfiltration_2020-09-14011940.json";
  size_t lines = 0;
  for (const auto& l : Lines(ReadFileBytes(path))) lines += !l.empty();
  ScanOptions options;
  options.dedup = false;
  Result r = ReadPath(path, options);
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_EQ(r.sink.events.size(), lines);
  EXPECT_EQ(r.stats.events[0], lines);
  for (const auto& e : r.sink.events) {
    EXPECT_EQ(e.type, LogType::kCloudTrail);
    EXPECT_NE(e.time_ms, kUnknownTime);
    EXPECT_EQ(e.time_ms, *ParseIsoTime(e.Get("@timestamp")));
    EXPECT_FALSE(e.context.event_name.empty());
  }
}

TEST(SharedDataTest, TrailDiscoverEveryExampleParses) {
  REQUIRE_SHARED_DATA();
  std::string dir = SharedData() + "/traildiscover/docs/logExamples";
  size_t files = 0;
  size_t empty_arrays = 0, events = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".cloudtrail") continue;
    ++files;
    ScanOptions options;
    options.dedup = false;
    Result r = ReadPath(entry.path().string(), options);
    // A few examples are "[]": they must read as nothing, without an error.
    bool empty_array = ReadFileBytes(entry.path()).find('{') == std::string::npos;
    empty_arrays += empty_array;
    events += r.sink.events.size();
    if (!empty_array) {
      EXPECT_GE(r.sink.events.size(), 1u) << entry.path();
    }
    EXPECT_EQ(r.stats.malformed, 0u) << entry.path();
    EXPECT_TRUE(r.stats.errors.empty()) << entry.path() << ": "
                                        << (r.stats.errors.empty() ? "" : r.stats.errors[0].reason);
    for (const auto& e : r.sink.events) {
      EXPECT_EQ(e.type, LogType::kCloudTrail) << entry.path();
      EXPECT_FALSE(e.context.event_name.empty()) << entry.path();
    }
  }
  EXPECT_GT(files, 500u);
  EXPECT_LT(empty_arrays, 30u);
  EXPECT_GE(events, files - empty_arrays);
}

TEST(SharedDataTest, PantherCloudTrailGuardDutyFlowAndS3) {
  REQUIRE_SHARED_DATA();
  std::string path = SharedData() + "/panther-analysis/panther_aws_tests.jsonl";
  auto cloudtrail = ExtractFromJsonLines(path, "log", "log_type", "AWS.CloudTrail");
  ASSERT_EQ(cloudtrail.size(), 475u);
  std::string text;
  for (const auto& r : cloudtrail) text += r + "\n";
  ScanOptions options;
  options.dedup = false;
  Result r = ReadText("panther_cloudtrail.jsonl", text, options);
  EXPECT_EQ(r.stats.malformed, 0u);
  // Test fragments of a few fields (no eventSource/eventTime/...) are reported, not guessed.
  EXPECT_EQ(r.sink.events.size() + r.stats.skipped["unsupported_record"], 475u);
  EXPECT_GE(r.sink.events.size(), 455u);
  for (const auto& e : r.sink.events) EXPECT_EQ(e.type, LogType::kCloudTrail);

  auto guardduty = ExtractFromJsonLines(path, "log", "log_type", "AWS.GuardDuty");
  ASSERT_EQ(guardduty.size(), 8u);
  std::string gd_text;
  for (const auto& g : guardduty) gd_text += g + "\n";
  Result gd = ReadText("panther_guardduty.jsonl", gd_text);
  EXPECT_EQ(gd.stats.events[static_cast<size_t>(LogType::kGuardDuty)], 8u);
  EXPECT_EQ(gd.stats.malformed, 0u);
}

}  // namespace
}  // namespace cloudward::ingest
