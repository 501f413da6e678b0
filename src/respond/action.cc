#include "respond/action.h"

#include <map>
#include <memory>
#include <set>

#include "aws/services.h"
#include "respond/decisions.h"
#include "store/incident_store.h"

namespace cloudward::respond {

nlohmann::json Plan::ToJson() const {
  nlohmann::json calls_json = nlohmann::json::array();
  for (const auto& c : calls) {
    nlohmann::json call = {{"operation", c.operation}, {"parameters", c.parameters}, {"change", c.change}};
    if (!c.output.empty()) call["output"] = c.output;
    calls_json.push_back(std::move(call));
  }
  return {{"kind", kind},         {"target", target},       {"incident_id", incident_id},
          {"summary", summary},   {"prior_state", prior_state}, {"calls", std::move(calls_json)},
          {"notes", notes},       {"no_op", no_op()},       {"reversible", reversible}};
}

Result<Plan> Plan::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Fail(ErrorCode::kMalformed, "stored plan is not a JSON object");
  try {
    Plan plan;
    plan.kind = json.value("kind", "");
    plan.target = json.value("target", "");
    plan.incident_id = json.value("incident_id", "");
    plan.summary = json.value("summary", "");
    plan.prior_state = json.value("prior_state", nlohmann::json::object());
    plan.reversible = json.value("reversible", true);
    for (const auto& c : json.value("calls", nlohmann::json::array())) {
      plan.calls.push_back({c.at("operation").get<std::string>(), c.value("parameters", nlohmann::json::object()),
                            c.value("change", ""), c.value("output", "")});
    }
    for (const auto& n : json.value("notes", nlohmann::json::array())) plan.notes.push_back(n.get<std::string>());
    return plan;
  } catch (const nlohmann::json::exception& e) {
    return Fail(ErrorCode::kMalformed, std::string("stored plan is malformed: ") + e.what());
  }
}

const std::vector<const Action*>& Actions() {
  static const std::vector<std::unique_ptr<Action>> owned = [] {
    std::vector<std::unique_ptr<Action>> v;
    v.push_back(MakeDeactivateAccessKeyAction());
    v.push_back(MakeIsolateInstanceAction());
    v.push_back(MakeBlockS3PublicAccessAction());
    v.push_back(MakeBlockAccountPublicAccessAction());
    v.push_back(MakeSnapshotInstanceVolumesAction());
    v.push_back(MakeCreateQuarantineGroupAction());
    v.push_back(MakeCreateForensicBucketAction());
    v.push_back(MakeRevokeRoleSessionsAction());
    v.push_back(MakeRestrictUserAction());
    v.push_back(MakeBlockIpAction());
    v.push_back(MakeEnableBucketVersioningAction());
    v.push_back(MakeStartCloudTrailLoggingAction());
    v.push_back(MakeProtectInstanceAction());
    v.push_back(MakeRequireImdsv2Action());
    v.push_back(MakeRemoveUserFromGroupsAction());
    v.push_back(MakeDeleteLoginProfileAction());
    v.push_back(MakeMakeSnapshotPrivateAction());
    v.push_back(MakeRemovePublicBucketAccessAction());
    v.push_back(MakeZeroLambdaConcurrencyAction());
    v.push_back(MakeEnableGuardDutyAction());
    v.push_back(MakeRestrictRdsInstanceAction());
    v.push_back(MakeRestoreObjectVersionsAction());
    v.push_back(MakeDetachFromAutoScalingAction());
    v.push_back(MakeOpenSupportCaseAction());
    v.push_back(MakeRevokeOpenIngressAction());
    v.push_back(MakeCaptureInstanceEvidenceAction());
    v.push_back(MakeReplaceInstanceProfileAction());
    v.push_back(MakeStopInstanceAction());
    v.push_back(MakeTerminateInstanceAction());
    v.push_back(MakeEradicateCreatedIamAction());
    v.push_back(MakeRunPatchBaselineAction());
    v.push_back(MakeRestoreFromBackupAction());
    return v;
  }();
  static const std::vector<const Action*> all = [] {
    std::vector<const Action*> v;
    for (const auto& a : owned) v.push_back(a.get());
    return v;
  }();
  return all;
}

