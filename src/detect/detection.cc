#include "detect/detection.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "detect/rule_set.h"

namespace cloudward::detect {
namespace {

constexpr int kMaxDepth = 32;

inline unsigned char Fold(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

bool EqualsFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Fold(a[i]) != Fold(b[i])) return false;
  }
  return true;
}

// `lowered` is already folded.
bool EqualsLowered(std::string_view text, std::string_view lowered) {
  if (text.size() != lowered.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Fold(text[i]) != static_cast<unsigned char>(lowered[i])) return false;
  }
  return true;
}

bool ParseNumber(std::string_view text, double& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParseIp(std::string_view text, int& family, unsigned char* bytes) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  if (inet_pton(AF_INET, buf, bytes) == 1) {
    family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes) == 1) {
    family = 6;
    return true;
  }
  return false;
}

}  // namespace

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  const unsigned char first = static_cast<unsigned char>(needle[0]);
  const size_t last = haystack.size() - needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (Fold(haystack[i]) != first) continue;
    size_t j = 1;
    while (j < needle.size() && Fold(haystack[i + j]) == static_cast<unsigned char>(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

// Classic wildcard matching with backtracking to the last star. `?` consumes one UTF-8 code
// point; literal bytes of the pattern are already folded unless `cased`.
bool GlobMatch(const std::vector<int16_t>& glob, std::string_view text, bool cased) {
  size_t p = 0, t = 0;
  size_t star_p = SIZE_MAX, star_t = 0;
  auto char_len = [&](size_t at) {
    unsigned char c = static_cast<unsigned char>(text[at]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return std::min(n, text.size() - at);
  };
  while (t < text.size()) {
    if (p < glob.size() && glob[p] == Pattern::kGlobStar) {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (p < glob.size()) {
      if (glob[p] == Pattern::kGlobOne) {
        t += char_len(t);
        ++p;
        continue;
      }
      unsigned char c = static_cast<unsigned char>(text[t]);
      if (!cased) c = Fold(c);
      if (c == static_cast<unsigned char>(glob[p])) {
        ++t;
        ++p;
        continue;
      }
    }
    if (star_p == SIZE_MAX) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < glob.size() && glob[p] == Pattern::kGlobStar) ++p;
  return p == glob.size();
}

void MakeLeaf(simdjson::dom::element element, Leaf& leaf) {
  leaf.element = element;
  switch (element.type()) {
    case simdjson::dom::element_type::STRING:
      leaf.kind = Leaf::Kind::kString;
      leaf.string = element.get_string().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64: {
      int64_t v = element.get_int64().value_unsafe();
      leaf.kind = Leaf::Kind::kNumber;
      leaf.number = static_cast<double>(v);
      auto r = std::to_chars(leaf.number_text, leaf.number_text + sizeof(leaf.number_text), v);
      leaf.number_len = static_cast<unsigned char>(r.ptr - leaf.number_text);
      break;
    }
    case simdjson::dom::element_type::UINT64: {
      uint64_t v = element.get_uint64().value_unsafe();
      leaf.kind = Leaf::Kind::kNumber;
      leaf.number = static_cast<double>(v);
      auto r = std::to_chars(leaf.number_text, leaf.number_text + sizeof(leaf.number_text), v);
      leaf.number_len = static_cast<unsigned char>(r.ptr - leaf.number_text);
      break;
    }
    case simdjson::dom::element_type::DOUBLE: {
      double v = element.get_double().value_unsafe();
      leaf.kind = Leaf::Kind::kNumber;
      leaf.number = v;
      auto r = std::to_chars(leaf.number_text, leaf.number_text + sizeof(leaf.number_text), v);
      leaf.number_len = static_cast<unsigned char>(r.ptr - leaf.number_text);
      break;
    }
    case simdjson::dom::element_type::BOOL:
      leaf.kind = Leaf::Kind::kBool;
      leaf.string = element.get_bool().value_unsafe() ? "true" : "false";
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      leaf.kind = Leaf::Kind::kNull;
      leaf.string = {};
      break;
    default:
      leaf.kind = Leaf::Kind::kJson;
      break;
  }
}

bool LeafMatches(const Pattern& p, const Leaf& leaf) {
  if (leaf.kind == Leaf::Kind::kNull) return false;
  switch (p.kind) {
    case PatternKind::kCompare: {
      double v;
      if (leaf.kind == Leaf::Kind::kNumber) {
        v = leaf.number;
      } else if (leaf.kind == Leaf::Kind::kString) {
        if (!ParseNumber(leaf.string, v)) return false;
      } else {
        return false;
      }
      switch (p.op) {
        case CompareOp::kGt: return v > p.bound;
        case CompareOp::kGte: return v >= p.bound;
        case CompareOp::kLt: return v < p.bound;
        case CompareOp::kLte: return v <= p.bound;
      }
      return false;
    }
    case PatternKind::kCidr: {
      if (leaf.kind != Leaf::Kind::kString) return false;
      int family;
      unsigned char bytes[16];
      if (!ParseIp(leaf.string, family, bytes) || family != p.family) return false;
      int full = p.prefix_len / 8, rest = p.prefix_len % 8;
      if (std::memcmp(bytes, p.network.data(), full) != 0) return false;
      if (rest == 0) return true;
      unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
      return (bytes[full] & mask) == (p.network[full] & mask);
    }
    case PatternKind::kRegex: {
      std::string_view text = leaf.Text();
      return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *p.regex);
    }
    case PatternKind::kAny: return true;
    case PatternKind::kExact:
      if (p.number && leaf.kind == Leaf::Kind::kNumber) return leaf.number == *p.number;
      [[fallthrough]];
    default: break;
  }
  std::string_view text = leaf.Text();
  const std::string& lit = p.text;
  switch (p.kind) {
    case PatternKind::kExact:
      return p.cased ? text == lit : EqualsLowered(text, lit);
    case PatternKind::kPrefix:
      return text.size() >= lit.size() &&
             (p.cased ? text.substr(0, lit.size()) == lit
                      : EqualsLowered(text.substr(0, lit.size()), lit));
    case PatternKind::kSuffix:
      return text.size() >= lit.size() &&
             (p.cased ? text.substr(text.size() - lit.size()) == lit
                      : EqualsLowered(text.substr(text.size() - lit.size()), lit));
    case PatternKind::kContains:
      return p.cased ? text.find(lit) != std::string_view::npos : ContainsNoCase(text, lit);
    case PatternKind::kGlob: return GlobMatch(p.glob, text, p.cased);
    default: return false;
  }
}

EventView::EventView(const RuleSet& rules) : rules_(rules) {
  slots_.resize(rules.field_paths().size());
  leaves_.reserve(256);
}

void EventView::Reset(simdjson::dom::element record) {
  record_ = record;
  leaves_.clear();
  json_used_ = 0;
  if (++epoch_ == 0) {  // wrapped: invalidate every slot explicitly
    for (Slot& s : slots_) s.epoch = 0;
    strings_slot_.epoch = 0;
    epoch_ = 1;
  }
}

void EventView::AddLeaves(simdjson::dom::element element, std::vector<Leaf>& out, int depth) {
  auto type = element.type();
  if (type == simdjson::dom::element_type::ARRAY && depth < kMaxDepth) {
    simdjson::dom::array array = element.get_array().value_unsafe();
    for (simdjson::dom::element child : array) AddLeaves(child, out, depth + 1);
    return;
  }
  Leaf& leaf = out.emplace_back();
  MakeLeaf(element, leaf);
  if (leaf.kind == Leaf::Kind::kJson) {
    if (json_used_ == json_texts_.size()) json_texts_.emplace_back();
    std::string& text = json_texts_[json_used_++];
    text = simdjson::minify(element);
    leaf.string = text;
  }
}

void EventView::ResolveInto(simdjson::dom::element element, std::string_view path, size_t pos,
                            std::vector<Leaf>& out, bool& found) {
  if (pos >= path.size()) {
    found = true;
    AddLeaves(element, out, 0);
    return;
  }
  auto type = element.type();
  if (type == simdjson::dom::element_type::ARRAY) {
    simdjson::dom::array array = element.get_array().value_unsafe();
    for (simdjson::dom::element child : array) ResolveInto(child, path, pos, out, found);
    return;
  }
  if (type != simdjson::dom::element_type::OBJECT) return;
  simdjson::dom::object object = element.get_object().value_unsafe();
  std::string_view rest = path.substr(pos);
  size_t dot = rest.find('.');
  auto next = [&](size_t key_len) { return key_len >= rest.size() ? path.size() : pos + key_len + 1; };
  simdjson::dom::element child;
  // 1. the next segment, exactly; 2. a key that itself contains dots; 3. case-insensitively.
  if (object.at_key(rest.substr(0, dot)).get(child) == simdjson::SUCCESS) {
    ResolveInto(child, path, next(dot == std::string_view::npos ? rest.size() : dot), out, found);
    return;
  }
  for (size_t d = dot; d != std::string_view::npos;) {
    d = rest.find('.', d + 1);
    size_t len = d == std::string_view::npos ? rest.size() : d;
    if (object.at_key(rest.substr(0, len)).get(child) == simdjson::SUCCESS) {
      ResolveInto(child, path, next(len), out, found);
      return;
    }
  }
  std::string_view segment = rest.substr(0, dot);
  for (auto field : object) {
    if (EqualsFold(field.key, segment)) {
      ResolveInto(field.value, path, next(segment.size()), out, found);
      return;
    }
  }
}

void EventView::Resolve(simdjson::dom::element root, std::string_view path,
                        std::vector<Leaf>& out, bool& found) {
  found = false;
  ResolveInto(root, path, 0, out, found);
}

EventView::Values EventView::Get(uint32_t field) {
  Slot& slot = slots_[field];
  if (slot.epoch != epoch_) {
    slot.epoch = epoch_;
    slot.begin = static_cast<uint32_t>(leaves_.size());
    slot.found = false;
    ResolveInto(record_, rules_.field_paths()[field], 0, leaves_, slot.found);
    slot.end = static_cast<uint32_t>(leaves_.size());
  }
  return {slot.begin, slot.end, slot.found};
}

void EventView::CollectStrings(simdjson::dom::element element, int depth) {
  if (depth > kMaxDepth) return;
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: {
      Leaf& leaf = leaves_.emplace_back();
      MakeLeaf(element, leaf);
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array array = element.get_array().value_unsafe();
      for (simdjson::dom::element child : array) CollectStrings(child, depth + 1);
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object = element.get_object().value_unsafe();
      for (auto field : object) CollectStrings(field.value, depth + 1);
      break;
    }
    default: break;
  }
}

EventView::Values EventView::AllStrings() {
  if (strings_slot_.epoch != epoch_) {
    strings_slot_.epoch = epoch_;
    strings_slot_.begin = static_cast<uint32_t>(leaves_.size());
    CollectStrings(record_, 0);
    strings_slot_.end = static_cast<uint32_t>(leaves_.size());
    strings_slot_.found = true;
  }
  return {strings_slot_.begin, strings_slot_.end, true};
}

bool EventView::MatchPattern(const Pattern& p, const Values& values) {
  switch (p.kind) {
    case PatternKind::kNull:
      for (uint32_t i = values.begin; i < values.end; ++i) {
        if (leaves_[i].kind != Leaf::Kind::kNull) return false;
      }
      return true;
    case PatternKind::kExists: return values.found == p.exists;
    case PatternKind::kFieldRef: {
      Values other = Get(p.ref_field);
      for (uint32_t i = values.begin; i < values.end; ++i) {
        const Leaf& a = leaves_[i];
        if (a.kind == Leaf::Kind::kNull) continue;
        for (uint32_t j = other.begin; j < other.end; ++j) {
          const Leaf& b = leaves_[j];
          if (b.kind == Leaf::Kind::kNull) continue;
          if (p.cased ? a.Text() == b.Text() : EqualsFold(a.Text(), b.Text())) return true;
        }
      }
      return false;
    }
    default:
      for (uint32_t i = values.begin; i < values.end; ++i) {
        if (LeafMatches(p, leaves_[i])) return true;
      }
      return false;
  }
}

bool EventView::MatchNested(const FieldTest& test, const Values& values) {
  // Rare extension path: resolve relative fields into a scratch vector.
  for (uint32_t i = values.begin; i < values.end; ++i) {
    simdjson::dom::element root = leaves_[i].element;
    if (!root.is_object()) continue;
    for (const auto& alternative : test.nested) {
      bool all = true;
      for (const FieldTest::Nested& n : alternative) {
        std::vector<Leaf> scratch;
        bool found = false;
        ResolveInto(root, n.path, 0, scratch, found);
        bool any = false;
        for (const Pattern& p : n.patterns) {
          if (p.kind == PatternKind::kNull) {
            any = !found;
            for (const Leaf& l : scratch) any = any || l.kind == Leaf::Kind::kNull;
          } else if (p.kind == PatternKind::kExists) {
            any = found == p.exists;
          } else {
            for (const Leaf& l : scratch) any = any || LeafMatches(p, l);
          }
          if (any) break;
        }
        if (!any) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
  }
  return false;
}

bool EventView::MatchTest(const FieldTest& test) {
  Values values = test.field == FieldTest::kKeywords ? AllStrings() : Get(test.field);
  if (!test.nested.empty()) return MatchNested(test, values);
  if (test.all) {
    for (const Pattern& p : test.patterns) {
      if (!MatchPattern(p, values)) return false;
    }
    return !test.patterns.empty();
  }
  bool any = false;
  for (const Pattern& p : test.patterns) {
    if (MatchPattern(p, values)) {
      any = true;
      break;
    }
  }
  return test.negate ? !any : any;
}

namespace {

bool Eval(const CondNode& node, const Detection& d, EventView& view) {
  switch (node.op) {
    case CondNode::Op::kSelection: {
      for (const auto& alternative : d.selections[node.selection].alternatives) {
        bool all = true;
        for (const FieldTest& test : alternative) {
          if (!view.MatchTest(test)) {
            all = false;
            break;
          }
        }
        if (all) return true;
      }
      return false;
    }
    case CondNode::Op::kAnd:
      for (const CondNode& c : node.children) {
        if (!Eval(c, d, view)) return false;
      }
      return true;
    case CondNode::Op::kOr:
      for (const CondNode& c : node.children) {
        if (Eval(c, d, view)) return true;
      }
      return false;
    case CondNode::Op::kNot: return !Eval(node.children[0], d, view);
    case CondNode::Op::kTrue: return true;
    case CondNode::Op::kFalse: return false;
  }
  return false;
}

}  // namespace

bool Detection::Matches(EventView& view) const {
  if (!Eval(condition, *this, view)) return false;
  for (const auto& filter : filters) {
    if (Eval(filter->condition, *filter, view)) return false;
  }
  return true;
}

}  // namespace cloudward::detect
