#include "notify/alert.h"

#include "core/time.h"

namespace cloudward::notify {

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kNew: return "new";
    case AlertKind::kUpdated: return "updated";
    case AlertKind::kEscalated: return "escalated";
    case AlertKind::kResolved: return "resolved";
  }
  return "new";
}

std::string_view DeliveryStatusName(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kDelivered: return "delivered";
    case DeliveryStatus::kFailed: return "failed";
    case DeliveryStatus::kSuppressed: return "suppressed";
    case DeliveryStatus::kGrouped: return "grouped";
  }
  return "failed";
}

nlohmann::json AlertToJson(const Alert& alert, const std::vector<std::string>& notify) {
  nlohmann::json j = {
      {"incident_id", alert.incident_id},
      {"kind", AlertKindName(alert.kind)},
      {"title", alert.title},
      {"severity", LevelName(alert.severity)},
      {"accounts", alert.accounts},
      {"tags", alert.tags},
      {"rule_ids", alert.rule_ids},
      {"summary", alert.summary},
      {"link", alert.link},
      {"time", FormatIsoTime(alert.time_ms)},
      {"notify", notify},
  };
  return j;
}

nlohmann::json DeliveryRecordToJson(const DeliveryRecord& r) {
  return {{"incident_id", r.incident_id}, {"kind", AlertKindName(r.kind)},
          {"channel", r.channel},         {"target", r.target},
          {"status", DeliveryStatusName(r.status)},
          {"error", r.error},             {"time", FormatIsoTime(r.time_ms)},
          {"attempt", r.attempt},         {"notified", r.notified}};
}

}  // namespace cloudward::notify
