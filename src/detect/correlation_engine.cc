#include "detect/correlation_engine.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/time.h"
#include "detect/detection.h"

namespace cloudward::detect {
namespace {

constexpr int64_t kMinLateness = 3600 * 1000;  // 1 h

std::string FirstText(EventView& view, simdjson::dom::element record, std::string_view path,
                      std::vector<Leaf>& scratch, bool& found) {
  scratch.clear();
  view.Resolve(record, path, scratch, found);
  std::string out;
  for (const Leaf& leaf : scratch) {
    if (leaf.kind == Leaf::Kind::kNull) continue;
    if (!out.empty()) out += ',';
    out += leaf.Text();
  }
  return out;
}

bool NumberOf(EventView& view, simdjson::dom::element record, std::string_view path,
              std::vector<Leaf>& scratch, double& out) {
  scratch.clear();
  bool found = false;
  view.Resolve(record, path, scratch, found);
  for (const Leaf& leaf : scratch) {
    if (leaf.kind == Leaf::Kind::kNumber) {
      out = leaf.number;
      return true;
    }
    if (leaf.kind == Leaf::Kind::kString) {
      auto [p, ec] = std::from_chars(leaf.string.data(), leaf.string.data() + leaf.string.size(), out);
      if (ec == std::errc() && p == leaf.string.data() + leaf.string.size()) return true;
    }
  }
  return false;
}

}  // namespace

namespace {
// One correlation's reading of an event: its group key and values, and the entry to add.
struct Observation {
  uint32_t state = 0;
  std::string key;
  std::vector<std::string> values;
  CorrelationEngine::Entry entry;
};
}  // namespace

struct CorrelationEngine::Scratch {
  explicit Scratch(const RuleSet& rules) : view(rules) {}
  EventView view;
  std::vector<Leaf> leaves;
  std::vector<Observation> observations;
};

std::unique_ptr<CorrelationEngine::Scratch> CorrelationEngine::TakeScratch() {
  {
    std::lock_guard<std::mutex> lock(scratch_mutex_);
    if (!spare_scratch_.empty()) {
      auto scratch = std::move(spare_scratch_.back());
      spare_scratch_.pop_back();
      return scratch;
    }
  }
  return std::make_unique<Scratch>(*rules_);
}

void CorrelationEngine::ReturnScratch(std::unique_ptr<Scratch> scratch) {
  std::lock_guard<std::mutex> lock(scratch_mutex_);
  spare_scratch_.push_back(std::move(scratch));
}

CorrelationEngine::CorrelationEngine(std::shared_ptr<const RuleSet> rules)
    : rules_(std::move(rules)) {
  wanted_.resize(rules_->size());
  for (size_t i = 0; i < rules_->size(); ++i) {
    const Rule& r = rules_->at(i);
    if (!r.is_correlation()) continue;
    uint32_t state = static_cast<uint32_t>(states_.size());
    states_.push_back(State{&r, {}});
    const Correlation& c = *r.correlation;
    for (size_t k = 0; k < c.rules.size(); ++k) {
      auto& w = wanted_[c.rules[k]->index];
      bool seen = std::any_of(w.begin(), w.end(), [&](auto& p) { return p.first == state; });
      if (!seen) w.emplace_back(state, static_cast<uint32_t>(k));
    }
  }
}

CorrelationEngine::~CorrelationEngine() = default;

bool CorrelationEngine::Wants(const Rule& base) const {
  return base.index < wanted_.size() && !wanted_[base.index].empty() &&
         &rules_->at(base.index) == &base;
}

uint64_t CorrelationEngine::late_events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return late_;
}

uint64_t CorrelationEngine::untimed_events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return untimed_;
}

void CorrelationEngine::Observe(const Rule& base, const Event& event, const EventContext& context) {
  if (!Wants(base)) return;
  Observe(base, event, std::make_shared<const EventContext>(context));
}

