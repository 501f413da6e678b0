// Scan: directory walking, AWSLogs layout, digests, dedup across workers, threads and splitting.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include "ingest/ingest_test_util.h"
#include "ingest/scan.h"

namespace cloudward::ingest {
namespace {

namespace fs = std::filesystem;
using testing::CloudTrailRecord;
using testing::Gzip;
using testing::RecordsFile;
using testing::WriteFileBytes;

// Records what every worker saw, in one place.
struct Collected {
  std::mutex mu;
  std::multiset<std::string> keys;  // file:offset:line:type
  std::atomic<int> finished{0};
};

class SharedSink : public EventSink {
 public:
  explicit SharedSink(Collected& c) : c_(c) {}
  void OnEvent(const Event& e) override {
    std::string key = std::string(e.source.file) + ":" + std::to_string(e.source.offset) + ":" +
                      std::to_string(e.source.line) + ":" + std::string(LogTypeName(e.type)) +
                      ":" + std::string(e.raw.substr(0, 12));
    std::lock_guard<std::mutex> lock(c_.mu);
    c_.keys.insert(key);
  }
  void OnFinish() override { ++c_.finished; }

 private:
  Collected& c_;
};

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("cw_scan_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  IngestStats Run(const std::vector<std::string>& inputs, ScanOptions options, Collected& c) {
    return Scan(inputs, options, [&](int) { return std::make_unique<SharedSink>(c); });
  }

  fs::path root_;
};

TEST_F(ScanTest, AwsLogsTreeWithOrganizationTrailAndDigests) {
  fs::path logs = root_ / "AWSLogs";
  WriteFileBytes(logs / "111122223333/CloudTrail/us-east-1/2024/01/02/a.json.gz",
                 Gzip(RecordsFile({CloudTrailRecord("a1"), CloudTrailRecord("a2")})));
  WriteFileBytes(logs / "111122223333/CloudTrail/eu-west-1/2024/01/02/b.json.gz",
                 Gzip(RecordsFile({CloudTrailRecord("b1")})));
  WriteFileBytes(logs / "o-abc123/444455556666/CloudTrail/us-east-1/2024/01/03/c.json",
                 RecordsFile({CloudTrailRecord("c1"), CloudTrailRecord("c2"),
                              CloudTrailRecord("c3")}));
  WriteFileBytes(logs / "111122223333/CloudTrail-Digest/us-east-1/2024/01/02/d.json.gz",
                 Gzip(R"({"digestStartTime":"x","logFiles":[]})"));
  WriteFileBytes(logs / "111122223333/CloudTrail/us-east-1/2024/01/02/empty.json", "");
  WriteFileBytes(logs / "111122223333/CloudTrail/us-east-1/2024/01/02/junk.bin",
                 std::string("\x01\x02\x03\x04", 4));
  // A digest file in the wrong place is recognised by content.
  WriteFileBytes(root_ / "misplaced.json", R"({"digestS3Bucket":"b","digestStartTime":"t"})");

  auto files = ExpandInputs({root_.string()});
  ASSERT_EQ(files.size(), 7u);
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));

  for (int threads : {1, 2, 3}) {
    Collected c;
    ScanOptions options;
    options.threads = threads;
    int progress_calls = 0;
    options.on_progress = [&](const ScanProgress& p) {
      ++progress_calls;
      EXPECT_EQ(p.files_total, 7u);
    };
    IngestStats stats = Run({root_.string()}, options, c);
    EXPECT_EQ(stats.files, 7u);
    EXPECT_EQ(stats.events[0], 6u);
    EXPECT_EQ(stats.TotalEvents(), 6u);
    EXPECT_EQ(c.keys.size(), 6u);
    EXPECT_EQ(stats.skipped["digest"], 2u);
    EXPECT_EQ(stats.skipped["empty"], 1u);
    EXPECT_EQ(stats.skipped["unknown_format"], 1u);
    EXPECT_EQ(stats.errors.size(), 2u);
    EXPECT_EQ(c.finished.load(), threads);
    EXPECT_GE(progress_calls, 1);
  }
}

