// HTTP POST as an interface, so notifiers are unit-tested with a fake and never touch the network.
//
//   CurlHttpPoster poster;                       // TLS verification on, 5 s connect, 15 s total
//   Result<HttpResponse> r = poster.Post({url, {{"Content-Type", "application/json"}}, body});
//
// A Result error means no HTTP answer (DNS, connect, TLS, timeout: kUnavailable or kTimeout);
// any HTTP answer, even 500, is a value: callers map statuses with HttpStatusError.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cloudward::notify {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::string body;  // at most the first 64 KiB
};

class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  virtual Result<HttpResponse> Post(const HttpRequest& request) = 0;
};

// Ok for 2xx; kThrottled for 429, kUnavailable for 5xx/408 (retryable), kInvalidArgument for other
// statuses (a bad key or payload does not get better by retrying). The message names `what`.
Status HttpStatusError(const HttpResponse& response, std::string_view what);

struct CurlOptions {
  int64_t connect_timeout_ms = 5000;
  int64_t timeout_ms = 15000;
  std::string ca_file;  // extra CA bundle; empty = the system store
};

// libcurl, one easy handle per call (thread-safe; curl_global_init runs once). Only http and
// https, no redirects, TLS peer and host verification always on.
class CurlHttpPoster final : public HttpPoster {
 public:
  explicit CurlHttpPoster(CurlOptions options = {});
  Result<HttpResponse> Post(const HttpRequest& request) override;

 private:
  CurlOptions options_;
};

// Runs curl_global_init once per process; returns false if it failed.
bool EnsureCurlInitialised();

}  // namespace cloudward::notify
