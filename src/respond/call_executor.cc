#include "respond/call_executor.h"

#include <algorithm>
#include <map>

#include "aws/services.h"
#include "aws/services_instance.h"
#include "aws/services_prepare.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

Error BadParameter(const std::string& operation, const std::string& name, const char* expected) {
  return {ErrorCode::kInvalidArgument, operation + ": parameter " + name + " must be " + expected};
}

// Reads typed parameters out of a call's JSON, collecting the first problem.
class Params {
 public:
  Params(const std::string& operation, const json& params) : operation_(operation), params_(params) {}

  std::string String(const char* name) {
    auto it = params_.find(name);
    if (it == params_.end() || !it->is_string()) {
      Note(BadParameter(operation_, name, "a string"));
      return {};
    }
    return it->get<std::string>();
  }
  bool Bool(const char* name) {
    auto it = params_.find(name);
    if (it == params_.end() || !it->is_boolean()) {
      Note(BadParameter(operation_, name, "a boolean"));
      return false;
    }
    return it->get<bool>();
  }
  int Int(const char* name) {
    auto it = params_.find(name);
    if (it == params_.end() || !it->is_number_integer()) {
      Note(BadParameter(operation_, name, "an integer"));
      return 0;
    }
    return it->get<int>();
  }
  std::vector<std::string> Strings(const char* name) {
    std::vector<std::string> out;
    auto it = params_.find(name);
    if (it == params_.end() || !it->is_array()) {
      Note(BadParameter(operation_, name, "an array of strings"));
      return out;
    }
    for (const auto& v : *it) {
      if (!v.is_string()) {
        Note(BadParameter(operation_, name, "an array of strings"));
        return {};
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  aws::Tags TagMap(const char* name) {
    aws::Tags out;
    auto it = params_.find(name);
    if (it == params_.end()) return out;
    if (!it->is_object()) {
      Note(BadParameter(operation_, name, "an object of strings"));
      return out;
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) {
        Note(BadParameter(operation_, name, "an object of strings"));
        return {};
      }
      out.emplace_back(k, v.get<std::string>());
    }
    return out;
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  void Note(Error e) {
    if (!error_) error_ = std::move(e);
  }
  const std::string& operation_;
  const json& params_;
  std::optional<Error> error_;
};

// The IAM writes of eradicate-created-iam and its rollback: required and optional string
// parameters, and whether "Tags" (an object of strings) is taken.
struct IamWrite {
  std::string_view operation;
  std::vector<const char*> required;
  std::vector<const char*> optional;
  bool tags = false;
};

const IamWrite* IamWriteShape(const std::string& op) {
  static const std::vector<IamWrite> kWrites = {
      {"iam:DeleteUser", {"UserName"}, {}},
      {"iam:DeleteRole", {"RoleName"}, {}},
      {"iam:DeletePolicy", {"PolicyArn"}, {}},
      {"iam:DeletePolicyVersion", {"PolicyArn", "VersionId"}, {}},
      {"iam:DeleteAccessKey", {"UserName", "AccessKeyId"}, {}},
      {"iam:DetachUserPolicy", {"UserName", "PolicyArn"}, {}},
      {"iam:AttachUserPolicy", {"UserName", "PolicyArn"}, {}},
      {"iam:DetachRolePolicy", {"RoleName", "PolicyArn"}, {}},
      {"iam:AttachRolePolicy", {"RoleName", "PolicyArn"}, {}},
      {"iam:DetachGroupPolicy", {"GroupName", "PolicyArn"}, {}},
      {"iam:AttachGroupPolicy", {"GroupName", "PolicyArn"}, {}},
      {"iam:DeactivateMFADevice", {"UserName", "SerialNumber"}, {}},
      {"iam:DeleteVirtualMFADevice", {"SerialNumber"}, {}},
      {"iam:RemoveRoleFromInstanceProfile", {"InstanceProfileName", "RoleName"}, {}},
      {"iam:AddRoleToInstanceProfile", {"InstanceProfileName", "RoleName"}, {}},
      {"iam:CreateUser", {"UserName"}, {"Path"}, true},
      {"iam:CreateRole", {"RoleName", "AssumeRolePolicyDocument"}, {"Path", "Description", "MaxSessionDuration"}, true},
      {"iam:CreatePolicy", {"PolicyName", "PolicyDocument"}, {"Path", "Description"}, true},
      {"iam:CreatePolicyVersion", {"PolicyArn", "PolicyDocument", "SetAsDefault"}, {}},
  };
  for (const auto& w : kWrites) {
    if (w.operation == op) return &w;
  }
  return nullptr;
}

json Substitute(const json& value, const json& outputs) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() > 1 && s[0] == '$') {
      if (auto it = outputs.find(s.substr(1)); it != outputs.end()) return *it;
    }
    return value;
  }
  if (value.is_array() || value.is_object()) {
    json out = value;
    for (auto& v : out) v = Substitute(v, outputs);
    return out;
  }
  return value;
}

