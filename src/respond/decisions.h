// The pure parts of the actions: target validation and the decisions "what needs changing" and
// "can the prior state be restored", separated from the AWS reads so unit tests can cover them.
//
//   auto todo = InterfacesToIsolate({{"eni-1", {"sg-web"}}}, "sg-q");   // -> {{"eni-1", {"sg-web"}}}
#pragma once

#include <cstdint>
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
// "snap-" or "ami-" and 8 or 17 hex digits.
bool ValidSnapshotId(std::string_view id);
bool ValidImageId(std::string_view id);
// "sg-" and 8 or 17 hex digits.
bool ValidSecurityGroupId(std::string_view id);
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


// -- revoke-role-sessions, restrict-user
inline constexpr std::string_view kRevokeSessionsPolicy = "cloudward-revoke-older-sessions";
inline constexpr std::string_view kDenyAllPolicy = "cloudward-deny-all";
// An IAM principal named by an operator: a role or user ARN, an assumed-role session ARN
// (arn:aws:sts::1:assumed-role/ROLE/SESSION names ROLE), or a bare name (kind "").
struct PrincipalName {
  std::string kind;  // "role", "user" or "" (a bare name: look it up)
  std::string name;  // without the path
};
Result<PrincipalName> ParsePrincipal(std::string_view target);
// The inline policy that denies every request signed with credentials issued before `revoke_ms`.
std::string RevokeSessionsPolicy(int64_t revoke_ms);
// The revocation time of a policy made by RevokeSessionsPolicy (nullopt for any other document).
std::optional<int64_t> RevocationTime(std::string_view policy_document);
// The inline policy that denies everything.
std::string DenyAllPolicy();
// True when two policy documents are the same JSON (whitespace and key order ignored).
bool SamePolicy(std::string_view a, std::string_view b);

// -- block-ip
// "203.0.113.7" -> "203.0.113.7/32", "2001:db8::1" -> "2001:db8::1/128"; CIDRs are checked and
// kept. kInvalidArgument for anything else, and for 0.0.0.0/0 or ::/0 (that would cut everything).
Result<std::string> NormalizeCidr(std::string_view text);
// The lowest rule number (1..32766) free in one direction of an ACL; nullopt when none is.
std::optional<int> FreeRuleNumber(const std::vector<aws::ec2::NetworkAclEntry>& entries, bool egress);
// The number of the first deny-all entry for `cidr` in a direction that is evaluated before
// every allow entry (so it takes effect); nullopt when there is none.
std::optional<int> EffectiveDeny(const std::vector<aws::ec2::NetworkAclEntry>& entries, bool egress,
                                 const std::string& cidr);
// The lowest-numbered allow entry of a direction (nullopt when none).
std::optional<int> FirstAllow(const std::vector<aws::ec2::NetworkAclEntry>& entries, bool egress);

// -- remove-public-bucket-access
struct BucketPolicyCleanup {
  std::optional<std::string> policy;           // the policy to put; nullopt when no statement remains
  std::vector<std::string> removed;            // for people: "statement PublicRead: Principal *"
  std::vector<std::string> kept_conditional;   // statements open to everyone but under a Condition
  bool changed() const { return !removed.empty(); }
};
// The bucket policy without what opens the bucket to outsiders: Allow statements whose Principal
// (or NotPrincipal) is "*" or {"AWS": "*"} with no Condition are dropped; principals of accounts
// other than `owner_account` (ARNs or account ids) are taken out of Allow statements, and a
// statement left with no principal is dropped. Deny statements are kept. kMalformed when the
// text is not a policy document.
Result<BucketPolicyCleanup> WithoutPublicStatements(std::string_view policy, std::string_view owner_account);
// An S3 AccessControlPolicy document without its grants to AllUsers and AuthenticatedUsers
// (`removed` receives "AllUsers READ" for each). kMalformed when it is not one.
Result<std::string> AclWithoutPublicGrants(std::string_view acl_xml, std::vector<std::string>* removed);
// The grants of an AccessControlPolicy as sorted "grantee permission" strings, to compare ACLs.
Result<std::vector<std::string>> AclGrants(std::string_view acl_xml);

// -- capture-instance-evidence, replace-instance-profile, stop-instance, terminate-instance
// The tag capture-instance-evidence puts on an instance: its value is the incident captured for.
inline constexpr std::string_view kEvidenceTag = "cloudward:evidence";
// Standard base64 (RFC 4648; '=' padding optional, whitespace ignored); nullopt for anything else.
std::optional<std::string> DecodeBase64(std::string_view text);
// Bytes kept as evidence: the size and SHA-256 of all of them and, as text, their last `limit`
// bytes (invalid UTF-8, control characters but tab, newline and carriage return, replaced by
// U+FFFD), so that any content can be stored and printed.
struct BoundedText {
  size_t bytes = 0;        // all of them
  std::string sha256;      // hex, of all of them
  std::string text;        // valid UTF-8
  size_t kept_bytes = 0;   // how many of the last bytes `text` shows
  bool truncated() const { return kept_bytes < bytes; }
};
BoundedText KeepTail(std::string_view bytes, size_t limit);
// The volumes with no snapshot among `snapshots` (those in state "error" do not count).
std::vector<std::string> VolumesWithoutSnapshot(const std::vector<std::string>& volumes,
                                                const std::vector<aws::ec2::Snapshot>& snapshots);
// "arn:aws:iam::1:instance-profile/path/web" -> "web"; a bare name is returned as it is; "" for
// an ARN of anything else.
std::string InstanceProfileName(std::string_view arn_or_name);
// What rollback of replace-instance-profile does: the instance had `prior` (an ARN), apply left it
// with `quarantine` ("" when the profile was removed) and it has `current` now ("" for none).
// kConflict when `current` is neither (someone changed it since).
enum class ProfileRestore { kNothing, kAssociate, kReplace };
Result<ProfileRestore> InstanceProfileRestore(std::string_view prior, std::string_view quarantine,
                                              std::string_view current);
// Whether rollback of stop-instance starts the instance: it was `prior` ("running") before and is
// `current` now. false when it was not running or runs again; kConflict while it is stopping or
// when it is being terminated.
Result<bool> StartAfterStop(std::string_view prior, std::string_view current);

}  // namespace cloudward::respond
