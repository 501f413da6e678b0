// SqlDatabase over one SQLite connection. Prepared statements are cached by SQL text and always
// reset after use, so no statement holds a read lock between calls.
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <string>
#include <system_error>

#include "store/incident_store.h"
#include "store/sql_database.h"

namespace cloudward::store::internal {
namespace {

ErrorCode CodeOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return ErrorCode::kMalformed;
    case SQLITE_CONSTRAINT: return ErrorCode::kAlreadyExists;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: return ErrorCode::kIo;
    default: return ErrorCode::kInternal;
  }
}

class SqliteDatabase final : public SqlDatabase {
 public:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteDatabase() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  SqlDialect Dialect() const override { return SqlDialect::kSqlite; }
  const std::string& Name() const override { return path_; }

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    sqlite3_stmt* stmt = nullptr;
    auto it = statements_.find(sql);
    if (it != statements_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
      if (rc != SQLITE_OK) return Failure(rc, "prepare");
      statements_.emplace(std::string(sql), stmt);
    }
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() { sqlite3_reset(s); sqlite3_clear_bindings(s); }
    } reset{stmt};
    for (size_t i = 0; i < params.size(); ++i) {
      const std::string name = "$" + std::to_string(i + 1);
      int index = sqlite3_bind_parameter_index(stmt, name.c_str());
      if (index == 0) continue;  // parameter not used by this statement
      int rc = SQLITE_OK;
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, index, *v);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return Failure(rc, "bind");
    }
    SqlRows out;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Failure(rc, "step");
      const int n = sqlite3_column_count(stmt);
      auto& row = out.rows.emplace_back();
      row.reserve(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    out.changes = sqlite3_changes64(db_);
    return out;
  }

  Status Exec(std::string_view script) override {
    char* message = nullptr;
    const std::string sql(script);
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return Ok();
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Fail(CodeOf(rc), "SQLite store " + path_ + ": " + text);
  }

 private:
  tl::unexpected<Error> Failure(int rc, const char* what) {
    std::string text = sqlite3_errmsg(db_);
    if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
      text = "not a SQLite database or corrupt (" + text + "); the file was left untouched";
    }
    return Fail(CodeOf(rc), "SQLite store " + path_ + ": " + what + ": " + text);
  }

  sqlite3* db_;
  std::string path_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& path) {
  if (path.empty()) return Fail(ErrorCode::kInvalidArgument, "empty SQLite store path");
  const bool memory = path == ":memory:";
  if (!memory) {
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return Fail(ErrorCode::kIo, "cannot create directory " + parent.string() + ": " + ec.message());
    if (std::filesystem::is_directory(path, ec)) {
      return Fail(ErrorCode::kInvalidArgument, "SQLite store path " + path + " is a directory");
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Fail(CodeOf(rc), "cannot open SQLite store " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  auto out = std::make_unique<SqliteDatabase>(db, path);
  // journal_mode is the first statement that reads the file header: a foreign file fails here.
  auto mode = out->Query("PRAGMA journal_mode=WAL", {});
  if (!mode) return tl::unexpected(mode.error());
  for (const char* pragma : {"PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (auto st = out->Exec(pragma); !st) return tl::unexpected(st.error());
  }
  return std::unique_ptr<SqlDatabase>(std::move(out));
}

}  // namespace cloudward::store::internal
