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
  std::string vpc_id;
  std::string subnet_id;
  std::string private_ip;
  std::string public_ip;
  std::string iam_instance_profile_arn;
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

}  // namespace cloudward::aws
