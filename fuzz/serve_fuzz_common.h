// What the serve fuzz targets share: a daemon's API as `cloudward serve` wires it (real Intake with
// the bundled rules, an in-memory SQLite store, three API tokens), without sockets and without AWS
// (response actions disabled). A fresh one per input, so that every input replays on its own.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/embedded_file.h"
#include "detect/rule_set.h"
#include "serve/api.h"
#include "serve/auth.h"
#include "serve/intake.h"
#include "serve/metrics.h"
#include "store/incident_store.h"

namespace cloudward::serve::fuzzing {

inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

// The tokens: "Bearer tok-viewer" (viewer), "Bearer tok-ops" (responder), "Bearer tok-root" (admin).
inline constexpr const char* kTokenNames[] = {"viewer", "ops", "root"};

class FixedClock final : public Clock {
 public:
  int64_t NowMs() const override { return 1'795'000'000'000; }
};

inline std::shared_ptr<const detect::RuleSet> BundledRules() {
  static const std::shared_ptr<const detect::RuleSet> rules = [] {
    std::vector<detect::RuleText> texts;
    for (const EmbeddedFile& f : RulePackFiles()) texts.push_back({f.path, std::string(f.text())});
    return detect::LoadRules({}, texts, {}).rules;
  }();
  return rules;
}

inline std::string Hex(const TokenAuthenticator::Digest& d) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) out += {kHex[b >> 4], kHex[b & 15]};
  return out;
}

class Daemon {
 public:
  Daemon() {
    auto opened = store::OpenStore(":memory:");
    Check(opened.has_value(), "in-memory store opens");
    store_ = std::move(*opened);
    std::vector<config::ApiToken> tokens(3);
    for (int i = 0; i < 3; ++i) {
      tokens[i].name = kTokenNames[i];
      tokens[i].sha256 = Hex(TokenAuthenticator::Sha256(std::string("tok-") + kTokenNames[i]));
      tokens[i].role = static_cast<config::ApiRole>(i);
    }
    auto auth = TokenAuthenticator::Create(tokens);
    Check(auth.has_value(), "tokens load");
    auth_ = std::make_unique<TokenAuthenticator>(std::move(*auth));
    intake_ = std::make_unique<Intake>(BundledRules(), nullptr, *store_, metrics_, clock_);
    api_ = std::make_unique<Api>(ApiOptions{.store = store_.get(), .auth = auth_.get(), .config = &config_,
                                            .metrics = &metrics_, .clock = &clock_, .intake = intake_.get(),
                                            .rules = BundledRules(), .actions_enabled = false,
                                            .console = WebConsoleFiles(), .version = "fuzz"});
  }

  ApiResponse Call(std::string method, std::string path, std::string authorization, std::string body = "",
                   std::map<std::string, std::string> query = {}) {
    return api_->Handle({.method = std::move(method), .path = std::move(path), .query = std::move(query),
                         .authorization = std::move(authorization), .body = std::move(body)});
  }

  store::IncidentStore& store() { return *store_; }

 private:
  std::unique_ptr<store::IncidentStore> store_;
  std::unique_ptr<TokenAuthenticator> auth_;
  config::Config config_;
  Metrics metrics_;
  FixedClock clock_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<Api> api_;
};

// Statuses the API may answer without AWS: anything else (500 above all) is a bug.
inline bool ExpectedStatus(int status) {
  switch (status) {
    case 200: case 201: case 302: case 400: case 401: case 403: case 404: case 405: case 409: case 503:
      return true;
    default:
      return false;
  }
}

// JSON responses parse; error responses say what and which code.
inline void CheckResponseShape(const ApiResponse& r) {
  Check(ExpectedStatus(r.status), "expected HTTP status (no 500)");
  bool nosniff = false;
  for (const auto& [k, v] : r.headers) nosniff |= k == "X-Content-Type-Options" && v == "nosniff";
  Check(nosniff, "nosniff on every response");
  if (r.content_type != "application/json") return;
  const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  Check(!j.is_discarded(), "a JSON response parses");
  if (r.status >= 400) {
    Check(j.is_object() && j.contains("error") && j["error"].is_string() && j.contains("code") && j["code"].is_string(),
          "an error response has error and code strings");
  }
}

}  // namespace cloudward::serve::fuzzing
