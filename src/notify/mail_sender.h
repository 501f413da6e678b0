// E-mail as an interface (fake in tests, libcurl SMTP in production) and the RFC 5322 message
// the e-mail notifier sends.
//
//   MailMessage m{.from = "cw@x", .to = {"ops@x"}, .subject = "...", .body = "..."};
//   std::string wire = FormatRfc5322(m, clock.NowMs(), "inc-1.new");
//   CurlMailSender sender;
//   Status s = sender.Send("smtps://mail.example.com:465", m.from, m.to, wire);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "notify/http_poster.h"

namespace cloudward::notify {

struct MailMessage {
  std::string from;
  std::vector<std::string> to;
  std::string subject;  // UTF-8; encoded as an RFC 2047 word when not ASCII
  std::string body;     // plain text; line ends become CRLF
};

// Headers Date, From, To, Subject, Message-ID, MIME-Version, Content-Type (text/plain, UTF-8),
// Content-Transfer-Encoding (8bit), a blank line and the body with CRLF line ends. CR and LF in
// header values are replaced by spaces, so no header can be injected. `id` makes the Message-ID.
std::string FormatRfc5322(const MailMessage& message, int64_t now_ms, std::string_view id);

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Sends the already formatted `message` through `smtp_url` (smtp:// or smtps://, optional
  // user:password@). Errors are kUnavailable/kTimeout (retryable) or kInvalidArgument.
  virtual Status Send(const std::string& smtp_url, const std::string& from,
                      const std::vector<std::string>& to, const std::string& message) = 0;
};

// libcurl SMTP: STARTTLS when the server offers it on smtp://, implicit TLS on smtps://,
// certificate verification always on; libcurl escapes lines starting with '.'.
class CurlMailSender final : public MailSender {
 public:
  explicit CurlMailSender(CurlOptions options = {});
  Status Send(const std::string& smtp_url, const std::string& from, const std::vector<std::string>& to,
              const std::string& message) override;

 private:
  CurlOptions options_;
};

}  // namespace cloudward::notify
