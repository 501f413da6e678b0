// remove-public-bucket-access: takes out of a bucket's policy and ACL what grants access to
// everyone or to other accounts, and leaves everything else as it is (unlike
// block-s3-public-access, which overrides them with the public access block):
//   - policy: Allow statements for Principal "*" / {"AWS": "*"} without a Condition are dropped,
//     principals of other accounts than the caller's are taken out (WithoutPublicStatements in
//     decisions.h); the policy is put back with the rest, or deleted when nothing remains;
//   - ACL: grants to AllUsers and AuthenticatedUsers are removed.
// Prior state: the policy text (null for none) and the ACL document. Rollback puts back each one
// that apply changed, refusing (kConflict) when it changed again since.
#include "aws/services.h"
#include "core/text.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

struct BucketAccess {
  std::optional<std::string> policy;  // nullopt: the bucket has none
  std::string acl;                    // AccessControlPolicy XML
};

// `gone` is the code for a missing bucket (kNotFound when planning, kConflict when rolling back).
Result<BucketAccess> ReadAccess(aws::AwsClient& aws, const std::string& bucket, ErrorCode gone) {
  BucketAccess out;
  auto acl = aws::s3::GetBucketAclDocument(aws, bucket);
  if (!acl && acl.error().code == ErrorCode::kNotFound) return Fail(gone, "bucket " + bucket + " does not exist");
  if (!acl) return Fail(acl.error().code, "cannot read the ACL of " + bucket + ": " + acl.error().Describe());
  out.acl = std::move(*acl);
  auto policy = aws::s3::GetBucketPolicy(aws, bucket);
  if (policy) {
    out.policy = std::move(*policy);
  } else if (policy.error().aws_code != "NoSuchBucketPolicy") {
    return Fail(policy.error().code, "cannot read the policy of " + bucket + ": " + policy.error().Describe());
  }
  return out;
}

bool SameAcl(const std::string& a, const std::string& b) {
  auto ga = AclGrants(a), gb = AclGrants(b);
  return ga && gb && *ga == *gb;
}

class RemovePublicBucketAccessAction final : public Action {
 public:
  std::string_view Kind() const override { return "remove-public-bucket-access"; }
  std::string_view Description() const override {
    return "Remove public and cross-account grants from an S3 bucket's policy and ACL, keeping the rest";
  }
  std::string_view TargetName() const override { return "bucket"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& bucket = request.target;
    if (!ValidBucketName(bucket)) return Fail(ErrorCode::kInvalidArgument, "'" + bucket + "' is not a bucket name");
    auto access = ReadAccess(aws, bucket, ErrorCode::kNotFound);
    if (!access) return tl::unexpected(access.error());
    auto who = aws::sts::GetCallerIdentity(aws);
    if (!who) return Fail(who.error().code, "cannot tell the bucket owner's account: " + who.error().Describe());

    Plan plan{.kind = std::string(Kind()), .target = bucket, .incident_id = request.incident_id};
    plan.prior_state = {{"bucket", bucket}, {"account", who->account},
                        {"policy", access->policy ? json(*access->policy) : json(nullptr)}, {"acl", access->acl}};
    if (access->policy) {
      auto cleanup = WithoutPublicStatements(*access->policy, who->account);
      if (!cleanup) return Fail(cleanup.error().code, "bucket " + bucket + ": " + cleanup.error().message);
      if (cleanup->changed()) {
        std::string change = "bucket " + bucket + " policy: removed " + Join(cleanup->removed, "; ");
        if (cleanup->policy) {
          plan.calls.push_back({"s3:PutBucketPolicy", {{"Bucket", bucket}, {"Policy", *cleanup->policy}}, change, ""});
        } else {
          plan.calls.push_back({"s3:DeleteBucketPolicy", {{"Bucket", bucket}}, change + " (nothing remains)", ""});
        }
      }
      for (const auto& name : cleanup->kept_conditional) {
        plan.notes.push_back("bucket policy " + name + " allows everyone under a Condition and is kept; check "
                             "that the Condition really restricts it");
      }
    }
    std::vector<std::string> removed;
    auto acl = AclWithoutPublicGrants(access->acl, &removed);
    if (!acl) return Fail(acl.error().code, "bucket " + bucket + ": " + acl.error().message);
    if (!removed.empty()) {
      plan.calls.push_back({"s3:PutBucketAcl", {{"Bucket", bucket}, {"AccessControlPolicy", *acl}},
                            "bucket " + bucket + " ACL: removed grants " + Join(removed, "; "), ""});
    }
    if (plan.no_op()) {
      plan.summary = "bucket " + bucket + " grants nothing to everyone or to other accounts; nothing to do";
      return plan;
    }
    plan.summary = "remove public and cross-account access from bucket " + bucket;
    plan.notes.push_back("object ACLs, access points and presigned URLs are not changed; block-s3-public-access "
                         "also ignores public object ACLs");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string bucket = prior.value("bucket", ""), prior_acl = prior.value("acl", "");
    if (bucket.empty() || prior_acl.empty()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the bucket or its ACL");
    }
    std::optional<std::string> prior_policy;
    if (prior.contains("policy") && prior["policy"].is_string()) prior_policy = prior["policy"].get<std::string>();
    auto now = ReadAccess(aws, bucket, ErrorCode::kConflict);
    if (!now) return tl::unexpected(now.error());

    Plan plan{.kind = action.kind, .target = bucket, .incident_id = action.incident_id};
    plan.prior_state = prior;
    for (const auto& call : applied.calls) {
      if (call.operation == "s3:PutBucketPolicy" || call.operation == "s3:DeleteBucketPolicy") {
        if (!prior_policy) return Fail(ErrorCode::kMalformed, "action " + action.id + ": no prior policy recorded");
        if (now->policy && SamePolicy(*now->policy, *prior_policy)) continue;
        bool ours = call.operation == "s3:DeleteBucketPolicy"
                        ? !now->policy
                        : now->policy && SamePolicy(*now->policy, call.parameters.value("Policy", ""));
        if (!ours) {
          return Fail(ErrorCode::kConflict, "the policy of bucket " + bucket +
                                                " changed since it was applied; restoring would clobber that change");
        }
        plan.calls.push_back({"s3:PutBucketPolicy", {{"Bucket", bucket}, {"Policy", *prior_policy}},
                              "bucket " + bucket + ": prior policy restored", ""});
      } else if (call.operation == "s3:PutBucketAcl") {
        if (SameAcl(now->acl, prior_acl)) continue;
        if (!SameAcl(now->acl, call.parameters.value("AccessControlPolicy", ""))) {
          return Fail(ErrorCode::kConflict, "the ACL of bucket " + bucket +
                                                " changed since it was applied; restoring would clobber that change");
        }
        plan.calls.push_back({"s3:PutBucketAcl", {{"Bucket", bucket}, {"AccessControlPolicy", prior_acl}},
                              "bucket " + bucket + ": prior ACL restored", ""});
      }
    }
    if (plan.no_op()) {
      plan.summary = "bucket " + bucket + " already has its prior policy and ACL";
      return plan;
    }
    plan.summary = "restore the prior policy and ACL of bucket " + bucket;
    plan.notes.push_back("this opens the bucket to everyone or to other accounts again; the bucket's public access "
                         "block, if on, refuses a public policy or ACL");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRemovePublicBucketAccessAction() {
  return std::make_unique<RemovePublicBucketAccessAction>();
}

}  // namespace cloudward::respond
