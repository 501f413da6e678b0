#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "detect/rule_set.h"

namespace cloudward::detect {
namespace {

namespace fs = std::filesystem;
const std::string kData = CW_SHARED_DATA_DIR;

#define NEED_DATA()                                                      \
  if (!fs::exists(kData)) GTEST_SKIP() << "needs ../shared/data"

std::string Describe(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.rejected) out += p.file + ":" + std::to_string(p.line) + ": " + p.reason + "\n";
  return out;
}

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".yml") ++n;
  return n;
}

TEST(RuleLoaderTest, SigmaHqAwsRulesAllLoad) {
  NEED_DATA();
  std::string dir = kData + "/sigmahq-sigma/rules/cloud/aws";
  LoadResult r = LoadRules({dir});
  EXPECT_TRUE(r.rejected.empty()) << Describe(r);
  EXPECT_EQ(r.loaded, 57u);
  EXPECT_EQ(r.loaded, CountFiles(dir));
  for (size_t i = 0; i < r.rules->size(); ++i) {
    EXPECT_EQ(r.rules->at(i).log_type, LogType::kCloudTrail) << r.rules->at(i).file;
  }
}

TEST(RuleLoaderTest, PlaceholderRuleNeedsPlaceholders) {
  NEED_DATA();
  std::string dir = kData + "/sigmahq-sigma/rules-placeholder";
  LoadResult without = LoadRules({dir});
  ASSERT_EQ(without.rejected.size(), 1u);
  EXPECT_NE(without.rejected[0].reason.find("placeholder"), std::string::npos);

  fs::path file = fs::temp_directory_path() / "cw_placeholders_test.yml";
  std::ofstream(file) << "Legitimate_Countries: [US, DE]\nLegitimate_IP_Ranges:\n  - 10.0.0.0/8\n";
  LoadOptions options;
  options.placeholders_file = file.string();
  LoadResult with = LoadRules({dir}, {}, options);
  EXPECT_TRUE(with.rejected.empty()) << Describe(with);
  EXPECT_EQ(with.loaded, 1u);
  fs::remove(file);
}

TEST(RuleLoaderTest, TrailAlertsRulesAllLoad) {
  NEED_DATA();
  std::string dir = kData + "/trailalerts/rules/sigma_rules";
  LoadResult r = LoadRules({dir});
  EXPECT_TRUE(r.rejected.empty()) << Describe(r);
  EXPECT_EQ(r.loaded, 52u);
}

TEST(RuleLoaderTest, SuzakuRulesAndCorrelationsLoad) {
  NEED_DATA();
  std::string dir = kData + "/suzaku-rules";
  LoadResult r = LoadRules({dir});
  EXPECT_TRUE(r.rejected.empty()) << Describe(r);
  size_t correlations = 0;
  for (size_t i = 0; i < r.rules->size(); ++i) {
    const Rule& rule = r.rules->at(i);
    if (!rule.is_correlation()) continue;
    ++correlations;
    EXPECT_FALSE(rule.correlation->rules.empty());
    for (const Rule* base : rule.correlation->rules) EXPECT_FALSE(base->standalone) << base->ref.title;
  }
  EXPECT_EQ(correlations, 5u);
  // 738 files; the 5 correlation files also hold their base rules.
  EXPECT_GE(r.loaded, 738u + 5u);
}

TEST(RuleLoaderTest, SpecificationExamplesLoad) {
  NEED_DATA();
  std::string dir = kData + "/sigma-specification/tests/schema";
  LoadOptions options;
  options.filter_by_logsource = false;
  // The correlation examples name base rules that are not part of the examples; supply them
  // (by name, or by id for the ones referenced by id).
  std::vector<RuleText> bases;
  std::vector<std::pair<std::string, std::string>> refs = {
      {"recon_cmd_a", ""}, {"recon_cmd_b", ""}, {"recon_cmd_c", ""}, {"process_creation", ""},
      {"website_access", ""}, {"rule_a_id", "rule_a_id"},
      {"base_5638", "5638f7c0-ac70-491d-8465-2a65075e0d86"}};
  for (const auto& [name, id] : refs) {
    bases.push_back({name + ".yml", "title: " + name + "\nname: " + name +
                                        (id.empty() ? "" : "\nid: " + id) +
                                        "\nlogsource: {product: windows}\n"
                                        "detection: {sel: {EventID: 1}, condition: sel}\n"});
  }
  LoadResult all = LoadRules({dir}, bases, options);
  // value_percentile is the one documented unsupported correlation type.
  ASSERT_EQ(all.rejected.size(), 1u) << Describe(all);
  EXPECT_NE(all.rejected[0].reason.find("value_percentile"), std::string::npos);
  size_t correlations = 0;
  for (size_t i = 0; i < all.rules->size(); ++i) correlations += all.rules->at(i).is_correlation();
  EXPECT_EQ(correlations, 7u);  // the 8 examples but value_percentile
  EXPECT_EQ(all.loaded, refs.size() + 7u + 2u);  // + rule_1, rule_ecs
  EXPECT_EQ(all.rules->FindById("rule_a_id")->ref.title, "rule_a_id");
}

