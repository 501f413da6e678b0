// AlertRouter decides who hears about an incident and delivers it: it matches the configured
// routes (severity at or above, accounts, tags, rule ids -> channels and roles), adds the people
// escalation ladder of the incident's severity (steps fire when their elapsed time has come,
// driven by the injected Clock through Tick()), groups `updated` alerts of one incident within
// the group window, drops duplicates (same incident, kind and severity within the dedup window),
// and retries failed deliveries with exponential backoff and jitter (injected Sleeper).
// Every attempt, suppression and grouping comes back as a DeliveryRecord for the incident.
//
//   AlertRouter router(config, std::move(notifiers), clock, sleeper);
//   for (const DeliveryRecord& r : router.Submit(alert)) store.AddDelivery(r);
//   ... periodically: for (auto& r : router.Tick()) store.AddDelivery(r);
//
// Owns its notifiers and per-incident state (kept until resolved, or 7 days without alerts).
// Not thread-safe: one thread calls Submit and Tick.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "notify/alert.h"
#include "notify/notifier.h"

namespace cloudward::notify {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepMs(int64_t ms) = 0;
};

class ThreadSleeper final : public Sleeper {
 public:
  void SleepMs(int64_t ms) override;
};

// Backoff before retry number `retry` (1 = after the first failure): min(max, initial * 2^(retry-1))
// scaled by a jitter factor in [0.5, 1.0] drawn from `unit` in [0, 1).
int64_t BackoffMs(const config::RetryPolicy& policy, int retry, double unit);

class AlertRouter {
 public:
  using Notifiers = std::map<std::string, std::unique_ptr<Notifier>>;  // by channel name

  AlertRouter(const config::Config& config, Notifiers notifiers, const Clock& clock, Sleeper& sleeper,
              uint64_t jitter_seed = 0x636c6f7564);

  // Builds one notifier per configured channel through the registry. Channels whose notifier
  // cannot be built are reported in the error (kInvalidArgument), naming every bad channel.
  static Result<std::unique_ptr<AlertRouter>> Create(const config::Config& config, const NotifierDeps& deps,
                                                     const Clock& clock, Sleeper& sleeper);

  std::vector<DeliveryRecord> Submit(const Alert& alert);

  // Delivers grouped updates whose window has closed and escalation steps that have come due.
  std::vector<DeliveryRecord> Tick();

  // The channels and roles the configured routes give `alert` (for `people check` and tests).
  void Match(const Alert& alert, std::set<std::string>* channels, std::set<std::string>* roles) const;

 private:
  struct IncidentState {
    Alert last;                          // latest alert seen
    int64_t opened_ms = 0;               // escalation clock start
    int64_t last_delivery_ms = 0;
    int64_t last_seen_ms = 0;
    std::set<std::string> route_channels;
    std::set<size_t> fired_steps;        // indexes into the escalation ladder of `ladder`
    Level ladder = Level::kMedium;
    bool has_pending = false;
    int pending_count = 0;
  };

  std::vector<DeliveryRecord> Deliver(const Alert& alert, const std::set<std::string>& channels,
                                      const std::set<std::string>& roles);
  void DeliverOne(const Alert& alert, const std::string& channel, const Audience& audience,
                  std::vector<DeliveryRecord>* out);
  std::vector<DeliveryRecord> FireDueSteps(IncidentState& st, bool include_zero);
  Audience OnCall(const std::set<std::string>& roles) const;
  DeliveryRecord Note(const Alert& alert, DeliveryStatus status, std::string why) const;

  config::AlertsConfig alerts_;
  config::PeopleConfig people_;
  Notifiers notifiers_;
  const Clock& clock_;
  Sleeper& sleeper_;
  std::mt19937_64 rng_;
  std::map<std::string, IncidentState> incidents_;
  std::map<std::string, int64_t> sent_;  // dedup key -> last delivery time
};

}  // namespace cloudward::notify
