#include "aws/aws_error.h"

#include <array>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace cloudward::aws {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string ChildText(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

// "aws.protocoltests#ThrottlingException" or "ThrottlingException:http://internal..." -> code
std::string CleanCode(std::string code) {
  if (size_t colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  while (!code.empty() && (code.back() == ' ' || code.back() == '\n')) code.pop_back();
  return code;
}

std::string StatusCode(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 409: return "Conflict";
    case 412: return "PreconditionFailed";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return "Http" + std::to_string(status);
  }
}

bool ParseXmlError(std::string_view body, AwsError& out) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  pugi::xml_node root = doc.document_element();
  pugi::xml_node error;
  std::string name = root.name();
  if (name == "Response") {  // EC2
    error = root.child("Errors").child("Error");
    out.request_id = ChildText(root, "RequestID");
    if (out.request_id.empty()) out.request_id = ChildText(root, "RequestId");
  } else if (name == "ErrorResponse") {  // IAM, STS, SNS, ...
    error = root.child("Error");
    out.request_id = ChildText(root, "RequestId");
  } else if (name == "Error") {  // S3
    error = root;
    out.request_id = ChildText(root, "RequestId");
  } else {
    return false;
  }
  if (!error) return false;
  out.aws_code = CleanCode(ChildText(error, "Code"));
  out.message = ChildText(error, "Message");
  return !out.aws_code.empty();
}

bool ParseJsonError(std::string_view body, AwsError& out) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return false;
  for (const char* key : {"__type", "code", "Code"}) {
    auto it = json.find(key);
    if (it != json.end() && it->is_string() && out.aws_code.empty()) out.aws_code = CleanCode(it->get<std::string>());
  }
  for (const char* key : {"message", "Message", "errorMessage"}) {
    auto it = json.find(key);
    if (it != json.end() && it->is_string()) {
      out.message = it->get<std::string>();
      break;
    }
  }
  return !out.aws_code.empty();
}

}  // namespace

std::string AwsError::Describe() const {
  std::string out(ErrorCodeName(code));
  out += ": ";
  if (!operation.empty()) out += operation + ": ";
  out += aws_code;
  if (!message.empty()) out += (aws_code.empty() ? "" : ": ") + message;
  if (http_status || !request_id.empty()) {
    out += " (";
    if (http_status) out += "HTTP " + std::to_string(http_status);
    if (!request_id.empty()) out += std::string(http_status ? ", " : "") + "request id " + request_id;
    out += ")";
  }
  return out;
}

AwsError FromError(const Error& error, std::string operation) {
  AwsError out;
  out.code = error.code;
  out.message = error.message;
  out.operation = std::move(operation);
  return out;
}

bool IsThrottlingCode(std::string_view c) {
  static constexpr std::array<std::string_view, 16> kCodes = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException",
      "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
      "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
      "EC2ThrottledException", "TooManyRequests", "ThrottlingError"};
  for (auto k : kCodes) {
    if (c == k) return true;
  }
  return false;
}

bool IsTransientCode(std::string_view c) {
  return c == "RequestTimeout" || c == "RequestTimeoutException" || c == "InternalError" ||
         c == "InternalFailure" || c == "ServiceUnavailable" || c == "InternalServerError" ||
         c == "InternalServiceError" || c == "InternalServerException" || c == "BadGateway" ||
         c == "GatewayTimeout" || c == "IDPCommunicationError";
}

bool IsClockSkewCode(std::string_view c) {
  return c == "RequestTimeTooSkewed" || c == "RequestExpired" || c == "RequestInTheFuture" ||
         c == "SignatureExpired" || c == "InvalidSignatureException" || c == "AuthFailure" ||
         c == "SignatureDoesNotMatch";
}

