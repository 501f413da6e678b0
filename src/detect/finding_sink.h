// FindingSink: the detection step between ingest and analyze, shared by `cloudward hunt` (one
// sink per Scan worker) and the daemon (one sink per intake batch). Each event is matched against
// the rules (detect::Matcher) and the IOC lists; standalone rule matches and IOC hits become
// findings, matches of correlation base rules are handed to the shared CorrelationEngine.
//
//   FindingCollector collector;
//   auto stats = ingest::Scan(paths, options, [&](int) {
//     return std::make_unique<detect::FindingSink>(rules, correlation, iocs, &collector);
//   });
//   std::vector<Finding> findings = collector.Take();
//
// A sink is used by one thread (ingest's EventSink contract) and hands its findings to the
// collector in batches and in OnFinish. The collector is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "core/finding_json.h"
#include "detect/correlation_engine.h"
#include "detect/ioc.h"
#include "detect/matcher.h"
#include "ingest/scan.h"

namespace cloudward::detect {

// The order findings are reported in: event time, then file, offset and rule id - the same
// whatever the number of threads.
bool FindingBefore(const Finding& a, const Finding& b);

// Collects findings from all sinks. Thread-safe.
//
// Spilling (the constructor with a line format, for output that needs nothing but the lines):
// findings are turned into their output lines as they arrive and appended to an unnamed
// temporary file; only their sort keys stay in memory (32 bytes each), so memory stays flat
// however many findings a hunt makes. Sinks write the lines of their rule matches themselves
// (Spill), straight from the event; Add() makes the lines of the findings it is given
// (correlations, IOC hits). Take() is then empty and WriteSorted writes the lines in
// FindingBefore order. If no temporary file can be made, the collector keeps findings in memory.
class FindingCollector {
 public:
  FindingCollector() = default;
  explicit FindingCollector(FindingLineFormat format);
  ~FindingCollector();
  FindingCollector(const FindingCollector&) = delete;
  FindingCollector& operator=(const FindingCollector&) = delete;

  void Add(std::vector<Finding>&& findings);
  std::vector<Finding> Take();

  // The line format while spilling, else null.
  const FindingLineFormat* spill_format() const { return spill_ != nullptr ? &format_ : nullptr; }
  bool spilling() const { return spill_ != nullptr; }
  uint64_t spilled() const;  // findings written to the temporary file
  // Findings per rule id, of the spilled findings.
  std::map<std::string, uint64_t> SpilledByRule() const;
  // Spilling only: writes every spilled line to `out` in FindingBefore order. False on an I/O error.
  bool WriteSorted(std::FILE* out);

  // Spilling, for sinks: a batch of lines and their keys (`position` relative to the batch;
  // `file` and `rule` from FileIndex and RuleIndex).
  struct SpilledKey {
    int64_t time_ms;
    uint64_t source_offset;
    uint64_t position;  // in the temporary file
    uint32_t length;
    uint32_t file;      // index into files_
    uint32_t rule;      // index into rules_
  };
  void Spill(std::string_view lines, std::span<const SpilledKey> keys);
  uint32_t FileIndex(std::string_view file);
  uint32_t RuleIndex(std::string_view rule_id);

  std::atomic<uint64_t> count{0};  // findings seen so far (for progress lines)

 private:
  static uint32_t Intern(std::vector<std::string>& names, std::map<std::string, uint32_t, std::less<>>& index,
                         std::string_view name);

  mutable std::mutex mu_;
  std::vector<Finding> findings_;
  FindingLineFormat format_{FindingLineFormat::Kind::kJsonl, true};
  std::FILE* spill_ = nullptr;
  uint64_t spill_end_ = 0;
  bool spill_failed_ = false;
  std::vector<SpilledKey> keys_;
  std::vector<std::string> files_, rules_;
  std::map<std::string, uint32_t, std::less<>> file_index_, rule_index_;
  std::vector<uint64_t> rule_counts_;
};

// A finding of `rule` on `event`, with the event's context and its raw record.
Finding MakeFinding(RuleRef rule, const Event& event, const EventContext& context);

class FindingSink final : public ingest::EventSink {
 public:
  // `correlation` and `iocs` may be null (no correlation rules, no IOC list).
  FindingSink(std::shared_ptr<const RuleSet> rules, CorrelationEngine* correlation, const IocSet* iocs,
              FindingCollector* collector);

  void OnEvent(const Event& event) override;
  bool NeedsRecord(const Event& event) const override;
  void OnFinish() override;

 private:
  // Spilling: the lines of this sink's rule matches, handed over in batches and in OnFinish.
  void SpillMatch(const Rule& rule, const Event& event, const EventContext& context);
  void FlushSpilled();

  Matcher matcher_;
  CorrelationEngine* correlation_;
  const IocSet* iocs_;
  FindingCollector* collector_;
  std::vector<const Rule*> matched_;
  std::vector<IocHit> ioc_hits_;
  std::vector<Finding> local_;  // handed over every kFlushEvery findings and in OnFinish
  const FindingLineFormat* format_;  // the collector's, while it spills; else null
  std::string record_;               // format_->Record of the current event
  bool record_made_ = false;
  std::string lines_;
  std::vector<FindingCollector::SpilledKey> keys_;
  std::string file_;                 // the file of file_index_
  uint32_t file_index_ = 0;
  std::unordered_map<const Rule*, uint32_t> rule_index_;
};

}  // namespace cloudward::detect
