// PagerDuty Events API v2 (POST https://events.pagerduty.com/v2/enqueue):
//   {"routing_key", "event_action": trigger|resolve, "dedup_key": <incident id>,
//    "payload": {"summary", "source": "cloudward", "severity", "custom_details"}, "links"}
// Severity: critical -> critical, high -> error, medium -> warning, low/informational -> info.
// A resolved alert resolves the PagerDuty incident with the same dedup_key.
#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

constexpr const char* kEventsUrl = "https://events.pagerduty.com/v2/enqueue";

std::string_view PagerDutySeverity(Level l) {
  switch (l) {
    case Level::kCritical: return "critical";
    case Level::kHigh: return "error";
    case Level::kMedium: return "warning";
    case Level::kLow:
    case Level::kInformational: return "info";
  }
  return "warning";
}

class PagerDutyNotifier final : public Notifier {
 public:
  PagerDutyNotifier(config::Secret key, std::string url, HttpPoster* http)
      : key_(std::move(key)), url_(std::move(url)), http_(http) {}
  std::string target() const override { return "pagerduty"; }

  Status Send(const Alert& alert, const Audience& audience) override {
    auto key = key_.Resolve();
    if (!key) return Fail(key.error().code, "pagerduty routing_key (" + key_.ToString() + "): " + key.error().message);
    nlohmann::json body = {{"routing_key", *key},
                           {"event_action", alert.kind == AlertKind::kResolved ? "resolve" : "trigger"},
                           {"dedup_key", alert.incident_id}};
    if (alert.kind != AlertKind::kResolved) {
      body["payload"] = {{"summary", AlertHeadline(alert).substr(0, 1024)},
                         {"source", "cloudward"},
                         {"severity", PagerDutySeverity(alert.severity)},
                         {"component", alert.accounts.empty() ? "aws" : alert.accounts.front()},
                         {"class", alert.rule_ids.empty() ? "incident" : alert.rule_ids.front()},
                         {"custom_details",
                          {{"summary", alert.summary},
                           {"accounts", alert.accounts},
                           {"rule_ids", alert.rule_ids},
                           {"tags", alert.tags},
                           {"notify", audience.Names()}}}};
      if (!alert.link.empty()) body["links"] = {{{"href", alert.link}, {"text", "cloudward incident"}}};
    }
    auto r = http_->Post({url_, {{"Content-Type", "application/json"}}, body.dump()});
    if (!r) return tl::unexpected(r.error());
    return HttpStatusError(*r, "pagerduty");
  }

 private:
  config::Secret key_;
  std::string url_;
  HttpPoster* http_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakePagerDutyNotifier(const config::ChannelConfig& ch, const NotifierDeps& deps) {
  if (!deps.http) return Fail(ErrorCode::kInvalidArgument, "pagerduty channel " + ch.name + ": no HTTP poster");
  if (ch.routing_key.empty()) return Fail(ErrorCode::kInvalidArgument, "pagerduty channel " + ch.name + ": no routing_key");
  std::string url = kEventsUrl;
  if (!ch.url.empty()) {
    auto u = ch.url.Resolve();
    if (!u) return Fail(u.error().code, "pagerduty events_url: " + u.error().message);
    url = *u;
  }
  return std::make_unique<PagerDutyNotifier>(ch.routing_key, url, deps.http);
}

}  // namespace cloudward::notify
