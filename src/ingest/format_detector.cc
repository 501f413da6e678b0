#include "ingest/format_detector.h"

#include "ingest/json_structure.h"
#include "ingest/s3_access_reader.h"
#include "ingest/vpc_flow_reader.h"

namespace cloudward::ingest {

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kEmpty: return "empty";
    case InputFormat::kJson: return "json";
    case InputFormat::kVpcFlow: return "vpcflow";
    case InputFormat::kS3Access: return "s3access";
    case InputFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

bool IsDigestPath(std::string_view path) {
  return path.find("CloudTrail-Digest") != std::string_view::npos;
}

Detection DetectFormat(std::string_view text) {
  Detection d;
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  size_t first = json::SkipSpace(text, pos);
  if (first >= text.size()) {
    d.format = InputFormat::kEmpty;
    return d;
  }
  if (text[first] == '{' || text[first] == '[') {
    d.format = InputFormat::kJson;
    d.start = first;
    return d;
  }
  // Line formats: look at the first line that is not blank or a comment.
  size_t line_start = pos;
  while (line_start < text.size()) {
    size_t nl = text.find('\n', line_start);
    size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(line_start, line_end - line_start);
    size_t s = json::SkipSpace(line, 0);
    if (s < line.size() && line[s] != '#') {
      d.start = pos;
      if (line.size() > 64 * 1024) break;
      if (VpcFlowReader::LooksLikeFlowLog(line)) {
        d.format = InputFormat::kVpcFlow;
      } else if (S3AccessReader::LooksLikeS3Access(line)) {
        d.format = InputFormat::kS3Access;
      }
      return d;
    }
    if (nl == std::string_view::npos) break;
    line_start = nl + 1;
  }
  d.format = line_start >= text.size() ? InputFormat::kEmpty : InputFormat::kUnknown;
  return d;
}

}  // namespace cloudward::ingest
