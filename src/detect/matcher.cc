#include "detect/matcher.h"

#include <algorithm>
#include <optional>
#include <set>

#include "detect/detection.h"
#include "detect/matcher_index.h"

namespace cloudward::detect {
namespace {

using ValueSet = std::optional<std::set<std::string>>;  // nullopt: unconstrained

// The values `field` must equal (case-insensitively) for the condition to hold, if pinned.
ValueSet Pinned(const CondNode& node, const Detection& d, uint32_t field) {
  switch (node.op) {
    case CondNode::Op::kSelection: {
      std::set<std::string> out;
      for (const auto& alternative : d.selections[node.selection].alternatives) {
        bool pinned = false;
        for (const FieldTest& t : alternative) {
          if (t.field != field || t.all || t.negate || !t.nested.empty() || t.patterns.empty())
            continue;
          bool plain = std::all_of(t.patterns.begin(), t.patterns.end(), [](const Pattern& p) {
            return p.kind == PatternKind::kExact && !p.cased && !p.number;
          });
          if (!plain) continue;
          for (const Pattern& p : t.patterns) out.insert(p.text);
          pinned = true;
          break;
        }
        if (!pinned) return std::nullopt;
      }
      return out;
    }
    case CondNode::Op::kAnd: {
      ValueSet best;
      for (const CondNode& c : node.children) {
        ValueSet v = Pinned(c, d, field);
        if (v && (!best || v->size() < best->size())) best = std::move(v);
      }
      return best;
    }
    case CondNode::Op::kOr: {
      std::set<std::string> out;
      for (const CondNode& c : node.children) {
        ValueSet v = Pinned(c, d, field);
        if (!v) return std::nullopt;
        out.insert(v->begin(), v->end());
      }
      return out;
    }
    case CondNode::Op::kFalse: return std::set<std::string>{};
    default: return std::nullopt;
  }
}

// Lowercases `text` into `buf`; false if it does not fit.
bool Lower(std::string_view text, char* buf, size_t cap, std::string_view& out) {
  if (text.size() > cap) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  out = std::string_view(buf, text.size());
  return true;
}

// Whether `value` (as the reader saw it, any case) is a key of `map`; true when it cannot tell.
template <class Map>
bool MayBeListed(const Map& map, std::string_view value) {
  char buf[160];
  std::string_view key;
  if (value.empty() || !Lower(value, buf, sizeof(buf), key)) return true;
  return map.find(key) != map.end();
}

}  // namespace

std::unique_ptr<MatchIndex> BuildMatchIndex(RuleSet& set) {
  auto index = std::make_unique<MatchIndex>();
  index->event_name_field = set.InternField("eventName");
  index->event_source_field = set.InternField("eventSource");
  for (size_t i = 0; i < set.size(); ++i) {
    const Rule& rule = set.at(i);
    if (rule.is_correlation() || !rule.detection) continue;
    int slot = 0;
    if (set.filter_by_logsource()) {
      if (!rule.log_type) continue;
      slot = static_cast<int>(*rule.log_type);
    }
    MatchIndex::PerType& t = index->types[slot];
    ++t.rules;
    uint32_t id = static_cast<uint32_t>(i);
    ValueSet names = Pinned(rule.detection->condition, *rule.detection, index->event_name_field);
    if (names) {
      for (const std::string& n : *names) t.by_name[n].push_back(id);
      continue;
    }
    ValueSet sources = Pinned(rule.detection->condition, *rule.detection, index->event_source_field);
    if (sources) {
      for (const std::string& s : *sources) t.by_source[s].push_back(id);
      continue;
    }
    t.fallback.push_back(id);
  }
  return index;
}

Matcher::Matcher(std::shared_ptr<const RuleSet> rules)
    : rules_(std::move(rules)), view_(std::make_unique<EventView>(*rules_)) {
  candidates_.reserve(256);
}

Matcher::~Matcher() = default;

bool Matcher::MayMatch(const Event& event) const {
  const MatchIndex& index = rules_->index();
  const MatchIndex::PerType& t =
      index.types[rules_->filter_by_logsource() ? static_cast<int>(event.type) : 0];
  if (t.rules == 0) return false;
  if (!t.fallback.empty() || (event.event_name.empty() && event.event_source.empty())) return true;
  return (!t.by_name.empty() && MayBeListed(t.by_name, event.event_name)) ||
         (!t.by_source.empty() && MayBeListed(t.by_source, event.event_source));
}

void Matcher::Match(const Event& event, std::vector<const Rule*>& out) {
  out.clear();
  candidates_.clear();
  const MatchIndex& index = rules_->index();
  const MatchIndex::PerType& t =
      index.types[rules_->filter_by_logsource() ? static_cast<int>(event.type) : 0];
  if (t.rules == 0 || !MayMatch(event)) return;
  view_->Reset(event.Record());
  char buf[160];
  std::string_view key;
  auto lookup = [&](uint32_t field, const auto& map) {
    if (map.empty()) return;
    EventView::Values values = view_->Get(field);
    for (uint32_t i = values.begin; i < values.end; ++i) {
      const Leaf& leaf = view_->leaf(i);
      if (leaf.kind == Leaf::Kind::kNull || leaf.kind == Leaf::Kind::kJson) continue;
      if (!Lower(leaf.Text(), buf, sizeof(buf), key)) continue;
      auto it = map.find(key);
      if (it != map.end()) candidates_.insert(candidates_.end(), it->second.begin(), it->second.end());
    }
  };
  lookup(index.event_name_field, t.by_name);
  lookup(index.event_source_field, t.by_source);
  candidates_.insert(candidates_.end(), t.fallback.begin(), t.fallback.end());
  std::sort(candidates_.begin(), candidates_.end());
  candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
  for (uint32_t id : candidates_) {
    const Rule& rule = rules_->at(id);
    if (rule.detection->Matches(*view_)) out.push_back(&rule);
  }
}

bool Matcher::MatchRule(const Rule& rule, const Event& event) {
  if (!rule.detection) return false;
  view_->Reset(event.Record());
  return rule.detection->Matches(*view_);
}

}  // namespace cloudward::detect