TEST(RuleLoaderTest, LegacyAggregationsRejectedWithReason) {
  NEED_DATA();
  std::string dir = kData + "/sigmahq-sigma/unsupported";
  LoadResult r = LoadRules({dir});
  EXPECT_EQ(r.loaded, 0u);
  ASSERT_EQ(r.rejected.size(), 8u);
  for (const RuleProblem& p : r.rejected) {
    bool named = p.reason.find("aggregation") != std::string::npos ||
                 p.reason.find("timeframe") != std::string::npos;
    EXPECT_TRUE(named) << p.file << ": " << p.reason;
    EXPECT_GT(p.line, 0) << p.file;
  }
}

TEST(RuleLoaderTest, ProblemsCarryFileLineAndDoNotStopOthers) {
  std::vector<RuleText> texts = {
      {"good.yml", "title: good\nlogsource: {product: aws, service: cloudtrail}\n"
                   "detection:\n  sel:\n    eventName: X\n  condition: sel\n"},
      {"bad_yaml.yml", "title: [unclosed\n"},
      {"bad_mod.yml", "title: bad\nlogsource: {product: aws}\ndetection:\n  sel:\n"
                      "    eventName|contains|startswith: X\n  condition: sel\n"},
      {"bad_cond.yml", "title: bad2\nlogsource: {product: aws}\ndetection:\n  sel:\n"
                       "    eventName: X\n  condition: sel and missing\n"},
      {"bad_re.yml", "title: bad3\nlogsource: {product: aws}\ndetection:\n  sel:\n"
                     "    eventName|re: '(?<=a)b'\n  condition: sel\n"},
  };
  LoadResult r = LoadRules({}, texts);
  EXPECT_EQ(r.loaded, 1u);
  ASSERT_EQ(r.rejected.size(), 4u) << Describe(r);
  EXPECT_EQ(r.rejected[0].file, "bad_yaml.yml");
  EXPECT_EQ(r.rejected[1].file, "bad_mod.yml");
  EXPECT_EQ(r.rejected[1].line, 5);
  EXPECT_NE(r.rejected[1].reason.find("exclusive"), std::string::npos);
  EXPECT_NE(r.rejected[2].reason.find("missing"), std::string::npos);
  EXPECT_NE(r.rejected[3].reason.find("RE2"), std::string::npos);
}

TEST(RuleLoaderTest, InvalidModifierCombinations) {
  const char* keys[] = {"f|re|contains", "f|cidr|contains", "f|exists|contains", "f|gt|lt",
                        "f|i", "f|bogus", "f|fieldref|base64", "f|base64|base64offset",
                        "f|minute"};
  for (const char* key : keys) {
    std::string text = std::string("title: t\nlogsource: {product: aws}\ndetection:\n  sel:\n    ") +
                       key + ": '1'\n  condition: sel\n";
    LoadResult r = LoadRules({}, {{"x.yml", text}});
    EXPECT_EQ(r.loaded, 0u) << key;
    EXPECT_EQ(r.rejected.size(), 1u) << key;
  }
}

TEST(RuleLoaderTest, NestedMapKeysMustBeFieldNames) {
  // sigma_rule_fuzz regress: an empty key inside a nested map value ("eventName: : [A, B]" is
  // {eventName: {"": [A, B]}}) named no field and was looked up as one (out-of-bounds read).
  const char* values[] = {"{eventName: : [A, B]}", "{requestParameters: {'|contains': x}}"};
  for (const char* value : values) {
    std::string text = std::string("title: t\nlogsource: {product: aws}\ndetection:\n  sel: ") + value +
                       "\n  condition: sel\n";
    LoadResult r = LoadRules({}, {{"x.yml", text}});
    EXPECT_EQ(r.loaded, 0u) << value;
    ASSERT_EQ(r.rejected.size(), 1u) << value;
    EXPECT_NE(r.rejected[0].reason.find("nested map keys must be field names"), std::string::npos)
        << value << ": " << r.rejected[0].reason;
  }
  // A nested map with field names still loads.
  LoadResult ok = LoadRules({}, {{"ok.yml", "title: t\nlogsource: {product: aws}\ndetection:\n"
                                            "  sel: {requestParameters: {userName: bob}}\n  condition: sel\n"}});
  EXPECT_EQ(ok.loaded, 1u) << Describe(ok);
}

