// LogReader on self-written inputs: every JSON shape, gzip, bad input, dedup, time filters.
#include <gtest/gtest.h>

#include "core/time.h"
#include "ingest/ingest_test_util.h"
#include "ingest/scan.h"

namespace cloudward::ingest {
namespace {

using testing::CloudTrailRecord;
using testing::CollectingSink;
using testing::Gzip;
using testing::RecordsFile;

struct Result {
  CollectingSink sink;
  IngestStats stats;
};

Result Read(std::string_view name, std::string_view bytes, const ScanOptions& options = {}) {
  Result r;
  LogReader reader;
  reader.ReadBuffer(name, bytes, r.sink, r.stats, options);
  return r;
}

size_t Count(const IngestStats& s, LogType t) { return s.events[static_cast<size_t>(t)]; }

TEST(LogReaderTest, RecordsFileGivesEveryRecordWithExactOffsets) {
  std::string text = RecordsFile({CloudTrailRecord("id-1", "GetObject"),
                                  CloudTrailRecord("id-2", "PutObject"),
                                  CloudTrailRecord("id-3", "DeleteObject")});
  Result r = Read("f.json", text);
  ASSERT_EQ(r.sink.events.size(), 3u);
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_EQ(r.stats.files, 1u);
  EXPECT_EQ(r.stats.bytes, text.size());
  EXPECT_EQ(Count(r.stats, LogType::kCloudTrail), 3u);
  EXPECT_EQ(r.sink.events[1].Get("eventName"), "PutObject");
  for (const auto& e : r.sink.events) {
    EXPECT_EQ(e.type, LogType::kCloudTrail);
    EXPECT_EQ(text.substr(e.offset, e.raw.size()), e.raw);
    EXPECT_EQ(e.raw.front(), '{');
    EXPECT_EQ(e.raw.back(), '}');
    EXPECT_EQ(e.time_ms, *ParseIsoTime("2024-01-02T03:04:05Z"));
    EXPECT_EQ(e.file, "f.json");
  }
  EXPECT_EQ(r.sink.events[0].offset, std::string("{\"Records\":[").size());
}

// The streaming walk reads keys as written, a word at a time: a key with an escape at any place
// (around the word boundaries too) must be read unescaped, by the general path.
TEST(LogReaderTest, EscapedKeysOfEveryLengthAreUnescaped) {
  for (size_t at = 0; at <= 9; ++at) {
    std::string name = "eventName";
    static constexpr char kHex[] = "0123456789abcdef";
    std::string escaped_name = name;  // at == 9: the unescaped control
    if (at < name.size()) {
      const auto c = static_cast<unsigned char>(name[at]);
      escaped_name = name.substr(0, at) + "\\u00" + kHex[c >> 4] + kHex[c & 15] + name.substr(at + 1);
    }
    const std::string record = "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-01-02T03:04:05Z\",\"" + escaped_name +
                               "\":\"StopLogging\",\"padding_key_longer_than_16\":\"x\",\"eventID\":\"k" +
                               std::to_string(at) + "\"}";
    Result r = Read("f.json", RecordsFile({record, CloudTrailRecord("other", "GetObject")}));
    ASSERT_EQ(r.sink.events.size(), 2u) << escaped_name;
    EXPECT_EQ(r.stats.malformed, 0u);
    EXPECT_EQ(r.sink.events[0].Get("eventName"), "StopLogging") << escaped_name;
    EXPECT_EQ(r.sink.events[0].time_ms, *ParseIsoTime("2024-01-02T03:04:05Z"));
  }
}

TEST(LogReaderTest, PrettyPrintedRecordsWithOtherKeyOrder) {
  std::string text = "{\n  \"Other\": 1,\n  \"Records\": [\n    " + CloudTrailRecord("a") +
                     ",\n    " + CloudTrailRecord("b") + "\n  ]\n}\n";
  Result r = Read("f.json", text);
  ASSERT_EQ(r.sink.events.size(), 2u);
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_EQ(text.substr(r.sink.events[1].offset, r.sink.events[1].raw.size()),
            r.sink.events[1].raw);
}

TEST(LogReaderTest, OneCorruptRecordDoesNotLoseTheOthers) {
  // Element 2 is invalid JSON (bare word), element 4 has an unclosed string that swallows the
  // opening of element 5: both are reported and every other record still comes out.
  std::string bad_value = R"({"eventVersion":"1.08","eventTime":"2024-01-02T03:04:05Z","x":tru})";
  std::string unclosed = R"({"eventVersion":"1.08","eventName":"Broken)";
  std::string text = RecordsFile({CloudTrailRecord("1"), bad_value, CloudTrailRecord("3"),
                                  unclosed, CloudTrailRecord("5"), CloudTrailRecord("6")});
  Result r = Read("corrupt.json", text);
  std::vector<std::string> ids;
  for (const auto& e : r.sink.events) ids.push_back(e.Get("eventID"));
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3", "5", "6"}));
  EXPECT_EQ(r.stats.malformed, 2u);
  ASSERT_EQ(r.stats.errors.size(), 2u);
  EXPECT_EQ(r.stats.errors[0].file, "corrupt.json");
  EXPECT_EQ(r.stats.errors[0].offset, text.find(bad_value));
  EXPECT_EQ(r.stats.errors[0].line, 1u);
  EXPECT_NE(r.stats.errors[0].reason.find("invalid JSON"), std::string::npos);
}

TEST(LogReaderTest, JunkRightAfterABrokenRecordIsCountedOnce) {
  // cloudtrail_reader_fuzz regress: in "[x}" the bad element and the '}' after it are one broken
  // record, not two (the counts must not exceed what the input can hold).
  Result tiny = Read("junk.json", std::string_view("[\xf9}[\xf9}\x1b", 7));
  EXPECT_EQ(tiny.stats.malformed, 3u);  // each array's element, and the byte after them
  // With a record signature learned, reading resumes after the junk and reports it once.
  std::string text = "[" + CloudTrailRecord("1") + ", x ), " + CloudTrailRecord("2") + "]";
  Result r = Read("arr.json", text);
  ASSERT_EQ(r.sink.events.size(), 2u);
  EXPECT_EQ(r.stats.malformed, 1u);
  ASSERT_EQ(r.stats.errors.size(), 1u);
  EXPECT_EQ(r.stats.errors[0].offset, text.find(", x )") + 2);
  EXPECT_EQ(r.stats.errors[0].reason, "expected a JSON object");
  // Junk after a good record is still reported.
  Result good = Read("arr.json", "[" + CloudTrailRecord("1") + " x, " + CloudTrailRecord("2") + "]");
  EXPECT_EQ(good.sink.events.size(), 2u);
  EXPECT_EQ(good.stats.malformed, 1u);
}

// A sink that reads records only when told to: the reader may then leave them unparsed.
class LazySink : public EventSink {
 public:
  explicit LazySink(bool read_records) : read_records_(read_records) {}
  bool NeedsRecord(const Event&) const override { return false; }
  void OnEvent(const Event& event) override {
    deferred += event.deferred != nullptr;
    names.emplace_back(event.event_name);
    sources.emplace_back(event.event_source);
    offsets.push_back(event.source.offset);
    if (read_records_) {
      std::string_view id;
      if (event.Record()["eventID"].get_string().get(id) != simdjson::SUCCESS) id = "(none)";
      ids.emplace_back(id);
    }
  }
  std::vector<std::string> names, sources, ids;
  std::vector<uint64_t> offsets;
  size_t deferred = 0;

