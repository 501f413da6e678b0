// Fuzzes the AWS error-response parsers (XML query/EC2/S3 shapes, JSON, header codes) and the
// shared-config parser with untrusted bytes.
// Input: byte 0 picks the HTTP status (400 + b % 200), the rest is the body (and, split at the
// first NUL, also a profile file).
// Properties checked:
//  - ParseErrorResponse never fails to produce a code, and its ErrorCode agrees with
//    MapAwsErrorCode(aws_code, status);
//  - round trip: a code made of the input's [A-Za-z0-9.] bytes, written into each protocol's
//    error shape, is parsed back exactly, with the message and request id;
//  - ParseProfileFile stores only lower-case keys and reports problems with in-range lines;
//  - DecodeQuery(EncodeQuery(pairs)) == pairs.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/profile_file.h"
#include "aws/url.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cloudward::aws;
  if (size == 0) return 0;
  const int status = 400 + data[0] % 200;
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);

  AwsError e = ParseErrorResponse(HttpResponse{status, {{"x-amzn-ErrorType", body.substr(0, 40)}}, body});
  Check(!e.aws_code.empty());
  Check(e.http_status == status);
  Check(e.code == MapAwsErrorCode(e.aws_code, status));
  Check(!e.Describe().empty());

  // Round trip through every error shape.
  std::string code;
  for (char c : body) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') code.push_back(c);
  }
  if (code.empty()) code = "X";
  std::string message = body.substr(0, 64);
  std::erase(message, '\0');  // a NUL ends an XML document; the round trip is about well-formed ones
  bool message_is_utf8 = nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::ignore) ==
                         nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string m = XmlEscape(message);
  const std::string shapes[] = {
      "<Response><Errors><Error><Code>" + code + "</Code><Message>" + m + "</Message></Error></Errors><RequestID>rid</RequestID></Response>",
      "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + m + "</Message></Error><RequestId>rid</RequestId></ErrorResponse>",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + m + "</Message><RequestId>rid</RequestId></Error>",
  };
  for (const auto& shape : shapes) {
    AwsError r = ParseErrorResponse(HttpResponse{status, {}, shape});
    Check(r.aws_code == code);
    Check(r.request_id == "rid");
    // pugixml folds CR and drops whitespace-only text; otherwise the text survives.
    bool plain = message.find('\r') == std::string::npos && message.find_first_not_of(" \t\n") != std::string::npos;
    if (plain) Check(r.message == message);
  }
  if (message_is_utf8) {
    nlohmann::json j = {{"__type", "com.amazonaws.svc#" + code}, {"message", message}};
    AwsError r = ParseErrorResponse(HttpResponse{status, {{"x-amzn-RequestId", "jr"}}, j.dump()});
    Check(r.aws_code == code);
    Check(r.message == message);
    Check(r.request_id == "jr");
  }

  // Profile files.
  std::string_view profile_text(body);
  if (size_t nul = profile_text.find('\0'); nul != std::string_view::npos) profile_text = profile_text.substr(0, nul);
  int lines = 1;
  for (char c : profile_text) lines += c == '\n';
  for (auto kind : {ProfileFileKind::kConfig, ProfileFileKind::kCredentials}) {
    ProfileFile f = ParseProfileFile(profile_text, kind, "fuzz");
    for (const auto& [name, profile] : f.profiles) {
      for (const auto& [key, value] : profile) {
        for (char c : key) Check(!(c >= 'A' && c <= 'Z'));
      }
    }
    for (const auto& p : f.problems) Check(p.line >= 1 && p.line <= lines);
  }

  // Query encoding round trip.
  QueryParams pairs = {{body.substr(0, body.size() / 2), body.substr(body.size() / 2)}, {"k", ""}};
  if (!pairs[0].first.empty()) Check(DecodeQuery(EncodeQuery(pairs)) == pairs);
  return 0;
}