// Adds base64 `encoded` to an evidence object: "bytes" and "sha256" of the decoded bytes, their
// last kEvidenceTextLimit bytes as UTF-8 "text", "kept_bytes" and "truncated". Text that is not
// base64 is kept the same way as it came, with "encoding": "not base64".
constexpr size_t kEvidenceTextLimit = 64 * 1024;
void AddTextEvidence(const std::string& encoded, json* evidence) {
  auto decoded = DecodeBase64(encoded);
  BoundedText kept = KeepTail(decoded ? std::string_view(*decoded) : std::string_view(encoded), kEvidenceTextLimit);
  if (!decoded) (*evidence)["encoding"] = "not base64";
  (*evidence)["bytes"] = kept.bytes;
  (*evidence)["sha256"] = kept.sha256;
  (*evidence)["kept_bytes"] = kept.kept_bytes;
  (*evidence)["truncated"] = kept.truncated();
  (*evidence)["text"] = std::move(kept.text);
}

// Runs one call; returns its output ("" for none) or the error.
Result<std::string> Run(aws::AwsClient& aws, const std::string& op, const json& parameters) {
  Params p(op, parameters);
  auto done = [&](const aws::AwsStatus& s) -> Result<std::string> {
    if (!s) return tl::unexpected(s.error().ToError());
    return std::string();
  };
  auto value = [&](const aws::AwsResult<std::string>& r) -> Result<std::string> {
    if (!r) return tl::unexpected(r.error().ToError());
    return *r;
  };
#define CW_CHECK_PARAMS() \
  if (p.error()) return tl::unexpected(*p.error())

  if (op == "iam:UpdateAccessKey") {
    auto user = p.String("UserName"), key = p.String("AccessKeyId"), status = p.String("Status");
    CW_CHECK_PARAMS();
    if (status != "Active" && status != "Inactive") return Fail(ErrorCode::kInvalidArgument, op + ": bad Status " + status);
    return done(aws::iam::UpdateAccessKey(aws, user, key, status == "Active"));
  }
  if (op == "ec2:CreateSecurityGroup") {
    auto vpc = p.String("VpcId"), name = p.String("GroupName"), description = p.String("Description");
    CW_CHECK_PARAMS();
    return value(aws::ec2::CreateSecurityGroup(aws, vpc, name, description));
  }
  if (op == "ec2:RevokeSecurityGroupEgress") {
    auto group = p.String("GroupId"), protocol = p.String("IpProtocol");
    auto cidrs = p.Strings("Cidrs");
    CW_CHECK_PARAMS();
    if (protocol != "-1") return Fail(ErrorCode::kInvalidArgument, op + ": only IpProtocol -1 is supported");
    return done(aws::ec2::RevokeAllTrafficEgress(aws, group, cidrs));
  }
  if (op == "ec2:CreateTags") {
    auto resources = p.Strings("Resources");
    auto tags = p.TagMap("Tags");
    CW_CHECK_PARAMS();
    return done(aws::ec2::CreateTags(aws, resources, tags));
  }
  if (op == "ec2:ModifyNetworkInterfaceAttribute") {
    auto eni = p.String("NetworkInterfaceId");
    auto groups = p.Strings("Groups");
    CW_CHECK_PARAMS();
    if (groups.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": an interface needs at least one group");
    return done(aws::ec2::ModifyNetworkInterfaceSecurityGroups(aws, eni, groups));
  }
  if (op == "ec2:CreateSnapshot") {
    auto volume = p.String("VolumeId"), description = p.String("Description");
    auto tags = p.TagMap("Tags");
    CW_CHECK_PARAMS();
    return value(aws::ec2::CreateSnapshot(aws, volume, description, tags));
  }
  if (op == "s3:PutPublicAccessBlock") {
    auto bucket = p.String("Bucket");
    aws::s3::PublicAccessBlock config{p.Bool("BlockPublicAcls"), p.Bool("IgnorePublicAcls"),
                                      p.Bool("BlockPublicPolicy"), p.Bool("RestrictPublicBuckets")};
    CW_CHECK_PARAMS();
    return done(aws::s3::PutPublicAccessBlock(aws, bucket, config));
  }
  if (op == "s3:DeletePublicAccessBlock") {
    auto bucket = p.String("Bucket");
    CW_CHECK_PARAMS();
    return done(aws::s3::DeletePublicAccessBlock(aws, bucket));
  }
  if (op == "s3:PutAccountPublicAccessBlock") {
    auto account = p.String("AccountId");
    aws::s3::PublicAccessBlock config{p.Bool("BlockPublicAcls"), p.Bool("IgnorePublicAcls"),
                                      p.Bool("BlockPublicPolicy"), p.Bool("RestrictPublicBuckets")};
    CW_CHECK_PARAMS();
    return done(aws::s3control::PutPublicAccessBlock(aws, account, config));
  }
  if (op == "s3:DeleteAccountPublicAccessBlock") {
    auto account = p.String("AccountId");
    CW_CHECK_PARAMS();
    return done(aws::s3control::DeletePublicAccessBlock(aws, account));
  }
  // Readiness actions (readiness_actions.cc).
  if (op == "s3:CreateBucket" || op == "s3:DeleteBucket") {
    auto bucket = p.String("Bucket");
    CW_CHECK_PARAMS();
    return done(op == "s3:CreateBucket" ? aws::s3::CreateBucket(aws, bucket) : aws::s3::DeleteBucket(aws, bucket));
  }
  if (op == "s3:PutBucketEncryption") {
    auto bucket = p.String("Bucket"), algorithm = p.String("SSEAlgorithm");
    CW_CHECK_PARAMS();
    if (algorithm != "AES256" && algorithm != "aws:kms") return Fail(ErrorCode::kInvalidArgument, op + ": bad SSEAlgorithm " + algorithm);
    return done(aws::s3::PutBucketEncryption(aws, bucket, algorithm));
  }
  if (op == "s3:PutBucketTagging") {
    auto bucket = p.String("Bucket");
    auto tags = p.TagMap("Tags");
    CW_CHECK_PARAMS();
    return done(aws::s3::PutBucketTagging(aws, bucket, tags));
  }
  if (op == "ec2:DeleteSecurityGroup") {
    auto group = p.String("GroupId");
    CW_CHECK_PARAMS();
    return done(aws::ec2::DeleteSecurityGroup(aws, group));
  }
  if (op == "ec2:RevokeSecurityGroupIngress" || op == "ec2:AuthorizeSecurityGroupIngress") {
    aws::ec2::IpPermission permission;
    auto group = p.String("GroupId");
    permission.protocol = p.String("IpProtocol");
    permission.cidrs = p.Strings("Cidrs");
    if (permission.protocol != "-1") {
      permission.from_port = p.Int("FromPort");
      permission.to_port = p.Int("ToPort");
    }
    CW_CHECK_PARAMS();
    if (permission.cidrs.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": Cidrs is empty");
    return done(aws::ec2::ChangeSecurityGroupIngress(aws, group, permission, op == "ec2:AuthorizeSecurityGroupIngress"));
  }
  if (op == "iam:PutRolePolicy" || op == "iam:PutUserPolicy") {
    bool role = op == "iam:PutRolePolicy";
    auto name = p.String(role ? "RoleName" : "UserName"), policy = p.String("PolicyName");
    auto document = p.String("PolicyDocument");
    CW_CHECK_PARAMS();
    return done(role ? aws::iam::PutRolePolicy(aws, name, policy, document)
                     : aws::iam::PutUserPolicy(aws, name, policy, document));
  }
  if (op == "iam:DeleteRolePolicy" || op == "iam:DeleteUserPolicy") {
    bool role = op == "iam:DeleteRolePolicy";
    auto name = p.String(role ? "RoleName" : "UserName"), policy = p.String("PolicyName");
    CW_CHECK_PARAMS();
    return done(role ? aws::iam::DeleteRolePolicy(aws, name, policy) : aws::iam::DeleteUserPolicy(aws, name, policy));
  }
  if (op == "ec2:CreateNetworkAclEntry") {
    auto acl = p.String("NetworkAclId"), action = p.String("RuleAction"), protocol = p.String("Protocol");
    auto cidr = p.String("Cidr");
    int number = p.Int("RuleNumber");
    bool egress = p.Bool("Egress");
    CW_CHECK_PARAMS();
    if (number < 1 || number > 32766) return Fail(ErrorCode::kInvalidArgument, op + ": RuleNumber out of 1..32766");
    return done(aws::ec2::CreateNetworkAclEntry(aws, acl, {number, egress, protocol, action, cidr}));
  }
  if (op == "ec2:DeleteNetworkAclEntry") {
    auto acl = p.String("NetworkAclId");
    int number = p.Int("RuleNumber");
    bool egress = p.Bool("Egress");
    CW_CHECK_PARAMS();
    return done(aws::ec2::DeleteNetworkAclEntry(aws, acl, number, egress));
  }
  if (op == "cloudtrail:StartLogging" || op == "cloudtrail:StopLogging") {
    auto trail = p.String("Name");
    CW_CHECK_PARAMS();
    return done(op == "cloudtrail:StartLogging" ? aws::cloudtrail::StartLogging(aws, trail)
                                                : aws::cloudtrail::StopLogging(aws, trail));
  }
  if (op == "s3:PutBucketVersioning") {
    auto bucket = p.String("Bucket"), status = p.String("Status");
    CW_CHECK_PARAMS();
    if (status != "Enabled" && status != "Suspended") return Fail(ErrorCode::kInvalidArgument, op + ": bad Status " + status);
    return done(aws::s3::PutBucketVersioning(aws, bucket, status == "Enabled"));
  }
  // protect-instance, require-imdsv2 (instance_protection.cc), make-snapshot-private.
  if (op == "ec2:ModifyInstanceAttribute") {
    auto instance = p.String("InstanceId"), attribute = p.String("Attribute"), v = p.String("Value");
    CW_CHECK_PARAMS();
    bool known = (attribute == "disableApiTermination" && (v == "true" || v == "false")) ||
                 (attribute == "instanceInitiatedShutdownBehavior" && (v == "stop" || v == "terminate"));
    if (!known) return Fail(ErrorCode::kInvalidArgument, op + ": unsupported " + attribute + "=" + v);
    return done(aws::ec2::ModifyInstanceAttribute(aws, instance, attribute, v));
  }
  if (op == "ec2:ModifyInstanceMetadataOptions") {
    auto instance = p.String("InstanceId"), tokens = p.String("HttpTokens"), endpoint = p.String("HttpEndpoint");
    CW_CHECK_PARAMS();
    if (tokens != "optional" && tokens != "required") {
      return Fail(ErrorCode::kInvalidArgument, op + ": bad HttpTokens " + tokens);
    }
    if (endpoint != "enabled" && endpoint != "disabled") {
      return Fail(ErrorCode::kInvalidArgument, op + ": bad HttpEndpoint " + endpoint);
    }
    return done(aws::ec2::ModifyInstanceMetadataOptions(aws, instance, tokens, endpoint));
  }
  if (op == "ec2:ModifySnapshotAttribute" || op == "ec2:ModifyImageAttribute") {
    bool snapshot = op == "ec2:ModifySnapshotAttribute";
    auto id = p.String(snapshot ? "SnapshotId" : "ImageId"), operation = p.String("OperationType");
    aws::ec2::SharePermissions permissions{p.Strings("UserGroups"), p.Strings("UserIds")};
    CW_CHECK_PARAMS();
    if (operation != "add" && operation != "remove") {
      return Fail(ErrorCode::kInvalidArgument, op + ": bad OperationType " + operation);
    }
    if (permissions.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": no UserGroups or UserIds");
    bool add = operation == "add";
    return done(snapshot ? aws::ec2::ModifySnapshotCreateVolumePermission(aws, id, add, permissions)
                         : aws::ec2::ModifyImageLaunchPermission(aws, id, add, permissions));
  }
  // remove-user-from-groups, delete-login-profile (user_access_actions.cc).
  if (op == "iam:AddUserToGroup" || op == "iam:RemoveUserFromGroup") {
    auto user = p.String("UserName"), group = p.String("GroupName");
    CW_CHECK_PARAMS();
    return done(op == "iam:AddUserToGroup" ? aws::iam::AddUserToGroup(aws, user, group)
                                           : aws::iam::RemoveUserFromGroup(aws, user, group));
  }
  if (op == "iam:DeleteLoginProfile") {
    auto user = p.String("UserName");
    CW_CHECK_PARAMS();
    return done(aws::iam::DeleteLoginProfile(aws, user));
  }
  // remove-public-bucket-access.
  if (op == "s3:PutBucketPolicy") {
    auto bucket = p.String("Bucket"), policy = p.String("Policy");
    CW_CHECK_PARAMS();
    return done(aws::s3::PutBucketPolicy(aws, bucket, policy));
  }
  if (op == "s3:DeleteBucketPolicy") {
    auto bucket = p.String("Bucket");
    CW_CHECK_PARAMS();
    return done(aws::s3::DeleteBucketPolicy(aws, bucket));
  }
  if (op == "s3:PutBucketAcl") {
    auto bucket = p.String("Bucket"), document = p.String("AccessControlPolicy");
    CW_CHECK_PARAMS();
    return done(aws::s3::PutBucketAclDocument(aws, bucket, document));
  }
  // zero-lambda-concurrency, enable-guardduty, restrict-rds-instance.
  if (op == "lambda:PutFunctionConcurrency") {
    auto function = p.String("FunctionName");
    int reserved = p.Int("ReservedConcurrentExecutions");
    CW_CHECK_PARAMS();
    if (reserved < 0) return Fail(ErrorCode::kInvalidArgument, op + ": ReservedConcurrentExecutions must be >= 0");
    return done(aws::lambda::PutFunctionConcurrency(aws, function, reserved));
  }
  if (op == "lambda:DeleteFunctionConcurrency") {
    auto function = p.String("FunctionName");
    CW_CHECK_PARAMS();
    return done(aws::lambda::DeleteFunctionConcurrency(aws, function));
  }
  if (op == "guardduty:CreateDetector") {
    bool enable = p.Bool("Enable");
    CW_CHECK_PARAMS();
    return value(aws::guardduty::CreateDetector(aws, enable));
  }
  if (op == "guardduty:UpdateDetector") {
    auto detector = p.String("DetectorId");
    bool enable = p.Bool("Enable");
    CW_CHECK_PARAMS();
    return done(aws::guardduty::UpdateDetector(aws, detector, enable));
  }
  if (op == "guardduty:DeleteDetector") {
    auto detector = p.String("DetectorId");
    CW_CHECK_PARAMS();
    return done(aws::guardduty::DeleteDetector(aws, detector));
  }
  if (op == "rds:CreateDBSnapshot") {
    auto instance = p.String("DBInstanceIdentifier"), snapshot = p.String("DBSnapshotIdentifier");
    auto tags = p.TagMap("Tags");
    CW_CHECK_PARAMS();
    return value(aws::rds::CreateDbSnapshot(aws, instance, snapshot, tags));
  }
  if (op == "rds:ModifyDBInstance") {
    auto instance = p.String("DBInstanceIdentifier");
    bool publicly_accessible = p.Bool("PubliclyAccessible"), immediately = p.Bool("ApplyImmediately");
    CW_CHECK_PARAMS();
    if (!immediately) return Fail(ErrorCode::kInvalidArgument, op + ": only ApplyImmediately true is supported");
    return done(aws::rds::ModifyDbInstancePubliclyAccessible(aws, instance, publicly_accessible));
  }
  // restore-object-versions.
  if (op == "s3:DeleteObject") {
    auto bucket = p.String("Bucket"), key = p.String("Key");
    std::string version;
    if (parameters.contains("VersionId")) version = p.String("VersionId");
    CW_CHECK_PARAMS();
    if (key.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": empty Key");
    if (parameters.contains("VersionId") && version.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": empty VersionId");
    return value(aws::s3::DeleteObject(aws, bucket, key, version));
  }
  if (op == "s3:CopyObject") {
    auto bucket = p.String("Bucket"), key = p.String("Key"), version = p.String("SourceVersionId");
    CW_CHECK_PARAMS();
    if (key.empty() || version.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": empty Key or SourceVersionId");
    return value(aws::s3::CopyObjectVersion(aws, bucket, key, version));
  }
  // detach-from-auto-scaling.
  if (op == "autoscaling:DetachInstances" || op == "autoscaling:AttachInstances") {
    auto group = p.String("AutoScalingGroupName");
    auto instances = p.Strings("InstanceIds");
    bool detach = op == "autoscaling:DetachInstances";
    bool decrement = detach ? p.Bool("ShouldDecrementDesiredCapacity") : false;
    CW_CHECK_PARAMS();
    if (instances.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": no InstanceIds");
    return done(detach ? aws::autoscaling::DetachInstances(aws, group, instances, decrement)
                       : aws::autoscaling::AttachInstances(aws, group, instances));
  }
  if (op == "elbv2:DeregisterTargets" || op == "elbv2:RegisterTargets") {
    auto arn = p.String("TargetGroupArn"), id = p.String("Id");
    int port = p.Int("Port");
    CW_CHECK_PARAMS();
    if (port < 0 || port > 65535) return Fail(ErrorCode::kInvalidArgument, op + ": Port out of 0..65535");
    return done(op == "elbv2:RegisterTargets" ? aws::elbv2::RegisterTarget(aws, arn, id, port)
                                              : aws::elbv2::DeregisterTarget(aws, arn, id, port));
  }
  // open-support-case.
  if (op == "support:CreateCase") {
    aws::support::NewCase c{.subject = p.String("Subject"), .communication_body = p.String("CommunicationBody"),
                            .severity_code = p.String("SeverityCode")};
    CW_CHECK_PARAMS();
    if (c.subject.empty() || c.communication_body.empty()) {
      return Fail(ErrorCode::kInvalidArgument, op + ": empty Subject or CommunicationBody");
    }
    return value(aws::support::CreateCase(aws, c));
  }
  // eradicate-created-iam: IAM writes whose parameters are strings (and "Tags").
  if (auto shape = IamWriteShape(op)) {
    aws::QueryParams params;
    for (const char* name : shape->required) params.emplace_back(name, p.String(name));
    for (const char* name : shape->optional) {
      if (parameters.contains(name)) params.emplace_back(name, p.String(name));
    }
    auto tags = p.TagMap("Tags");
    CW_CHECK_PARAMS();
    for (const auto& [name, v] : params) {
      if (v.empty() && std::find(shape->optional.begin(), shape->optional.end(), name) == shape->optional.end()) {
        return Fail(ErrorCode::kInvalidArgument, op + ": empty " + name);
      }
    }
    if (!tags.empty() && !shape->tags) return Fail(ErrorCode::kInvalidArgument, op + ": takes no Tags");
    for (size_t i = 0; i < tags.size(); ++i) {
      std::string member = "Tags.member." + std::to_string(i + 1);
      params.emplace_back(member + ".Key", tags[i].first);
      params.emplace_back(member + ".Value", tags[i].second);
    }
    return done(aws::iam::IamWrite(aws, op.substr(4), params));
  }
  // run-patch-baseline.
  if (op == "ssm:SendCommand") {
    auto instances = p.Strings("InstanceIds");
    auto document = p.String("DocumentName"), comment = p.String("Comment");
    std::map<std::string, std::vector<std::string>> command_parameters;
    auto it = parameters.find("Parameters");
    if (it == parameters.end() || !it->is_object()) return Fail(ErrorCode::kInvalidArgument, op + ": Parameters must be an object");
    for (const auto& [name, values] : it->items()) {
      Params inner(op, it.value());
      command_parameters[name] = inner.Strings(name.c_str());
      if (inner.error()) return tl::unexpected(*inner.error());
    }
    CW_CHECK_PARAMS();
    if (instances.empty() || document.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": no InstanceIds or DocumentName");
    return value(aws::ssm::SendCommand(aws, instances, document, command_parameters, comment));
  }
  // restore-from-backup.
  if (op == "backup:StartRestoreJob") {
    aws::backup::NewRestoreJob job{.recovery_point_arn = p.String("RecoveryPointArn"), .iam_role_arn = p.String("IamRoleArn")};
    job.metadata = [&] {
      std::map<std::string, std::string> out;
      for (const auto& [k, v] : p.TagMap("Metadata")) out[k] = v;
      return out;
    }();
    if (parameters.contains("ResourceType")) job.resource_type = p.String("ResourceType");
    if (parameters.contains("IdempotencyToken")) job.idempotency_token = p.String("IdempotencyToken");
    CW_CHECK_PARAMS();
    if (job.recovery_point_arn.empty() || job.iam_role_arn.empty()) {
      return Fail(ErrorCode::kInvalidArgument, op + ": empty RecoveryPointArn or IamRoleArn");
    }
    return value(aws::backup::StartRestoreJob(aws, job));
  }
  // capture-instance-evidence, replace-instance-profile, stop-instance, terminate-instance. The
  // evidence reads return JSON text: the decoded bytes' size and SHA-256 and their last 64 KiB.
  if (op == "ec2:GetConsoleOutput") {
    auto instance = p.String("InstanceId");
    bool latest = p.Bool("Latest");
    CW_CHECK_PARAMS();
    auto console = aws::ec2::GetConsoleOutput(aws, instance, latest);
    if (!console) return tl::unexpected(console.error().ToError());
    json evidence = {{"instance_id", console->instance_id}, {"timestamp", console->timestamp},
                     {"latest", console->latest}};
    AddTextEvidence(console->output_base64, &evidence);
    return evidence.dump();
  }
  if (op == "ec2:DescribeInstanceAttribute") {
    auto instance = p.String("InstanceId"), attribute = p.String("Attribute");
    CW_CHECK_PARAMS();
    if (attribute != "userData") return Fail(ErrorCode::kInvalidArgument, op + ": only Attribute userData is supported");
    auto user_data = aws::ec2::DescribeInstanceAttribute(aws, instance, attribute);
    if (!user_data) return tl::unexpected(user_data.error().ToError());
    json evidence = {{"instance_id", instance}, {"attribute", attribute}};
    AddTextEvidence(*user_data, &evidence);
    return evidence.dump();
  }
  if (op == "ec2:AssociateIamInstanceProfile") {
    auto instance = p.String("InstanceId"), profile = p.String("IamInstanceProfileArn");
    CW_CHECK_PARAMS();
    return value(aws::ec2::AssociateIamInstanceProfile(aws, instance, profile));
  }
  if (op == "ec2:ReplaceIamInstanceProfileAssociation") {
    auto association = p.String("AssociationId"), profile = p.String("IamInstanceProfileArn");
    CW_CHECK_PARAMS();
    return value(aws::ec2::ReplaceIamInstanceProfileAssociation(aws, association, profile));
  }
  if (op == "ec2:DisassociateIamInstanceProfile") {
    auto association = p.String("AssociationId");
    CW_CHECK_PARAMS();
    return done(aws::ec2::DisassociateIamInstanceProfile(aws, association));
  }
  if (op == "ec2:StopInstances" || op == "ec2:StartInstances" || op == "ec2:TerminateInstances") {
    auto instances = p.Strings("InstanceIds");
    CW_CHECK_PARAMS();
    if (instances.empty()) return Fail(ErrorCode::kInvalidArgument, op + ": no InstanceIds");
    if (op == "ec2:StopInstances") return done(aws::ec2::StopInstances(aws, instances));
    if (op == "ec2:StartInstances") return done(aws::ec2::StartInstances(aws, instances));
    return done(aws::ec2::TerminateInstances(aws, instances));
  }
#undef CW_CHECK_PARAMS
  return Fail(ErrorCode::kInvalidArgument, "unknown operation '" + op + "' in plan");
}

}  // namespace

