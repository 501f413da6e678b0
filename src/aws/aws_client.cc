#include "aws/aws_client.h"

#include <ctime>
#include <set>

#include "aws/curl_transport.h"
#include "aws/sigv4_signer.h"

namespace cloudward::aws {
namespace {

constexpr int64_t kSkewThresholdMs = 60 * 1000;

// Bucket names that can be a DNS label of a TLS wildcard certificate.
bool VirtualHostable(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

std::string XmlRequestId(const pugi::xml_document& doc) {
  pugi::xml_node root = doc.document_element();
  if (auto id = root.child("ResponseMetadata").child("RequestId")) return id.text().as_string();
  if (auto id = root.child("requestId")) return id.text().as_string();  // EC2
  if (auto id = root.child("RequestId")) return id.text().as_string();
  return {};
}

}  // namespace

pugi::xml_node XmlResponse::Result() const {
  pugi::xml_node root = Root();
  std::string name = root.name();
  if (name.size() > 8 && name.ends_with("Response")) {
    std::string result = name.substr(0, name.size() - 8) + "Result";
    if (auto node = root.child(result.c_str())) return node;
  }
  return root;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  struct tm tm {};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return std::nullopt;
  time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<int64_t>(t) * 1000;
}

AwsClient::AwsClient(ClientConfig config) : config_(std::move(config)) {
  if (!config_.env) config_.env = ProcessEnv();
  if (!config_.clock) config_.clock = std::make_shared<SystemClock>();
  if (!config_.sleeper) config_.sleeper = std::make_shared<RealSleeper>();
  if (!config_.transport) config_.transport = std::make_shared<CurlTransport>();
  if (config_.region.empty()) config_.region = ResolveRegion(config_.env, config_.profile);
  if (!config_.endpoints) config_.endpoints = EndpointOverrides::FromEnv(config_.env);
  if (!config_.credentials) {
    config_.credentials = DefaultCredentialChain({.env = config_.env, .transport = config_.transport,
                                                  .clock = config_.clock, .profile = config_.profile,
                                                  .region = config_.region});
  }
  if (config_.retry.max_attempts < 1) config_.retry.max_attempts = 1;
}

AwsResult<Endpoint> AwsClient::EndpointFor(std::string_view service) const {
  const ServiceInfo* info = FindService(service);
  if (!info) {
    return AwsFail({.code = ErrorCode::kInvalidArgument, .message = "unknown AWS service '" + std::string(service) + "'"});
  }
  auto ep = ResolveEndpoint(*info, config_.region, *config_.endpoints);
  if (!ep) return AwsFail(FromError(ep.error(), std::string(service)));
  return *ep;
}

AwsResult<HttpResponse> AwsClient::Send(HttpRequest base, const Endpoint& endpoint, bool s3,
                                        const std::string& operation) {
  SigV4Signer signer({.region = endpoint.signing_region, .service = endpoint.signing_name, .s3_rules = s3});
  if (base.timeout_ms == 0) base.timeout_ms = config_.timeout_ms;
  bool skew_corrected = false;
  bool credentials_refreshed = false;
  AwsError last;
  for (int attempt = 1; attempt <= config_.retry.max_attempts; ++attempt) {
    auto creds = config_.credentials->Fetch();
    if (!creds) return AwsFail(FromError(creds.error(), operation));
    HttpRequest request = base;
    auto signed_ok = signer.Sign(request, *creds, config_.clock->NowMs() + skew_ms_.load());
    if (!signed_ok) return AwsFail(FromError(signed_ok.error(), operation));
    auto response = config_.transport->Send(request);
    bool retryable = false;
    if (!response) {
      last = FromError(response.error(), operation);
      retryable = IsRetryable(last.code);
    } else if (response->status >= 200 && response->status < 300) {
      return std::move(*response);
    } else {
      last = ParseErrorResponse(*response);
      last.operation = operation;
      retryable = IsThrottlingCode(last.aws_code) || IsTransientCode(last.aws_code) ||
                  response->status == 500 || response->status == 502 || response->status == 503 ||
                  response->status == 504 || response->status == 429;
      if (IsClockSkewCode(last.aws_code) && !skew_corrected) {
        if (auto date = response->Header("Date")) {
          if (auto server_ms = ParseHttpDate(*date)) {
            int64_t skew = *server_ms - config_.clock->NowMs();
            if (std::abs(skew - skew_ms_.load()) > kSkewThresholdMs) {
              skew_ms_.store(skew);
              skew_corrected = true;
              --attempt;  // the corrected retry does not use up a normal retry
              continue;
            }
          }
        }
      }
      if ((last.aws_code == "ExpiredToken" || last.aws_code == "ExpiredTokenException" ||
           last.aws_code == "RequestExpired") && !credentials_refreshed) {
        if (auto* chain = dynamic_cast<CredentialChain*>(config_.credentials.get())) {
          chain->Invalidate();
          credentials_refreshed = true;
          --attempt;
          continue;
        }
      }
    }
    if (!retryable || attempt == config_.retry.max_attempts) break;
    config_.sleeper->SleepMs(config_.retry.BackoffMs(attempt));
  }
  return AwsFail(std::move(last));
}

AwsResult<XmlResponse> AwsClient::Query(std::string_view service, std::string_view action,
                                        const QueryParams& params) {
  const std::string operation = std::string(service) + ":" + std::string(action);
  const ServiceInfo* info = FindService(service);
  if (!info || (info->protocol != Protocol::kQuery && info->protocol != Protocol::kEc2Query)) {
    return AwsFail({.code = ErrorCode::kInvalidArgument,
                    .message = "'" + std::string(service) + "' is not a query-protocol service",
                    .operation = operation});
  }
  auto endpoint = EndpointFor(service);
  if (!endpoint) return AwsFail(endpoint.error());
  QueryParams all = {{"Action", std::string(action)}, {"Version", std::string(info->api_version)}};
  all.insert(all.end(), params.begin(), params.end());
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint->url + "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = EncodeQuery(all);
  auto response = Send(std::move(request), *endpoint, false, operation);
  if (!response) return AwsFail(response.error());
  XmlResponse out;
  out.status = response->status;
  out.body = std::move(response->body);
  out.doc = std::make_shared<pugi::xml_document>();
  if (!out.doc->load_buffer(out.body.data(), out.body.size())) {
    return AwsFail({.code = ErrorCode::kMalformed, .message = "response is not XML",
                    .http_status = out.status, .request_id = RequestIdFromHeaders(response->headers),
                    .operation = operation});
  }
  out.request_id = RequestIdFromHeaders(response->headers);
  if (out.request_id.empty()) out.request_id = XmlRequestId(*out.doc);
  return out;
}

AwsResult<JsonResponse> AwsClient::Json(std::string_view service, std::string_view target,
                                        const nlohmann::json& body) {
  const ServiceInfo* info = FindService(service);
  std::string op_name(target.substr(target.rfind('.') == std::string_view::npos ? 0 : target.rfind('.') + 1));
  const std::string operation = std::string(service) + ":" + op_name;
  if (!info || info->protocol != Protocol::kJson) {
    return AwsFail({.code = ErrorCode::kInvalidArgument,
                    .message = "'" + std::string(service) + "' is not a JSON-protocol service",
                    .operation = operation});
  }
  auto endpoint = EndpointFor(service);
  if (!endpoint) return AwsFail(endpoint.error());
  std::string full_target = target.find('.') == std::string_view::npos
                                ? std::string(info->target_prefix) + "." + std::string(target)
                                : std::string(target);
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint->url + "/";
  request.headers = {{"Content-Type", "application/x-amz-json-" + std::string(info->json_version)},
                     {"X-Amz-Target", full_target}};
  request.body = body.dump();
  auto response = Send(std::move(request), *endpoint, false, operation);
  if (!response) return AwsFail(response.error());
  JsonResponse out;
  out.status = response->status;
  out.request_id = RequestIdFromHeaders(response->headers);
  if (response->body.find_first_not_of(" \r\n\t") == std::string::npos) {
    out.body = nlohmann::json::object();
  } else {
    out.body = nlohmann::json::parse(response->body, nullptr, false);
    if (out.body.is_discarded()) {
      return AwsFail({.code = ErrorCode::kMalformed, .message = "response is not JSON",
                      .http_status = out.status, .request_id = out.request_id, .operation = operation});
    }
  }
  return out;
}

AwsResult<RestResponse> AwsClient::Rest(const RestRequest& rest) {
  const std::string operation = rest.operation.empty() ? rest.service + ":" + rest.method : rest.operation;
  auto endpoint = EndpointFor(rest.service);
  if (!endpoint) return AwsFail(endpoint.error());
  const bool s3 = rest.service == "s3" || rest.service == "s3-control";  // S3's signing rules
  std::string path = rest.path.empty() || rest.path.front() != '/' ? "/" + rest.path : rest.path;
  HttpRequest request;
  request.method = rest.method;
  std::string base = endpoint->url;
  if (!rest.bucket.empty()) {
    bool path_style = endpoint->custom || config_.s3_path_style || !VirtualHostable(rest.bucket);
    if (path_style) {
      path = "/" + rest.bucket + (path == "/" ? std::string() : path);
    } else {
      size_t scheme_end = base.find("://");
      base = base.substr(0, scheme_end + 3) + rest.bucket + "." + base.substr(scheme_end + 3);
    }
  }
  request.url = base + (rest.path_encoded ? path : UriEncode(path, /*keep_slash=*/true));
  if (!rest.query.empty()) request.url += "?" + EncodeQuery(rest.query);
  request.headers = rest.headers;
  request.body = rest.body;
  if (rest.content_md5) SetHeader(request.headers, "Content-MD5", Md5Base64(rest.body));
  auto response = Send(std::move(request), *endpoint, s3, operation);
  if (!response) return AwsFail(response.error());
  RestResponse out;
  out.status = response->status;
  out.request_id = RequestIdFromHeaders(response->headers);
  out.headers = std::move(response->headers);
  out.body = std::move(response->body);
  return out;
}

AwsResult<JsonResponse> AwsClient::RestJson(const RestRequest& rest) {
  RestRequest copy = rest;
  if (!FindHeader(copy.headers, "content-type") && !copy.body.empty()) {
    copy.headers.emplace_back("Content-Type", "application/json");
  }
  auto response = Rest(copy);
  if (!response) return AwsFail(response.error());
  JsonResponse out{response->status, response->request_id, nlohmann::json::object()};
  if (response->body.find_first_not_of(" \r\n\t") != std::string::npos) {
    out.body = nlohmann::json::parse(response->body, nullptr, false);
    if (out.body.is_discarded()) {
      return AwsFail({.code = ErrorCode::kMalformed, .message = "response is not JSON",
                      .http_status = out.status, .request_id = out.request_id, .operation = rest.operation});
    }
  }
  return out;
}

AwsStatus Paginate(const std::function<AwsResult<std::string>(const std::string& token)>& fetch_page,
                   int max_pages) {
  std::set<std::string> seen;
  std::string token;
  for (int page = 0; page < max_pages; ++page) {
    auto next = fetch_page(token);
    if (!next) return AwsFail(next.error());
    if (next->empty()) return {};
    if (!seen.insert(*next).second) {
      return AwsFail({.code = ErrorCode::kMalformed, .message = "pagination token repeated: " + *next});
    }
    token = std::move(*next);
  }
  return AwsFail({.code = ErrorCode::kInternal,
                  .message = "pagination stopped after " + std::to_string(max_pages) + " pages"});
}

}  // namespace cloudward::aws
