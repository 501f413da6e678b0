// Slack incoming webhook: {"text": fallback, "blocks": [header, section, fields, context, button]}.
#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "-" : s;
}

// Slack mrkdwn needs &, < and > escaped.
std::string Escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

class SlackNotifier final : public Notifier {
 public:
  SlackNotifier(config::Secret url, HttpPoster* http) : url_(std::move(url)), http_(http) {}
  std::string target() const override { return "slack"; }

  Status Send(const Alert& alert, const Audience& audience) override {
    auto url = url_.Resolve();
    if (!url) return Fail(url.error().code, "slack webhook_url (" + url_.ToString() + "): " + url.error().message);
    std::string mentions;
    for (const config::Contact& c : audience.contacts)
      mentions += (mentions.empty() ? "" : " ") + (c.slack.empty() ? c.name : "<@" + c.slack + ">");
    nlohmann::json blocks = nlohmann::json::array();
    blocks.push_back({{"type", "header"},
                      {"text", {{"type", "plain_text"}, {"text", AlertHeadline(alert).substr(0, 150)}}}});
    blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", Escape(alert.summary.empty() ? alert.title : alert.summary)}}}});
    blocks.push_back({{"type", "section"},
                      {"fields",
                       {{{"type", "mrkdwn"}, {"text", "*Severity*\n" + std::string(LevelName(alert.severity))}},
                        {{"type", "mrkdwn"}, {"text", "*Incident*\n" + Escape(alert.incident_id)}},
                        {{"type", "mrkdwn"}, {"text", "*Accounts*\n" + Escape(Join(alert.accounts))}},
                        {{"type", "mrkdwn"}, {"text", "*Rules*\n" + Escape(Join(alert.rule_ids))}}}}});
    if (!mentions.empty()) {
      nlohmann::json text = {{"type", "mrkdwn"}, {"text", "Notifying " + mentions}};
      blocks.push_back({{"type", "context"}, {"elements", nlohmann::json::array({text})}});
    }
    if (!alert.link.empty()) {
      nlohmann::json button = {{"type", "button"},
                               {"text", {{"type", "plain_text"}, {"text", "Open incident"}}},
                               {"url", alert.link}};
      blocks.push_back({{"type", "actions"}, {"elements", nlohmann::json::array({button})}});
    }
    nlohmann::json body = {{"text", AlertHeadline(alert)}, {"blocks", blocks}};
    auto r = http_->Post({*url, {{"Content-Type", "application/json"}}, body.dump()});
    if (!r) return tl::unexpected(r.error());
    return HttpStatusError(*r, "slack");
  }

 private:
  config::Secret url_;
  HttpPoster* http_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeSlackNotifier(const config::ChannelConfig& ch, const NotifierDeps& deps) {
  if (!deps.http) return Fail(ErrorCode::kInvalidArgument, "slack channel " + ch.name + ": no HTTP poster");
  if (ch.url.empty()) return Fail(ErrorCode::kInvalidArgument, "slack channel " + ch.name + ": no webhook_url");
  return std::make_unique<SlackNotifier>(ch.url, deps.http);
}

}  // namespace cloudward::notify
