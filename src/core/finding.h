// A Finding is one rule matching one event (or, for correlation rules, a group of events).
// Unlike Event it owns all of its data, so it can be queued, stored and printed later.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/log_type.h"

namespace cloudward {

// Severity levels of Sigma, in increasing order.
enum class Level : unsigned char { kInformational, kLow, kMedium, kHigh, kCritical };

std::string_view LevelName(Level level);
Level LevelFromName(std::string_view name);  // unknown names -> kMedium

struct RuleRef {
  std::string id;
  std::string title;
  Level level = Level::kMedium;
  std::vector<std::string> tags;  // e.g. attack.t1078, attack.persistence
};

// Who acted, as far as the record says.
struct Actor {
  std::string type;           // CloudTrail userIdentity.type, "AWSService", "Anonymous", ...
  std::string arn;
  std::string access_key_id;
  std::string session;        // assumed-role session name or the STS session issuer
  std::string user_name;
  std::string account;
};

// The context of one event, extracted the same way for every log type (ingest::Describe).
struct EventContext {
  int64_t time_ms = kUnknownTime;
  std::string event_id;       // CloudTrail eventID, GuardDuty id, S3 requestid
  std::string account;
  std::string region;
  Actor actor;
  std::string source_ip;
  std::string user_agent;
  std::string event_source;   // e.g. iam.amazonaws.com; "vpcflow"/"s3" for non-API logs
  std::string event_name;     // e.g. CreateAccessKey; GuardDuty finding type; S3 operation
  std::string error_code;
  std::vector<std::string> resources;  // ARNs or ids the event names
};

struct Finding {
  RuleRef rule;
  LogType log_type = LogType::kCloudTrail;
  EventContext context;
  std::string source_file;
  uint64_t source_offset = 0;
  std::string record;         // the original record (JSON or log line)
  // Correlation findings: the events that made them, as "file:offset" references, and the
  // group-by values that tied them together.
  std::vector<std::string> related;
  std::vector<std::pair<std::string, std::string>> group;
};

}  // namespace cloudward
