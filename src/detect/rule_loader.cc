// LoadRules: YAML -> documents (collections resolved) -> compiled rules, filters and correlation
// rules -> RuleSet. yaml-cpp exceptions are caught here; every problem becomes a RuleProblem.
//
// Value semantics (Sigma rules spec v2.1):
//   - strings: `*` any run, `?` one character, `\*` `\?` `\\` escapes; case-insensitive (ASCII).
//   - plain YAML numbers and booleans compare by their text ("5", "true"), so a string '5'
//     matches the JSON number 5 and 'true' matches JSON true; numbers also compare numerically.
//   - null: the field is absent or null. `field|exists: true/false`: the field is (not) present.
//   - keywords (list of strings under a search identifier): substring search over every string
//     value of the record.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <functional>
#include <array>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <arpa/inet.h>

#include "core/yaml_guard.h"
#include "detect/condition_parser.h"
#include "detect/detection.h"
#include "detect/matcher_index.h"
#include "detect/rule_set.h"

namespace cloudward::detect {

std::string_view CorrelationTypeName(CorrelationType type) {
  switch (type) {
    case CorrelationType::kEventCount: return "event_count";
    case CorrelationType::kValueCount: return "value_count";
    case CorrelationType::kTemporal: return "temporal";
    case CorrelationType::kTemporalOrdered: return "temporal_ordered";
    case CorrelationType::kValueSum: return "value_sum";
    case CorrelationType::kValueAvg: return "value_avg";
  }
  return "unknown";
}

bool CountCondition::Test(double v) const {
  if (gt && !(v > *gt)) return false;
  if (gte && !(v >= *gte)) return false;
  if (lt && !(v < *lt)) return false;
  if (lte && !(v <= *lte)) return false;
  if (eq && !(v == *eq)) return false;
  if (neq && !(v != *neq)) return false;
  return true;
}

Rule::Rule() = default;
Rule::~Rule() = default;
RuleSet::RuleSet() = default;
RuleSet::~RuleSet() = default;

const Rule* RuleSet::FindById(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : rules_[it->second].get();
}

const Rule* RuleSet::FindByReference(std::string_view reference) const {
  std::string key(reference);
  for (const auto* map : {&by_id_, &by_name_, &by_title_}) {
    auto it = map->find(key);
    if (it != map->end()) return rules_[it->second].get();
  }
  return nullptr;
}

uint32_t RuleSet::InternField(std::string_view path) {
  auto [it, inserted] = field_ids_.try_emplace(std::string(path), 0);
  if (inserted) {
    it->second = static_cast<uint32_t>(field_paths_.size());
    field_paths_.emplace_back(path);
  }
  return it->second;
}

std::optional<LogType> LogTypeForLogsource(std::string_view product, std::string_view service,
                                           std::string_view category) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string p = lower(product), s = lower(service), c = lower(category);
  if (p.empty() && s == "cloudtrail") return LogType::kCloudTrail;
  if (p != "aws") return std::nullopt;
  if (s == "vpcflowlogs" || s == "vpcflow" || s == "vpc_flow" || s == "vpc_flow_logs")
    return LogType::kVpcFlow;
  if (s == "guardduty") return LogType::kGuardDuty;
  if (s == "s3access" || s == "s3_server_access" || s == "s3-server-access" ||
      s == "s3_access")
    return LogType::kS3Access;
  if (s.empty() && (c == "network_connection" || c == "firewall")) return LogType::kVpcFlow;
  return LogType::kCloudTrail;  // cloudtrail itself, or an AWS service name (iam, s3, ec2, ...)
}

// Builds a RuleSet; friend of RuleSet.
struct RuleSetBuilder {
  static std::vector<std::unique_ptr<Rule>>& Rules(RuleSet& s) { return s.rules_; }
  static void Finish(RuleSet& s, bool filter_by_logsource) {
    s.filter_by_logsource_ = filter_by_logsource;
    for (size_t i = 0; i < s.rules_.size(); ++i) {
      Rule& r = *s.rules_[i];
      r.index = i;
      if (!r.ref.id.empty()) s.by_id_.try_emplace(r.ref.id, i);
      if (!r.name.empty()) s.by_name_.try_emplace(r.name, i);
      if (!r.ref.title.empty()) s.by_title_.try_emplace(r.ref.title, i);
    }
  }
  static void SetIndex(RuleSet& s, std::unique_ptr<MatchIndex> index) { s.index_ = std::move(index); }
};

namespace {

using FieldMap = std::map<std::string, std::string>;

struct Settings {
  std::map<std::string, std::vector<std::string>> placeholders;
  std::array<FieldMap, kLogTypeCount> field_maps;
  bool filter_by_logsource = true;
};

void DefaultFieldMaps(std::array<FieldMap, kLogTypeCount>& maps) {
  FieldMap& flow = maps[static_cast<int>(LogType::kVpcFlow)];
  flow = {{"src_ip", "srcaddr"},       {"dst_ip", "dstaddr"},   {"src_port", "srcport"},
          {"dst_port", "dstport"},     {"srcAddr", "srcaddr"},  {"dstAddr", "dstaddr"},
          {"srcPort", "srcport"},      {"dstPort", "dstport"},  {"SourceIp", "srcaddr"},
          {"DestinationIp", "dstaddr"}, {"SourcePort", "srcport"}, {"DestinationPort", "dstport"},
          {"interfaceId", "interface-id"}, {"accountId", "account-id"}, {"logStatus", "log-status"},
          {"vpcId", "vpc-id"},         {"subnetId", "subnet-id"}, {"instanceId", "instance-id"},
          {"flowDirection", "flow-direction"}, {"pktSrcAddr", "pkt-srcaddr"},
          {"pktDstAddr", "pkt-dstaddr"}};
  FieldMap& s3 = maps[static_cast<int>(LogType::kS3Access)];
  s3 = {{"c-ip", "remoteip"},          {"src_ip", "remoteip"},  {"cs-user-agent", "useragent"},
        {"sc-status", "httpstatus"},   {"cs-referer", "referrer"}, {"cs-uri-stem", "key"},
        {"cs-host", "hostheader"},     {"cs-uri", "requesturi"}, {"cs-username", "requester"}};
}

struct Problem {
  int line = 0;
  std::string reason;
};

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark m = node.Mark();
  return m.line >= 0 ? m.line + 1 : 0;
}

std::string ScalarOr(const YAML::Node& node, const char* key) {
  YAML::Node v = node[key];
  if (v && v.IsScalar()) return v.Scalar();
  return "";
}

bool IsPlain(const YAML::Node& n) { return n.Tag() == "?"; }

bool LooksNumeric(const std::string& s, double& out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && ptr == e;
}

bool IsYamlNull(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsScalar() || !IsPlain(n)) return false;
  const std::string& s = n.Scalar();
  return s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty();
}

