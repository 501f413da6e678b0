// A secret value named in the configuration: `env:NAME` (an environment variable), `file:/path`
// (the file's contents, one trailing newline dropped) or a literal. Resolution is lazy, at the
// moment of use, so a config can be checked without the secrets present; ToString() never shows
// the value.
//
//   config::Secret key = config::Secret::Parse("env:CW_HMAC_KEY");
//   Result<std::string> value = key.Resolve();   // kNotFound if the variable is unset
//   log(key.ToString());                          // "env:CW_HMAC_KEY", never the value
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace cloudward::config {

class Secret {
 public:
  enum class Source : unsigned char { kNone, kLiteral, kEnv, kFile };

  Secret() = default;
  // "env:NAME" -> kEnv, "file:PATH" -> kFile, "" -> kNone, anything else -> kLiteral.
  static Secret Parse(std::string_view text);

  Source source() const { return source_; }
  bool empty() const { return source_ == Source::kNone; }
  const std::string& reference() const { return ref_; }  // variable name or path; "" for literals

  // The value. Errors: kNotFound (unset variable, missing file), kIo, kInvalidArgument (empty).
  Result<std::string> Resolve() const;

  // "env:NAME", "file:/path", "<literal>" or "<none>": safe to print.
  std::string ToString() const;

 private:
  Source source_ = Source::kNone;
  std::string ref_;
  std::string literal_;
};

}  // namespace cloudward::config