ActionPermissions PermissionsOf(std::string_view kind) {
  // Keep in step with the reads of each action's MakePlan/PlanRollback and the operations of its
  // calls (call_executor.h); respond_decisions_test checks every registered action has an entry.
  static const std::map<std::string_view, ActionPermissions> kTable = {
      {"deactivate-access-key",
       {{"iam:GetAccessKeyLastUsed", "iam:ListAccessKeys"}, {"iam:UpdateAccessKey"}}},
      {"isolate-instance",
       {{"ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"},
        {"ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags",
         "ec2:ModifyNetworkInterfaceAttribute"}}},
      {"block-s3-public-access", {{"s3:GetBucketPublicAccessBlock"}, {"s3:PutBucketPublicAccessBlock"}}},
      {"block-account-public-access",
       {{"s3:GetAccountPublicAccessBlock", "sts:GetCallerIdentity"}, {"s3:PutAccountPublicAccessBlock"}}},
      {"snapshot-instance-volumes",
       {{"ec2:DescribeInstances", "ec2:DescribeSnapshots"}, {"ec2:CreateSnapshot", "ec2:CreateTags"}}},
      {"revoke-role-sessions",
       {{"iam:GetRole", "iam:GetRolePolicy", "iam:ListInstanceProfilesForRole", "ec2:DescribeInstances"},
        {"iam:PutRolePolicy", "iam:DeleteRolePolicy"}}},
      {"restrict-user", {{"iam:GetUser", "iam:GetUserPolicy"}, {"iam:PutUserPolicy", "iam:DeleteUserPolicy"}}},
      {"block-ip", {{"ec2:DescribeNetworkAcls"}, {"ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAclEntry"}}},
      {"enable-bucket-versioning", {{"s3:GetBucketVersioning"}, {"s3:PutBucketVersioning"}}},
      {"start-cloudtrail-logging",
       {{"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"}, {"cloudtrail:StartLogging", "cloudtrail:StopLogging"}}},
      {"protect-instance",
       {{"ec2:DescribeInstances", "ec2:DescribeInstanceAttribute"}, {"ec2:ModifyInstanceAttribute"}}},
      {"require-imdsv2", {{"ec2:DescribeInstances"}, {"ec2:ModifyInstanceMetadataOptions"}}},
      {"remove-user-from-groups",
       {{"iam:GetUser", "iam:ListGroupsForUser", "iam:GetGroup"}, {"iam:RemoveUserFromGroup", "iam:AddUserToGroup"}}},
      {"delete-login-profile", {{"iam:GetUser", "iam:GetLoginProfile"}, {"iam:DeleteLoginProfile"}}},
      {"make-snapshot-private",
       {{"ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute", "ec2:DescribeImages", "ec2:DescribeImageAttribute"},
        {"ec2:ModifySnapshotAttribute", "ec2:ModifyImageAttribute"}}},
      {"remove-public-bucket-access",
       {{"s3:GetBucketAcl", "s3:GetBucketPolicy"}, {"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl"}}},
      {"zero-lambda-concurrency",
       {{"lambda:GetFunctionConcurrency"}, {"lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"}}},
      {"enable-guardduty",
       {{"guardduty:ListDetectors", "guardduty:GetDetector"},
        {"guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:DeleteDetector", "iam:CreateServiceLinkedRole"}}},
      {"restrict-rds-instance",
       {{"rds:DescribeDBInstances", "rds:DescribeDBSnapshots"},
        {"rds:CreateDBSnapshot", "rds:AddTagsToResource", "rds:ModifyDBInstance"}}},
      // CopyObject of a version reads it (and its tags) and writes the key (and its tags).
      {"restore-object-versions",
       {{"s3:GetBucketVersioning", "s3:ListBucketVersions"},
        {"s3:GetObjectVersion", "s3:GetObjectVersionTagging", "s3:PutObject", "s3:PutObjectTagging",
         "s3:DeleteObject", "s3:DeleteObjectVersion"}}},
      {"detach-from-auto-scaling",
       {{"ec2:DescribeInstances", "autoscaling:DescribeAutoScalingInstances", "elasticloadbalancing:DescribeTargetGroups",
         "elasticloadbalancing:DescribeTargetHealth"},
        {"autoscaling:DetachInstances", "autoscaling:AttachInstances", "elasticloadbalancing:DeregisterTargets",
         "elasticloadbalancing:RegisterTargets"}}},
      {"open-support-case", {{"support:DescribeCases"}, {"support:CreateCase"}}},
      {"revoke-open-ingress",
       {{"ec2:DescribeSecurityGroups"}, {"ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress"}}},
      // The console output and user data are read when applying (the evidence is the calls' output).
      {"capture-instance-evidence",
       {{"ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeIamInstanceProfileAssociations",
         "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups"},
        {"ec2:GetConsoleOutput", "ec2:DescribeInstanceAttribute", "ec2:CreateTags"}}},
      // Replacing or associating a profile passes its role to EC2.
      {"replace-instance-profile",
       {{"ec2:DescribeInstances", "ec2:DescribeIamInstanceProfileAssociations", "iam:GetInstanceProfile"},
        {"ec2:DisassociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation",
         "ec2:AssociateIamInstanceProfile", "iam:PassRole"}}},
      {"stop-instance", {{"ec2:DescribeInstances", "ec2:DescribeSnapshots"}, {"ec2:StopInstances", "ec2:StartInstances"}}},
      {"terminate-instance",
       {{"ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeSnapshots"}, {"ec2:TerminateInstances"}}},
      // Reads every dependency of what it deletes (for the prior state); writes the deletions and
      // the restores of rollback.
      {"eradicate-created-iam",
       {{"sts:GetCallerIdentity", "iam:GetUser", "iam:GetRole", "iam:GetPolicy", "iam:GetPolicyVersion",
         "iam:ListPolicyVersions", "iam:ListEntitiesForPolicy", "iam:ListUserPolicies", "iam:GetUserPolicy",
         "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedUserPolicies", "iam:ListAttachedRolePolicies",
         "iam:ListAccessKeys", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:ListGroupsForUser", "iam:GetGroup",
         "iam:ListInstanceProfilesForRole"},
        {"iam:DetachUserPolicy", "iam:DetachRolePolicy", "iam:DetachGroupPolicy", "iam:DeleteUserPolicy",
         "iam:DeleteRolePolicy", "iam:DeleteAccessKey", "iam:DeleteLoginProfile", "iam:DeactivateMFADevice",
         "iam:DeleteVirtualMFADevice", "iam:RemoveUserFromGroup", "iam:RemoveRoleFromInstanceProfile",
         "iam:DeleteUser", "iam:DeleteRole", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:CreateUser",
         "iam:TagUser", "iam:CreateRole", "iam:TagRole", "iam:CreatePolicy", "iam:TagPolicy",
         "iam:CreatePolicyVersion", "iam:PutUserPolicy", "iam:PutRolePolicy", "iam:AttachUserPolicy",
         "iam:AttachRolePolicy", "iam:AttachGroupPolicy", "iam:AddUserToGroup", "iam:AddRoleToInstanceProfile"}}},
      {"run-patch-baseline",
       {{"ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:ListCommands"}, {"ssm:SendCommand"}}},
      // StartRestoreJob passes the restore role to AWS Backup.
      {"restore-from-backup",
       {{"backup:DescribeRecoveryPoint", "backup:GetRecoveryPointRestoreMetadata", "backup:ListRestoreJobs",
         "backup:DescribeRestoreJob"},
        {"backup:StartRestoreJob", "iam:PassRole"}}},
      {"create-quarantine-sg",
       {{"ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"},
        {"ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags", "ec2:DeleteSecurityGroup"}}},
      {"create-forensic-bucket",
       {{"s3:GetBucketLocation", "s3:GetBucketPublicAccessBlock", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration",
         "s3:ListBucketVersions"},
        {"s3:CreateBucket", "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
         "s3:PutBucketTagging", "s3:DeleteBucket"}}},
  };
  auto it = kTable.find(kind);
  return it == kTable.end() ? ActionPermissions{} : it->second;
}

