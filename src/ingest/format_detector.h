// Recognises the format of a (decompressed) file from its first bytes, never from its name.
//
//   '{' or '[' first (after a UTF-8 BOM and whitespace)  -> kJson (CloudTrail, GuardDuty, ...;
//                                                           the reader classifies each record)
//   first line that is not blank or a '#' comment:
//     a flow log header or v2+ record                    -> kVpcFlow
//     owner-id bucket [dd/Mon/yyyy:HH:MM:SS +zzzz] ...   -> kS3Access
//   only whitespace                                      -> kEmpty
//   anything else (binary junk, other logs)              -> kUnknown
#pragma once

#include <cstddef>
#include <string_view>

namespace cloudward::ingest {

enum class InputFormat { kEmpty, kJson, kVpcFlow, kS3Access, kUnknown };

std::string_view InputFormatName(InputFormat format);

struct Detection {
  InputFormat format = InputFormat::kUnknown;
  size_t start = 0;  // where the content begins (after a BOM / leading whitespace for JSON)
};

Detection DetectFormat(std::string_view text);

// True if the path names a CloudTrail digest file (".../CloudTrail-Digest/...").
bool IsDigestPath(std::string_view path);

}  // namespace cloudward::ingest
