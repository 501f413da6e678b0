// Actions that keep a suspect EC2 instance, and the evidence on it, from being destroyed or
// abused further, without cutting it off:
//
//   protect-instance  termination protection on (DisableApiTermination=true) and a shutdown from
//                     inside the instance stops it instead of terminating it
//                     (InstanceInitiatedShutdownBehavior=stop), so neither an attacker nor a
//                     well-meaning operator destroys the disks before they are examined. Prior
//                     state: both attributes; rollback sets each back that apply changed.
//   require-imdsv2    the instance metadata service answers only session-token (IMDSv2) requests
//                     (HttpTokens=required), which SSRF and simple proxies cannot obtain. Prior
//                     state: HttpTokens and HttpEndpoint; rollback restores HttpTokens.
//
// Rollback of either refuses (kConflict) when the instance no longer exists.
#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// -------------------------------------------------------------------------- protect-instance
constexpr const char* kTermination = "disableApiTermination";
constexpr const char* kShutdown = "instanceInitiatedShutdownBehavior";

struct Protection {
  std::string termination;  // "true" | "false"
  std::string shutdown;     // "stop" | "terminate"
};

Result<Protection> ReadProtection(aws::AwsClient& aws, const std::string& id) {
  Protection out;
  for (auto [attribute, value] : {std::pair{kTermination, &out.termination}, std::pair{kShutdown, &out.shutdown}}) {
    auto v = aws::ec2::DescribeInstanceAttribute(aws, id, attribute);
    if (!v) {
      return Fail(v.error().code, "cannot read " + std::string(attribute) + " of " + id + ": " + v.error().Describe());
    }
    *value = *v;
  }
  return out;
}

ApiCall SetAttribute(const std::string& id, const char* attribute, const std::string& from, const std::string& to) {
  return {"ec2:ModifyInstanceAttribute", {{"InstanceId", id}, {"Attribute", attribute}, {"Value", to}},
          id + ": " + attribute + " " + (from.empty() ? "(unset)" : from) + " -> " + to, ""};
}

class ProtectInstanceAction final : public Action {
 public:
  std::string_view Kind() const override { return "protect-instance"; }
  std::string_view Description() const override {
    return "Turn on EC2 termination protection and make an OS shutdown stop (not terminate) the instance";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    auto now = ReadProtection(aws, id);
    if (!now) return tl::unexpected(now.error());
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"instance_id", id}, {kTermination, now->termination}, {kShutdown, now->shutdown}};
    if (now->termination != "true") plan.calls.push_back(SetAttribute(id, kTermination, now->termination, "true"));
    if (now->shutdown != "stop") plan.calls.push_back(SetAttribute(id, kShutdown, now->shutdown, "stop"));
    if (plan.no_op()) {
      plan.summary = "instance " + id + " is already protected from termination and stops on shutdown; nothing to do";
      return plan;
    }
    plan.summary = "protect instance " + id + " from termination";
    plan.notes.push_back("TerminateInstances on " + id + " fails until protection is turned off again; Auto Scaling "
                         "and Spot interruptions still terminate it");
    plan.notes.push_back("a shutdown from inside the instance stops it; its EBS volumes are kept");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string id = prior.value("instance_id", "");
    std::string termination = prior.value(kTermination, ""), shutdown = prior.value(kShutdown, "");
    if (id.empty() || termination.empty() || shutdown.empty()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the instance or its attributes");
    }
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kConflict);
    if (!instance) return tl::unexpected(instance.error());
    auto now = ReadProtection(aws, id);
    if (!now) return tl::unexpected(now.error());
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    // Only what apply changed is set back; each attribute has two values, so "changed since" is
    // "already back to its prior value", which needs no call.
    for (const auto& call : applied.calls) {
      std::string attribute = call.parameters.value("Attribute", "");
      if (attribute == kTermination && now->termination != termination) {
        plan.calls.push_back(SetAttribute(id, kTermination, now->termination, termination));
      } else if (attribute == kShutdown && now->shutdown != shutdown) {
        plan.calls.push_back(SetAttribute(id, kShutdown, now->shutdown, shutdown));
      }
    }
    plan.summary = plan.no_op() ? "instance " + id + " already has its prior termination settings"
                                : "restore the termination settings of instance " + id;
    return plan;
  }
};

// ---------------------------------------------------------------------------- require-imdsv2
class RequireImdsv2Action final : public Action {
 public:
  std::string_view Kind() const override { return "require-imdsv2"; }
  std::string_view Description() const override {
    return "Require IMDSv2 session tokens for the instance metadata service (stops SSRF credential theft)";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"instance_id", id}, {"http_tokens", instance->http_tokens},
                        {"http_endpoint", instance->http_endpoint}};
    if (instance->http_tokens == "required") {
      plan.summary = "instance " + id + " already requires IMDSv2; nothing to do";
      return plan;
    }
    // The endpoint is sent as it is: a disabled metadata service stays disabled.
    std::string endpoint = instance->http_endpoint.empty() ? "enabled" : instance->http_endpoint;
    std::string tokens = instance->http_tokens.empty() ? "(unset)" : instance->http_tokens;
    plan.calls.push_back({"ec2:ModifyInstanceMetadataOptions",
                          {{"InstanceId", id}, {"HttpTokens", "required"}, {"HttpEndpoint", endpoint}},
                          id + ": metadata HttpTokens " + tokens + " -> required", ""});
    plan.summary = "require IMDSv2 on instance " + id;
    plan.notes.push_back("software on the instance that still uses IMDSv1 (old SDKs, agents, scripts calling "
                         "169.254.169.254 without a token) loses its role credentials and metadata");
    plan.notes.push_back("credentials already taken from the metadata service stay valid until they expire; revoke "
                         "the role's sessions to cut them off");
    if (endpoint == "disabled") plan.notes.push_back("the metadata service is disabled and stays disabled");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string id = prior.value("instance_id", ""), tokens = prior.value("http_tokens", "");
    if (id.empty() || tokens.empty()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the instance or HttpTokens");
    }
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kConflict);
    if (!instance) return tl::unexpected(instance.error());
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    if (instance->http_tokens == tokens) {
      plan.summary = "instance " + id + " already has HttpTokens " + tokens;
      return plan;
    }
    std::string endpoint = instance->http_endpoint.empty() ? "enabled" : instance->http_endpoint;
    plan.calls.push_back({"ec2:ModifyInstanceMetadataOptions",
                          {{"InstanceId", id}, {"HttpTokens", tokens}, {"HttpEndpoint", endpoint}},
                          id + ": metadata HttpTokens " + instance->http_tokens + " -> " + tokens, ""});
    plan.summary = "allow IMDSv1 again on instance " + id + " (HttpTokens " + tokens + ")";
    plan.notes.push_back("IMDSv1 requests (and SSRF through the instance) can obtain the role's credentials again");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeProtectInstanceAction() { return std::make_unique<ProtectInstanceAction>(); }
std::unique_ptr<Action> MakeRequireImdsv2Action() { return std::make_unique<RequireImdsv2Action>(); }

}  // namespace cloudward::respond
