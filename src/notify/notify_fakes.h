// Test doubles for the notify transports: they record what would have been sent and answer with
// scripted results. Test-only; not thread-safe.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "notify/alert_router.h"
#include "notify/http_poster.h"
#include "notify/mail_sender.h"
#include "notify/sns_publisher.h"

namespace cloudward::notify {

class FakeHttpPoster final : public HttpPoster {
 public:
  std::vector<HttpRequest> requests;
  std::deque<Result<HttpResponse>> script;  // answers in order; then 200 "ok"
  Result<HttpResponse> Post(const HttpRequest& r) override {
    requests.push_back(r);
    if (script.empty()) return HttpResponse{200, "ok"};
    Result<HttpResponse> out = script.front();
    script.pop_front();
    return out;
  }
};

class FakeMailSender final : public MailSender {
 public:
  struct Sent {
    std::string url, from;
    std::vector<std::string> to;
    std::string message;
  };
  std::vector<Sent> sent;
  Status Send(const std::string& url, const std::string& from, const std::vector<std::string>& to,
              const std::string& message) override {
    sent.push_back({url, from, to, message});
    return Ok();
  }
};

class FakeSnsPublisher final : public SnsPublisher {
 public:
  std::vector<SnsMessage> published;
  Result<std::string> Publish(const SnsMessage& m) override {
    published.push_back(m);
    return "msg-" + std::to_string(published.size());
  }
};

class FakeSleeper final : public Sleeper {
 public:
  std::vector<int64_t> sleeps;
  void SleepMs(int64_t ms) override { sleeps.push_back(ms); }
};

}  // namespace cloudward::notify
