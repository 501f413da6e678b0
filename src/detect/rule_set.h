// Sigma rules: loading, compiling and the immutable RuleSet shared by every matcher thread.
//
//   LoadResult result = LoadRules({"rules/", "extra.yml"}, {{"pack/x.yml", text}});
//   for (const RuleProblem& p : result.rejected) Report(p.file, p.line, p.reason);
//   Matcher matcher(result.rules);                 // one per thread
//   std::vector<const Rule*> hits;
//   matcher.Match(event, hits);
//
// Supported: Sigma rules spec v2.1 detections (maps, lists of maps, value lists, keywords, null,
// numbers, booleans, wildcards with `\` escapes), every standard modifier except the time
// modifiers, conditions with and/or/not/parentheses/`1 of`/`all of`, multi-document collections
// (action: global/reset/repeat), filters (v2 `filter:` documents) and correlation rules
// (event_count, value_count, temporal, temporal_ordered, value_sum, value_avg).
// Rejected with a reason: legacy aggregations (`| count() ...`, `| near`, detection.timeframe),
// value_percentile, correlations of correlations, time modifiers, invalid modifier combinations.
//
// Extension (not in the spec, documented for TrailAlerts compatibility): a field value may be a
// map or a list of maps; it matches when some object reached by the field (an element of an array
// or the object itself) has fields matching the map (AND within a map, OR across the list).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "core/log_type.h"

namespace cloudward::detect {

struct RuleProblem {
  std::string file;
  int line = 0;
  std::string reason;
};

// An in-memory rule file (name used in messages).
struct RuleText {
  std::string name;
  std::string text;
};

struct LoadOptions {
  std::string placeholders_file;    // YAML: placeholder name -> list of values, for |expand
  std::string field_mappings_file;  // optional override of the built-in field mappings
  bool filter_by_logsource = true;  // false: every rule sees every event (regression tests)
  int threads = 0;                  // files parsed in parallel by at most this many; 0 = all cores
};

class Detection;   // compiled detection section (detection.h, internal)
struct MatchIndex; // candidate-rule index (matcher.cc, internal)
class Rule;

enum class CorrelationType : unsigned char {
  kEventCount, kValueCount, kTemporal, kTemporalOrdered, kValueSum, kValueAvg
};
std::string_view CorrelationTypeName(CorrelationType type);

// `condition:` of a correlation rule: every bound that is set must hold.
struct CountCondition {
  std::optional<double> gt, gte, lt, lte, eq, neq;
  bool Test(double value) const;
  // Only lower bounds (gt/gte): the condition can only become true as events are added, so a
  // sliding window fires as soon as it holds.
  bool LowerBoundOnly() const { return !lt && !lte && !eq && !neq; }
};

struct Correlation {
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<const Rule*> rules;               // referenced base rules, in the listed order
  std::vector<std::string> group_by;            // as written (alias names or field paths)
  // group_fields[i][j]: field path read from events of rules[i] for group_by[j] (aliases resolved).
  std::vector<std::vector<std::string>> group_fields;
  int64_t timespan_ms = 0;
  CountCondition condition;
  std::string field;                            // value_count / value_sum / value_avg
  bool generate = false;
};

// One compiled rule or correlation rule. Owned by its RuleSet; immutable.
class Rule {
 public:
  Rule();
  ~Rule();
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;

  RuleRef ref;                 // id, title, level, tags
  std::string name;            // optional `name:` (referenced by correlations and filters)
  std::string file;            // where it was loaded from
  int line = 0;                // first line of its YAML document
  std::string status, description, author;
  std::string product, service, category;  // logsource
  // The AWS log type the rule applies to, or nullopt when its log source is not an AWS one.
  std::optional<LogType> log_type;
  // False when the rule is only a building block of correlation rules with `generate: false`:
  // the matcher still reports it (the correlation engine needs it) but hunts should not turn
  // its matches into findings.
  bool standalone = true;
  size_t index = 0;            // position in the RuleSet

  bool is_correlation() const { return correlation != nullptr; }
  std::unique_ptr<Correlation> correlation;
  std::unique_ptr<Detection> detection;  // null for correlation rules
};

// The loaded rules. Immutable once built; share it across threads.
class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  size_t size() const { return rules_.size(); }
  const Rule& at(size_t i) const { return *rules_[i]; }
  const Rule* FindById(std::string_view id) const;
  // By id, then `name`, then title.
  const Rule* FindByReference(std::string_view reference) const;
  bool filter_by_logsource() const { return filter_by_logsource_; }

  // Internal (built by LoadRules, read by Matcher): the interned field paths of all detections.
  const std::vector<std::string>& field_paths() const { return field_paths_; }
  uint32_t InternField(std::string_view path);
  const MatchIndex& index() const { return *index_; }

 private:
  friend struct RuleSetBuilder;
  std::unique_ptr<MatchIndex> index_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::unordered_map<std::string, size_t> by_id_, by_name_, by_title_;
  std::vector<std::string> field_paths_;
  std::unordered_map<std::string, uint32_t> field_ids_;
  bool filter_by_logsource_ = true;
};

struct LoadResult {
  std::shared_ptr<const RuleSet> rules;  // never null
  size_t loaded = 0;                     // rules + correlations accepted
  std::vector<RuleProblem> rejected;     // one per rejected rule or file
  std::vector<RuleProblem> warnings;
};

// Loads rule files and folders (recursively, *.yml / *.yaml) and in-memory texts. Never throws;
// every problem is reported with file, line and reason, and one bad rule never stops the others.
LoadResult LoadRules(const std::vector<std::string>& paths, const std::vector<RuleText>& texts = {},
                     const LoadOptions& options = {});

// The log type a Sigma logsource designates, or nullopt for non-AWS sources (see rule_loader.cc).
std::optional<LogType> LogTypeForLogsource(std::string_view product, std::string_view service,
                                           std::string_view category);

}  // namespace cloudward::detect
