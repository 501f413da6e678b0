// Fuzzes the daemon's view of a configuration file: what `cloudward serve` does with the text
// before it starts anything (config::LoadConfigText, then serve::ParseListenAddress on
// serve.listen, serve::TokenAuthenticator::Create on serve.tokens, notify::AlertRouter::Create on
// alerts, serve::Automator::Create on automation with the bundled playbooks), and a first alert
// through the routes it configures (fake transports: nothing leaves the process).
// Inputs naming file: secrets are skipped (they would read the fuzzing machine's files).
// Properties checked:
//  - never crashes or throws; problems name the file with a line and a column;
//  - a clean configuration: serve.listen either parses to a port in 0..65535 that prints back to
//    the same address, or is refused with a reason naming serve.listen; tls has both files or none;
//    tokens given as sha256 all load; a policy naming an unknown playbook is refused by name and
//    every other set of policies is accepted; the tuning keys (sqs_*, watch_interval, public_url,
//    max_body_bytes) are within their documented ranges;
//  - every delivery record of an alert names a configured channel (or none, when suppressed) and
//    the alert's incident.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "config/config_loader.h"
#include "notify/alert_router.h"
#include "notify/notifier.h"
#include "notify/notify_fakes.h"
#include "respond/playbook.h"
#include "serve/auth.h"
#include "serve/automator.h"
#include "serve/http_server.h"
#include "store/incident_store.h"

namespace {

using namespace cloudward;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

class FixedClock final : public Clock {
 public:
  int64_t NowMs() const override { return 1'795'000'000'000; }
};

void CheckListen(const std::string& listen) {
  auto address = serve::ParseListenAddress(listen);
  if (!address) {
    Check(address.error().message.starts_with("listen: "), "a refused listen address says so");
    return;
  }
  const auto& [host, port] = *address;
  Check(port >= 0 && port <= 65535, "port in range");
  const std::string again = host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port)
                                                                 : host + ":" + std::to_string(port);
  auto reparsed = serve::ParseListenAddress(again);
  Check(reparsed.has_value() && *reparsed == *address, "a listen address prints back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find("file:") != std::string_view::npos) return 0;
  config::LoadResult r = config::LoadConfigText(text, "fuzz.yaml");
  for (const config::Problem& p : r.problems) {
    Check(p.file == "fuzz.yaml" && p.line >= 1 && p.column >= 1 && !p.reason.empty(), "problems are located");
  }
  if (!r.ok()) return 0;
  const config::Config& c = r.config;

  CheckListen(c.serve.listen);
  Check(c.serve.tls_cert.empty() == c.serve.tls_key.empty(), "tls: both files or none");
  const config::ServeConfig& s = c.serve;
  Check(s.sqs_wait_seconds >= 0 && s.sqs_wait_seconds <= 20 && s.sqs_visibility_timeout_seconds >= 1 &&
            s.sqs_visibility_timeout_seconds <= 43200 && s.sqs_max_messages >= 1 && s.sqs_max_messages <= 10,
        "sqs tuning in range");
  Check(s.watch_interval_ms >= 100 && s.watch_interval_ms <= 3'600'000, "watch_interval in range");
  Check(s.max_body_bytes >= 1024 && s.max_body_bytes <= (1 << 30), "max_body_bytes in range");
  Check(s.public_url.empty() || ((s.public_url.starts_with("https://") || s.public_url.starts_with("http://")) &&
                                 !s.public_url.ends_with('/')),
        "public_url is an http(s) URL without a trailing slash");
  Check(c.alerts.retry.attempts >= 1 && c.alerts.retry.initial_backoff_ms >= 0 &&
            c.alerts.retry.initial_backoff_ms <= c.alerts.retry.max_backoff_ms &&
            c.alerts.retry.max_backoff_ms <= 3'600'000,
        "alert retry in range");

  bool all_sha256 = true;
  for (const config::ApiToken& t : c.serve.tokens) all_sha256 &= !t.sha256.empty();
  auto auth = serve::TokenAuthenticator::Create(c.serve.tokens);
  if (all_sha256) Check(auth.has_value() && auth->size() == c.serve.tokens.size(), "sha256 tokens load");
  if (!auth) Check(auth.error().message.starts_with("serve.tokens"), "a token problem names serve.tokens");
  if (auth && c.serve.tokens.empty()) {
    Check(!auth->Authenticate("Bearer " + std::string(text)).has_value(), "without tokens nobody is a caller");
  }

  static std::unique_ptr<store::IncidentStore> store = std::move(*store::OpenStore(":memory:"));
  static const respond::PlaybookSet bundled = respond::LoadPlaybooks({});
  FixedClock clock;
  auto automator = serve::Automator::Create(c, bundled, *store, clock);
  bool unknown_playbook = false;
  for (const auto& policy : c.automation.policies) {
    bool known = false;
    for (const auto& pb : bundled.playbooks) known |= pb.id == policy.playbook;
    if (!known) {
      unknown_playbook = true;
      Check(!automator && automator.error().message.find(policy.playbook) != std::string::npos,
            "a policy naming an unknown playbook is refused by name");
    }
  }
  if (!unknown_playbook) Check(automator.has_value(), "policies naming known playbooks are accepted");

  notify::FakeHttpPoster http;
  notify::FakeMailSender mail;
  notify::FakeSnsPublisher sns;
  notify::FakeSleeper sleeper;
  notify::NotifierDeps deps{.http = &http, .mail = &mail, .sns = &sns, .clock = &clock};
  auto router = notify::AlertRouter::Create(c, deps, clock, sleeper);
  if (!router) {
    Check(!router.error().message.empty(), "a refused channel says why");
    return 0;
  }
  for (Level severity : {Level::kLow, Level::kCritical}) {
    notify::Alert alert{.incident_id = "INC-fuzz", .title = "fuzz", .severity = severity,
                        .accounts = {"111122223333"}, .tags = {"attack.persistence"}, .rule_ids = {"rule-1"}};
    for (const notify::DeliveryRecord& d : (*router)->Submit(alert)) {
      Check(d.incident_id == "INC-fuzz", "a delivery names the alert's incident");
      Check(d.channel.empty() || c.alerts.FindChannel(d.channel) != nullptr, "a delivery names a configured channel");
    }
  }
  return 0;
}
