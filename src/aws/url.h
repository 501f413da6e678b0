// URL pieces as AWS uses them. Grammar accepted by ParseUrl (a subset of RFC 3986):
//   url    = scheme "://" host [ ":" port ] [ path ] [ "?" query ] [ "#" fragment ]
//   scheme = "http" | "https"
// Path and query are kept in wire form (percent-encoded as sent); nothing is decoded here.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cloudward::aws {

struct Url {
  std::string scheme;     // "https"
  std::string host;       // "sts.us-east-1.amazonaws.com" (no port)
  std::string port;       // "" when absent
  std::string path = "/"; // wire form, always starts with '/'
  std::string query;      // wire form, without '?'

  // host[:port] as it goes in the Host header (default ports omitted).
  std::string Authority() const;
  std::string ToString() const;
};

Result<Url> ParseUrl(std::string_view text);

// AWS URI encoding: every byte but the unreserved set A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case
// hex); '/' is kept when keep_slash.
std::string UriEncode(std::string_view raw, bool keep_slash = false);
// Decodes %XX escapes; malformed escapes are kept literally. '+' stays '+'.
std::string UriDecode(std::string_view encoded);

// key=value pairs, encoded with UriEncode and joined with '&', in the order given.
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::string EncodeQuery(const QueryParams& params);
// Splits a wire query into decoded pairs; "policy" gives {"policy", ""}.
QueryParams DecodeQuery(std::string_view query);

}  // namespace cloudward::aws
