#include "core/finding.h"

#include <strings.h>

namespace cloudward {

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInformational: return "informational";
    case Level::kLow: return "low";
    case Level::kMedium: return "medium";
    case Level::kHigh: return "high";
    case Level::kCritical: return "critical";
  }
  return "medium";
}

Level LevelFromName(std::string_view name) {
  for (Level l : {Level::kInformational, Level::kLow, Level::kMedium, Level::kHigh, Level::kCritical}) {
    std::string_view n = LevelName(l);
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return l;
  }
  if (name == "info") return Level::kInformational;
  return Level::kMedium;
}

}  // namespace cloudward
