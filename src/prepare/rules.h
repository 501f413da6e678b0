// The judgements behind the posture checks, as pure functions over values read from AWS: which
// ports a security group or network ACL opens to the internet, whether a policy is an
// administrator wildcard or makes a bucket public, whether a Lambda runtime is deprecated. Kept
// apart from the checks so that unit tests can probe the edge cases directly. Thread-safe.
//
//   std::vector<int> ports = OpenAdminPorts(group.ingress);        // {22} for tcp/22 from 0.0.0.0/0
//   if (PolicyIsAdminWildcard(document)) ...;                      // Allow * on *
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/services_prepare.h"

namespace cloudward::prepare {

// Remote administration ports (SSH, RDP) that must never be open to the internet.
inline constexpr int kAdminPorts[] = {22, 3389};

// 0.0.0.0/0 or ::/0.
bool IsWorldCidr(std::string_view cidr);

// Does a rule with this protocol and port range let TCP traffic reach `port`? Protocol "-1"
// (all) or "tcp" / "6"; ports -1 mean all.
bool CoversTcpPort(std::string_view protocol, int from_port, int to_port, int port);

// The admin ports that some ingress permission opens to the world (sorted, unique).
std::vector<int> OpenAdminPorts(const std::vector<aws::ec2::IpPermission>& ingress);

// The ports (among `ports`) that a network ACL lets in from the world: rules are evaluated in
// rule-number order and the first world-wide rule covering the port decides.
std::vector<int> AclOpenPorts(const aws::ec2::NetworkAclRules& acl, const std::vector<int>& ports);

// Every TCP port range (from, to) that a security group lets in from the world; "-1" protocol
// gives {0, 65535}.
std::vector<std::pair<int, int>> WorldIngressRanges(const std::vector<aws::ec2::IpPermission>& ingress);

// True when some statement allows every action on every resource (Action "*" or "*:*",
// Resource "*", Effect Allow), with or without a Condition. Malformed documents are not admin.
bool PolicyIsAdminWildcard(std::string_view document);

// Who a bucket policy lets in besides the owner: public (Principal "*" in an Allow statement with
// no Condition) and the other accounts named in Allow statements.
struct PolicyExposure {
  bool is_public = false;
  std::vector<std::string> other_accounts;
  std::vector<std::string> public_statements;  // Sid or index of the public statements
};
PolicyExposure BucketPolicyExposure(std::string_view policy, std::string_view own_account);

// When AWS deprecated (or will deprecate) a Lambda runtime, in ms since the epoch; nullopt for a
// runtime not known to be deprecated.
std::optional<int64_t> RuntimeDeprecationMs(std::string_view runtime);

// Whole days between an ISO 8601 time and now; nullopt when the time does not parse.
std::optional<int64_t> AgeDays(std::string_view iso_time, int64_t now_ms);

// Tag value lookup.
std::optional<std::string> TagValue(const aws::Tags& tags, std::string_view key);

}  // namespace cloudward::prepare
