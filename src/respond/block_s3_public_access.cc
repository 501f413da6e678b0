// block-s3-public-access: sets the bucket's S3 Block Public Access configuration to all four
// flags true (s3:PutPublicAccessBlock). Prior state: the configuration before, or none; rollback
// puts it back (or deletes the configuration) unless it changed since.
// block-account-public-access: the same for the account-level settings (S3 Control), which
// override every bucket's own: a bucket made public by the attacker stays private whatever its
// ACL, policy or bucket-level settings.
#include "aws/services.h"
#include "aws/services_prepare.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

json ToJson(const aws::s3::PublicAccessBlock& c) {
  return {{"BlockPublicAcls", c.block_public_acls}, {"IgnorePublicAcls", c.ignore_public_acls},
          {"BlockPublicPolicy", c.block_public_policy}, {"RestrictPublicBuckets", c.restrict_public_buckets}};
}

Result<std::optional<aws::s3::PublicAccessBlock>> Read(aws::AwsClient& aws, const std::string& bucket) {
  auto got = aws::s3::GetPublicAccessBlock(aws, bucket);
  if (got) return std::optional(*got);
  if (got.error().aws_code == "NoSuchPublicAccessBlockConfiguration") {
    return std::optional<aws::s3::PublicAccessBlock>();
  }
  if (got.error().aws_code == "NoSuchBucket") return Fail(ErrorCode::kNotFound, "no bucket " + bucket);
  return Fail(got.error().code, "cannot read the public access block of " + bucket + ": " + got.error().Describe());
}

// The configuration recorded in a prior state: an object, or "none".
std::optional<aws::s3::PublicAccessBlock> PriorFromJson(const json& prior_state) {
  const json& block = prior_state.contains("public_access_block") ? prior_state["public_access_block"] : json("none");
  if (!block.is_object()) return std::nullopt;
  return aws::s3::PublicAccessBlock{block.value("BlockPublicAcls", false), block.value("IgnorePublicAcls", false),
                                    block.value("BlockPublicPolicy", false), block.value("RestrictPublicBuckets", false)};
}

// Where a public access block lives: a bucket (S3) or a whole account (S3 Control).
struct BlockScope {
  std::string target;     // bucket name or account id
  std::string noun;       // "bucket NAME" / "account ID"
  std::string the_block;  // "the public access block of bucket NAME" / "the account-level ... of ID"
  std::string id_key;     // "Bucket" / "AccountId"
  std::string put_op, delete_op;
};

// The rollback plan from the recorded prior configuration and the current one.
Result<Plan> PlanRestore(const store::ResponseAction& action, const Plan& applied, const BlockScope& scope,
                         const std::optional<aws::s3::PublicAccessBlock>& current) {
  const std::optional<aws::s3::PublicAccessBlock> prior = PriorFromJson(applied.prior_state);
  auto restore = PublicAccessBlockRestore(prior, current);
  if (!restore) return Fail(restore.error().code, scope.noun + ": " + restore.error().message);
  Plan plan{.kind = action.kind, .target = scope.target, .incident_id = action.incident_id};
  plan.prior_state = applied.prior_state;
  switch (*restore) {
    case PublicAccessRestore::kNothing:
      plan.summary = scope.noun + " already has its prior public access block";
      break;
    case PublicAccessRestore::kDelete:
      plan.summary = "remove " + scope.the_block + " (it had none)";
      plan.calls.push_back({scope.delete_op, {{scope.id_key, scope.target}},
                            scope.noun + ": " + Describe(*current) + " -> no configuration", ""});
      break;
    case PublicAccessRestore::kPut: {
      json parameters = ToJson(*prior);
      parameters[scope.id_key] = scope.target;
      plan.summary = "restore the prior " + scope.the_block.substr(4);  // without "the "
      plan.calls.push_back({scope.put_op, parameters,
                            scope.noun + ": " + Describe(*current) + " -> " + Describe(*prior), ""});
      break;
    }
  }
  return plan;
}

