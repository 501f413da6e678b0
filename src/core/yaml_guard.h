// A check of YAML text before it reaches yaml-cpp. The yaml-cpp of Debian 12 (0.7.0) allocates
// without bound when a document's first token is a flow entry (','): a one-line rule, playbook or
// configuration file of ",x" exhausts the machine's memory. Found by fuzzing the rule loader.
//
//   if (auto hazard = FindYamlHazard(text)) reject(hazard->line, hazard->reason);
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cloudward {

struct YamlHazard {
  int line = 0;  // 1-based
  std::string reason;
};

// The first document (of a multi-document stream) that yaml-cpp must not be given, if any.
std::optional<YamlHazard> FindYamlHazard(std::string_view text);

}  // namespace cloudward
