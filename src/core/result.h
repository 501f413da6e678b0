// Result<T> is either a T or an Error (tl::expected, Debian libexpected-dev).
//
//   Result<int> ParsePort(std::string_view s) {
//     if (s.empty()) return Fail(ErrorCode::kMalformed, "empty port");
//     ...
//   }
#pragma once

#include <string>
#include <tl/expected.hpp>

#include "core/error.h"

namespace cloudward {

template <class T>
using Result = tl::expected<T, Error>;

// Result<void> for operations with no value.
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline Status Ok() { return {}; }

}  // namespace cloudward
