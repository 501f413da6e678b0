// Alerter delivers alerts for incidents the daemon creates or updates, through notify's
// AlertRouter (routes, grouping, dedup, retries, escalation), on its own thread so that a slow
// webhook never holds up intake. Every delivery record is journaled on its incident (kind "alert").
//
//   auto alerter = serve::Alerter::Create(config, store, metrics, clock, public_url);
//   if (*alerter) (*alerter)->Start();
//   intake.OnIncidents([&](const BatchResult& b) { (*alerter)->Enqueue(b); });
//
// Create returns null when no alert channel is configured.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.h"
#include "core/clock.h"
#include "notify/alert_router.h"
#include "serve/intake.h"
#include "serve/metrics.h"
#include "store/incident_store.h"

namespace cloudward::serve {

// The alert for an incident: title, severity, accounts, ATT&CK tags, rule ids and a summary.
notify::Alert IncidentAlert(const store::Incident& incident, notify::AlertKind kind, const std::string& public_url);

class Alerter {
 public:
  static Result<std::unique_ptr<Alerter>> Create(const config::Config& config, store::IncidentStore& store,
                                                 Metrics& metrics, const Clock& clock, std::string public_url);
  ~Alerter();

  void Start();
  void Stop();  // delivers what is queued, then joins
  void Enqueue(const BatchResult& batch);

 private:
  Alerter(store::IncidentStore& store, Metrics& metrics, const Clock& clock, std::string public_url);
  void Run();
  void Record(const std::vector<notify::DeliveryRecord>& records);

  struct Deps;
  std::unique_ptr<Deps> deps_;
  std::unique_ptr<notify::AlertRouter> router_;
  notify::ThreadSleeper sleeper_;
  store::IncidentStore& store_;
  Metrics& metrics_;
  const Clock& clock_;
  std::string public_url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, notify::AlertKind>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cloudward::serve
