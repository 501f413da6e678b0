// The listen address grammar and the HTTP server's refusals of unusable settings.
#include "serve/http_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cloudward::serve {
namespace {

TEST(ParseListenAddress, HostPortIpv6AndDefaults) {
  EXPECT_EQ(*ParseListenAddress("127.0.0.1:8080"), (std::pair<std::string, int>{"127.0.0.1", 8080}));
  EXPECT_EQ(*ParseListenAddress("[::1]:443"), (std::pair<std::string, int>{"::1", 443}));
  EXPECT_EQ(*ParseListenAddress("[::ffff:10.0.0.1]:0"), (std::pair<std::string, int>{"::ffff:10.0.0.1", 0}));
  EXPECT_EQ(*ParseListenAddress(":9090"), (std::pair<std::string, int>{"0.0.0.0", 9090}));
  EXPECT_EQ(*ParseListenAddress("cloudward-1.internal:65535"),
            (std::pair<std::string, int>{"cloudward-1.internal", 65535}));
}

TEST(ParseListenAddress, RefusesWithTheAddressAndTheReason) {
  struct Case {
    const char* listen;
    const char* reason;
  } cases[] = {
      {"8080", "expected HOST:PORT"},
      {"localhost:99999", "bad port"},
      {"localhost:", "bad port"},
      {"localhost:80x", "bad port"},
      {"localhost:-1", "bad port"},
      {"::1:8080", "IPv6 address in brackets"},
      {"[::1]", "expected [IPv6]:PORT"},
      {"[::1]8080", "expected [IPv6]:PORT"},
      {"[]:80", "bad IPv6 address"},
      {"[not-an-ip]:80", "bad IPv6 address"},
      {"\x14\x14[::1]:0", "IPv6 address in brackets"},
      {"host name:80", "bad host"},
      {"evil\n.example:80", "bad host"},
  };
  for (const Case& c : cases) {
    auto r = ParseListenAddress(c.listen);
    ASSERT_FALSE(r) << c.listen;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(c.reason), std::string::npos) << c.listen << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(std::string("'") + c.listen + "'"), std::string::npos) << r.error().message;
  }
}

TEST(HttpServer, UnusableTlsFilesAreRefusedByName) {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "cw_http_server_test";
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::ofstream(cert) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  std::ofstream(key) << "not a key\n";
  Api api(ApiOptions{});
  auto server = HttpServer::Start(api, {.listen = "127.0.0.1:0", .tls_cert = cert, .tls_key = key});
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(server.error().message.find(cert), std::string::npos) << server.error().message;
  EXPECT_NE(server.error().message.find(key), std::string::npos) << server.error().message;

  const std::string none = (dir / "none.pem").string();
  auto missing = HttpServer::Start(api, {.listen = "127.0.0.1:0", .tls_cert = none, .tls_key = key});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message, "TLS certificate " + none + ": no such file");
  auto half = HttpServer::Start(api, {.listen = "127.0.0.1:0", .tls_cert = cert});
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("the key is missing"), std::string::npos) << half.error().message;

  auto bad_listen = HttpServer::Start(api, {.listen = "::1:80"});
  ASSERT_FALSE(bad_listen);
  EXPECT_EQ(bad_listen.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cloudward::serve
