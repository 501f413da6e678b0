#include "ingest/vpc_flow_reader.h"

#include <algorithm>
#include <array>

#include "core/event.h"
#include "ingest/text.h"

namespace cloudward::ingest {
namespace {

// AWS's default field order of VPC flow logs with every field (v2..v8); the first 14 are the
// default v2 format.
constexpr std::array<std::string_view, 40> kVpcFields = {
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "action", "log-status", "vpc-id",
    "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr", "region",
    "az-id", "sublocation-type", "sublocation-id", "pkt-src-aws-service", "pkt-dst-aws-service",
    "flow-direction", "traffic-path", "ecs-cluster-arn", "ecs-cluster-name",
    "ecs-container-instance-arn", "ecs-container-instance-id", "ecs-container-id",
    "ecs-second-container-id", "ecs-service-name", "ecs-task-definition-arn", "ecs-task-arn",
    "ecs-task-id", "reject-reason"};

// Transit Gateway flow logs, default order.
constexpr std::array<std::string_view, 36> kTgwFields = {
    "version", "resource-type", "account-id", "tgw-id", "tgw-attachment-id",
    "tgw-src-vpc-account-id", "tgw-dst-vpc-account-id", "tgw-src-vpc-id", "tgw-dst-vpc-id",
    "tgw-src-subnet-id", "tgw-dst-subnet-id", "tgw-src-eni", "tgw-dst-eni", "tgw-src-az-id",
    "tgw-dst-az-id", "tgw-pair-attachment-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "log-status", "type",
    "packets-lost-no-route", "packets-lost-blackhole", "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired", "tcp-flags", "region", "flow-direction", "pkt-src-aws-service",
    "pkt-dst-aws-service"};

constexpr std::array<std::string_view, 14> kIntegerFields = {
    "version", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end",
    "tcp-flags", "traffic-path", "packets-lost-no-route", "packets-lost-blackhole",
    "packets-lost-mtu-exceeded", "packets-lost-ttl-expired"};

bool IsKnownField(std::string_view name) {
  return std::find(kVpcFields.begin(), kVpcFields.end(), name) != kVpcFields.end() ||
         std::find(kTgwFields.begin(), kTgwFields.end(), name) != kTgwFields.end();
}

bool IsIntegerField(std::string_view name) {
  return std::find(kIntegerFields.begin(), kIntegerFields.end(), name) != kIntegerFields.end();
}

constexpr size_t kMaxFields = 64;

// Splits on runs of spaces/tabs. Returns the count, or kMaxFields + 1 when there are too many.
size_t SplitFields(std::string_view line, std::array<std::string_view, kMaxFields>& out) {
  size_t n = 0, i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (n == kMaxFields) return kMaxFields + 1;
    out[n++] = line.substr(start, i - start);
  }
  return n;
}

bool IsFieldName(std::string_view token) {
  if (token.empty() || token[0] < 'a' || token[0] > 'z') return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string_view TrimLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

}  // namespace

bool VpcFlowReader::IsHeader(std::string_view line) {
  std::array<std::string_view, kMaxFields> f;
  size_t n = SplitFields(TrimLine(line), f);
  if (n < 2 || n > kMaxFields) return false;
  size_t known = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsFieldName(f[i])) return false;
    known += IsKnownField(f[i]);
  }
  return known >= 2;
}

bool VpcFlowReader::LooksLikeFlowLog(std::string_view line) {
  line = TrimLine(line);
  if (IsHeader(line)) return true;
  std::array<std::string_view, kMaxFields> f;
  size_t n = SplitFields(line, f);
  if (n < 14 || n > kMaxFields) return false;
  if (f[0].size() > 2 || !IsDigits(f[0])) return false;
  for (size_t i = 0; i < n; ++i) {
    if (f[i] == "OK" || f[i] == "NODATA" || f[i] == "SKIPDATA") return true;
  }
  return false;
}

void VpcFlowReader::SetHeader(std::string_view line) {
  std::array<std::string_view, kMaxFields> f;
  size_t n = SplitFields(TrimLine(line), f);
  header_.clear();
  if (n <= kMaxFields) header_.assign(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
}

VpcFlowReader::LineKind VpcFlowReader::ParseLine(std::string_view line, std::string* json,
                                                 int64_t* time_ms, std::string* error) {
  line = TrimLine(line);
  if (line.empty() || line[0] == '#') return LineKind::kSkip;
  std::array<std::string_view, kMaxFields> f;
  size_t n = SplitFields(line, f);
  if (n > kMaxFields) {
    *error = "flow log line has more than 64 fields";
    return LineKind::kMalformed;
  }
  if (!IsDigits(f[0]) && IsHeader(line)) {
    header_.assign(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
    return LineKind::kHeader;
  }
  // Field names for this line.
  std::array<std::string_view, kMaxFields> names;
  if (!header_.empty()) {
    if (n != header_.size()) {
      *error = "flow log line has " + std::to_string(n) + " fields, header has " +
               std::to_string(header_.size());
      return LineKind::kMalformed;
    }
    for (size_t i = 0; i < n; ++i) names[i] = header_[i];
  } else if (n >= 4 && f[3].substr(0, 4) == "tgw-") {
    if (n > kTgwFields.size()) {
      *error = "transit gateway flow log line has " + std::to_string(n) + " fields and no header";
      return LineKind::kMalformed;
    }
    std::copy_n(kTgwFields.begin(), n, names.begin());
  } else {
    if (n < 14 || n > kVpcFields.size()) {
      *error = "flow log line has " + std::to_string(n) +
               " fields and no header (the default format has 14)";
      return LineKind::kMalformed;
    }
    if (!IsDigits(f[0])) {
      *error = "flow log line does not start with a version number";
      return LineKind::kMalformed;
    }
    std::copy_n(kVpcFields.begin(), n, names.begin());
  }
  json->clear();
  json->push_back('{');
  *time_ms = kUnknownTime;
  bool first = true;
  for (size_t i = 0; i < n; ++i) {
    std::string_view v = f[i];
    if (v == "-") continue;
    if (!first) json->push_back(',');
    first = false;
    AppendJsonString(*json, names[i]);
    json->push_back(':');
    if (IsIntegerField(names[i]) && IsJsonInteger(v)) {
      json->append(v);
      if (names[i] == "start") {
        uint64_t seconds = 0;
        if (ParseUint(v, &seconds) && seconds < (uint64_t{1} << 40)) {
          *time_ms = static_cast<int64_t>(seconds) * 1000;
        }
      }
    } else {
      AppendJsonString(*json, v);
    }
  }
  json->push_back('}');
  return LineKind::kRecord;
}

}  // namespace cloudward::ingest
