// SQLite backend: the shared suite (incident_store_suite.cc) plus what only a file can show:
// corrupt files, old schemas, readers during a write, the journal's append-only trigger.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/incident_store.h"
#include "store/incident_store_suite.h"
#include "store/sql_database.h"

namespace cloudward::store::testing {
namespace {

const std::filesystem::path& TempRoot() {
  static const std::filesystem::path root = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cw_store_test.XXXXXX").string();
    char* dir = mkdtemp(tmpl.data());
    return std::filesystem::path(dir != nullptr ? dir : "/tmp");
  }();
  return root;
}

struct CleanUp : ::testing::Environment {
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(TempRoot(), ec);
  }
};
[[maybe_unused]] auto* const kCleanUp = ::testing::AddGlobalTestEnvironment(new CleanUp);

std::string NewPath() {
  static std::atomic<int> n{0};
  return (TempRoot() / ("store" + std::to_string(n++)) / "cloudward.db").string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Status RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return Fail(ErrorCode::kInternal, text);
  return Ok();
}

TEST(SqliteStore, CorruptFileIsAnErrorAndLeftUntouched) {
  const std::string path = NewPath();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::string garbage(8192, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) % 251);
  std::ofstream(path, std::ios::binary) << garbage;
  auto store = OpenStore("sqlite://" + path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kMalformed);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_EQ(ReadAll(path), garbage) << "never overwrite a file we cannot read";
}

TEST(SqliteStore, MigratesVersionOneStoreKeepingData) {
  const std::string path = NewPath();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ASSERT_TRUE(RawExec(path, std::string(internal::kMigrationTable) + ";" +
                                internal::MigrationScript(internal::SqlDialect::kSqlite, 1) +
                                "INSERT INTO schema_migrations VALUES (1, 0);"
                                "INSERT INTO incidents (id, title, severity, status, detail, created_ms, "
                                "updated_ms) VALUES ('INC-old', 'Old incident', 'high', 'triaged', "
                                "'{\"actors\":[\"arn:aws:iam::1:user/a\"]}', 1, 1);"));
  auto store = OpenStore(path);  // bare path form
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_EQ(*(*store)->SchemaVersion(), kSchemaVersion);
  auto old = (*store)->GetIncident("INC-old");
  ASSERT_TRUE(old) << old.error().ToString();
  EXPECT_EQ(old->title, "Old incident");
  EXPECT_EQ(old->status, IncidentStatus::kTriaged);
  EXPECT_EQ(old->actors, std::vector<std::string>{"arn:aws:iam::1:user/a"});
  // Version 2 added actions.
  ResponseAction a{.id = "act-1", .incident_id = "INC-old", .kind = "tag", .target = "i-1"};
  EXPECT_TRUE((*store)->CreateAction(a));
}