// ---- values -------------------------------------------------------------------------------

using Tokens = std::vector<int16_t>;  // bytes, Pattern::kGlobStar, Pattern::kGlobOne

Tokens ParseWildcards(std::string_view s) {
  Tokens out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
      out.push_back(static_cast<unsigned char>(s[++i]));
    } else if (c == '*') {
      out.push_back(Pattern::kGlobStar);
    } else if (c == '?') {
      out.push_back(Pattern::kGlobOne);
    } else {
      out.push_back(static_cast<unsigned char>(c));
    }
  }
  return out;
}

Tokens Literal(std::string_view s) {
  Tokens out;
  for (char c : s) out.push_back(static_cast<unsigned char>(c));
  return out;
}

bool HasWildcard(const Tokens& t) {
  return std::any_of(t.begin(), t.end(), [](int16_t x) { return x < 0; });
}

std::string ToBytes(const Tokens& t) {
  std::string s;
  for (int16_t x : t) s.push_back(static_cast<char>(x));
  return s;
}

std::string Base64(std::string_view in) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(v >> (6 * k)) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

// UTF-8 -> UTF-16 code units (invalid bytes pass through as U+00xx).
std::vector<uint16_t> Utf16(std::string_view s) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      cp = ((c & 7u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
           (s[i + 3] & 0x3Fu);
      n = 4;
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0xFu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      n = 3;
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      n = 2;
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<uint16_t>(cp));
    }
  }
  return out;
}

// Re-encodes every literal run of `t` as UTF-16; wildcards stay.
Tokens EncodeUtf16(const Tokens& t, bool big_endian, bool bom) {
  Tokens out;
  if (bom) {
    out.push_back(0xFF);
    out.push_back(0xFE);
  }
  std::string run;
  auto flush = [&] {
    for (uint16_t u : Utf16(run)) {
      int16_t lo = u & 0xFF, hi = u >> 8;
      if (big_endian) std::swap(lo, hi);
      out.push_back(lo);
      out.push_back(hi);
    }
    run.clear();
  };
  for (int16_t x : t) {
    if (x < 0) {
      flush();
      out.push_back(x);
    } else {
      run.push_back(static_cast<char>(x));
    }
  }
  flush();
  return out;
}

bool IsWordToken(int16_t x) {
  return x >= 0 && (std::isalnum(x) || x == '_' || x >= 0x80);
}

