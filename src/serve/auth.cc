#include "serve/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cctype>

namespace cloudward::serve {

bool Allows(config::ApiRole role, Permission permission) {
  switch (role) {
    case config::ApiRole::kAdmin: return true;
    case config::ApiRole::kResponder: return permission != Permission::kAdmin;
    case config::ApiRole::kViewer: return permission == Permission::kRead;
  }
  return false;
}

TokenAuthenticator::Digest TokenAuthenticator::Sha256(std::string_view data) {
  Digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return d;
}

namespace {

std::optional<TokenAuthenticator::Digest> FromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  TokenAuthenticator::Digest d{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return d;
}

}  // namespace

Result<TokenAuthenticator> TokenAuthenticator::Create(const std::vector<config::ApiToken>& tokens) {
  TokenAuthenticator auth;
  std::string problems;
  for (const config::ApiToken& t : tokens) {
    std::optional<Digest> digest;
    if (!t.sha256.empty()) {
      digest = FromHex(t.sha256);
      if (!digest) problems += "; token '" + t.name + "': sha256 is not 64 hex digits";
    } else {
      auto value = t.token.Resolve();
      if (!value) {
        problems += "; token '" + t.name + "' (" + t.token.ToString() + "): " + value.error().message;
      } else {
        digest = Sha256(*value);
      }
    }
    if (digest) auth.entries_.push_back({*digest, {t.name, t.role}});
  }
  if (!problems.empty()) return Fail(ErrorCode::kInvalidArgument, "serve.tokens" + problems);
  return auth;
}

std::optional<Caller> TokenAuthenticator::Authenticate(std::string_view authorization) const {
  while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  const Digest presented = Sha256(token);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {  // every entry is compared: the time does not tell which matched
    const bool same = CRYPTO_memcmp(e.digest.data(), presented.data(), presented.size()) == 0;
    if (same && found == nullptr) found = &e;
  }
  if (found == nullptr) return std::nullopt;
  return found->caller;
}

}  // namespace cloudward::serve
