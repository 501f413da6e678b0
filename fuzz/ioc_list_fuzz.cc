// Fuzzes the IOC list parser (detect/ioc.h). The first byte picks the kind ((byte - '0') modulo the
// number of kinds, so the seeds' leading digit names theirs whatever kinds are added: '0' ip,
// '1' domain, '2' access key, '3' user agent, '4' AMI); the rest is the list text. Properties: no crash; every line is counted
// once (lines = ignored + indicators + duplicates + malformed) and every malformed line is one
// problem naming the file, a line in range and a reason; canonical texts are fixed points (written
// back as a list they load again unchanged, with no problem); every indicator is found by the
// lookups it promises: an IP range at its first and last address (by itself or a range nested in
// it), a domain for itself and a subdomain, an access key exactly, a user agent and an AMI id in
// any case.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "detect/ioc.h"

namespace {

using namespace cloudward::detect;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if ('a' <= c && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

bool Contains(const IpRange& outer, const IpRange& inner) {
  return outer.first <= inner.first && inner.last <= outer.last;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto kind = static_cast<IocKind>(static_cast<uint8_t>(data[0] - '0') % kIocKindCount);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  IocSetBuilder builder;
  std::vector<IocProblem> problems;
  const IocListStats stats = builder.AddText(kind, "fuzz.txt", text, &problems);
  Check(stats.lines == stats.ignored + stats.indicators + stats.duplicates + stats.malformed);
  Check(problems.size() == static_cast<size_t>(stats.malformed));
  for (const IocProblem& p : problems) {
    Check(p.file == "fuzz.txt");
    Check(p.line >= 1 && p.line <= stats.lines);
    Check(!p.reason.empty());
  }
  const IocSet set = std::move(builder).Build();
  Check(set.size() == static_cast<size_t>(stats.indicators));
  Check(set.size(kind) == set.size());

  std::string canonical_list;
  for (const Indicator& indicator : set.indicators()) {
    Check(indicator.kind == kind && !indicator.text.empty());
    canonical_list += indicator.text;
    canonical_list += '\n';
    switch (kind) {
      case IocKind::kIp: {
        const auto range = ParseIpRange(indicator.text);
        Check(range.has_value());
        Check(FormatIpRange(*range) == indicator.text);
        for (const IpAddress& address : {range->first, range->last}) {
          const Indicator* found = set.FindIp(address);
          Check(found != nullptr);
          const auto found_range = ParseIpRange(found->text);
          Check(found_range && Contains(*range, *found_range) && found_range->first <= address &&
                address <= found_range->last);
        }
        break;
      }
      case IocKind::kDomain:
        Check(set.FindDomain(indicator.text) == &indicator);
        if (indicator.text.size() < 250) Check(set.FindDomain("a." + indicator.text) != nullptr);
        break;
      case IocKind::kAccessKey: Check(set.FindAccessKey(indicator.text) == &indicator); break;
      case IocKind::kUserAgent: Check(set.FindUserAgent("x " + Upper(indicator.text) + " y") != nullptr); break;
      case IocKind::kAmi:
        Check(set.FindAmi(indicator.text) == &indicator);
        Check(set.FindAmi(Upper(indicator.text)) == &indicator);
        break;
    }
  }

  IocSetBuilder again;
  std::vector<IocProblem> again_problems;
  const IocListStats again_stats = again.AddText(kind, "canonical.txt", canonical_list, &again_problems);
  Check(again_problems.empty());
  Check(again_stats.indicators == stats.indicators && again_stats.duplicates == 0);
  const IocSet again_set = std::move(again).Build();
  for (size_t i = 0; i < set.size(); ++i) Check(again_set.indicators()[i].text == set.indicators()[i].text);
  return 0;
}
