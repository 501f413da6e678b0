// The pure parts of the actions: target validation and the decisions "what needs changing" and
// "can the prior state be restored", separated from the AWS reads so unit tests can cover them.
//
//   auto todo = InterfacesToIsolate({{"eni-1", {"sg-web"}}}, "sg-q");   // -> {{"eni-1", {"sg-web"}}}
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/services.h"
#include "core/result.h"

namespace cloudward::respond {

inline constexpr std::string_view kQuarantineGroupName = "cloudward-quarantine";
inline constexpr std::string_view kIncidentTag = "cloudward:incident";

// AWS access key ids: 16-128 upper-case letters and digits (AKIA..., ASIA...).
bool ValidAccessKeyId(std::string_view id);
// "i-" and 8 or 17 hex digits.
bool ValidInstanceId(std::string_view id);
// S3 bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit.
bool ValidBucketName(std::string_view name);

// -- deactivate-access-key
// The status to set when rolling back: "Active" when the key is Inactive now; nullopt when it is
// already Active (nothing to do). kConflict for anything else (the key was deleted: "").
Result<std::optional<std::string>> AccessKeyRestore(std::string_view prior_status, std::string_view current_status);

// -- isolate-instance
struct InterfaceGroups {
  std::string id;
  std::vector<std::string> groups;
  bool operator==(const InterfaceGroups&) const = default;
};
// The interfaces whose groups are not exactly {quarantine_group}, with their current groups.
std::vector<InterfaceGroups> InterfacesToIsolate(const std::vector<InterfaceGroups>& current,
                                                 const std::string& quarantine_group);
// The interfaces to put back into their prior groups: those now exactly in {quarantine_group}.
// Interfaces already back in their prior groups are skipped. kConflict, naming every offender,
// when an interface has other groups than both (someone changed it since) or no longer exists.
Result<std::vector<InterfaceGroups>> InterfacesToRestore(const std::vector<InterfaceGroups>& prior,
                                                         const std::vector<InterfaceGroups>& current,
                                                         const std::string& quarantine_group);

// -- block-s3-public-access
bool FullyBlocked(const aws::s3::PublicAccessBlock& config);
// "BlockPublicAcls=true, IgnorePublicAcls=false, ..."
std::string Describe(const aws::s3::PublicAccessBlock& config);
enum class PublicAccessRestore { kNothing, kDelete, kPut };
// What rollback does given the prior (nullopt: none was set) and current configuration. kConflict
// when the current configuration is neither the fully-blocked one apply set nor the prior one.
Result<PublicAccessRestore> PublicAccessBlockRestore(const std::optional<aws::s3::PublicAccessBlock>& prior,
                                                     const std::optional<aws::s3::PublicAccessBlock>& current);

}  // namespace cloudward::respond
