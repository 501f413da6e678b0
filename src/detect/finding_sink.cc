#include "detect/finding_sink.h"

#include <span>
#include <utility>

namespace cloudward::detect {

void FindingCollector::Add(std::vector<Finding>&& findings) {
  std::lock_guard lock(mu_);
  for (auto& f : findings) findings_.push_back(std::move(f));
}

std::vector<Finding> FindingCollector::Take() {
  std::lock_guard lock(mu_);
  return std::exchange(findings_, {});
}

Finding MakeFinding(RuleRef rule, const Event& event, const EventContext& context) {
  Finding f;
  f.rule = std::move(rule);
  f.log_type = event.type;
  f.context = context;
  f.source_file = std::string(event.source.file);
  f.source_offset = event.source.offset;
  f.record = std::string(event.raw);
  return f;
}

FindingSink::FindingSink(std::shared_ptr<const RuleSet> rules, CorrelationEngine* correlation,
                         const IocSet* iocs, FindingCollector* collector)
    : matcher_(std::move(rules)), correlation_(correlation), iocs_(iocs), collector_(collector) {}

void FindingSink::OnEvent(const Event& event) {
  matcher_.Match(event, matched_);
  if (iocs_ != nullptr) iocs_->Match(event, ioc_hits_);
  if (matched_.empty() && ioc_hits_.empty()) return;
  // One description per event, shared by every correlation that keeps it (no copy per rule).
  const auto shared = std::make_shared<const EventContext>(ingest::Describe(event));
  const EventContext& context = *shared;
  for (const Rule* rule : matched_) {
    if (correlation_ != nullptr && correlation_->Wants(*rule)) correlation_->Observe(*rule, event, shared);
    if (rule->standalone) {
      local_.push_back(MakeFinding(rule->ref, event, context));
      collector_->count.fetch_add(1, std::memory_order_relaxed);
    }
  }
  // Hits of one kind are contiguous (IocSet::Match); each kind is one finding.
  for (size_t begin = 0, end = 0; begin < ioc_hits_.size(); begin = end) {
    end = begin + 1;
    while (end < ioc_hits_.size() && ioc_hits_[end].kind == ioc_hits_[begin].kind) ++end;
    const std::span<const IocHit> run(ioc_hits_.data() + begin, end - begin);
    local_.push_back(MakeFinding(IocRule(run), event, context));
    collector_->count.fetch_add(1, std::memory_order_relaxed);
  }
}

void FindingSink::OnFinish() { collector_->Add(std::move(local_)); local_.clear(); }

}  // namespace cloudward::detect