 private:
  bool read_records_;
};

TEST(LogReaderTest, RecordsNobodyReadsStayUnparsedButKeepTheirMembers) {
  std::string text = RecordsFile({CloudTrailRecord("1", "GetObject"), CloudTrailRecord("2", "PutObject")});
  for (bool read : {false, true}) {
    LazySink sink(read);
    IngestStats stats;
    LogReader().ReadBuffer("lazy.json", text, sink, stats, {});
    EXPECT_EQ(sink.deferred, 2u);
    EXPECT_EQ(sink.names, (std::vector<std::string>{"GetObject", "PutObject"}));
    EXPECT_EQ(sink.sources, (std::vector<std::string>{"s3.amazonaws.com", "s3.amazonaws.com"}));
    EXPECT_EQ(sink.offsets[1], text.find(CloudTrailRecord("2", "PutObject")));
    if (read) EXPECT_EQ(sink.ids, (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(stats.events[static_cast<size_t>(LogType::kCloudTrail)], 2u);
  }
}

TEST(LogReaderTest, ABrokenRecordReadLateIsReportedNotCounted) {
  // The literal `tru` is only found by a full parse: a consumer that reads the record after
  // saying it would not gets an empty object, and the record is reported as malformed.
  std::string bad = R"({"eventVersion":"1.08","eventTime":"2024-01-02T03:04:05Z","eventID":"2","x":tru})";
  std::string text = RecordsFile({CloudTrailRecord("1"), bad, CloudTrailRecord("3")});
  LazySink sink(/*read_records=*/true);
  IngestStats stats;
  LogReader().ReadBuffer("late.json", text, sink, stats, {});
  EXPECT_EQ(sink.ids, (std::vector<std::string>{"1", "(none)", "3"}));
  EXPECT_EQ(stats.events[static_cast<size_t>(LogType::kCloudTrail)], 2u);
  EXPECT_EQ(stats.malformed, 1u);
  ASSERT_EQ(stats.errors.size(), 1u);
  EXPECT_EQ(stats.errors[0].offset, text.find(bad));
}

TEST(LogReaderTest, SyntaxErrorMidFileHandsTheRestToTheByteWalker) {
  // A missing comma between two records: everything before it streams; the walker reports the
  // record after the gap as junk between elements and resynchronises on the next record.
  std::string text = RecordsFile({CloudTrailRecord("1"), CloudTrailRecord("2")});
  text.insert(text.size() - 2, " " + CloudTrailRecord("3") + "," + CloudTrailRecord("4"));
  Result r = Read("comma.json", text);
  std::vector<std::string> ids;
  for (const auto& e : r.sink.events) ids.push_back(e.Get("eventID"));
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "4"}));
  EXPECT_EQ(r.stats.malformed, 1u);
  ASSERT_EQ(r.stats.errors.size(), 1u);
  EXPECT_EQ(r.stats.errors[0].offset, text.find(CloudTrailRecord("3")));
  EXPECT_NE(r.stats.errors[0].reason.find("unexpected bytes"), std::string::npos);
}

