#include "cli/scan_flags.h"

#include <fmt/core.h>

#include "core/time.h"

namespace cloudward::cli {

bool SetScanWindow(const std::string& since, const std::string& until, int64_t now_ms,
                   const char* command, ingest::ScanOptions& scan) {
  for (auto [text, target, flag] : {std::tuple{&since, &scan.since_ms, "--since"},
                                    std::tuple{&until, &scan.until_ms, "--until"}}) {
    if (text->empty()) continue;
    auto t = ParseTimeBound(*text, now_ms);
    if (!t) {
      fmt::print(stderr, "{}: {}: not a time or duration: {}\n", command, flag, *text);
      return false;
    }
    *target = *t;
  }
  return true;
}

void PrintInputErrors(const char* command, const ingest::IngestStats& stats, const char* more_hint,
                      size_t max) {
  for (size_t i = 0; i < stats.errors.size() && i < max; ++i) {
    const auto& e = stats.errors[i];
    fmt::print(stderr, "{}: {}:{}{}: {}\n", command, e.file, e.line ? "line " : "offset ",
               e.line ? e.line : e.offset, e.reason);
  }
  const uint64_t count = stats.errors.size() + stats.errors_dropped;
  if (count > max) fmt::print(stderr, "{}: ... {} more input errors{}\n", command, count - max, more_hint);
}

}  // namespace cloudward::cli
