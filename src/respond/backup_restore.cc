// restore-from-backup (recovery): starts an AWS Backup restore job for a recovery point (the
// target, its ARN), with the restore metadata AWS Backup proposes for it
// (GetRecoveryPointRestoreMetadata), overridden by --option metadata.KEY=VALUE, and the IAM role
// the restore runs as (--option role=ARN, required); --option vault=NAME names the backup vault
// (required). The plan shows the recovery point (DescribeRecoveryPoint: resource, type, status,
// creation time) and refuses one that is not COMPLETED. Idempotent: when a restore job of this
// recovery point exists that has not failed or been aborted, the plan is a no-op (--option
// again=true restores once more). Not reversible: the restore makes a new resource that cloudward
// does not delete; rollback names the restore job and its created resource and says how to
// delete it.
#include <algorithm>
#include <array>
#include <functional>

#include <fmt/core.h>

#include "aws/services.h"
#include "respond/action.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 2> kFailed = {"FAILED", "ABORTED"};
constexpr std::string_view kMetadataPrefix = "metadata.";

// How to delete what a restore of this resource type made.
std::string HowToDelete(const std::string& type) {
  if (type == "EBS") return "delete the restored volume (aws ec2 delete-volume)";
  if (type == "EC2") return "terminate the restored instance (aws ec2 terminate-instances)";
  if (type == "RDS" || type == "Aurora") return "delete the restored DB instance or cluster (aws rds delete-db-instance)";
  if (type == "S3") return "delete the restored objects, or the new bucket (aws s3 rb --force)";
  if (type == "EFS") return "delete the restored file system or directory";
  if (type == "DynamoDB") return "delete the restored table (aws dynamodb delete-table)";
  return "delete the restored resource with its service's delete call";
}

class RestoreFromBackupAction final : public Action {
 public:
  std::string_view Kind() const override { return "restore-from-backup"; }
  std::string_view Description() const override {
    return "Start an AWS Backup restore job for a recovery point (--option vault=NAME --option role=ARN "
           "[--option metadata.KEY=VALUE]; cannot be rolled back)";
  }
  std::string_view TargetName() const override { return "recovery point ARN"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& arn = request.target;
    auto option = [&](const char* name) {
      auto it = request.options.find(name);
      return it == request.options.end() ? std::string() : it->second;
    };
    if (!arn.starts_with("arn:") || arn.size() < 12) {
      return Fail(ErrorCode::kInvalidArgument, "'" + arn + "' is not a recovery point ARN");
    }
    const std::string vault = option("vault"), role = option("role");
    if (vault.empty()) return Fail(ErrorCode::kInvalidArgument, "restore-from-backup needs the backup vault: --option vault=NAME");
    if (!role.starts_with("arn:") || role.find(":role/") == std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "restore-from-backup needs the IAM role the restore runs as: "
                                               "--option role=arn:aws:iam::ACCOUNT:role/NAME");
    }
    const std::string again = option("again");
    if (!again.empty() && again != "true" && again != "false") {
      return Fail(ErrorCode::kInvalidArgument, "again '" + again + "' is not true or false");
    }