nlohmann::json PermissionsPolicy(const std::vector<std::string>& kinds, bool read_only) {
  std::set<std::string> read, write;
  for (const auto& kind : kinds) {
    auto p = PermissionsOf(kind);
    read.insert(p.read.begin(), p.read.end());
    write.insert(p.write.begin(), p.write.end());
  }
  nlohmann::json statements = nlohmann::json::array();
  if (!read.empty()) {
    statements.push_back({{"Sid", "CloudwardPlan"}, {"Effect", "Allow"}, {"Action", read}, {"Resource", "*"}});
  }
  if (!read_only && !write.empty()) {
    statements.push_back({{"Sid", "CloudwardRespond"}, {"Effect", "Allow"}, {"Action", write}, {"Resource", "*"}});
  }
  return {{"Version", "2012-10-17"}, {"Statement", statements}};
}

Status AddIncidentRecords(store::IncidentStore& store, const Action& action, ActionRequest* request) {
  if (!action.NeedsIncidentRecords() || request->incident_id.empty()) return Ok();
  auto findings = store.IncidentFindings(request->incident_id);
  if (!findings) return tl::unexpected(findings.error());
  std::vector<std::string> records;
  records.reserve(findings->size());
  for (const auto& f : *findings) records.push_back(f.finding.record);
  request->incident_records = std::move(records);
  return Ok();
}

const Action* FindAction(std::string_view kind) {
  for (const Action* a : Actions()) {
    if (a->Kind() == kind) return a;
  }
  return nullptr;
}

Result<aws::ec2::Instance> ReadLiveInstance(aws::AwsClient& aws, const std::string& id, ErrorCode gone) {
  if (!ValidInstanceId(id)) return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not an EC2 instance id (i-...)");
  auto instances = aws::ec2::DescribeInstances(aws, {id});
  if (!instances && instances.error().code != ErrorCode::kNotFound) {
    return Fail(instances.error().code, "cannot read instance " + id + ": " + instances.error().Describe());
  }
  if (!instances || instances->empty()) {
    return Fail(gone, gone == ErrorCode::kNotFound ? "no instance " + id : "instance " + id + " no longer exists");
  }
  if (instances->front().state == "terminated") return Fail(gone, "instance " + id + " is terminated");
  return instances->front();
}

}  // namespace cloudward::respond