TEST(LogReaderTest, SeveralDocumentsAndMixedRecordsInOneFile) {
  // Two delivery files concatenated; the first holds a GuardDuty finding and a digest-like
  // object among its records, which take the general path.
  std::string finding =
      R"({"schemaVersion":"2.0","type":"Recon:EC2/PortProbeUnprotectedPort","id":"f1","accountId":"111122223333","severity":2,"updatedAt":"2024-01-02T03:04:05Z","service":{}})";
  std::string text = RecordsFile({CloudTrailRecord("1"), finding, CloudTrailRecord("2")}) + "\n" +
                     RecordsFile({CloudTrailRecord("3")}) + "\n";
  Result r = Read("two.json", text);
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_EQ(Count(r.stats, LogType::kCloudTrail), 3u);
  EXPECT_EQ(Count(r.stats, LogType::kGuardDuty), 1u);
  ASSERT_EQ(r.sink.events.size(), 4u);
  EXPECT_EQ(r.sink.events[3].offset, text.rfind(CloudTrailRecord("3")));
  EXPECT_EQ(r.sink.events[1].type, LogType::kGuardDuty);
  EXPECT_EQ(r.sink.events[1].offset, text.find(finding));
}

TEST(LogReaderTest, TruncatedRecordsFileKeepsCompleteRecords) {
  std::string text = RecordsFile({CloudTrailRecord("1"), CloudTrailRecord("2"),
                                  CloudTrailRecord("3")});
  text.resize(text.size() - 60);  // cut inside the third record
  Result r = Read("cut.json", text);
  EXPECT_EQ(r.sink.events.size(), 2u);
  EXPECT_EQ(r.stats.malformed, 1u);
  ASSERT_EQ(r.stats.errors.size(), 1u);
  EXPECT_NE(r.stats.errors[0].reason.find("truncated"), std::string::npos);
}

TEST(LogReaderTest, TopLevelArrayAndPrettyObjects) {
  std::string text = "[\n" + CloudTrailRecord("1") + ",\n" + CloudTrailRecord("2") + "\n]\n";
  Result r = Read("arr.json", text);
  EXPECT_EQ(r.sink.events.size(), 2u);
  // Two pretty-printed objects one after the other.
  std::string two = "{\n \"eventVersion\": \"1.08\",\n \"eventName\": \"A\", \"eventID\": \"x\"\n}\n"
                    "{\n \"eventVersion\": \"1.08\",\n \"eventName\": \"B\", \"eventID\": \"y\"\n}\n";
  Result s = Read("two.json", two);
  ASSERT_EQ(s.sink.events.size(), 2u);
  EXPECT_EQ(s.sink.events[1].Get("eventName"), "B");
  EXPECT_EQ(s.sink.events[1].time_ms, kUnknownTime);
}

