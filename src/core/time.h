// UTC timestamps as milliseconds since the Unix epoch, and the text forms AWS logs use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cloudward {

// Parses ISO 8601 / RFC 3339 as written by AWS: "2024-01-02T03:04:05Z", with optional fraction
// ("...05.123Z", up to 9 digits), offsets ("+02:00", "+0200") and a space instead of 'T'.
// A bare date "2024-01-02" is midnight UTC.
std::optional<int64_t> ParseIsoTime(std::string_view text);

// "2024-01-02T03:04:05Z" (no fraction when ms == 0) or "2024-01-02T03:04:05.123Z".
std::string FormatIsoTime(int64_t ms);

// Parses the time of a --since/--until flag: an ISO time, or a duration back from `now_ms`
// such as "90m", "36h", "7d", "2w".
std::optional<int64_t> ParseTimeBound(std::string_view text, int64_t now_ms);

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace cloudward