ErrorCode MapAwsErrorCode(std::string_view c, int status) {
  if (IsThrottlingCode(c) || status == 429) return ErrorCode::kThrottled;
  if (c == "AccessDenied" || c == "AccessDeniedException" || c == "UnauthorizedOperation" ||
      c == "UnauthorizedAccess" || c == "AuthorizationError" || c == "Forbidden" ||
      c == "InvalidClientTokenId" || c == "UnrecognizedClientException" || c == "AuthFailure" ||
      c == "SignatureDoesNotMatch" || c == "InvalidAccessKeyId" || c == "ExpiredToken" ||
      c == "ExpiredTokenException" || c == "MissingAuthenticationToken" || c == "OptInRequired" ||
      c == "AllAccessDisabled" || c == "Unauthorized") {
    return ErrorCode::kAccessDenied;
  }
  if (c.starts_with("NoSuch") || c == "NotFound" || EndsWith(c, ".NotFound") ||
      EndsWith(c, "NotFoundException") || EndsWith(c, "NotFound") ||
      c == "AWS.SimpleQueueService.NonExistentQueue" || c == "QueueDoesNotExist" ||
      c == "NonExistentQueue") {
    return ErrorCode::kNotFound;
  }
  if (c == "EntityAlreadyExists" || c == "BucketAlreadyExists" || c == "BucketAlreadyOwnedByYou" ||
      c == "AlreadyExistsException" || c == "ResourceAlreadyExistsException" ||
      EndsWith(c, ".Duplicate") || c == "QueueAlreadyExists" || c == "InvalidGroup.Duplicate") {
    return ErrorCode::kAlreadyExists;
  }
  if (c == "ConflictException" || c == "ConcurrentModification" || c == "OperationAborted" ||
      c == "ConcurrentModificationException" || c == "ResourceInUseException" ||
      c == "DependencyViolation" || c == "PreconditionFailed" || c == "ConditionalCheckFailedException" ||
      c == "IncorrectState" || c == "IncorrectInstanceState" || c == "InvalidState" ||
      c == "DeleteConflict" || status == 409 || status == 412) {
    return ErrorCode::kConflict;
  }
  if (c.starts_with("Invalid") || c.starts_with("Malformed") || c == "ValidationError" ||
      c == "ValidationException" || c == "MissingParameter" || c == "InvalidParameterValue" ||
      c == "InvalidArgument" || c == "BadRequest" || c == "UnknownOperationException" ||
      c == "InvalidAction" || c == "InvalidRequest" || c == "SerializationException" ||
      c == "MalformedPolicyDocument") {
    return ErrorCode::kInvalidArgument;
  }
  if (c == "RequestTimeout" || c == "RequestTimeoutException" || status == 504) return ErrorCode::kTimeout;
  if (IsTransientCode(c) || status >= 500) return ErrorCode::kUnavailable;
  if (c == "UnsupportedOperation" || c == "NotImplemented") return ErrorCode::kUnsupported;
  if (status == 403) return ErrorCode::kAccessDenied;
  if (status == 404) return ErrorCode::kNotFound;
  if (status == 400) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

std::string RequestIdFromHeaders(const Headers& headers) {
  for (const char* name : {"x-amzn-RequestId", "x-amz-request-id", "x-amzn-request-id", "x-amz-id-2"}) {
    if (auto v = FindHeader(headers, name)) return std::string(*v);
  }
  return {};
}

AwsError ParseErrorResponse(const HttpResponse& response) {
  AwsError out;
  out.http_status = response.status;
  std::string_view body = response.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos) {
    if (body[first] == '<') {
      ParseXmlError(body, out);
    } else if (body[first] == '{') {
      ParseJsonError(body, out);
    }
  }
  if (auto type = response.Header("x-amzn-ErrorType"); type && out.aws_code.empty()) {
    out.aws_code = CleanCode(std::string(*type));
  }
  // SQS's JSON protocol also reports the legacy query code, which is more specific.
  if (auto query_error = response.Header("x-amzn-query-error")) {
    std::string q = CleanCode(std::string(query_error->substr(0, query_error->find(';'))));
    if (!q.empty() && out.aws_code.empty()) out.aws_code = q;
  }
  if (out.aws_code.empty()) out.aws_code = StatusCode(response.status);
  if (out.request_id.empty()) out.request_id = RequestIdFromHeaders(response.headers);
  out.code = MapAwsErrorCode(out.aws_code, response.status);
  return out;
}

}  // namespace cloudward::aws
