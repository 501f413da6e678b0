// API token authentication and role checks for the daemon's HTTP API.
//
//   auto auth = serve::TokenAuthenticator::Create(config.serve.tokens);   // resolves env:/file:
//   auto caller = auth->Authenticate(request.authorization);             // "Bearer <token>"
//   if (!caller) return 401;
//   if (!serve::Allows(caller->role, serve::Permission::kRespond)) return 403;
//
// Tokens are kept only as SHA-256 digests; a presented token is hashed and compared with every
// configured digest in constant time (no early exit on the first match or the first differing
// byte). Immutable after Create: safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/result.h"

namespace cloudward::serve {

// What a request wants to do. viewer: kRead; responder: kRead, kRespond, kIntake; admin: all.
enum class Permission : unsigned char { kRead, kRespond, kIntake, kAdmin };

bool Allows(config::ApiRole role, Permission permission);

struct Caller {
  std::string name;  // the token's name in the configuration: the author of audited writes
  config::ApiRole role = config::ApiRole::kViewer;
};

class TokenAuthenticator {
 public:
  using Digest = std::array<uint8_t, 32>;

  // kInvalidArgument naming every token whose secret cannot be resolved or whose sha256 is not 64
  // hex digits.
  static Result<TokenAuthenticator> Create(const std::vector<config::ApiToken>& tokens);

  // The caller for an Authorization header value "Bearer <token>" (scheme in any case); nullopt
  // for a missing or malformed header or an unknown token.
  std::optional<Caller> Authenticate(std::string_view authorization) const;

  size_t size() const { return entries_.size(); }

  static Digest Sha256(std::string_view data);

 private:
  struct Entry {
    Digest digest;
    Caller caller;
  };
  std::vector<Entry> entries_;
};

}  // namespace cloudward::serve
