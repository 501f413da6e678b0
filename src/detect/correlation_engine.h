// CorrelationEngine: evaluates Sigma correlation rules (event_count, value_count, temporal,
// temporal_ordered, value_sum, value_avg) over the matches of their base rules.
//
//   CorrelationEngine engine(load.rules);
//   // in each worker, after Matcher::Match:
//   for (const Rule* r : hits) if (engine.Wants(*r)) engine.Observe(*r, event, context);
//   // streaming: periodically         auto done = engine.Advance(min_event_time_seen_by_all);
//   // hunt: after the last event      auto findings = engine.Finish();
//
// Semantics (by event time, whatever the arrival order):
//   - Events are grouped by the group-by values (aliases resolved per base rule; a missing field
//     groups as ""). Each group is replayed in time order.
//   - Conditions with only lower bounds (gt/gte) use a sliding window: the correlation fires at
//     the first event where the last `timespan` holds enough, then the window restarts empty.
//   - Other conditions (lt, lte, eq, neq, ranges) use windows anchored at their first event,
//     evaluated when `timespan` has passed (or at Finish).
//   - temporal: the window holds events of >= condition (default: all) distinct base rules.
//     temporal_ordered: the base rules occur in the listed order within `timespan`.
// Memory: per group, the events of the current window plus not-yet-replayed ones. Advance()
// replays everything up to the watermark; in hunts (no Advance), a group holding more than
// kMaxPendingPerGroup events replays those older than its newest minus max(timespan, 1 h); events
// that arrive later than that are counted in late_events() and ignored.
//
// Thread-safe: Observe, Advance and Finish may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/finding.h"
#include "detect/matcher_index.h"
#include "detect/rule_set.h"

namespace cloudward::detect {

class EventView;
struct Leaf;

class CorrelationEngine {
 public:
  static constexpr size_t kMaxPendingPerGroup = 4096;
  static constexpr size_t kMaxRelated = 100;

  explicit CorrelationEngine(std::shared_ptr<const RuleSet> rules);
  ~CorrelationEngine();

  bool empty() const { return states_.empty(); }       // no correlation rules loaded
  bool Wants(const Rule& base) const;                  // is `base` referenced by a correlation
  // Called for every (rule, event) match of a wanted rule. `event` is only read during the call.
  void Observe(const Rule& base, const Event& event, const EventContext& context);
  // The same, sharing one described context among the rules an event matched (no copy).
  void Observe(const Rule& base, const Event& event, std::shared_ptr<const EventContext> context);
  std::vector<Finding> Finish();                       // hunt: after the last event
  std::vector<Finding> Advance(int64_t watermark_ms);  // streams: emit what can no longer change

  uint64_t late_events() const;
  uint64_t untimed_events() const;

  // Internal state, public for the implementation file's helpers.
  struct Entry {
    int64_t time = 0;
    uint32_t rule_pos = 0;   // index in Correlation::rules
    uint32_t file = 0;       // interned file name
    uint64_t offset = 0;
    std::string value;       // value_count: the field's text
    double number = 0;       // value_sum/value_avg
    bool has_value = false;
    std::shared_ptr<const EventContext> context;
  };
  // A group's replayed entries in time order, with the metric of every correlation type kept up
  // to date as entries enter at the back and leave at the front: a sliding window costs O(1)
  // amortised per event instead of a rescan (and an erase from a vector's front) per event.
  class Window {
   public:
    void Push(Entry entry, const Correlation& c);
    void DropFront(size_t n, const Correlation& c);
    void Clear();
    double Metric(const Correlation& c) const;
    const std::deque<Entry>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }
    const Entry& front() const { return entries_.front(); }
    const Entry& back() const { return entries_.back(); }

   private:
    void Count(const Entry& e, const Correlation& c, int delta);

    std::deque<Entry> entries_;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> values_;  // value_count
    std::unordered_map<const Rule*, uint32_t> rules_;       // temporal: distinct rules
    double sum_ = 0;                                         // value_sum/value_avg
    size_t numbers_ = 0;
  };
  struct Group {
    std::vector<std::string> values;  // group-by values
    std::vector<Entry> pending;       // not replayed yet (any order)
    Window window;                    // replayed, in time order
    int64_t frontier = INT64_MIN;     // time of the last replayed entry
    int64_t newest = INT64_MIN;
    std::vector<int64_t> chain;       // temporal_ordered: latest chain start per step
  };
  struct State {
    const Rule* rule = nullptr;
    std::map<std::string, Group> groups;
  };

 private:
  void Replay(State& state, Group& group, int64_t up_to, bool closing, std::vector<Finding>& out);
  void Fire(const State& state, const Group& group, const std::vector<const Entry*>& entries,
            double metric, int64_t time, std::vector<Finding>& out);
  void CloseWindow(State& state, Group& group, std::vector<Finding>& out);

  std::shared_ptr<const RuleSet> rules_;
  std::vector<State> states_;
  // base rule index -> (state index, position in its Correlation::rules)
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> wanted_;
  // What Observe reads from an event, before it takes mutex_: one per concurrent caller, kept
  // for reuse under scratch_mutex_.
  struct Scratch;
  std::unique_ptr<Scratch> TakeScratch();
  void ReturnScratch(std::unique_ptr<Scratch> scratch);

  mutable std::mutex mutex_;
  std::mutex scratch_mutex_;
  std::vector<std::unique_ptr<Scratch>> spare_scratch_;
  std::vector<std::string> files_;
  std::map<std::string, uint32_t, std::less<>> file_ids_;
  uint64_t late_ = 0, untimed_ = 0;
  int64_t watermark_ = INT64_MIN;  // highest Advance() watermark: older events are late
  std::vector<Finding> buffered_;  // fired by self-advancing groups, returned by the next call
};

}  // namespace cloudward::detect
