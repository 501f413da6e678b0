// One Notifier per alert channel type (slack, teams, webhook, pagerduty, email, sns), each in its
// own file and registered by type name in notifier_registry.cc. A notifier turns an Alert into
// the channel's payload and hands it to an injected transport (HttpPoster, MailSender,
// SnsPublisher), so every payload is unit-tested without the network.
//
//   NotifierDeps deps{.http = &poster, .mail = &mailer, .sns = nullptr, .clock = &clock};
//   Result<std::unique_ptr<Notifier>> n = MakeNotifier(channel_config, deps);
//   Status s = (*n)->Send(alert, {.contacts = {alice}});
//
// A Notifier is used by one thread at a time; it borrows the deps, which must outlive it.
// Secrets are resolved at Send time, never stored in error messages.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "notify/alert.h"
#include "notify/http_poster.h"
#include "notify/mail_sender.h"
#include "notify/sns_publisher.h"

namespace cloudward::notify {

// The people an alert is addressed to (on call in the routed roles); channels mention them in
// their own way (Slack <@id>, e-mail recipients, webhook "notify" list).
struct Audience {
  std::vector<config::Contact> contacts;
  std::vector<std::string> Names() const;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Printable destination without secrets: "slack", "webhook:https://host/path", "smtp:ops@x".
  virtual std::string target() const = 0;
  virtual Status Send(const Alert& alert, const Audience& audience) = 0;
};

struct NotifierDeps {
  HttpPoster* http = nullptr;
  MailSender* mail = nullptr;
  SnsPublisher* sns = nullptr;  // nullptr until the AWS client provides one: sns channels fail
  const Clock* clock = nullptr;
};

using NotifierFactory = Result<std::unique_ptr<Notifier>> (*)(const config::ChannelConfig&,
                                                              const NotifierDeps&);

// The factory for a channel type, or nullptr.
NotifierFactory FindNotifierFactory(std::string_view type);

// Builds the notifier for `channel` (by channel.type). kInvalidArgument for unknown types or
// missing deps.
Result<std::unique_ptr<Notifier>> MakeNotifier(const config::ChannelConfig& channel, const NotifierDeps& deps);

// One factory per file; notifier_registry.cc maps type names to them.
Result<std::unique_ptr<Notifier>> MakeSlackNotifier(const config::ChannelConfig&, const NotifierDeps&);
Result<std::unique_ptr<Notifier>> MakeTeamsNotifier(const config::ChannelConfig&, const NotifierDeps&);
Result<std::unique_ptr<Notifier>> MakeWebhookNotifier(const config::ChannelConfig&, const NotifierDeps&);
Result<std::unique_ptr<Notifier>> MakePagerDutyNotifier(const config::ChannelConfig&, const NotifierDeps&);
Result<std::unique_ptr<Notifier>> MakeEmailNotifier(const config::ChannelConfig&, const NotifierDeps&);
Result<std::unique_ptr<Notifier>> MakeSnsNotifier(const config::ChannelConfig&, const NotifierDeps&);

// Shared by the notifiers: "[cloudward] CRITICAL new: <title>".
std::string AlertHeadline(const Alert& alert);

}  // namespace cloudward::notify
