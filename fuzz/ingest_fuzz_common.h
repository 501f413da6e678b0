// Shared checks of the ingest fuzz targets: whatever the bytes, LogReader must not crash, must not
// invent records, and must place every event where the input holds it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>

#include "ingest/gzip.h"
#include "ingest/scan.h"

namespace cloudward::ingest::fuzzing {

inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

class CheckingSink : public EventSink {
 public:
  explicit CheckingSink(std::string_view input) : input_(input) {}
  void OnEvent(const Event& e) override {
    ++events;
    EventContext c = Describe(e);  // must not crash on any record shape
    Check(c.time_ms == e.time_ms, "Describe keeps the time");
    Check(e.record.is_object(), "record is a JSON object");
    Check(e.source.offset <= input_.size(), "offset inside the input");
    if (e.type == LogType::kVpcFlow || e.type == LogType::kS3Access) {
      // Line formats: raw is the line at offset (unless it came wrapped in {"message": ...}).
      if (input_.substr(e.source.offset, e.raw.size()) != e.raw) {
        Check(input_.substr(e.source.offset, 1) == "{", "line event raw is the input line");
      }
      Check(e.raw.find('\n') == std::string_view::npos, "line event without newline");
    } else {
      Check(input_.substr(e.source.offset, 1) == "{", "JSON event offset at an object");
    }
  }
  uint64_t events = 0;

 private:
  std::string_view input_;
};

// Upper bound of records (good or bad) a text can hold: each needs its own '{', '[', ',' or line.
inline uint64_t MaxRecords(std::string_view text) {
  uint64_t n = 1;
  for (char c : text) n += c == '{' || c == '[' || c == ',' || c == '\n';
  return n;
}

// Reads `bytes` (named `name`) and checks the properties above. Gzip input is checked against
// its decompressed bytes.
inline void ReadAndCheck(std::string_view name, std::string_view bytes) {
  std::string plain(bytes);
  if (IsGzip(bytes)) {
    GzipDecompressor gunzip;
    ByteBuffer out;
    (void)gunzip.Decompress(bytes, uint64_t{64} << 20, out);
    plain.assign(out.view());
  }
  ScanOptions options;
  options.max_file_bytes = uint64_t{64} << 20;
  IngestStats stats;
  CheckingSink sink(plain);
  LogReader reader;
  reader.ReadBuffer(name, bytes, sink, stats, options);
  Check(sink.events == stats.TotalEvents(), "events counted as delivered");
  Check(stats.TotalEvents() + stats.malformed + stats.duplicates <= MaxRecords(plain) + 1,
        "no more records than the input can hold");
  Check(stats.bytes == plain.size(), "bytes = decompressed size");
  Check(stats.files == 1, "one file");

  // Reading again with a fresh reader gives the same result.
  IngestStats again;
  CheckingSink sink2(plain);
  LogReader reader2;
  reader2.ReadBuffer(name, bytes, sink2, again, options);
  Check(again.events == stats.events && again.malformed == stats.malformed &&
            again.errors.size() == stats.errors.size(),
        "deterministic");
}

}  // namespace cloudward::ingest::fuzzing
