// The daemon behind `cloudward serve`: opens the store, starts the HTTP API and console, the SQS
// pollers, the folder watcher, the alerter and the automator (automation policies -> playbooks),
// and runs until SIGTERM or SIGINT. Shutdown stops
// intake first (SQS pollers finish and commit the messages in hand; the watcher finishes its
// file), then the HTTP server (in-flight requests complete), closes open correlation windows,
// delivers queued alerts, and returns 0.
//
//   serve::DaemonOptions options{.config = loaded.config, .store_url = url, .rules = rules.rules};
//   return serve::RunDaemon(options);   // blocks until a signal
//
// Every setting of the daemon (listen address, TLS, intake and its tuning, public URL) comes from
// config.serve; the serve command applies its flags onto it first (flag > file > default).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/embedded_file.h"
#include "detect/ioc.h"
#include "detect/rule_set.h"

namespace cloudward::serve {

struct DaemonOptions {
  config::Config config;
  std::string store_url;
  std::shared_ptr<const detect::RuleSet> rules;
  std::shared_ptr<const detect::IocSet> iocs;  // may be null
  bool actions_enabled = true;
  std::vector<std::string> playbook_dirs;  // besides the bundled playbooks (automation policies)
  std::span<const EmbeddedFile> console;
  std::string version;
};

// Returns the process exit code: 0 after a clean shutdown, 2 for unusable settings (tokens,
// listen address, TLS files), 4 when the store or the port cannot be opened.
int RunDaemon(const DaemonOptions& options);

}  // namespace cloudward::serve
