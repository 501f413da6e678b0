#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "notify/http_poster.h"

namespace cloudward::notify {

bool EnsureCurlInitialised() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

Status HttpStatusError(const HttpResponse& response, std::string_view what) {
  const long s = response.status;
  if (s >= 200 && s < 300) return Ok();
  std::string msg = std::string(what) + ": HTTP " + std::to_string(s);
  if (!response.body.empty()) msg += ": " + response.body.substr(0, 200);
  if (s == 429) return Fail(ErrorCode::kThrottled, msg);
  if (s >= 500 || s == 408) return Fail(ErrorCode::kUnavailable, msg);
  return Fail(ErrorCode::kInvalidArgument, msg);
}

namespace {

constexpr size_t kMaxBody = 64 * 1024;

size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t len = size * n;
  if (out->size() < kMaxBody) out->append(data, std::min(len, kMaxBody - out->size()));
  return len;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

CurlHttpPoster::CurlHttpPoster(CurlOptions options) : options_(std::move(options)) {}

Result<HttpResponse> CurlHttpPoster::Post(const HttpRequest& request) {
  if (!EnsureCurlInitialised()) return Fail(ErrorCode::kInternal, "curl_global_init failed");
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  curl_slist* raw = nullptr;
  for (const auto& [k, v] : request.headers) {
    std::string line = k + ": " + v;
    curl_slist* next = curl_slist_append(raw, line.c_str());
    if (!next) {
      curl_slist_free_all(raw);
      return Fail(ErrorCode::kInternal, "out of memory");
    }
    raw = next;
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);
  HttpResponse response;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "cloudward/0.1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string msg = std::string("POST failed: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return Fail(rc == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kTimeout : ErrorCode::kUnavailable, msg);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace cloudward::notify
