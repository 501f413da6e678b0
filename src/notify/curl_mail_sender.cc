#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "notify/mail_sender.h"

namespace cloudward::notify {
namespace {

std::string HeaderValue(std::string_view v) {
  std::string out(v);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string RfcDate(int64_t ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

std::string FormatRfc5322(const MailMessage& m, int64_t now_ms, std::string_view id) {
  std::string to;
  for (const std::string& r : m.to) to += (to.empty() ? "" : ", ") + HeaderValue(r);
  std::string subject = HeaderValue(m.subject);
  if (!IsAscii(subject)) subject = "=?UTF-8?B?" + Base64(subject) + "?=";
  std::string msgid;
  for (char c : id) msgid += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '-';
  std::string out;
  out += "Date: " + RfcDate(now_ms) + "\r\n";
  out += "From: " + HeaderValue(m.from) + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " + subject + "\r\n";
  out += "Message-ID: <" + msgid + "." + std::to_string(now_ms) + "@cloudward>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  for (size_t i = 0; i < m.body.size(); ++i) {
    const char c = m.body[i];
    if (c == '\r') continue;
    if (c == '\n') out += "\r\n";
    else out += c;
  }
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t Read(char* buf, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, up->data->size() - up->offset);
  std::memcpy(buf, up->data->data() + up->offset, len);
  up->offset += len;
  return len;
}

}  // namespace

CurlMailSender::CurlMailSender(CurlOptions options) : options_(std::move(options)) {}

Status CurlMailSender::Send(const std::string& smtp_url, const std::string& from,
                            const std::vector<std::string>& to, const std::string& message) {
  if (!EnsureCurlInitialised()) return Fail(ErrorCode::kInternal, "curl_global_init failed");
  if (to.empty()) return Fail(ErrorCode::kInvalidArgument, "e-mail without recipients");
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  curl_slist* raw = nullptr;
  for (const std::string& r : to) {
    std::string addr = "<" + HeaderValue(r) + ">";
    curl_slist* next = curl_slist_append(raw, addr.c_str());
    if (!next) break;
    raw = next;
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt(raw, curl_slist_free_all);
  const std::string mail_from = "<" + HeaderValue(from) + ">";
  Upload upload{&message};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, smtp_url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(smtp_url.starts_with("smtps:") ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &Read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return Ok();
  std::string msg = std::string("SMTP failed: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
  if (rc == CURLE_OPERATION_TIMEDOUT) return Fail(ErrorCode::kTimeout, msg);
  if (rc == CURLE_LOGIN_DENIED || rc == CURLE_SEND_FAIL_REWIND || rc == CURLE_URL_MALFORMAT ||
      rc == CURLE_UNSUPPORTED_PROTOCOL)
    return Fail(ErrorCode::kInvalidArgument, msg);
  return Fail(ErrorCode::kUnavailable, msg);
}

}  // namespace cloudward::notify
