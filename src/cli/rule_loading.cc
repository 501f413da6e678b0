#include "cli/rule_loading.h"

#include <fmt/core.h>

#include "core/embedded_file.h"

namespace cloudward::cli {

void AddRuleLoadingOptions(CLI::App& cmd, RuleLoadingOptions& options) {
  cmd.add_option("-r,--rules", options.paths, "Sigma rule file or folder (repeatable); added to the bundled pack")
      ->expected(1)
      ->allow_extra_args(false);
  cmd.add_flag("--no-default-rules", options.no_default_rules, "Leave out the bundled rule pack");
  cmd.add_option("--placeholders", options.placeholders, "YAML file of placeholder values for |expand");
  cmd.add_option("--field-mappings", options.field_mappings, "YAML file overriding the built-in field mappings");
}

RuleLoadingResult LoadRulesForCommand(const RuleLoadingOptions& options, const char* command) {
  std::vector<detect::RuleText> texts;
  if (!options.no_default_rules) {
    for (const EmbeddedFile& file : RulePackFiles()) {
      texts.push_back({std::string("<bundled>/") + file.path, std::string(file.text())});
    }
  }
  detect::LoadOptions load;
  load.placeholders_file = options.placeholders;
  load.field_mappings_file = options.field_mappings;
  detect::LoadResult loaded = detect::LoadRules(options.paths, texts, load);
  RuleLoadingResult result;
  result.rules = loaded.rules;
  result.loaded = loaded.loaded;
  result.rejected = std::move(loaded.rejected);
  size_t shown = 0;
  for (const auto& p : result.rejected) {
    if (shown++ < 20) fmt::print(stderr, "{}: rule rejected: {}:{}: {}\n", command, p.file, p.line, p.reason);
  }
  if (result.rejected.size() > 20) {
    fmt::print(stderr, "{}: ... {} more rejected rules (run `cloudward rules check`)\n", command,
               result.rejected.size() - 20);
  }
  if (result.loaded == 0 && !(options.no_default_rules && options.paths.empty())) {
    fmt::print(stderr, "{}: no rules loaded\n", command);
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace cloudward::cli
