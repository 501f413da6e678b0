#include "config/secret.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace cloudward::config {

Secret Secret::Parse(std::string_view text) {
  Secret s;
  if (text.empty()) return s;
  if (text.starts_with("env:")) {
    s.source_ = Source::kEnv;
    s.ref_ = std::string(text.substr(4));
  } else if (text.starts_with("file:")) {
    s.source_ = Source::kFile;
    s.ref_ = std::string(text.substr(5));
  } else {
    s.source_ = Source::kLiteral;
    s.literal_ = std::string(text);
  }
  return s;
}

Result<std::string> Secret::Resolve() const {
  switch (source_) {
    case Source::kNone:
      return Fail(ErrorCode::kInvalidArgument, "no secret configured");
    case Source::kLiteral:
      return literal_;
    case Source::kEnv: {
      const char* v = std::getenv(ref_.c_str());
      if (v == nullptr) return Fail(ErrorCode::kNotFound, "environment variable " + ref_ + " is not set");
      if (*v == '\0') return Fail(ErrorCode::kInvalidArgument, "environment variable " + ref_ + " is empty");
      return std::string(v);
    }
    case Source::kFile: {
      std::ifstream in(ref_, std::ios::binary);
      if (!in) return Fail(ErrorCode::kNotFound, "cannot open secret file " + ref_);
      std::ostringstream buf;
      buf << in.rdbuf();
      if (in.bad()) return Fail(ErrorCode::kIo, "cannot read secret file " + ref_);
      std::string value = buf.str();
      if (!value.empty() && value.back() == '\n') value.pop_back();
      if (!value.empty() && value.back() == '\r') value.pop_back();
      if (value.empty()) return Fail(ErrorCode::kInvalidArgument, "secret file " + ref_ + " is empty");
      return value;
    }
  }
  return Fail(ErrorCode::kInternal, "bad secret source");
}

std::string Secret::ToString() const {
  switch (source_) {
    case Source::kNone: return "<none>";
    case Source::kLiteral: return "<literal>";
    case Source::kEnv: return "env:" + ref_;
    case Source::kFile: return "file:" + ref_;
  }
  return "<none>";
}

}  // namespace cloudward::config
