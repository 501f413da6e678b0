// IncidentStore over SqlDatabase: one schema and one set of statements for SQLite and
// PostgreSQL. List-valued incident fields live in a JSON `detail` column; the columns that are
// filtered or sorted on (status, severity, times) are real columns.
#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.h"
#include "core/finding_json.h"
#include "store/incident_store.h"
#include "store/sql_database.h"

namespace cloudward::store {

std::string_view IncidentStatusName(IncidentStatus status) {
  switch (status) {
    case IncidentStatus::kOpen: return "open";
    case IncidentStatus::kTriaged: return "triaged";
    case IncidentStatus::kContained: return "contained";
    case IncidentStatus::kEradicated: return "eradicated";
    case IncidentStatus::kRecovered: return "recovered";
    case IncidentStatus::kClosed: return "closed";
  }
  return "open";
}

std::optional<IncidentStatus> IncidentStatusFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(IncidentStatus::kClosed); ++i) {
    auto s = static_cast<IncidentStatus>(i);
    if (IncidentStatusName(s) == name) return s;
  }
  return std::nullopt;
}

namespace internal {

namespace {

// Version 1: findings, incidents, their links and journal, hunt runs.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE findings (
  key TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  level TEXT NOT NULL,
  log_type TEXT NOT NULL,
  time_ms BIGINT,
  hunt_id TEXT,
  body TEXT NOT NULL,
  created_ms BIGINT NOT NULL);
CREATE INDEX findings_time ON findings (time_ms);
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  assignee TEXT NOT NULL DEFAULT '',
  first_seen_ms BIGINT,
  last_seen_ms BIGINT,
  finding_count BIGINT NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '{}',
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1);
CREATE INDEX incidents_status ON incidents (status);
CREATE TABLE incident_findings (
  finding_key TEXT PRIMARY KEY REFERENCES findings (key),
  incident_id TEXT NOT NULL REFERENCES incidents (id));
CREATE INDEX incident_findings_incident ON incident_findings (incident_id);
CREATE TABLE incident_events (
  id @SERIAL@,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  time_ms BIGINT NOT NULL,
  author TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL DEFAULT '{}');
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
CREATE TABLE hunts (
  id TEXT PRIMARY KEY,
  started_ms BIGINT NOT NULL,
  finished_ms BIGINT,
  summary TEXT NOT NULL DEFAULT '{}');
)sql";

// Version 2: response actions; the journal becomes append-only in the database itself.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE actions (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  plan TEXT NOT NULL DEFAULT '{}',
  prior_state TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL,
  request_ids TEXT NOT NULL DEFAULT '[]',
  created_ms BIGINT NOT NULL,
  applied_ms BIGINT,
  rolled_back_ms BIGINT,
  version BIGINT NOT NULL DEFAULT 1);
CREATE INDEX actions_incident ON actions (incident_id);
)sql";

constexpr const char* kAppendOnlySqlite = R"sql(
CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
  BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END;
CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
  BEGIN SELECT RAISE(ABORT, 'incident_events is append-only'); END;
)sql";

constexpr const char* kAppendOnlyPostgres = R"sql(
CREATE OR REPLACE FUNCTION cloudward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'incident_events is append-only'; END $$;
CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION cloudward_append_only();
)sql";

// The journal's hash chain (store::JournalHash). Older entries keep NULL hashes; NULLs never
// collide in a unique index, so only chained entries are constrained.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE incident_events ADD COLUMN prev_hash TEXT;
ALTER TABLE incident_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX incident_events_chain ON incident_events (incident_id, prev_hash);
)sql";

// Architecture inventories (`cloudward inventory`), kept for analysis during an incident.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE inventories (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  taken_ms BIGINT NOT NULL,
  data TEXT NOT NULL);
CREATE INDEX inventories_taken ON inventories (taken_ms);
)sql";

}  // namespace

