// IncidentStore keeps findings, incidents, their journal, response actions and hunt runs.
// Two implementations share one schema: SQLite (embedded default, one file) and PostgreSQL (teams).
//
//   auto store = store::OpenStore(store::DefaultStoreUrl());   // creates and migrates
//   if (!store) return Fail(store.error());
//   auto incidents = (*store)->ListIncidents({.status = store::IncidentStatus::kOpen});
//
// URLs: "sqlite://PATH" or a bare PATH (":memory:" for a private in-memory store),
// "postgresql://..." or "postgres://..." (any libpq connection URI).
//
// Guarantees:
//  - Every write is transactional; `kill -9` at any point leaves a consistent store (SQLite in WAL
//    mode with synchronous=NORMAL; PostgreSQL as usual).
//  - SQLite allows concurrent readers while one process writes (WAL); writers wait up to
//    kBusyTimeoutMs for each other, then fail with kUnavailable.
//  - A file that is not a SQLite database, or a schema newer than this binary, is reported as an
//    Error and never touched.
//  - Incidents and actions carry a version: updates with a stale version fail with kConflict.
//  - The journal (incident_events) is append-only; the database rejects updates and deletes.
//
// Thread-safety: one IncidentStore may be shared by threads (calls are serialised by a mutex);
// several processes may open the same store.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/incident.h"

namespace cloudward::store {

inline constexpr int kSchemaVersion = 4;
inline constexpr int kBusyTimeoutMs = 10000;
inline constexpr size_t kFindingBatch = 1000;  // findings per transaction in AddFindings

struct IncidentFilter {
  std::optional<IncidentStatus> status;
  bool open_only = false;         // every status but closed
  std::optional<Level> severity;  // exactly this severity
  std::optional<Level> min_severity;  // this severity or above
  size_t limit = 0;               // 0: no limit
};

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;

  virtual std::string_view Backend() const = 0;  // "sqlite" or "postgresql"
  virtual Result<int> SchemaVersion() = 0;

  // Runs `body` in one transaction: commits if it returns Ok, rolls back otherwise. Calls made
  // inside join it (nested calls do not commit on their own).
  virtual Status Transaction(const std::function<Status()>& body) = 0;

  // -- Findings. A finding is identified by its key (FindingKey); adding a key twice is a no-op.
  // Returns, for each input, whether it was new. Commits every kFindingBatch findings unless
  // called inside Transaction.
  virtual Result<std::vector<bool>> AddFindings(const std::vector<StoredFinding>& findings) = 0;
  virtual Result<std::vector<StoredFinding>> GetFindings(const std::vector<std::string>& keys) = 0;
  // Keys of stored findings that belong to no incident yet (e.g. a hunt was killed after storing
  // them), oldest first.
  virtual Result<std::vector<std::string>> UnassignedFindingKeys() = 0;
  virtual Result<std::vector<StoredFinding>> IncidentFindings(const std::string& incident_id) = 0;
  virtual Result<int64_t> CountFindings() = 0;

  // -- Incidents.
  virtual Status CreateIncident(Incident& incident) = 0;  // kAlreadyExists; sets version = 1
  // Writes `incident` if the stored version equals incident.version, then bumps incident.version.
  // kNotFound for an unknown id, kConflict when someone else updated it first.
  virtual Status UpdateIncident(Incident& incident) = 0;
  virtual Result<Incident> GetIncident(const std::string& id) = 0;  // kNotFound
  // Most recently active first.
  virtual Result<std::vector<Incident>> ListIncidents(const IncidentFilter& filter) = 0;
  // Attaches findings to an incident, moving them from any incident they were attached to.
  virtual Status LinkFindings(const std::string& incident_id, const std::vector<std::string>& keys) = 0;
  virtual Status MoveFindings(const std::string& from_incident, const std::string& to_incident) = 0;

  // -- Journal (append-only). Returns the new entry's id.
  virtual Result<int64_t> AppendEvent(const IncidentEvent& event) = 0;
  virtual Result<std::vector<IncidentEvent>> Events(const std::string& incident_id) = 0;

  // -- Response actions.
  virtual Status CreateAction(ResponseAction& action) = 0;  // kAlreadyExists; sets version = 1
  virtual Status UpdateAction(ResponseAction& action) = 0;  // optimistic like UpdateIncident
  virtual Result<ResponseAction> GetAction(const std::string& id) = 0;
  virtual Result<std::vector<ResponseAction>> ListActions(const std::string& incident_id) = 0;

  // -- Hunt runs (insert or replace by id).
  virtual Status SaveHunt(const HuntRun& hunt) = 0;
  virtual Result<std::vector<HuntRun>> ListHunts(size_t limit) = 0;  // newest first

  // -- Architecture inventories (kAlreadyExists for a repeated id).
  virtual Status SaveInventory(const InventoryRecord& inventory) = 0;
  // The newest inventory taken at or before `at_ms` (0: the newest of all) covering `account_id`
  // ("" for any account); kNotFound when there is none.
  virtual Result<InventoryRecord> LatestInventory(const std::string& account_id, int64_t at_ms) = 0;
  // Newest first, without their data (id, accounts, time).
  virtual Result<std::vector<InventoryRecord>> ListInventories(size_t limit) = 0;
};

// Opens (creating and migrating as needed) the store at `url`.
Result<std::unique_ptr<IncidentStore>> OpenStore(const std::string& url);

// sqlite://$XDG_DATA_HOME/cloudward/cloudward.db, else sqlite://~/.local/share/cloudward/cloudward.db.
std::string DefaultStoreUrl();

// The store every command uses: `flag` (--store) when given, else $CLOUDWARD_STORE, else
// DefaultStoreUrl().
std::string ResolveStoreUrl(const std::string& flag);

// A finding's stable identity, 32 hex digits of SHA-256 over:
//  - the rule id, and
//  - correlation findings (non-empty group): the group-by pairs (sorted) and the window time;
//  - records with an id (CloudTrail eventID, GuardDuty id, S3 request id): log type + that id;
//  - others (flow-log lines): base name of the file, byte offset and a hash of the record.
// Re-running a hunt over the same logs therefore yields the same keys.
std::string FindingKey(const Finding& finding);

// The journal is hash-chained per incident: each entry stores the hash of the entry before it and
// its own, SHA-256 over the previous hash and every field (hex). AppendEvent fills both; a
// unique (incident, prev_hash) index makes a fork impossible even with concurrent writers.
std::string JournalHash(const std::string& prev_hash, const IncidentEvent& event);

struct JournalCheck {
  size_t verified = 0;   // entries whose link and hash are right
  size_t unchained = 0;  // leading entries written before the chain existed (schema < 3)
  int64_t broken_at = 0; // id of the first entry that fails, 0 when intact
  std::string reason;
  std::string head;      // hash of the last entry: quote it elsewhere to pin the journal
  bool ok() const { return broken_at == 0; }
};
// Checks the entries of one incident, in id order (as IncidentStore::Events returns them).
JournalCheck VerifyJournal(const std::vector<IncidentEvent>& events);

}  // namespace cloudward::store
