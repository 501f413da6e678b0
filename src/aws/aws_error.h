// AWS error responses, parsed from every protocol's error shape, and their mapping to ErrorCode.
//
// Shapes recognised (the first that matches wins):
//   query/EC2 XML : <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
//   query XML     : <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
//   REST-XML (S3) : <Error><Code/><Message/><RequestId/></Error>
//   JSON 1.0/1.1  : {"__type": "prefix#Code", "message"|"Message": "..."}
//   REST-JSON     : header X-Amzn-ErrorType "Code:http://..." and/or {"code"|"Code"|"__type", "message"}
//   no body       : code from the HTTP status ("NotFound" for 404 on S3 HEAD, ...)
// Request ids come from x-amzn-RequestId, x-amz-request-id, x-amzn-requestid, or the body.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "aws/http.h"
#include "core/error.h"

namespace cloudward::aws {

struct AwsError {
  ErrorCode code = ErrorCode::kInternal;  // what callers branch on
  std::string aws_code;                   // "AccessDenied", "Throttling", "" for transport errors
  std::string message;
  int http_status = 0;                    // 0 when no HTTP response arrived
  std::string request_id;
  std::string operation;                  // "ec2:DescribeInstances"

  // "access_denied: ec2:DescribeInstances: UnauthorizedOperation: You are not ... (HTTP 403,
  // request id 7a62c49f-...)"
  std::string Describe() const;
  Error ToError() const { return Error{code, Describe()}; }
  operator Error() const { return ToError(); }  // NOLINT: lets AwsResult<T> convert to Result<T>
};

template <class T>
using AwsResult = tl::expected<T, AwsError>;
using AwsStatus = tl::expected<void, AwsError>;

inline tl::unexpected<AwsError> AwsFail(AwsError error) { return tl::unexpected(std::move(error)); }
AwsError FromError(const Error& error, std::string operation = {});

// Maps an AWS error code string (and the HTTP status when the code says little) to ErrorCode.
ErrorCode MapAwsErrorCode(std::string_view aws_code, int http_status);

// True for codes the standard retry mode treats as throttling / transient / clock skew.
bool IsThrottlingCode(std::string_view aws_code);
bool IsTransientCode(std::string_view aws_code);
bool IsClockSkewCode(std::string_view aws_code);

// Request id of a response, from headers (or "" if none).
std::string RequestIdFromHeaders(const Headers& headers);

// Parses an error response of any shape above; never fails (falls back to the status line).
AwsError ParseErrorResponse(const HttpResponse& response);

}  // namespace cloudward::aws
