// Internals of LogReader shared with Scan (which hands split chunks of one big file to several
// readers). Not a public header.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>

#include "ingest/dedup.h"
#include "ingest/format_detector.h"
#include "ingest/gzip.h"
#include "ingest/scan.h"
#include "ingest/vpc_flow_reader.h"

namespace cloudward::ingest {

struct LogReader::Impl {
  explicit Impl(std::shared_ptr<EventIdSet> set);

  // Reads one whole decompressed file held in a padded buffer.
  void ReadText(std::string_view name, std::string_view text, EventSink& sink,
                IngestStats& stats, const ScanOptions& options);
  // Reads bytes that may be gzip: decompresses into `decompressed` (or uses `raw` as is when it
  // is plain and padded). Returns the text to read, or nothing when the input was corrupt gzip
  // with nothing to salvage (already reported).
  std::optional<std::string_view> Decode(std::string_view name, const ByteBuffer& raw, ByteBuffer& decompressed,
                          IngestStats& stats, const ScanOptions& options);
  // Decodes `input` (read whole from `name`) and reads it; the buffers shrink back afterwards.
  void ReadInput(std::string_view name, EventSink& sink, IngestStats& stats,
                 const ScanOptions& options);
  // Reads lines [begin, end) of a line-oriented file (a chunk of a split file). `first_line` is
  // the 1-based number of the line at `begin`; `header` the flow log header in force there.
  void ReadChunk(std::string_view name, std::string_view text, InputFormat format, size_t begin,
                 size_t end, uint64_t first_line, std::string_view header, EventSink& sink,
                 IngestStats& stats, const ScanOptions& options);

  // Points the reader at one call's sink/stats/options.
  void Begin(std::string_view name, std::string_view file_text, EventSink& sink,
             IngestStats& stats, const ScanOptions& options);

  // True when text[pos] starts a one-line JSON object followed by a line break (JSON Lines).
  static bool LooksLikeJsonLines(std::string_view text, size_t pos);
  void ReadJson(std::string_view text, size_t pos);
  void ReadJsonLines(std::string_view text, size_t begin, size_t end, uint64_t first_line);
  void ReadFlowLines(std::string_view text, size_t begin, size_t end, uint64_t first_line);
  void ReadS3Lines(std::string_view text, size_t begin, size_t end, uint64_t first_line);
  // `text` starts with a JSON value (object or array) located at `offset` in the file.
  void ProcessJson(std::string_view text, uint64_t offset, uint64_t line, int depth, int hint);
  // `resume` > open: the elements before it were read already (by StreamRecords), carry on there.
  void WalkArray(std::string_view text, size_t open, uint64_t offset, uint64_t line, int depth,
                 int hint, size_t resume = 0);
  // The fast path for a whole-file document whose first member is the record array (CloudTrail
  // as delivered to S3): simdjson On-Demand splits the records and reads only the top-level
  // members Deliver needs; plain CloudTrail records are delivered unparsed (Event::deferred),
  // anything else goes through ProcessJson. Returns false, having read nothing, when the
  // document is not of that shape or too large; on a syntax error mid-way the rest is handed to
  // WalkArray. *end: one past the document.
  bool StreamRecords(std::string_view text, size_t pos, size_t* end);
  void ProcessMessage(std::string_view message, uint64_t offset, uint64_t line);
  simdjson::error_code Parse(std::string_view text, simdjson::dom::element* out);
  void Deliver(LogType type, simdjson::dom::element record, std::string_view raw,
               uint64_t offset, uint64_t line, int64_t time_ms);
  // Delivers an unparsed CloudTrail record (StreamRecords) whose top-level members were read.
  struct Seen {
    std::string_view event_name, event_source;
    uint64_t id_hash = 0;  // EventIdSet::Hash(eventID); 0: no eventID
    int64_t time_ms = kUnknownTime;
  };
  void DeliverDeferred(std::string_view raw, uint64_t offset, const Seen& seen);
  // Outside --since/--until (counted as filtered)?
  bool FilteredOut(int64_t time_ms);
  // Counts a delivered event (and feeds the live progress counter).
  void Delivered(LogType type);
  void Malformed(uint64_t offset, uint64_t line, std::string reason);
  void Skip(const char* what, uint64_t offset, uint64_t line, std::string reason);
  void FlushLive();

  std::shared_ptr<EventIdSet> seen;
  GzipDecompressor gunzip;
  ByteBuffer input;         // bytes handed to ReadBuffer, copied here for padding
  ByteBuffer decompressed;  // gzip output
  simdjson::dom::parser parser;
  simdjson::ondemand::parser stream_parser;
  // The record DeliverDeferred hands out unparsed; parses it (with `parser`) on first use.
  struct DeferredRecord final : RecordSource {
    simdjson::dom::element Parse() override;
    Impl* impl = nullptr;
    std::string_view text;
    bool parsed = false;
    simdjson::error_code error = simdjson::SUCCESS;
    simdjson::dom::element value;
  };
  DeferredRecord deferred;
  simdjson::dom::parser empty_parser;  // holds the "{}" a broken deferred record reads as
  simdjson::dom::element empty_object;
  std::string json;         // a flow / S3 record rendered as JSON
  ByteBuffer scratch[6];    // unescaped strings (lookup-events, {"message": ...}) per depth
  VpcFlowReader flow;
  VpcFlowReader message_flow;

  // Per call.
  std::string_view name_;
  std::string_view file_text_;
  EventSink* sink_ = nullptr;
  IngestStats* stats_ = nullptr;
  const ScanOptions* options_ = nullptr;
  bool stop_ = false;  // a digest file was recognised
  uint64_t walks_ = 0;  // WalkArray calls: tells a caller that an element was walked as a container

  // Live counters for Scan's progress reports (may be null).
  std::atomic<uint64_t>* live_events = nullptr;
  uint64_t pending_events = 0;
};

// Reads a whole file (or stdin for "-") into `out`. Returns an error message or empty.
std::string ReadWholeFile(const std::string& path, ByteBuffer& out);

}  // namespace cloudward::ingest
