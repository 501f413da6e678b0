// Thin typed helpers over AwsClient for what response actions, audits and the daemon need first.
// Each is one AWS operation (list helpers follow pagination to the end) and returns AwsResult.
//
//   auto keys = iam::ListAccessKeys(aws, "alice");
//   for (const auto& k : *keys) if (k.status == "Active") iam::UpdateAccessKey(aws, "alice", k.access_key_id, false);
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"

namespace cloudward::aws {

using Tags = std::vector<std::pair<std::string, std::string>>;

namespace sts {
struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
  std::string request_id;
};
AwsResult<CallerIdentity> GetCallerIdentity(AwsClient& aws);
}  // namespace sts

namespace ec2 {
struct Instance {
  std::string instance_id;
  std::string state;  // "running", "stopped", ...
  std::string instance_type;
  std::string image_id;
  std::string vpc_id;
  std::string subnet_id;
  std::string private_ip;
  std::string public_ip;
  std::string instance_profile_arn;
  std::string http_tokens;    // metadataOptions: "optional" (IMDSv1 allowed) | "required"
  std::string http_endpoint;  // "enabled" | "disabled"
  std::string launch_time;
  std::vector<std::string> security_group_ids;
  std::vector<std::string> network_interface_ids;
  std::vector<std::string> volume_ids;
  Tags tags;
};
struct Filter {
  std::string name;
  std::vector<std::string> values;
};
AwsResult<std::vector<Instance>> DescribeInstances(AwsClient& aws, const std::vector<std::string>& instance_ids,
                                                  const std::vector<Filter>& filters = {});
// Returns the new group id.
AwsResult<std::string> CreateSecurityGroup(AwsClient& aws, const std::string& vpc_id,
                                          const std::string& name, const std::string& description);
// Replaces the instance's (primary interface's) security groups.
AwsStatus ModifyInstanceSecurityGroups(AwsClient& aws, const std::string& instance_id,
                                       const std::vector<std::string>& group_ids);
AwsStatus ModifyNetworkInterfaceSecurityGroups(AwsClient& aws, const std::string& eni_id,
                                               const std::vector<std::string>& group_ids);
// Returns the snapshot id.
AwsResult<std::string> CreateSnapshot(AwsClient& aws, const std::string& volume_id,
                                      const std::string& description, const Tags& tags = {});
AwsStatus CreateTags(AwsClient& aws, const std::vector<std::string>& resource_ids, const Tags& tags);

// -- Added for respond/ (isolate-instance, snapshot-instance-volumes).
struct NetworkInterface {
  std::string network_interface_id;
  std::string vpc_id;
  std::string instance_id;  // attachment; "" when detached
  std::vector<std::string> group_ids;
};
AwsResult<std::vector<NetworkInterface>> DescribeNetworkInterfaces(AwsClient& aws,
                                                                   const std::vector<std::string>& eni_ids,
                                                                   const std::vector<Filter>& filters = {});
struct SecurityGroup {
  std::string group_id;
  std::string group_name;
  std::string vpc_id;
  size_t ingress_rules = 0;  // IpPermissions entries
  size_t egress_rules = 0;   // IpPermissionsEgress entries
  Tags tags;
};
AwsResult<std::vector<SecurityGroup>> DescribeSecurityGroups(AwsClient& aws, const std::vector<std::string>& group_ids,
                                                             const std::vector<Filter>& filters = {});
// Revokes the all-protocols egress rule to each CIDR (IPv4 "0.0.0.0/0" or IPv6 "::/0").
AwsStatus RevokeAllTrafficEgress(AwsClient& aws, const std::string& group_id, const std::vector<std::string>& cidrs);
struct Snapshot {
  std::string snapshot_id;
  std::string volume_id;
  std::string state;
  Tags tags;
};
AwsResult<std::vector<Snapshot>> DescribeSnapshots(AwsClient& aws, const std::vector<std::string>& snapshot_ids,
                                                   const std::vector<Filter>& filters = {});
}  // namespace ec2

namespace iam {
struct AccessKey {
  std::string user_name;
  std::string access_key_id;
  std::string status;       // "Active" | "Inactive"
  std::string create_date;  // ISO 8601 as AWS sends it
};
AwsResult<std::vector<AccessKey>> ListAccessKeys(AwsClient& aws, const std::string& user_name);
AwsStatus UpdateAccessKey(AwsClient& aws, const std::string& user_name, const std::string& access_key_id,
                          bool active);
AwsStatus PutUserPolicy(AwsClient& aws, const std::string& user_name, const std::string& policy_name,
                        const std::string& policy_document);
AwsStatus DeleteUserPolicy(AwsClient& aws, const std::string& user_name, const std::string& policy_name);
// -- Added for respond/ (deactivate-access-key).
// The user an access key belongs to (kNotFound for an unknown key).
AwsResult<std::string> GetAccessKeyUser(AwsClient& aws, const std::string& access_key_id);
}  // namespace iam

