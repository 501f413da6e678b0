// The ingestion stage: bytes -> Events.
//
//   cloudward::ingest::ScanOptions options;
//   options.threads = 4;
//   auto stats = cloudward::ingest::Scan({"AWSLogs/", "extra.json.gz"}, options,
//       [&](int worker) { return std::make_unique<MySink>(worker); });
//   // MySink::OnEvent(const Event&) runs on worker `worker` only; stats.errors lists bad input.
//
// Formats are recognised by content, never by file name (see format_detector.h):
// CloudTrail ({"Records":[...]}, arrays, JSON Lines, EventBridge envelopes, lookup-events output,
// re-shipped records with @timestamp), VPC / Transit Gateway flow logs (default or header-driven),
// GuardDuty findings (single, arrays, {"Findings":[...]}, EventBridge), S3 server access logs.
// Any of them may be gzip-compressed (multi-member allowed). CloudTrail digest files are skipped.
//
// Bad input never stops a scan: every bad record, truncated stream or unknown file becomes an
// IngestError {file, offset, line, reason}, and every good record around it is still delivered.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/finding.h"
#include "core/log_type.h"

namespace cloudward::ingest {

struct IngestError {
  std::string file;
  uint64_t offset = 0;  // byte offset in the decompressed file
  uint64_t line = 0;    // 1-based line, 0 where unknown
  std::string reason;
};

// Counters of one scan. Merge() adds another worker's counters; errors beyond kMaxErrors are
// counted in errors_dropped instead of kept.
struct IngestStats {
  static constexpr size_t kMaxErrors = 10000;

  uint64_t files = 0, bytes = 0;                 // bytes = decompressed bytes read
  std::array<uint64_t, kLogTypeCount> events{};  // delivered events per LogType
  uint64_t duplicates = 0, malformed = 0, filtered = 0;
  std::map<std::string, uint64_t> skipped;       // "digest", "empty", "unknown_format", ...
  std::vector<IngestError> errors;               // at most kMaxErrors kept
  uint64_t errors_dropped = 0;

  void Merge(const IngestStats& other);
  uint64_t TotalEvents() const;
  // Records an error (or counts it in errors_dropped once kMaxErrors are kept).
  void AddError(std::string_view file, uint64_t offset, uint64_t line, std::string reason);
};

// Receives events. One sink per worker thread; OnEvent is only called from that thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;
  // Whether OnEvent will read this event's record (Event::Record()). The reader parses records
  // that are needed before delivering them, so that a broken one is reported as malformed and
  // never reaches OnEvent; the others stay unparsed unless OnEvent asks after all.
  virtual bool NeedsRecord(const Event& event) const {
    (void)event;
    return true;
  }
  virtual void OnFinish() {}  // called once by the worker after its last event
};

struct ScanProgress {
  uint64_t files_done = 0, files_total = 0, bytes = 0, events = 0, errors = 0;
  double seconds = 0;
};

struct ScanOptions {
  int threads = 0;                  // 0 = std::thread::hardware_concurrency()
  int64_t since_ms = kUnknownTime;  // inclusive lower bound on Event::time_ms
  int64_t until_ms = kUnknownTime;  // exclusive upper bound
  bool dedup = true;                // drop CloudTrail records whose eventID was already seen
  std::function<void(const ScanProgress&)> on_progress;  // ~4 times a second from one thread
  // A file (or gzip stream) that decompresses to more than this is cut there and reported.
  uint64_t max_file_bytes = uint64_t{8} << 30;
  // Line-oriented files larger than this (decompressed) are split across workers.
  uint64_t split_bytes = uint64_t{64} << 20;
};

using SinkFactory = std::function<std::unique_ptr<EventSink>(int worker)>;

// Expands directories recursively (sorted), reads every file ("-" = stdin), delivers events.
// Files are handed to `threads` workers dynamically; large line-oriented files are split at line
// boundaries. Each worker holds at most a couple of files in memory.
IngestStats Scan(const std::vector<std::string>& inputs, const ScanOptions& options,
                 const SinkFactory& make_sink);

// Lists the files Scan would read for `inputs`, in order (directories expanded, sorted).
// Inputs that do not exist are returned too (Scan reports them as errors).
std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs);

class EventIdSet;  // thread-safe set of seen CloudTrail eventIDs (dedup.h)

// Reads whole buffers. Owns reusable parsers and buffers; not thread-safe, keep one per thread.
class LogReader {
 public:
  LogReader();
  // Uses `seen` for dedup instead of a set of its own (Scan shares one across workers).
  explicit LogReader(std::shared_ptr<EventIdSet> seen);
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // Detects the format of `bytes` (gzip is decompressed first) and delivers its events.
  // `name` only labels events and errors (and recognises CloudTrail-Digest paths).
  void ReadBuffer(std::string_view name, std::string_view bytes, EventSink& sink,
                  IngestStats& stats, const ScanOptions& options = {});

  // Reads a file from disk ("-" = stdin).
  void ReadFile(const std::string& path, EventSink& sink, IngestStats& stats,
                const ScanOptions& options = {});

  // Forgets the eventIDs seen so far (only when the set is this reader's own).
  void ResetDedup();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Extracts who / what / where of any event, whatever its log type.
EventContext Describe(const Event& event);

}  // namespace cloudward::ingest
