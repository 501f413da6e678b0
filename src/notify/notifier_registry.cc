#include <algorithm>
#include <cctype>

#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

struct Entry {
  std::string_view type;
  NotifierFactory factory;
};

// Adding a channel type: one file with its factory, one line here.
constexpr Entry kNotifiers[] = {
    {"slack", &MakeSlackNotifier},         {"teams", &MakeTeamsNotifier},
    {"webhook", &MakeWebhookNotifier},     {"pagerduty", &MakePagerDutyNotifier},
    {"email", &MakeEmailNotifier},         {"sns", &MakeSnsNotifier},
};

}  // namespace

std::vector<std::string> Audience::Names() const {
  std::vector<std::string> names;
  for (const config::Contact& c : contacts) names.push_back(c.name);
  return names;
}

NotifierFactory FindNotifierFactory(std::string_view type) {
  for (const Entry& e : kNotifiers)
    if (e.type == type) return e.factory;
  return nullptr;
}

Result<std::unique_ptr<Notifier>> MakeNotifier(const config::ChannelConfig& channel, const NotifierDeps& deps) {
  NotifierFactory f = FindNotifierFactory(channel.type);
  if (!f) return Fail(ErrorCode::kInvalidArgument, "unknown channel type '" + channel.type + "'");
  return f(channel, deps);
}

std::string AlertHeadline(const Alert& alert) {
  std::string sev(LevelName(alert.severity));
  std::transform(sev.begin(), sev.end(), sev.begin(), [](unsigned char c) { return std::toupper(c); });
  return "[cloudward] " + sev + " " + std::string(AlertKindName(alert.kind)) + ": " + alert.title;
}

}  // namespace cloudward::notify