// windash: every '-' or '/' that starts a flag (regex \B[-/]\b, as pySigma) becomes each of
// - / – — ―.
std::vector<Tokens> Windash(const Tokens& t) {
  std::vector<size_t> positions;
  for (size_t i = 0; i < t.size(); ++i) {
    if ((t[i] == '-' || t[i] == '/') && (i == 0 || !IsWordToken(t[i - 1])) && i + 1 < t.size() &&
        IsWordToken(t[i + 1]))
      positions.push_back(i);
  }
  if (positions.size() > 4) positions.resize(4);  // 5^4 variants at most
  static const char* kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  std::vector<Tokens> out;
  size_t combos = 1;
  for (size_t k = 0; k < positions.size(); ++k) combos *= 5;
  for (size_t combo = 0; combo < combos; ++combo) {
    Tokens v;
    size_t c = combo, next = 0;
    std::vector<int> choice(positions.size());
    for (size_t k = 0; k < positions.size(); ++k) {
      choice[k] = static_cast<int>(c % 5);
      c /= 5;
    }
    for (size_t i = 0; i < t.size(); ++i) {
      if (next < positions.size() && positions[next] == i) {
        for (const char* p = kDashes[choice[next]]; *p; ++p) v.push_back(static_cast<unsigned char>(*p));
        ++next;
      } else {
        v.push_back(t[i]);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

Pattern CompileTokens(const Tokens& tokens, bool cased) {
  Pattern p;
  p.cased = cased;
  auto fold = [&](int16_t x) {
    char c = static_cast<char>(x);
    if (!cased && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return c;
  };
  bool has_one = std::find(tokens.begin(), tokens.end(), Pattern::kGlobOne) != tokens.end();
  std::vector<std::string> parts(1);  // literal runs split by stars
  for (int16_t x : tokens) {
    if (x == Pattern::kGlobStar) {
      parts.emplace_back();
    } else if (x >= 0) {
      parts.back().push_back(fold(x));
    }
  }
  size_t stars = parts.size() - 1;
  if (!has_one) {
    bool lead = !tokens.empty() && tokens.front() == Pattern::kGlobStar;
    bool trail = !tokens.empty() && tokens.back() == Pattern::kGlobStar;
    std::vector<std::string> nonempty;
    for (auto& s : parts)
      if (!s.empty()) nonempty.push_back(s);
    if (stars == 0) {
      p.kind = PatternKind::kExact;
      p.text = parts[0];
      return p;
    }
    if (nonempty.empty()) {
      p.kind = PatternKind::kAny;
      return p;
    }
    if (nonempty.size() == 1) {
      // only leading and/or trailing stars (possibly repeated)
      bool inner_ok = true;
      size_t first_lit = 0, last_lit = tokens.size();
      while (first_lit < tokens.size() && tokens[first_lit] == Pattern::kGlobStar) ++first_lit;
      while (last_lit > 0 && tokens[last_lit - 1] == Pattern::kGlobStar) --last_lit;
      for (size_t i = first_lit; i < last_lit; ++i) inner_ok = inner_ok && tokens[i] >= 0;
      if (inner_ok) {
        p.text = nonempty[0];
        p.kind = lead && trail ? PatternKind::kContains
                 : lead        ? PatternKind::kSuffix
                               : PatternKind::kPrefix;
        return p;
      }
    }
  }
  p.kind = PatternKind::kGlob;
  for (int16_t x : tokens) p.glob.push_back(x < 0 ? x : static_cast<int16_t>(static_cast<unsigned char>(fold(x))));
  return p;
}

enum Mod : uint32_t {
  kContains = 1u << 0, kStartswith = 1u << 1, kEndswith = 1u << 2, kAll = 1u << 3, kRe = 1u << 4,
  kReI = 1u << 5, kReM = 1u << 6, kReS = 1u << 7, kCidr = 1u << 8, kBase64 = 1u << 9,
  kBase64Offset = 1u << 10, kUtf16 = 1u << 11, kUtf16le = 1u << 12, kUtf16be = 1u << 13,
  kWindash = 1u << 14, kExists = 1u << 15, kGt = 1u << 16, kGte = 1u << 17, kLt = 1u << 18,
  kLte = 1u << 19, kFieldref = 1u << 20, kCased = 1u << 21, kExpand = 1u << 22, kNeq = 1u << 23,
};

const std::map<std::string, Mod>& ModifierNames() {
  static const std::map<std::string, Mod> kNames = {
      {"contains", kContains}, {"startswith", kStartswith}, {"endswith", kEndswith},
      {"all", kAll}, {"re", kRe}, {"i", kReI}, {"m", kReM}, {"s", kReS}, {"cidr", kCidr},
      {"base64", kBase64}, {"base64offset", kBase64Offset}, {"utf16", kUtf16},
      {"utf16le", kUtf16le}, {"wide", kUtf16le}, {"utf16be", kUtf16be}, {"windash", kWindash},
      {"exists", kExists}, {"gt", kGt}, {"gte", kGte}, {"lt", kLt}, {"lte", kLte},
      {"fieldref", kFieldref}, {"cased", kCased}, {"expand", kExpand}, {"neq", kNeq}};
  return kNames;
}

constexpr uint32_t kPosition = kContains | kStartswith | kEndswith;
constexpr uint32_t kEncoding = kBase64 | kBase64Offset | kUtf16 | kUtf16le | kUtf16be | kWindash;
constexpr uint32_t kCompareMods = kGt | kGte | kLt | kLte;

int PopCount(uint32_t x) { return __builtin_popcount(x); }

// Compiles one detection section (rule or filter) into a Detection.
class DetectionCompiler {
 public:
  DetectionCompiler(RuleSet& set, const Settings& settings, std::optional<LogType> type)
      : set_(set), settings_(settings), type_(type) {}

  Result<std::unique_ptr<Detection>> Compile(const YAML::Node& detection,
                                             const std::vector<std::string>& skip_keys) {
    auto d = std::make_unique<Detection>();
    line_ = LineOf(detection);
    if (!detection.IsMap()) return Err("'detection' must be a map");
    YAML::Node condition;
    for (auto it = detection.begin(); it != detection.end(); ++it) {
      std::string key = it->first.Scalar();
      line_ = LineOf(it->first);
      if (key == "condition") {
        condition.reset(it->second);
        continue;
      }
      if (key == "timeframe") {
        return Fail(ErrorCode::kUnsupported,
                    "detection.timeframe (legacy aggregation window) is not supported; "
                    "write a correlation rule instead");
      }
      if (std::find(skip_keys.begin(), skip_keys.end(), key) != skip_keys.end()) continue;
      auto selection = CompileSelection(key, it->second);
      if (!selection) return tl::unexpected(selection.error());
      d->selections.push_back(std::move(*selection));
    }
    if (!condition) return Err("detection has no 'condition'");
    line_ = LineOf(condition);
    std::vector<std::string> conditions;
    if (condition.IsScalar()) {
      conditions.push_back(condition.Scalar());
    } else if (condition.IsSequence()) {
      for (const auto& c : condition) {
        if (!c.IsScalar()) return Err("condition list must hold strings");
        conditions.push_back(c.Scalar());
      }
    } else {
      return Err("'condition' must be a string or a list of strings");
    }
    CondNode root{CondNode::Op::kOr, 0, {}};
    for (const std::string& text : conditions) {
      auto parsed = ParseCondition(text);
      if (!parsed) return tl::unexpected(parsed.error());
      auto node = CompileCondition(*parsed, *d);
      if (!node) return tl::unexpected(node.error());
      root.children.push_back(std::move(*node));
    }
    d->condition = root.children.size() == 1 ? std::move(root.children[0]) : std::move(root);
    return d;
  }

  int line() const { return line_; }

 private:
  tl::unexpected<Error> Err(std::string message) const {
    return Fail(ErrorCode::kMalformed, std::move(message));
  }

  static bool NameMatches(std::string_view pattern, std::string_view name) {
    Tokens glob;
    for (char c : pattern)
      glob.push_back(c == '*' ? Pattern::kGlobStar : static_cast<int16_t>(static_cast<unsigned char>(c)));
    return GlobMatch(glob, name, true);
  }

  Result<CondNode> CompileCondition(const ConditionNode& node, const Detection& d) {
    switch (node.kind) {
      case ConditionNode::Kind::kIdentifier:
        for (size_t i = 0; i < d.selections.size(); ++i) {
          if (d.selections[i].name == node.name)
            return CondNode{CondNode::Op::kSelection, static_cast<uint32_t>(i), {}};
        }
        return Err("condition references unknown search identifier '" + node.name + "'");
      case ConditionNode::Kind::kOneOf:
      case ConditionNode::Kind::kAllOf: {
        bool all = node.kind == ConditionNode::Kind::kAllOf;
        CondNode out{all ? CondNode::Op::kAnd : CondNode::Op::kOr, 0, {}};
        for (size_t i = 0; i < d.selections.size(); ++i) {
          const std::string& name = d.selections[i].name;
          bool match = node.name == "them" ? !name.starts_with("_") : NameMatches(node.name, name);
          if (match) out.children.push_back({CondNode::Op::kSelection, static_cast<uint32_t>(i), {}});
        }
        if (out.children.empty())
          return Err("'" + std::string(all ? "all" : "1") + " of " + node.name +
                     "' matches no search identifier");
        return out;
      }
      case ConditionNode::Kind::kNot: {
        auto inner = CompileCondition(node.children[0], d);
        if (!inner) return inner;
        return CondNode{CondNode::Op::kNot, 0, {std::move(*inner)}};
      }
      case ConditionNode::Kind::kAnd:
      case ConditionNode::Kind::kOr: {
        CondNode out{node.kind == ConditionNode::Kind::kAnd ? CondNode::Op::kAnd : CondNode::Op::kOr,
                     0, {}};
        for (const auto& c : node.children) {
          auto inner = CompileCondition(c, d);
          if (!inner) return inner;
          out.children.push_back(std::move(*inner));
        }
        return out;
      }
    }
    return Err("bad condition");
  }

  Result<Selection> CompileSelection(const std::string& name, const YAML::Node& value) {
    Selection sel;
    sel.name = name;
    line_ = LineOf(value);
    if (value.IsMap()) {
      auto tests = CompileMap(value);
      if (!tests) return tl::unexpected(tests.error());
      sel.alternatives.push_back(std::move(*tests));
      return sel;
    }
    if (value.IsSequence()) {
      bool maps = false, scalars = false;
      for (const auto& item : value) (item.IsMap() ? maps : scalars) = true;
      if (maps && scalars)
        return Err("search identifier '" + name + "' mixes maps and plain values");
      if (maps) {
        for (const auto& item : value) {
          auto tests = CompileMap(item);
          if (!tests) return tl::unexpected(tests.error());
          sel.alternatives.push_back(std::move(*tests));
        }
        return sel;
      }
    }
    if (value.IsSequence() || value.IsScalar()) {
      auto test = CompileFieldTest("", value, true);
      if (!test) return tl::unexpected(test.error());
      sel.alternatives.push_back({std::move(*test)});
      return sel;
    }
    return Err("search identifier '" + name + "' must be a map, a list or a value");
  }

  Result<std::vector<FieldTest>> CompileMap(const YAML::Node& map) {
    std::vector<FieldTest> tests;
    for (auto it = map.begin(); it != map.end(); ++it) {
      line_ = LineOf(it->first);
      if (!it->first.IsScalar()) return Err("field names must be strings");
      auto test = CompileFieldTest(it->first.Scalar(), it->second, false);
      if (!test) return tl::unexpected(test.error());
      tests.push_back(std::move(*test));
    }
    return tests;
  }

  std::string MapField(const std::string& field) const {
    if (!type_) return field;
    const FieldMap& m = settings_.field_maps[static_cast<int>(*type_)];
    auto it = m.find(field);
    return it == m.end() ? field : it->second;
  }

  // Extension: a map value (or list of maps) is matched against objects reached by the field.
  Result<FieldTest> CompileNested(FieldTest test, const YAML::Node& value) {
    std::vector<YAML::Node> maps;
    if (value.IsMap()) {
      maps.push_back(value);
    } else {
      for (const auto& item : value) {
        if (!item.IsMap()) return Err("a value list mixes maps and plain values");
        maps.push_back(item);
      }
    }
    for (const auto& m : maps) {
      std::vector<FieldTest::Nested> alternative;
      std::vector<std::pair<std::string, YAML::Node>> flat;
      std::function<void(const std::string&, const YAML::Node&)> flatten =
          [&](const std::string& prefix, const YAML::Node& node) {
            for (auto it = node.begin(); it != node.end(); ++it) {
              std::string key = prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
              if (it->second.IsMap()) {
                flatten(key, it->second);
              } else {
                flat.emplace_back(key, it->second);
              }
            }
          };
      flatten("", m);
      for (auto& [key, node] : flat) {
        auto inner = CompileFieldTest(key, node, false);
        if (!inner) return tl::unexpected(inner.error());
        // An empty key (or only modifiers) names no field: there is no path to match it at.
        if (inner->field == FieldTest::kKeywords)
          return Err("nested map keys must be field names, got '" + key + "'");
        if (!inner->nested.empty() || inner->all || inner->negate)
          return Err("nested map values support plain values only");
        alternative.push_back({set_.field_paths()[inner->field], std::move(inner->patterns)});
      }
      test.nested.push_back(std::move(alternative));
    }
    return test;
  }

  Result<FieldTest> CompileFieldTest(const std::string& key, const YAML::Node& value,
                                     bool keyword) {
    FieldTest test;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t bar = key.find('|', start);
      parts.push_back(key.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    std::string field = parts[0];
    std::vector<Mod> mods;
    uint32_t set = 0;
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string& m = parts[i];
      static const std::set<std::string> kTime = {"minute", "hour", "day", "week", "month", "year"};
      if (kTime.count(m))
        return Fail(ErrorCode::kUnsupported, "time modifier '|" + m + "' is not supported");
      auto it = ModifierNames().find(m);
      if (it == ModifierNames().end()) return Err("unknown modifier '|" + m + "' on '" + key + "'");
      if (set & it->second) return Err("modifier '|" + m + "' given twice on '" + key + "'");
      set |= it->second;
      mods.push_back(it->second);
    }
    // Combinations.
    if (PopCount(set & kPosition) > 1) return Err("'" + key + "': contains/startswith/endswith are exclusive");
    if ((set & (kReI | kReM | kReS)) && !(set & kRe)) return Err("'" + key + "': i/m/s need |re");
    if ((set & kRe) && (set & ~(kRe | kReI | kReM | kReS | kAll | kExpand | kNeq | kCased)))
      return Err("'" + key + "': |re cannot be combined with other value modifiers");
    if ((set & kCidr) && (set & ~(kCidr | kAll | kExpand | kNeq)))
      return Err("'" + key + "': |cidr cannot be combined with string modifiers");
    if ((set & kExists) && set != kExists) return Err("'" + key + "': |exists stands alone");
    if (PopCount(set & kCompareMods) > 1 ||
        ((set & kCompareMods) && (set & ~(kCompareMods | kAll | kExpand))))
      return Err("'" + key + "': gt/gte/lt/lte stand alone");
    if ((set & kFieldref) && (set & ~(kFieldref | kCased | kNeq | kAll)))
      return Err("'" + key + "': |fieldref combines only with |cased and |neq");
    if ((set & (kBase64 | kBase64Offset)) == (kBase64 | kBase64Offset))
      return Err("'" + key + "': base64 and base64offset are exclusive");
    if (PopCount(set & (kUtf16 | kUtf16le | kUtf16be)) > 1)
      return Err("'" + key + "': choose one of utf16/utf16le/utf16be/wide");
    if (keyword && (set & (kExists | kFieldref)))
      return Err("keywords cannot use |exists or |fieldref");

    if (keyword || field.empty()) {
      test.field = FieldTest::kKeywords;
      keyword = true;
    } else {
      test.field = set_.InternField(MapField(field));
    }
    test.all = set & kAll;
    test.negate = set & kNeq;

    if ((value.IsMap() || (value.IsSequence() && value.size() > 0 && value[0].IsMap())) && !keyword) {
      if (set) return Err("'" + key + "': map values take no modifiers");
      return CompileNested(std::move(test), value);
    }
    std::vector<YAML::Node> values;
    if (value.IsSequence()) {
      for (const auto& v : value) values.push_back(v);
      if (values.empty()) return Err("'" + key + "': empty value list");
    } else {
      values.push_back(value);
    }
    for (const auto& v : values) {
      line_ = LineOf(v);
      if (v.IsMap() || v.IsSequence()) return Err("'" + key + "': nested lists are not values");
      auto status = CompileValue(test, key, v, mods, set, keyword);
      if (!status) return tl::unexpected(status.error());
    }
    if (test.all && test.patterns.size() < 2 && values.size() < 2) {
      // Spec: |all on a single value is not allowed; it is harmless, so accept it.
    }
    return test;
  }

  Status CompileValue(FieldTest& test, const std::string& key, const YAML::Node& v,
                      const std::vector<Mod>& mods, uint32_t set, bool keyword) {
    bool null = IsYamlNull(v);
    std::string text = null ? "" : v.Scalar();
    bool plain = IsPlain(v);
    if (set & kExists) {
      Pattern p;
      p.kind = PatternKind::kExists;
      if (text == "true" || text == "True" || text == "yes") {
        p.exists = true;
      } else if (text == "false" || text == "False" || text == "no") {
        p.exists = false;
      } else {
        return Err("'" + key + "|exists' needs true or false");
      }
      test.patterns.push_back(p);
      return Ok();
    }
    if (null) {
      if (set & ~(kAll | kNeq)) return Err("'" + key + "': null takes no modifiers");
      if (keyword) return Err("null is not a keyword");
      Pattern p;
      p.kind = PatternKind::kNull;
      test.patterns.push_back(p);
      return Ok();
    }
    // Placeholder expansion.
    std::vector<std::string> texts{text};
    if (set & kExpand) {
      texts.clear();
      size_t a = text.find('%');
      size_t b = a == std::string::npos ? a : text.find('%', a + 1);
      if (b == std::string::npos) return Err("'" + key + "|expand': value has no %placeholder%");
      std::string name = text.substr(a + 1, b - a - 1);
      auto it = settings_.placeholders.find(name);
      if (it == settings_.placeholders.end())
        return Fail(ErrorCode::kUnsupported, "placeholder %" + name +
                                                 "% has no values (give a placeholders file)");
      for (const std::string& repl : it->second)
        texts.push_back(text.substr(0, a) + repl + text.substr(b + 1));
      plain = false;
    }
    for (const std::string& t : texts) {
      if (set & kCompareMods) {
        double bound;
        if (!LooksNumeric(t, bound)) return Err("'" + key + "' needs a number, got '" + t + "'");
        Pattern p;
        p.kind = PatternKind::kCompare;
        p.op = (set & kGt) ? CompareOp::kGt : (set & kGte) ? CompareOp::kGte
               : (set & kLt) ? CompareOp::kLt : CompareOp::kLte;
        p.bound = bound;
        test.patterns.push_back(p);
        continue;
      }
      if (set & kRe) {
        std::string prefix;
        if (set & (kReI | kReM | kReS)) {
          prefix = "(?";
          if (set & kReI) prefix += 'i';
          if (set & kReM) prefix += 'm';
          if (set & kReS) prefix += 's';
          prefix += ')';
        }
        re2::RE2::Options options;
        options.set_log_errors(false);
        options.set_never_capture(true);
        auto re = std::make_shared<re2::RE2>(prefix + t, options);
        if (!re->ok()) return Err("'" + key + "': regular expression not supported by RE2: " + re->error());
        Pattern p;
        p.kind = PatternKind::kRegex;
        p.regex = std::move(re);
        test.patterns.push_back(std::move(p));
        continue;
      }
      if (set & kCidr) {
        Pattern p;
        p.kind = PatternKind::kCidr;
        size_t slash = t.find('/');
        std::string addr = t.substr(0, slash);
        unsigned char bytes[16] = {};
        if (inet_pton(AF_INET, addr.c_str(), bytes) == 1) {
          p.family = 4;
        } else if (inet_pton(AF_INET6, addr.c_str(), bytes) == 1) {
          p.family = 6;
        } else {
          return Err("'" + key + "': bad CIDR '" + t + "'");
        }
        int max = p.family == 4 ? 32 : 128;
        p.prefix_len = max;
        if (slash != std::string::npos) {
          double len;
          if (!LooksNumeric(t.substr(slash + 1), len) || len < 0 || len > max)
            return Err("'" + key + "': bad CIDR prefix in '" + t + "'");
          p.prefix_len = static_cast<int>(len);
        }
        std::copy(bytes, bytes + 16, p.network.begin());
        test.patterns.push_back(p);
        continue;
      }
      if (set & kFieldref) {
        Pattern p;
        p.kind = PatternKind::kFieldRef;
        p.cased = set & kCased;
        p.ref_field = set_.InternField(MapField(t));
        test.patterns.push_back(p);
        continue;
      }
      // String forms.
      std::vector<Tokens> variants;
      double number = 0;
      bool is_number = plain && LooksNumeric(t, number);
      bool is_bool = plain && (t == "true" || t == "false" || t == "True" || t == "False" ||
                               t == "TRUE" || t == "FALSE");
      if (is_bool) {
        std::string lowered = t;
        for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        variants.push_back(Literal(lowered));
      } else if (is_number) {
        variants.push_back(Literal(t));
      } else {
        variants.push_back(ParseWildcards(t));
      }
      bool cased = set & kCased;
      for (Mod m : mods) {
        std::vector<Tokens> next;
        switch (m) {
          case kWindash:
            for (const auto& v : variants)
              for (auto& w : Windash(v)) next.push_back(std::move(w));
            break;
          case kUtf16:
          case kUtf16le:
          case kUtf16be:
            for (const auto& v : variants) next.push_back(EncodeUtf16(v, m == kUtf16be, m == kUtf16));
            break;
          case kBase64:
          case kBase64Offset:
            for (const auto& v : variants) {
              if (HasWildcard(v))
                return Err("'" + key + "': base64 of a value with wildcards is undefined");
              std::string bytes = ToBytes(v);
              if (m == kBase64) {
                next.push_back(Literal(Base64(bytes)));
              } else {
                static const size_t kStart[] = {0, 2, 3};
                static const int kEnd[] = {0, -3, -2};
                for (size_t i = 0; i < 3; ++i) {
                  std::string enc = Base64(std::string(i, ' ') + bytes);
                  int end_cut = kEnd[(bytes.size() + i) % 3];
                  size_t end = end_cut == 0 ? enc.size() : enc.size() - static_cast<size_t>(-end_cut);
                  if (kStart[i] >= end) continue;
                  next.push_back(Literal(enc.substr(kStart[i], end - kStart[i])));
                }
              }
            }
            break;
          default: continue;
        }
        variants = std::move(next);
      }
      for (auto& v : variants) {
        if ((set & kContains) || (keyword && !(set & (kStartswith | kEndswith)))) {
          if (v.empty() || v.front() != Pattern::kGlobStar) v.insert(v.begin(), Pattern::kGlobStar);
          if (v.back() != Pattern::kGlobStar) v.push_back(Pattern::kGlobStar);
        } else if (set & kStartswith) {
          if (v.empty() || v.back() != Pattern::kGlobStar) v.push_back(Pattern::kGlobStar);
        } else if (set & kEndswith) {
          if (v.empty() || v.front() != Pattern::kGlobStar) v.insert(v.begin(), Pattern::kGlobStar);
        }
        Pattern p = CompileTokens(v, cased);
        if (is_number && p.kind == PatternKind::kExact) p.number = number;
        test.patterns.push_back(std::move(p));
      }
    }
    (void)key;
    return Ok();
  }

  RuleSet& set_;
  const Settings& settings_;
  std::optional<LogType> type_;
  int line_ = 0;
};

// ---- documents ----------------------------------------------------------------------------

struct Document {
  YAML::Node node;
  std::string file;
  int line = 0;
};

YAML::Node Merge(const YAML::Node& base, const YAML::Node& over) {
  if (!base.IsMap() || !over.IsMap()) return YAML::Clone(over);
  YAML::Node out = YAML::Clone(base);
  for (auto it = over.begin(); it != over.end(); ++it) {
    std::string key = it->first.Scalar();
    if (out[key] && out[key].IsMap() && it->second.IsMap()) {
      out[key] = Merge(out[key], it->second);
    } else {
      out[key] = YAML::Clone(it->second);
    }
  }
  return out;
}

// Splits one file into rule documents, applying `action: global/reset/repeat`.
void ReadDocuments(const std::string& file, const std::string& text, std::vector<Document>& docs,
                   LoadResult& result) {
  if (auto hazard = FindYamlHazard(text)) {
    result.rejected.push_back({file, hazard->line, "YAML syntax error: " + hazard->reason});
    return;
  }
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    result.rejected.push_back({file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                               "YAML syntax error: " + e.msg});
    return;
  } catch (const std::exception& e) {
    result.rejected.push_back({file, 0, std::string("YAML error: ") + e.what()});
    return;
  }
  YAML::Node global;
  YAML::Node previous;
  for (YAML::Node& node : nodes) {
    if (node.IsNull()) continue;
    int line = LineOf(node);
    if (!node.IsMap()) {
      result.rejected.push_back({file, line, "a rule document must be a YAML map"});
      continue;
    }
    std::string action = ScalarOr(node, "action");
    if (action == "global") {
      node.remove("action");
      global.reset(node);
      continue;
    }
    if (action == "reset") {
      global.reset();
      continue;
    }
    YAML::Node doc = node;
    if (action == "repeat") {
      if (!previous.IsMap()) {
        result.rejected.push_back({file, line, "'action: repeat' without a previous document"});
        continue;
      }
      doc.reset(Merge(previous, node));
      doc.remove("action");
    } else if (!action.empty()) {
      result.rejected.push_back({file, line, "unknown collection action '" + action + "'"});
      continue;
    }
    if (global.IsMap()) doc.reset(Merge(global, doc));
    previous.reset(doc);
    docs.push_back({doc, file, line});
  }
}

Result<int64_t> ParseTimespan(const std::string& s) {
  if (s.size() < 2) return Fail(ErrorCode::kMalformed, "bad timespan '" + s + "'");
  double n;
  char unit = s.back();
  if (!LooksNumeric(s.substr(0, s.size() - 1), n) || n <= 0)
    return Fail(ErrorCode::kMalformed, "bad timespan '" + s + "'");
  int64_t scale = unit == 's' ? 1000 : unit == 'm' ? 60000 : unit == 'h' ? 3600000
                : unit == 'd' ? 86400000 : unit == 'w' ? 604800000 : 0;
  if (!scale) return Fail(ErrorCode::kMalformed, "bad timespan unit in '" + s + "' (use s, m, h, d)");
  return static_cast<int64_t>(n * static_cast<double>(scale));
}

struct PendingCorrelation {
  Rule* rule;
  std::vector<std::string> refs;
  std::map<std::string, std::map<std::string, std::string>> aliases;
  Document doc;
};

struct PendingFilter {
  Document doc;
  std::string title;
  std::vector<std::string> refs;
};

void FillMetadata(Rule& rule, const Document& doc) {
  const YAML::Node& n = doc.node;
  rule.file = doc.file;
  rule.line = doc.line;
  rule.ref.id = ScalarOr(n, "id");
  rule.ref.title = ScalarOr(n, "title");
  rule.name = ScalarOr(n, "name");
  rule.status = ScalarOr(n, "status");
  rule.description = ScalarOr(n, "description");
  rule.author = ScalarOr(n, "author");
  std::string level = ScalarOr(n, "level");
  rule.ref.level = level.empty() ? Level::kMedium : LevelFromName(level);
  if (n["tags"] && n["tags"].IsSequence()) {
    for (const auto& t : n["tags"])
      if (t.IsScalar()) rule.ref.tags.push_back(t.Scalar());
  }
  if (n["logsource"] && n["logsource"].IsMap()) {
    rule.product = ScalarOr(n["logsource"], "product");
    rule.service = ScalarOr(n["logsource"], "service");
    rule.category = ScalarOr(n["logsource"], "category");
  }
  rule.log_type = LogTypeForLogsource(rule.product, rule.service, rule.category);
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return static_cast<bool>(in) || in.eof();
}

void LoadSettings(const LoadOptions& options, Settings& settings, LoadResult& result) {
  settings.filter_by_logsource = options.filter_by_logsource;
  DefaultFieldMaps(settings.field_maps);
  try {
    if (!options.placeholders_file.empty()) {
      YAML::Node root = YAML::LoadFile(options.placeholders_file);
      if (!root.IsMap()) {
        result.rejected.push_back({options.placeholders_file, 0, "placeholders file must be a map"});
      } else {
        for (auto it = root.begin(); it != root.end(); ++it) {
          auto& list = settings.placeholders[it->first.Scalar()];
          // A copy: `it->` yields a temporary proxy, and a range-for over its member would
          // outlive it.
          const YAML::Node values = it->second;
          if (values.IsSequence()) {
            for (const auto& v : values) list.push_back(v.Scalar());
          } else if (it->second.IsScalar()) {
            list.push_back(it->second.Scalar());
          }
        }
      }
    }
    if (!options.field_mappings_file.empty()) {
      // { cloudtrail|vpcflow|guardduty|s3access: { sigma_name: record_key } }
      YAML::Node root = YAML::LoadFile(options.field_mappings_file);
      if (!root.IsMap()) {
        result.rejected.push_back({options.field_mappings_file, 0, "field mappings file must be a map"});
      } else {
        for (auto it = root.begin(); it != root.end(); ++it) {
          auto type = LogTypeFromName(it->first.Scalar());
          if (!type || !it->second.IsMap()) {
            result.warnings.push_back({options.field_mappings_file, LineOf(it->first),
                                       "unknown log type '" + it->first.Scalar() + "'"});
            continue;
          }
          FieldMap& m = settings.field_maps[static_cast<int>(*type)];
          for (auto f = it->second.begin(); f != it->second.end(); ++f)
            m[f->first.Scalar()] = f->second.Scalar();
        }
      }
    }
  } catch (const YAML::Exception& e) {
    result.rejected.push_back({options.placeholders_file.empty() ? options.field_mappings_file
                                                                 : options.placeholders_file,
                               e.mark.line + 1, "cannot read settings: " + e.msg});
  }
}

}  // namespace

std::unique_ptr<MatchIndex> BuildMatchIndex(RuleSet& set);

LoadResult LoadRules(const std::vector<std::string>& paths, const std::vector<RuleText>& texts,
                     const LoadOptions& options) {
  LoadResult result;
  auto set = std::make_shared<RuleSet>();
  Settings settings;
  LoadSettings(options, settings, result);

  // Files: folders recursively (*.yml, *.yaml), sorted for a stable rule order. Each is read
  // and parsed apart (YAML parsing is most of the load; files parse in parallel) and their
  // documents and problems joined in that order, so the result is the same for any thread count.
  struct Source {
    std::string file;
    std::optional<RuleProblem> problem;  // a folder that cannot be listed, a missing path
    const std::string* text = nullptr;   // an in-memory text (`texts`), else the file is read
    std::vector<Document> docs;
    LoadResult found;
  };
  std::vector<Source> sources;
  for (const std::string& path : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    if (std::filesystem::is_directory(path, ec)) {
      for (auto it = std::filesystem::recursive_directory_iterator(
               path, std::filesystem::directory_options::skip_permission_denied, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        std::string ext = it->path().extension().string();
        if (ext == ".yml" || ext == ".yaml") files.push_back(it->path().string());
      }
      if (ec) sources.push_back({path, RuleProblem{path, 0, "cannot list folder: " + ec.message()}, nullptr, {}, {}});
      std::sort(files.begin(), files.end());
    } else if (std::filesystem::exists(path, ec)) {
      files.push_back(path);
    } else {
      sources.push_back({path, RuleProblem{path, 0, "no such file or folder"}, nullptr, {}, {}});
    }
    for (std::string& f : files) sources.push_back({std::move(f), std::nullopt, nullptr, {}, {}});
  }
  for (const RuleText& t : texts) sources.push_back({t.name, std::nullopt, &t.text, {}, {}});
  auto read_source = [](Source& source) {
    if (source.text != nullptr) {
      ReadDocuments(source.file, *source.text, source.docs, source.found);
      return;
    }
    std::string text;
    if (!ReadFile(source.file, text)) {
      source.found.rejected.push_back({source.file, 0, "cannot read file"});
      return;
    }
    ReadDocuments(source.file, text, source.docs, source.found);
  };
  constexpr size_t kFilesPerThread = 64;  // below this, a thread costs more than it saves
  const size_t cores = options.threads > 0 ? static_cast<size_t>(options.threads)
                                           : std::max(1u, std::thread::hardware_concurrency());
  const size_t threads = std::min<size_t>({cores, 8, sources.size() / kFilesPerThread + 1});
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < sources.size();) {
      if (!sources[i].problem) read_source(sources[i]);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  std::vector<Document> docs;
  for (Source& source : sources) {
    if (source.problem) result.rejected.push_back(*source.problem);
    for (auto& p : source.found.rejected) result.rejected.push_back(std::move(p));
    for (auto& w : source.found.warnings) result.warnings.push_back(std::move(w));
    for (auto& d : source.docs) docs.push_back(std::move(d));
  }

  auto& rules = RuleSetBuilder::Rules(*set);
  std::vector<PendingCorrelation> correlations;
  std::vector<PendingFilter> filters;
  std::set<std::string> seen_ids;

  for (Document& doc : docs) {
    const YAML::Node& n = doc.node;
    auto reject = [&](int line, const std::string& reason) {
      result.rejected.push_back({doc.file, line ? line : doc.line, reason});
    };
    try {
      if (n["filter"]) {
        PendingFilter f{doc, ScalarOr(n, "title"), {}};
        YAML::Node refs = n["filter"]["rules"];
        if (refs && refs.IsSequence()) {
          for (const auto& r : refs) f.refs.push_back(r.Scalar());
        } else if (refs && refs.IsScalar()) {
          f.refs.push_back(refs.Scalar());
        } else {
          reject(LineOf(n["filter"]), "filter has no 'rules' list");
          continue;
        }
        filters.push_back(std::move(f));
        continue;
      }
      auto rule = std::make_unique<Rule>();
      FillMetadata(*rule, doc);
      if (rule->ref.title.empty()) {
        reject(0, "rule has no title");
        continue;
      }
      if (!rule->ref.id.empty() && !seen_ids.insert(rule->ref.id).second) {
        result.warnings.push_back({doc.file, LineOf(n["id"]),
                                   "duplicate rule id " + rule->ref.id + " (lookups by id find the first)"});
      }
      if (n["correlation"]) {
        YAML::Node c = n["correlation"];
        if (!c.IsMap()) {
          reject(LineOf(c), "'correlation' must be a map");
          continue;
        }
        auto corr = std::make_unique<Correlation>();
        std::string type = ScalarOr(c, "type");
        static const std::map<std::string, CorrelationType> kTypes = {
            {"event_count", CorrelationType::kEventCount},
            {"value_count", CorrelationType::kValueCount},
            {"temporal", CorrelationType::kTemporal},
            {"temporal_ordered", CorrelationType::kTemporalOrdered},
            {"value_sum", CorrelationType::kValueSum},
            {"value_avg", CorrelationType::kValueAvg}};
        auto ti = kTypes.find(type);
        if (ti == kTypes.end()) {
          reject(LineOf(c["type"]), type == "value_percentile"
                                        ? "correlation type value_percentile is not supported"
                                        : "unknown correlation type '" + type + "'");
          continue;
        }
        corr->type = ti->second;
        PendingCorrelation pending{rule.get(), {}, {}, doc};
        YAML::Node refs = c["rules"];
        if (refs && refs.IsSequence()) {
          for (const auto& r : refs) pending.refs.push_back(r.Scalar());
        } else if (refs && refs.IsScalar()) {
          pending.refs.push_back(refs.Scalar());
        }
        if (pending.refs.empty()) {
          reject(LineOf(c), "correlation has no 'rules'");
          continue;
        }
        YAML::Node group = c["group-by"];
        if (group && group.IsSequence()) {
          for (const auto& g : group) corr->group_by.push_back(g.Scalar());
        } else if (group && group.IsScalar()) {
          corr->group_by.push_back(group.Scalar());
        }
        auto span = ParseTimespan(ScalarOr(c, "timespan").empty() ? ScalarOr(c, "timeframe")
                                                                  : ScalarOr(c, "timespan"));
        if (!span) {
          reject(LineOf(c["timespan"]), "correlation: " + span.error().message);
          continue;
        }
        corr->timespan_ms = *span;
        YAML::Node cond = c["condition"];
        bool cond_ok = true;
        if (cond && cond.IsMap()) {
          for (auto it = cond.begin(); it != cond.end(); ++it) {
            std::string k = it->first.Scalar();
            if (k == "field") {
              corr->field = it->second.Scalar();
              continue;
            }
            double v;
            if (!LooksNumeric(it->second.Scalar(), v)) {
              reject(LineOf(it->second), "correlation condition '" + k + "' needs a number");
              cond_ok = false;
              break;
            }
            if (k == "gt") corr->condition.gt = v;
            else if (k == "gte") corr->condition.gte = v;
            else if (k == "lt") corr->condition.lt = v;
            else if (k == "lte") corr->condition.lte = v;
            else if (k == "eq") corr->condition.eq = v;
            else if (k == "neq") corr->condition.neq = v;
            else {
              reject(LineOf(it->first), "unknown correlation condition '" + k + "'");
              cond_ok = false;
              break;
            }
          }
        } else if (cond) {
          reject(LineOf(cond), "correlation condition must be a map");
          continue;
        }
        if (!cond_ok) continue;
        bool temporal = corr->type == CorrelationType::kTemporal ||
                        corr->type == CorrelationType::kTemporalOrdered;
        if (!cond && !temporal) {
          reject(LineOf(c), "correlation needs a condition");
          continue;
        }
        if (!cond) corr->condition.gte = static_cast<double>(pending.refs.size());
        bool needs_field = corr->type == CorrelationType::kValueCount ||
                           corr->type == CorrelationType::kValueSum ||
                           corr->type == CorrelationType::kValueAvg;
        if (needs_field && corr->field.empty()) {
          reject(LineOf(cond), "correlation type " + type + " needs condition.field");
          continue;
        }
        YAML::Node gen = c["generate"] ? c["generate"] : n["generate"];
        corr->generate = gen && gen.IsScalar() && (gen.Scalar() == "true" || gen.Scalar() == "yes");
        YAML::Node aliases = c["aliases"];
        if (aliases && aliases.IsMap()) {
          for (auto it = aliases.begin(); it != aliases.end(); ++it) {
            if (!it->second.IsMap()) continue;
            for (auto f = it->second.begin(); f != it->second.end(); ++f)
              pending.aliases[it->first.Scalar()][f->first.Scalar()] = f->second.Scalar();
          }
        }
        rule->correlation = std::move(corr);
        correlations.push_back(std::move(pending));
        rules.push_back(std::move(rule));
        continue;
      }
      if (!n["detection"]) {
        reject(0, "not a Sigma rule: no 'detection', 'correlation' or 'filter'");
        continue;
      }
      if (!n["logsource"] || !n["logsource"].IsMap()) {
        reject(LineOf(n["logsource"]), "rule has no 'logsource' map");
        continue;
      }
      DetectionCompiler compiler(*set, settings, rule->log_type);
      auto detection = compiler.Compile(n["detection"], {});
      if (!detection) {
        reject(compiler.line(), detection.error().message);
        continue;
      }
      rule->detection = std::move(*detection);
      if (!rule->log_type && settings.filter_by_logsource) {
        result.warnings.push_back(
            {doc.file, doc.line,
             "rule '" + rule->ref.title + "' has a non-AWS log source (product '" + rule->product +
                 "'); it will not match AWS events"});
      }
      rules.push_back(std::move(rule));
    } catch (const YAML::Exception& e) {
      reject(e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML error: " + e.msg);
    } catch (const std::exception& e) {
      reject(0, std::string("error: ") + e.what());
    }
  }

  RuleSetBuilder::Finish(*set, settings.filter_by_logsource);

  // Correlations: resolve references (id, name, then title), aliases and group fields.
  std::set<const Rule*> dropped;
  for (PendingCorrelation& p : correlations) {
    Correlation& c = *p.rule->correlation;
    std::string error;
    for (const std::string& ref : p.refs) {
      const Rule* base = set->FindByReference(ref);
      if (!base) {
        error = "correlation references unknown rule '" + ref + "'";
        break;
      }
      if (base->is_correlation()) {
        error = "correlation of correlation rules ('" + ref + "') is not supported";
        break;
      }
      c.rules.push_back(base);
    }
    if (error.empty()) {
      c.group_fields.assign(c.rules.size(), {});
      for (size_t i = 0; i < c.rules.size(); ++i) {
        for (const std::string& g : c.group_by) {
          std::string field = g;
          auto a = p.aliases.find(g);
          if (a != p.aliases.end()) {
            const Rule* base = c.rules[i];
            bool found = false;
            for (const auto& [ref_name, f] : a->second) {
              if (ref_name == p.refs[i] || ref_name == base->name || ref_name == base->ref.id ||
                  ref_name == base->ref.title) {
                field = f;
                found = true;
              }
            }
            if (!found) {
              error = "alias '" + g + "' has no field for rule '" + p.refs[i] + "'";
              break;
            }
          }
          c.group_fields[i].push_back(field);
        }
      }
    }
    if (!error.empty()) {
      result.rejected.push_back({p.doc.file, p.doc.line, error});
      dropped.insert(p.rule);
      continue;
    }
    if (!p.rule->log_type && !c.rules.empty()) p.rule->log_type = c.rules[0]->log_type;
  }
  // Base rules of generate:false correlations only are not standalone.
  {
    std::map<const Rule*, bool> generate;
    for (PendingCorrelation& p : correlations) {
      if (dropped.count(p.rule)) continue;
      for (const Rule* base : p.rule->correlation->rules)
        generate[base] = generate[base] || p.rule->correlation->generate;
    }
    for (auto& [base, gen] : generate) const_cast<Rule*>(base)->standalone = gen;
  }
  // Filters: compile against each named rule's log type and attach.
  for (PendingFilter& f : filters) {
    YAML::Node section = f.doc.node["filter"];
    for (const std::string& ref : f.refs) {
      const Rule* target = set->FindByReference(ref);
      if (!target || target->is_correlation()) {
        result.warnings.push_back({f.doc.file, f.doc.line,
                                   "filter '" + f.title + "' names unknown rule '" + ref + "'"});
        continue;
      }
      DetectionCompiler compiler(*set, settings, target->log_type);
      auto detection = compiler.Compile(section, {"rules"});
      if (!detection) {
        result.rejected.push_back({f.doc.file, compiler.line(), "filter: " + detection.error().message});
        break;
      }
      const_cast<Rule*>(target)->detection->filters.push_back(
          std::shared_ptr<const Detection>(std::move(*detection)));
    }
  }
  // Remove dropped correlations (rebuild the rule list and indexes).
  if (!dropped.empty()) {
    auto& list = RuleSetBuilder::Rules(*set);
    std::vector<std::unique_ptr<Rule>> kept;
    for (auto& r : list)
      if (!dropped.count(r.get())) kept.push_back(std::move(r));
    auto fresh = std::make_shared<RuleSet>();
    // Keep the interned fields: move them by re-interning in order.
    for (const std::string& path : set->field_paths()) fresh->InternField(path);
    RuleSetBuilder::Rules(*fresh) = std::move(kept);
    RuleSetBuilder::Finish(*fresh, settings.filter_by_logsource);
    set = fresh;
  }
  set->InternField("eventName");
  set->InternField("eventSource");
  RuleSetBuilder::SetIndex(*set, BuildMatchIndex(*set));
  result.loaded = set->size();
  result.rules = std::move(set);
  return result;
}

}  // namespace cloudward::detect
