// Parser of Sigma detection conditions ("selection and not 1 of filter_*"). The grammar is at the
// top of condition_parser.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cloudward::detect {

// The syntax tree of a condition. Search identifiers and patterns stay names here; the rule
// compiler resolves them against the detection's search identifiers.
struct ConditionNode {
  enum class Kind { kIdentifier, kAnd, kOr, kNot, kOneOf, kAllOf };
  Kind kind = Kind::kIdentifier;
  std::string name;  // kIdentifier: the identifier; kOneOf/kAllOf: the pattern or "them"
  std::vector<ConditionNode> children;
};

// Parses one condition string. Errors name the offending token and its column; a `|` (legacy
// aggregation such as `| count() by x > 5` or `| near`) is reported as kUnsupported.
Result<ConditionNode> ParseCondition(std::string_view text);

// Debug form, fully parenthesised: "(a and (not b))".
std::string ConditionToString(const ConditionNode& node);

}  // namespace cloudward::detect
