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
  std::string etag;  // "" for delete markers
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

// -- Added for respond/ (protect-instance, require-imdsv2, make-snapshot-private,
// remove-user-from-groups, delete-login-profile).
namespace ec2 {
// The value of one instance attribute as text: "true"/"false" for disableApiTermination,
// "stop"/"terminate" for instanceInitiatedShutdownBehavior.
AwsResult<std::string> DescribeInstanceAttribute(AwsClient& aws, const std::string& instance_id,
                                                 const std::string& attribute);
// Sets one attribute (the Attribute/Value form of ModifyInstanceAttribute).
AwsStatus ModifyInstanceAttribute(AwsClient& aws, const std::string& instance_id, const std::string& attribute,
                                  const std::string& value);
// HttpTokens "optional"|"required", HttpEndpoint "enabled"|"disabled" ("" leaves it out).
AwsStatus ModifyInstanceMetadataOptions(AwsClient& aws, const std::string& instance_id, const std::string& http_tokens,
                                        const std::string& http_endpoint);
// Who may create volumes from a snapshot or launch an image besides its owner.
struct SharePermissions {
  std::vector<std::string> groups;    // "all" makes it public
  std::vector<std::string> user_ids;  // AWS account ids
  bool empty() const { return groups.empty() && user_ids.empty(); }
};
AwsResult<SharePermissions> DescribeSnapshotCreateVolumePermission(AwsClient& aws, const std::string& snapshot_id);
AwsResult<SharePermissions> DescribeImageLaunchPermission(AwsClient& aws, const std::string& image_id);
// Adds (`add`) or removes the groups and account ids.
AwsStatus ModifySnapshotCreateVolumePermission(AwsClient& aws, const std::string& snapshot_id, bool add,
                                               const SharePermissions& permissions);
AwsStatus ModifyImageLaunchPermission(AwsClient& aws, const std::string& image_id, bool add,
                                      const SharePermissions& permissions);
// The ids of the images among `image_ids` that exist (DescribeImages).
AwsResult<std::vector<std::string>> ExistingImages(AwsClient& aws, const std::vector<std::string>& image_ids);
}  // namespace ec2

namespace iam {
// The names of the groups the user is in.
AwsResult<std::vector<std::string>> ListGroupsForUser(AwsClient& aws, const std::string& user_name);
AwsStatus AddUserToGroup(AwsClient& aws, const std::string& user_name, const std::string& group_name);
// The group's ARN; kNotFound (NoSuchEntity) for a missing group.
AwsResult<std::string> GetGroupArn(AwsClient& aws, const std::string& group_name);
AwsStatus RemoveUserFromGroup(AwsClient& aws, const std::string& user_name, const std::string& group_name);
struct LoginProfile {
  std::string create_date;
  bool password_reset_required = false;
};
// kNotFound (NoSuchEntity) when the user has no console password.
AwsResult<LoginProfile> GetLoginProfile(AwsClient& aws, const std::string& user_name);
AwsStatus DeleteLoginProfile(AwsClient& aws, const std::string& user_name);
}  // namespace iam

// -- Added for respond/ (remove-public-bucket-access).
namespace s3 {
AwsStatus DeleteBucketPolicy(AwsClient& aws, const std::string& bucket);
// The bucket's ACL as the AccessControlPolicy XML document S3 returns (owner and grants).
AwsResult<std::string> GetBucketAclDocument(AwsClient& aws, const std::string& bucket);
// Replaces the bucket's ACL by an AccessControlPolicy XML document.
AwsStatus PutBucketAclDocument(AwsClient& aws, const std::string& bucket, const std::string& document);
}  // namespace s3

// -- Added for respond/ (zero-lambda-concurrency, enable-guardduty, restrict-rds-instance).
namespace lambda {
// The function's reserved concurrency; nullopt when none is set (it uses the account's pool).
AwsResult<std::optional<int>> GetFunctionConcurrency(AwsClient& aws, const std::string& function_name);
AwsStatus PutFunctionConcurrency(AwsClient& aws, const std::string& function_name, int reserved);
AwsStatus DeleteFunctionConcurrency(AwsClient& aws, const std::string& function_name);
}  // namespace lambda

namespace guardduty {
// Returns the new detector id.
AwsResult<std::string> CreateDetector(AwsClient& aws, bool enable);
AwsStatus UpdateDetector(AwsClient& aws, const std::string& detector_id, bool enable);
AwsStatus DeleteDetector(AwsClient& aws, const std::string& detector_id);
}  // namespace guardduty

