// Fuzzes S3 server access log reading: accepted lines render as valid JSON with a valid time,
// and whole files read through LogReader keep the usual properties.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/time.h"
#include "ingest/s3_access_reader.h"
#include "ingest_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cloudward::ingest::S3AccessReader;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cloudward::ingest::fuzzing::ReadAndCheck("access.log", bytes);

  simdjson::dom::parser parser;
  std::string json, error;
  size_t pos = 0;
  while (pos <= bytes.size()) {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) nl = bytes.size();
    int64_t time_ms = 0;
    if (S3AccessReader::ParseLine(bytes.substr(pos, nl - pos), &json, &time_ms, &error) ==
        S3AccessReader::LineKind::kRecord) {
      simdjson::dom::element e;
      cloudward::ingest::fuzzing::Check(parser.parse(json).get(e) == simdjson::SUCCESS,
                                        "S3 record renders as valid JSON");
      std::string_view time;
      cloudward::ingest::fuzzing::Check(e["time"].get_string().get(time) == simdjson::SUCCESS,
                                        "S3 record has a time");
      cloudward::ingest::fuzzing::Check(cloudward::ParseIsoTime(time) == time_ms,
                                        "S3 time round-trips");
    }
    pos = nl + 1;
  }
  return 0;
}
