// Errors are values. An Error's code drives behaviour (retry on kThrottled, skip on kMalformed);
// its message is for people and names the file, line, byte offset or AWS request id involved.
//
//   Result<Event> e = Parse(bytes);
//   if (!e) { report.Malformed(file, offset, e.error()); continue; }
#pragma once

#include <string>
#include <string_view>

namespace cloudward {

enum class ErrorCode {
  kInvalidArgument,  // the caller passed something unusable (bad flag, bad path)
  kMalformed,        // input bytes do not follow their format
  kUnsupported,      // well-formed, but a feature we do not handle (legacy Sigma aggregation)
  kNotFound,
  kAlreadyExists,
  kConflict,         // concurrent update, precondition failed
  kIo,
  kThrottled,        // AWS throttling: retry with backoff
  kAccessDenied,
  kUnavailable,      // network or service down: retryable
  kTimeout,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  std::string ToString() const;
};

inline bool IsRetryable(ErrorCode code) {
  return code == ErrorCode::kThrottled || code == ErrorCode::kUnavailable ||
         code == ErrorCode::kTimeout;
}

}  // namespace cloudward
