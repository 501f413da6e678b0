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
// collector in OnFinish. The collector is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/finding.h"
#include "detect/correlation_engine.h"
#include "detect/ioc.h"
#include "detect/matcher.h"
#include "ingest/scan.h"

namespace cloudward::detect {

// Collects findings from all sinks. Thread-safe.
class FindingCollector {
 public:
  void Add(std::vector<Finding>&& findings);
  std::vector<Finding> Take();
  std::atomic<uint64_t> count{0};  // findings seen so far (for progress lines)

 private:
  std::mutex mu_;
  std::vector<Finding> findings_;
};

// A finding of `rule` on `event`, with the event's context and its raw record.
Finding MakeFinding(RuleRef rule, const Event& event, const EventContext& context);

class FindingSink final : public ingest::EventSink {
 public:
  // `correlation` and `iocs` may be null (no correlation rules, no IOC list).
  FindingSink(std::shared_ptr<const RuleSet> rules, CorrelationEngine* correlation, const IocSet* iocs,
              FindingCollector* collector);

  void OnEvent(const Event& event) override;
  void OnFinish() override;

 private:
  Matcher matcher_;
  CorrelationEngine* correlation_;
  const IocSet* iocs_;
  FindingCollector* collector_;
  std::vector<const Rule*> matched_;
  std::vector<IocHit> ioc_hits_;
  std::vector<Finding> local_;
};

}  // namespace cloudward::detect
