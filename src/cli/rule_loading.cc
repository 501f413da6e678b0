#include "cli/rule_loading.h"

#include <fmt/core.h>

#include <filesystem>

#include "core/embedded_file.h"

namespace cloudward::cli {

void AddRuleLoadingOptions(CLI::App& cmd, RuleLoadingOptions& options) {
  // One path per occurrence (so "--rules A logs/" does not take logs/ as a rule folder), any
  // number of occurrences.
  cmd.add_option("-r,--rules", options.paths, "Sigma rule file or folder (repeatable); added to the bundled pack")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
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
  load.threads = options.threads;
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

void AddIocOptions(CLI::App& cmd, IocOptions& options) {
  auto add = [&](const char* flag, std::vector<std::string>& into, const char* what) {
    cmd.add_option(flag, into, fmt::format("File of {}, one a line (repeatable); added to detection.ioc of the configuration", what))
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  add("--ioc-ips", options.ips, "IOC IP addresses and CIDRs");
  add("--ioc-domains", options.domains, "IOC domains (subdomains match too)");
  add("--ioc-access-keys", options.access_keys, "IOC access key ids");
  add("--ioc-user-agents", options.user_agents, "IOC user-agent substrings (any case)");
  add("--ioc-amis", options.amis, "IOC AMI ids (ami-..., matched where an image is launched, copied or shared)");
}

IocLoadingResult LoadIocForCommand(const IocOptions& flags, const config::IocLists& configured,
                                   const std::string& config_path, const char* command) {
  const std::filesystem::path config_dir = std::filesystem::path(config_path).parent_path();
  struct List {
    detect::IocKind kind;
    std::string path;
  };
  std::vector<List> lists;
  auto add = [&](detect::IocKind kind, const std::vector<std::string>& from_config,
                 const std::vector<std::string>& from_flags) {
    for (const std::string& p : from_config) {
      const std::filesystem::path path(p);
      lists.push_back({kind, path.is_relative() && !config_dir.empty() ? (config_dir / path).string() : p});
    }
    for (const std::string& p : from_flags) lists.push_back({kind, p});
  };
  add(detect::IocKind::kIp, configured.ips, flags.ips);
  add(detect::IocKind::kDomain, configured.domains, flags.domains);
  add(detect::IocKind::kAccessKey, configured.access_keys, flags.access_keys);
  add(detect::IocKind::kUserAgent, configured.user_agents, flags.user_agents);
  add(detect::IocKind::kAmi, configured.amis, flags.amis);

  IocLoadingResult result;
  result.lists = lists.size();
  if (lists.empty()) {
    result.ok = true;
    return result;
  }
  detect::IocSetBuilder builder;
  std::vector<detect::IocProblem> problems;
  bool readable = true;
  for (const List& list : lists) {
    const size_t before = problems.size();
    if (!builder.AddFile(list.kind, list.path, &problems)) {
      readable = false;
    } else {
      result.rejected += problems.size() - before;
    }
  }
  size_t shown = 0;
  for (const detect::IocProblem& p : problems) {
    if (p.line == 0) {
      fmt::print(stderr, "{}: {}\n", command, p.ToString());
    } else if (shown++ < 20) {
      fmt::print(stderr, "{}: IOC line left out: {}\n", command, p.ToString());
    }
  }
  if (shown > 20) fmt::print(stderr, "{}: ... {} more malformed IOC lines\n", command, shown - 20);
  if (!readable) return result;
  result.iocs = std::make_shared<const detect::IocSet>(std::move(builder).Build());
  result.ok = true;
  return result;
}

}  // namespace cloudward::cli
