// Fuzzes the Sigma rule loader with arbitrary YAML. Properties: loading never throws or crashes;
// every document is accounted for (accepted or reported with the fuzz file's name); loading is
// deterministic; every accepted rule can be evaluated against a fixed event.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "detect/matcher.h"
#include "detect/rule_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cloudward;
  std::string text(reinterpret_cast<const char*>(data), size);
  detect::LoadResult first = detect::LoadRules({}, {{"fuzz.yml", text}});
  detect::LoadResult second = detect::LoadRules({}, {{"fuzz.yml", text}});
  if (!first.rules || first.loaded != first.rules->size()) std::abort();
  if (first.loaded != second.loaded || first.rejected.size() != second.rejected.size()) std::abort();
  for (const auto& p : first.rejected) {
    if (p.file != "fuzz.yml" || p.reason.empty() || p.line < 0) std::abort();
  }
  static const char* kEvent =
      R"({"eventName":"CreateUser","eventSource":"iam.amazonaws.com","n":5,"b":true,)"
      R"("a":[{"x":"y"},"z",null],"requestParameters":{"userName":"bob"}})";
  simdjson::dom::parser parser;
  Event event;
  event.record = parser.parse(std::string(kEvent)).value();
  detect::Matcher matcher(first.rules);
  std::vector<const detect::Rule*> hits;
  matcher.Match(event, hits);
  for (size_t i = 0; i < first.rules->size(); ++i) matcher.MatchRule(first.rules->at(i), event);
  return 0;
}
