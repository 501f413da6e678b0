// SqlDatabase over one libpq connection. Parameters are sent as text and typed by the server.
#include <libpq-fe.h>

#include <string>

#include "store/sql_database.h"

namespace cloudward::store::internal {
namespace {

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db", for messages.
std::string Redact(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

ErrorCode CodeOfState(const char* state) {
  const std::string s = state != nullptr ? state : "";
  if (s == "23505") return ErrorCode::kAlreadyExists;
  if (s == "40001" || s == "40P01" || s == "55P03") return ErrorCode::kConflict;
  if (s.rfind("08", 0) == 0 || s == "57P01" || s == "57P03") return ErrorCode::kUnavailable;
  if (s.rfind("28", 0) == 0 || s == "42501") return ErrorCode::kAccessDenied;
  return ErrorCode::kInternal;
}

class PostgresDatabase final : public SqlDatabase {
 public:
  PostgresDatabase(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PostgresDatabase() override { PQfinish(conn_); }

  SqlDialect Dialect() const override { return SqlDialect::kPostgres; }
  const std::string& Name() const override { return name_; }

  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlParam>& params) override {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        text[i] = std::to_string(*v);
        values[i] = text[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    const std::string query(sql);
    PGresult* res = PQexecParams(conn_, query.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{res};
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failure(res);
    SqlRows out;
    const int rows = PQntuples(res);
    const int cols = PQnfields(res);
    out.rows.resize(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      auto& row = out.rows[static_cast<size_t>(r)];
      row.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
        }
      }
    }
    const char* tuples = PQcmdTuples(res);
    out.changes = (tuples != nullptr && *tuples != '\0') ? std::stoll(tuples) : 0;
    return out;
  }

  Status Exec(std::string_view script) override {
    const std::string sql(script);
    PGresult* res = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      auto failure = Failure(res);
      PQclear(res);
      return failure;
    }
    PQclear(res);
    return Ok();
  }

 private:
  tl::unexpected<Error> Failure(PGresult* res) {
    if (PQstatus(conn_) == CONNECTION_BAD) {
      return Fail(ErrorCode::kUnavailable, "PostgreSQL store " + name_ + ": connection lost: " +
                                               PQerrorMessage(conn_));
    }
    std::string message = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    return Fail(CodeOfState(state), "PostgreSQL store " + name_ + ": " + message);
  }

  PGconn* conn_;
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<SqlDatabase>> OpenPostgresDatabase(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return Fail(ErrorCode::kInternal, "libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    PQfinish(conn);
    return Fail(ErrorCode::kUnavailable, "cannot connect to PostgreSQL store " + Redact(url) + ": " + message);
  }
  auto db = std::make_unique<PostgresDatabase>(conn, Redact(url));
  if (auto st = db->Exec("SET client_min_messages = warning"); !st) return tl::unexpected(st.error());
  return std::unique_ptr<SqlDatabase>(std::move(db));
}

}  // namespace cloudward::store::internal