TEST(SqliteStore, NewerSchemaIsRefused) {
  const std::string path = NewPath();
  ASSERT_TRUE(OpenStore(path));
  ASSERT_TRUE(RawExec(path, "INSERT INTO schema_migrations VALUES (99, 0)"));
  auto store = OpenStore(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(store.error().message.find("99"), std::string::npos);
}

TEST(SqliteStore, ReadersProceedWhileAHuntWrites) {
  const std::string path = NewPath();
  auto writer = OpenStore(path);
  auto reader = OpenStore(path);
  ASSERT_TRUE(writer && reader);
  Incident before{.id = "INC-before", .title = "t"};
  ASSERT_TRUE((*writer)->CreateIncident(before));
  bool read_ok = false;
  size_t seen = 0;
  auto st = (*writer)->Transaction([&]() -> Status {
    Incident during{.id = "INC-during", .title = "t"};
    if (auto c = (*writer)->CreateIncident(during); !c) return c;
    auto list = (*reader)->ListIncidents({});  // another connection, while the write is open
    read_ok = list.has_value();
    if (list) seen = list->size();
    return Ok();
  });
  ASSERT_TRUE(st) << st.error().ToString();
  EXPECT_TRUE(read_ok);
  EXPECT_EQ(seen, 1u) << "readers see the last committed state";
  EXPECT_EQ((*reader)->ListIncidents({})->size(), 2u);
}

TEST(SqliteStore, JournalIsAppendOnly) {
  const std::string path = NewPath();
  auto store = OpenStore(path);
  ASSERT_TRUE(store);
  Incident inc{.id = "INC-j", .title = "t"};
  ASSERT_TRUE((*store)->CreateIncident(inc));
  ASSERT_TRUE((*store)->AppendEvent({0, "INC-j", 1, "a", "note", "keep me", "{}"}));
  auto upd = RawExec(path, "UPDATE incident_events SET text = 'changed'");
  ASSERT_FALSE(upd);
  EXPECT_NE(upd.error().message.find("append-only"), std::string::npos);
  EXPECT_FALSE(RawExec(path, "DELETE FROM incident_events"));
  EXPECT_EQ((*store)->Events("INC-j")->at(0).text, "keep me");
}

TEST(SqliteStore, EditingTheJournalBehindTheStoreBreaksTheChain) {
  const std::string path = NewPath();
  auto store = OpenStore(path);
  ASSERT_TRUE(store);
  Incident inc{.id = "INC-t", .title = "t"};
  ASSERT_TRUE((*store)->CreateIncident(inc));
  for (const char* text : {"isolated i-1", "deactivated AKIA1", "closed"}) {
    ASSERT_TRUE((*store)->AppendEvent({0, "INC-t", 1, "oncall", "action", text, "{}"}));
  }
  ASSERT_TRUE(VerifyJournal(*(*store)->Events("INC-t")).ok());
  // Someone with write access to the file drops the trigger and rewrites history.
  ASSERT_TRUE(RawExec(path, "DROP TRIGGER incident_events_no_update;"
                            "UPDATE incident_events SET text = 'nothing happened' WHERE text = 'deactivated AKIA1'"));
  auto check = VerifyJournal(*(*store)->Events("INC-t"));
  EXPECT_FALSE(check.ok());
  EXPECT_NE(check.reason.find("changed after it was written"), std::string::npos);
  // A second writer racing on the same head cannot fork the chain: the index refuses it.
  auto forked = RawExec(path, "INSERT INTO incident_events (incident_id, time_ms, author, kind, text, data, "
                              "prev_hash, hash) SELECT incident_id, 2, 'x', 'note', 'fork', '{}', prev_hash, 'h' "
                              "FROM incident_events WHERE incident_id = 'INC-t' ORDER BY id DESC LIMIT 1");
  EXPECT_FALSE(forked);
}

TEST(SqliteStore, VersionTwoJournalEntriesStayReadableBeforeTheChain) {
  const std::string path = NewPath();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ASSERT_TRUE(RawExec(path, std::string(internal::kMigrationTable) + ";" +
                                internal::MigrationScript(internal::SqlDialect::kSqlite, 1) +
                                internal::MigrationScript(internal::SqlDialect::kSqlite, 2) +
                                "INSERT INTO schema_migrations VALUES (1, 0), (2, 0);"
                                "INSERT INTO incidents (id, title, severity, status, detail, created_ms, "
                                "updated_ms) VALUES ('INC-v2', 'Old', 'high', 'open', '{}', 1, 1);"
                                "INSERT INTO incident_events (incident_id, time_ms, author, kind, text, data) "
                                "VALUES ('INC-v2', 1, 'a', 'note', 'before', '{}');"));
  auto store = OpenStore(path);
  ASSERT_TRUE(store) << store.error().ToString();
  ASSERT_TRUE((*store)->AppendEvent({0, "INC-v2", 2, "b", "note", "after", "{}"}));
  auto check = VerifyJournal(*(*store)->Events("INC-v2"));
  EXPECT_TRUE(check.ok()) << check.reason;
  EXPECT_EQ(check.unchained, 1u);
  EXPECT_EQ(check.verified, 1u);
}

TEST(SqliteStore, UrlForms) {
  const std::string path = NewPath();
  EXPECT_TRUE(OpenStore("sqlite://" + path));
  EXPECT_TRUE(OpenStore("sqlite::memory:"));
  EXPECT_TRUE(OpenStore(":memory:"));
  auto bad = OpenStore("mysql://host/db");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto dir = OpenStore(TempRoot().string());
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().code, ErrorCode::kInvalidArgument);
  auto pg = OpenStore("postgresql://127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(pg);
  EXPECT_EQ(pg.error().code, ErrorCode::kUnavailable);
}

TEST(SqliteStore, DefaultUrlFollowsXdg) {
  const char* old = std::getenv("XDG_DATA_HOME");
  const std::string saved = old != nullptr ? old : "";
  setenv("XDG_DATA_HOME", "/srv/data", 1);
  EXPECT_EQ(DefaultStoreUrl(), "sqlite:///srv/data/cloudward/cloudward.db");
  unsetenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (home != nullptr) {
    EXPECT_EQ(DefaultStoreUrl(), std::string("sqlite://") + home + "/.local/share/cloudward/cloudward.db");
  }
  if (old != nullptr) setenv("XDG_DATA_HOME", saved.c_str(), 1);
}

TEST(SqliteStore, ResolveUrlFlagThenEnvironmentThenDefault) {
  const char* old = std::getenv("CLOUDWARD_STORE");
  const std::string saved = old != nullptr ? old : "";
  setenv("CLOUDWARD_STORE", "sqlite:///tmp/team.db", 1);
  EXPECT_EQ(ResolveStoreUrl("postgresql://db/ir"), "postgresql://db/ir") << "--store wins";
  EXPECT_EQ(ResolveStoreUrl(""), "sqlite:///tmp/team.db") << "then $CLOUDWARD_STORE, for every command";
  setenv("CLOUDWARD_STORE", "", 1);
  EXPECT_EQ(ResolveStoreUrl(""), DefaultStoreUrl()) << "an empty variable is unset";
  if (old != nullptr) {
    setenv("CLOUDWARD_STORE", saved.c_str(), 1);
  } else {
    unsetenv("CLOUDWARD_STORE");
  }
}

TEST(FindingKey, StableAcrossRunsAndPaths) {
  Finding f = SampleFinding(1);
  EXPECT_EQ(FindingKey(f), FindingKey(SampleFinding(1)));
  EXPECT_EQ(FindingKey(f).size(), 32u);
  EXPECT_NE(FindingKey(f), FindingKey(SampleFinding(2)));
  EXPECT_NE(FindingKey(f), FindingKey(SampleFinding(1, "rule-b"))) << "rule id is part of the identity";

  // Flow-log lines (no event id): file base name + offset + record.
  Finding flow;
  flow.rule.id = "flow-rule";
  flow.log_type = LogType::kVpcFlow;
  flow.source_file = "/a/b/flows.log.gz";
  flow.source_offset = 4096;
  flow.record = "2 123456789012 eni-0a1b2c3d 10.0.0.1 198.51.100.7 443 51515 6 10 840 1 2 ACCEPT OK";
  Finding moved = flow;
  moved.source_file = "relative/flows.log.gz";
  EXPECT_EQ(FindingKey(flow), FindingKey(moved));
  Finding other_offset = flow;
  other_offset.source_offset = 4097;
  EXPECT_NE(FindingKey(flow), FindingKey(other_offset));
  Finding other_line = flow;
  other_line.record += " ";
  EXPECT_NE(FindingKey(flow), FindingKey(other_line));

  // Correlation findings: group + window, in any order of the group pairs.
  Finding corr;
  corr.rule.id = "burst";
  corr.context.time_ms = 1000;
  corr.group = {{"a", "1"}, {"b", "2"}};
  Finding swapped = corr;
  swapped.group = {{"b", "2"}, {"a", "1"}};
  EXPECT_EQ(FindingKey(corr), FindingKey(swapped));
  Finding later = corr;
  later.context.time_ms = 2000;
  EXPECT_NE(FindingKey(corr), FindingKey(later));
}

}  // namespace

std::string NewStoreUrl(std::string*) { return "sqlite://" + NewPath(); }

}  // namespace cloudward::store::testing
