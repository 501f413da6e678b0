// Amazon SNS: Publish the alert as JSON (AlertToJson) with a short subject and the severity,
// kind and incident id as message attributes (for subscription filter policies).
#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

class SnsNotifier final : public Notifier {
 public:
  SnsNotifier(std::string topic_arn, std::string region, SnsPublisher* sns)
      : topic_arn_(std::move(topic_arn)), region_(std::move(region)), sns_(sns) {}
  std::string target() const override { return "sns:" + topic_arn_; }

  Status Send(const Alert& alert, const Audience& audience) override {
    if (!sns_) return Fail(ErrorCode::kUnsupported, "sns: no AWS SNS client configured");
    SnsMessage m;
    m.topic_arn = topic_arn_;
    m.region = region_;
    for (char c : AlertHeadline(alert)) {  // SNS subjects: printable ASCII, < 100 characters
      if (m.subject.size() >= 99) break;
      m.subject += (c >= 0x20 && c < 0x7f) ? c : ' ';
    }
    m.message = AlertToJson(alert, audience.Names()).dump();
    m.attributes = {{"severity", std::string(LevelName(alert.severity))},
                    {"kind", std::string(AlertKindName(alert.kind))},
                    {"incident_id", alert.incident_id}};
    auto id = sns_->Publish(m);
    if (!id) return tl::unexpected(id.error());
    return Ok();
  }

 private:
  std::string topic_arn_;
  std::string region_;
  SnsPublisher* sns_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeSnsNotifier(const config::ChannelConfig& ch, const NotifierDeps& deps) {
  if (ch.topic_arn.empty()) return Fail(ErrorCode::kInvalidArgument, "sns channel " + ch.name + ": no topic_arn");
  return std::make_unique<SnsNotifier>(ch.topic_arn, ch.region, deps.sns);
}

}  // namespace cloudward::notify