std::vector<std::string> Execution::RequestIds() const {
  std::vector<std::string> out;
  for (const auto& c : calls) out.insert(out.end(), c.request_ids.begin(), c.request_ids.end());
  return out;
}

json Execution::ToJson() const {
  json calls_json = json::array();
  for (const auto& c : calls) {
    json call = {{"operation", c.operation}, {"parameters", c.parameters}, {"request_ids", c.request_ids},
                 {"ok", !c.error.has_value()}};
    if (!c.result.empty()) call["result"] = c.result;
    if (c.error) call["error"] = c.error->message;
    calls_json.push_back(std::move(call));
  }
  json out = {{"calls", std::move(calls_json)}, {"outputs", outputs}, {"ok", ok()}};
  if (error) out["error"] = error->message;
  return out;
}

Execution ExecuteCalls(aws::AwsClient& aws, const std::vector<ApiCall>& calls, const CallRecorder* recorder) {
  Execution run;
  for (const auto& call : calls) {
    CallOutcome outcome{call.operation, Substitute(call.parameters, run.outputs), {}, {}, {}};
    size_t mark = recorder ? recorder->Mark() : 0;
    auto result = Run(aws, call.operation, outcome.parameters);
    if (recorder) {
      for (const auto& exchange : recorder->Since(mark)) {
        if (!exchange.request_id.empty()) outcome.request_ids.push_back(exchange.request_id);
      }
    }
    if (!result) {
      outcome.error = result.error();
      run.error = Error{result.error().code, call.operation + " failed: " + result.error().message};
      run.calls.push_back(std::move(outcome));
      break;
    }
    outcome.result = *result;
    if (!call.output.empty()) run.outputs[call.output] = *result;
    run.calls.push_back(std::move(outcome));
  }
  return run;
}

}  // namespace cloudward::respond