TEST(LogReaderTest, JsonLinesWithABadLineAndCrlf) {
  std::string text = CloudTrailRecord("1") + "\r\n" + "{\"eventVersion\": broken\r\n" + "\r\n" +
                     "not json at all\r\n" + CloudTrailRecord("2") + "\r\n";
  Result r = Read("lines.jsonl", text);
  ASSERT_EQ(r.sink.events.size(), 2u);
  EXPECT_EQ(r.sink.events[0].line, 1u);
  EXPECT_EQ(r.sink.events[1].line, 5u);
  EXPECT_EQ(r.sink.events[1].raw, CloudTrailRecord("2"));  // no '\r'
  EXPECT_EQ(r.stats.malformed, 2u);
  ASSERT_EQ(r.stats.errors.size(), 2u);
  EXPECT_EQ(r.stats.errors[0].line, 2u);
  EXPECT_EQ(r.stats.errors[1].line, 4u);
  EXPECT_EQ(r.stats.errors[1].offset, text.find("not json"));
}

TEST(LogReaderTest, GzipPlainMultiMemberAndTruncated) {
  std::string text = RecordsFile({CloudTrailRecord("1"), CloudTrailRecord("2")});
  Result plain = Read("a.json.gz", Gzip(text));
  EXPECT_EQ(plain.sink.events.size(), 2u);
  EXPECT_EQ(plain.stats.bytes, text.size());
  EXPECT_TRUE(plain.stats.errors.empty());

  // Two members: JSON Lines split across them.
  std::string lines1 = CloudTrailRecord("m1") + "\n" + CloudTrailRecord("m2") + "\n";
  std::string lines2 = CloudTrailRecord("m3") + "\n";
  Result multi = Read("multi.gz", Gzip(lines1) + Gzip(lines2));
  ASSERT_EQ(multi.sink.events.size(), 3u);
  EXPECT_EQ(multi.sink.events[2].Get("eventID"), "m3");
  EXPECT_EQ(multi.sink.events[2].line, 3u);
  EXPECT_EQ(multi.sink.events[2].offset, lines1.size());
  EXPECT_TRUE(multi.stats.errors.empty());

  // Truncated: an error naming the file and reason; lines before the damage survive.
  std::string many;
  for (int i = 0; i < 200; ++i) many += CloudTrailRecord("t" + std::to_string(i)) + "\n";
  std::string gz = Gzip(many, 1);
  Result cut = Read("cut.gz", std::string_view(gz).substr(0, gz.size() / 2));
  ASSERT_FALSE(cut.stats.errors.empty());
  EXPECT_EQ(cut.stats.errors[0].file, "cut.gz");
  EXPECT_NE(cut.stats.errors[0].reason.find("gzip"), std::string::npos);
  EXPECT_GT(cut.sink.events.size(), 10u);
  EXPECT_LT(cut.sink.events.size(), 200u);

  // Corrupt header bytes after the magic.
  std::string junk = "\x1f\x8b" + std::string(40, '\x07');
  Result bad = Read("junk.gz", junk);
  EXPECT_EQ(bad.sink.events.size(), 0u);
  ASSERT_FALSE(bad.stats.errors.empty());
  EXPECT_NE(bad.stats.errors[0].reason.find("gzip"), std::string::npos);
}

TEST(LogReaderTest, DigestFilesAreSkipped) {
  std::string digest = R"({"awsAccountId":"111122223333","digestStartTime":"2024-01-01T00:00:00Z","digestEndTime":"2024-01-01T01:00:00Z","digestS3Bucket":"b","logFiles":[]})";
  Result by_content = Read("x.json", digest);
  EXPECT_EQ(by_content.sink.events.size(), 0u);
  EXPECT_EQ(by_content.stats.skipped["digest"], 1u);
  EXPECT_EQ(by_content.stats.malformed, 0u);
  Result by_path = Read("AWSLogs/1/CloudTrail-Digest/us-east-1/2024/01/01/d.json.gz",
                        RecordsFile({CloudTrailRecord("1")}));
  EXPECT_EQ(by_path.sink.events.size(), 0u);
  EXPECT_EQ(by_path.stats.skipped["digest"], 1u);
}

