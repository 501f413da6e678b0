// make-snapshot-private: stops sharing an EBS snapshot (createVolumePermission) or an AMI
// (launchPermission): removes the group "all" (public) and every AWS account it is shared with,
// the usual way data is exfiltrated from EBS. Prior state: the groups and account ids. Rollback
// shares it again with those not shared with now (adding never clobbers a later change); it
// refuses (kConflict) when the snapshot or image no longer exists.
#include <algorithm>

#include "aws/services.h"
#include "core/text.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

struct Shared {
  bool snapshot = true;  // else an image
  std::string noun;      // "snapshot" | "image"
  const char* operation;
  const char* id_param;
};

Result<Shared> Classify(const std::string& id) {
  if (ValidSnapshotId(id)) return Shared{true, "snapshot", "ec2:ModifySnapshotAttribute", "SnapshotId"};
  if (ValidImageId(id)) return Shared{false, "image", "ec2:ModifyImageAttribute", "ImageId"};
  return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not an EBS snapshot id (snap-...) or AMI id (ami-...)");
}

// Who the snapshot or image is shared with. `gone` is the code for a missing resource.
Result<aws::ec2::SharePermissions> ReadSharing(aws::AwsClient& aws, const Shared& kind, const std::string& id,
                                               ErrorCode gone) {
  // Existence first: a missing image makes some endpoints fail DescribeImageAttribute oddly.
  if (kind.snapshot) {
    auto snapshots = aws::ec2::DescribeSnapshots(aws, {id});
    if (!snapshots && snapshots.error().code != ErrorCode::kNotFound) {
      return Fail(snapshots.error().code, "cannot read snapshot " + id + ": " + snapshots.error().Describe());
    }
    if (!snapshots || snapshots->empty()) return Fail(gone, "no snapshot " + id + " owned by this account");
  } else {
    auto images = aws::ec2::ExistingImages(aws, {id});
    if (!images && images.error().code != ErrorCode::kNotFound) {
      return Fail(images.error().code, "cannot read image " + id + ": " + images.error().Describe());
    }
    if (!images || images->empty()) return Fail(gone, "no image " + id);
  }
  auto permissions = kind.snapshot ? aws::ec2::DescribeSnapshotCreateVolumePermission(aws, id)
                                   : aws::ec2::DescribeImageLaunchPermission(aws, id);
  if (!permissions) {
    return Fail(permissions.error().code, "cannot read who " + kind.noun + " " + id + " is shared with: " +
                                              permissions.error().Describe());
  }
  // Sorted, so that plans (and their JSON) do not depend on the order AWS lists them in.
  std::sort(permissions->groups.begin(), permissions->groups.end());
  std::sort(permissions->user_ids.begin(), permissions->user_ids.end());
  return std::move(*permissions);
}

std::string Describe(const aws::ec2::SharePermissions& p) {
  std::vector<std::string> parts;
  for (const auto& g : p.groups) parts.push_back(g == "all" ? "everyone (public)" : "group " + g);
  for (const auto& u : p.user_ids) parts.push_back("account " + u);
  return Join(parts, ", ");
}

ApiCall Change(const Shared& kind, const std::string& id, bool add, const aws::ec2::SharePermissions& p) {
  return {kind.operation,
          {{kind.id_param, id}, {"OperationType", add ? "add" : "remove"}, {"UserGroups", p.groups},
           {"UserIds", p.user_ids}},
          kind.noun + " " + id + (add ? ": shared again with " : ": no longer shared with ") + Describe(p), ""};
}

class MakeSnapshotPrivateAction final : public Action {
 public:
  std::string_view Kind() const override { return "make-snapshot-private"; }
  std::string_view Description() const override {
    return "Stop sharing an EBS snapshot or AMI publicly or with other accounts";
  }
  std::string_view TargetName() const override { return "snapshot id (snap-...) or AMI id (ami-...)"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    auto kind = Classify(id);
    if (!kind) return tl::unexpected(kind.error());
    auto shared = ReadSharing(aws, *kind, id, ErrorCode::kNotFound);
    if (!shared) return tl::unexpected(shared.error());
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"resource_type", kind->noun}, {"id", id}, {"groups", shared->groups},
                        {"user_ids", shared->user_ids}};
    if (shared->empty()) {
      plan.summary = kind->noun + " " + id + " is shared with no one; nothing to do";
      return plan;
    }
    plan.calls.push_back(Change(*kind, id, /*add=*/false, *shared));
    plan.summary = "make " + kind->noun + " " + id + " private";
    plan.notes.push_back(std::string("copies already made, and ") +
                         (kind->snapshot ? "volumes already created from it" : "instances already launched from it") +
                         ", in other accounts are not affected; assume the data was taken");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string id = prior.value("id", "");
    aws::ec2::SharePermissions before;
    try {
      before.groups = prior.at("groups").get<std::vector<std::string>>();
      before.user_ids = prior.at("user_ids").get<std::vector<std::string>>();
    } catch (const json::exception& e) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state is malformed: " + e.what());
    }
    auto kind = Classify(id);
    if (!kind) return Fail(ErrorCode::kMalformed, "action " + action.id + ": " + kind.error().message);
    auto now = ReadSharing(aws, *kind, id, ErrorCode::kConflict);
    if (!now) return tl::unexpected(now.error());

    aws::ec2::SharePermissions missing;
    auto absent = [](const std::vector<std::string>& v, const std::string& x) {
      return std::find(v.begin(), v.end(), x) == v.end();
    };
    for (const auto& g : before.groups) {
      if (absent(now->groups, g)) missing.groups.push_back(g);
    }
    for (const auto& u : before.user_ids) {
      if (absent(now->user_ids, u)) missing.user_ids.push_back(u);
    }
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    if (missing.empty()) {
      plan.summary = kind->noun + " " + id + " is already shared as before";
      return plan;
    }
    plan.calls.push_back(Change(*kind, id, /*add=*/true, missing));
    plan.summary = "share " + kind->noun + " " + id + " again with " + Describe(missing);
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeMakeSnapshotPrivateAction() { return std::make_unique<MakeSnapshotPrivateAction>(); }

}  // namespace cloudward::respond
