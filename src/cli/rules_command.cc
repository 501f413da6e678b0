// `cloudward rules check|list|test`: validate, list and unit-test Sigma rules.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.h"
#include "core/embedded_file.h"
#include "core/time.h"
#include "detect/correlation_engine.h"
#include "detect/matcher.h"
#include "detect/rule_set.h"
#include "ingest/scan.h"
#include "ingest/s3_access_reader.h"

namespace cloudward::cli {
namespace rules_command {

namespace fs = std::filesystem;
using detect::LoadOptions;
using detect::LoadResult;
using detect::RuleProblem;

struct RulesOptions {
  std::vector<std::string> paths;
  std::string format;
  std::string placeholders;
  std::string field_mappings;
};

LoadOptions ToLoadOptions(const RulesOptions& o) {
  LoadOptions options;
  options.placeholders_file = o.placeholders;
  options.field_mappings_file = o.field_mappings;
  return options;
}

// No PATH: the rule pack built into the binary.
LoadResult Load(const RulesOptions& o) {
  std::vector<detect::RuleText> texts;
  if (o.paths.empty()) {
    for (const EmbeddedFile& f : RulePackFiles())
      texts.push_back({std::string("<builtin>/") + f.path, std::string(f.text())});
  }
  return detect::LoadRules(o.paths, texts, ToLoadOptions(o));
}

nlohmann::json ProblemsJson(const std::vector<RuleProblem>& problems) {
  nlohmann::json out = nlohmann::json::array();
  for (const RuleProblem& p : problems)
    out.push_back({{"file", p.file}, {"line", p.line}, {"reason", p.reason}});
  return out;
}

int RunCheck(const RulesOptions& o) {
  LoadResult r = Load(o);
  if (o.format == "json") {
    nlohmann::json out = {{"loaded", r.loaded},
                          {"rejected", ProblemsJson(r.rejected)},
                          {"warnings", ProblemsJson(r.warnings)}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const RuleProblem& p : r.rejected)
      std::printf("%s:%d: rejected: %s\n", p.file.c_str(), p.line, p.reason.c_str());
    for (const RuleProblem& p : r.warnings)
      std::printf("%s:%d: warning: %s\n", p.file.c_str(), p.line, p.reason.c_str());
    std::printf("loaded %zu, rejected %zu, warnings %zu\n", r.loaded, r.rejected.size(),
                r.warnings.size());
  }
  return r.rejected.empty() ? kExitOk : kExitFindings;
}

std::string LogSourceText(const detect::Rule& rule) {
  std::string out = rule.product;
  for (const std::string* part : {&rule.service, &rule.category}) {
    if (part->empty()) continue;
    if (!out.empty()) out += '/';
    out += *part;
  }
  return out;
}

int RunList(const RulesOptions& o) {
  LoadResult r = Load(o);
  for (const RuleProblem& p : r.rejected)
    std::fprintf(stderr, "%s:%d: rejected: %s\n", p.file.c_str(), p.line, p.reason.c_str());
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < r.rules->size(); ++i) {
    const detect::Rule& rule = r.rules->at(i);
    std::string tags;
    for (const std::string& t : rule.ref.tags) tags += (tags.empty() ? "" : ",") + t;
    if (o.format == "json") {
      out.push_back({{"id", rule.ref.id},
                     {"title", rule.ref.title},
                     {"level", std::string(LevelName(rule.ref.level))},
                     {"logsource", LogSourceText(rule)},
                     {"log_type", rule.log_type ? std::string(LogTypeName(*rule.log_type)) : ""},
                     {"correlation", rule.is_correlation()},
                     {"tags", rule.ref.tags},
                     {"file", rule.file}});
    } else {
      std::printf("%-36s  %-13s  %-22s  %s%s  [%s]\n", rule.ref.id.c_str(),
                  std::string(LevelName(rule.ref.level)).c_str(), LogSourceText(rule).c_str(),
                  rule.is_correlation() ? "(correlation) " : "", rule.ref.title.c_str(),
                  tags.c_str());
    }
  }
  if (o.format == "json") std::printf("%s\n", out.dump(2).c_str());
  return r.rejected.empty() ? kExitOk : kExitFindings;
}

// rules test: X.yml beside X_tests.json {"should_match": [...], "should_not_match": [...]}.

// The event time of a test record, as the readers would set it: CloudTrail eventTime (or the
// @timestamp of re-shipped records), GuardDuty updatedAt, a flow record's start (epoch seconds),
// an S3 access record's bracketed time.
int64_t TestRecordTime(simdjson::dom::element record) {
  std::string_view text;
  for (const char* key : {"eventTime", "@timestamp", "updatedAt", "createdAt", "time"}) {
    if (record[key].get(text) != simdjson::SUCCESS) continue;
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (auto t = ParseIsoTime(text)) return *t;
    if (auto t = ingest::S3AccessReader::ParseTime(text)) return *t;
  }
  int64_t seconds = 0;
  if (record["start"].get(seconds) == simdjson::SUCCESS) return seconds * 1000;
  if (record["start"].get(text) == simdjson::SUCCESS) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && p == text.data() + text.size()) return v * 1000;
  }
  return kUnknownTime;
}

