#include "simulate/simulator.h"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace cloudward::simulate {
namespace {

namespace fs = std::filesystem;

std::string ReadRaw(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// File contents, gunzipped when the name ends in .gz.
std::string ReadLog(const fs::path& p) {
  std::string raw = ReadRaw(p);
  if (p.extension() != ".gz") return raw;
  EXPECT_GE(raw.size(), 18u) << p;
  const auto* tail = reinterpret_cast<const unsigned char*>(raw.data() + raw.size() - 4);
  const size_t size = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (size_t{tail[3]} << 24);
  std::string out(size, '\0');
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  size_t actual = 0;
  const auto r = libdeflate_gzip_decompress(d, raw.data(), raw.size(), out.data(), out.size(), &actual);
  libdeflate_free_decompressor(d);
  EXPECT_EQ(r, LIBDEFLATE_SUCCESS) << p;
  out.resize(actual);
  return out;
}

// Every file under `root` by relative path -> raw bytes.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = ReadRaw(e.path());
  }
  return files;
}

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cw_simulate_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  SimulateOptions Options(const std::string& sub, int64_t events) {
    SimulateOptions o;
    o.out_dir = dir_ / sub;
    o.events = events;
    o.seed = 7;
    o.scenarios = AllScenarioNames();
    o.threads = 2;
    return o;
  }

  std::vector<fs::path> Files(const fs::path& root, std::string_view contains) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file() && e.path().string().find(contains) != std::string::npos) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(SimulatorTest, SameSeedGivesIdenticalBytesWhateverTheThreadCount) {
  SimulateOptions a = Options("a", 4000);
  SimulateOptions b = Options("b", 4000);
  b.threads = 1;
  SimulateOptions c = Options("c", 4000);
  c.seed = 8;
  ASSERT_TRUE(Simulate(a).has_value());
  ASSERT_TRUE(Simulate(b).has_value());
  ASSERT_TRUE(Simulate(c).has_value());
  const auto sa = Snapshot(a.out_dir), sb = Snapshot(b.out_dir), sc = Snapshot(c.out_dir);
  ASSERT_GT(sa.size(), 10u);
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
}

TEST_F(SimulatorTest, CloudTrailRecordsParseAndCarryTheRequiredFields) {
  SimulateOptions o = Options("ct", 6000);
  auto summary = Simulate(o);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  const std::regex name_re(
      R"(AWSLogs/(\d{12})/CloudTrail/([a-z]+-[a-z]+-\d)/\d{4}/\d{2}/\d{2}/(\d{12})_CloudTrail_([a-z]+-[a-z]+-\d)_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$)");
  simdjson::dom::parser parser;
  uint64_t records = 0;
  std::set<std::string> identity_types, sources, error_codes;
  std::set<std::string> event_ids;
  for (const fs::path& file : Files(o.out_dir, "/CloudTrail/")) {
    std::smatch m;
    const std::string path = file.string();
    ASSERT_TRUE(std::regex_search(path, m, name_re)) << path;
    EXPECT_EQ(m[1], m[3]);
    EXPECT_EQ(m[2], m[4]);
    const std::string text = ReadLog(file);
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << path;
    simdjson::dom::array recs;
    ASSERT_EQ(doc["Records"].get_array().get(recs), simdjson::SUCCESS);
    for (simdjson::dom::element r : recs) {
      ++records;
      for (const char* field : {"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion",
                                "sourceIPAddress", "userAgent", "eventID", "eventType", "recipientAccountId",
                                "eventCategory"}) {
        std::string_view v;
        ASSERT_EQ(r[field].get_string().get(v), simdjson::SUCCESS) << field << " in " << path;
        EXPECT_FALSE(v.empty()) << field;
      }
      bool b;
      EXPECT_EQ(r["readOnly"].get_bool().get(b), simdjson::SUCCESS);
      EXPECT_EQ(r["managementEvent"].get_bool().get(b), simdjson::SUCCESS);
      EXPECT_EQ(std::string_view(r["recipientAccountId"]), m[1].str());
      EXPECT_EQ(std::string_view(r["awsRegion"]), m[2].str());
      std::string_view type = r["userIdentity"]["type"];
      identity_types.insert(std::string(type));
      std::string_view key;
      if (r["userIdentity"]["accessKeyId"].get_string().get(key) == simdjson::SUCCESS) {
        const bool session = r["userIdentity"]["sessionContext"].error() == simdjson::SUCCESS;
        EXPECT_EQ(key.substr(0, 4), session ? "ASIA" : "AKIA") << type;
      }
      std::string_view id = r["eventID"];
      EXPECT_EQ(id.size(), 36u);
      EXPECT_TRUE(event_ids.insert(std::string(id)).second) << "duplicate eventID " << id;
      if (std::string_view(r["eventType"]) == "AwsApiCall") {
        std::string_view req;
        EXPECT_EQ(r["requestID"].get_string().get(req), simdjson::SUCCESS);
      }
      std::string_view ec;
      if (r["errorCode"].get_string().get(ec) == simdjson::SUCCESS) error_codes.insert(std::string(ec));
      sources.insert(std::string(std::string_view(r["eventSource"])));
    }
  }
  EXPECT_EQ(records, summary->cloudtrail_events);
  for (const char* t : {"IAMUser", "AssumedRole", "AWSService", "AWSAccount"}) {
    EXPECT_TRUE(identity_types.count(t)) << t;
  }
  EXPECT_TRUE(error_codes.count("AccessDenied"));
  EXPECT_TRUE(error_codes.count("Client.UnauthorizedOperation"));
  EXPECT_GE(sources.size(), 10u);
}

