#include "core/finding_json.h"

#include <gtest/gtest.h>

namespace cloudward {
namespace {

Finding SampleFinding() {
  Finding f;
  f.rule = {"rule-1", "Access key created for another user", Level::kHigh,
            {"attack.persistence", "attack.t1098.001"}};
  f.log_type = LogType::kCloudTrail;
  f.context.time_ms = 1704164645000;
  f.context.account = "111122223333";
  f.context.region = "us-east-1";
  f.context.actor = {"IAMUser", "arn:aws:iam::111122223333:user/alice", "AKIAEXAMPLE", "", "alice",
                     "111122223333"};
  f.context.source_ip = "203.0.113.7";
  f.context.event_source = "iam.amazonaws.com";
  f.context.event_name = "CreateAccessKey";
  f.context.event_id = "e-1";
  f.source_file = "logs/a.json.gz";
  f.source_offset = 42;
  f.record = R"({"eventName":"CreateAccessKey","eventID":"e-1"})";
  return f;
}

TEST(FindingJson, HasTheDocumentedKeys) {
  auto j = FindingToJson(SampleFinding());
  EXPECT_EQ(j["rule"]["id"], "rule-1");
  EXPECT_EQ(j["rule"]["level"], "high");
  EXPECT_EQ(j["time"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(j["actor"]["access_key_id"], "AKIAEXAMPLE");
  EXPECT_EQ(j["actor"]["session"], nullptr);
  EXPECT_EQ(j["log_type"], "cloudtrail");
  EXPECT_EQ(j["source"]["offset"], 42);
  EXPECT_EQ(j["record"]["eventID"], "e-1");  // the record stays JSON, not a string
}

TEST(FindingJson, RoundTrips) {
  Finding f = SampleFinding();
  f.group = {{"userIdentity.accessKeyId", "AKIAEXAMPLE"}};
  f.related = {"a:1", "b:2"};
  auto back = FindingFromJson(FindingToJson(f));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(FindingToJson(*back), FindingToJson(f));
}

TEST(FindingJson, LogLineRecordStaysAString) {
  Finding f = SampleFinding();
  f.log_type = LogType::kVpcFlow;
  f.record = "2 123 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK";
  auto j = FindingToJson(f);
  EXPECT_TRUE(j["record"].is_string());
}

TEST(FindingJson, LineIsTheSameJsonOnOneLine) {
  Finding f = SampleFinding();
  f.record = "{\n  \"eventName\": \"CreateAccessKey\",\n  \"requestParameters\": {\"userName\": \"a b\\n\u00e9\"},\n  \"x\": [1, 2]\n}";
  std::string line = FindingToJsonLine(f);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line even for a pretty-printed record";
  EXPECT_EQ(nlohmann::json::parse(line), FindingToJson(f));
  f.log_type = LogType::kS3Access;
  f.record = "owner bucket [06/Feb/2019:00:00:38 +0000] \"quoted\" \\ -";
  EXPECT_EQ(nlohmann::json::parse(FindingToJsonLine(f)), FindingToJson(f)) << "a log line stays a string";
  f.record = "{not json";
  EXPECT_EQ(nlohmann::json::parse(FindingToJsonLine(f)), FindingToJson(f)) << "broken JSON text stays a string";
  f.record.clear();
  EXPECT_EQ(nlohmann::json::parse(FindingToJsonLine(f)), FindingToJson(f));
}

TEST(FindingLineFormat, JsonlWithAndWithoutTheRecord) {
  Finding f = SampleFinding();
  f.record = R"({ "eventName": "CreateAccessKey", "n": [1, 2] })";
  const FindingLineFormat with(FindingLineFormat::Kind::kJsonl, true);
  std::string line;
  with.Append(line, ViewOf(f), with.Record(f.record));
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(nlohmann::json::parse(line), FindingToJson(f));
  EXPECT_NE(line.find(f.record), std::string::npos) << "a record on one line goes in as it was read";
  f.record = "{\n  \"eventName\": \"CreateAccessKey\"\n}";
  line.clear();
  with.Append(line, ViewOf(f), with.Record(f.record));
  EXPECT_EQ(line, FindingToJsonLine(f) + "\n") << "one that spans lines is minified";
  f.record = "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1 2 ACCEPT OK";
  line.clear();
  with.Append(line, ViewOf(f), with.Record(f.record));
  EXPECT_EQ(line, FindingToJsonLine(f) + "\n") << "a log line is a string";
  f.record = R"({ "eventName": "CreateAccessKey", "n": [1, 2] })";

  const FindingLineFormat without(FindingLineFormat::Kind::kJsonl, false);
  EXPECT_EQ(without.Record(f.record), "");
  line.clear();
  without.Append(line, ViewOf(f), without.Record(f.record));
  ASSERT_EQ(line.back(), '\n');
  nlohmann::json expected = FindingToJson(f);
  expected.erase("record");
  EXPECT_EQ(nlohmann::json::parse(line), expected) << "everything but the record, which source points at";
  EXPECT_EQ(line.find("record"), std::string::npos);
}

TEST(FindingLineFormat, OcsfWithAndWithoutRawData) {
  Finding f = SampleFinding();
  const FindingLineFormat with(FindingLineFormat::Kind::kOcsf, true);
  std::string line;
  with.Append(line, ViewOf(f), with.Record(f.record));
  EXPECT_EQ(nlohmann::json::parse(line), FindingToOcsf(f));
  const FindingLineFormat without(FindingLineFormat::Kind::kOcsf, false);
  line.clear();
  without.Append(line, ViewOf(f), without.Record(f.record));
  nlohmann::json expected = FindingToOcsf(f);
  expected.erase("raw_data");
  EXPECT_EQ(nlohmann::json::parse(line), expected);
}

TEST(FindingJson, LineHasTheBytesOfTheDocumentDump) {
  // FindingToJsonLine writes by hand what FindingToJson(f).dump() gives: same keys, same order
  // (but the record last), same escapes, with and without the optional members, nulls.
  auto dump = [](const Finding& f) {
    nlohmann::json j = FindingToJson(f);
    const std::string record = j["record"].dump();
    j.erase("record");
    std::string text = j.dump();
    text.pop_back();
    return text + ",\"record\":" + record + "}";
  };
  Finding f = SampleFinding();
  f.record = R"({"eventName":"CreateAccessKey","n":[1,2.5,null,true]})";
  EXPECT_EQ(FindingToJsonLine(f), dump(f));
  f.group = {{"z", "last"}, {"a", "tab\there \"quoted\" \u00e9\x01"}, {"z", "wins"}};
  f.related = {"a.json:1", "b.json:2"};
  f.context = EventContext{};
  f.context.user_agent = "agent\n\r\b\f\\";
  f.rule.tags.clear();
  EXPECT_EQ(FindingToJsonLine(f), dump(f));
}

TEST(FindingJson, RejectsMalformed) {
  EXPECT_FALSE(FindingFromJson(nlohmann::json::array()));
  EXPECT_FALSE(FindingFromJson({{"rule", {{"id", "x"}}}, {"log_type", "nope"}}));
  EXPECT_FALSE(FindingFromJson({{"log_type", "cloudtrail"}, {"time", "yesterday"}}));
}

TEST(FindingOcsf, IsADetectionFinding) {
  auto o = FindingToOcsf(SampleFinding());
  EXPECT_EQ(o["class_uid"], 2004);
  EXPECT_EQ(o["type_uid"], 200401);
  EXPECT_EQ(o["severity_id"], 4);
  EXPECT_EQ(o["time"], 1704164645000);
  EXPECT_EQ(o["finding_info"]["attacks"][0]["technique"]["uid"], "T1098.001");
  EXPECT_EQ(o["cloud"]["account"]["uid"], "111122223333");
}

}  // namespace
}  // namespace cloudward
