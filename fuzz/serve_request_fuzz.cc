// Fuzzes the daemon's HTTP request handling below the socket: routing, token authentication (the
// Authorization header), role checks, query parameters and JSON bodies of every route of
// serve::Api (docs/openapi.yaml), against a store holding one incident.
// Input, split at the first four '\n':
//   METHOD \n PATH \n QUERY (k=v&k=v) \n AUTHORIZATION \n BODY...
// "{incident}" in PATH or BODY is replaced by the stored incident's id, so that the fuzzer reaches
// the handlers behind a valid id.
// Properties checked:
//  - never crashes; no 500; JSON responses parse, and error responses carry error and code;
//  - nothing but /api/v1/health, the console and the root redirect answers 2xx without a valid
//    token; a viewer token never changes anything (no 2xx for a write method, the incident keeps
//    its version);
//  - every response has the nosniff header.
#include <cstdint>
#include <string>
#include <string_view>

#include "serve_fuzz_common.h"

namespace {

using namespace cloudward::serve::fuzzing;
using nlohmann::json;

std::string_view NextLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

std::string Replace(std::string text, std::string_view from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The one incident: an IAM user created by a key from a Tor exit (the bundled pack flags it).
std::string SeedRecord() {
  return json{{"eventVersion", "1.09"}, {"eventTime", "2026-11-20T09:00:00Z"}, {"eventSource", "iam.amazonaws.com"},
              {"eventName", "CreateUser"}, {"awsRegion", "us-east-1"}, {"sourceIPAddress", "185.220.101.47"},
              {"userAgent", "aws-cli/2.15.30"}, {"eventID", "seed-1"}, {"eventType", "AwsApiCall"},
              {"recipientAccountId", "123456789012"}, {"requestParameters", {{"userName", "backup-admin"}}},
              {"userIdentity", {{"type", "IAMUser"}, {"arn", "arn:aws:iam::123456789012:user/svc-backup"},
                                {"accountId", "123456789012"}, {"accessKeyId", "AKIAEXAMPLEKEY000001"},
                                {"userName", "svc-backup"}}}}
      .dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 16)) return 0;
  Daemon daemon;
  const auto seeded = daemon.Call("POST", "/api/v1/events", "Bearer tok-ops", SeedRecord());
  const json seed = json::parse(seeded.body, nullptr, false);
  Check(seeded.status == 200 && seed["incidents"].size() == 1, "the seed record makes one incident");
  const std::string incident = seed["incidents"][0];
  const int64_t version_before = daemon.store().GetIncident(incident)->version;

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string method(NextLine(rest));
  const std::string path = Replace(std::string(NextLine(rest)), "{incident}", incident);
  const std::string_view query_text = NextLine(rest);
  const std::string authorization(NextLine(rest));
  const std::string body = Replace(std::string(rest), "{incident}", incident);
  std::map<std::string, std::string> query;
  for (std::string_view q = query_text; !q.empty();) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    query.emplace(std::string(pair.substr(0, eq)),
                  eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
  }

  const auto r = daemon.Call(method, path, authorization, body, query);
  CheckResponseShape(r);

  const bool ok = r.status >= 200 && r.status < 300;
  const size_t first = path.find_first_not_of('/');
  const std::string_view first_segment =
      first == std::string::npos ? std::string_view()
                                 : std::string_view(path).substr(first, path.find('/', first) - first);
  const bool open_route =
      first_segment.empty() || first_segment == "console" || path.find("health") != std::string::npos;
  // Whatever the header's spelling, a caller is authenticated only by a configured token in it.
  auto carries = [&](const char* token) { return authorization.find(token) != std::string::npos; };
  const bool writer_token = carries("tok-ops") || carries("tok-root");
  if (ok && !open_route) {
    Check(writer_token || carries("tok-viewer"), "no success without a valid token outside health and the console");
  }
  const bool read_method = method == "GET" || method == "HEAD";
  if (!writer_token) {
    if (!read_method) Check(!ok, "a viewer or anonymous caller changes nothing");
    auto after = daemon.store().GetIncident(incident);
    Check(after.has_value() && after->version == version_before, "the incident is unchanged");
  }
  return 0;
}