    auto point = aws::backup::DescribeRecoveryPoint(aws, vault, arn);
    if (!point && point.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kNotFound, "no recovery point " + arn + " in vault " + vault);
    }
    if (!point) return Fail(point.error().code, "cannot read recovery point " + arn + ": " + point.error().Describe());
    if (point->status != "COMPLETED") {
      return Fail(ErrorCode::kConflict, "recovery point " + arn + " is " + point->status + ", not COMPLETED");
    }
    auto metadata = aws::backup::GetRecoveryPointRestoreMetadata(aws, vault, arn);
    if (!metadata) {
      return Fail(metadata.error().code, "cannot read the restore metadata of " + arn + ": " + metadata.error().Describe());
    }
    std::map<std::string, std::string> overrides;
    for (const auto& [k, v] : request.options) {
      if (k.starts_with(kMetadataPrefix) && k.size() > kMetadataPrefix.size()) {
        overrides[k.substr(kMetadataPrefix.size())] = v;
      }
    }
    std::map<std::string, std::string> restore = *metadata;
    for (const auto& [k, v] : overrides) restore[k] = v;
    auto jobs = aws::backup::ListRestoreJobs(aws);
    if (!jobs) return Fail(jobs.error().code, "cannot list the AWS Backup restore jobs: " + jobs.error().Describe());

    Plan plan{.kind = std::string(Kind()), .target = arn, .incident_id = request.incident_id};
    json earlier = json::array();
    const aws::backup::RestoreJob* live = nullptr;
    for (const auto& j : *jobs) {
      if (j.recovery_point_arn != arn) continue;
      earlier.push_back({{"job_id", j.job_id}, {"status", j.status}, {"created", j.creation_date},
                         {"created_resource", j.created_resource_arn}});
      if (std::find(kFailed.begin(), kFailed.end(), j.status) == kFailed.end() && !live) live = &j;
    }
    plan.prior_state = {{"recovery_point", arn},          {"vault", vault},
                        {"resource", point->resource_arn}, {"resource_type", point->resource_type},
                        {"status", point->status},         {"created", point->creation_date},
                        {"metadata", restore},             {"restore_jobs", earlier}};
    std::string what = point->resource_type + " " + point->resource_arn + " as backed up " + point->creation_date;
    if (live && again != "true") {
      plan.summary = "recovery point " + arn + " was already restored by job " + live->job_id + " (" + live->status +
                     (live->created_resource_arn.empty() ? "" : ", " + live->created_resource_arn) +
                     "); nothing to do (--option again=true restores once more)";
      return plan;
    }
    std::string token = fmt::format("cloudward-{}-{:016x}", request.incident_id.substr(0, 20),
                                    std::hash<std::string>{}(arn + "\n" + json(restore).dump() + "\n" +
                                                             std::to_string(earlier.size())));
    json params = {{"RecoveryPointArn", arn}, {"IamRoleArn", role}, {"Metadata", restore}, {"IdempotencyToken", token}};
    if (!point->resource_type.empty()) params["ResourceType"] = point->resource_type;
    std::string shown;
    for (const auto& [k, v] : restore) shown += (shown.empty() ? "" : ", ") + k + "=" + v;
    plan.calls.push_back({"backup:StartRestoreJob", params,
                          "restore " + what + " from " + arn + " as " + role + " (" + shown + ")", "restore_job"});
    plan.summary = "restore " + what + " from recovery point " + arn;
    if (!overrides.empty()) {
      std::string changed;
      for (const auto& [k, v] : overrides) changed += (changed.empty() ? "" : ", ") + k;
      plan.notes.push_back("restore metadata set by option: " + changed);
    }
    plan.notes.push_back("cloudward cannot roll a restore back: it creates a new resource; if it is not wanted, " +
                         HowToDelete(point->resource_type));
    plan.notes.push_back("the restore job runs asynchronously: follow it with `aws backup describe-restore-job "
                         "--restore-job-id <id>`");
    if (live) plan.notes.push_back("recovery point already restored by job " + live->job_id + "; restoring again (again=true)");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    std::string job_id;
    json stored = json::parse(action.plan, nullptr, false);
    if (stored.is_object()) {
      json id = stored.value(json::json_pointer("/result/outputs/restore_job"), json());
      if (id.is_string()) job_id = id.get<std::string>();
    }
    std::string created;
    if (!job_id.empty()) {
      if (auto job = aws::backup::DescribeRestoreJob(aws, job_id)) created = job->created_resource_arn;
    }
    Plan nothing{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    nothing.prior_state = applied.prior_state;
    nothing.summary = "nothing to undo: cloudward does not delete what a restore made" +
                      (job_id.empty() ? std::string() : " (restore job " + job_id + ")") +
                      (created.empty() ? std::string() : "; it created " + created) + "; to remove it, " +
                      HowToDelete(applied.prior_state.value("resource_type", ""));
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRestoreFromBackupAction() { return std::make_unique<RestoreFromBackupAction>(); }

}  // namespace cloudward::respond
