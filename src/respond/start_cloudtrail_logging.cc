// start-cloudtrail-logging: turns logging back on for trails an attacker stopped (StopLogging is
// the first move of many intrusions). Target: a trail name or ARN, or "all" for every trail whose
// home is this region. Prior state: each trail's logging status. Rollback stops exactly the trails
// apply started (for a stop that turns out to have been legitimate), unless stopped since.
#include "aws/services.h"
#include "aws/services_prepare.h"
#include "respond/action.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

class StartCloudTrailLoggingAction final : public Action {
 public:
  std::string_view Kind() const override { return "start-cloudtrail-logging"; }
  std::string_view Description() const override {
    return "Start CloudTrail logging again on a stopped trail (or \"all\" trails of the region)";
  }
  std::string_view TargetName() const override { return "trail name or ARN, or all"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& target = request.target;
    if (target.empty()) return Fail(ErrorCode::kInvalidArgument, "no trail given (a name, an ARN or all)");
    auto trails = aws::cloudtrail::DescribeTrails(aws);
    if (!trails) return Fail(trails.error().code, "cannot list trails: " + trails.error().Describe());
    Plan plan{.kind = std::string(Kind()), .target = target, .incident_id = request.incident_id};
    json state = json::array();
    std::vector<std::string> elsewhere;
    for (const auto& t : *trails) {
      bool wanted = target == "all" || t.name == target || t.arn == target;
      if (!wanted) continue;
      if (!t.home_region.empty() && t.home_region != aws.region()) {
        elsewhere.push_back(t.arn + " (home " + t.home_region + ")");
        continue;
      }
      auto logging = aws::cloudtrail::GetTrailLogging(aws, t.arn);
      if (!logging) return Fail(logging.error().code, "cannot read the status of " + t.arn + ": " + logging.error().Describe());
      state.push_back({{"arn", t.arn}, {"name", t.name}, {"logging", *logging}});
      if (!*logging) {
        // By name: unique among the trails homed in this region, and what every implementation accepts.
        plan.calls.push_back({"cloudtrail:StartLogging", {{"Name", t.name}}, "trail " + t.arn + ": stopped -> logging", ""});
      }
    }
    if (state.empty() && elsewhere.empty()) {
      return Fail(ErrorCode::kNotFound, target == "all" ? "no trail in " + aws.region() : "no trail " + target);
    }
    plan.prior_state = {{"trails", state}};
    for (const auto& e : elsewhere) plan.notes.push_back("run it in the trail's home region: " + e);
    if (plan.calls.empty()) {
      plan.summary = "every selected trail in " + aws.region() + " is logging; nothing to do";
      return plan;
    }
    plan.summary = "start logging on " + std::to_string(plan.calls.size()) + " stopped trail(s)";
    plan.notes.push_back("what happened while a trail was stopped is not in it: look at other trails, AWS Config "
                         "and the service logs for that window");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    Plan plan{.kind = action.kind, .target = applied.target, .incident_id = action.incident_id};
    plan.prior_state = applied.prior_state;
    for (const auto& call : applied.calls) {
      std::string name = call.parameters.value("Name", "");
      auto logging = aws::cloudtrail::GetTrailLogging(aws, name);
      if (!logging) {
        if (logging.error().code == ErrorCode::kNotFound) continue;  // deleted since
        return Fail(logging.error().code, "cannot read the status of " + name + ": " + logging.error().Describe());
      }
      if (*logging) plan.calls.push_back({"cloudtrail:StopLogging", {{"Name", name}}, name + ": logging -> stopped", ""});
    }
    plan.summary = plan.calls.empty() ? "the trails are stopped already" : "stop the trails apply started";
    if (!plan.calls.empty()) {
      plan.notes.push_back("nothing is recorded by these trails once stopped: roll back only a restart that was wrong");
    }
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeStartCloudTrailLoggingAction() { return std::make_unique<StartCloudTrailLoggingAction>(); }

}  // namespace cloudward::respond
