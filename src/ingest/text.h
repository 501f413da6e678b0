// Small text helpers shared by the line-oriented readers: digit checks and JSON string output.
#pragma once

#include "core/text.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace cloudward::ingest {

inline bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A non-negative integer that JSON accepts as a number and that fits in int64 (no leading zeros).
inline bool IsJsonInteger(std::string_view s) {
  return IsDigits(s) && s.size() <= 18 && (s.size() == 1 || s[0] != '0');
}

inline bool ParseUint(std::string_view s, uint64_t* out) {
  if (!IsDigits(s) || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  *out = v;
  return true;
}

using cloudward::AppendJsonString;  // core/text.h

}  // namespace cloudward::ingest
