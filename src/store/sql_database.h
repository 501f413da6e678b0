// Internal to store/: the few things SqlIncidentStore needs from a SQL engine, so that one
// implementation of IncidentStore serves SQLite and PostgreSQL.
//
// Statements use PostgreSQL-style parameters $1..$N on both engines (SQLite binds them by name).
// Every value comes back as text (NULL as nullopt); callers parse integers.
//
// Thread-safety: none; SqlIncidentStore serialises access.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace cloudward::store::internal {

using SqlParam = std::variant<std::nullptr_t, int64_t, std::string>;

struct SqlRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  int64_t changes = 0;  // rows inserted, updated or deleted by the statement
};

enum class SqlDialect { kSqlite, kPostgres };

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  virtual SqlDialect Dialect() const = 0;
  virtual const std::string& Name() const = 0;  // file path or URL without password, for messages
  virtual Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params = {}) = 0;
  // Runs several statements without parameters (DDL, BEGIN, COMMIT).
  virtual Status Exec(std::string_view script) = 0;
};

// The schema, one script per version (1..kSchemaVersion); `schema_migrations(version, applied_ms)`
// records which ran. Exposed for migration tests.
std::string MigrationScript(SqlDialect dialect, int version);
inline constexpr const char* kMigrationTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)";

// `path` may be ":memory:". Creates the parent directory. Sets WAL, busy timeout, foreign keys.
Result<std::unique_ptr<SqlDatabase>> OpenSqliteDatabase(const std::string& path);
Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& url);

}  // namespace cloudward::store::internal
