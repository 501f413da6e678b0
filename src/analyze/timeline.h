// Actor timelines: everything one access key, principal, session, address or resource did, in
// time order, with a summary of what it created that could be persistence.
//
//   TimelineQuery q;  q.access_keys = {"AKIA..."};
//   if (q.MayMatch(event.raw)) {                  // cheap: every value must occur in the raw text
//     EventContext c = ingest::Describe(event);
//     if (q.Matches(c)) entries.push_back(...);  // exact, per field
//   }
//   SortTimeline(entries);  TimelineSummary s = Summarize(entries);
//
// Values of one selector are alternatives (any may match); different selectors must all match.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/log_type.h"

namespace cloudward::analyze {

struct TimelineQuery {
  std::vector<std::string> access_keys;  // userIdentity.accessKeyId (or a GuardDuty key)
  std::vector<std::string> principals;   // ARN, user name, or the role of an assumed-role ARN
  std::vector<std::string> sessions;     // assumed-role session name or session ARN
  std::vector<std::string> ips;          // source address (flow records: either end)
  std::vector<std::string> resources;    // ARN or id named by the event (exact, or ARN suffix)

  bool empty() const;
  // False when some selector has no value occurring in `raw`: the event cannot match.
  bool MayMatch(std::string_view raw) const;
  // Exact test on the extracted context. `peer_ip` is a flow record's destination address.
  bool Matches(const EventContext& context, std::string_view peer_ip = {}) const;
  std::string Describe() const;  // "access key AKIA..., ip 1.2.3.4"
};

// What an API call did, from its name.
enum class ActionKind : unsigned char { kRead, kCreate, kChange, kDelete, kOther };
std::string_view ActionKindName(ActionKind kind);
ActionKind ClassifyAction(LogType type, std::string_view event_name, bool read_only_flag);

// Non-empty when a successful call of this name leaves something behind that an intruder could
// come back through: "IAM user", "access key", "role trust policy", ...
std::string_view PersistenceKind(std::string_view event_source, std::string_view event_name);

struct TimelineEntry {
  LogType type = LogType::kCloudTrail;
  EventContext context;
  std::string peer_ip;       // flow records: dstaddr
  std::string file;
  uint64_t offset = 0;
  ActionKind kind = ActionKind::kOther;
  bool read_only = false;    // CloudTrail readOnly
};

// Time order; ties by file and offset, so the order is the same on every run.
void SortTimeline(std::vector<TimelineEntry>& entries);

struct PersistenceItem {
  int64_t time_ms = 0;
  std::string kind;          // PersistenceKind
  std::string event_name;
  std::string region;
  std::vector<std::string> resources;
};

struct TimelineSummary {
  uint64_t events = 0;
  uint64_t errors = 0;
  int64_t first_ms = 0, last_ms = 0;
  std::map<std::string, uint64_t> by_action;      // "iam:CreateUser" -> count
  std::map<std::string, uint64_t> by_error;       // "AccessDenied" -> count
  std::map<std::string, uint64_t> by_region;
  std::map<std::string, uint64_t> by_ip;
  std::map<std::string, uint64_t> by_user_agent;
  std::map<std::string, uint64_t> by_kind;        // read/create/change/delete/other
  std::map<std::string, uint64_t> resources_read, resources_changed, resources_created;
  std::vector<PersistenceItem> persistence;       // successful calls only, in time order
};

TimelineSummary Summarize(const std::vector<TimelineEntry>& entries);

}  // namespace cloudward::analyze
