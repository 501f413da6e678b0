// Transport over libcurl. TLS verification is always on; http_proxy / https_proxy / no_proxy are
// honoured (libcurl reads them). Each thread keeps one curl easy handle, so connections are
// reused across requests made by the same thread. Thread-safe.
#pragma once

#include "aws/http.h"

namespace cloudward::aws {

class CurlTransport final : public Transport {
 public:
  struct Options {
    int64_t timeout_ms = 30000;
    int64_t connect_timeout_ms = 5000;
    std::string user_agent = "cloudward/0.1";
  };

  CurlTransport();
  explicit CurlTransport(Options options);
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  Options options_;
};

}  // namespace cloudward::aws
