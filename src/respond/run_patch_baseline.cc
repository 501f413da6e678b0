// run-patch-baseline (eradication): runs the SSM document AWS-RunPatchBaseline on an instance
// (SendCommand), Operation=Install by default or Scan with --option operation=scan, RebootOption
// RebootIfNeeded unless --option reboot=no. The plan shows whether the instance is SSM-managed
// (DescribeInstanceInformation; when that cannot be read the state is "unknown" and the command
// is planned anyway); an instance known not to be managed is refused (kConflict). Idempotent per
// incident and operation: a command of this document with this incident's comment that has not
// failed, been cancelled or timed out makes the plan a no-op. Not reversible: cloudward cannot
// uninstall patches; rollback only says so (with the command id).
#include <algorithm>
#include <array>

#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

constexpr std::string_view kDocument = "AWS-RunPatchBaseline";
constexpr std::array<std::string_view, 4> kFinished = {"Failed", "Cancelled", "Cancelling", "TimedOut"};

std::string Option(const ActionRequest& request, const char* name) {
  auto it = request.options.find(name);
  return it == request.options.end() ? std::string() : it->second;
}

// The comment that ties a command to the incident (SSM allows 100 characters).
std::string CommandComment(const std::string& incident, const std::string& operation) {
  return ("cloudward incident " + incident + ": patch " + operation).substr(0, 100);
}

class RunPatchBaselineAction final : public Action {
 public:
  std::string_view Kind() const override { return "run-patch-baseline"; }
  std::string_view Description() const override {
    return "Patch an EC2 instance with SSM AWS-RunPatchBaseline (--option operation=install|scan, reboot=yes|no; "
           "cannot be rolled back)";
  }
  std::string_view TargetName() const override { return "instance id"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    if (request.incident_id.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "run-patch-baseline needs an incident (its command is marked with it)");
    }
    std::string operation = Option(request, "operation"), reboot = Option(request, "reboot");
    if (operation.empty() || operation == "install" || operation == "Install") {
      operation = "Install";
    } else if (operation == "scan" || operation == "Scan") {
      operation = "Scan";
    } else {
      return Fail(ErrorCode::kInvalidArgument, "operation '" + operation + "' is not install or scan");
    }
    std::string reboot_option;
    if (reboot.empty() || reboot == "yes") {
      reboot_option = "RebootIfNeeded";
    } else if (reboot == "no") {
      reboot_option = "NoReboot";
    } else {
      return Fail(ErrorCode::kInvalidArgument, "reboot '" + reboot + "' is not yes or no");
    }
    auto instance = ReadLiveInstance(aws, id, ErrorCode::kNotFound);
    if (!instance) return tl::unexpected(instance.error());
    if (instance->state != "running") {
      return Fail(ErrorCode::kConflict, "instance " + id + " is " + instance->state +
                                            "; SSM runs commands only on running instances");
    }

    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    std::string managed = "unknown";
    std::string platform;
    auto info = aws::ssm::DescribeInstanceInformation(aws, {id});
    if (info) {
      managed = "not managed";
      for (const auto& i : *info) {
        if (i.instance_id != id) continue;
        managed = i.ping_status.empty() ? "managed" : i.ping_status;
        platform = i.platform;
      }
      if (managed == "not managed") {
        return Fail(ErrorCode::kConflict, "instance " + id + " is not managed by SSM (no agent registered with Systems "
                                              "Manager): patch it by rebuilding from a patched image");
      }
      if (managed != "Online") {
        plan.notes.push_back("the SSM agent is " + managed + ": the command waits for it and may time out");
      }
    } else {
      plan.notes.push_back("SSM managed state unknown (ssm:DescribeInstanceInformation failed: " +
                           info.error().Describe() + "); the command fails for the instance if it has no SSM agent");
    }

    const std::string comment = CommandComment(request.incident_id, operation);
    auto commands = aws::ssm::ListCommands(aws, id);
    if (!commands) {
      return Fail(commands.error().code, "cannot list the SSM commands of " + id + ": " + commands.error().Describe());
    }
    plan.prior_state = {{"instance", id},      {"state", instance->state}, {"managed", managed},
                        {"platform", platform}, {"operation", operation},  {"reboot", reboot_option},
                        {"command_id", nullptr}};
    for (const auto& c : *commands) {
      if (c.document_name != kDocument || c.comment != comment) continue;
      if (std::find(kFinished.begin(), kFinished.end(), c.status) != kFinished.end()) continue;
      plan.prior_state["command_id"] = c.command_id;
      plan.summary = std::string(kDocument) + " (" + operation + ") was already sent to " + id + " for " +
                     request.incident_id + ": command " + c.command_id + " (" + c.status + "); nothing to do";
      return plan;
    }
    plan.calls.push_back({"ssm:SendCommand",
                          {{"InstanceIds", {id}},
                           {"DocumentName", kDocument},
                           {"Parameters", {{"Operation", {operation}}, {"RebootOption", {reboot_option}}}},
                           {"Comment", comment}},
                          "instance " + id + " (SSM " + managed + (platform.empty() ? "" : ", " + platform) + "): run " +
                              std::string(kDocument) + " Operation=" + operation + " RebootOption=" + reboot_option,
                          "command"});
    plan.summary = (operation == "Install" ? "install missing patches on " : "scan for missing patches on ") + id +
                   " with " + std::string(kDocument);
    if (operation == "Install") {
      plan.notes.push_back("cloudward cannot roll patches back: an installed patch is removed only by hand or by "
                           "restoring the instance from a snapshot");
      if (reboot_option == "RebootIfNeeded") plan.notes.push_back("the instance reboots if a patch needs it");
    } else {
      plan.notes.push_back("Scan changes nothing on the instance: it reports missing patches to Patch Manager compliance");
    }
    plan.notes.push_back("an isolated instance reaches SSM only through VPC endpoints for ssm, ssmmessages and ec2messages");
    plan.notes.push_back("the command runs asynchronously: follow it with `aws ssm list-command-invocations "
                         "--command-id <id> --details`");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& /*aws*/, const store::ResponseAction& action,
                            const Plan& applied) const override {
    std::string command;
    json stored = json::parse(action.plan, nullptr, false);
    if (stored.is_object()) {
      json id = stored.value(json::json_pointer("/result/outputs/command"), json());
      if (id.is_string()) command = id.get<std::string>();
    }
    Plan nothing{.kind = action.kind, .target = action.target, .incident_id = action.incident_id};
    nothing.prior_state = applied.prior_state;
    nothing.summary = "nothing to undo: patches installed by " + std::string(kDocument) +
                      (command.empty() ? std::string() : " (command " + command + ")") +
                      " cannot be rolled back by cloudward; restore the instance from a snapshot if a patch broke it";
    nothing.reversible = false;
    return nothing;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRunPatchBaselineAction() { return std::make_unique<RunPatchBaselineAction>(); }

}  // namespace cloudward::respond
