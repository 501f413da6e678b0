// E-mail over SMTP(S): an RFC 5322 plain-text message to the channel's `to` list plus the e-mail
// addresses of the addressed contacts.
#include <algorithm>

#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

class EmailNotifier final : public Notifier {
 public:
  EmailNotifier(config::ChannelConfig ch, MailSender* mail, const Clock* clock)
      : ch_(std::move(ch)), mail_(mail), clock_(clock) {}
  std::string target() const override {
    std::string t = "smtp:";
    for (size_t i = 0; i < ch_.to.size(); ++i) t += (i ? "," : "") + ch_.to[i];
    return t;
  }

  Status Send(const Alert& alert, const Audience& audience) override {
    auto url = ch_.smtp_url.Resolve();
    if (!url) return Fail(url.error().code, "email smtp_url (" + ch_.smtp_url.ToString() + "): " + url.error().message);
    MailMessage m;
    m.from = ch_.from;
    m.to = ch_.to;
    for (const config::Contact& c : audience.contacts)
      if (!c.email.empty() && std::find(m.to.begin(), m.to.end(), c.email) == m.to.end()) m.to.push_back(c.email);
    if (m.to.empty()) return Fail(ErrorCode::kInvalidArgument, "email channel " + ch_.name + ": nobody to send to");
    m.subject = AlertHeadline(alert);
    std::string body;
    body += alert.title + "\n\n";
    if (!alert.summary.empty()) body += alert.summary + "\n\n";
    body += "Incident:  " + alert.incident_id + "\n";
    body += "Severity:  " + std::string(LevelName(alert.severity)) + "\n";
    body += "Status:    " + std::string(AlertKindName(alert.kind)) + "\n";
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
      return s.empty() ? std::string("-") : s;
    };
    body += "Accounts:  " + list(alert.accounts) + "\n";
    body += "Rules:     " + list(alert.rule_ids) + "\n";
    if (!audience.contacts.empty()) body += "Notifying: " + list(audience.Names()) + "\n";
    if (!alert.link.empty()) body += "\n" + alert.link + "\n";
    m.body = std::move(body);
    const std::string wire =
        FormatRfc5322(m, clock_->NowMs(), alert.incident_id + "." + std::string(AlertKindName(alert.kind)));
    return mail_->Send(*url, m.from, m.to, wire);
  }

 private:
  config::ChannelConfig ch_;
  MailSender* mail_;
  const Clock* clock_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeEmailNotifier(const config::ChannelConfig& ch, const NotifierDeps& deps) {
  if (!deps.mail || !deps.clock) return Fail(ErrorCode::kInvalidArgument, "email channel " + ch.name + ": no mail sender or clock");
  if (ch.smtp_url.empty() || ch.from.empty())
    return Fail(ErrorCode::kInvalidArgument, "email channel " + ch.name + ": needs smtp_url and from");
  return std::make_unique<EmailNotifier>(ch, deps.mail, deps.clock);
}

}  // namespace cloudward::notify