TEST(LogReaderTest, LookupEventsOutput) {
  std::string inner = CloudTrailRecord("look-1", "ConsoleLogin");
  std::string escaped;
  for (char c : inner) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  std::string text = "{\n  \"Events\": [\n    {\"EventId\": \"look-1\", \"EventName\": \"ConsoleLogin\", "
                     "\"CloudTrailEvent\": \"" + escaped + "\"}\n  ],\n  \"NextToken\": \"abc\"\n}\n";
  Result r = Read("lookup.json", text);
  ASSERT_EQ(r.sink.events.size(), 1u);
  EXPECT_EQ(r.sink.events[0].raw, inner);
  EXPECT_EQ(r.sink.events[0].Get("eventName"), "ConsoleLogin");
  EXPECT_EQ(r.sink.events[0].offset, text.find("{\"EventId\""));
  EXPECT_EQ(r.stats.malformed, 0u);
}

TEST(LogReaderTest, AthenaExportsWithLowerCaseColumnNames) {
  // What `SELECT * FROM cloudtrail_logs` in Athena returns, as JSON Lines: lower-case column
  // names, a space in the time, request parameters as JSON text.
  std::string athena =
      R"({"eventversion":"1.08","useridentity":{"type":"IAMUser","principalid":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/mallory","accountid":"111122223333","accesskeyid":"AKIAEXAMPLE","username":"mallory","sessioncontext":{"attributes":{"creationdate":"2024-01-02 03:00:00","mfaauthenticated":"false"}}},"eventtime":"2024-01-02 03:04:05","eventsource":"iam.amazonaws.com","eventname":"CreateAccessKey","awsregion":"us-east-1","sourceipaddress":"203.0.113.9","useragent":"aws-cli/2.15","requestparameters":"{\"userName\":\"alice\"}","responseelements":null,"eventid":"athena-1","eventtype":"AwsApiCall","recipientaccountid":"111122223333"})";
  std::string not_json_params =
      R"({"eventname":"ListUsers","eventsource":"iam.amazonaws.com","eventtime":"2024-01-02 03:04:06","eventid":"athena-1","requestparameters":"not json","eventID":"athena-2"})";
  std::string text = athena + "\n" + not_json_params + "\n";
  Result r = Read("athena.jsonl", text);
  ASSERT_EQ(r.sink.events.size(), 2u);
  const auto& e = r.sink.events[0];
  EXPECT_EQ(e.type, LogType::kCloudTrail);
  EXPECT_EQ(e.Get("eventName"), "CreateAccessKey");
  EXPECT_EQ(e.At("/userIdentity/arn"), "arn:aws:iam::111122223333:user/mallory");
  EXPECT_EQ(e.At("/userIdentity/sessionContext/attributes/mfaAuthenticated"), "false");
  EXPECT_EQ(e.At("/requestParameters/userName"), "alice");
  EXPECT_EQ(e.time_ms, *ParseIsoTime("2024-01-02T03:04:05Z"));
  EXPECT_EQ(e.context.actor.access_key_id, "AKIAEXAMPLE");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(r.sink.events[1].Get("requestParameters"), "not json");  // kept as the text it was
  EXPECT_EQ(r.sink.events[1].Get("eventID"), "athena-2");  // both spellings: AWS's wins (no false duplicate)
  EXPECT_EQ(r.stats.malformed, 0u);
}

TEST(LogReaderTest, EventBridgeEnvelopes) {
  std::string ct = R"({"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2024-01-02T03:04:05Z","region":"us-east-1","detail":)" +
                   CloudTrailRecord("eb-1", "CreateUser") + "}";
  std::string gd = R"({"version":"0","id":"e2","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":"f1","type":"Recon:EC2/PortProbeUnprotectedPort","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-0abc"}},"service":{"eventLastSeen":"2024-01-03T00:00:00Z"},"severity":2}})";
  std::string other = R"({"version":"0","detail-type":"EC2 Instance State-change Notification","detail":{"instance-id":"i-1","state":"running"}})";
  std::string text = ct + "\n" + gd + "\n" + other + "\n";
  Result r = Read("eb.jsonl", text);
  ASSERT_EQ(r.sink.events.size(), 2u);
  EXPECT_EQ(r.sink.events[0].type, LogType::kCloudTrail);
  EXPECT_EQ(r.sink.events[0].raw, CloudTrailRecord("eb-1", "CreateUser"));
  EXPECT_EQ(r.sink.events[0].offset, ct.find("{\"eventVersion\""));
  EXPECT_EQ(r.sink.events[1].type, LogType::kGuardDuty);
  EXPECT_EQ(r.sink.events[1].time_ms, *ParseIsoTime("2024-01-03T00:00:00Z"));
  EXPECT_EQ(r.sink.events[1].context.event_name, "Recon:EC2/PortProbeUnprotectedPort");
  EXPECT_EQ(r.sink.events[1].context.resources, std::vector<std::string>{"i-0abc"});
  EXPECT_EQ(r.stats.skipped["unsupported_record"], 1u);
}

