#include "serve/alerter.h"

#include <fmt/core.h>

#include <algorithm>

#include "aws/aws_client.h"
#include "aws/services.h"
#include "notify/http_poster.h"
#include "notify/mail_sender.h"
#include "notify/sns_publisher.h"
#include "serve/log.h"

namespace cloudward::serve {

namespace {

// notify's SnsPublisher over our AWS client, one client per region.
class AwsSnsPublisher final : public notify::SnsPublisher {
 public:
  Result<std::string> Publish(const notify::SnsMessage& message) override {
    std::lock_guard lock(mu_);
    auto& client = clients_[message.region];
    if (!client) client = std::make_unique<aws::AwsClient>(aws::ClientConfig{.region = message.region});
    auto id = aws::sns::Publish(*client, message.topic_arn, message.message, message.subject);
    if (!id) return tl::unexpected(id.error().ToError());
    return *id;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<aws::AwsClient>> clients_;
};

}  // namespace

struct Alerter::Deps {
  notify::CurlHttpPoster http;
  notify::CurlMailSender mail;
  AwsSnsPublisher sns;
};

notify::Alert IncidentAlert(const store::Incident& incident, notify::AlertKind kind, const std::string& public_url) {
  notify::Alert alert;
  alert.incident_id = incident.id;
  alert.title = incident.title;
  alert.severity = incident.severity;
  alert.accounts = incident.accounts;
  for (const auto& t : incident.tactics) alert.tags.push_back("attack." + t);
  for (const auto& t : incident.techniques) {
    std::string lower = t;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    alert.tags.push_back("attack." + lower);
  }
  for (const auto& r : incident.rules) alert.rule_ids.push_back(r.id);
  std::string actors;
  for (const auto& a : incident.actors) actors += (actors.empty() ? "" : ", ") + a;
  alert.summary = fmt::format("{} findings; actors: {}; rules: {}", incident.finding_count, actors.empty() ? "-" : actors,
                              incident.rules.empty() ? "-" : incident.rules.front().title);
  if (!public_url.empty()) alert.link = public_url + "/console/#/incidents/" + incident.id;
  alert.kind = kind;
  return alert;
}

Alerter::Alerter(store::IncidentStore& store, Metrics& metrics, const Clock& clock, std::string public_url)
    : deps_(std::make_unique<Deps>()), store_(store), metrics_(metrics), clock_(clock), public_url_(std::move(public_url)) {}

Result<std::unique_ptr<Alerter>> Alerter::Create(const config::Config& config, store::IncidentStore& store,
                                                 Metrics& metrics, const Clock& clock, std::string public_url) {
  if (config.alerts.channels.empty()) return std::unique_ptr<Alerter>();
  std::unique_ptr<Alerter> self(new Alerter(store, metrics, clock, std::move(public_url)));
  notify::NotifierDeps deps{.http = &self->deps_->http, .mail = &self->deps_->mail, .sns = &self->deps_->sns, .clock = &clock};
  auto router = notify::AlertRouter::Create(config, deps, clock, self->sleeper_);
  if (!router) return tl::unexpected(router.error());
  self->router_ = std::move(*router);
  return self;
}

Alerter::~Alerter() { Stop(); }

void Alerter::Start() { thread_ = std::thread([this] { Run(); }); }

void Alerter::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Alerter::Enqueue(const BatchResult& batch) {
  {
    std::lock_guard lock(mu_);
    for (const std::string& id : batch.recorded.incident_ids) {
      const bool created = std::find(batch.created.begin(), batch.created.end(), id) != batch.created.end();
      queue_.emplace_back(id, created ? notify::AlertKind::kNew : notify::AlertKind::kUpdated);
    }
  }
  cv_.notify_all();
}

void Alerter::Record(const std::vector<notify::DeliveryRecord>& records) {
  for (const notify::DeliveryRecord& r : records) {
    if (r.status == notify::DeliveryStatus::kDelivered) ++metrics_.alerts_sent;
    if (r.status == notify::DeliveryStatus::kFailed) ++metrics_.alerts_failed;
    store::IncidentEvent event{
        .incident_id = r.incident_id, .time_ms = r.time_ms != 0 ? r.time_ms : clock_.NowMs(), .author = "cloudward",
        .kind = "alert",
        .text = fmt::format("{} alert {} via {}{}", notify::AlertKindName(r.kind), notify::DeliveryStatusName(r.status),
                            r.channel.empty() ? "-" : r.channel, r.error.empty() ? "" : ": " + r.error),
        .data = notify::DeliveryRecordToJson(r).dump()};
    if (auto s = store_.AppendEvent(event); !s) {
      Log(LogLevel::kWarn, "cannot journal an alert delivery", {{"incident", r.incident_id}, {"error", s.error().message}});
    }
  }
}

void Alerter::Run() {
  try {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || !queue_.empty(); });
      auto work = std::exchange(queue_, {});
      const bool stopping = stop_;
      lock.unlock();
      for (const auto& [id, kind] : work) {
        auto incident = store_.GetIncident(id);
        if (!incident) continue;
        Record(router_->Submit(IncidentAlert(*incident, kind, public_url_)));
      }
      Record(router_->Tick());
      lock.lock();
      if (stopping && queue_.empty()) break;
    }
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "alerter failed", {{"error", e.what()}});
  } catch (...) {
    Log(LogLevel::kError, "alerter failed");
  }
}

}  // namespace cloudward::serve