namespace s3 {
struct PublicAccessBlock {
  bool block_public_acls = true;
  bool ignore_public_acls = true;
  bool block_public_policy = true;
  bool restrict_public_buckets = true;
};
struct ObjectVersion {
  std::string key;
  std::string version_id;
  bool is_latest = false;
  bool delete_marker = false;
  int64_t size = 0;
  std::string last_modified;
};
AwsStatus CreateBucket(AwsClient& aws, const std::string& bucket);
// The policy JSON text; kNotFound (NoSuchBucketPolicy) when the bucket has none.
AwsResult<std::string> GetBucketPolicy(AwsClient& aws, const std::string& bucket);
AwsStatus PutBucketPolicy(AwsClient& aws, const std::string& bucket, const std::string& policy);
AwsStatus PutPublicAccessBlock(AwsClient& aws, const std::string& bucket, const PublicAccessBlock& config);
// kNotFound (NoSuchPublicAccessBlockConfiguration) when none is set.
AwsResult<PublicAccessBlock> GetPublicAccessBlock(AwsClient& aws, const std::string& bucket);
AwsStatus DeletePublicAccessBlock(AwsClient& aws, const std::string& bucket);
AwsResult<std::vector<ObjectVersion>> ListObjectVersions(AwsClient& aws, const std::string& bucket,
                                                         const std::string& prefix = "");
AwsResult<std::string> GetObject(AwsClient& aws, const std::string& bucket, const std::string& key);
// Returns the ETag.
AwsResult<std::string> PutObject(AwsClient& aws, const std::string& bucket, const std::string& key,
                                 const std::string& body, const std::string& content_type = "");
}  // namespace s3

namespace sqs {
struct Message {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::map<std::string, std::string> attributes;
};
AwsResult<std::string> CreateQueue(AwsClient& aws, const std::string& name);  // the queue URL
AwsResult<std::string> GetQueueUrl(AwsClient& aws, const std::string& name);
AwsResult<std::vector<Message>> ReceiveMessage(AwsClient& aws, const std::string& queue_url,
                                               int max_messages = 10, int wait_seconds = 0,
                                               int visibility_timeout = -1);
AwsStatus DeleteMessage(AwsClient& aws, const std::string& queue_url, const std::string& receipt_handle);
AwsResult<std::string> SendMessage(AwsClient& aws, const std::string& queue_url, const std::string& body);
}  // namespace sqs

namespace sns {
AwsResult<std::string> CreateTopic(AwsClient& aws, const std::string& name);  // the topic ARN
AwsResult<std::string> Publish(AwsClient& aws, const std::string& topic_arn, const std::string& message,
                               const std::string& subject = "");  // the message id
}  // namespace sns


// -- Added for respond/ (revoke-role-sessions, restrict-user, block-ip, enable-bucket-versioning).
namespace iam {
// kNotFound (NoSuchEntity) for a missing role or user.
struct Role {
  std::string role_name;
  std::string arn;
};
AwsResult<Role> GetRole(AwsClient& aws, const std::string& role_name);
AwsResult<std::string> GetUserArn(AwsClient& aws, const std::string& user_name);
// The inline policy document (decoded JSON text); kNotFound when the principal has none by that name.
AwsResult<std::string> GetRolePolicy(AwsClient& aws, const std::string& role_name, const std::string& policy_name);
AwsResult<std::string> GetUserPolicy(AwsClient& aws, const std::string& user_name, const std::string& policy_name);
AwsStatus PutRolePolicy(AwsClient& aws, const std::string& role_name, const std::string& policy_name,
                        const std::string& policy_document);
AwsStatus DeleteRolePolicy(AwsClient& aws, const std::string& role_name, const std::string& policy_name);
// The ARNs of the instance profiles that contain the role.
AwsResult<std::vector<std::string>> ListInstanceProfilesForRole(AwsClient& aws, const std::string& role_name);
}  // namespace iam

namespace ec2 {
struct NetworkAclEntry {
  int rule_number = 0;
  bool egress = false;
  std::string protocol;     // "-1" for all
  std::string rule_action;  // "allow" | "deny"
  std::string cidr;         // IPv4 CidrBlock or IPv6 Ipv6CidrBlock
  bool operator==(const NetworkAclEntry&) const = default;
};
struct NetworkAcl {
  std::string network_acl_id;
  std::string vpc_id;
  bool is_default = false;
  std::vector<NetworkAclEntry> entries;
  std::vector<std::string> subnet_ids;  // associations
};
AwsResult<std::vector<NetworkAcl>> DescribeNetworkAcls(AwsClient& aws, const std::vector<std::string>& acl_ids,
                                                       const std::vector<Filter>& filters = {});
// An all-protocols entry for one CIDR (IPv4 or IPv6 by its form).
AwsStatus CreateNetworkAclEntry(AwsClient& aws, const std::string& acl_id, const NetworkAclEntry& entry);
AwsStatus DeleteNetworkAclEntry(AwsClient& aws, const std::string& acl_id, int rule_number, bool egress);
// The IPv6 CIDR blocks associated with a VPC (a new security group in it then also allows ::/0 out).
AwsResult<std::vector<std::string>> VpcIpv6Cidrs(AwsClient& aws, const std::string& vpc_id);
}  // namespace ec2

namespace cloudtrail {
AwsStatus StartLogging(AwsClient& aws, const std::string& trail);  // name or ARN
AwsStatus StopLogging(AwsClient& aws, const std::string& trail);
}  // namespace cloudtrail

namespace s3 {
// Read it with GetBucketVersioningState (services_prepare.h).
AwsStatus PutBucketVersioning(AwsClient& aws, const std::string& bucket, bool enabled);
}  // namespace s3

}  // namespace cloudward::aws
