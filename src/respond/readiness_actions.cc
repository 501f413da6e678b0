// Actions that make cloudward-owned resources ready before an incident (`cloudward readiness
// --fix`), planned, recorded and rolled back like every other action:
//
//  create-quarantine-sg (target: VPC id; option "name", default cloudward-quarantine): a security
//    group with no inbound and no outbound rule, tagged cloudward:purpose=quarantine. No-op when
//    the group exists without rules; kConflict when it exists with rules. Rollback deletes it
//    unless a network interface uses it.
//  create-forensic-bucket (target: bucket name): the evidence bucket, created in the client's
//    region if missing, with Block Public Access, versioning and default encryption (SSE-S3),
//    tagged cloudward:purpose=forensics. On an existing bucket only the missing settings are
//    planned. Rollback deletes a bucket the action created if it is still empty (evidence is
//    never deleted) and otherwise restores the Block Public Access and versioning it found.
#include "aws/services_prepare.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

bool ValidVpcId(std::string_view id) {
  return id.starts_with("vpc-") && id.size() > 4 &&
         std::all_of(id.begin() + 4, id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Rollback must read and write in the region the action was applied in.
Status SameRegion(const aws::AwsClient& aws, const json& prior, const std::string& action_id) {
  std::string region = prior.value("region", "");
  if (region.empty() || region == aws.region()) return Ok();
  return Fail(ErrorCode::kInvalidArgument, "action " + action_id + " was applied in " + region + "; roll it back with --region " +
                                               region + " (the client is in " + aws.region() + ")");
}

class CreateQuarantineGroupAction final : public Action {
 public:
  std::string_view Kind() const override { return "create-quarantine-sg"; }
  std::string_view Description() const override {
    return "Create the rule-less quarantine security group in a VPC (readiness)";
  }
  std::string_view TargetName() const override { return "VPC id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& vpc = request.target;
    if (!ValidVpcId(vpc)) return Fail(ErrorCode::kInvalidArgument, "'" + vpc + "' is not a VPC id (vpc-...)");
    std::string name = std::string(kQuarantineGroupName);
    if (auto it = request.options.find("name"); it != request.options.end() && !it->second.empty()) name = it->second;
    auto groups = aws::ec2::DescribeSecurityGroupRules(aws, {{"vpc-id", {vpc}}});
    if (!groups) return Fail(groups.error().code, "cannot read the security groups of " + vpc + ": " + groups.error().Describe());
    if (groups->empty()) return Fail(ErrorCode::kNotFound, "no VPC " + vpc + " (it has no security groups, not even default)");

    Plan plan{.kind = std::string(Kind()), .target = vpc, .incident_id = request.incident_id};
    for (const auto& g : *groups) {
      if (g.group_name != name) continue;
      plan.prior_state = {{"vpc_id", vpc}, {"group_name", name}, {"group_id", g.group_id}, {"region", aws.region()}};
      if (!g.ingress.empty() || !g.egress.empty()) {
        return Fail(ErrorCode::kConflict, "group " + name + " (" + g.group_id + ") in " + vpc + " has " +
                                              std::to_string(g.ingress.size()) + " inbound and " +
                                              std::to_string(g.egress.size()) +
                                              " outbound rules; remove them (a quarantine group must have none)");
      }
      plan.summary = "quarantine group " + g.group_id + " already exists in " + vpc + " with no rules; nothing to do";
      return plan;
    }
    plan.prior_state = {{"vpc_id", vpc}, {"group_name", name}, {"group_id", nullptr}, {"region", aws.region()}};
    plan.calls.push_back({"ec2:CreateSecurityGroup",
                          {{"VpcId", vpc}, {"GroupName", name}, {"Description", "cloudward quarantine: no inbound or outbound traffic"}},
                          "create security group " + name + " in " + vpc, "quarantine_group"});
    plan.calls.push_back({"ec2:RevokeSecurityGroupEgress",
                          {{"GroupId", "$quarantine_group"}, {"IpProtocol", "-1"}, {"Cidrs", {"0.0.0.0/0"}}},
                          "remove the default allow-all egress rule of the new group", ""});
    plan.calls.push_back({"ec2:CreateTags",
                          {{"Resources", {"$quarantine_group"}}, {"Tags", {{"cloudward:purpose", "quarantine"}, {"Name", name}}}},
                          "tag the new group cloudward:purpose=quarantine", ""});
    plan.summary = "create the quarantine security group " + name + " in " + vpc;
    plan.notes.push_back("isolate-instance moves instances into this group; it allows no traffic in either direction");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action, const Plan& applied) const override {
    if (auto s = SameRegion(aws, applied.prior_state, action.id); !s) return tl::unexpected(s.error());
    Plan plan{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    plan.prior_state = applied.prior_state;
    if (applied.prior_state.value("group_id", json()).is_string()) {
      plan.summary = "the group existed before; nothing to undo";
      return plan;
    }
    json stored = json::parse(action.plan, nullptr, false);
    std::string group = stored.is_object() ? stored.value(json::json_pointer("/result/outputs/quarantine_group"), "") : "";
    if (group.empty()) {
      plan.summary = "no group was created; nothing to undo";
      return plan;
    }
    auto users = aws::ec2::DescribeNetworkInterfaces(aws, {}, {{"group-id", {group}}});
    if (!users) return Fail(users.error().code, "cannot read the users of " + group + ": " + users.error().Describe());
    if (!users->empty()) {
      return Fail(ErrorCode::kConflict, "quarantine group " + group + " is used by " + std::to_string(users->size()) +
                                            " network interface(s) (e.g. " + users->front().network_interface_id +
                                            "); release them first");
    }
    auto exists = aws::ec2::DescribeSecurityGroupRules(aws, {{"group-id", {group}}});
    if (exists && exists->empty()) {
      plan.summary = "group " + group + " no longer exists; nothing to undo";
      return plan;
    }
    plan.calls.push_back({"ec2:DeleteSecurityGroup", {{"GroupId", group}}, "delete the quarantine group " + group, ""});
    plan.summary = "delete the quarantine group " + group + " created in " + action.target;
    return plan;
  }
};

struct BucketState {
  bool exists = false;
  std::optional<aws::s3::PublicAccessBlock> pab;
  std::string versioning;
  std::string encryption;
};

Result<BucketState> ReadBucket(aws::AwsClient& aws, const std::string& bucket) {
  BucketState s;
  auto location = aws::s3::GetBucketLocation(aws, bucket);
  if (!location) {
    if (location.error().aws_code == "NoSuchBucket" || location.error().code == ErrorCode::kNotFound) return s;
    if (location.error().code == ErrorCode::kAccessDenied) {
      return Fail(ErrorCode::kConflict, "bucket " + bucket + " exists and this account cannot read it (another owner?)");
    }
    return Fail(location.error().code, "cannot read bucket " + bucket + ": " + location.error().Describe());
  }
  s.exists = true;
  if (auto pab = aws::s3::GetPublicAccessBlock(aws, bucket)) {
    s.pab = *pab;
  } else if (pab.error().code != ErrorCode::kNotFound) {
    return Fail(pab.error().code, "cannot read the public access block of " + bucket + ": " + pab.error().Describe());
  }
  auto versioning = aws::s3::GetBucketVersioningState(aws, bucket);
  if (!versioning) return Fail(versioning.error().code, "cannot read versioning of " + bucket + ": " + versioning.error().Describe());
  s.versioning = versioning->status;
  if (auto enc = aws::s3::GetBucketEncryption(aws, bucket)) {
    s.encryption = *enc;
  } else if (enc.error().code != ErrorCode::kNotFound) {
    return Fail(enc.error().code, "cannot read encryption of " + bucket + ": " + enc.error().Describe());
  }
  return s;
}

bool AllBlocked(const std::optional<aws::s3::PublicAccessBlock>& p) {
  return p && p->block_public_acls && p->ignore_public_acls && p->block_public_policy && p->restrict_public_buckets;
}

json PabJson(const std::optional<aws::s3::PublicAccessBlock>& p) {
  if (!p) return nullptr;
  return {{"BlockPublicAcls", p->block_public_acls}, {"IgnorePublicAcls", p->ignore_public_acls},
          {"BlockPublicPolicy", p->block_public_policy}, {"RestrictPublicBuckets", p->restrict_public_buckets}};
}

class CreateForensicBucketAction final : public Action {
 public:
  std::string_view Kind() const override { return "create-forensic-bucket"; }
  std::string_view Description() const override {
    return "Create (or harden) the forensic evidence bucket: private, versioned, encrypted (readiness)";
  }
  std::string_view TargetName() const override { return "bucket name"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& bucket = request.target;
    if (!ValidBucketName(bucket)) return Fail(ErrorCode::kInvalidArgument, "'" + bucket + "' is not a valid bucket name");
    auto state = ReadBucket(aws, bucket);
    if (!state) return tl::unexpected(state.error());
    Plan plan{.kind = std::string(Kind()), .target = bucket, .incident_id = request.incident_id};
    plan.prior_state = {{"bucket", bucket}, {"existed", state->exists}, {"public_access_block", PabJson(state->pab)},
                        {"versioning", state->versioning}, {"encryption", state->encryption}, {"region", aws.region()}};
    if (!state->exists) {
      plan.calls.push_back({"s3:CreateBucket", {{"Bucket", bucket}}, "create bucket " + bucket + " in " + aws.region(), ""});
    }
    if (!AllBlocked(state->pab)) {
      plan.calls.push_back({"s3:PutPublicAccessBlock",
                            {{"Bucket", bucket}, {"BlockPublicAcls", true}, {"IgnorePublicAcls", true},
                             {"BlockPublicPolicy", true}, {"RestrictPublicBuckets", true}},
                            "block every form of public access to " + bucket, ""});
    }
    if (state->versioning != "Enabled") {
      plan.calls.push_back({"s3:PutBucketVersioning", {{"Bucket", bucket}, {"Status", "Enabled"}},
                            "versioning " + (state->versioning.empty() ? std::string("off") : state->versioning) + " -> Enabled", ""});
    }
    if (state->encryption.empty()) {
      plan.calls.push_back({"s3:PutBucketEncryption", {{"Bucket", bucket}, {"SSEAlgorithm", "AES256"}},
                            "default encryption none -> SSE-S3 (AES256)", ""});
    }
    if (!state->exists) {
      plan.calls.push_back({"s3:PutBucketTagging", {{"Bucket", bucket}, {"Tags", {{"cloudward:purpose", "forensics"}}}},
                            "tag the bucket cloudward:purpose=forensics", ""});
    }
    if (plan.no_op()) {
      plan.summary = "forensic bucket " + bucket + " is private, versioned and encrypted; nothing to do";
      return plan;
    }
    plan.summary = (state->exists ? "harden the forensic bucket " : "create the forensic bucket ") + bucket;
    plan.notes.push_back("consider Object Lock (it can only be enabled when a bucket is created) and a lifecycle rule "
                         "that keeps evidence for your retention period");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action, const Plan& applied) const override {
    const json& prior = applied.prior_state;
    if (auto s = SameRegion(aws, prior, action.id); !s) return tl::unexpected(s.error());
    const std::string& bucket = action.target;
    Plan plan{.kind = action.kind, .target = bucket, .incident_id = action.incident_id};
    plan.prior_state = prior;
    auto now = ReadBucket(aws, bucket);
    if (!now) return tl::unexpected(now.error());
    if (!now->exists) {
      plan.summary = "bucket " + bucket + " no longer exists; nothing to undo";
      return plan;
    }
    if (!prior.value("existed", true)) {
      auto objects = aws::s3::ListObjectVersions(aws, bucket);
      if (!objects) return Fail(objects.error().code, "cannot list " + bucket + ": " + objects.error().Describe());
      if (!objects->empty()) {
        return Fail(ErrorCode::kConflict, "bucket " + bucket + " holds " + std::to_string(objects->size()) +
                                              " object version(s) (evidence); it is not deleted");
      }
      plan.calls.push_back({"s3:DeleteBucket", {{"Bucket", bucket}}, "delete the empty bucket " + bucket, ""});
      plan.summary = "delete the forensic bucket " + bucket + " created by this action (it is empty)";
      return plan;
    }
    json pab = prior.value("public_access_block", json());
    if (pab.is_null() && now->pab) {
      plan.calls.push_back({"s3:DeletePublicAccessBlock", {{"Bucket", bucket}}, "remove the public access block added", ""});
    } else if (pab.is_object() && PabJson(now->pab) != pab) {
      json params = pab;
      params["Bucket"] = bucket;
      plan.calls.push_back({"s3:PutPublicAccessBlock", params, "restore the prior public access block", ""});
    }
    if (prior.value("versioning", "") != "Enabled" && now->versioning == "Enabled") {
      plan.calls.push_back({"s3:PutBucketVersioning", {{"Bucket", bucket}, {"Status", "Suspended"}},
                            "versioning Enabled -> Suspended (S3 cannot return to never-enabled)", ""});
    }
    if (prior.value("encryption", "").empty() && !now->encryption.empty()) {
      plan.notes.push_back("default encryption is kept (removing it weakens the bucket)");
    }
    plan.summary = plan.no_op() ? "bucket " + bucket + " is as it was" : "restore the settings of " + bucket;
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeCreateQuarantineGroupAction() { return std::make_unique<CreateQuarantineGroupAction>(); }
std::unique_ptr<Action> MakeCreateForensicBucketAction() { return std::make_unique<CreateForensicBucketAction>(); }

}  // namespace cloudward::respond
