#include "serve/daemon.h"

#include <pthread.h>
#include <signal.h>

#include <filesystem>
#include <vector>

#include "core/clock.h"
#include "respond/playbook.h"
#include "serve/alerter.h"
#include "serve/api.h"
#include "serve/auth.h"
#include "serve/automator.h"
#include "serve/folder_watcher.h"
#include "serve/http_server.h"
#include "serve/intake.h"
#include "serve/log.h"
#include "serve/metrics.h"
#include "serve/sqs_intake.h"
#include "store/incident_store.h"

namespace cloudward::serve {
namespace {

std::string DefaultWatchState(const std::string& store_url) {
  std::string path = store_url;
  if (path.rfind("sqlite://", 0) == 0) path = path.substr(9);
  if (path.rfind("postgres", 0) == 0 || path.empty() || path == ":memory:") return "cloudward-watch.state";
  return path + ".watch-state";
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  // Signals go to the main thread only (sigwait below); every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto auth = TokenAuthenticator::Create(options.config.serve.tokens);
  if (!auth) {
    Log(LogLevel::kError, "unusable API tokens", {{"error", auth.error().message}});
    return 2;
  }
  if (auth->size() == 0) {
    Log(LogLevel::kWarn, "no API tokens configured (serve.tokens): only /api/v1/health and the console files answer");
  }
  auto opened = store::OpenStore(options.store_url);
  if (!opened) {
    Log(LogLevel::kError, "cannot open the store", {{"store", options.store_url}, {"error", opened.error().message}});
    return 4;
  }
  store::IncidentStore& store = **opened;
  SystemClock clock;
  Metrics metrics;
  metrics.started_ms = clock.NowMs();
  Intake intake(options.rules, options.iocs, store, metrics, clock);

  const config::ServeConfig& serve = options.config.serve;
  auto alerter = Alerter::Create(options.config, store, metrics, clock, serve.public_url);
  if (!alerter) {
    Log(LogLevel::kError, "unusable alert channels", {{"error", alerter.error().message}});
    return 2;
  }
  auto playbooks = respond::LoadPlaybooks(options.playbook_dirs);
  if (!playbooks.problems.empty()) {
    for (const auto& p : playbooks.problems) Log(LogLevel::kError, "unusable playbook", {{"error", p.Describe()}});
    return 2;
  }
  auto api_playbooks = std::make_shared<const respond::PlaybookSet>(playbooks);  // the console's browser and plans
  auto automator = Automator::Create(options.config, std::move(playbooks), store, clock);
  if (!automator) {
    Log(LogLevel::kError, "unusable automation policies", {{"error", automator.error().message}});
    return 2;
  }
  if (*alerter) (*alerter)->Start();
  if (*automator) {
    (*automator)->Start();
    Log(LogLevel::kInfo, "automation", {{"enabled", options.config.automation.enabled},
                                        {"policies", options.config.automation.policies.size()}});
  }
  intake.OnIncidents([a = alerter->get(), m = automator->get()](const BatchResult& batch) {
    if (a) a->Enqueue(batch);
    if (m) m->Enqueue(batch);
  });

  ApiOptions api_options{.store = &store, .auth = &*auth, .config = &options.config, .metrics = &metrics,
                         .clock = &clock, .intake = &intake, .rules = options.rules, .playbooks = api_playbooks,
                         .actions_enabled = options.actions_enabled, .console = options.console,
                         .version = options.version};
  Api api(std::move(api_options));
  HttpServerOptions http{.listen = serve.listen, .tls_cert = serve.tls_cert, .tls_key = serve.tls_key,
                         .max_body_bytes = static_cast<size_t>(serve.max_body_bytes)};
  auto server = HttpServer::Start(api, http);
  if (!server) {
    Log(LogLevel::kError, "cannot start the HTTP server", {{"listen", http.listen}, {"error", server.error().message}});
    if (*alerter) (*alerter)->Stop();
    if (*automator) (*automator)->Stop();
    return server.error().code == ErrorCode::kInvalidArgument ? 2 : 4;
  }
  Log(LogLevel::kInfo, "listening",
      {{"listen", http.listen}, {"port", (*server)->port()}, {"tls", (*server)->tls()}, {"store", options.store_url},
       {"rules", options.rules ? options.rules->size() : 0}, {"tokens", auth->size()},
       {"max_body_bytes", serve.max_body_bytes}});

  std::vector<std::unique_ptr<SqsIntake>> queues;
  for (const std::string& url : serve.sqs_queues) {
    queues.push_back(std::make_unique<SqsIntake>(
        url, aws::ClientConfig{}, intake, metrics,
        SqsIntakeOptions{.wait_seconds = serve.sqs_wait_seconds,
                         .visibility_timeout = serve.sqs_visibility_timeout_seconds,
                         .max_messages = serve.sqs_max_messages}));
    queues.back()->Start();
  }
  std::unique_ptr<FolderWatcher> watcher;
  if (!serve.watch.empty()) {
    const std::string state = serve.watch_state.empty() ? DefaultWatchState(options.store_url) : serve.watch_state;
    watcher = std::make_unique<FolderWatcher>(serve.watch, state, intake, metrics,
                                              FolderWatcherOptions{.interval_ms = serve.watch_interval_ms});
    watcher->Start();
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Log(LogLevel::kInfo, "shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});

  for (auto& q : queues) q->Stop();
  if (watcher) watcher->Stop();
  (*server)->Stop();
  if (auto flushed = intake.Flush(); !flushed) {
    Log(LogLevel::kError, "cannot record the last correlation findings", {{"error", flushed.error().message}});
  } else if (flushed->findings > 0) {
    Log(LogLevel::kInfo, "correlation windows closed", {{"findings", flushed->findings}});
  }
  if (*automator) (*automator)->Stop();
  if (*alerter) (*alerter)->Stop();
  Log(LogLevel::kInfo, "stopped", {{"findings_new", metrics.findings_new.load()},
                                    {"incidents_created", metrics.incidents_created.load()}});
  return 0;
}

}  // namespace cloudward::serve
