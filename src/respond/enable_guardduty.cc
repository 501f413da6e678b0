// enable-guardduty: turns GuardDuty on in the client's region, so that what the attacker does
// next is detected: creates an enabled detector when there is none, or enables the disabled one
// (attackers disable it: Stratus "guardduty-disable"). Prior state: the detector id and status
// ("" when none). Rollback deletes the detector apply created, or disables the one it enabled;
// it refuses (kConflict) when that detector was deleted since.
#include <algorithm>

#include "aws/services.h"
#include "aws/services_prepare.h"
#include "respond/action.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

class EnableGuardDutyAction final : public Action {
 public:
  std::string_view Kind() const override { return "enable-guardduty"; }
  std::string_view Description() const override {
    return "Turn GuardDuty on in the region (create an enabled detector, or enable a disabled one)";
  }
  std::string_view TargetName() const override { return "region (or \"current\" / \"all\": the client's region)"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string region = aws.region();
    if (request.target != "current" && request.target != "all" && request.target != region) {
      return Fail(ErrorCode::kInvalidArgument, "enable-guardduty works on the client's region " + region + ", not '" +
                                                   request.target + "'; pass --region to choose it");
    }
    auto ids = aws::guardduty::ListDetectors(aws);
    if (!ids) return Fail(ids.error().code, "cannot list GuardDuty detectors: " + ids.error().Describe());
    Plan plan{.kind = std::string(Kind()), .target = region, .incident_id = request.incident_id};
    if (ids->empty()) {
      plan.prior_state = {{"region", region}, {"detector_id", ""}, {"status", ""}};
      plan.calls.push_back({"guardduty:CreateDetector", {{"Enable", true}},
                            "GuardDuty in " + region + ": new enabled detector", "detector"});
      plan.summary = "turn GuardDuty on in " + region + " (no detector yet)";
      plan.notes.push_back("GuardDuty is billed by the volume of events it analyses; a 30-day free trial applies "
                           "to a first detector");
      plan.notes.push_back("findings start within minutes and cover activity from now on, not before");
      return plan;
    }
    auto detector = aws::guardduty::GetDetector(aws, ids->front());
    if (!detector) {
      return Fail(detector.error().code, "cannot read detector " + ids->front() + ": " + detector.error().Describe());
    }
    plan.prior_state = {{"region", region}, {"detector_id", detector->id}, {"status", detector->status}};
    if (detector->status == "ENABLED") {
      plan.summary = "GuardDuty is already on in " + region + " (detector " + detector->id + "); nothing to do";
      return plan;
    }
    plan.calls.push_back({"guardduty:UpdateDetector", {{"DetectorId", detector->id}, {"Enable", true}},
                          "detector " + detector->id + ": " + detector->status + " -> ENABLED", ""});
    plan.summary = "enable GuardDuty detector " + detector->id + " in " + region;
    plan.notes.push_back("findings cover activity from now on; whatever happened while it was off is not analysed");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    if (applied.calls.empty()) return Fail(ErrorCode::kMalformed, "action " + action.id + ": the stored plan has no call");
    Plan plan{.kind = action.kind, .target = applied.target, .incident_id = action.incident_id};
    plan.prior_state = applied.prior_state;
    auto ids = aws::guardduty::ListDetectors(aws);
    if (!ids) return Fail(ids.error().code, "cannot list GuardDuty detectors: " + ids.error().Describe());

    if (applied.calls.front().operation == "guardduty:CreateDetector") {
      json stored = json::parse(action.plan, nullptr, false);
      std::string created =
          stored.is_object() ? stored.value(json::json_pointer("/result/outputs/detector"), "") : "";
      if (created.empty()) {
        return Fail(ErrorCode::kMalformed, "action " + action.id + ": the id of the detector it created is not recorded");
      }
      if (std::find(ids->begin(), ids->end(), created) == ids->end()) {
        plan.summary = "detector " + created + " no longer exists; nothing to undo";
        return plan;
      }
      plan.calls.push_back({"guardduty:DeleteDetector", {{"DetectorId", created}},
                            "GuardDuty in " + plan.target + ": detector " + created + " deleted", ""});
      plan.summary = "turn GuardDuty off again in " + plan.target + " (delete detector " + created + ")";
      plan.notes.push_back("deleting a detector deletes its findings: export those of this incident first");
      return plan;
    }

    std::string id = applied.calls.front().parameters.value("DetectorId", "");
    if (std::find(ids->begin(), ids->end(), id) == ids->end()) {
      return Fail(ErrorCode::kConflict, "detector " + id + " was deleted since; there is nothing to disable");
    }
    auto detector = aws::guardduty::GetDetector(aws, id);
    if (!detector) return Fail(detector.error().code, "cannot read detector " + id + ": " + detector.error().Describe());
    if (detector->status != "ENABLED") {
      plan.summary = "detector " + id + " is already " + detector->status;
      return plan;
    }
    plan.calls.push_back({"guardduty:UpdateDetector", {{"DetectorId", id}, {"Enable", false}},
                          "detector " + id + ": ENABLED -> DISABLED", ""});
    plan.summary = "disable GuardDuty detector " + id + " again";
    plan.notes.push_back("threat detection stops in " + plan.target + " until it is enabled again");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeEnableGuardDutyAction() { return std::make_unique<EnableGuardDutyAction>(); }

}  // namespace cloudward::respond
