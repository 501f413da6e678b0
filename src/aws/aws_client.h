// One generic AWS client for every protocol; per-service helpers (services.h) build on it.
//
//   AwsClient aws(ClientConfig{.region = "eu-west-1"});          // defaults: env, curl, chain
//   auto who = aws.Query("sts", "GetCallerIdentity", {});
//   if (!who) { log(who.error().Describe()); return; }           // AwsError: code, request id
//   std::string account = who->Result().child("Account").text().as_string();
//
//   aws.Json("sqs", "ReceiveMessage", {{"QueueUrl", url}, {"MaxNumberOfMessages", 10}});
//   aws.Rest({.service = "s3", .method = "GET", .bucket = "b", .query = {{"policy", ""}}});
//
// Every call: resolve the endpoint, fetch credentials from the provider (cached by the chain),
// sign with SigV4, send, parse the error shape on failure, retry per RetryPolicy, correct clock
// skew from the server's Date header. Thread-safe: one client may serve many threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/env.h"
#include "aws/http.h"
#include "aws/retry.h"
#include "aws/url.h"
#include "core/clock.h"

namespace cloudward::aws {

struct ClientConfig {
  std::string region;                                // "" -> ResolveRegion(env, profile)
  std::string profile;                               // "" -> AWS_PROFILE / "default"
  std::shared_ptr<CredentialProvider> credentials;   // null -> DefaultCredentialChain
  std::shared_ptr<Transport> transport;              // null -> CurlTransport
  std::shared_ptr<const Clock> clock;                // null -> SystemClock
  std::shared_ptr<Sleeper> sleeper;                  // null -> RealSleeper
  RetryPolicy retry;
  std::optional<EndpointOverrides> endpoints;        // nullopt -> AWS_ENDPOINT_URL[_*] from env
  EnvLookup env;                                     // null -> process environment
  bool s3_path_style = false;                        // forced on for custom endpoints
  int64_t timeout_ms = 30000;                        // per attempt
};

struct XmlResponse {
  int status = 0;
  std::string request_id;
  std::string body;
  std::shared_ptr<pugi::xml_document> doc;

  pugi::xml_node Root() const { return doc ? doc->document_element() : pugi::xml_node(); }
  // Query protocols wrap the payload in <ActionResult>; this returns it (or Root()).
  pugi::xml_node Result() const;
};

struct JsonResponse {
  int status = 0;
  std::string request_id;
  nlohmann::json body;  // {} for an empty body
};

struct RestRequest {
  std::string service;           // "s3", "guardduty", ...
  std::string method = "GET";
  std::string bucket;            // S3 only; addressed virtual-hosted or path-style
  std::string path = "/";        // raw (unencoded) path; for S3 the key part ("/key")
  bool path_encoded = false;     // path already percent-encoded (a segment with "/" as %2F)
  QueryParams query;             // {"policy", ""} gives "?policy="
  Headers headers;
  std::string body;
  bool content_md5 = false;      // add Content-MD5 (S3 DeleteObjects, PutPublicAccessBlock, ...)
  std::string operation;         // for error messages: "s3:PutPublicAccessBlock"
};

struct RestResponse {
  int status = 0;
  std::string request_id;
  Headers headers;
  std::string body;

  std::optional<std::string_view> Header(std::string_view name) const { return FindHeader(headers, name); }
};

class AwsClient {
 public:
  explicit AwsClient(ClientConfig config = {});

  const std::string& region() const { return config_.region; }
  const ClientConfig& config() const { return config_; }
  // Server time minus local time, as learnt from clock-skew errors (ms).
  int64_t clock_skew_ms() const { return skew_ms_.load(); }

  // Query and EC2 protocols: POST Action=...&Version=...&params.
  AwsResult<XmlResponse> Query(std::string_view service, std::string_view action,
                               const QueryParams& params = {});
  // JSON 1.0/1.1 protocols: `target` is the operation ("ReceiveMessage") or a full target.
  AwsResult<JsonResponse> Json(std::string_view service, std::string_view target,
                               const nlohmann::json& body = nlohmann::json::object());
  // REST-XML and REST-JSON protocols; any 2xx status is success.
  AwsResult<RestResponse> Rest(const RestRequest& request);
  // Rest() with the body parsed as JSON (REST-JSON services).
  AwsResult<JsonResponse> RestJson(const RestRequest& request);

  // Resolved endpoint for a service key (exposed for tests and the CLI).
  AwsResult<Endpoint> EndpointFor(std::string_view service) const;

 private:
  AwsResult<HttpResponse> Send(HttpRequest request, const Endpoint& endpoint, bool s3,
                               const std::string& operation);

  ClientConfig config_;
  std::atomic<int64_t> skew_ms_{0};
};

// Calls `fetch_page(token)` starting with "" until it returns "" as the next token. Stops with
// kMalformed if a token repeats (a server bug would otherwise loop forever) or after max_pages.
AwsStatus Paginate(const std::function<AwsResult<std::string>(const std::string& token)>& fetch_page,
                   int max_pages = 10000);

// RFC 1123 HTTP date ("Sat, 28 Nov 2026 10:11:05 GMT") -> ms since the epoch.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace cloudward::aws
