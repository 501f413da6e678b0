#include "core/time.h"

#include <cstdio>

namespace cloudward {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

}  // namespace

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  int year, month, day;
  if (!Digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  int64_t ms = DaysFromCivil(year, month, day) * 86400000LL;
  if (s.size() == 10) return ms;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int hour, minute, second = 0;
  if (!Digits(s, 11, 2, hour) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, minute)) {
    return std::nullopt;
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  ms += (hour * 3600LL + minute * 60LL + second) * 1000LL;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int64_t frac = 0;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) frac = frac * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) frac *= 10;
    ms += frac;
  }
  if (pos == s.size()) return ms;  // no zone: taken as UTC
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size() ? std::optional(ms) : std::nullopt;
  if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '+' ? 1 : -1;
    int oh, om = 0;
    if (!Digits(s, pos + 1, 2, oh)) return std::nullopt;
    size_t p = pos + 3;
    if (p < s.size() && s[p] == ':') ++p;
    if (p < s.size() && !Digits(s, p, 2, om)) return std::nullopt;
    if (p < s.size()) p += 2;
    if (p != s.size()) return std::nullopt;
    return ms - sign * (oh * 3600LL + om * 60LL) * 1000LL;
  }
  return std::nullopt;
}

std::string FormatIsoTime(int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86400000LL : (ms - 86399999LL) / 86400000LL;
  int64_t rem = ms - days * 86400000LL;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  const int hh = static_cast<int>(rem / 3600000), mm = static_cast<int>(rem / 60000 % 60),
            ss = static_cast<int>(rem / 1000 % 60), frac = static_cast<int>(rem % 1000);
  if (0 <= y && y <= 9999) {  // the hot path of finding lines: digits by hand, no format parsing
    char out[24] = "0000-00-00T00:00:00.000";
    auto put = [&out](size_t at, unsigned value, size_t width) {
      for (size_t i = width; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(y), 4);
    put(5, m, 2);
    put(8, d, 2);
    put(11, static_cast<unsigned>(hh), 2);
    put(14, static_cast<unsigned>(mm), 2);
    put(17, static_cast<unsigned>(ss), 2);
    size_t length = 19;
    if (frac != 0) {
      put(20, static_cast<unsigned>(frac), 3);
      length = 23;
    }
    out[length] = 'Z';
    return std::string(out, length + 1);
  }
  char buf[40];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                  hh, mm, ss);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y),
                  m, d, hh, mm, ss, frac);
  }
  return buf;
}

std::optional<int64_t> ParseTimeBound(std::string_view text, int64_t now_ms) {
  if (auto t = ParseIsoTime(text)) return t;
  if (text.size() < 2) return std::nullopt;
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    n = n * 10 + (text[i] - '0');
    if (n > 100000000) return std::nullopt;
  }
  int64_t unit;
  switch (text.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60000; break;
    case 'h': unit = 3600000; break;
    case 'd': unit = 86400000; break;
    case 'w': unit = 7 * 86400000LL; break;
    default: return std::nullopt;
  }
  return now_ms - n * unit;
}

}  // namespace cloudward
