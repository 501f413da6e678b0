#include "aws/url.h"

namespace cloudward::aws {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Url::Authority() const {
  if (port.empty() || (scheme == "https" && port == "443") || (scheme == "http" && port == "80")) {
    return host;
  }
  return host + ":" + port;
}

std::string Url::ToString() const {
  std::string out = scheme + "://" + host;
  if (!port.empty()) out += ":" + port;
  out += path.empty() ? "/" : path;
  if (!query.empty()) out += "?" + query;
  return out;
}

Result<Url> ParseUrl(std::string_view text) {
  Url url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return Fail(ErrorCode::kInvalidArgument, "URL has no scheme: " + std::string(text));
  url.scheme = std::string(text.substr(0, sep));
  for (auto& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") {
    return Fail(ErrorCode::kInvalidArgument, "URL scheme must be http or https: " + std::string(text));
  }
  std::string_view rest = text.substr(sep + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (authority.empty()) return Fail(ErrorCode::kInvalidArgument, "URL has no host: " + std::string(text));
  if (authority.front() == '[') {  // IPv6 literal
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Fail(ErrorCode::kInvalidArgument, "bad IPv6 host in URL: " + std::string(text));
    url.host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') url.port = std::string(authority.substr(close + 2));
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    url.port = std::string(authority.substr(colon + 1));
  } else {
    url.host = std::string(authority);
  }
  for (char c : url.port) {
    if (c < '0' || c > '9') return Fail(ErrorCode::kInvalidArgument, "bad port in URL: " + std::string(text));
  }
  size_t q = rest.find('?');
  url.path = std::string(rest.substr(0, q));
  if (url.path.empty()) url.path = "/";
  if (q != std::string_view::npos) url.query = std::string(rest.substr(q + 1));
  return url;
}

std::string UriEncode(std::string_view raw, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(raw.size() * 3);
  for (unsigned char c : raw) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      int hi = HexValue(encoded[i + 1]);
      int lo = HexValue(encoded[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(encoded[i]);
  }
  return out;
}

std::string EncodeQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += UriEncode(key);
    out.push_back('=');
    out += UriEncode(value);
  }
  return out;
}

QueryParams DecodeQuery(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(UriDecode(part), "");
    } else {
      out.emplace_back(UriDecode(part.substr(0, eq)), UriDecode(part.substr(eq + 1)));
    }
  }
  return out;
}

}  // namespace cloudward::aws