TEST(LogReaderTest, GuardDutyShapes) {
  std::string f1 = R"({"schemaVersion":"2.0","accountId":"1","region":"r","id":"a","type":"T1","severity":5,"createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-02T00:00:00Z","resource":{},"service":{}})";
  std::string f2 = R"({"schemaVersion":"2.0","accountId":"1","region":"r","id":"b","type":"T2","severity":5,"createdAt":"2024-01-01T00:00:00Z","resource":{},"service":{}})";
  Result single = Read("one.json", f1);
  ASSERT_EQ(single.sink.events.size(), 1u);
  EXPECT_EQ(single.sink.events[0].time_ms, *ParseIsoTime("2024-01-02T00:00:00Z"));
  Result list = Read("get.json", "{\n\"Findings\": [" + f1 + ",\n" + f2 + "]\n}");
  ASSERT_EQ(list.sink.events.size(), 2u);
  EXPECT_EQ(list.sink.events[1].time_ms, *ParseIsoTime("2024-01-01T00:00:00Z"));
  EXPECT_EQ(Count(list.stats, LogType::kGuardDuty), 2u);
  Result arr = Read("arr.json", "[" + f1 + "," + f2 + "]");
  EXPECT_EQ(arr.sink.events.size(), 2u);
}

TEST(LogReaderTest, BinaryJunkAndEmptyFiles) {
  std::string junk("\x00\x01\x02\xff\xfe garbage \x7f\x80", 16);
  Result j = Read("junk.bin", junk);
  EXPECT_EQ(j.sink.events.size(), 0u);
  EXPECT_EQ(j.stats.skipped["unknown_format"], 1u);
  ASSERT_EQ(j.stats.errors.size(), 1u);
  EXPECT_EQ(j.stats.errors[0].file, "junk.bin");
  Result e = Read("empty.json", "");
  EXPECT_EQ(e.stats.skipped["empty"], 1u);
  EXPECT_EQ(e.stats.errors.size(), 1u);
  Result ws = Read("ws.json", " \n\t\r\n");
  EXPECT_EQ(ws.stats.skipped["empty"], 1u);
  Result text = Read("notes.txt", "hello world\nthis is not a log\n");
  EXPECT_EQ(text.stats.skipped["unknown_format"], 1u);
}

TEST(LogReaderTest, ReshippedRecordsTakeTimeFromTimestamp) {
  std::string rec = R"({"@timestamp":"2020-09-14T01:19:40.123Z","@version":"1","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","eventID":"r1"})";
  Result r = Read("reshipped.json", rec + "\n");
  ASSERT_EQ(r.sink.events.size(), 1u);
  EXPECT_EQ(r.sink.events[0].time_ms, *ParseIsoTime("2020-09-14T01:19:40.123Z"));
}

TEST(LogReaderTest, DedupAcrossFilesAndSinceUntil) {
  LogReader reader;
  CollectingSink sink;
  IngestStats stats;
  reader.ReadBuffer("a.json", RecordsFile({CloudTrailRecord("same"), CloudTrailRecord("x")}),
                    sink, stats);
  reader.ReadBuffer("b.json", RecordsFile({CloudTrailRecord("same")}), sink, stats);
  EXPECT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(stats.duplicates, 1u);
  EXPECT_EQ(stats.files, 2u);

  ScanOptions no_dedup;
  no_dedup.dedup = false;
  Result all = Read("c.json", RecordsFile({CloudTrailRecord("same"), CloudTrailRecord("same")}),
                    no_dedup);
  EXPECT_EQ(all.sink.events.size(), 2u);

  ScanOptions window;
  window.since_ms = *ParseIsoTime("2024-01-02T00:00:00Z");
  window.until_ms = *ParseIsoTime("2024-01-03T00:00:00Z");
  std::string text = RecordsFile({CloudTrailRecord("1", "A", "2024-01-01T23:59:59Z"),
                                  CloudTrailRecord("2", "B", "2024-01-02T00:00:00Z"),
                                  CloudTrailRecord("3", "C", "2024-01-02T23:59:59Z"),
                                  CloudTrailRecord("4", "D", "2024-01-03T00:00:00Z"),
                                  R"({"eventVersion":"1.08","eventName":"NoTime","eventID":"5"})"});
  Result w = Read("w.json", text, window);
  std::vector<std::string> names;
  for (const auto& e : w.sink.events) names.push_back(e.Get("eventName"));
  EXPECT_EQ(names, (std::vector<std::string>{"B", "C", "NoTime"}));
  EXPECT_EQ(w.stats.filtered, 2u);
}

