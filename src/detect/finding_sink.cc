#include "detect/finding_sink.h"

#include <unistd.h>

#include <algorithm>
#include <span>
#include <utility>

namespace cloudward::detect {

namespace {
// A sink hands its findings over in batches of this size, so a spilling collector sees them early.
constexpr size_t kFlushEvery = 512;
}  // namespace

bool FindingBefore(const Finding& a, const Finding& b) {
  if (a.context.time_ms != b.context.time_ms) return a.context.time_ms < b.context.time_ms;
  if (a.source_file != b.source_file) return a.source_file < b.source_file;
  if (a.source_offset != b.source_offset) return a.source_offset < b.source_offset;
  return a.rule.id < b.rule.id;
}

FindingCollector::FindingCollector(LineFunction line) : line_(std::move(line)) {
  spill_ = std::tmpfile();  // unnamed: gone with the process, whatever happens to it
}

FindingCollector::~FindingCollector() {
  if (spill_ != nullptr) std::fclose(spill_);
}

uint32_t FindingCollector::Intern(std::vector<std::string>& names, std::map<std::string, uint32_t, std::less<>>& index,
                                  const std::string& name) {
  auto it = index.find(name);
  if (it != index.end()) return it->second;
  const auto id = static_cast<uint32_t>(names.size());
  names.push_back(name);
  index.emplace(name, id);
  return id;
}

void FindingCollector::Add(std::vector<Finding>&& findings) {
  if (spill_ == nullptr) {
    std::lock_guard lock(mu_);
    for (auto& f : findings) findings_.push_back(std::move(f));
    return;
  }
  // Lines are made outside the lock; only the append and the keys are serialised.
  std::vector<std::string> lines;
  lines.reserve(findings.size());
  for (const auto& f : findings) lines.push_back(line_(f));
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    const std::string& line = lines[i];
    if (std::fwrite(line.data(), 1, line.size(), spill_) != line.size()) spill_failed_ = true;
    const uint32_t rule = Intern(rules_, rule_index_, f.rule.id);
    if (rule >= rule_counts_.size()) rule_counts_.resize(rule + 1);
    ++rule_counts_[rule];
    keys_.push_back({f.context.time_ms, f.source_offset, spill_end_, static_cast<uint32_t>(line.size()),
                     Intern(files_, file_index_, f.source_file), rule});
    spill_end_ += line.size();
  }
}

std::vector<Finding> FindingCollector::Take() {
  std::lock_guard lock(mu_);
  return std::exchange(findings_, {});
}

uint64_t FindingCollector::spilled() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

std::map<std::string, uint64_t> FindingCollector::SpilledByRule() const {
  std::lock_guard lock(mu_);
  std::map<std::string, uint64_t> out;
  for (size_t r = 0; r < rules_.size(); ++r) out[rules_[r]] += rule_counts_[r];
  return out;
}

bool FindingCollector::WriteSorted(std::FILE* out) {
  std::lock_guard lock(mu_);
  if (spill_ == nullptr || spill_failed_ || std::fflush(spill_) != 0) return false;
  // Names compared by rank: sort the distinct names once instead of comparing strings per pair.
  auto ranks = [](const std::vector<std::string>& names) {
    std::vector<uint32_t> order(names.size()), rank(names.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return names[a] < names[b]; });
    for (uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    return rank;
  };
  const std::vector<uint32_t> file_rank = ranks(files_), rule_rank = ranks(rules_);
  std::stable_sort(keys_.begin(), keys_.end(), [&](const SpilledKey& a, const SpilledKey& b) {
    if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
    if (a.file != b.file) return file_rank[a.file] < file_rank[b.file];
    if (a.source_offset != b.source_offset) return a.source_offset < b.source_offset;
    return rule_rank[a.rule] < rule_rank[b.rule];
  });
  const int fd = fileno(spill_);
  std::string buffer;
  for (const SpilledKey& k : keys_) {
    buffer.resize(k.length);
    size_t done = 0;
    while (done < k.length) {
      const ssize_t n = ::pread(fd, buffer.data() + done, k.length - done, static_cast<off_t>(k.position + done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    if (std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) return false;
  }
  return true;
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

bool FindingSink::NeedsRecord(const Event& event) const {
  return (iocs_ != nullptr && !iocs_->empty()) || matcher_.MayMatch(event);
}

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
  if (local_.size() >= kFlushEvery) {
    collector_->Add(std::move(local_));
    local_.clear();
  }
}

void FindingSink::OnFinish() { collector_->Add(std::move(local_)); local_.clear(); }

}  // namespace cloudward::detect
