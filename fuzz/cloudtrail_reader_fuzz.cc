// Fuzzes CloudTrail reading: the bytes as a file, and as the body of a {"Records":[...]} file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cloudward::ingest::fuzzing::ReadAndCheck("fuzz.json", bytes);
  if (!cloudward::ingest::IsGzip(bytes)) {
    cloudward::ingest::fuzzing::ReadAndCheck("records.json",
                                             "{\"Records\":[" + std::string(bytes) + "]}");
  }
  return 0;
}
