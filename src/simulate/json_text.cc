#include "simulate/json_text.h"

namespace cloudward::simulate {
namespace {

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void FormatDateTime19(int64_t ms, char* buf) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  unsigned sod = static_cast<unsigned>(secs - days * 86400);
  // Civil from days (Howard Hinnant's algorithm).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  const unsigned year = static_cast<unsigned>(y);
  Put2(buf, year / 100 % 100);
  Put2(buf + 2, year % 100);
  buf[4] = '-';
  Put2(buf + 5, m);
  buf[7] = '-';
  Put2(buf + 8, d);
  buf[10] = 'T';
  Put2(buf + 11, sod / 3600);
  buf[13] = ':';
  Put2(buf + 14, sod / 60 % 60);
  buf[16] = ':';
  Put2(buf + 17, sod % 60);
}

void JsonText::AppendTime(int64_t ms, bool fraction, bool quote) {
  char buf[32];
  FormatDateTime19(ms, buf);
  size_t n = 19;
  if (fraction) {
    const unsigned frac = static_cast<unsigned>(((ms % 1000) + 1000) % 1000);
    buf[n++] = '.';
    buf[n++] = static_cast<char>('0' + frac / 100);
    buf[n++] = static_cast<char>('0' + frac / 10 % 10);
    buf[n++] = static_cast<char>('0' + frac % 10);
  }
  buf[n++] = 'Z';
  if (quote) out_.push_back('"');
  out_.append(buf, n);
  if (quote) out_.push_back('"');
}

}  // namespace cloudward::simulate