TEST(LogReaderTest, FlowLogsDefaultAndHeaderFormats) {
  std::string text =
      "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
      "1418530010 1418530070 ACCEPT OK\r\n"
      "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\r\n"
      "version srcaddr dstaddr dstport start flow-direction account-id\r\n"
      "5 10.0.0.1 10.0.0.2 443 1700000000 egress 000011112222\r\n"
      "5 10.0.0.1 10.0.0.2 443\r\n";
  Result r = Read("flow.log", text);
  ASSERT_EQ(r.sink.events.size(), 3u);
  const auto& a = r.sink.events[0];
  EXPECT_EQ(a.type, LogType::kVpcFlow);
  EXPECT_EQ(a.Get("srcaddr"), "172.31.16.139");
  EXPECT_EQ(a.GetInt("dstport"), 22);
  EXPECT_EQ(a.GetInt("version"), 2);
  EXPECT_EQ(a.Get("account-id"), "123456789010");
  EXPECT_EQ(a.Get("action"), "ACCEPT");
  EXPECT_EQ(a.time_ms, int64_t{1418530010} * 1000);
  EXPECT_EQ(a.line, 1u);
  EXPECT_EQ(a.offset, 0u);
  EXPECT_EQ(a.raw.back(), 'K');
  EXPECT_EQ(a.context.event_source, "vpcflow");
  EXPECT_EQ(a.context.event_name, "ACCEPT");
  EXPECT_EQ(a.context.source_ip, "172.31.16.139");
  EXPECT_EQ(a.context.resources, std::vector<std::string>{"eni-1235b8ca123456789"});
  const auto& b = r.sink.events[1];
  EXPECT_FALSE(b.Has("srcaddr"));
  EXPECT_EQ(b.Get("log-status"), "NODATA");
  const auto& c = r.sink.events[2];
  EXPECT_EQ(c.Get("flow-direction"), "egress");
  EXPECT_EQ(c.Get("account-id"), "000011112222");
  EXPECT_EQ(c.GetInt("dstport"), 443);
  EXPECT_EQ(c.line, 4u);
  EXPECT_EQ(c.offset, text.find("5 10.0.0.1"));
  EXPECT_EQ(r.stats.malformed, 1u);
  ASSERT_EQ(r.stats.errors.size(), 1u);
  EXPECT_EQ(r.stats.errors[0].line, 5u);
}