TEST_F(SimulatorTest, EventsCountIsHonoured) {
  for (int64_t n : {0, 1500, 20000}) {
    SimulateOptions o = Options("n" + std::to_string(n), n);
    o.scenarios = n == 20000 ? AllScenarioNames() : std::vector<std::string>{};
    auto s = Simulate(o);
    ASSERT_TRUE(s.has_value());
    EXPECT_NEAR(static_cast<double>(s->cloudtrail_events), static_cast<double>(n), 0.03 * n) << n;
    if (o.scenarios.empty()) {
      EXPECT_EQ(s->flow_records, static_cast<uint64_t>(n / 2));
    } else {
      EXPECT_GT(s->flow_records, static_cast<uint64_t>(n / 2));  // plus the scenarios' flows
    }
  }
}

TEST_F(SimulatorTest, ScenarioGroundTruthIdsExistInTheOutput) {
  SimulateOptions o = Options("truth", 5000);
  ASSERT_TRUE(Simulate(o).has_value());
  std::set<std::string> event_ids, finding_ids;
  simdjson::dom::parser parser;
  for (const fs::path& file : Files(o.out_dir, "/CloudTrail/")) {
    const std::string text = ReadLog(file);
    for (simdjson::dom::element r : parser.parse(text)["Records"].get_array()) {
      event_ids.insert(std::string(std::string_view(r["eventID"])));
    }
  }
  std::map<std::string, std::string> finding_types;
  for (const fs::path& file : Files(o.out_dir, "/GuardDuty/")) {
    std::istringstream lines(ReadLog(file));
    for (std::string line; std::getline(lines, line);) {
      simdjson::dom::element f;
      ASSERT_EQ(parser.parse(line).get(f), simdjson::SUCCESS) << file;
      double severity;
      ASSERT_EQ(f["severity"].get_double().get(severity), simdjson::SUCCESS);
      EXPECT_GE(severity, 1);
      EXPECT_LE(severity, 9);
      EXPECT_EQ(f["service"]["serviceName"].get_string().value(), "guardduty");
      finding_types[std::string(std::string_view(f["id"]))] = std::string(std::string_view(f["type"]));
    }
  }
  const std::string truth = ReadRaw(o.out_dir / "scenarios.json");
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(truth).get(doc), simdjson::SUCCESS);
  std::set<std::string> names;
  for (simdjson::dom::element sc : doc["scenarios"].get_array()) {
    const std::string name{std::string_view(sc["name"])};
    names.insert(name);
    EXPECT_FALSE(std::string_view(sc["attacker"]["ip"]).empty()) << name;
    size_t events = 0;
    for (simdjson::dom::element id : sc["cloudtrail_event_ids"].get_array()) {
      EXPECT_TRUE(event_ids.count(std::string(std::string_view(id)))) << name << " " << std::string_view(id);
      ++events;
    }
    EXPECT_GT(events, 0u) << name;
    size_t findings = 0;
    for (simdjson::dom::element id : sc["guardduty_finding_ids"].get_array()) {
      EXPECT_TRUE(finding_types.count(std::string(std::string_view(id)))) << name;
      ++findings;
    }
    EXPECT_GT(findings, 0u) << name;
  }
  EXPECT_EQ(names.size(), AllScenarioNames().size());
  bool bitcoin_dns = false;
  for (const auto& [id, type] : finding_types) bitcoin_dns |= type == "CryptoCurrency:EC2/BitcoinTool.B!DNS";
  EXPECT_TRUE(bitcoin_dns);
}

TEST_F(SimulatorTest, FlowLogLinesHaveTheHeadersFieldCount) {
  SimulateOptions o = Options("flow", 4000);
  o.layout = Layout::kPlain;
  o.gzip = false;
  ASSERT_TRUE(Simulate(o).has_value());
  auto count = [](const std::string& line) {
    std::istringstream in(line);
    size_t n = 0;
    for (std::string w; in >> w;) ++n;
    return n;
  };
  std::set<size_t> widths;
  bool mining_port = false;
  const auto files = Files(o.out_dir / "vpcflowlogs", ".log");
  ASSERT_FALSE(files.empty());
  for (const fs::path& file : files) {
    EXPECT_EQ(file.extension(), ".log");
    std::istringstream lines(ReadLog(file));
    std::string header;
    ASSERT_TRUE(std::getline(lines, header));
    ASSERT_EQ(header.rfind("version account-id interface-id", 0), 0u) << file;
    const size_t width = count(header);
    widths.insert(width);
    for (std::string line; std::getline(lines, line);) {
      ASSERT_EQ(count(line), width) << file << ": " << line;
      mining_port |= line.find(" 14444 6 ") != std::string::npos;
    }
  }
  EXPECT_TRUE(widths.count(14));  // v2 default format
  EXPECT_TRUE(widths.count(29));  // v5 custom format
  EXPECT_TRUE(mining_port);
}

TEST(ScenarioListTest, ParsesAllNoneAndLists) {
  EXPECT_EQ(ParseScenarioList("all")->size(), AllScenarioNames().size());
  EXPECT_TRUE(ParseScenarioList("none")->empty());
  auto two = ParseScenarioList("crypto-mining,public-bucket,crypto-mining");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(*two, (std::vector<std::string>{"crypto-mining", "public-bucket"}));
  auto bad = ParseScenarioList("crypto-mining,nope");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(SimulateOptionsTest, RejectsBadCounts) {
  SimulateOptions o;
  o.out_dir = fs::temp_directory_path() / "cw_simulate_bad";
  o.accounts = 0;
  EXPECT_FALSE(Simulate(o).has_value());
  o.accounts = 3;
  o.days = 0;
  EXPECT_FALSE(Simulate(o).has_value());
}

}  // namespace
}  // namespace cloudward::simulate