void CorrelationEngine::Observe(const Rule& base, const Event& event, std::shared_ptr<const EventContext> context) {
  if (!Wants(base)) return;
  int64_t time = context->time_ms != kUnknownTime ? context->time_ms : event.time_ms;
  if (time == kUnknownTime) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++untimed_;
    return;
  }
  // The event's fields are read outside the lock (workers do that in parallel); only the group
  // bookkeeping below is serialised.
  std::unique_ptr<Scratch> scratch = TakeScratch();
  const simdjson::dom::element record = event.Record();
  scratch->view.Reset(record);
  const auto& wanted = wanted_[base.index];
  scratch->observations.resize(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    const auto [state_index, pos] = wanted[i];
    const Correlation& c = *states_[state_index].rule->correlation;
    Observation& o = scratch->observations[i];
    o.state = state_index;
    o.key.clear();
    o.values.clear();
    for (const std::string& field : c.group_fields[pos]) {
      bool found = false;
      o.values.push_back(FirstText(scratch->view, record, field, scratch->leaves, found));
      o.key += o.values.back();
      o.key += '\x1f';
    }
    Entry& entry = o.entry;
    entry = Entry{};
    entry.time = time;
    entry.rule_pos = pos;
    entry.offset = event.source.offset;
    entry.context = context;
    if (c.type == CorrelationType::kValueCount) {
      bool found = false;
      entry.value = FirstText(scratch->view, record, c.field, scratch->leaves, found);
      entry.has_value = found && !entry.value.empty();
    } else if (c.type == CorrelationType::kValueSum || c.type == CorrelationType::kValueAvg) {
      entry.has_value = NumberOf(scratch->view, record, c.field, scratch->leaves, entry.number);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto file_it = file_ids_.find(event.source.file);
    if (file_it == file_ids_.end()) {
      file_it = file_ids_.emplace(std::string(event.source.file), static_cast<uint32_t>(files_.size())).first;
      files_.emplace_back(event.source.file);
    }
    for (Observation& o : scratch->observations) {
      State& state = states_[o.state];
      const Correlation& c = *state.rule->correlation;
      auto group_it = state.groups.find(o.key);
      if (group_it == state.groups.end()) group_it = state.groups.emplace(o.key, Group{.values = o.values}).first;
      Group& group = group_it->second;
      if (time < group.frontier || time <= watermark_) {
        ++late_;
        continue;
      }
      group.newest = std::max(group.newest, time);
      o.entry.file = file_it->second;
      group.pending.push_back(std::move(o.entry));
      if (group.pending.size() > kMaxPendingPerGroup) {
        int64_t up_to = group.newest - std::max(c.timespan_ms, kMinLateness);
        Replay(state, group, up_to, false, buffered_);
      }
    }
  }
  ReturnScratch(std::move(scratch));
}

void CorrelationEngine::Fire(const State& state, const Group& group,
                             const std::vector<const Entry*>& entries, double metric, int64_t time,
                             std::vector<Finding>& out) {
  if (entries.empty()) return;
  const Rule& rule = *state.rule;
  const Correlation& c = *rule.correlation;
  const Entry* latest = entries.back();
  for (const Entry* e : entries)
    if (e->time >= latest->time) latest = e;
  Finding f;
  f.rule = rule.ref;
  f.log_type = c.rules.empty() || !c.rules[0]->log_type ? rule.log_type.value_or(LogType::kCloudTrail)
                                                       : *c.rules[0]->log_type;
  if (latest->context) f.context = *latest->context;
  f.context.time_ms = time;
  f.source_file = files_[latest->file];
  f.source_offset = latest->offset;
  for (size_t j = 0; j < c.group_by.size() && j < group.values.size(); ++j)
    f.group.emplace_back(c.group_by[j], group.values[j]);
  for (const Entry* e : entries) {
    if (f.related.size() >= kMaxRelated) break;
    f.related.push_back(files_[e->file] + ":" + std::to_string(e->offset));
  }
  nlohmann::json record;
  record["correlation"] = std::string(CorrelationTypeName(c.type));
  record["count"] = entries.size();
  if (c.type != CorrelationType::kEventCount) record["value"] = metric;
  nlohmann::json group_json = nlohmann::json::object();
  for (const auto& [k, v] : f.group) group_json[k] = v;
  record["group"] = group_json;
  int64_t first = entries.front()->time;
  for (const Entry* e : entries) first = std::min(first, e->time);
  record["window"] = {{"start", FormatIsoTime(first)},
                      {"end", FormatIsoTime(time)},
                      {"timespan_ms", c.timespan_ms}};
  nlohmann::json rules = nlohmann::json::array();
  for (const Rule* r : c.rules) rules.push_back(r->ref.title);
  record["rules"] = rules;
  f.record = record.dump();
  out.push_back(std::move(f));
}

