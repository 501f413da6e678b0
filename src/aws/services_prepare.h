// Typed read helpers for prepare/ (posture checks, readiness audit, inventory) and the few writes
// its --fix needs. Same conventions as services.h (one AWS operation each, list helpers follow
// pagination to the end, AwsResult everywhere); kept in their own file so that the stages that
// grow the client in parallel do not edit the same lines.
//
//   auto groups = ec2::DescribeSecurityGroupRules(aws, {});
//   for (const auto& g : *groups)
//     for (const auto& p : g.ingress) if (p.cidrs contain "0.0.0.0/0") ...;
//
//   auto trails = cloudtrail::DescribeTrails(aws);          // every trail visible in the region
//   auto status = cloudtrail::GetTrailLogging(aws, trails->front().arn);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aws/services.h"

namespace cloudward::aws {

namespace sts {
// Temporary credentials of `role_arn` (provider "assume-role:<arn>").
AwsResult<Credentials> AssumeRole(AwsClient& aws, const std::string& role_arn, const std::string& session_name,
                                  const std::string& external_id = "", int duration_seconds = 3600);
}  // namespace sts

namespace ec2 {
// Regions enabled for the account (DescribeRegions without AllRegions).
AwsResult<std::vector<std::string>> DescribeRegions(AwsClient& aws);

struct Vpc {
  std::string vpc_id;
  std::string cidr;
  bool is_default = false;
  Tags tags;
};
AwsResult<std::vector<Vpc>> DescribeVpcs(AwsClient& aws);

struct Subnet {
  std::string subnet_id;
  std::string vpc_id;
  std::string cidr;
  std::string availability_zone;
  bool map_public_ip_on_launch = false;
  Tags tags;
};
AwsResult<std::vector<Subnet>> DescribeSubnets(AwsClient& aws);

struct RouteEntry {
  std::string destination;  // IPv4 or IPv6 CIDR, or a prefix list id
  std::string target;       // "local", igw-..., nat-..., pcx-..., tgw-..., eni-..., i-...
  std::string state;        // "active" | "blackhole"
};
struct RouteTable {
  std::string route_table_id;
  std::string vpc_id;
  bool main = false;                    // the VPC's main table (used by unassociated subnets)
  std::vector<std::string> subnet_ids;  // explicit associations
  std::vector<RouteEntry> routes;
  Tags tags;
};
AwsResult<std::vector<RouteTable>> DescribeRouteTables(AwsClient& aws);

struct InternetGateway {
  std::string internet_gateway_id;
  std::vector<std::string> vpc_ids;  // attachments
};
AwsResult<std::vector<InternetGateway>> DescribeInternetGateways(AwsClient& aws);

struct NatGateway {
  std::string nat_gateway_id;
  std::string vpc_id;
  std::string subnet_id;
  std::string state;
  std::string public_ip;
};
AwsResult<std::vector<NatGateway>> DescribeNatGateways(AwsClient& aws);

// One IpPermission: protocol "-1" (all), "tcp", "udp", "icmp" or a number; ports -1 when absent.
struct IpPermission {
  std::string protocol;
  int from_port = -1;
  int to_port = -1;
  std::vector<std::string> cidrs;      // IPv4 and IPv6 ranges
  std::vector<std::string> group_ids;  // referenced security groups
};
struct SecurityGroupRules {
  std::string group_id;
  std::string group_name;
  std::string vpc_id;
  std::string description;
  std::vector<IpPermission> ingress;
  std::vector<IpPermission> egress;
  Tags tags;
};
AwsResult<std::vector<SecurityGroupRules>> DescribeSecurityGroupRules(AwsClient& aws,
                                                                      const std::vector<Filter>& filters = {});
AwsStatus DeleteSecurityGroup(AwsClient& aws, const std::string& group_id);
// Authorizes (or revokes) one ingress permission for `permission.cidrs` (IPv4 and IPv6 ranges;
// referenced groups are not sent).
AwsStatus ChangeSecurityGroupIngress(AwsClient& aws, const std::string& group_id, const IpPermission& permission,
                                     bool authorize);

struct AclEntry {
  int rule_number = 0;
  bool egress = false;
  std::string protocol;  // "-1" for all, else the IP protocol number ("6" tcp, "17" udp)
  std::string action;    // "allow" | "deny"
  std::string cidr;
  int from_port = -1;    // PortRange; -1 when absent (all ports)
  int to_port = -1;
};
struct NetworkAclRules {
  std::string network_acl_id;
  std::string vpc_id;
  bool is_default = false;
  std::vector<AclEntry> entries;
  std::vector<std::string> subnet_ids;
};
AwsResult<std::vector<NetworkAclRules>> DescribeNetworkAclRules(AwsClient& aws);

// Instances: ec2::DescribeInstances (services.h) reads every field the audits need.
struct Volume {
  std::string volume_id;
  std::string state;
  bool encrypted = false;
  int size_gib = 0;
  std::vector<std::string> instance_ids;  // attachments
  Tags tags;
};
AwsResult<std::vector<Volume>> DescribeVolumes(AwsClient& aws);

struct NetworkInterfaceDetail {
  std::string network_interface_id;
  std::string vpc_id;
  std::string subnet_id;
  std::string instance_id;
  std::string private_ip;
  std::string public_ip;  // association
  std::string interface_type;
  std::string description;
  std::vector<std::string> group_ids;
};
AwsResult<std::vector<NetworkInterfaceDetail>> DescribeNetworkInterfaceDetails(AwsClient& aws);

struct Address {
  std::string allocation_id;
  std::string public_ip;
  std::string instance_id;
  std::string network_interface_id;
  std::string private_ip;
};
AwsResult<std::vector<Address>> DescribeAddresses(AwsClient& aws);

struct FlowLog {
  std::string flow_log_id;
  std::string resource_id;  // vpc-, subnet- or eni-
  std::string status;       // "ACTIVE"
  std::string destination;
};
AwsResult<std::vector<FlowLog>> DescribeFlowLogs(AwsClient& aws);
}  // namespace ec2

namespace s3 {
struct Bucket {
  std::string name;
  std::string creation_date;
};
AwsResult<std::vector<Bucket>> ListBuckets(AwsClient& aws);
// The bucket's region ("us-east-1" for the empty LocationConstraint).
AwsResult<std::string> GetBucketLocation(AwsClient& aws, const std::string& bucket);
// The default encryption algorithm ("AES256", "aws:kms", "aws:kms:dsse"); kNotFound when none.
AwsResult<std::string> GetBucketEncryption(AwsClient& aws, const std::string& bucket);
// The target bucket of server access logging, "" when logging is off.
AwsResult<std::string> GetBucketLoggingTarget(AwsClient& aws, const std::string& bucket);
struct VersioningState {
  std::string status;  // "" (never enabled), "Enabled" or "Suspended"
  bool mfa_delete = false;
};
AwsResult<VersioningState> GetBucketVersioningState(AwsClient& aws, const std::string& bucket);
// True when Object Lock is enabled (false when no configuration exists).
AwsResult<bool> GetObjectLockEnabled(AwsClient& aws, const std::string& bucket);
// Empty when the bucket has no tags.
AwsResult<Tags> GetBucketTagging(AwsClient& aws, const std::string& bucket);
struct Grant {
  std::string grantee_uri;  // group grants: .../global/AllUsers, .../global/AuthenticatedUsers
  std::string grantee_id;   // canonical user grants
  std::string permission;
};
AwsResult<std::vector<Grant>> GetBucketAcl(AwsClient& aws, const std::string& bucket);
// "AES256" or "aws:kms".
AwsStatus PutBucketEncryption(AwsClient& aws, const std::string& bucket, const std::string& algorithm);
AwsStatus PutBucketTagging(AwsClient& aws, const std::string& bucket, const Tags& tags);
AwsStatus DeleteBucket(AwsClient& aws, const std::string& bucket);  // the bucket must be empty
}  // namespace s3

namespace s3control {
// The account-level Block Public Access settings (S3 Control GetPublicAccessBlock, IAM action
// s3:GetAccountPublicAccessBlock); kNotFound (NoSuchPublicAccessBlockConfiguration) when the
// account has none. S3 Control addresses the account in the host name
// ({account}.s3-control.{region}.amazonaws.com); an overridden endpoint (AWS_ENDPOINT_URL_S3_CONTROL
// or AWS_ENDPOINT_URL) is used as given, the account then travels only in x-amz-account-id.
AwsResult<s3::PublicAccessBlock> GetPublicAccessBlock(AwsClient& aws, const std::string& account_id);
// Sets (PutPublicAccessBlock, IAM s3:PutAccountPublicAccessBlock) or removes
// (DeletePublicAccessBlock, the same IAM action) the account-level settings.
AwsStatus PutPublicAccessBlock(AwsClient& aws, const std::string& account_id, const s3::PublicAccessBlock& config);
AwsStatus DeletePublicAccessBlock(AwsClient& aws, const std::string& account_id);
}  // namespace s3control

namespace iam {
// GetAccountSummary's SummaryMap ("AccountMFAEnabled", "AccountAccessKeysPresent", ...).
AwsResult<std::map<std::string, int64_t>> GetAccountSummary(AwsClient& aws);

struct InlinePolicy {
  std::string name;
  std::string document;  // decoded JSON text
};
struct UserDetail {
  std::string user_name;
  std::string arn;
  std::string create_date;
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached_policy_arns;
  std::vector<std::string> groups;
  Tags tags;
};
struct InstanceProfile {
  std::string name;
  std::string arn;
};
struct RoleDetail {
  std::string role_name;
  std::string arn;
  std::string create_date;
  std::string trust_policy;  // decoded JSON text
  std::vector<InlinePolicy> inline_policies;
  std::vector<std::string> attached_policy_arns;
  std::vector<InstanceProfile> instance_profiles;
  Tags tags;
};
struct ManagedPolicy {
  std::string arn;
  std::string name;
  int attachment_count = 0;
  std::string default_document;  // decoded JSON text of the default version
};
struct AuthorizationDetails {
  std::vector<UserDetail> users;
  std::vector<RoleDetail> roles;
  std::vector<ManagedPolicy> policies;  // customer-managed only (AWS-managed ones are known)
};
AwsResult<AuthorizationDetails> GetAccountAuthorizationDetails(AwsClient& aws);
// False when the user has no console password (NoSuchEntity).
AwsResult<bool> HasLoginProfile(AwsClient& aws, const std::string& user_name);
AwsResult<size_t> CountMfaDevices(AwsClient& aws, const std::string& user_name);
struct AccessKeyLastUsed {
  std::string last_used_date;  // ISO 8601; "" when the key was never used
  std::string service_name;    // "N/A" when never used
  std::string region;
};
AwsResult<AccessKeyLastUsed> GetAccessKeyLastUsed(AwsClient& aws, const std::string& access_key_id);
}  // namespace iam

namespace organizations {
struct Account {
  std::string id;
  std::string name;
  std::string arn;
  std::string status;  // ACTIVE | SUSPENDED | PENDING_CLOSURE
};
// Every account of the organization, the management account included (every page of ListAccounts).
AwsResult<std::vector<Account>> ListAccounts(AwsClient& aws);
}  // namespace organizations

namespace ssm {
// One managed node's summary for a compliance type (ListResourceComplianceSummaries).
struct ComplianceSummary {
  std::string resource_id;    // i-... for EC2 instances, mi-... for hybrid nodes
  std::string resource_type;  // "ManagedInstance"
  std::string status;         // COMPLIANT | NON_COMPLIANT
  std::string overall_severity;  // CRITICAL | HIGH | MEDIUM | LOW | INFORMATIONAL | UNSPECIFIED
  int compliant_count = 0;
  int non_compliant_count = 0;
  std::string execution_time;  // when the node was last scanned, as sent
};
// Summaries filtered to ComplianceType `type` ("Patch").
AwsResult<std::vector<ComplianceSummary>> ListResourceComplianceSummaries(AwsClient& aws, const std::string& type);
}  // namespace ssm

namespace rds {
struct DbInstance {
  std::string id;
  std::string arn;
  std::string engine;
  std::string status;
  std::string vpc_id;
  std::string endpoint;
  bool publicly_accessible = false;
  bool storage_encrypted = false;
  int backup_retention_days = 0;
  std::vector<std::string> security_group_ids;
  std::vector<std::string> subnet_ids;
  Tags tags;
};
AwsResult<std::vector<DbInstance>> DescribeDbInstances(AwsClient& aws);
}  // namespace rds

namespace dynamodb {
AwsResult<std::vector<std::string>> ListTables(AwsClient& aws);
// The table ARN.
AwsResult<std::string> DescribeTableArn(AwsClient& aws, const std::string& table);
// True when point-in-time recovery is enabled.
AwsResult<bool> GetPointInTimeRecovery(AwsClient& aws, const std::string& table);
}  // namespace dynamodb

namespace lambda {
struct Function {
  std::string name;
  std::string arn;
  std::string runtime;  // "" for container images
  std::string role;
  std::string vpc_id;
  std::vector<std::string> subnet_ids;
  std::vector<std::string> security_group_ids;
};
AwsResult<std::vector<Function>> ListFunctions(AwsClient& aws);
// The function URL's AuthType ("NONE" | "AWS_IAM"); kNotFound when it has no URL.
AwsResult<std::string> GetFunctionUrlAuthType(AwsClient& aws, const std::string& function_name);
}  // namespace lambda

namespace elbv2 {
struct LoadBalancer {
  std::string arn;
  std::string name;
  std::string type;    // application | network | gateway
  std::string scheme;  // internet-facing | internal
  std::string vpc_id;
  std::string dns_name;
  std::vector<std::string> security_group_ids;
  std::vector<std::string> subnet_ids;
};
AwsResult<std::vector<LoadBalancer>> DescribeLoadBalancers(AwsClient& aws);
struct Listener {
  std::string arn;
  std::string protocol;  // HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE
  int port = 0;
  bool redirects_to_https = false;  // the default action redirects to HTTPS
};
AwsResult<std::vector<Listener>> DescribeListeners(AwsClient& aws, const std::string& load_balancer_arn);
// Target ids (instance ids, IPs or Lambda ARNs) registered behind the load balancer.
AwsResult<std::vector<std::string>> DescribeTargets(AwsClient& aws, const std::string& load_balancer_arn);
}  // namespace elbv2

namespace cloudtrail {
struct Trail {
  std::string name;
  std::string arn;
  std::string home_region;
  std::string s3_bucket;
  bool multi_region = false;
  bool log_file_validation = false;
  bool organization = false;
};
AwsResult<std::vector<Trail>> DescribeTrails(AwsClient& aws);
AwsResult<bool> GetTrailLogging(AwsClient& aws, const std::string& trail_arn);
struct EventSelectors {
  bool management_events = false;  // read and write (or all) management events recorded
  std::string management_read_write;  // "All" | "ReadOnly" | "WriteOnly" | "" (none)
  bool s3_data_events = false;     // any S3 object-level data events
  std::vector<std::string> s3_data_resources;  // "arn:aws:s3" (all) or bucket ARN prefixes
};
AwsResult<EventSelectors> GetEventSelectors(AwsClient& aws, const std::string& trail_arn);
}  // namespace cloudtrail

namespace guardduty {
AwsResult<std::vector<std::string>> ListDetectors(AwsClient& aws);
struct Detector {
  std::string id;
  std::string status;                                       // "ENABLED" | "DISABLED"
  std::vector<std::pair<std::string, std::string>> features;  // name -> ENABLED | DISABLED
};
AwsResult<Detector> GetDetector(AwsClient& aws, const std::string& detector_id);
}  // namespace guardduty

namespace securityhub {
// The hub ARN; AWS answers InvalidAccessException (kAccessDenied) when Security Hub is not enabled.
AwsResult<std::string> DescribeHub(AwsClient& aws);
}  // namespace securityhub

namespace events {
struct Rule {
  std::string name;
  std::string arn;
  std::string event_pattern;  // JSON text, "" for scheduled rules
  std::string state;          // ENABLED | DISABLED
};
AwsResult<std::vector<Rule>> ListRules(AwsClient& aws);
AwsResult<std::vector<std::string>> ListTargetArns(AwsClient& aws, const std::string& rule_name);
}  // namespace events

namespace sns {
AwsResult<std::vector<std::string>> ListTopics(AwsClient& aws);
struct Subscription {
  std::string arn;  // "PendingConfirmation" until confirmed
  std::string protocol;
  std::string endpoint;
  bool confirmed() const { return arn.starts_with("arn:"); }
};
AwsResult<std::vector<Subscription>> ListSubscriptionsByTopic(AwsClient& aws, const std::string& topic_arn);
}  // namespace sns

namespace backup {
struct PlanSummary {
  std::string id;
  std::string name;
};
AwsResult<std::vector<PlanSummary>> ListBackupPlans(AwsClient& aws);
AwsResult<std::vector<std::string>> ListBackupVaults(AwsClient& aws);
struct RecoveryPoint {
  std::string arn;
  std::string resource_type;
  std::string status;
  std::string creation_date;  // ISO 8601 or epoch seconds, as sent
};
AwsResult<std::vector<RecoveryPoint>> ListRecoveryPoints(AwsClient& aws, const std::string& vault_name);
}  // namespace backup

namespace accessanalyzer {
struct Analyzer {
  std::string name;
  std::string type;    // ACCOUNT | ORGANIZATION | ...
  std::string status;  // ACTIVE | ...
};
AwsResult<std::vector<Analyzer>> ListAnalyzers(AwsClient& aws);
}  // namespace accessanalyzer

namespace support {
// Severity codes the account may open cases with; SubscriptionRequiredException (Basic plan) fails.
AwsResult<std::vector<std::string>> DescribeSeverityLevels(AwsClient& aws);
}  // namespace support

}  // namespace cloudward::aws
