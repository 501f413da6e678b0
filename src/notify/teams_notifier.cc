// Microsoft Teams incoming webhook: a legacy MessageCard (format: messagecard, the default) or an
// Adaptive Card 1.4 wrapped in a message attachment (format: adaptive, for Workflows webhooks).
#include "notify/notifier.h"

namespace cloudward::notify {
namespace {

std::string ThemeColor(Level l) {
  switch (l) {
    case Level::kCritical: return "8B0000";
    case Level::kHigh: return "D9534F";
    case Level::kMedium: return "F0AD4E";
    case Level::kLow: return "5BC0DE";
    case Level::kInformational: return "777777";
  }
  return "777777";
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "-" : s;
}

class TeamsNotifier final : public Notifier {
 public:
  TeamsNotifier(config::Secret url, bool adaptive, HttpPoster* http)
      : url_(std::move(url)), adaptive_(adaptive), http_(http) {}
  std::string target() const override { return adaptive_ ? "teams:adaptive" : "teams"; }

  Status Send(const Alert& alert, const Audience& audience) override {
    auto url = url_.Resolve();
    if (!url) return Fail(url.error().code, "teams webhook_url (" + url_.ToString() + "): " + url.error().message);
    std::vector<std::pair<std::string, std::string>> facts = {
        {"Severity", std::string(LevelName(alert.severity))},
        {"Incident", alert.incident_id},
        {"Accounts", Join(alert.accounts)},
        {"Rules", Join(alert.rule_ids)},
    };
    if (!audience.contacts.empty()) facts.push_back({"Notifying", Join(audience.Names())});
    nlohmann::json body;
    if (!adaptive_) {
      nlohmann::json fj = nlohmann::json::array();
      for (auto& [k, v] : facts) fj.push_back({{"name", k}, {"value", v}});
      body = {{"@type", "MessageCard"},
              {"@context", "https://schema.org/extensions"},
              {"themeColor", ThemeColor(alert.severity)},
              {"summary", AlertHeadline(alert)},
              {"title", AlertHeadline(alert)},
              {"text", alert.summary},
              {"sections", {{{"facts", fj}}}}};
      if (!alert.link.empty())
        body["potentialAction"] = {{{"@type", "OpenUri"},
                                    {"name", "Open incident"},
                                    {"targets", {{{"os", "default"}, {"uri", alert.link}}}}}};
    } else {
      nlohmann::json fj = nlohmann::json::array();
      for (auto& [k, v] : facts) fj.push_back({{"title", k}, {"value", v}});
      nlohmann::json card = {
          {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
          {"type", "AdaptiveCard"},
          {"version", "1.4"},
          {"body",
           {{{"type", "TextBlock"}, {"size", "Large"}, {"weight", "Bolder"}, {"wrap", true},
             {"text", AlertHeadline(alert)}},
            {{"type", "TextBlock"}, {"wrap", true}, {"text", alert.summary}},
            {{"type", "FactSet"}, {"facts", fj}}}}};
      if (!alert.link.empty())
        card["actions"] = {{{"type", "Action.OpenUrl"}, {"title", "Open incident"}, {"url", alert.link}}};
      body = {{"type", "message"},
              {"attachments",
               {{{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", card}}}}};
    }
    auto r = http_->Post({*url, {{"Content-Type", "application/json"}}, body.dump()});
    if (!r) return tl::unexpected(r.error());
    return HttpStatusError(*r, "teams");
  }

 private:
  config::Secret url_;
  bool adaptive_;
  HttpPoster* http_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeTeamsNotifier(const config::ChannelConfig& ch, const NotifierDeps& deps) {
  if (!deps.http) return Fail(ErrorCode::kInvalidArgument, "teams channel " + ch.name + ": no HTTP poster");
  if (ch.url.empty()) return Fail(ErrorCode::kInvalidArgument, "teams channel " + ch.name + ": no webhook_url");
  return std::make_unique<TeamsNotifier>(ch.url, ch.format == "adaptive", deps.http);
}

}  // namespace cloudward::notify