std::string MigrationScript(SqlDialect dialect, int version) {
  std::string script;
  if (version == 1) {
    script = kSchemaV1;
    const std::string serial = dialect == SqlDialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                                              : "BIGSERIAL PRIMARY KEY";
    script.replace(script.find("@SERIAL@"), 8, serial);
  } else if (version == 2) {
    script = kSchemaV2;
    script += dialect == SqlDialect::kSqlite ? kAppendOnlySqlite : kAppendOnlyPostgres;
  } else if (version == 3) {
    script = kSchemaV3;
  } else if (version == 4) {
    script = kSchemaV4;
  }
  return script;
}

}  // namespace internal

namespace {

using internal::SqlDatabase;
using internal::SqlDialect;
using internal::SqlParam;
using internal::SqlRows;
using nlohmann::json;

using Row = std::vector<std::optional<std::string>>;

int64_t Int(const std::optional<std::string>& v, int64_t null_value = 0) {
  if (!v) return null_value;
  return std::strtoll(v->c_str(), nullptr, 10);
}
std::string Str(const std::optional<std::string>& v) { return v ? *v : std::string(); }
SqlParam TimeParam(int64_t ms) { return ms == kUnknownTime ? SqlParam(nullptr) : SqlParam(ms); }

std::vector<std::string> StringList(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string IncidentDetail(const Incident& inc) {
  json rules = json::array();
  for (const auto& r : inc.rules) {
    rules.push_back({{"id", r.id}, {"title", r.title}, {"level", LevelName(r.level)}, {"count", r.count}});
  }
  json d = {{"level_counts", inc.level_counts}, {"actors", inc.actors},
            {"access_keys", inc.access_keys},   {"source_ips", inc.source_ips},
            {"resources", inc.resources},       {"accounts", inc.accounts},
            {"regions", inc.regions},           {"log_types", inc.log_types},
            {"tactics", inc.tactics},           {"signal_tactics", inc.signal_tactics},
            {"techniques", inc.techniques},     {"link_keys", inc.link_keys},
            {"rules", rules}};
  if (!inc.merged_into.empty()) d["merged_into"] = inc.merged_into;
  if (!inc.lead.empty()) {
    d["lead"] = {{"who", inc.lead}, {"level", LevelName(inc.lead_level)}, {"time_ms", inc.lead_time_ms}};
  }
  return Dump(d);
}

constexpr const char* kIncidentColumns =
    "id, title, severity, status, assignee, first_seen_ms, last_seen_ms, finding_count, detail, "
    "created_ms, updated_ms, version";

Result<Incident> IncidentFromRow(const Row& row) {
  Incident inc;
  inc.id = Str(row[0]);
  inc.title = Str(row[1]);
  inc.severity = LevelFromName(Str(row[2]));
  auto status = IncidentStatusFromName(Str(row[3]));
  if (!status) return Fail(ErrorCode::kMalformed, "incident " + inc.id + " has unknown status '" + Str(row[3]) + "'");
  inc.status = *status;
  inc.assignee = Str(row[4]);
  inc.first_seen_ms = Int(row[5], kUnknownTime);
  inc.last_seen_ms = Int(row[6], kUnknownTime);
  inc.finding_count = Int(row[7]);
  json d = json::parse(Str(row[8]), nullptr, false);
  if (d.is_discarded() || !d.is_object()) {
    return Fail(ErrorCode::kMalformed, "incident " + inc.id + " has a corrupt detail column");
  }
  if (auto it = d.find("level_counts"); it != d.end() && it->is_array()) {
    for (size_t i = 0; i < inc.level_counts.size() && i < it->size(); ++i) {
      if ((*it)[i].is_number_integer()) inc.level_counts[i] = (*it)[i].get<int64_t>();
    }
  }
  inc.actors = StringList(d, "actors");
  inc.access_keys = StringList(d, "access_keys");
  inc.source_ips = StringList(d, "source_ips");
  inc.resources = StringList(d, "resources");
  inc.accounts = StringList(d, "accounts");
  inc.regions = StringList(d, "regions");
  inc.log_types = StringList(d, "log_types");
  inc.tactics = StringList(d, "tactics");
  // Incidents saved before signal_tactics existed scored every tactic; they keep doing so.
  inc.signal_tactics = d.contains("signal_tactics") ? StringList(d, "signal_tactics") : inc.tactics;
  inc.techniques = StringList(d, "techniques");
  inc.link_keys = StringList(d, "link_keys");
  if (auto it = d.find("rules"); it != d.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (!r.is_object()) continue;
      inc.rules.push_back({r.value("id", ""), r.value("title", ""), LevelFromName(r.value("level", "")),
                           r.value("count", int64_t{0})});
    }
  }
  inc.merged_into = d.value("merged_into", "");
  if (auto it = d.find("lead"); it != d.end() && it->is_object()) {
    inc.lead = it->value("who", "");
    inc.lead_level = LevelFromName(it->value("level", "informational"));
    inc.lead_time_ms = it->value("time_ms", kUnknownTime);
  }
  inc.created_ms = Int(row[9]);
  inc.updated_ms = Int(row[10]);
  inc.version = Int(row[11]);
  return inc;
}

Result<StoredFinding> FindingFromRow(const Row& row) {
  StoredFinding out;
  out.key = Str(row[0]);
  out.hunt_id = Str(row[2]);
  json body = json::parse(Str(row[1]), nullptr, false);
  if (body.is_discarded()) return Fail(ErrorCode::kMalformed, "finding " + out.key + " has a corrupt body");
  auto f = FindingFromJson(body);
  if (!f) return Fail(ErrorCode::kMalformed, "finding " + out.key + ": " + f.error().message);
  out.finding = std::move(*f);
  return out;
}

constexpr const char* kActionColumns =
    "id, incident_id, kind, target, plan, prior_state, status, request_ids, created_ms, applied_ms, "
    "rolled_back_ms, version";

ResponseAction ActionFromRow(const Row& row) {
  ResponseAction a;
  a.id = Str(row[0]);
  a.incident_id = Str(row[1]);
  a.kind = Str(row[2]);
  a.target = Str(row[3]);
  a.plan = Str(row[4]);
  a.prior_state = Str(row[5]);
  a.status = Str(row[6]);
  json ids = json::parse(Str(row[7]), nullptr, false);
  if (ids.is_array()) {
    for (const auto& v : ids) {
      if (v.is_string()) a.request_ids.push_back(v.get<std::string>());
    }
  }
  a.created_ms = Int(row[8]);
  a.applied_ms = Int(row[9], kUnknownTime);
  a.rolled_back_ms = Int(row[10], kUnknownTime);
  a.version = Int(row[11]);
  return a;
}

class SqlIncidentStore final : public IncidentStore {
 public:
  explicit SqlIncidentStore(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  std::string_view Backend() const override {
    return db_->Dialect() == SqlDialect::kSqlite ? "sqlite" : "postgresql";
  }

  Status Migrate() {
    std::lock_guard lock(mu_);
    const bool sqlite = db_->Dialect() == SqlDialect::kSqlite;
    // Serialise concurrent migrations: SQLite takes the write lock, PostgreSQL an advisory lock.
    if (auto st = db_->Exec(sqlite ? "BEGIN IMMEDIATE" : "BEGIN; SELECT pg_advisory_xact_lock(20240917)"); !st) {
      return st;
    }
    auto st = MigrateLocked();
    if (!st) {
      (void)db_->Exec("ROLLBACK");
      return st;
    }
    if (auto c = db_->Exec("COMMIT"); !c) {
      (void)db_->Exec("ROLLBACK");
      return c;
    }
    return Ok();
  }

  Result<int> SchemaVersion() override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!rows) return tl::unexpected(rows.error());
    return static_cast<int>(Int(rows->rows.at(0).at(0)));
  }

