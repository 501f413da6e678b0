// Fuzzes the Sigma condition parser. Properties: never crashes; a parsed condition printed fully
// parenthesised parses again to the same tree (round trip).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "detect/condition_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cloudward::detect;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseCondition(text);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  std::string printed = ConditionToString(*parsed);
  auto again = ParseCondition(printed);
  if (!again || ConditionToString(*again) != printed) std::abort();
  return 0;
}
