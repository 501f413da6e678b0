#include "cli/respond_support.h"

#include <fmt/core.h>

#include <cstdlib>

#include "aws/curl_transport.h"
#include "config/config_loader.h"

namespace cloudward::cli {

RecordedAws MakeRecordedAws(const std::string& region) {
  RecordedAws a;
  a.recorder = std::make_shared<respond::CallRecorder>(std::make_shared<aws::CurlTransport>());
  aws::ClientConfig config;
  config.region = region;
  config.transport = a.recorder;
  a.client = std::make_unique<aws::AwsClient>(std::move(config));
  return a;
}

std::string OperatorName(const std::string& as) {
  if (!as.empty()) return as;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

Result<std::unique_ptr<store::IncidentStore>> OpenResolvedStore(const std::string& flag) {
  const std::string url = store::ResolveStoreUrl(flag);
  auto s = store::OpenStore(url);
  if (!s) return Fail(s.error().code, "cannot open store " + url + ": " + s.error().message);
  return s;
}

void PrintPlan(const respond::Plan& plan, const char* heading) {
  fmt::print("{} {} {}\n  {}\n", heading, plan.kind, plan.target, plan.summary);
  if (plan.no_op()) {
    fmt::print("  AWS calls: none\n");
  } else {
    fmt::print("  AWS calls:\n");
    for (size_t i = 0; i < plan.calls.size(); ++i) {
      const auto& c = plan.calls[i];
      fmt::print("    {}. {} {}\n       {}\n", i + 1, c.operation, c.parameters.dump(), c.change);
    }
  }
  if (!plan.prior_state.empty()) fmt::print("  prior state: {}\n", plan.prior_state.dump());
  for (const auto& n : plan.notes) fmt::print("  note: {}\n", n);
}

void PrintExecution(const respond::Execution& run) {
  // Ids are short; evidence (console output, user data) is not: it is kept with the action and
  // shown by `actions list --format json`.
  constexpr size_t kShownResult = 120;
  for (const auto& c : run.calls) {
    std::string ids;
    for (const auto& id : c.request_ids) ids += (ids.empty() ? "" : ",") + id;
    std::string result = c.result.size() <= kShownResult
                             ? c.result
                             : fmt::format("{} bytes recorded with the action", c.result.size());
    fmt::print("  {} {}{}{}{}\n", c.error ? "FAILED" : "done  ", c.operation, result.empty() ? "" : " -> " + result,
               ids.empty() ? "" : "  request id " + ids, c.error ? "  " + c.error->message : "");
  }
}

Result<bool> SeparationOfDuties(const std::string& config_flag) {
  const auto path = config::FindConfigPath(config_flag);
  if (!path) return false;
  config::LoadResult loaded = config::LoadConfigFile(*path);
  if (!loaded.ok()) {
    std::string message = "configuration " + *path + " has problems:";
    for (const config::Problem& p : loaded.problems) message += "\n  " + p.ToString();
    return Fail(ErrorCode::kInvalidArgument, message);
  }
  return loaded.config.respond.separation_of_duties;
}

}  // namespace cloudward::cli