  Status Transaction(const std::function<Status()>& body) override {
    std::lock_guard lock(mu_);
    if (depth_ > 0) {
      ++depth_;
      Status st = body();
      --depth_;
      return st;
    }
    if (auto st = db_->Exec(db_->Dialect() == SqlDialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"); !st) {
      return st;
    }
    depth_ = 1;
    Status st;
    try {
      st = body();
    } catch (...) {
      depth_ = 0;
      (void)db_->Exec("ROLLBACK");
      throw;
    }
    depth_ = 0;
    if (!st) {
      (void)db_->Exec("ROLLBACK");
      return st;
    }
    if (auto c = db_->Exec("COMMIT"); !c) {
      (void)db_->Exec("ROLLBACK");
      return c;
    }
    return Ok();
  }

  Result<std::vector<bool>> AddFindings(const std::vector<StoredFinding>& findings) override {
    std::vector<bool> inserted(findings.size(), false);
    const int64_t now = clock_.NowMs();
    for (size_t start = 0; start < findings.size(); start += kFindingBatch) {
      const size_t end = std::min(findings.size(), start + kFindingBatch);
      auto st = Transaction([&]() -> Status {
        for (size_t i = start; i < end; ++i) {
          const auto& sf = findings[i];
          const Finding& f = sf.finding;
          auto r = db_->Query(
              "INSERT INTO findings (key, rule_id, level, log_type, time_ms, hunt_id, body, created_ms) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING",
              {sf.key, f.rule.id, std::string(LevelName(f.rule.level)), std::string(LogTypeName(f.log_type)),
               TimeParam(f.context.time_ms), sf.hunt_id.empty() ? SqlParam(nullptr) : SqlParam(sf.hunt_id),
               FindingToJsonLine(f), now});  // FindingToJson(f) without parsing the record
          if (!r) return tl::unexpected(r.error());
          inserted[i] = r->changes > 0;
        }
        return Ok();
      });
      if (!st) return tl::unexpected(st.error());
    }
    return inserted;
  }

  Result<std::vector<StoredFinding>> GetFindings(const std::vector<std::string>& keys) override {
    std::lock_guard lock(mu_);
    std::vector<StoredFinding> out;
    constexpr size_t kChunk = 200;
    for (size_t start = 0; start < keys.size(); start += kChunk) {
      const size_t end = std::min(keys.size(), start + kChunk);
      std::string sql = "SELECT key, body, hunt_id FROM findings WHERE key IN (";
      std::vector<SqlParam> params;
      for (size_t i = start; i < end; ++i) {
        if (i > start) sql += ", ";
        sql += "$" + std::to_string(i - start + 1);
        params.emplace_back(keys[i]);
      }
      sql += ")";
      auto rows = db_->Query(sql, params);
      if (!rows) return tl::unexpected(rows.error());
      for (const auto& row : rows->rows) {
        auto f = FindingFromRow(row);
        if (!f) return tl::unexpected(f.error());
        out.push_back(std::move(*f));
      }
    }
    return out;
  }

  Result<std::vector<std::string>> UnassignedFindingKeys() override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query(
        "SELECT f.key FROM findings f LEFT JOIN incident_findings l ON l.finding_key = f.key "
        "WHERE l.finding_key IS NULL ORDER BY f.time_ms, f.key");
    if (!rows) return tl::unexpected(rows.error());
    std::vector<std::string> out;
    out.reserve(rows->rows.size());
    for (const auto& row : rows->rows) out.push_back(Str(row[0]));
    return out;
  }

