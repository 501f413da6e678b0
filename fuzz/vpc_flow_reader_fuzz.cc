// Fuzzes flow log reading: every line the parser accepts renders as valid JSON, and whole files
// read through LogReader keep the usual properties.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/vpc_flow_reader.h"
#include "ingest_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cloudward::ingest::VpcFlowReader;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cloudward::ingest::fuzzing::ReadAndCheck("flow.log", bytes);

  VpcFlowReader reader;
  simdjson::dom::parser parser;
  std::string json, error;
  size_t pos = 0;
  while (pos <= bytes.size()) {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) nl = bytes.size();
    int64_t time_ms = 0;
    if (reader.ParseLine(bytes.substr(pos, nl - pos), &json, &time_ms, &error) ==
        VpcFlowReader::LineKind::kRecord) {
      simdjson::dom::element e;
      cloudward::ingest::fuzzing::Check(parser.parse(json).get(e) == simdjson::SUCCESS,
                                        "flow record renders as valid JSON");
      cloudward::ingest::fuzzing::Check(e.is_object(), "flow record is an object");
    }
    pos = nl + 1;
  }
  return 0;
}