TEST(RuleLoaderTest, CollectionsGlobalResetRepeat) {
  std::string text =
      "action: global\nlogsource: {product: aws, service: cloudtrail}\nlevel: high\n"
      "detection:\n  condition: sel\n"
      "---\ntitle: one\ndetection:\n  sel: {eventName: A}\n"
      "---\naction: repeat\ntitle: two\ndetection:\n  sel: {eventName: B}\n"
      "---\naction: reset\n"
      "---\ntitle: three\nlogsource: {product: aws}\ndetection:\n  sel: {eventName: C}\n  condition: sel\n";
  LoadResult r = LoadRules({}, {{"c.yml", text}});
  ASSERT_EQ(r.loaded, 3u) << Describe(r);
  EXPECT_EQ(r.rules->at(0).ref.level, Level::kHigh);
  EXPECT_EQ(r.rules->at(1).ref.title, "two");
  EXPECT_EQ(r.rules->at(1).ref.level, Level::kHigh);
  EXPECT_EQ(r.rules->at(2).ref.level, Level::kMedium);
}

TEST(RuleLoaderTest, LogsourceMapping) {
  EXPECT_EQ(LogTypeForLogsource("aws", "cloudtrail", ""), LogType::kCloudTrail);
  EXPECT_EQ(LogTypeForLogsource("aws", "iam", ""), LogType::kCloudTrail);
  EXPECT_EQ(LogTypeForLogsource("aws", "s3", ""), LogType::kCloudTrail);
  EXPECT_EQ(LogTypeForLogsource("aws", "vpcflowlogs", ""), LogType::kVpcFlow);
  EXPECT_EQ(LogTypeForLogsource("aws", "vpc_flow", ""), LogType::kVpcFlow);
  EXPECT_EQ(LogTypeForLogsource("aws", "", "network_connection"), LogType::kVpcFlow);
  EXPECT_EQ(LogTypeForLogsource("aws", "", "firewall"), LogType::kVpcFlow);
  EXPECT_EQ(LogTypeForLogsource("aws", "guardduty", ""), LogType::kGuardDuty);
  EXPECT_EQ(LogTypeForLogsource("aws", "s3_server_access", ""), LogType::kS3Access);
  EXPECT_EQ(LogTypeForLogsource("windows", "security", ""), std::nullopt);
}

TEST(RuleLoaderTest, TenThousandRulesAllLoad) {
  std::vector<RuleText> texts;
  for (int i = 0; i < 10000; ++i) {
    texts.push_back({"gen" + std::to_string(i) + ".yml",
                     "title: generated " + std::to_string(i) + "\nid: id-" + std::to_string(i) +
                         "\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n"
                         "  sel:\n    eventSource: s" + std::to_string(i % 50) +
                         ".amazonaws.com\n    eventName: [Op" + std::to_string(i) + ", Other" +
                         std::to_string(i) + "]\n    requestParameters.name|contains: 'x" +
                         std::to_string(i) + "'\n  filter:\n    errorCode|exists: true\n"
                         "  condition: sel and not filter\n"});
  }
  // Speed and memory of loading many rules are measured in bench/run.sh, not asserted here.
  LoadResult r = LoadRules({}, texts);
  EXPECT_EQ(r.loaded, 10000u);
  EXPECT_TRUE(r.rejected.empty());
}

// Files of a folder parse in parallel; rules, problems and warnings still come in file order.
TEST(RuleLoaderTest, ManyFilesLoadInFileOrder) {
  const fs::path dir = fs::path(::testing::TempDir()) / "cw_rule_loader_many";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  std::vector<std::string> expected_rejected, expected_ids;
  for (int i = 0; i < 300; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "r%03d.yml", i);
    const fs::path file = (i % 2 ? dir / "sub" : dir) / name;
    std::ofstream out(file);
    if (i % 7 == 0) {
      out << "title: broken " << i << "\ndetection: [unclosed\n";
      continue;
    }
    out << "title: rule " << i << "\nid: id-" << i << "\nlogsource: {product: aws, service: cloudtrail}\n"
        << "detection:\n  sel:\n    eventName: Op" << i << "\n  condition: sel\n";
  }
  std::vector<std::string> files;
  for (auto& e : fs::recursive_directory_iterator(dir)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (fs::is_directory(f)) continue;
    const int i = std::stoi(fs::path(f).stem().string().substr(1));
    (i % 7 == 0 ? expected_rejected : expected_ids).push_back(i % 7 == 0 ? f : "id-" + std::to_string(i));
  }
  LoadResult r = LoadRules({dir.string(), (dir / "missing").string()});
  EXPECT_EQ(r.loaded, expected_ids.size());
  std::vector<std::string> rejected, ids;
  for (const auto& p : r.rejected) rejected.push_back(p.file);
  ASSERT_EQ(rejected.size(), expected_rejected.size() + 1) << Describe(r);
  EXPECT_EQ(rejected.back(), (dir / "missing").string()) << "a missing path comes after the folder before it";
  rejected.pop_back();
  EXPECT_EQ(rejected, expected_rejected);
  for (size_t i = 0; i < r.rules->size(); ++i) ids.push_back(r.rules->at(i).ref.id);
  EXPECT_EQ(ids, expected_ids);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cloudward::detect
