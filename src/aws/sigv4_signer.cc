#include "aws/sigv4_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "aws/url.h"

namespace cloudward::aws {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces and tabs to one space.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsUnsignedHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "x-amzn-trace-id" || lower_name == "connection" ||
         lower_name == "transfer-encoding";
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Md5Base64(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string AmzDate(int64_t ms) {
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string CanonicalUri(std::string_view wire_path, bool s3_rules) {
  if (wire_path.empty()) return "/";
  if (s3_rules) return UriEncode(UriDecode(wire_path), /*keep_slash=*/true);
  // Remove dot segments and empty segments, then encode each remaining (wire-form) segment.
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= wire_path.size()) {
    size_t slash = wire_path.find('/', pos);
    std::string_view seg = wire_path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  std::string out;
  for (auto seg : segments) {
    out.push_back('/');
    out += UriEncode(seg);
  }
  bool trailing = wire_path.back() == '/';
  if (out.empty() || trailing) out.push_back('/');
  return out;
}

std::string CanonicalQuery(std::string_view wire_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto& [k, v] : DecodeQuery(wire_query)) pairs.emplace_back(UriEncode(k), UriEncode(v));
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string SigV4Signer::SigningKey(const std::string& secret, const std::string& day) const {
  // Process-wide: every client and signer shares derived keys, one per (secret, day, region,
  // service). Bounded; cleared wholesale when full (days roll over, keys rotate).
  static std::mutex mu;
  static std::map<std::tuple<std::string, std::string, std::string, std::string>, std::string> cache;
  auto key = std::make_tuple(secret, day, options_.region, options_.service);
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  std::string k = HmacSha256("AWS4" + secret, day);
  k = HmacSha256(k, options_.region);
  k = HmacSha256(k, options_.service);
  k = HmacSha256(k, "aws4_request");
  std::lock_guard lock(mu);
  if (cache.size() >= 64) cache.clear();
  cache.emplace(std::move(key), k);
  return k;
}

Result<SigningTrace> SigV4Signer::Sign(HttpRequest& request, const Credentials& credentials,
                                       int64_t now_ms) const {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cannot sign: credentials are empty");
  }
  auto url = ParseUrl(request.url);
  if (!url) return tl::unexpected(url.error());

  if (!FindHeader(request.headers, "host")) request.headers.emplace_back("Host", url->Authority());
  const std::string amz_date = AmzDate(now_ms);
  const std::string day = amz_date.substr(0, 8);
  SetHeader(request.headers, "X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    SetHeader(request.headers, "X-Amz-Security-Token", credentials.session_token);
  }
  RemoveHeader(request.headers, "Authorization");

  std::string payload_hash;
  if (auto existing = FindHeader(request.headers, "x-amz-content-sha256")) {
    payload_hash = std::string(*existing);
  } else {
    payload_hash = options_.unsigned_payload ? std::string(kUnsignedPayload) : Sha256Hex(request.body);
    if (options_.s3_rules) SetHeader(request.headers, "X-Amz-Content-Sha256", payload_hash);
  }

  // name -> values in order of appearance
  std::map<std::string, std::vector<std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    std::string lower = Lower(name);
    if (IsUnsignedHeader(lower)) continue;
    headers[lower].push_back(CanonicalHeaderValue(value));
  }
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, values] : headers) {
    canonical_headers += name;
    canonical_headers.push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) canonical_headers.push_back(',');
      canonical_headers += values[i];
    }
    canonical_headers.push_back('\n');
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
  }

  SigningTrace trace;
  trace.canonical_request = request.method + "\n" + CanonicalUri(url->path, options_.s3_rules) +
                            "\n" + CanonicalQuery(url->query) + "\n" + canonical_headers + "\n" +
                            signed_headers + "\n" + payload_hash;
  const std::string scope = day + "/" + options_.region + "/" + options_.service + "/aws4_request";
  trace.string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(trace.canonical_request);
  trace.signature =
      HexEncode(HmacSha256(SigningKey(credentials.secret_access_key, day), trace.string_to_sign));
  trace.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                        ", SignedHeaders=" + signed_headers + ", Signature=" + trace.signature;
  request.headers.emplace_back("Authorization", trace.authorization);
  return trace;
}

}  // namespace cloudward::aws
