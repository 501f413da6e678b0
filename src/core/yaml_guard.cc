#include "core/yaml_guard.h"

namespace cloudward {

std::optional<YamlHazard> FindYamlHazard(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  bool document_start = true;  // no content token seen yet in the current document
  int line = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view l = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    // A document marker starts a new document; content may follow it on the same line.
    if (l == "---" || l == "..." || l.starts_with("--- ") || l.starts_with("---\t")) {
      document_start = true;
      l.remove_prefix(3);
    } else if (!document_start) {
      continue;
    }
    const size_t first = l.find_first_not_of(" \t");
    if (first == std::string_view::npos || l[first] == '#' || (l[first] == '%' && first == 0)) continue;
    if (l[first] == ',') {
      return YamlHazard{line, "a YAML document cannot start with ',' (a flow entry outside a flow collection)"};
    }
    document_start = false;
  }
  return std::nullopt;
}

}  // namespace cloudward
