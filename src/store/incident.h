// What the store keeps: incidents, their journal, response actions and hunt runs. Plain values,
// no I/O; analyze/ fills them in, store/ persists them, cli/ and serve/ render them.
//
//   store::Incident inc = *store.GetIncident("INC-3f2a9c01d4");
//   if (inc.status == store::IncidentStatus::kOpen) ...
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/finding.h"

namespace cloudward::store {

// The incident life cycle (NIST SP 800-61 phases after detection), in order.
enum class IncidentStatus : unsigned char { kOpen, kTriaged, kContained, kEradicated, kRecovered, kClosed };

std::string_view IncidentStatusName(IncidentStatus status);
std::optional<IncidentStatus> IncidentStatusFromName(std::string_view name);

// One rule that contributed findings to an incident.
struct RuleSummary {
  std::string id;
  std::string title;
  Level level = Level::kMedium;
  int64_t count = 0;
};

struct Incident {
  std::string id;  // "INC-" + 10 hex digits
  std::string title;
  // Informational only when every finding is: routine activity kept for context, out of the
  // default triage queue until a finding that matters joins it.
  Level severity = Level::kLow;
  IncidentStatus status = IncidentStatus::kOpen;
  std::string assignee;
  int64_t first_seen_ms = kUnknownTime;
  int64_t last_seen_ms = kUnknownTime;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t finding_count = 0;
  std::array<int64_t, 5> level_counts{};  // findings per Level, indexed by the enum value

  // Sorted, unique.
  std::vector<std::string> actors;       // principal ARNs, user names, sessions
  std::vector<std::string> access_keys;  // access key ids used
  std::vector<std::string> source_ips;
  std::vector<std::string> resources;    // ids and ARNs affected
  std::vector<std::string> accounts;
  std::vector<std::string> regions;
  std::vector<std::string> log_types;
  std::vector<std::string> tactics;      // ATT&CK tactic short names, e.g. "privilege-escalation"
  // The tactics of findings of level low and above: the progression severity scoring counts
  // (what informational findings add is context, not progression). Unordered, unique.
  std::vector<std::string> signal_tactics;
  std::vector<std::string> techniques;   // ATT&CK ids, e.g. "T1078.004"
  std::vector<std::string> link_keys;    // the grouping keys of analyze::IncidentBuilder
  std::vector<RuleSummary> rules;        // ordered by level, then count, descending

  // Who or what the first of its most severe findings is about (principal, user, session, access
  // key, address or resource): the incident's title names it.
  std::string lead;
  Level lead_level = Level::kInformational;
  int64_t lead_time_ms = kUnknownTime;

  std::string merged_into;  // set when this incident was folded into another (it is then closed)
  int64_t version = 0;      // optimistic concurrency: bumped by every successful update
};

// One line of an incident's append-only journal.
struct IncidentEvent {
  int64_t id = 0;  // assigned by the store, increasing
  std::string incident_id;
  int64_t time_ms = 0;
  std::string author;  // user name, "cloudward" for automatic entries
  std::string kind;    // created, findings, merged, status, assignee, note, alert, action
  std::string text;    // for people
  std::string data = "{}";  // JSON object with the machine-readable details
  std::string prev_hash;    // set by the store: the hash chain (see store::JournalHash)
  std::string hash;
};

// A response action (respond/ plans, applies and rolls these back).
struct ResponseAction {
  std::string id;
  std::string incident_id;
  std::string kind;    // e.g. "isolate-instance", "deactivate-access-key"
  std::string target;  // ARN or id acted upon
  std::string plan = "{}";         // JSON
  std::string prior_state = "{}";  // JSON, what rollback restores
  std::string status = "planned";  // planned, approved, applied, failed, rolled_back
  std::vector<std::string> request_ids;  // AWS request ids of the calls made
  int64_t created_ms = 0;
  int64_t applied_ms = kUnknownTime;
  int64_t rolled_back_ms = kUnknownTime;
  int64_t version = 0;
};

// One run of `cloudward hunt` (or one daemon batch).
struct HuntRun {
  std::string id;
  int64_t started_ms = 0;
  int64_t finished_ms = kUnknownTime;
  std::string summary = "{}";  // JSON: inputs, counts, errors
};

// One saved architecture inventory (`cloudward inventory`): the graph as JSON (see
// prepare/inventory.h for its shape), so that analysis and blast radius can say what a resource
// is, what it runs as and what the internet reaches, without calling AWS during an incident.
struct InventoryRecord {
  std::string id;          // "INV-..."
  std::string account_id;  // one account, or several joined by ','
  int64_t taken_ms = 0;
  std::string data = "{}";  // JSON
};

// A finding with its identity (see FindingKey) as stored.
struct StoredFinding {
  std::string key;
  Finding finding;
  std::string hunt_id;
};

}  // namespace cloudward::store
