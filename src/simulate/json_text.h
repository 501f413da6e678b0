// Appending JSON text to a reusable std::string without per-value allocations. The simulator
// writes every record through these helpers; the buffer's capacity is kept between records.
//
//   std::string out;
//   JsonText j(out);
//   j.Raw("{\"eventName\":"); j.Str(name); j.Raw(",\"count\":"); j.Int(n); j.Raw("}");
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace cloudward::simulate {

class JsonText {
 public:
  explicit JsonText(std::string& out) : out_(out) {}

  void Raw(std::string_view s) { out_.append(s); }
  void Char(char c) { out_.push_back(c); }

  // A quoted, escaped JSON string.
  void Str(std::string_view s) {
    out_.push_back('"');
    AppendEscaped(s);
    out_.push_back('"');
  }
  // `"key":"value"` preceded by a comma when `comma`.
  void Field(std::string_view key, std::string_view value, bool comma = true) {
    if (comma) out_.push_back(',');
    out_.push_back('"');
    out_.append(key);
    out_.append("\":\"");
    AppendEscaped(value);
    out_.push_back('"');
  }
  void Int(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  void Bool(bool v) { out_.append(v ? "true" : "false"); }

  // "2024-01-02T03:04:05Z" (CloudTrail eventTime), quoted when `quote`.
  void Time(int64_t ms, bool quote = true) { AppendTime(ms, /*fraction=*/false, quote); }
  // "2024-01-02T03:04:05.123Z" (GuardDuty timestamps).
  void TimeMs(int64_t ms, bool quote = true) { AppendTime(ms, /*fraction=*/true, quote); }

  void AppendEscaped(std::string_view s) {
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && c != '"' && c != '\\') {
        out_.push_back(c);
      } else if (c == '"' || c == '\\') {
        out_.push_back('\\');
        out_.push_back(c);
      } else {
        static constexpr char kHex[] = "0123456789abcdef";
        out_.append("\\u00");
        out_.push_back(kHex[u >> 4]);
        out_.push_back(kHex[u & 15]);
      }
    }
  }

  std::string& out() { return out_; }

 private:
  void AppendTime(int64_t ms, bool fraction, bool quote);

  std::string& out_;
};

// Writes "YYYY-MM-DDTHH:MM:SS" for `ms` into buf[0..19).
void FormatDateTime19(int64_t ms, char* buf);

}  // namespace cloudward::simulate
