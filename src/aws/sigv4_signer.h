// AWS Signature Version 4 over OpenSSL (HMAC-SHA256, SHA-256).
//
//   SigV4Signer signer({.region = "us-east-1", .service = "sts"});
//   HttpRequest req{.method = "POST", .url = "https://sts.us-east-1.amazonaws.com/", ...};
//   auto trace = signer.Sign(req, credentials, clock.NowMs());   // adds Host, X-Amz-Date,
//   // X-Amz-Security-Token, X-Amz-Content-Sha256 (S3) and Authorization to req.headers
//
// Canonical request rules (AWS General Reference, "Create a canonical request"):
//  - URI: non-S3 services normalise the path (remove "." and ".." segments, collapse "//") and
//    URI-encode the wire path once more ("double encoding" relative to the raw path); S3 uses
//    the wire path unchanged apart from re-encoding it once with the AWS unreserved set.
//  - Query: decode, re-encode with the unreserved set, sort by key then value; a valueless
//    parameter ("?policy") becomes "policy=".
//  - Headers: names lower-cased, values trimmed with inner runs of spaces collapsed, repeated
//    names joined with ','; sorted by name. Authorization, User-Agent, Expect and
//    X-Amzn-Trace-Id are never signed.
//  - Payload: hex SHA-256 of the body, or the value of an existing X-Amz-Content-Sha256 header
//    (e.g. UNSIGNED-PAYLOAD). S3 always sends X-Amz-Content-Sha256.
// The derived signing key is cached process-wide per (secret, day, region, service). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/http.h"
#include "core/result.h"

namespace cloudward::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigningOptions {
  std::string region;
  std::string service;           // signing name: "s3", "iam", "execute-api", ...
  bool s3_rules = false;         // single URI encoding, no path normalisation, content-sha header
  bool unsigned_payload = false; // S3: send UNSIGNED-PAYLOAD instead of hashing the body
};

// What the signer computed, for tests and debugging.
struct SigningTrace {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the full Authorization header value
};

class SigV4Signer {
 public:
  explicit SigV4Signer(SigningOptions options) : options_(std::move(options)) {}

  const SigningOptions& options() const { return options_; }

  // Signs `request` in place for the instant `now_ms` (ms since the Unix epoch, UTC). Replaces
  // any X-Amz-Date and Authorization already present. Fails only on an unparsable URL or
  // missing credentials.
  Result<SigningTrace> Sign(HttpRequest& request, const Credentials& credentials,
                            int64_t now_ms) const;

 private:
  std::string SigningKey(const std::string& secret, const std::string& day) const;

  SigningOptions options_;
};

// Primitives, exposed for tests and for Content-MD5 / checksums.
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);
std::string Md5Base64(std::string_view data);  // Content-MD5 header value
// "20150830T123600Z"
std::string AmzDate(int64_t ms);

// Canonical URI of a wire path (see the rules above).
std::string CanonicalUri(std::string_view wire_path, bool s3_rules);
// Canonical query string of a wire query.
std::string CanonicalQuery(std::string_view wire_query);

}  // namespace cloudward::aws