  Result<std::vector<StoredFinding>> IncidentFindings(const std::string& incident_id) override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query(
        "SELECT f.key, f.body, f.hunt_id FROM findings f JOIN incident_findings l ON l.finding_key = f.key "
        "WHERE l.incident_id = $1 ORDER BY f.time_ms, f.key",
        {incident_id});
    if (!rows) return tl::unexpected(rows.error());
    std::vector<StoredFinding> out;
    for (const auto& row : rows->rows) {
      auto f = FindingFromRow(row);
      if (!f) return tl::unexpected(f.error());
      out.push_back(std::move(*f));
    }
    return out;
  }

  Result<int64_t> CountFindings() override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query("SELECT COUNT(*) FROM findings");
    if (!rows) return tl::unexpected(rows.error());
    return Int(rows->rows.at(0).at(0));
  }

  Status CreateIncident(Incident& inc) override {
    std::lock_guard lock(mu_);
    if (inc.id.empty()) return Fail(ErrorCode::kInvalidArgument, "incident without id");
    const int64_t now = clock_.NowMs();
    if (inc.created_ms == 0) inc.created_ms = now;
    if (inc.updated_ms == 0) inc.updated_ms = inc.created_ms;
    auto r = db_->Query(std::string("INSERT INTO incidents (") + kIncidentColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
                        {inc.id, inc.title, std::string(LevelName(inc.severity)),
                         std::string(IncidentStatusName(inc.status)), inc.assignee,
                         TimeParam(inc.first_seen_ms), TimeParam(inc.last_seen_ms), inc.finding_count,
                         IncidentDetail(inc), inc.created_ms, inc.updated_ms});
    if (!r) {
      if (r.error().code == ErrorCode::kAlreadyExists) {
        return Fail(ErrorCode::kAlreadyExists, "incident " + inc.id + " already exists");
      }
      return tl::unexpected(r.error());
    }
    inc.version = 1;
    return Ok();
  }

  Status UpdateIncident(Incident& inc) override {
    std::lock_guard lock(mu_);
    inc.updated_ms = std::max(clock_.NowMs(), inc.updated_ms);
    auto r = db_->Query(
        "UPDATE incidents SET title = $2, severity = $3, status = $4, assignee = $5, first_seen_ms = $6, "
        "last_seen_ms = $7, finding_count = $8, detail = $9, updated_ms = $10, version = version + 1 "
        "WHERE id = $1 AND version = $11",
        {inc.id, inc.title, std::string(LevelName(inc.severity)), std::string(IncidentStatusName(inc.status)),
         inc.assignee, TimeParam(inc.first_seen_ms), TimeParam(inc.last_seen_ms), inc.finding_count,
         IncidentDetail(inc), inc.updated_ms, inc.version});
    if (!r) return tl::unexpected(r.error());
    if (r->changes == 0) return VersionFailure("incidents", "incident", inc.id, inc.version);
    ++inc.version;
    return Ok();
  }

  Result<Incident> GetIncident(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query(std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id = $1", {id});
    if (!rows) return tl::unexpected(rows.error());
    if (rows->rows.empty()) return Fail(ErrorCode::kNotFound, "no incident with id '" + id + "'");
    return IncidentFromRow(rows->rows[0]);
  }

  Result<std::vector<Incident>> ListIncidents(const IncidentFilter& filter) override {
    std::lock_guard lock(mu_);
    std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE 1 = 1";
    std::vector<SqlParam> params;
    auto add = [&](const char* clause, std::string value) {
      params.emplace_back(std::move(value));
      sql += std::string(" AND ") + clause + " $" + std::to_string(params.size());
    };
    if (filter.status) add("status =", std::string(IncidentStatusName(*filter.status)));
    if (filter.open_only) add("status <>", "closed");
    if (filter.severity) add("severity =", std::string(LevelName(*filter.severity)));
    if (filter.min_severity) {
      std::string in;
      for (Level l : {Level::kInformational, Level::kLow, Level::kMedium, Level::kHigh, Level::kCritical}) {
        if (l < *filter.min_severity) continue;
        params.emplace_back(std::string(LevelName(l)));
        in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
      }
      sql += " AND severity IN (" + in + ")";
    }
    sql += " ORDER BY COALESCE(last_seen_ms, updated_ms) DESC, id";
    if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
    auto rows = db_->Query(sql, params);
    if (!rows) return tl::unexpected(rows.error());
    std::vector<Incident> out;
    for (const auto& row : rows->rows) {
      auto inc = IncidentFromRow(row);
      if (!inc) return tl::unexpected(inc.error());
      out.push_back(std::move(*inc));
    }
    return out;
  }

  Status LinkFindings(const std::string& incident_id, const std::vector<std::string>& keys) override {
    return Transaction([&]() -> Status {
      for (const auto& key : keys) {
        auto r = db_->Query(
            "INSERT INTO incident_findings (finding_key, incident_id) VALUES ($1, $2) "
            "ON CONFLICT (finding_key) DO UPDATE SET incident_id = excluded.incident_id",
            {key, incident_id});
        if (!r) return tl::unexpected(r.error());
      }
      return Ok();
    });
  }

  Status MoveFindings(const std::string& from, const std::string& to) override {
    std::lock_guard lock(mu_);
    auto r = db_->Query("UPDATE incident_findings SET incident_id = $2 WHERE incident_id = $1", {from, to});
    if (!r) return tl::unexpected(r.error());
    return Ok();
  }

  Result<int64_t> AppendEvent(const IncidentEvent& e) override {
    std::lock_guard lock(mu_);
    IncidentEvent entry = e;
    if (entry.time_ms == 0) entry.time_ms = clock_.NowMs();
    if (entry.data.empty()) entry.data = "{}";
    // Another writer (process) may append between reading the head and inserting; the unique
    // (incident, prev_hash) index then refuses the insert and the head is read again. Inside a
    // transaction the store's lock (and SQLite's write lock) already exclude other writers.
    for (int attempt = 0;; ++attempt) {
      auto head = db_->Query(
          "SELECT hash FROM incident_events WHERE incident_id = $1 AND hash IS NOT NULL ORDER BY id DESC LIMIT 1",
          {entry.incident_id});
      if (!head) return tl::unexpected(head.error());
      entry.prev_hash = head->rows.empty() ? std::string() : Str(head->rows[0][0]);
      entry.hash = JournalHash(entry.prev_hash, entry);
      auto r = db_->Query(
          "INSERT INTO incident_events (incident_id, time_ms, author, kind, text, data, prev_hash, hash) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
          {entry.incident_id, entry.time_ms, entry.author, entry.kind, entry.text, entry.data, entry.prev_hash,
           entry.hash});
      if (r) return Int(r->rows.at(0).at(0));
      if (r.error().code != ErrorCode::kAlreadyExists || depth_ > 0 || attempt >= 20) return tl::unexpected(r.error());
    }
  }

  Result<std::vector<IncidentEvent>> Events(const std::string& incident_id) override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query(
        "SELECT id, incident_id, time_ms, author, kind, text, data, prev_hash, hash FROM incident_events "
        "WHERE incident_id = $1 ORDER BY id",
        {incident_id});
    if (!rows) return tl::unexpected(rows.error());
    std::vector<IncidentEvent> out;
    for (const auto& row : rows->rows) {
      out.push_back({Int(row[0]), Str(row[1]), Int(row[2]), Str(row[3]), Str(row[4]), Str(row[5]), Str(row[6]),
                     Str(row[7]), Str(row[8])});
    }
    return out;
  }

  Status CreateAction(ResponseAction& a) override {
    std::lock_guard lock(mu_);
    if (a.id.empty()) return Fail(ErrorCode::kInvalidArgument, "action without id");
    if (a.created_ms == 0) a.created_ms = clock_.NowMs();
    auto r = db_->Query(std::string("INSERT INTO actions (") + kActionColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)",
                        {a.id, a.incident_id, a.kind, a.target, a.plan, a.prior_state, a.status,
                         Dump(json(a.request_ids)), a.created_ms, TimeParam(a.applied_ms),
                         TimeParam(a.rolled_back_ms)});
    if (!r) {
      if (r.error().code == ErrorCode::kAlreadyExists) {
        // The same constraint class covers a missing incident (foreign key) on SQLite.
        return Fail(ErrorCode::kAlreadyExists,
                    "action " + a.id + " already exists or incident " + a.incident_id + " is unknown");
      }
      return tl::unexpected(r.error());
    }
    a.version = 1;
    return Ok();
  }

  Status UpdateAction(ResponseAction& a) override {
    std::lock_guard lock(mu_);
    auto r = db_->Query(
        "UPDATE actions SET kind = $2, target = $3, plan = $4, prior_state = $5, status = $6, "
        "request_ids = $7, applied_ms = $8, rolled_back_ms = $9, version = version + 1 "
        "WHERE id = $1 AND version = $10",
        {a.id, a.kind, a.target, a.plan, a.prior_state, a.status, Dump(json(a.request_ids)),
         TimeParam(a.applied_ms), TimeParam(a.rolled_back_ms), a.version});
    if (!r) return tl::unexpected(r.error());
    if (r->changes == 0) return VersionFailure("actions", "action", a.id, a.version);
    ++a.version;
    return Ok();
  }

  Result<ResponseAction> GetAction(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query(std::string("SELECT ") + kActionColumns + " FROM actions WHERE id = $1", {id});
    if (!rows) return tl::unexpected(rows.error());
    if (rows->rows.empty()) return Fail(ErrorCode::kNotFound, "no action with id '" + id + "'");
    return ActionFromRow(rows->rows[0]);
  }

  Result<std::vector<ResponseAction>> ListActions(const std::string& incident_id) override {
    std::lock_guard lock(mu_);
    auto rows = db_->Query(std::string("SELECT ") + kActionColumns +
                               " FROM actions WHERE incident_id = $1 ORDER BY created_ms, id",
                           {incident_id});
    if (!rows) return tl::unexpected(rows.error());
    std::vector<ResponseAction> out;
    for (const auto& row : rows->rows) out.push_back(ActionFromRow(row));
    return out;
  }

  Status SaveHunt(const HuntRun& h) override {
    std::lock_guard lock(mu_);
    if (h.id.empty()) return Fail(ErrorCode::kInvalidArgument, "hunt without id");
    auto r = db_->Query(
        "INSERT INTO hunts (id, started_ms, finished_ms, summary) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (id) DO UPDATE SET started_ms = excluded.started_ms, "
        "finished_ms = excluded.finished_ms, summary = excluded.summary",
        {h.id, h.started_ms, TimeParam(h.finished_ms), h.summary.empty() ? std::string("{}") : h.summary});
    if (!r) return tl::unexpected(r.error());
    return Ok();
  }

  Result<std::vector<HuntRun>> ListHunts(size_t limit) override {
    std::lock_guard lock(mu_);
    std::string sql = "SELECT id, started_ms, finished_ms, summary FROM hunts ORDER BY started_ms DESC, id";
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    auto rows = db_->Query(sql);
    if (!rows) return tl::unexpected(rows.error());
    std::vector<HuntRun> out;
    for (const auto& row : rows->rows) {
      out.push_back({Str(row[0]), Int(row[1]), Int(row[2], kUnknownTime), Str(row[3])});
    }
    return out;
  }

  Status SaveInventory(const InventoryRecord& inv) override {
    std::lock_guard lock(mu_);
    if (inv.id.empty()) return Fail(ErrorCode::kInvalidArgument, "inventory without id");
    auto r = db_->Query("INSERT INTO inventories (id, account_id, taken_ms, data) VALUES ($1, $2, $3, $4) "
                        "ON CONFLICT (id) DO NOTHING",
                        {inv.id, inv.account_id, inv.taken_ms, inv.data.empty() ? std::string("{}") : inv.data});
    if (!r) return tl::unexpected(r.error());
    if (r->changes == 0) return Fail(ErrorCode::kAlreadyExists, "inventory " + inv.id + " already exists");
    return Ok();
  }

  Result<InventoryRecord> LatestInventory(const std::string& account_id, int64_t at_ms) override {
    std::lock_guard lock(mu_);
    // account_id holds one account or a comma-joined list: match it as a whole list element.
    auto rows = db_->Query(
        "SELECT id, account_id, taken_ms, data FROM inventories "
        "WHERE (CAST($1 AS TEXT) = '' OR ',' || account_id || ',' LIKE '%,' || CAST($1 AS TEXT) || ',%') "
        "AND (CAST($2 AS BIGINT) = 0 OR taken_ms <= CAST($2 AS BIGINT)) "
        "ORDER BY taken_ms DESC, id DESC LIMIT 1",
        {account_id, at_ms});
    if (!rows) return tl::unexpected(rows.error());
    if (rows->rows.empty()) {
      return Fail(ErrorCode::kNotFound, account_id.empty() ? "no inventory saved; run `cloudward inventory`"
                                                           : "no inventory of account " + account_id +
                                                                 " saved; run `cloudward inventory`");
    }
    const auto& row = rows->rows[0];
    return InventoryRecord{Str(row[0]), Str(row[1]), Int(row[2]), Str(row[3])};
  }

  Result<std::vector<InventoryRecord>> ListInventories(size_t limit) override {
    std::lock_guard lock(mu_);
    std::string sql = "SELECT id, account_id, taken_ms FROM inventories ORDER BY taken_ms DESC, id DESC";
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    auto rows = db_->Query(sql);
    if (!rows) return tl::unexpected(rows.error());
    std::vector<InventoryRecord> out;
    for (const auto& row : rows->rows) out.push_back({Str(row[0]), Str(row[1]), Int(row[2]), ""});
    return out;
  }

 private:
  Status MigrateLocked() {
    if (auto st = db_->Exec(internal::kMigrationTable); !st) return st;
    auto rows = db_->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!rows) return tl::unexpected(rows.error());
    const int64_t current = Int(rows->rows.at(0).at(0));
    if (current > kSchemaVersion) {
      return Fail(ErrorCode::kUnsupported, "store " + db_->Name() + " has schema version " +
                                               std::to_string(current) + ", newer than this cloudward (" +
                                               std::to_string(kSchemaVersion) + "); upgrade cloudward");
    }
    for (int v = static_cast<int>(current) + 1; v <= kSchemaVersion; ++v) {
      if (auto st = db_->Exec(internal::MigrationScript(db_->Dialect(), v)); !st) {
        return Fail(st.error().code, "migrating store to version " + std::to_string(v) + ": " + st.error().message);
      }
      auto r = db_->Query("INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)",
                          {int64_t{v}, clock_.NowMs()});
      if (!r) return tl::unexpected(r.error());
    }
    return Ok();
  }

  tl::unexpected<Error> VersionFailure(const char* table, const char* what, const std::string& id,
                                       int64_t version) {
    auto rows = db_->Query(std::string("SELECT version FROM ") + table + " WHERE id = $1", {id});
    if (rows && rows->rows.empty()) return Fail(ErrorCode::kNotFound, std::string("no ") + what + " with id '" + id + "'");
    std::string stored = rows && !rows->rows.empty() ? Str(rows->rows[0][0]) : "?";
    return Fail(ErrorCode::kConflict, std::string(what) + " " + id + " was changed concurrently (have version " +
                                          std::to_string(version) + ", stored " + stored +
                                          "); reload and retry");
  }

  std::recursive_mutex mu_;
  int depth_ = 0;  // transaction nesting
  std::unique_ptr<SqlDatabase> db_;
  SystemClock clock_;
};

