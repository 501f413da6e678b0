#include "notify/alert_router.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "config/people.h"

namespace cloudward::notify {

void ThreadSleeper::SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

int64_t BackoffMs(const config::RetryPolicy& policy, int retry, double unit) {
  int64_t d = std::max<int64_t>(policy.initial_backoff_ms, 0);
  for (int i = 1; i < retry && d < policy.max_backoff_ms; ++i) d *= 2;
  d = std::min(d, policy.max_backoff_ms);
  unit = std::clamp(unit, 0.0, 1.0);
  return static_cast<int64_t>(static_cast<double>(d) * (0.5 + 0.5 * unit));
}

namespace {

constexpr int64_t kForgetMs = 7LL * 86'400'000;

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  if (wanted.empty()) return true;
  for (const std::string& w : wanted)
    if (std::find(have.begin(), have.end(), w) != have.end()) return true;
  return false;
}

// Same incident, kind and severity. Updates also compare their text, so an identical re-send is
// dropped while a real change is grouped and delivered.
std::string DedupKey(const Alert& a) {
  std::string key = a.incident_id + "\x1f" + std::string(AlertKindName(a.kind)) + "\x1f" +
                    std::string(LevelName(a.severity));
  if (a.kind == AlertKind::kUpdated) key += "\x1f" + std::to_string(std::hash<std::string>{}(a.title + "\x1f" + a.summary));
  return key;
}

}  // namespace

AlertRouter::AlertRouter(const config::Config& config, Notifiers notifiers, const Clock& clock,
                         Sleeper& sleeper, uint64_t jitter_seed)
    : alerts_(config.alerts),
      people_(config.people),
      notifiers_(std::move(notifiers)),
      clock_(clock),
      sleeper_(sleeper),
      rng_(jitter_seed) {}

Result<std::unique_ptr<AlertRouter>> AlertRouter::Create(const config::Config& config, const NotifierDeps& deps,
                                                         const Clock& clock, Sleeper& sleeper) {
  Notifiers notifiers;
  std::string errors;
  for (const config::ChannelConfig& ch : config.alerts.channels) {
    auto n = MakeNotifier(ch, deps);
    if (!n) {
      errors += (errors.empty() ? "" : "; ") + n.error().message;
      continue;
    }
    notifiers[ch.name] = std::move(*n);
  }
  if (!errors.empty()) return Fail(ErrorCode::kInvalidArgument, errors);
  return std::make_unique<AlertRouter>(config, std::move(notifiers), clock, sleeper);
}

void AlertRouter::Match(const Alert& alert, std::set<std::string>* channels, std::set<std::string>* roles) const {
  for (const config::Route& r : alerts_.routes) {
    if (alert.severity < r.match.min_severity) continue;
    if (!AnyOf(r.match.accounts, alert.accounts)) continue;
    if (!AnyOf(r.match.tags, alert.tags)) continue;
    if (!AnyOf(r.match.rules, alert.rule_ids)) continue;
    channels->insert(r.channels.begin(), r.channels.end());
    roles->insert(r.roles.begin(), r.roles.end());
    if (r.stop) break;
  }
}

Audience AlertRouter::OnCall(const std::set<std::string>& roles) const {
  Audience a;
  std::set<std::string> seen;
  for (const std::string& role : roles)
    for (const std::string& name : config::OnCallNow(people_, role, clock_.NowMs()))
      if (const config::Contact* c = people_.FindContact(name); c && seen.insert(name).second) a.contacts.push_back(*c);
  return a;
}

DeliveryRecord AlertRouter::Note(const Alert& alert, DeliveryStatus status, std::string why) const {
  DeliveryRecord r;
  r.incident_id = alert.incident_id;
  r.kind = alert.kind;
  r.status = status;
  r.error = std::move(why);
  r.time_ms = clock_.NowMs();
  return r;
}

void AlertRouter::DeliverOne(const Alert& alert, const std::string& channel, const Audience& audience,
                             std::vector<DeliveryRecord>* out) {
  auto it = notifiers_.find(channel);
  const int attempts = std::max(1, alerts_.retry.attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    DeliveryRecord r;
    r.incident_id = alert.incident_id;
    r.kind = alert.kind;
    r.channel = channel;
    r.attempt = attempt;
    r.notified = audience.Names();
    Status s = it == notifiers_.end() ? Status(Fail(ErrorCode::kNotFound, "no notifier for channel " + channel))
                                      : it->second->Send(alert, audience);
    if (it != notifiers_.end()) r.target = it->second->target();
    r.time_ms = clock_.NowMs();
    r.status = s ? DeliveryStatus::kDelivered : DeliveryStatus::kFailed;
    if (!s) r.error = s.error().message;
    out->push_back(std::move(r));
    if (s || !IsRetryable(s.error().code) || attempt == attempts) return;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    sleeper_.SleepMs(BackoffMs(alerts_.retry, attempt, unit(rng_)));
  }
}

std::vector<DeliveryRecord> AlertRouter::Deliver(const Alert& alert, const std::set<std::string>& channels,
                                                 const std::set<std::string>& roles) {
  std::vector<DeliveryRecord> out;
  const Audience audience = OnCall(roles);
  for (const std::string& ch : channels) DeliverOne(alert, ch, audience, &out);
  if (channels.empty())
    out.push_back(Note(alert, DeliveryStatus::kFailed, "no route or escalation step gives this alert a channel"));
  else
    sent_[DedupKey(alert)] = clock_.NowMs();
  return out;
}