namespace rds {
struct DbInstanceAccess {
  std::string id;
  std::string status;
  bool publicly_accessible = false;
};
// kNotFound (DBInstanceNotFound) for a missing instance.
AwsResult<DbInstanceAccess> DescribeDbInstance(AwsClient& aws, const std::string& instance_id);
// kNotFound (DBSnapshotNotFound) for a missing snapshot; otherwise its status.
AwsResult<std::string> DescribeDbSnapshotStatus(AwsClient& aws, const std::string& snapshot_id);
// Returns the snapshot id.
AwsResult<std::string> CreateDbSnapshot(AwsClient& aws, const std::string& instance_id, const std::string& snapshot_id,
                                        const Tags& tags);
AwsStatus ModifyDbInstancePubliclyAccessible(AwsClient& aws, const std::string& instance_id, bool publicly_accessible);
}  // namespace rds

// -- Added for respond/ (restore-object-versions).
namespace s3 {
// DeleteObject: with a version id, deletes that version (or delete marker) for good; without one,
// puts a delete marker on top in a versioned bucket. Returns the x-amz-version-id of the response
// (the version deleted, or the new delete marker), "" when S3 sends none.
AwsResult<std::string> DeleteObject(AwsClient& aws, const std::string& bucket, const std::string& key,
                                    const std::string& version_id = "");
// CopyObject of one version of `key` onto the same key (it becomes the current version, with the
// source's metadata and tags). Returns the version id of the new version.
AwsResult<std::string> CopyObjectVersion(AwsClient& aws, const std::string& bucket, const std::string& key,
                                         const std::string& source_version_id);
}  // namespace s3

// -- Added for respond/ (detach-from-auto-scaling).
namespace autoscaling {
struct InstanceGroup {
  std::string group_name;
  std::string lifecycle_state;  // "InService", "Standby", "Pending", ...
  std::string health_status;
};
// The group the instance is in; nullopt when it is in none.
AwsResult<std::optional<InstanceGroup>> DescribeAutoScalingInstance(AwsClient& aws, const std::string& instance_id);
AwsStatus DetachInstances(AwsClient& aws, const std::string& group_name, const std::vector<std::string>& instance_ids,
                          bool decrement_desired_capacity);
// Adds the instances to the group (its desired capacity grows by as many).
AwsStatus AttachInstances(AwsClient& aws, const std::string& group_name, const std::vector<std::string>& instance_ids);
}  // namespace autoscaling

namespace elbv2 {
struct TargetGroup {
  std::string arn;
  std::string name;
  std::string target_type;  // "instance", "ip", "lambda", "alb"
};
AwsResult<std::vector<TargetGroup>> DescribeTargetGroups(AwsClient& aws);
struct TargetHealth {
  std::string id;
  int port = 0;
  std::string state;  // "healthy", "initial", "draining", "unused", ...
};
// The targets registered in the group.
AwsResult<std::vector<TargetHealth>> DescribeTargetHealth(AwsClient& aws, const std::string& target_group_arn);
AwsStatus RegisterTarget(AwsClient& aws, const std::string& target_group_arn, const std::string& id, int port);
AwsStatus DeregisterTarget(AwsClient& aws, const std::string& target_group_arn, const std::string& id, int port);
}  // namespace elbv2

// -- Added for respond/ (open-support-case).
namespace support {
struct Case {
  std::string case_id;
  std::string display_id;
  std::string subject;
  std::string status;  // "opened", "resolved", ...
};
// Every case of the last twelve months, resolved ones too (communications left out).
AwsResult<std::vector<Case>> DescribeCases(AwsClient& aws);
struct NewCase {
  std::string subject;
  std::string communication_body;
  std::string severity_code = "normal";  // low, normal, high, urgent, critical
  std::string issue_type = "technical";
  std::string service_code;              // "" leaves them to AWS
  std::string category_code;
};
// Returns the case id.
AwsResult<std::string> CreateCase(AwsClient& aws, const NewCase& c);
}  // namespace support