std::string ExpandHome(const std::string& path) {
  if (path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0') return std::string(home) + path.substr(1);
  }
  return path;
}

}  // namespace

Result<std::unique_ptr<IncidentStore>> OpenStore(const std::string& url) {
  Result<std::unique_ptr<SqlDatabase>> db;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    db = internal::OpenPostgresDatabase(url);
  } else {
    std::string path = url;
    if (path.rfind("sqlite://", 0) == 0) {
      path = path.substr(9);
    } else if (path.rfind("sqlite:", 0) == 0) {
      path = path.substr(7);
    } else if (path.find("://") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "unknown store URL scheme in '" + url + "' (use sqlite://PATH or postgresql://...)");
    }
    db = internal::OpenSqliteDatabase(ExpandHome(path));
  }
  if (!db) return tl::unexpected(db.error());
  auto store = std::make_unique<SqlIncidentStore>(std::move(*db));
  if (auto st = store->Migrate(); !st) return tl::unexpected(st.error());
  return std::unique_ptr<IncidentStore>(std::move(store));
}

std::string DefaultStoreUrl() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string("sqlite://") + xdg + "/cloudward/cloudward.db";
  const char* home = std::getenv("HOME");
  std::string base = home != nullptr && *home != '\0' ? home : ".";
  return "sqlite://" + base + "/.local/share/cloudward/cloudward.db";
}

std::string ResolveStoreUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("CLOUDWARD_STORE");
  return env != nullptr && *env != '\0' ? std::string(env) : DefaultStoreUrl();
}

}  // namespace cloudward::store