namespace {

std::vector<const CorrelationEngine::Entry*> Pointers(const CorrelationEngine::Window& window,
                                                      int64_t from = std::numeric_limits<int64_t>::min()) {
  std::vector<const CorrelationEngine::Entry*> out;
  for (const auto& e : window.entries())
    if (e.time >= from) out.push_back(&e);
  return out;
}

}  // namespace

void CorrelationEngine::Window::Count(const Entry& e, const Correlation& c, int delta) {
  switch (c.type) {
    case CorrelationType::kEventCount: return;
    case CorrelationType::kValueCount: {
      if (!e.has_value) return;
      if (delta > 0) {
        auto it = values_.find(e.value);
        if (it == values_.end()) it = values_.emplace(e.value, 0).first;
        ++it->second;
      } else if (auto it = values_.find(e.value); it != values_.end() && --it->second == 0) {
        values_.erase(it);
      }
      return;
    }
    case CorrelationType::kValueSum:
    case CorrelationType::kValueAvg:
      if (!e.has_value) return;
      sum_ += delta * e.number;
      numbers_ = delta > 0 ? numbers_ + 1 : numbers_ - 1;
      return;
    case CorrelationType::kTemporal:
    case CorrelationType::kTemporalOrdered: {
      const Rule* rule = c.rules[e.rule_pos];
      if (delta > 0) {
        ++rules_[rule];
      } else if (auto it = rules_.find(rule); it != rules_.end() && --it->second == 0) {
        rules_.erase(it);
      }
      return;
    }
  }
}

void CorrelationEngine::Window::Push(Entry entry, const Correlation& c) {
  entries_.push_back(std::move(entry));
  Count(entries_.back(), c, +1);
}

void CorrelationEngine::Window::DropFront(size_t n, const Correlation& c) {
  for (size_t i = 0; i < n && !entries_.empty(); ++i) {
    Count(entries_.front(), c, -1);
    entries_.pop_front();
  }
  if (entries_.empty()) sum_ = 0;  // no drift from repeated adds and subtracts
}

void CorrelationEngine::Window::Clear() {
  entries_.clear();
  values_.clear();
  rules_.clear();
  sum_ = 0;
  numbers_ = 0;
}

double CorrelationEngine::Window::Metric(const Correlation& c) const {
  switch (c.type) {
    case CorrelationType::kEventCount: return static_cast<double>(entries_.size());
    case CorrelationType::kValueCount: return static_cast<double>(values_.size());
    case CorrelationType::kValueSum: return sum_;
    case CorrelationType::kValueAvg: return numbers_ ? sum_ / static_cast<double>(numbers_) : 0;
    case CorrelationType::kTemporal:
    case CorrelationType::kTemporalOrdered: return static_cast<double>(rules_.size());
  }
  return 0;
}

void CorrelationEngine::CloseWindow(State& state, Group& group, std::vector<Finding>& out) {
  const Correlation& c = *state.rule->correlation;
  if (group.window.empty()) return;
  double metric = group.window.Metric(c);
  if (c.condition.Test(metric)) Fire(state, group, Pointers(group.window), metric, group.window.back().time, out);
  group.window.Clear();
}

