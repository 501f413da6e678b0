// The HTTP(S) front of the daemon: cpp-httplib (Debian's libcpp-httplib, built with OpenSSL)
// carrying every request to serve::Api. TLS when a certificate and key are given.
//
//   auto server = serve::HttpServer::Start(api, {.listen = "127.0.0.1:8080"});
//   if (!server) return Fail(server.error());
//   ... (*server)->port() ...
//   (*server)->Stop();   // stops accepting, lets in-flight requests finish
//
// Owns its listening thread and httplib's worker pool. Start/Stop from one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "core/result.h"
#include "serve/api.h"

namespace httplib {
class Server;
}

namespace cloudward::serve {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT or [IPv6]:PORT; port 0 picks a free one
  std::string tls_cert;                   // PEM files; both or neither
  std::string tls_key;
  size_t max_body_bytes = size_t{64} << 20;
};

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}; "[::1]:80" -> {"::1", 80}; ":8080" -> {"0.0.0.0", 8080}.
Result<std::pair<std::string, int>> ParseListenAddress(std::string_view listen);

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(Api& api, const HttpServerOptions& options);
  ~HttpServer();

  int port() const { return port_; }
  bool tls() const { return tls_; }
  void Stop();

 private:
  HttpServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace cloudward::serve
