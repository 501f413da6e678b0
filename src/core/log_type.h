#pragma once

#include <optional>
#include <string_view>

namespace cloudward {

// The kinds of log cloudward reads. The names are stable: they appear in JSON output,
// summaries and the `logsource` mapping of rules.
enum class LogType : unsigned char { kCloudTrail, kVpcFlow, kGuardDuty, kS3Access };

inline constexpr int kLogTypeCount = 4;

constexpr std::string_view LogTypeName(LogType type) {
  switch (type) {
    case LogType::kCloudTrail: return "cloudtrail";
    case LogType::kVpcFlow: return "vpcflow";
    case LogType::kGuardDuty: return "guardduty";
    case LogType::kS3Access: return "s3access";
  }
  return "unknown";
}

inline std::optional<LogType> LogTypeFromName(std::string_view name) {
  for (int i = 0; i < kLogTypeCount; ++i) {
    auto type = static_cast<LogType>(i);
    if (LogTypeName(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace cloudward
