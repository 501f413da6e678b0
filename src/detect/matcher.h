// Matcher: tests events against the plain (non-correlation) rules of a RuleSet.
//
//   Matcher matcher(load.rules);           // one per worker thread
//   std::vector<const Rule*> hits;
//   for (const Event& e : events) { matcher.Match(e, hits); for (auto* r : hits) ...; }
//
// Owns per-thread scratch (the field cache of the current event, candidate lists), so it is not
// thread-safe; the RuleSet it reads is shared. After warm-up Match allocates nothing unless a
// rule reads an object as text or uses the nested-map extension.
#pragma once

#include <memory>
#include <vector>

#include "core/event.h"
#include "detect/rule_set.h"

namespace cloudward::detect {

class EventView;

class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const RuleSet> rules);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Clears `out`, then appends every plain (non-correlation) rule matching the event, in RuleSet
  // order. Rules of another log source are skipped unless log-source filtering is off.
  void Match(const Event& event, std::vector<const Rule*>& out);

  // False when no rule can match the event, judged from the index alone without parsing the
  // record (its log type, and the eventName/eventSource the reader saw, when it saw them).
  bool MayMatch(const Event& event) const;

  // Tests one rule only (ignores the index and the log source): `rules test`, unit tests.
  bool MatchRule(const Rule& rule, const Event& event);

  // How many rules the last Match actually evaluated (index effectiveness).
  size_t last_candidates() const { return candidates_.size(); }

 private:
  std::shared_ptr<const RuleSet> rules_;
  std::unique_ptr<EventView> view_;
  std::vector<uint32_t> candidates_;
};

}  // namespace cloudward::detect
