#include "ingest/s3_access_reader.h"

#include <array>

#include "core/event.h"
#include "core/time.h"
#include "ingest/text.h"

namespace cloudward::ingest {
namespace {

constexpr std::array<std::string_view, 26> kFields = {
    "bucketowner", "bucket", "time", "remoteip", "requester", "requestid", "operation", "key",
    "requesturi", "httpstatus", "errorcode", "bytessent", "objectsize", "totaltime",
    "turnaroundtime", "referrer", "useragent", "versionid", "hostid", "signatureversion",
    "ciphersuite", "authenticationtype", "hostheader", "tlsversion", "accesspointarn",
    "aclrequired"};

bool IsNumberField(size_t index) {
  return index == 9 || index == 11 || index == 12 || index == 13 || index == 14;
}

constexpr size_t kMaxFields = 40;

// Splits a line into fields (quotes and brackets removed). Returns the count, 0 on a syntax
// error (unclosed quote/bracket) or kMaxFields + 1 when there are too many.
size_t SplitFields(std::string_view line, std::array<std::string_view, kMaxFields>& out,
                   std::string* error) {
  size_t n = 0, i = 0;
  while (i < line.size()) {
    if (n == kMaxFields) return kMaxFields + 1;
    char c = line[i];
    size_t start, end, next;
    if (c == '"') {
      size_t j = i + 1;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      if (j >= line.size()) {
        *error = "unclosed quote at column " + std::to_string(i + 1);
        return 0;
      }
      start = i + 1;
      end = j;
      next = j + 1;
    } else if (c == '[') {
      size_t j = line.find(']', i);
      if (j == std::string_view::npos) {
        *error = "unclosed bracket at column " + std::to_string(i + 1);
        return 0;
      }
      start = i + 1;
      end = j;
      next = j + 1;
    } else {
      size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      start = i;
      end = j;
      next = j;
    }
    out[n++] = line.substr(start, end - start);
    if (next < line.size() && line[next] != ' ') {
      *error = "expected a space after field " + std::to_string(n);
      return 0;
    }
    i = next + 1;
  }
  return n;
}

bool IsHexId(std::string_view s) {
  if (s.size() < 16) return false;
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string_view TrimEnd(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

}  // namespace

std::optional<int64_t> S3AccessReader::ParseTime(std::string_view t) {
  // dd/Mon/yyyy:HH:MM:SS +hhmm
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() < 20 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' ||
      t[17] != ':') {
    return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len, int* out) {
    uint64_t v;
    if (!ParseUint(t.substr(pos, len), &v)) return false;
    *out = static_cast<int>(v);
    return true;
  };
  int day, year, hour, minute, second;
  if (!num(0, 2, &day) || !num(7, 4, &year) || !num(12, 2, &hour) || !num(15, 2, &minute) ||
      !num(18, 2, &second)) {
    return std::nullopt;
  }
  size_t m = kMonths.find(t.substr(3, 3));
  if (m == std::string_view::npos || m % 3 != 0 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t ms = (DaysFromCivil(year, static_cast<unsigned>(m / 3 + 1), static_cast<unsigned>(day)) *
                    86400 +
                hour * 3600 + minute * 60 + second) *
               1000;
  if (t.size() >= 26 && t[20] == ' ' && (t[21] == '+' || t[21] == '-')) {
    int oh, om;
    if (num(22, 2, &oh) && num(24, 2, &om)) {
      int64_t offset = (oh * 3600 + om * 60) * 1000;
      ms += t[21] == '+' ? -offset : offset;
    }
  }
  return ms;
}

bool S3AccessReader::LooksLikeS3Access(std::string_view line) {
  std::array<std::string_view, kMaxFields> f;
  std::string error;
  size_t n = SplitFields(TrimEnd(line), f, &error);
  if (n < 18 || n > kMaxFields) return false;
  return (IsHexId(f[0]) || f[0] == "-") && ParseTime(f[2]).has_value();
}

S3AccessReader::LineKind S3AccessReader::ParseLine(std::string_view line, std::string* json,
                                                   int64_t* time_ms, std::string* error) {
  line = TrimEnd(line);
  if (line.empty()) return LineKind::kSkip;
  std::array<std::string_view, kMaxFields> f;
  size_t n = SplitFields(line, f, error);
  if (n == 0) return LineKind::kMalformed;
  if (n > kMaxFields || n < 18) {
    *error = "S3 access log line has " + (n > kMaxFields ? std::string("too many") : std::to_string(n)) +
             " fields (expected 18 to 27)";
    return LineKind::kMalformed;
  }
  auto time = ParseTime(f[2]);
  if (!time) {
    *error = "S3 access log line has no valid [time] as third field";
    return LineKind::kMalformed;
  }
  *time_ms = *time;
  json->clear();
  json->push_back('{');
  bool first = true;
  for (size_t i = 0; i < n; ++i) {
    std::string_view v = f[i];
    if (v == "-" || (v.empty() && i != 7)) continue;
    if (!first) json->push_back(',');
    first = false;
    if (i < kFields.size()) {
      AppendJsonString(*json, kFields[i]);
    } else {
      AppendJsonString(*json, "field" + std::to_string(i + 1));
    }
    json->push_back(':');
    if (i == 2) {
      AppendJsonString(*json, FormatIsoTime(*time));
    } else if (IsNumberField(i) && IsJsonInteger(v)) {
      json->append(v);
    } else {
      AppendJsonString(*json, v);
    }
  }
  json->push_back('}');
  return LineKind::kRecord;
}

}  // namespace cloudward::ingest
