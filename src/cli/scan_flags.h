// What the commands that read logs (hunt, timeline) share around ingest::Scan: the --since/--until
// window and the report of input errors on stderr.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/scan.h"

namespace cloudward::cli {

// Sets scan.since_ms/until_ms from ISO times or durations back from `now_ms`. On a bad value,
// prints "<command>: --since: not a time or duration: ..." and returns false (exit 2).
bool SetScanWindow(const std::string& since, const std::string& until, int64_t now_ms,
                   const char* command, ingest::ScanOptions& scan);

// Prints the first `max` input errors as "<command>: file:line N: reason" (or offset), then how
// many more there were, followed by `more_hint` (e.g. " (see --summary)").
void PrintInputErrors(const char* command, const ingest::IngestStats& stats, const char* more_hint,
                      size_t max = 10);

}  // namespace cloudward::cli
