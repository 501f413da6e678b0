// Rule options shared by every command that runs detection (hunt, timeline, serve):
// --rules PATH (repeatable), --no-default-rules, --placeholders FILE, --field-mappings FILE.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "detect/rule_set.h"

namespace cloudward::cli {

struct RuleLoadingOptions {
  std::vector<std::string> paths;
  bool no_default_rules = false;
  std::string placeholders;
  std::string field_mappings;
};

struct RuleLoadingResult {
  bool ok = false;  // false: nothing usable was loaded (the message is already printed)
  std::shared_ptr<const detect::RuleSet> rules;
  size_t loaded = 0;
  std::vector<detect::RuleProblem> rejected;
};

void AddRuleLoadingOptions(CLI::App& cmd, RuleLoadingOptions& options);

// Loads the bundled pack (unless disabled) and the given paths. Rejected rules are reported on
// stderr with file, line and reason; loading goes on with the rest.
RuleLoadingResult LoadRulesForCommand(const RuleLoadingOptions& options, const char* command);

}  // namespace cloudward::cli
