// A moto server for one test suite: `$CW_PYTHON -m moto.server -H 127.0.0.1 -p <free port>`
// (CW_PYTHON defaults to python3), started by Start() and killed by Stop(). When Python, moto or
// boto3 is missing, Start() returns the reason to skip with instead.
//
//   static MotoServer moto;
//   if (auto why = moto.Start(); !why.empty()) GTEST_SKIP() << why;
//   std::string out = moto.Boto3("print(boto3.client('iam').list_users())");
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>

#include "aws/curl_transport.h"

namespace cloudward::testing {

class MotoServer {
 public:
  ~MotoServer() { Stop(); }

  static std::string Python() {
    const char* p = std::getenv("CW_PYTHON");
    return p && *p ? p : "python3";
  }

  // Runs a shell command; returns its stdout and stderr (trailing newlines stripped) and status.
  static std::pair<std::string, int> Shell(const std::string& command) {
    std::string out;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return {"", -1};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
    int status = pclose(pipe);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
  }

  // "" when the server answers; otherwise why it could not start.
  std::string Start() {
    auto [out, status] = Shell(Python() + " -c 'import moto, boto3'");
    if (status != 0) return "moto/boto3 not importable with " + Python() + " (set CW_PYTHON): " + out;
    int port = FreePort();
    if (!port) return "no free loopback port";
    std::string port_text = std::to_string(port);
    std::string log = "/tmp/cw_moto_" + port_text + ".log";
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      if (std::freopen(log.c_str(), "w", stdout)) std::freopen(log.c_str(), "a", stderr);
      std::string py = Python();
      execlp(py.c_str(), py.c_str(), "-m", "moto.server", "-H", "127.0.0.1", "-p", port_text.c_str(), nullptr);
      _exit(127);
    }
    endpoint_ = "http://127.0.0.1:" + port_text;
    aws::CurlTransport probe(aws::CurlTransport::Options{.timeout_ms = 1000, .connect_timeout_ms = 500});
    for (int i = 0; i < 150; ++i) {
      auto r = probe.Send({.method = "GET", .url = endpoint_ + "/moto-api/"});
      if (r && r->status < 500) return "";
      int wstatus = 0;
      if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
        pid_ = -1;
        return "moto server exited early; see " + log;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "moto server did not answer within 30 s; see " + log;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  const std::string& endpoint() const { return endpoint_; }

  // Runs a boto3 snippet (``import boto3`` is prepended) against this server; returns its output.
  std::string Boto3(const std::string& code) const {
    std::string cmd = "AWS_ENDPOINT_URL=" + endpoint_ +
                      " AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 " +
                      Python() + " -c \"import boto3, json\n" + code + "\"";
    return Shell(cmd).first;
  }

 private:
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd);
      return 0;
    }
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  std::string endpoint_;
  pid_t pid_ = -1;
};

}  // namespace cloudward::testing
