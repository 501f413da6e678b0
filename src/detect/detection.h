// Internal: the compiled form of a Sigma detection section and its evaluation over one event.
//
// A Detection owns its search identifiers (Selections) and a condition tree over them. Field paths
// are interned in the RuleSet so that an EventView (one per Matcher, i.e. per thread) resolves each
// field at most once per event and keeps the values in reusable buffers: evaluating a rule
// allocates nothing once the buffers have grown to the largest event seen.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <simdjson.h>

#include "core/event.h"

namespace cloudward::detect {

class RuleSet;

// One value reached by a field path. Arrays on the path are expanded (any element may match);
// an object or nested array at the end of a path becomes a kJson leaf whose text is its minified
// JSON (so `requestParameters|contains: x` searches the serialized object).
struct Leaf {
  enum class Kind : unsigned char { kString, kNumber, kBool, kNull, kJson };
  Kind kind = Kind::kNull;
  simdjson::dom::element element;
  std::string_view string;   // kString, kJson: the text; kBool: "true"/"false"
  double number = 0;         // kNumber
  unsigned char number_len = 0;
  char number_text[30] = {};  // kNumber: shortest decimal form ("5", "5.5", "-1e+30")

  std::string_view Text() const {
    return kind == Kind::kNumber ? std::string_view(number_text, number_len) : string;
  }
};

enum class PatternKind : unsigned char {
  kExact, kPrefix, kSuffix, kContains, kGlob, kAny,  // string forms
  kRegex, kCidr, kCompare, kNull, kExists, kFieldRef
};

enum class CompareOp : unsigned char { kGt, kGte, kLt, kLte };

// One value of a field test, compiled.
struct Pattern {
  PatternKind kind = PatternKind::kExact;
  bool cased = false;              // string forms: case-sensitive (|cased, base64 output)
  std::string text;                // literal, ASCII-lowercased unless cased
  std::optional<double> number;    // a YAML number: also matches numerically equal JSON numbers
  std::vector<int16_t> glob;       // kGlob: bytes, kGlobStar, kGlobOne
  std::shared_ptr<const re2::RE2> regex;
  // kCidr
  int family = 0;                  // 4 or 6
  std::array<unsigned char, 16> network{};
  int prefix_len = 0;
  // kCompare
  CompareOp op = CompareOp::kGt;
  double bound = 0;
  bool exists = true;              // kExists
  uint32_t ref_field = 0;          // kFieldRef

  static constexpr int16_t kGlobStar = -1;
  static constexpr int16_t kGlobOne = -2;
};

// "field|modifiers: values" (or keywords when field == kKeywords).
struct FieldTest {
  static constexpr uint32_t kKeywords = UINT32_MAX;
  uint32_t field = kKeywords;
  std::vector<Pattern> patterns;
  bool all = false;       // |all: every pattern must match (else any)
  bool negate = false;    // |neq: no pattern may match
  // Extension: value given as map(s); matches objects reached by `field` (see rule_set.h).
  struct Nested {
    std::string path;     // relative to the object
    std::vector<Pattern> patterns;
  };
  std::vector<std::vector<Nested>> nested;  // OR of ANDs; non-empty => patterns unused
};

// A search identifier: OR over alternatives, each an AND of field tests.
struct Selection {
  std::string name;
  std::vector<std::vector<FieldTest>> alternatives;
};

struct CondNode {
  enum class Op : unsigned char { kSelection, kAnd, kOr, kNot, kTrue, kFalse };
  Op op = Op::kFalse;
  uint32_t selection = 0;
  std::vector<CondNode> children;
};

class EventView;

class Detection {
 public:
  std::vector<Selection> selections;
  CondNode condition;
  // Filters (v2 filter documents) that name this rule: a match is dropped when any holds.
  std::vector<std::shared_ptr<const Detection>> filters;

  bool Matches(EventView& view) const;
};

// The fields of one event, resolved lazily and cached for the event's lifetime. Not thread-safe;
// reused across events (Reset) so that its buffers stop growing after warm-up.
class EventView {
 public:
  explicit EventView(const RuleSet& rules);
  void Reset(simdjson::dom::element record);

  // Leaves [begin, end) of leaf(i); valid until the next Reset.
  struct Values {
    uint32_t begin = 0, end = 0;
    bool found = false;  // the path exists (even if its value is null)
  };
  const Leaf& leaf(uint32_t i) const { return leaves_[i]; }
  Values Get(uint32_t field);
  // Every string value of the record, for keyword search.
  Values AllStrings();
  // Uncached resolution from an arbitrary root (nested matches, group-by values).
  void Resolve(simdjson::dom::element root, std::string_view path, std::vector<Leaf>& out,
               bool& found);
  bool MatchTest(const FieldTest& test);

 private:
  struct Slot {
    uint32_t epoch = 0;
    uint32_t begin = 0, end = 0;
    bool found = false;
  };
  void ResolveInto(simdjson::dom::element element, std::string_view path, size_t pos,
                   std::vector<Leaf>& out, bool& found);
  void AddLeaves(simdjson::dom::element element, std::vector<Leaf>& out, int depth);
  void CollectStrings(simdjson::dom::element element, int depth);
  bool MatchPattern(const Pattern& pattern, const Values& values);
  bool MatchNested(const FieldTest& test, const Values& values);

  const RuleSet& rules_;
  simdjson::dom::element record_;
  uint32_t epoch_ = 0;
  std::vector<Slot> slots_;
  std::vector<Leaf> leaves_;
  Slot strings_slot_;
  std::deque<std::string> json_texts_;  // stable storage for kJson leaf texts
  size_t json_used_ = 0;
  std::vector<Leaf> nested_scratch_;
};

// Case-insensitive (ASCII) and glob helpers, exposed for tests.
bool GlobMatch(const std::vector<int16_t>& glob, std::string_view text, bool cased);
bool ContainsNoCase(std::string_view haystack, std::string_view lowered_needle);
bool LeafMatches(const Pattern& pattern, const Leaf& leaf);
void MakeLeaf(simdjson::dom::element element, Leaf& leaf);

}  // namespace cloudward::detect
