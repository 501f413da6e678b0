// Rule options shared by every command that runs detection (hunt, timeline, serve):
// --rules PATH (repeatable), --no-default-rules, --placeholders FILE, --field-mappings FILE;
// and the IOC lists: --ioc-ips, --ioc-domains, --ioc-access-keys, --ioc-user-agents, --ioc-amis
// FILE (repeatable), added to the lists named in the configuration (detection.ioc).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "detect/ioc.h"
#include "detect/rule_set.h"

namespace cloudward::cli {

struct RuleLoadingOptions {
  std::vector<std::string> paths;
  bool no_default_rules = false;
  std::string placeholders;
  std::string field_mappings;
  int threads = 0;  // for parsing rule files; 0 = all cores (hunt passes its --threads)
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

struct IocOptions {
  std::vector<std::string> ips;
  std::vector<std::string> domains;
  std::vector<std::string> access_keys;
  std::vector<std::string> user_agents;
  std::vector<std::string> amis;
};

struct IocLoadingResult {
  bool ok = false;  // false: a list could not be read (the message is already printed)
  std::shared_ptr<const detect::IocSet> iocs;  // null when no list was named
  size_t lists = 0;
  size_t rejected = 0;  // malformed lines, reported and left out
};

void AddIocOptions(CLI::App& cmd, IocOptions& options);

// Loads the lists named in the configuration (`configured`; relative paths are taken from the
// directory of `config_path`) and by the flags (relative to the working directory). Malformed
// lines are reported on stderr with file, line and reason and left out; an unreadable list fails.
IocLoadingResult LoadIocForCommand(const IocOptions& flags, const config::IocLists& configured,
                                   const std::string& config_path, const char* command);

}  // namespace cloudward::cli