class BlockS3PublicAccessAction final : public Action {
 public:
  std::string_view Kind() const override { return "block-s3-public-access"; }
  std::string_view Description() const override {
    return "Turn on all four S3 Block Public Access settings of a bucket";
  }
  std::string_view TargetName() const override { return "bucket name"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& bucket = request.target;
    if (!ValidBucketName(bucket)) return Fail(ErrorCode::kInvalidArgument, "'" + bucket + "' is not an S3 bucket name");
    auto current = Read(aws, bucket);
    if (!current) return tl::unexpected(current.error());
    Plan plan{.kind = std::string(Kind()), .target = bucket, .incident_id = request.incident_id};
    plan.prior_state = {{"bucket", bucket}, {"public_access_block", *current ? ToJson(**current) : json("none")}};
    if (*current && FullyBlocked(**current)) {
      plan.summary = "bucket " + bucket + " already blocks all public access; nothing to do";
      return plan;
    }
    aws::s3::PublicAccessBlock all;
    json parameters = ToJson(all);
    parameters["Bucket"] = bucket;
    plan.summary = "block all public access to bucket " + bucket;
    plan.calls.push_back({"s3:PutPublicAccessBlock", parameters,
                          "bucket " + bucket + ": " + (*current ? Describe(**current) : std::string("no configuration")) +
                              " -> " + Describe(all),
                          ""});
    plan.notes.push_back("public ACL grants and public bucket policy statements stop taking effect; anything "
                         "served publicly from this bucket (websites, downloads) stops working");
    plan.notes.push_back("the account-level Block Public Access setting and the bucket policy are not changed");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior_json = applied.prior_state;
    std::string bucket = prior_json.value("bucket", "");
    if (bucket.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the bucket");
    auto current = Read(aws, bucket);
    if (!current) return tl::unexpected(current.error());
    return PlanRestore(action, applied, {bucket, "bucket " + bucket, "the public access block of bucket " + bucket,
                                         "Bucket", "s3:PutPublicAccessBlock", "s3:DeletePublicAccessBlock"},
                       *current);
  }
};

Result<std::optional<aws::s3::PublicAccessBlock>> ReadAccount(aws::AwsClient& aws, const std::string& account) {
  auto got = aws::s3control::GetPublicAccessBlock(aws, account);
  if (got) return std::optional(*got);
  if (got.error().code == ErrorCode::kNotFound) return std::optional<aws::s3::PublicAccessBlock>();
  return Fail(got.error().code, "cannot read the account-level public access block of " + account + ": " +
                                    got.error().Describe());
}

class BlockAccountPublicAccessAction final : public Action {
 public:
  std::string_view Kind() const override { return "block-account-public-access"; }
  std::string_view Description() const override {
    return "Turn on all four S3 Block Public Access settings for the whole account (every bucket, present and future)";
  }
  std::string_view TargetName() const override { return "account id, or \"current\": the credentials' account"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    std::string account = request.target;
    if (account == "current") {
      auto me = aws::sts::GetCallerIdentity(aws);
      if (!me) return Fail(me.error().code, "cannot tell the current account: " + me.error().Describe());
      account = me->account;
    }
    if (account.size() != 12 || account.find_first_not_of("0123456789") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "'" + request.target + "' is not a 12-digit account id or \"current\"");
    }
    auto current = ReadAccount(aws, account);
    if (!current) return tl::unexpected(current.error());
    Plan plan{.kind = std::string(Kind()), .target = account, .incident_id = request.incident_id};
    plan.prior_state = {{"account", account}, {"public_access_block", *current ? ToJson(**current) : json("none")}};
    if (*current && FullyBlocked(**current)) {
      plan.summary = "account " + account + " already blocks all public access to S3; nothing to do";
      return plan;
    }
    aws::s3::PublicAccessBlock all;
    json parameters = ToJson(all);
    parameters["AccountId"] = account;
    plan.summary = "block all public access to every S3 bucket of account " + account;
    plan.calls.push_back({"s3:PutAccountPublicAccessBlock", parameters,
                          "account " + account + ": " + (*current ? Describe(**current) : std::string("no configuration")) +
                              " -> " + Describe(all),
                          ""});
    plan.notes.push_back("applies to every bucket of the account, now and later: anything served publicly from S3 "
                         "(static websites, public downloads) stops working; CloudFront with origin access control "
                         "keeps working");
    plan.notes.push_back("bucket policies, ACLs and bucket-level settings are not changed (rollback restores the "
                         "account setting only)");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const std::string account = applied.prior_state.value("account", "");
    if (account.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the account");
    auto current = ReadAccount(aws, account);
    if (!current) return tl::unexpected(current.error());
    return PlanRestore(action, applied,
                       {account, "account " + account, "the account-level public access block of " + account,
                        "AccountId", "s3:PutAccountPublicAccessBlock", "s3:DeleteAccountPublicAccessBlock"},
                       *current);
  }
};

}  // namespace

std::unique_ptr<Action> MakeBlockS3PublicAccessAction() { return std::make_unique<BlockS3PublicAccessAction>(); }
std::unique_ptr<Action> MakeBlockAccountPublicAccessAction() { return std::make_unique<BlockAccountPublicAccessAction>(); }

}  // namespace cloudward::respond
