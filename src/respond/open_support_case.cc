// open-support-case (engagement): opens an AWS Support case for the incident, with the subject
// "cloudward incident <id>: <title>" and the incident summary as its first communication (options
// "title" and "summary", required; "severity": low, normal, high, urgent or critical, default
// high). The target is the incident id. Idempotent per incident: when a case (open or resolved)
// already has the incident's subject prefix, nothing is done. Not reversible: a case cannot be
// withdrawn, only resolved by hand in the Support Center. Needs a Business, Enterprise On-Ramp or
// Enterprise support plan (SubscriptionRequiredException otherwise).
#include <algorithm>
#include <array>

#include "aws/services.h"
#include "respond/action.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> kSeverities = {"low", "normal", "high", "urgent", "critical"};

std::string SubjectPrefix(const std::string& incident) { return "cloudward incident " + incident + ":"; }

class OpenSupportCaseAction final : public Action {
 public:
  std::string_view Kind() const override { return "open-support-case"; }
  std::string_view Description() const override {
    return "Open an AWS Support case for the incident (options title, summary, severity; needs a paid support plan)";
  }
  std::string_view TargetName() const override { return "incident id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& incident = request.target;
    auto option = [&](const char* name) {
      auto it = request.options.find(name);
      return it == request.options.end() ? std::string() : it->second;
    };
    if (incident.empty() || incident.find_first_of(" \t\r\n:") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "'" + incident + "' is not an incident id");
    }
    if (!request.incident_id.empty() && request.incident_id != incident) {
      return Fail(ErrorCode::kInvalidArgument, "open-support-case targets the incident it is recorded on: target " +
                                                   incident + " but --incident " + request.incident_id);
    }
    const std::string title = option("title"), summary = option("summary");
    std::string severity = option("severity");
    if (title.empty() || summary.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "open-support-case needs the incident's title and summary: options title=... and summary=...");
    }
    if (severity.empty()) severity = "high";
    if (std::find(kSeverities.begin(), kSeverities.end(), severity) == kSeverities.end()) {
      return Fail(ErrorCode::kInvalidArgument, "severity '" + severity + "' is not low, normal, high, urgent or critical");
    }
    auto cases = aws::support::DescribeCases(aws);
    if (!cases) return Fail(cases.error().code, "cannot list AWS Support cases: " + cases.error().Describe());

    Plan plan{.kind = std::string(Kind()), .target = incident, .incident_id = request.incident_id};
    const std::string prefix = SubjectPrefix(incident);
    for (const auto& c : *cases) {
      if (c.subject.rfind(prefix, 0) != 0) continue;
      plan.prior_state = {{"incident", incident}, {"case_id", c.case_id}, {"display_id", c.display_id},
                          {"status", c.status}};
      plan.summary = "AWS Support case " + (c.display_id.empty() ? c.case_id : c.display_id) + " (" + c.status +
                     ") is already open for " + incident + "; nothing to do";
      return plan;
    }
    std::string subject = prefix + " " + title;
    plan.prior_state = {{"incident", incident}, {"case_id", nullptr}};
    plan.calls.push_back({"support:CreateCase",
                          {{"Subject", subject}, {"CommunicationBody", summary}, {"SeverityCode", severity}},
                          "new AWS Support case \"" + subject + "\" (severity " + severity + ")", "case"});
    plan.summary = "open an AWS Support case for " + incident;
    plan.notes.push_back("AWS Support sees the subject and summary; keep secrets and personal data out of them");
    plan.notes.push_back("the case cannot be withdrawn by cloudward; resolve it in the Support Center when done");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& /*aws*/, const store::ResponseAction& action,
                            const Plan& applied) const override {
    std::string case_id = applied.prior_state.value("case_id", json()).is_string()
                              ? applied.prior_state["case_id"].get<std::string>()
                              : std::string();
    json stored = json::parse(action.plan, nullptr, false);
    if (case_id.empty() && stored.is_object()) {
      json id = stored.value(json::json_pointer("/result/outputs/case"), json());
      if (id.is_string()) case_id = id.get<std::string>();
    }
    Plan nothing{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    nothing.summary = "nothing to undo: an AWS Support case cannot be withdrawn" +
                      (case_id.empty() ? std::string() : " (" + case_id + ")") +
                      "; resolve it in the Support Center when it is no longer needed";
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeOpenSupportCaseAction() { return std::make_unique<OpenSupportCaseAction>(); }

}  // namespace cloudward::respond
