// enable-bucket-versioning: turns S3 versioning on, so that objects an attacker overwrites or
// deletes from now on can be restored (ransomware, defacement). Prior state: the versioning
// status ("" for never enabled). Rollback suspends versioning again (S3 cannot return a bucket to
// never-versioned; the versions kept meanwhile stay), unless someone changed it since.
#include "aws/services.h"
#include "aws/services_prepare.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

std::string Shown(const std::string& status) { return status.empty() ? "never enabled" : status; }

// "" (never enabled), "Enabled" or "Suspended".
Result<std::string> Versioning(aws::AwsClient& aws, const std::string& bucket) {
  auto state = aws::s3::GetBucketVersioningState(aws, bucket);
  if (!state) return Fail(state.error().code, "cannot read versioning of " + bucket + ": " + state.error().Describe());
  return state->status;
}

class EnableBucketVersioningAction final : public Action {
 public:
  std::string_view Kind() const override { return "enable-bucket-versioning"; }
  std::string_view Description() const override {
    return "Turn on S3 versioning so overwritten and deleted objects can be restored";
  }
  std::string_view TargetName() const override { return "bucket"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& bucket = request.target;
    if (!ValidBucketName(bucket)) return Fail(ErrorCode::kInvalidArgument, "'" + bucket + "' is not a bucket name");
    auto status = Versioning(aws, bucket);
    if (!status) return tl::unexpected(status.error());
    Plan plan{.kind = std::string(Kind()), .target = bucket, .incident_id = request.incident_id};
    plan.prior_state = {{"bucket", bucket}, {"versioning", *status}};
    if (*status == "Enabled") {
      plan.summary = "bucket " + bucket + " is already versioned; nothing to do";
      return plan;
    }
    plan.summary = "enable versioning of bucket " + bucket;
    plan.calls.push_back({"s3:PutBucketVersioning", {{"Bucket", bucket}, {"Status", "Enabled"}},
                          "bucket " + bucket + ": versioning " + Shown(*status) + " -> Enabled", ""});
    plan.notes.push_back("only changes made from now on are kept as versions; storage grows with every overwrite");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    std::string bucket = applied.prior_state.value("bucket", "");
    std::string before = applied.prior_state.value("versioning", "");
    if (bucket.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the bucket");
    auto status = Versioning(aws, bucket);
    if (!status) return tl::unexpected(status.error());
    Plan plan{.kind = action.kind, .target = bucket, .incident_id = action.incident_id};
    plan.prior_state = applied.prior_state;
    if (*status == "Suspended" || *status == before) {
      plan.summary = "bucket " + bucket + " versioning is already " + Shown(*status);
      return plan;
    }
    if (*status != "Enabled") {
      return Fail(ErrorCode::kConflict, "bucket " + bucket + " versioning is now " + Shown(*status));
    }
    plan.summary = "suspend versioning of bucket " + bucket + " (it was " + Shown(before) + ")";
    plan.calls.push_back({"s3:PutBucketVersioning", {{"Bucket", bucket}, {"Status", "Suspended"}},
                          "bucket " + bucket + ": versioning Enabled -> Suspended", ""});
    plan.notes.push_back("S3 cannot make a bucket never-versioned again; the versions kept so far stay");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeEnableBucketVersioningAction() { return std::make_unique<EnableBucketVersioningAction>(); }

}  // namespace cloudward::respond
