// What the notifiers send and what they report back. An Alert describes one incident at one
// moment of its life; a DeliveryRecord is one attempt to deliver it over one channel, kept on the
// incident so responders can see who was told what and when.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/finding.h"

namespace cloudward::notify {

enum class AlertKind : unsigned char { kNew, kUpdated, kEscalated, kResolved };
std::string_view AlertKindName(AlertKind kind);  // new | updated | escalated | resolved

struct Alert {
  std::string incident_id;
  std::string title;
  Level severity = Level::kMedium;
  std::vector<std::string> accounts;
  std::vector<std::string> tags;      // e.g. attack.persistence
  std::vector<std::string> rule_ids;
  std::string summary;                // plain text, may span lines
  std::string link;                   // URL of the incident in the console; may be empty
  AlertKind kind = AlertKind::kNew;
  int64_t time_ms = 0;                // when the alert was raised; 0 = the router's clock
};

// The JSON body of the generic webhook and of SNS messages:
// {"incident_id","kind","title","severity","accounts":[],"tags":[],"rule_ids":[],"summary",
//  "link","time","notify":[contact names]}.
nlohmann::json AlertToJson(const Alert& alert, const std::vector<std::string>& notify = {});

enum class DeliveryStatus : unsigned char {
  kDelivered,
  kFailed,      // this attempt failed (a later attempt may still succeed)
  kSuppressed,  // duplicate of an alert delivered within the dedup window
  kGrouped,     // held back; will go out with the incident's next grouped update
};
std::string_view DeliveryStatusName(DeliveryStatus s);

struct DeliveryRecord {
  std::string incident_id;
  AlertKind kind = AlertKind::kNew;
  std::string channel;  // channel name from the configuration; "" for suppressed/grouped
  std::string target;   // printable destination without secrets, e.g. "slack", "smtp:ops@x"
  DeliveryStatus status = DeliveryStatus::kDelivered;
  std::string error;
  int64_t time_ms = 0;
  int attempt = 0;      // 1-based attempt number; 0 for suppressed/grouped
  std::vector<std::string> notified;  // contact names addressed by this delivery
};

nlohmann::json DeliveryRecordToJson(const DeliveryRecord& record);

}  // namespace cloudward::notify
