// A check of YAML text before it reaches yaml-cpp. The yaml-cpp of Debian 12 (0.7.0) allocates
// without bound when a document's first token is a flow entry (','): a one-line rule, playbook or
// configuration file of ",x" exhausts the machine's memory. Found by fuzzing the rule loader.
// The same happens wherever a ',' token stands outside a flow collection at a document's top
// level ("!tag ,x", "[a], b", "- a\n,x", or "\0\0\0," which yaml-cpp reads as UTF-32), so
// beyond the common case the check runs yaml-cpp's own parser with a handler that keeps nothing
// and counts the documents.
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
