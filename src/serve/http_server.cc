#include "serve/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>

namespace cloudward::serve {

namespace {

// A host name or IPv4 address: letters, digits, '.', '-' (no ':', which needs brackets).
bool ValidHostName(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

// An IPv6 address inside brackets: hex digits, ':' and '.' (an embedded IPv4 address).
bool ValidIpv6(std::string_view host) {
  return host.find(':') != std::string_view::npos && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
  });
}

}  // namespace

Result<std::pair<std::string, int>> ParseListenAddress(std::string_view listen) {
  const std::string quoted = "'" + std::string(listen) + "'";
  std::string host;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return Fail(ErrorCode::kInvalidArgument, "listen: expected [IPv6]:PORT, got " + quoted);
    }
    host = std::string(listen.substr(1, close - 1));
    port = listen.substr(close + 2);
    if (!ValidIpv6(host)) return Fail(ErrorCode::kInvalidArgument, "listen: bad IPv6 address in " + quoted);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument, "listen: expected HOST:PORT, got " + quoted);
    }
    host = std::string(listen.substr(0, colon));
    port = listen.substr(colon + 1);
    if (host.empty()) host = "0.0.0.0";
    if (host.find(':') != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "listen: write an IPv6 address in brackets ([::1]:8080), got " + quoted);
    }
    if (!ValidHostName(host)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "listen: bad host in " + quoted + " (a host name, IPv4 or [IPv6] address)");
    }
  }
  int n = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n < 0 || n > 65535) {
    return Fail(ErrorCode::kInvalidArgument, "listen: bad port in " + quoted + " (0 to 65535)");
  }
  return std::pair{host, n};
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Api& api, const HttpServerOptions& options) {
  auto address = ParseListenAddress(options.listen);
  if (!address) return tl::unexpected(address.error());
  std::unique_ptr<HttpServer> self(new HttpServer());
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    for (const auto& [what, path] : {std::pair{"certificate", &options.tls_cert}, std::pair{"key", &options.tls_key}}) {
      if (path->empty()) {
        return Fail(ErrorCode::kInvalidArgument,
                    std::string("TLS needs both a certificate and a key; the ") + what + " is missing");
      }
      std::error_code ec;
      if (!std::filesystem::is_regular_file(*path, ec)) {
        return Fail(ErrorCode::kInvalidArgument, std::string("TLS ") + what + " " + *path + ": no such file");
      }
      if (!std::ifstream(*path).good()) {
        return Fail(ErrorCode::kInvalidArgument, std::string("TLS ") + what + " " + *path + ": cannot be read");
      }
    }
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Fail(ErrorCode::kInvalidArgument, "cannot load the TLS certificate " + options.tls_cert + " and key " +
                                                   options.tls_key +
                                                   " (PEM files, and the key must match the certificate)");
    }
    self->server_ = std::move(ssl);
    self->tls_ = true;
  } else {
    self->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *self->server_;
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(30, 0);
  auto handler = [&api](const httplib::Request& req, httplib::Response& res) {
    ApiRequest request;
    request.method = req.method;
    request.path = req.path;
    for (const auto& [k, v] : req.params) request.query.emplace(k, v);
    request.authorization = req.get_header_value("Authorization");
    request.body = req.body;
    ApiResponse response = api.Handle(request);
    res.status = response.status;
    for (const auto& [k, v] : response.headers) res.set_header(k.c_str(), v);
    res.set_content(std::move(response.body), response.content_type.c_str());
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Patch(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("{\"error\":\"internal error\",\"code\":\"internal\"}\n", "application/json");
  });
  const auto& [host, port] = *address;
  if (port == 0) {
    self->port_ = server.bind_to_any_port(host);
    if (self->port_ <= 0) return Fail(ErrorCode::kUnavailable, "cannot listen on " + host);
  } else {
    if (!server.bind_to_port(host, port)) {
      return Fail(ErrorCode::kUnavailable, "cannot listen on " + options.listen + " (in use, or not a local address)");
    }
    self->port_ = port;
  }
  self->thread_ = std::thread([&server] {
    try {
      server.listen_after_bind();
    } catch (...) {
    }
  });
  return self;
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace cloudward::serve
