// The IncidentStore suite (src/store/incident_store_suite.cc) against a real PostgreSQL server
// that this test starts itself: initdb into a temporary directory (as the `postgres` system user
// when running as root, since PostgreSQL refuses to run as root), pg_ctl start on a free port with
// the unix socket in that directory and no TCP listener, one fresh database per test, pg_ctl
// stop at the end. Skips, saying why, when the PostgreSQL server binaries are not installed.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "analyze/record_findings.h"
#include "store/incident_store.h"
#include "store/incident_store_suite.h"

namespace cloudward::store::testing {
namespace {

namespace fs = std::filesystem;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 54329;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

class PostgresServer : public ::testing::Environment {
 public:
  void SetUp() override {
    fs::path bin;
    for (const char* candidate : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin",
                                  "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin"}) {
      if (fs::exists(fs::path(candidate) / "initdb") && fs::exists(fs::path(candidate) / "pg_ctl")) {
        bin = candidate;
        break;
      }
    }
    if (bin.empty()) {
      skip_ = "PostgreSQL server binaries not found (/usr/lib/postgresql/<v>/bin/initdb); "
              "install postgresql to run this test";
      return;
    }
    std::string tmpl = (fs::temp_directory_path() / "cw_pg_test.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      skip_ = "cannot create a temporary directory";
      return;
    }
    dir_ = tmpl;
    std::string as;  // command prefix
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr) {
        skip_ = "running as root and there is no 'postgres' system user to run the server as";
        return;
      }
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        skip_ = "cannot hand " + dir_.string() + " to the postgres user";
        return;
      }
      as = "runuser -u postgres -- ";
    }
    port_ = FreePort();
    const std::string data = (dir_ / "data").string();
    const std::string log = (dir_ / "server.log").string();
    const std::string initdb = as + (bin / "initdb").string() + " -D " + data +
                               " -U postgres --auth=trust -E UTF8 --no-sync > " + (dir_ / "initdb.log").string() +
                               " 2>&1";
    if (std::system(initdb.c_str()) != 0) {
      skip_ = "initdb failed, see " + (dir_ / "initdb.log").string();
      failed_ = true;
      return;
    }
    ctl_ = as + (bin / "pg_ctl").string() + " -D " + data;
    const std::string start = ctl_ + " -l " + log + " -w -t 60 -o \"-p " + std::to_string(port_) + " -k " +
                              dir_.string() + " -c listen_addresses='' -c fsync=off\" start > /dev/null 2>&1";
    if (std::system(start.c_str()) != 0) {
      skip_ = "pg_ctl start failed, see " + log;
      failed_ = true;
      return;
    }
    running_ = true;
  }

  void TearDown() override {
    if (running_) {
      (void)std::system((ctl_ + " -m fast -w stop > /dev/null 2>&1").c_str());
    }
    if (!dir_.empty() && !failed_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  std::string Url(const std::string& database) const {
    return "postgresql:///" + database + "?host=" + dir_.string() + "&port=" + std::to_string(port_) +
           "&user=postgres";
  }

  // A new empty database; "" with *why set if the server is not running.
  std::string NewDatabase(std::string* why) {
    if (!running_) {
      *why = skip_;
      return "";
    }
    const std::string name = "cwtest_" + std::to_string(next_++);
    PGconn* conn = PQconnectdb(Url("postgres").c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
      error = PQerrorMessage(conn);
    } else {
      PGresult* res = PQexec(conn, ("CREATE DATABASE " + name).c_str());
      if (PQresultStatus(res) != PGRES_COMMAND_OK) error = PQresultErrorMessage(res);
      PQclear(res);
    }
    PQfinish(conn);
    if (!error.empty()) {
      ADD_FAILURE() << "cannot create database " << name << ": " << error;
      *why = error;
      return "";
    }
    return Url(name);
  }

  bool failed_ = false;

 private:
  std::string skip_;
  fs::path dir_;
  std::string ctl_;
  int port_ = 0;
  bool running_ = false;
  std::atomic<int> next_{0};
};

PostgresServer* const kServer = [] {
  auto* server = new PostgresServer;
  ::testing::AddGlobalTestEnvironment(server);
  return server;
}();

TEST(PostgresStore, ServerStarted) {
  std::string why;
  if (kServer->failed_) FAIL() << "PostgreSQL is installed but could not be started";
  std::string url = kServer->NewDatabase(&why);
  if (url.empty()) GTEST_SKIP() << why;
  auto store = OpenStore(url);
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_EQ((*store)->Backend(), "postgresql");
}

TEST(PostgresStore, RecordFindingsIsIdempotent) {
  std::string why;
  std::string url = kServer->NewDatabase(&why);
  if (url.empty()) GTEST_SKIP() << why;
  auto store = OpenStore(url);
  ASSERT_TRUE(store) << store.error().ToString();
  std::vector<Finding> findings;
  for (int i = 0; i < 30; ++i) findings.push_back(SampleFinding(i));
  auto first = analyze::RecordFindings(**store, findings);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->findings_added, 30u);
  EXPECT_GE(first->incidents_created, 1u);
  auto second = analyze::RecordFindings(**store, findings);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->findings_added, 0u);
  EXPECT_EQ(second->findings_duplicate, 30u);
  EXPECT_EQ(second->incidents_created + second->incidents_updated, 0u);
  int64_t total = 0;
  auto open = (*store)->ListIncidents({.open_only = true});
  ASSERT_TRUE(open) << open.error().ToString();
  for (const auto& inc : *open) total += inc.finding_count;
  EXPECT_EQ(total, 30);
}

}  // namespace

std::string NewStoreUrl(std::string* skip_reason) { return kServer->NewDatabase(skip_reason); }

}  // namespace cloudward::store::testing
