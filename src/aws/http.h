// HTTP as a dependency: the AWS client talks to a Transport, never to libcurl directly, so unit tests
// run against FakeTransport and never touch the network.
//
//   FakeTransport fake;
//   fake.Push(HttpResponse{200, {{"x-amzn-RequestId", "r-1"}}, "<ok/>"});
//   AwsClient client(ClientConfig{.region = "us-east-1", .transport = fake_ptr, ...});
//   ... fake.requests()[0].url == "https://sts.us-east-1.amazonaws.com/"
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cloudward::aws {

// Header names keep their case as given; lookups are case-insensitive. Order is preserved and
// repeated names are allowed (SigV4 joins repeated values with ',').
using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of the first header called `name`.
std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name);
// Replaces every header called `name` (case-insensitively) by one `name: value`.
void SetHeader(Headers& headers, std::string_view name, std::string value);
void RemoveHeader(Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, path and query already percent-encoded ("wire form")
  Headers headers;
  std::string body;
  int64_t timeout_ms = 0;          // whole request; 0 = the transport's default
  int64_t connect_timeout_ms = 0;  // 0 = the transport's default
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;

  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

// Sends one request and returns the response, whatever its status. Errors are for requests that
// got no HTTP response: kTimeout, kUnavailable (cannot connect or resolve), kIo.
// Implementations are thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Records every request and answers from a queue of canned results or, when the queue is empty,
// from a handler (default: 599 "no canned response"). Thread-safe.
class FakeTransport final : public Transport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  void Push(Result<HttpResponse> response);
  void Push(int status, std::string body, Headers headers = {});
  void SetHandler(Handler handler);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  std::vector<HttpRequest> requests() const;
  size_t request_count() const;

 private:
  mutable std::mutex mu_;
  std::deque<Result<HttpResponse>> queue_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

}  // namespace cloudward::aws