struct TestCase {
  Event event;
  bool wrapped_type = false;  // {"log_type": ..., "record": ...} set the type explicitly
};

std::vector<TestCase> TestCases(simdjson::dom::array list) {
  std::vector<TestCase> out;
  for (simdjson::dom::element item : list) {
    TestCase c;
    c.event.record = item;
    std::string_view type_name;
    simdjson::dom::element record;
    if (item["log_type"].get(type_name) == simdjson::SUCCESS &&
        item["record"].get(record) == simdjson::SUCCESS) {
      c.event.record = record;
      if (auto t = LogTypeFromName(type_name)) {
        c.event.type = *t;
        c.wrapped_type = true;
      }
    }
    c.event.time_ms = TestRecordTime(c.event.record);
    out.push_back(c);
  }
  return out;
}

// A rule file without correlations: every event is tested alone against every rule of the file.
void TestEachEvent(const detect::RuleSet& rules, detect::Matcher& matcher, const char* label,
                   bool expected, std::vector<TestCase>& cases, size_t& events,
                   std::vector<std::string>& failures) {
  for (size_t index = 0; index < cases.size(); ++index) {
    Event& event = cases[index].event;
    for (size_t i = 0; i < rules.size(); ++i) {
      const detect::Rule& rule = rules.at(i);
      if (!cases[index].wrapped_type) event.type = rule.log_type.value_or(LogType::kCloudTrail);
      ++events;
      bool fired = matcher.MatchRule(rule, event);
      if (fired != expected) {
        failures.push_back(std::string(label) + "[" + std::to_string(index) + "] " +
                           (fired ? "fired" : "did not fire") + " (" + rule.ref.title + ")");
      }
    }
  }
}

// A file with correlations: each list is one scenario. The events of should_match, fed together
// through the base rules into the correlation engine, must raise every correlation of the file;
// those of should_not_match must raise none.
void TestScenario(const std::shared_ptr<const detect::RuleSet>& rules, detect::Matcher& matcher,
                  const char* label, bool expected, std::vector<TestCase>& cases, size_t& events,
                  std::vector<std::string>& failures) {
  detect::CorrelationEngine engine(rules);
  for (TestCase& c : cases) {
    ++events;
    for (size_t i = 0; i < rules->size(); ++i) {
      const detect::Rule& rule = rules->at(i);
      if (rule.is_correlation() || !engine.Wants(rule)) continue;
      if (!c.wrapped_type) c.event.type = rule.log_type.value_or(LogType::kCloudTrail);
      if (matcher.MatchRule(rule, c.event)) engine.Observe(rule, c.event, ingest::Describe(c.event));
    }
  }
  std::set<std::string> fired;
  for (const Finding& f : engine.Finish()) fired.insert(f.rule.id);
  for (size_t i = 0; i < rules->size(); ++i) {
    const detect::Rule& rule = rules->at(i);
    if (!rule.is_correlation()) continue;
    bool did = fired.count(rule.ref.id) > 0;
    if (did != expected) {
      failures.push_back(std::string(label) + " scenario (" + std::to_string(cases.size()) +
                         " events) " + (did ? "fired" : "did not fire") + " (" + rule.ref.title +
                         ")");
    }
  }
}