std::vector<DeliveryRecord> AlertRouter::FireDueSteps(IncidentState& st, bool include_zero) {
  std::vector<DeliveryRecord> out;
  auto ladder = people_.escalation.find(st.ladder);
  if (ladder == people_.escalation.end()) return out;
  const int64_t elapsed = clock_.NowMs() - st.opened_ms;
  // Steps due now are delivered together: one message per channel naming everyone due.
  std::map<std::set<std::string>, std::set<std::string>> by_channels;  // channels -> roles
  for (size_t i = 0; i < ladder->second.size(); ++i) {
    const config::EscalationStep& step = ladder->second[i];
    if (st.fired_steps.count(i) || step.after_ms > elapsed) continue;
    if (step.after_ms == 0 && !include_zero) continue;
    st.fired_steps.insert(i);
    std::set<std::string> channels(step.via.begin(), step.via.end());
    if (channels.empty()) channels = st.route_channels;
    by_channels[channels].insert(step.roles.begin(), step.roles.end());
  }
  for (const auto& [channels, roles] : by_channels) {
    Alert a = st.last;
    a.kind = AlertKind::kEscalated;
    a.time_ms = clock_.NowMs();
    std::vector<DeliveryRecord> r = Deliver(a, channels, roles);
    out.insert(out.end(), r.begin(), r.end());
  }
  if (!out.empty()) st.last_delivery_ms = clock_.NowMs();
  return out;
}

std::vector<DeliveryRecord> AlertRouter::Submit(const Alert& in) {
  const int64_t now = clock_.NowMs();
  Alert alert = in;
  if (alert.time_ms == 0) alert.time_ms = now;

  // Dedup: the same incident, kind and severity within the window is dropped.
  if (auto it = sent_.find(DedupKey(alert)); it != sent_.end() && now - it->second < alerts_.dedup_window_ms)
    return {Note(alert, DeliveryStatus::kSuppressed, "duplicate within the dedup window")};

  std::set<std::string> channels, roles;
  Match(alert, &channels, &roles);
  auto found = incidents_.find(alert.incident_id);
  std::vector<DeliveryRecord> out;

  if (alert.kind == AlertKind::kUpdated && found != incidents_.end()) {
    IncidentState& st = found->second;
    st.last = alert;
    st.last_seen_ms = now;
    if (now - st.last_delivery_ms < alerts_.group_window_ms) {
      st.has_pending = true;
      ++st.pending_count;
      return {Note(alert, DeliveryStatus::kGrouped, "grouped with the incident's next update")};
    }
  }
  if (alert.kind == AlertKind::kResolved) {
    if (found != incidents_.end()) channels.insert(found->second.route_channels.begin(), found->second.route_channels.end());
    std::vector<DeliveryRecord> r = Deliver(alert, channels, roles);
    incidents_.erase(alert.incident_id);  // stops escalation and drops pending updates
    return r;
  }

  IncidentState& st = incidents_[alert.incident_id];
  const bool opened = found == incidents_.end();
  if (opened) {
    st.opened_ms = now;
    st.ladder = alert.severity;
  }
  st.last = alert;
  st.last_seen_ms = now;
  st.route_channels.insert(channels.begin(), channels.end());
  st.has_pending = false;
  st.pending_count = 0;
  if (alert.severity > st.ladder) {  // severity raised: move to the higher ladder, start over
    st.ladder = alert.severity;
    st.fired_steps.clear();
  }
  // Immediate escalation steps (after: 0) ride along with this delivery.
  auto ladder = people_.escalation.find(st.ladder);
  std::set<std::string> extra_channels;
  if (ladder != people_.escalation.end()) {
    for (size_t i = 0; i < ladder->second.size(); ++i) {
      const config::EscalationStep& step = ladder->second[i];
      if (st.fired_steps.count(i) || step.after_ms > now - st.opened_ms) continue;
      st.fired_steps.insert(i);
      if (step.via.empty()) {
        roles.insert(step.roles.begin(), step.roles.end());
      } else {
        // Steps with their own channels go out on those channels to those roles only.
        Alert a = alert;
        std::vector<DeliveryRecord> r =
            Deliver(a, std::set<std::string>(step.via.begin(), step.via.end()),
                    std::set<std::string>(step.roles.begin(), step.roles.end()));
        out.insert(out.end(), r.begin(), r.end());
      }
    }
  }
  if (!channels.empty() || out.empty()) {
    std::vector<DeliveryRecord> r = Deliver(alert, channels, roles);
    out.insert(out.end(), r.begin(), r.end());
  }
  st.last_delivery_ms = now;
  return out;
}

std::vector<DeliveryRecord> AlertRouter::Tick() {
  const int64_t now = clock_.NowMs();
  std::vector<DeliveryRecord> out;
  std::erase_if(sent_, [&](const auto& kv) { return now - kv.second >= alerts_.dedup_window_ms; });
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    IncidentState& st = it->second;
    if (st.has_pending && now - st.last_delivery_ms >= alerts_.group_window_ms) {
      Alert a = st.last;
      if (st.pending_count > 1) a.summary += "\n(" + std::to_string(st.pending_count) + " updates grouped)";
      st.has_pending = false;
      st.pending_count = 0;
      std::set<std::string> channels, roles;
      Match(a, &channels, &roles);
      std::vector<DeliveryRecord> r = Deliver(a, channels, roles);
      out.insert(out.end(), r.begin(), r.end());
      st.last_delivery_ms = now;
    }
    std::vector<DeliveryRecord> r = FireDueSteps(st, false);
    out.insert(out.end(), r.begin(), r.end());
    if (now - st.last_seen_ms > kForgetMs) it = incidents_.erase(it);
    else ++it;
  }
  return out;
}

}  // namespace cloudward::notify
