// `cloudward serve`: the always-on responder (see serve/daemon.h). Loads the configuration, the
// rules (the bundled pack, detection.rules of the configuration and --rules) and the IOC lists
// exactly as hunt does, then runs the daemon until SIGTERM or SIGINT.
//
//   cloudward serve [--config FILE] [--listen HOST:PORT] [--store URL] [--rules PATH]...
//                   [--log-format text|json] [--sqs-wait S] [--sqs-visibility-timeout S]
//
// Each tuning flag, when given, overrides its `serve:` key of the configuration (flag > file >
// default).
//
// Exit codes: 0 after a clean shutdown, 2 bad flags or configuration, 4 store or port unavailable.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/rule_loading.h"
#include "config/config_loader.h"
#include "core/embedded_file.h"
#include "serve/daemon.h"
#include "serve/log.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace serve_command {

struct ServeOptions {
  std::string config;
  std::string store_url;
  RuleLoadingOptions rules;
  IocOptions ioc;
  std::string log_format = "text";
  // Unset: the configuration's serve: value (or its default).
  std::optional<std::string> listen;
  std::optional<int> sqs_wait;
  std::optional<int> sqs_visibility_timeout;
  std::optional<int> watch_interval_ms;
  std::optional<std::string> watch_state;
  std::optional<std::string> public_url;
  bool no_actions = false;
  std::vector<std::string> playbooks;
};

int RunServe(const ServeOptions& opt) {
  serve::InitLogging(opt.log_format == "json" ? serve::LogFormat::kJson : serve::LogFormat::kText);
  const std::optional<std::string> config_path = config::FindConfigPath(opt.config);
  config::LoadResult configured = config_path ? config::LoadConfigFile(*config_path) : config::LoadResult{};
  if (!configured.ok()) {
    for (const config::Problem& p : configured.problems) fmt::print(stderr, "serve: {}\n", p.ToString());
    fmt::print(stderr, "serve: the configuration has problems (see `cloudward config check`)\n");
    return kExitUsage;
  }
  // detection.rules and detection.placeholders of the configuration, relative to its folder.
  RuleLoadingOptions rule_options = opt.rules;
  const std::filesystem::path config_dir = std::filesystem::path(config_path.value_or("")).parent_path();
  auto from_config = [&](const std::string& p) {
    const std::filesystem::path path(p);
    return path.is_relative() && !config_dir.empty() ? (config_dir / path).string() : p;
  };
  for (const std::string& p : configured.config.detection.rules) rule_options.paths.push_back(from_config(p));
  if (rule_options.placeholders.empty() && !configured.config.detection.placeholders.empty()) {
    rule_options.placeholders = from_config(configured.config.detection.placeholders);
  }
  RuleLoadingResult rules = LoadRulesForCommand(rule_options, "serve");
  if (!rules.ok) return kExitUsage;
  const IocLoadingResult ioc =
      LoadIocForCommand(opt.ioc, configured.config.detection.ioc, config_path.value_or(""), "serve");
  if (!ioc.ok) return kExitUsage;

  config::ServeConfig& serve = configured.config.serve;
  if (opt.listen) serve.listen = *opt.listen;
  if (opt.sqs_wait) serve.sqs_wait_seconds = *opt.sqs_wait;
  if (opt.sqs_visibility_timeout) serve.sqs_visibility_timeout_seconds = *opt.sqs_visibility_timeout;
  if (opt.watch_interval_ms) serve.watch_interval_ms = *opt.watch_interval_ms;
  if (opt.watch_state) serve.watch_state = *opt.watch_state;
  if (opt.public_url) serve.public_url = *opt.public_url;  // normalized by its flag's check

  serve::DaemonOptions daemon;
  daemon.config = std::move(configured.config);
  daemon.store_url = store::ResolveStoreUrl(opt.store_url);
  daemon.rules = rules.rules;
  daemon.iocs = ioc.iocs;
  daemon.actions_enabled = !opt.no_actions;
  daemon.playbook_dirs = opt.playbooks;
  daemon.console = WebConsoleFiles();
  daemon.version = "0.1.0";
  return serve::RunDaemon(daemon);
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the daemon: REST API, web console, SQS/HTTP/folder intake, alerts");
  cmd->add_option("--config", opt->config,
                  "Configuration file (serve, detection, alerts, respond; default: $CLOUDWARD_CONFIG, "
                  "~/.config/cloudward/cloudward.yaml)");
  cmd->add_option("--listen", opt->listen, "HOST:PORT to listen on (default: serve.listen, 127.0.0.1:8080)");
  cmd->add_option("--store", opt->store_url,
                  "Incident store URL: sqlite://PATH or postgresql://... (default: $CLOUDWARD_STORE, else the "
                  "embedded store)");
  AddRuleLoadingOptions(*cmd, opt->rules);
  AddIocOptions(*cmd, opt->ioc);
  cmd->add_option("--log-format", opt->log_format, "Logs on stderr: text or json (JSON Lines)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--sqs-wait", opt->sqs_wait,
                  "SQS long-poll wait in seconds (bounds shutdown time; default: serve.sqs_wait, 10)")
      ->check(CLI::Range(0, 20));
  cmd->add_option("--sqs-visibility-timeout", opt->sqs_visibility_timeout,
                  "Seconds a received SQS message stays hidden; an uncommitted message comes back after it "
                  "(default: serve.sqs_visibility_timeout, 120)")
      ->check(CLI::Range(1, 43200));
  cmd->add_option("--watch-interval", opt->watch_interval_ms,
                  "Milliseconds between polls of serve.watch folders (default: serve.watch_interval, 2000)")
      ->check(CLI::Range(100, 3600000));
  cmd->add_option("--watch-state", opt->watch_state,
                  "File remembering the watched files already read (default: serve.watch_state, else beside the "
                  "SQLite store)");
  cmd->add_option("--public-url", opt->public_url,
                  "Base URL of this daemon, for console links in alerts (default: serve.public_url)")
      ->transform(CLI::Validator(
          [](std::string& url) {
            auto normalized = config::NormalizePublicUrl(url);
            if (!normalized) return normalized.error().message;
            url = std::move(*normalized);
            return std::string();
          },
          "URL"));
  cmd->add_flag("--no-actions", opt->no_actions, "Refuse response actions (plan/approve/apply/rollback) through the API");
  cmd->add_option("--playbooks", opt->playbooks, "More playbooks for automation policies and the console: a YAML file or folder "
                                                 "(repeatable; the bundled ones are always loaded)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->footer(
      "Endpoints: /api/v1/... (docs/openapi.yaml), /metrics (Prometheus), /console/ (web console).\n"
      "Exit codes: 0 after SIGTERM/SIGINT, 2 bad flags or configuration, 4 store or port unavailable.");
  cmd->callback([opt, exit_code] { *exit_code = RunServe(*opt); });
}

}  // namespace serve_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(serve, 60, cloudward::cli::serve_command::SetUp);