int RunTest(const RulesOptions& o) {
  std::vector<fs::path> rule_files;
  for (const std::string& p : o.paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto& e : fs::recursive_directory_iterator(p, ec)) {
        auto ext = e.path().extension();
        if (ext == ".yml" || ext == ".yaml") rule_files.push_back(e.path());
      }
    } else {
      rule_files.emplace_back(p);
    }
  }
  std::sort(rule_files.begin(), rule_files.end());
  size_t rules_passed = 0, rules_failed = 0, untested = 0, events = 0, event_failures = 0;
  for (const fs::path& file : rule_files) {
    fs::path tests = file.parent_path() / (file.stem().string() + "_tests.json");
    if (!fs::exists(tests)) {
      ++untested;
      continue;
    }
    LoadResult load = detect::LoadRules({file.string()}, {}, ToLoadOptions(o));
    std::vector<std::string> failures;
    for (const RuleProblem& p : load.rejected)
      failures.push_back("rejected: " + std::to_string(p.line) + ": " + p.reason);
    std::ifstream in(tests, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (!in) failures.push_back("cannot read " + tests.string());
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (failures.empty() && (parser.parse(text).get(root) != simdjson::SUCCESS || !root.is_object())) {
      failures.push_back("cannot parse " + tests.string());
    }
    bool has_correlation = false;
    for (size_t i = 0; i < load.rules->size(); ++i)
      has_correlation = has_correlation || load.rules->at(i).is_correlation();
    detect::Matcher matcher(load.rules);
    size_t failures_before_events = failures.size();
    if (failures.empty()) {
      for (const char* label : {"should_match", "should_not_match"}) {
        simdjson::dom::array list;
        if (root[label].get(list) != simdjson::SUCCESS) continue;
        bool expected = std::string_view(label) == "should_match";
        std::vector<TestCase> cases = TestCases(list);
        if (has_correlation) {
          TestScenario(load.rules, matcher, label, expected, cases, events, failures);
        } else {
          TestEachEvent(*load.rules, matcher, label, expected, cases, events, failures);
        }
      }
    }
    event_failures += failures.size() - failures_before_events;
    if (failures.empty()) {
      ++rules_passed;
      std::printf("PASS %s\n", file.string().c_str());
    } else {
      ++rules_failed;
      std::printf("FAIL %s\n", file.string().c_str());
      for (const std::string& f : failures) std::printf("     %s\n", f.c_str());
    }
  }
  std::printf("%zu rule files passed, %zu failed, %zu without tests; %zu checks, %zu wrong\n",
              rules_passed, rules_failed, untested, events, event_failures);
  return rules_failed == 0 ? kExitOk : kExitFindings;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto* rules = app.add_subcommand("rules", "Check, list and test Sigma rules");
  rules->require_subcommand(1);
  auto add_common = [](CLI::App* cmd, const std::shared_ptr<RulesOptions>& o) {
    cmd->add_option("--placeholders", o->placeholders,
                    "YAML file: placeholder name -> list of values (for |expand)");
    cmd->add_option("--field-mappings", o->field_mappings,
                    "YAML file: log type -> {sigma field: record field}");
  };

  auto check_opts = std::make_shared<RulesOptions>();
  check_opts->format = "text";
  auto* check = rules->add_subcommand(
      "check", "Load rules and report every problem (exit 0 if none rejected, 1 otherwise)");
  check->add_option("--format", check_opts->format, "text or json ({loaded, rejected, warnings})")
      ->check(CLI::IsMember({"text", "json"}));
  check->add_option("PATH", check_opts->paths, "rule files or folders (*.yml, *.yaml)")->required();
  add_common(check, check_opts);
  check->callback([check_opts, exit_code] { *exit_code = RunCheck(*check_opts); });

  auto list_opts = std::make_shared<RulesOptions>();
  list_opts->format = "table";
  auto* list = rules->add_subcommand(
      "list", "List rules: id, level, log source, title, tags (no PATH: the built-in pack)");
  list->add_option("--format", list_opts->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  list->add_option("PATH", list_opts->paths, "rule files or folders");
  add_common(list, list_opts);
  list->callback([list_opts, exit_code] { *exit_code = RunList(*list_opts); });

  auto test_opts = std::make_shared<RulesOptions>();
  auto* test = rules->add_subcommand(
      "test",
      "Run rule unit tests: for every rule file X.yml with a sibling X_tests.json of the form\n"
      "{\"should_match\": [event, ...], \"should_not_match\": [event, ...]} (TrailAlerts format),\n"
      "each event is tested against the rules of X.yml as a record of the rule's log type.\n"
      "In a file holding a correlation, each list is one scenario replayed by event time: the\n"
      "should_match events together must raise every correlation of the file, the\n"
      "should_not_match events together none.\n"
      "An event is the raw record (a CloudTrail record, a GuardDuty finding, a parsed flow-log or\n"
      "S3 access-log line), or {\"log_type\": \"vpcflow\", \"record\": {...}} to set the type.\n"
      "Prints PASS/FAIL per rule file and totals; exit 1 on any failure.");
  test->add_option("PATH", test_opts->paths, "rule files or folders")->required();
  add_common(test, test_opts);
  test->callback([test_opts, exit_code] { *exit_code = RunTest(*test_opts); });
}

}  // namespace rules_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(rules, 20, cloudward::cli::rules_command::SetUp);
