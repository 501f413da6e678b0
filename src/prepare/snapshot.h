// What an account holds, read once from AWS and then judged by the posture checks (posture.h)
// and drawn by the inventory (inventory.h) without further calls. Collection never stops at the
// first failure: a call that fails (access denied, service not offered, throttled past retries)
// leaves its part empty and records a Gap, so the checks that needed it report "unknown" with the
// reason instead of a false "pass".
//
//   RegionClients clients(base_config);                       // one AwsClient per region
//   auto regions = ResolveRegions(clients, {});                // enabled regions (DescribeRegions)
//   AccountSnapshot snap = CollectSnapshot(clients, *regions, {.progress = Print});
//   for (const auto& r : snap.regions) ... r.instances ...;
//
// CollectSnapshot reads regions in parallel (one thread per region, at most `parallelism`);
// AccountSnapshot is a plain value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/services_prepare.h"
#include "core/result.h"

namespace cloudward::prepare {

// One AwsClient per region, created on first use from a common configuration (credentials,
// transport and endpoints are shared). Thread-safe; clients live as long as this object.
class RegionClients {
 public:
  explicit RegionClients(aws::ClientConfig base) : base_(std::move(base)) {}
  aws::AwsClient& For(const std::string& region);
  // The region of the base configuration (after resolution), for account-wide services.
  aws::AwsClient& Home();
  // A client that tries once (no retries), for optional APIs that may not be offered at all.
  aws::AwsClient& Probe(const std::string& region);

 private:
  aws::ClientConfig base_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<aws::AwsClient>> clients_;
  std::map<std::string, std::unique_ptr<aws::AwsClient>> probes_;
  std::unique_ptr<aws::AwsClient> home_;
};

// `requested` when not empty (checked for form), else the account's enabled regions.
Result<std::vector<std::string>> ResolveRegions(RegionClients& clients, const std::vector<std::string>& requested);

// A part that could not be read.
struct Gap {
  std::string region;   // "global" for IAM and S3 listing
  std::string section;  // "ec2:DescribeInstances", "s3:GetBucketPolicy my-bucket", ...
  std::string error;
};

struct LoadBalancerInfo {
  aws::elbv2::LoadBalancer lb;
  std::vector<aws::elbv2::Listener> listeners;
  std::vector<std::string> targets;
};

struct FunctionInfo {
  aws::lambda::Function function;
  std::string url_auth;  // "" when the function has no URL
};

struct TableInfo {
  std::string name;
  std::string arn;
  std::optional<bool> pitr;  // nullopt when it could not be read
};

struct RegionSnapshot {
  std::string region;
  std::vector<aws::ec2::Vpc> vpcs;
  std::vector<aws::ec2::Subnet> subnets;
  std::vector<aws::ec2::RouteTable> route_tables;
  std::vector<aws::ec2::InternetGateway> internet_gateways;
  std::vector<aws::ec2::NatGateway> nat_gateways;
  std::vector<aws::ec2::SecurityGroupRules> security_groups;
  std::vector<aws::ec2::NetworkAclRules> network_acls;
  std::vector<aws::ec2::Instance> instances;
  std::vector<aws::ec2::Volume> volumes;
  std::vector<aws::ec2::NetworkInterfaceDetail> network_interfaces;
  std::vector<aws::ec2::Address> addresses;
  std::vector<aws::rds::DbInstance> databases;
  std::vector<TableInfo> tables;
  std::vector<FunctionInfo> functions;
  std::vector<LoadBalancerInfo> load_balancers;
  // SSM patch compliance of the managed nodes (read only when the region has instances; a failed
  // read leaves the gap "ssm:ListResourceComplianceSummaries").
  std::vector<aws::ssm::ComplianceSummary> patch_compliance;
};

struct BucketInfo {
  std::string name;
  std::string region;
  std::optional<aws::s3::PublicAccessBlock> public_access_block;  // nullopt: none configured
  std::string policy;                                              // "" when none
  std::vector<aws::s3::Grant> acl;
  std::string encryption;                                          // "" when none
  std::string logging_target;                                      // "" when off
  aws::s3::VersioningState versioning;
  bool object_lock = false;
  aws::Tags tags;
  std::vector<std::string> unread;  // sections that failed (their fields keep defaults)
  std::string Arn() const { return "arn:aws:s3:::" + name; }
};

struct UserInfo {
  aws::iam::UserDetail user;
  std::optional<bool> console_access;  // nullopt when it could not be read
  std::optional<size_t> mfa_devices;
  std::vector<aws::iam::AccessKey> access_keys;
  // Active keys' last use, by access key id (a key missing here could not be read: see the gap
  // "iam:GetAccessKeyLastUsed <key id>").
  std::map<std::string, aws::iam::AccessKeyLastUsed> key_last_used;
};

struct AccountSnapshot {
  std::string account_id;
  int64_t taken_ms = 0;
  std::vector<RegionSnapshot> regions;
  std::vector<BucketInfo> buckets;
  // Account-level S3 Block Public Access (S3 Control); nullopt when none is configured or when it
  // could not be read (then the gap "s3control:GetPublicAccessBlock").
  std::optional<aws::s3::PublicAccessBlock> account_public_access_block;
  std::map<std::string, int64_t> account_summary;  // iam:GetAccountSummary
  std::vector<UserInfo> users;
  std::vector<aws::iam::RoleDetail> roles;
  std::vector<aws::iam::ManagedPolicy> policies;  // customer-managed
  std::vector<Gap> gaps;

  // The gap for a section in a region ("global" for account-wide), or nullptr.
  const Gap* FindGap(std::string_view region, std::string_view section_prefix) const;
};

struct CollectOptions {
  int parallelism = 8;
  bool iam = true;      // users, roles, policies, account summary
  bool buckets = true;  // S3 buckets and their settings
  // Called from worker threads (serialised by the collector) with "region 3/17: us-east-1 done".
  std::function<void(const std::string&)> progress;
};

AccountSnapshot CollectSnapshot(RegionClients& clients, const std::vector<std::string>& regions,
                                const CollectOptions& options, int64_t now_ms);

}  // namespace cloudward::prepare