void CorrelationEngine::Replay(State& state, Group& group, int64_t up_to, bool closing,
                               std::vector<Finding>& out) {
  const Correlation& c = *state.rule->correlation;
  const int64_t span = c.timespan_ms;
  std::stable_sort(group.pending.begin(), group.pending.end(),
                   [](const Entry& a, const Entry& b) { return a.time < b.time; });
  size_t n = 0;
  while (n < group.pending.size() && group.pending[n].time <= up_to) ++n;
  const bool sliding = c.condition.LowerBoundOnly() || c.type == CorrelationType::kTemporalOrdered;
  for (size_t i = 0; i < n; ++i) {
    Entry& e = group.pending[i];
    group.frontier = std::max(group.frontier, e.time);
    if (!sliding) {
      if (!group.window.empty() && e.time - group.window.front().time > span) CloseWindow(state, group, out);
      group.window.Push(std::move(e), c);
      continue;
    }
    int64_t now = e.time;
    uint32_t pos = e.rule_pos;
    group.window.Push(std::move(e), c);
    size_t drop = 0;
    while (drop < group.window.size() && now - group.window.entries()[drop].time > span) ++drop;
    group.window.DropFront(drop, c);
    if (c.type == CorrelationType::kTemporalOrdered) {
      size_t steps = c.rules.size();
      if (group.chain.size() != steps) group.chain.assign(steps, INT64_MIN);
      for (size_t k = steps; k-- > 0;) {
        if (c.rules[k] != c.rules[pos]) continue;
        if (k == 0) {
          group.chain[0] = now;
        } else if (group.chain[k - 1] != INT64_MIN && now - group.chain[k - 1] <= span) {
          group.chain[k] = std::max(group.chain[k], group.chain[k - 1]);
        }
      }
      int64_t start = group.chain[steps - 1];
      if (start != INT64_MIN && now - start <= span) {
        Fire(state, group, Pointers(group.window, start), static_cast<double>(steps), now, out);
        group.window.Clear();
        group.chain.assign(steps, INT64_MIN);
      }
      continue;
    }
    double metric = group.window.Metric(c);
    if (c.condition.Test(metric)) {
      Fire(state, group, Pointers(group.window), metric, now, out);
      group.window.Clear();
    }
  }
  group.pending.erase(group.pending.begin(), group.pending.begin() + static_cast<long>(n));
  if (!sliding && !group.window.empty() && (closing || up_to - group.window.front().time > span))
    CloseWindow(state, group, out);
  if (sliding && !group.window.empty()) {
    // Keep only what a later event's window can still reach.
    int64_t horizon = group.frontier - span;
    size_t drop = 0;
    while (drop < group.window.size() && group.window.entries()[drop].time < horizon) ++drop;
    group.window.DropFront(drop, c);
  }
}

std::vector<Finding> CorrelationEngine::Advance(int64_t watermark_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  watermark_ = std::max(watermark_, watermark_ms);
  std::vector<Finding> out = std::move(buffered_);
  buffered_.clear();
  for (State& state : states_) {
    for (auto it = state.groups.begin(); it != state.groups.end();) {
      Replay(state, it->second, watermark_ms, false, out);
      Group& g = it->second;
      if (g.pending.empty() && g.window.empty()) {
        it = state.groups.erase(it);
      } else {
        ++it;
      }
    }
  }
  return out;
}

std::vector<Finding> CorrelationEngine::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Finding> out = std::move(buffered_);
  buffered_.clear();
  for (State& state : states_) {
    for (auto& [key, group] : state.groups) {
      Replay(state, group, std::numeric_limits<int64_t>::max(), true, out);
    }
    state.groups.clear();
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.context.time_ms < b.context.time_ms;
  });
  return out;
}

}  // namespace cloudward::detect
