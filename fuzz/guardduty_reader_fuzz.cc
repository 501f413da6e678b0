// Fuzzes GuardDuty reading: the bytes as a file, and inside a GetFindings {"Findings":[...]}.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cloudward::ingest::fuzzing::ReadAndCheck("findings.json", bytes);
  if (!cloudward::ingest::IsGzip(bytes)) {
    cloudward::ingest::fuzzing::ReadAndCheck("get_findings.json",
                                             "{\"Findings\":[" + std::string(bytes) + "]}");
  }
  return 0;
}
