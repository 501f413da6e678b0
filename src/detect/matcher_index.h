// Internal: which rules an event must be tested against. Rules whose condition pins eventName
// (or, failing that, eventSource) to plain values with equality are indexed by those values
// (lowercased: Sigma matching is case-insensitive); every other rule is in the fallback list.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/log_type.h"

namespace cloudward::detect {

class RuleSet;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct MatchIndex {
  struct PerType {
    std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>> by_name;
    std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>> by_source;
    std::vector<uint32_t> fallback;
    size_t rules = 0;
  };
  uint32_t event_name_field = 0;
  uint32_t event_source_field = 0;
  // One per LogType; when log-source filtering is off, every rule is in types[0], used for all.
  std::array<PerType, kLogTypeCount> types;
};

std::unique_ptr<MatchIndex> BuildMatchIndex(RuleSet& set);

}  // namespace cloudward::detect
