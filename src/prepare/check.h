// The vocabulary of posture checks and the readiness audit: what a check is (a stable id, a
// severity, what it looks at and how to fix a failure) and what one evaluation of it found on one
// resource. Plain values; no I/O.
//
//   CheckResult r{.check_id = "s3.versioning", .resource = "arn:aws:s3:::logs", .region = "eu-west-1",
//                 .status = CheckStatus::kFail, .evidence = {{"Versioning", "Suspended"}}};
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/finding.h"

namespace cloudward::prepare {

enum class CheckStatus : unsigned char { kPass, kFail, kUnknown };
std::string_view CheckStatusName(CheckStatus s);  // "pass" | "fail" | "unknown"

struct CheckDefinition {
  std::string_view id;             // "s3.versioning": service, then what; never renamed
  Level severity = Level::kMedium;
  std::string_view title;          // one line: what is checked
  std::string_view remediation;    // what to do when it fails
};

// One check on one resource.
struct CheckResult {
  std::string check_id;
  Level severity = Level::kMedium;
  std::string resource;  // ARN where one exists, else the id (sg-..., i-...), or the account/region
  std::string region;    // "global" for IAM and account-wide checks
  CheckStatus status = CheckStatus::kPass;
  std::string message;   // what was seen, for people
  nlohmann::json evidence = nlohmann::json::object();  // the exact field values seen
  // Suppression: a failed result that a tag or the configuration accepts stays kFail with
  // `suppressed` set, so reports can still show it.
  bool suppressed = false;
  std::string suppressed_by;       // "tag" | "config"
  std::string suppression_reason;  // the configured reason, or the tag
};

}  // namespace cloudward::prepare