// -- Added for respond/ (eradicate-created-iam).
namespace iam {
struct UserDescription {
  std::string name, arn, path, create_date;
  Tags tags;
};
// kNotFound (NoSuchEntity) for a missing user, role or policy in the three below.
AwsResult<UserDescription> GetUserDetail(AwsClient& aws, const std::string& user_name);
struct RoleDescription {
  std::string name, arn, path, create_date;
  std::string trust_policy;  // the assume-role policy document, decoded
  std::string description;
  int max_session_duration = 0;  // seconds; 0 when not reported
  Tags tags;
};
AwsResult<RoleDescription> GetRoleDetail(AwsClient& aws, const std::string& role_name);
struct PolicyDescription {
  std::string arn, name, path, description, default_version, create_date;
  Tags tags;
};
AwsResult<PolicyDescription> GetPolicy(AwsClient& aws, const std::string& policy_arn);
struct PolicyVersion {
  std::string version_id;  // "v1"
  bool is_default = false;
  std::string create_date;
};
AwsResult<std::vector<PolicyVersion>> ListPolicyVersions(AwsClient& aws, const std::string& policy_arn);
// The version's document, decoded.
AwsResult<std::string> GetPolicyVersionDocument(AwsClient& aws, const std::string& policy_arn,
                                                const std::string& version_id);
struct PolicyEntities {
  std::vector<std::string> users, roles, groups;  // names
};
AwsResult<PolicyEntities> ListEntitiesForPolicy(AwsClient& aws, const std::string& policy_arn);
// Inline policy names, and the ARNs of the attached managed policies, of a user or role.
AwsResult<std::vector<std::string>> ListUserPolicies(AwsClient& aws, const std::string& user_name);
AwsResult<std::vector<std::string>> ListRolePolicies(AwsClient& aws, const std::string& role_name);
AwsResult<std::vector<std::string>> ListAttachedUserPolicies(AwsClient& aws, const std::string& user_name);
AwsResult<std::vector<std::string>> ListAttachedRolePolicies(AwsClient& aws, const std::string& role_name);
// The serial numbers (ARNs for virtual devices) of the user's MFA devices.
AwsResult<std::vector<std::string>> ListMfaDevices(AwsClient& aws, const std::string& user_name);
// One IAM write with its query parameters as given (DeleteUser, AttachRolePolicy, CreatePolicy,
// ...): the eradication calls and their restores. The caller (respond/call_executor.cc) checks
// the operation and its parameters.
AwsStatus IamWrite(AwsClient& aws, const std::string& action, const QueryParams& params);
}  // namespace iam

// -- Added for respond/ (run-patch-baseline).
namespace ssm {
struct InstanceInformation {
  std::string instance_id;
  std::string ping_status;  // "Online", "ConnectionLost", "Inactive"
  std::string platform;     // "Amazon Linux", "Ubuntu", "Microsoft Windows Server 2022 ..."
  std::string agent_version;
};
// The SSM-managed instances among `instance_ids` (an instance not registered is left out).
AwsResult<std::vector<InstanceInformation>> DescribeInstanceInformation(AwsClient& aws,
                                                                       const std::vector<std::string>& instance_ids);
struct Command {
  std::string command_id;
  std::string document_name;
  std::string comment;
  std::string status;  // "Pending", "InProgress", "Success", "Failed", "Cancelled", "TimedOut", ...
  std::string requested;
  std::map<std::string, std::vector<std::string>> parameters;
};
// The commands sent to an instance (SSM keeps them 30 days).
AwsResult<std::vector<Command>> ListCommands(AwsClient& aws, const std::string& instance_id);
// Returns the command id.
AwsResult<std::string> SendCommand(AwsClient& aws, const std::vector<std::string>& instance_ids,
                                   const std::string& document_name,
                                   const std::map<std::string, std::vector<std::string>>& parameters,
                                   const std::string& comment);
}  // namespace ssm

// -- Added for respond/ (restore-from-backup).
namespace backup {
struct RecoveryPointDetail {
  std::string arn, vault_name, resource_arn, resource_type, status, creation_date;
  std::string iam_role_arn;  // the role that made the backup
};
// kNotFound (ResourceNotFoundException) for an unknown vault or recovery point.
AwsResult<RecoveryPointDetail> DescribeRecoveryPoint(AwsClient& aws, const std::string& vault_name,
                                                     const std::string& recovery_point_arn);
// The metadata a restore of the recovery point takes (AWS Backup's defaults for it).
AwsResult<std::map<std::string, std::string>> GetRecoveryPointRestoreMetadata(AwsClient& aws,
                                                                              const std::string& vault_name,
                                                                              const std::string& recovery_point_arn);
struct RestoreJob {
  std::string job_id, recovery_point_arn, status, creation_date, created_resource_arn, resource_type;
};
AwsResult<std::vector<RestoreJob>> ListRestoreJobs(AwsClient& aws);
AwsResult<RestoreJob> DescribeRestoreJob(AwsClient& aws, const std::string& job_id);
struct NewRestoreJob {
  std::string recovery_point_arn;
  std::string iam_role_arn;
  std::map<std::string, std::string> metadata;
  std::string resource_type;      // "" leaves it to AWS Backup
  std::string idempotency_token;  // "" for none
};
// Returns the restore job id.
AwsResult<std::string> StartRestoreJob(AwsClient& aws, const NewRestoreJob& job);
}  // namespace backup

}  // namespace cloudward::aws
