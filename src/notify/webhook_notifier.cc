// Generic JSON webhook. Body: AlertToJson. Headers:
//   X-Cloudward-Timestamp: <unix seconds>
//   X-Cloudward-Signature: sha256=<lowercase hex HMAC-SHA256(secret, timestamp + "." + body)>
// Receivers recompute the HMAC and reject old timestamps to stop replays.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notify/notifier.h"
#include "notify/webhook_signature.h"

namespace cloudward::notify {

std::string WebhookSignature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  const std::string signed_text = std::string(timestamp) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

namespace {

// "https://host/path?query" -> "https://host/path" (queries often carry tokens).
std::string Printable(const std::string& url) { return url.substr(0, url.find('?')); }

class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(config::Secret url, config::Secret secret, HttpPoster* http, const Clock* clock)
      : url_(std::move(url)), secret_(std::move(secret)), http_(http), clock_(clock) {}
  std::string target() const override {
    return url_.source() == config::Secret::Source::kLiteral ? "webhook:" + Printable(*url_.Resolve())
                                                             : "webhook:" + url_.ToString();
  }

  Status Send(const Alert& alert, const Audience& audience) override {
    auto url = url_.Resolve();
    if (!url) return Fail(url.error().code, "webhook url (" + url_.ToString() + "): " + url.error().message);
    auto secret = secret_.Resolve();
    if (!secret) return Fail(secret.error().code, "webhook secret (" + secret_.ToString() + "): " + secret.error().message);
    const std::string body = AlertToJson(alert, audience.Names()).dump();
    const std::string ts = std::to_string(clock_->NowMs() / 1000);
    HttpRequest req{*url,
                    {{"Content-Type", "application/json"},
                     {"X-Cloudward-Timestamp", ts},
                     {"X-Cloudward-Signature", WebhookSignature(*secret, ts, body)}},
                    body};
    auto r = http_->Post(req);
    if (!r) return tl::unexpected(r.error());
    return HttpStatusError(*r, "webhook");
  }

 private:
  config::Secret url_;
  config::Secret secret_;
  HttpPoster* http_;
  const Clock* clock_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> MakeWebhookNotifier(const config::ChannelConfig& ch, const NotifierDeps& deps) {
  if (!deps.http || !deps.clock) return Fail(ErrorCode::kInvalidArgument, "webhook channel " + ch.name + ": no HTTP poster or clock");
  if (ch.url.empty() || ch.secret.empty())
    return Fail(ErrorCode::kInvalidArgument, "webhook channel " + ch.name + ": needs url and secret");
  return std::make_unique<WebhookNotifier>(ch.url, ch.secret, deps.http, deps.clock);
}

}  // namespace cloudward::notify