TEST(LogReaderTest, S3AccessLogs) {
  std::string line1 =
      "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 "
      "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice "
      "3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 "
      "- 113 - 7 - \"-\" \"S3Console/0.4\" - "
      "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 "
      "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com "
      "TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes";
  std::string line2 =
      "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 "
      "[06/Feb/2019:00:00:39 +0100] 192.0.2.3 - 891CE47D2EXAMPLE REST.GET.OBJECT photos/a.jpg "
      "\"GET /awsexamplebucket1/photos/a.jpg HTTP/1.1\" 403 AccessDenied 243 - 12 - \"-\" "
      "\"curl/8.0\" -";
  std::string text = line1 + "\n" + line2 + "\nshort line\n";
  Result r = Read("access.log", text);
  ASSERT_EQ(r.sink.events.size(), 2u);
  const auto& a = r.sink.events[0];
  EXPECT_EQ(a.type, LogType::kS3Access);
  EXPECT_EQ(a.Get("bucket"), "awsexamplebucket1");
  EXPECT_EQ(a.Get("time"), "2019-02-06T00:00:38Z");
  EXPECT_EQ(a.time_ms, *ParseIsoTime("2019-02-06T00:00:38Z"));
  EXPECT_EQ(a.GetInt("httpstatus"), 200);
  EXPECT_EQ(a.GetInt("bytessent"), 113);
  EXPECT_FALSE(a.Has("objectsize"));
  EXPECT_EQ(a.Get("requesturi"), "GET /awsexamplebucket1?versioning HTTP/1.1");
  EXPECT_EQ(a.Get("useragent"), "S3Console/0.4");
  EXPECT_EQ(a.Get("accesspointarn"), "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP");
  EXPECT_EQ(a.Get("aclrequired"), "Yes");
  EXPECT_EQ(a.raw, line1);
  EXPECT_EQ(a.context.actor.arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(a.context.account, "123456789012");
  EXPECT_EQ(a.context.event_name, "REST.GET.VERSIONING");
  EXPECT_EQ(a.context.event_source, "s3.amazonaws.com");
  const auto& b = r.sink.events[1];
  EXPECT_EQ(b.time_ms, *ParseIsoTime("2019-02-05T23:00:39Z"));
  EXPECT_EQ(b.Get("errorcode"), "AccessDenied");
  EXPECT_EQ(b.Get("key"), "photos/a.jpg");
  EXPECT_EQ(b.context.error_code, "AccessDenied");
  EXPECT_EQ(b.context.resources,
            (std::vector<std::string>{"arn:aws:s3:::awsexamplebucket1",
                                      "arn:aws:s3:::awsexamplebucket1/photos/a.jpg"}));
  EXPECT_EQ(b.line, 2u);
  EXPECT_EQ(r.stats.malformed, 1u);
}

TEST(LogReaderTest, DescribeCloudTrail) {
  Result r = Read("f.json", RecordsFile({CloudTrailRecord("id-9", "GetObject")}));
  ASSERT_EQ(r.sink.events.size(), 1u);
  const EventContext& c = r.sink.events[0].context;
  EXPECT_EQ(c.event_id, "id-9");
  EXPECT_EQ(c.account, "111122223333");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.actor.type, "AssumedRole");
  EXPECT_EQ(c.actor.arn, "arn:aws:sts::111122223333:assumed-role/Admin/alice");
  EXPECT_EQ(c.actor.session, "alice");
  EXPECT_EQ(c.actor.access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(c.actor.user_name, "Admin");
  EXPECT_EQ(c.source_ip, "198.51.100.7");
  EXPECT_EQ(c.user_agent, "aws-cli/2.0");
  EXPECT_EQ(c.event_source, "s3.amazonaws.com");
  EXPECT_EQ(c.event_name, "GetObject");
  EXPECT_EQ(c.resources,
            (std::vector<std::string>{"arn:aws:s3:::data-bucket/key", "arn:aws:s3:::data-bucket"}))
      << "bucketName is named as an ARN, like resources[] and S3 access logs";
  EXPECT_EQ(c.time_ms, *ParseIsoTime("2024-01-02T03:04:05Z"));
}


TEST(LogReaderTest, RunInstancesNamesWhatItLaunched) {
  // The instances and network interfaces of the response are resources of the call, so the flow
  // logs of a launched miner can be tied to whoever launched it.
  const std::string record =
      R"({"eventVersion":"1.08","eventTime":"2024-01-02T03:04:05Z","eventSource":"ec2.amazonaws.com",)"
      R"("eventName":"RunInstances","eventID":"run-1","awsRegion":"ap-southeast-1","recipientAccountId":"111122223333",)"
      R"("userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ci"},)"
      R"("requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","minCount":2,"maxCount":2}]}},)"
      R"("responseElements":{"instancesSet":{"items":[)"
      R"({"instanceId":"i-0aaa","networkInterfaceSet":{"items":[{"networkInterfaceId":"eni-0aaa"}]}},)"
      R"({"instanceId":"i-0bbb","networkInterfaceSet":{"items":[{"networkInterfaceId":"eni-0bbb"},{"attachment":{}}]}},)"
      R"({"instanceId":"i-0ccc","networkInterfaceSet":"not a list"}]}}})";
  Result r = Read("run.json", R"({"Records":[)" + record + "]}");
  ASSERT_EQ(r.sink.events.size(), 1u);
  EXPECT_EQ(r.sink.events[0].context.resources,
            (std::vector<std::string>{"i-0aaa", "eni-0aaa", "i-0bbb", "eni-0bbb", "i-0ccc"}));
}

}  // namespace
}  // namespace cloudward::ingest
