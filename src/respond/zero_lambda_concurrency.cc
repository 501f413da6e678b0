// zero-lambda-concurrency: sets a Lambda function's reserved concurrency to 0, so that nothing
// invokes it any more (a backdoored or abused function) while its code, configuration and logs stay
// for examination. Prior state: the reserved concurrency (null for none). Rollback puts it back, or
// deletes the reservation when there was none, refusing (kConflict) when it is no longer 0.
#include <algorithm>

#include "aws/services.h"
#include "respond/action.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// The function name of a name or an unqualified function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME); kInvalidArgument otherwise.
Result<std::string> FunctionName(const std::string& target) {
  std::string name = target;
  if (target.starts_with("arn:")) {
    size_t at = target.find(":function:");
    if (at == std::string::npos) return Fail(ErrorCode::kInvalidArgument, "'" + target + "' is not a Lambda function ARN");
    name = target.substr(at + 10);
    if (name.find(':') != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "'" + target + "' names a version or alias; concurrency is per function");
    }
  }
  bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!ok) return Fail(ErrorCode::kInvalidArgument, "'" + target + "' is not a Lambda function name or ARN");
  return name;
}

std::string Shown(const std::optional<int>& reserved) {
  return reserved ? std::to_string(*reserved) : "unreserved";
}

// `gone` is the code for a missing function (kNotFound when planning, kConflict when rolling back).
Result<std::optional<int>> Reserved(aws::AwsClient& aws, const std::string& function, ErrorCode gone) {
  auto r = aws::lambda::GetFunctionConcurrency(aws, function);
  if (!r && r.error().code == ErrorCode::kNotFound) return Fail(gone, "no Lambda function " + function);
  if (!r) return Fail(r.error().code, "cannot read the concurrency of " + function + ": " + r.error().Describe());
  return *r;
}

class ZeroLambdaConcurrencyAction final : public Action {
 public:
  std::string_view Kind() const override { return "zero-lambda-concurrency"; }
  std::string_view Description() const override {
    return "Stop every invocation of a Lambda function by reserving 0 concurrency (code and logs are kept)";
  }
  std::string_view TargetName() const override { return "function name or ARN"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    auto function = FunctionName(request.target);
    if (!function) return tl::unexpected(function.error());
    auto reserved = Reserved(aws, *function, ErrorCode::kNotFound);
    if (!reserved) return tl::unexpected(reserved.error());
    Plan plan{.kind = std::string(Kind()), .target = *function, .incident_id = request.incident_id};
    plan.prior_state = {{"function_name", *function},
                        {"reserved_concurrency", *reserved ? json(**reserved) : json(nullptr)}};
    if (*reserved == 0) {
      plan.summary = "function " + *function + " already has 0 reserved concurrency; nothing to do";
      return plan;
    }
    plan.calls.push_back({"lambda:PutFunctionConcurrency",
                          {{"FunctionName", *function}, {"ReservedConcurrentExecutions", 0}},
                          "function " + *function + ": reserved concurrency " + Shown(*reserved) + " -> 0", ""});
    plan.summary = "stop all invocations of function " + *function;
    plan.notes.push_back("every new invocation is throttled: synchronous callers get TooManyRequestsException, "
                         "asynchronous events are retried and then dropped or sent to their failure destination, "
                         "event source mappings stop polling");
    plan.notes.push_back("invocations already running finish; the function's role credentials are not revoked");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string function = prior.value("function_name", "");
    if (function.empty() || !prior.contains("reserved_concurrency")) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the function or its concurrency");
    }
    std::optional<int> before;
    if (prior["reserved_concurrency"].is_number_integer()) before = prior["reserved_concurrency"].get<int>();
    auto now = Reserved(aws, function, ErrorCode::kConflict);
    if (!now) return tl::unexpected(now.error());
    Plan plan{.kind = action.kind, .target = function, .incident_id = action.incident_id};
    plan.prior_state = prior;
    if (*now == before) {
      plan.summary = "function " + function + " already has its prior concurrency (" + Shown(before) + ")";
      return plan;
    }
    if (*now != 0) {
      return Fail(ErrorCode::kConflict, "function " + function + " reserved concurrency is now " + Shown(*now) +
                                            ", not 0; restoring would clobber that change");
    }
    if (before) {
      plan.calls.push_back({"lambda:PutFunctionConcurrency",
                            {{"FunctionName", function}, {"ReservedConcurrentExecutions", *before}},
                            "function " + function + ": reserved concurrency 0 -> " + Shown(before), ""});
    } else {
      plan.calls.push_back({"lambda:DeleteFunctionConcurrency", {{"FunctionName", function}},
                            "function " + function + ": reserved concurrency 0 -> unreserved", ""});
    }
    plan.summary = "let function " + function + " run again (" + Shown(before) + ")";
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeZeroLambdaConcurrencyAction() { return std::make_unique<ZeroLambdaConcurrencyAction>(); }

}  // namespace cloudward::respond