TEST_F(ScanTest, MissingInputIsAnErrorNotACrash) {
  Collected c;
  IngestStats stats = Run({(root_ / "nope.json").string()}, {}, c);
  ASSERT_EQ(stats.errors.size(), 1u);
  EXPECT_NE(stats.errors[0].reason.find("cannot open"), std::string::npos);
  EXPECT_EQ(stats.TotalEvents(), 0u);
}

TEST_F(ScanTest, DedupAcrossFilesAndWorkers) {
  for (int i = 0; i < 8; ++i) {
    // Each file repeats records 0..9; file i adds one unique record.
    std::vector<std::string> recs;
    for (int k = 0; k < 10; ++k) recs.push_back(CloudTrailRecord("dup-" + std::to_string(k)));
    recs.push_back(CloudTrailRecord("uniq-" + std::to_string(i)));
    WriteFileBytes(root_ / ("f" + std::to_string(i) + ".json"), RecordsFile(recs));
  }
  for (int threads : {1, 2, 4}) {
    Collected c;
    ScanOptions options;
    options.threads = threads;
    IngestStats stats = Run({root_.string()}, options, c);
    EXPECT_EQ(stats.TotalEvents(), 18u);
    EXPECT_EQ(stats.duplicates, 70u);
    options.dedup = false;
    Collected all;
    EXPECT_EQ(Run({root_.string()}, options, all).TotalEvents(), 88u);
  }
}

TEST_F(ScanTest, SplitLargeLineFilesGiveTheSameEventsAsOneThread) {
  std::string jsonl, flow = "version account-id srcaddr dstaddr dstport start action\n", s3;
  for (int i = 0; i < 3000; ++i) {
    jsonl += CloudTrailRecord("j" + std::to_string(i)) + "\n";
    if (i == 1500) jsonl += "{broken line\n";
    // The format changes after record 2000 (a second header, as in concatenated deliveries).
    if (i <= 2000) {
      flow += "5 111122223333 10.0.0." + std::to_string(i % 250) + " 10.1.0.1 443 " +
              std::to_string(1700000000 + i) + " ACCEPT\n";
    } else {
      flow += "5 10.9.9.9 22 " + std::to_string(1700000000 + i) + " REJECT\n";
    }
    if (i == 2000) flow += "version srcaddr dstport start action\n";
    s3 += "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket "
          "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 - REQ" + std::to_string(i) +
          " REST.GET.OBJECT key \"GET /bucket/key HTTP/1.1\" 200 - 10 10 1 1 \"-\" \"ua\" -\n";
  }
  WriteFileBytes(root_ / "big.jsonl", jsonl);
  WriteFileBytes(root_ / "big.flow.gz", Gzip(flow));
  WriteFileBytes(root_ / "big.s3", s3);

  ScanOptions one;
  one.threads = 1;
  Collected c1;
  IngestStats s1 = Run({root_.string()}, one, c1);
  EXPECT_EQ(s1.events[static_cast<size_t>(LogType::kCloudTrail)], 3000u);
  EXPECT_EQ(s1.events[static_cast<size_t>(LogType::kVpcFlow)], 3000u);
  EXPECT_EQ(s1.events[static_cast<size_t>(LogType::kS3Access)], 3000u);
  EXPECT_EQ(s1.malformed, 1u);

  ScanOptions many;
  many.threads = 3;
  many.split_bytes = 4096;  // force splitting
  Collected c3;
  IngestStats s3_stats = Run({root_.string()}, many, c3);
  EXPECT_EQ(s3_stats.events, s1.events);
  EXPECT_EQ(s3_stats.malformed, s1.malformed);
  EXPECT_EQ(s3_stats.bytes, s1.bytes);
  ASSERT_EQ(s3_stats.errors.size(), 1u);
  EXPECT_EQ(s3_stats.errors[0].line, s1.errors[0].line);
  EXPECT_EQ(s3_stats.errors[0].offset, s1.errors[0].offset);
  // Same events at the same offsets and lines.
  EXPECT_TRUE(c3.keys == c1.keys);
}

}  // namespace
}  // namespace cloudward::ingest
