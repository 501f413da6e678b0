#include "core/yaml_guard.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <exception>
#include <sstream>

namespace cloudward {
namespace {

// The common case, with its line: a document whose first character is ','.
std::optional<YamlHazard> FindLeadingFlowEntry(std::string_view text) {
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

// Keeps nothing but where the last document or empty node was: what the endless documents are made of.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { last = mark; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark last;
};

}  // namespace

std::optional<YamlHazard> FindYamlHazard(std::string_view text) {
  if (auto hazard = FindLeadingFlowEntry(text)) return hazard;
  // Every other form of it ("!tag ,x", "[a], b", "- a\n,x", UTF-16 or UTF-32 text, ...): a ','
  // token yaml-cpp never consumes makes it emit empty documents without end. Its own parser,
  // with a handler that keeps nothing, counts them; a real stream has fewer than it has bytes.
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    DocumentCounter counter;
    for (size_t documents = 0; parser.HandleNextDocument(counter);) {
      if (++documents > text.size() + 1) {
        return YamlHazard{counter.last.line + 1,
                          "a ',' outside a flow collection where a YAML document or node should be"};
      }
    }
  } catch (const std::exception&) {
    // A syntax error: the loader's own parse reports it with its place.
  }
  return std::nullopt;
}

}  // namespace cloudward
