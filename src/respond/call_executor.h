// Runs a plan's calls in order through the typed helpers of aws/services.h, stopping at the first
// failure. The operations and the JSON shape of their parameters:
//
//   iam:UpdateAccessKey                 {"UserName", "AccessKeyId", "Status": "Active"|"Inactive"}
//   ec2:CreateSecurityGroup             {"VpcId", "GroupName", "Description"}     -> group id
//   ec2:RevokeSecurityGroupEgress       {"GroupId", "IpProtocol": "-1", "Cidrs": [...]}
//   ec2:CreateTags                      {"Resources": [...], "Tags": {"key": "value", ...}}
//   ec2:ModifyNetworkInterfaceAttribute {"NetworkInterfaceId", "Groups": [...]}
//   ec2:CreateSnapshot                  {"VolumeId", "Description", "Tags": {...}}  -> snapshot id
//   s3:PutPublicAccessBlock             {"Bucket", "BlockPublicAcls", "IgnorePublicAcls",
//                                        "BlockPublicPolicy", "RestrictPublicBuckets"} (booleans)
//   s3:DeletePublicAccessBlock          {"Bucket"}
//   s3:PutAccountPublicAccessBlock      {"AccountId", the four booleans as above} (S3 Control)
//   s3:DeleteAccountPublicAccessBlock   {"AccountId"}
//   s3:CreateBucket, s3:DeleteBucket    {"Bucket"}
//   s3:PutBucketEncryption              {"Bucket", "SSEAlgorithm": "AES256"|"aws:kms"}
//   s3:PutBucketTagging                 {"Bucket", "Tags": {...}}
//   ec2:DeleteSecurityGroup             {"GroupId"}
//   ec2:RevokeSecurityGroupIngress      {"GroupId", "IpProtocol", "FromPort", "ToPort", "Cidrs": [...]}
//   ec2:AuthorizeSecurityGroupIngress   (the same; ports omitted for IpProtocol "-1")
//   s3:PutBucketVersioning              {"Bucket", "Status": "Enabled"|"Suspended"}
//   iam:PutRolePolicy, iam:PutUserPolicy       {"RoleName"|"UserName", "PolicyName", "PolicyDocument"}
//   iam:DeleteRolePolicy, iam:DeleteUserPolicy {"RoleName"|"UserName", "PolicyName"}
//   ec2:CreateNetworkAclEntry           {"NetworkAclId", "RuleNumber", "Egress", "RuleAction", "Protocol", "Cidr"}
//   ec2:DeleteNetworkAclEntry           {"NetworkAclId", "RuleNumber", "Egress"}
//   cloudtrail:StartLogging, cloudtrail:StopLogging  {"Name"} (trail name or ARN)
//   ec2:ModifyInstanceAttribute         {"InstanceId", "Attribute", "Value"}: disableApiTermination
//                                        "true"|"false", instanceInitiatedShutdownBehavior "stop"|"terminate"
//   ec2:ModifyInstanceMetadataOptions   {"InstanceId", "HttpTokens": "optional"|"required",
//                                        "HttpEndpoint": "enabled"|"disabled"}
//   ec2:ModifySnapshotAttribute         {"SnapshotId", "OperationType": "add"|"remove", "UserGroups": [...],
//                                        "UserIds": [...]} (createVolumePermission)
//   ec2:ModifyImageAttribute            {"ImageId", "OperationType", "UserGroups", "UserIds"} (launchPermission)
//   iam:AddUserToGroup, iam:RemoveUserFromGroup  {"UserName", "GroupName"}
//   iam:DeleteLoginProfile              {"UserName"}
//   s3:PutBucketPolicy                  {"Bucket", "Policy"} (the JSON document as text)
//   s3:DeleteBucketPolicy               {"Bucket"}
//   s3:PutBucketAcl                     {"Bucket", "AccessControlPolicy"} (the XML document as text)
//   lambda:PutFunctionConcurrency       {"FunctionName", "ReservedConcurrentExecutions"} (integer >= 0)
//   lambda:DeleteFunctionConcurrency    {"FunctionName"}
//   guardduty:CreateDetector            {"Enable"} (boolean)                       -> detector id
//   guardduty:UpdateDetector            {"DetectorId", "Enable"}
//   guardduty:DeleteDetector            {"DetectorId"}
//   rds:CreateDBSnapshot                {"DBInstanceIdentifier", "DBSnapshotIdentifier", "Tags": {...}}
//                                                                                  -> snapshot id
//   rds:ModifyDBInstance                {"DBInstanceIdentifier", "PubliclyAccessible", "ApplyImmediately": true}
//   s3:DeleteObject                     {"Bucket", "Key", "VersionId" (optional: without it, a delete
//                                        marker is put on top)}                 -> x-amz-version-id
//   s3:CopyObject                       {"Bucket", "Key", "SourceVersionId"} (that version of the same key
//                                        copied onto it)                        -> new version id
//   autoscaling:DetachInstances         {"AutoScalingGroupName", "InstanceIds": [...],
//                                        "ShouldDecrementDesiredCapacity"} (boolean)
//   autoscaling:AttachInstances         {"AutoScalingGroupName", "InstanceIds": [...]}
//   elbv2:DeregisterTargets, elbv2:RegisterTargets  {"TargetGroupArn", "Id", "Port"} (integer; 0: none)
//   support:CreateCase                  {"Subject", "CommunicationBody", "SeverityCode"}  -> case id
//   iam:DeleteUser, iam:CreateUser      {"UserName"} (+ "Path", "Tags": {...} to create)
//   iam:DeleteRole, iam:CreateRole      {"RoleName"} (+ "AssumeRolePolicyDocument", "Path", "Description",
//                                        "MaxSessionDuration" (text), "Tags" to create)
//   iam:DeletePolicy                    {"PolicyArn"}
//   iam:CreatePolicy                    {"PolicyName", "PolicyDocument", "Path", "Description", "Tags"}
//   iam:DeletePolicyVersion             {"PolicyArn", "VersionId"}
//   iam:CreatePolicyVersion             {"PolicyArn", "PolicyDocument", "SetAsDefault": "true"|"false"}
//   iam:DeleteAccessKey                 {"UserName", "AccessKeyId"}
//   iam:Attach|DetachUserPolicy, iam:Attach|DetachRolePolicy, iam:Attach|DetachGroupPolicy
//                                       {"UserName"|"RoleName"|"GroupName", "PolicyArn"}
//   iam:DeactivateMFADevice             {"UserName", "SerialNumber"}
//   iam:DeleteVirtualMFADevice          {"SerialNumber"}
//   iam:AddRoleToInstanceProfile, iam:RemoveRoleFromInstanceProfile  {"InstanceProfileName", "RoleName"}
//   ssm:SendCommand                     {"InstanceIds": [...], "DocumentName", "Parameters": {"Name": [...]},
//                                        "Comment"}                             -> command id
//   backup:StartRestoreJob              {"RecoveryPointArn", "IamRoleArn", "Metadata": {...},
//                                        "ResourceType", "IdempotencyToken" (both optional)} -> job id
//   ec2:GetConsoleOutput                {"InstanceId", "Latest"} (boolean; dropped where AWS does not
//                                        support it)            -> evidence JSON (see below)
//   ec2:DescribeInstanceAttribute       {"InstanceId", "Attribute": "userData"}  -> evidence JSON
//   ec2:AssociateIamInstanceProfile     {"InstanceId", "IamInstanceProfileArn"}  -> association id
//   ec2:ReplaceIamInstanceProfileAssociation {"AssociationId", "IamInstanceProfileArn"} -> association id
//   ec2:DisassociateIamInstanceProfile  {"AssociationId"}
//   ec2:StopInstances, ec2:StartInstances, ec2:TerminateInstances  {"InstanceIds": [...]}
//
// The two evidence reads change nothing; their output is JSON text with the decoded content's
// "bytes" and "sha256", its last 64 KiB as UTF-8 "text" ("kept_bytes", "truncated"), kept with the
// action and its journal entry.
//
// A string parameter "$name" (alone or in an array) is replaced by the output of an earlier call
// whose ApiCall::output is "name". An unknown operation or a parameter of the wrong type fails
// that call with kInvalidArgument before anything is sent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "core/error.h"
#include "respond/action.h"
#include "respond/call_recorder.h"

namespace cloudward::respond {

struct CallOutcome {
  std::string operation;
  nlohmann::json parameters;             // after substitution
  std::string result;                    // the call's output (an id), or ""
  std::vector<std::string> request_ids;  // every HTTP exchange of the call, retries included
  std::optional<Error> error;
};

struct Execution {
  std::vector<CallOutcome> calls;                          // the calls attempted, in order
  nlohmann::json outputs = nlohmann::json::object();       // output name -> value
  std::optional<Error> error;                              // the failure that stopped the run

  bool ok() const { return !error.has_value(); }
  std::vector<std::string> RequestIds() const;
  nlohmann::json ToJson() const;
};

// `recorder` may be null (no request ids then); it must be the transport of `aws` to be useful.
Execution ExecuteCalls(aws::AwsClient& aws, const std::vector<ApiCall>& calls, const CallRecorder* recorder);

}  // namespace cloudward::respond
