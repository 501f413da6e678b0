#include "aws/http.h"

#include <strings.h>

namespace cloudward::aws {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void RemoveHeader(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

void SetHeader(Headers& headers, std::string_view name, std::string value) {
  RemoveHeader(headers, name);
  headers.emplace_back(std::string(name), std::move(value));
}

void FakeTransport::Push(Result<HttpResponse> response) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(response));
}

void FakeTransport::Push(int status, std::string body, Headers headers) {
  Push(HttpResponse{status, std::move(headers), std::move(body)});
}

void FakeTransport::SetHandler(Handler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

Result<HttpResponse> FakeTransport::Send(const HttpRequest& request) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (!queue_.empty()) {
      auto out = std::move(queue_.front());
      queue_.pop_front();
      return out;
    }
    handler = handler_;
  }
  if (handler) return handler(request);
  return HttpResponse{599, {}, "FakeTransport: no canned response for " + request.url};
}

std::vector<HttpRequest> FakeTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t FakeTransport::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

}  // namespace cloudward::aws
