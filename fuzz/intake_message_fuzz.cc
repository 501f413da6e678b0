// Fuzzes the daemon's SQS message-body parser (serve::ParseIntakeMessage: SNS envelopes, S3 event
// notifications, EventBridge S3 events, test events) and S3 key decoding (serve::DecodeS3Key).
// Input: the message body.
// Properties checked:
//  - never crashes or throws; parsing is deterministic;
//  - a test event names nothing to read; every object has a bucket and a key;
//  - a body that is not a JSON object is the payload, unchanged; a payload is either the body or,
//    for an SNS notification, the (recursively unwrapped) Message string;
//  - round trips: the input's bytes as an S3 key, form-encoded, decode to themselves, and, put in
//    an S3 event notification (inside SNS envelopes up to kMaxSnsDepth), come back as the object;
//  - one envelope more than kMaxSnsDepth is skipped with a problem, never read as log bytes.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "serve/intake.h"

namespace {

using cloudward::serve::DecodeS3Key;
using cloudward::serve::IntakeMessage;
using cloudward::serve::kMaxSnsDepth;
using cloudward::serve::ParseIntakeMessage;
using nlohmann::json;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

// application/x-www-form-urlencoded, as S3 writes keys into event notifications.
std::string FormEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

json Sns(const std::string& message) {
  return {{"Type", "Notification"}, {"MessageId", "m-1"}, {"TopicArn", "arn:aws:sns:us-east-1:111122223333:t"},
          {"Message", message}};
}

// Whether `payload` is `body` or what SNS envelopes around it carry.
bool PayloadComesFrom(const std::string& payload, std::string_view body, int depth) {
  if (payload == body) return true;
  if (depth > kMaxSnsDepth) return false;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("Message") || !j["Message"].is_string()) return false;
  return PayloadComesFrom(payload, j["Message"].get_ref<const std::string&>(), depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const IntakeMessage m = ParseIntakeMessage(body);
  const IntakeMessage again = ParseIntakeMessage(body);
  Check(m.payload == again.payload && m.objects == again.objects && m.test_event == again.test_event &&
            m.problems == again.problems,
        "deterministic");
  if (m.test_event) Check(m.payload.empty() && m.objects.empty(), "a test event names nothing to read");
  for (const auto& o : m.objects) Check(!o.bucket.empty() && !o.key.empty(), "objects have a bucket and a key");
  for (const auto& p : m.problems) Check(!p.empty(), "problems say why");
  if (!m.payload.empty()) Check(PayloadComesFrom(m.payload, body, 0), "payload is the body or an SNS Message");
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    Check(m.payload == body && m.objects.empty() && !m.test_event, "a non-object body is read as it is");
  }

  // S3 keys: decoding never grows; form-encoding then decoding is the identity.
  Check(DecodeS3Key(body).size() <= body.size(), "decoding does not grow a key");
  Check(DecodeS3Key(FormEncode(body)) == body, "DecodeS3Key(FormEncode(k)) == k");

  // An S3 notification for key = the input, wrapped in 0..kMaxSnsDepth SNS envelopes.
  if (!body.empty()) {
    json notification = {{"Records", json::array({{{"eventVersion", "2.1"},
                                                   {"eventSource", "aws:s3"},
                                                   {"eventName", "ObjectCreated:Put"},
                                                   {"s3", {{"bucket", {{"name", "logs-bucket"}}},
                                                           {"object", {{"key", FormEncode(body)}}}}}}})}};
    std::string text = notification.dump(-1, ' ', false, json::error_handler_t::replace);
    for (int depth = 0; depth <= kMaxSnsDepth + 1; ++depth) {
      const IntakeMessage s3 = ParseIntakeMessage(text);
      if (depth <= kMaxSnsDepth) {
        Check(s3.objects.size() == 1 && s3.payload.empty() && s3.problems.empty(), "S3 notification read");
        Check(s3.objects[0].bucket == "logs-bucket", "bucket kept");
        Check(s3.objects[0].key == body, "key decoded to the original bytes");
      } else {
        Check(s3.objects.empty() && s3.payload.empty() && s3.problems.size() == 1, "too deep: skipped with a problem");
      }
      text = Sns(text).dump();
    }
  }
  return 0;
}
