// `cloudward aws whoami` and `cloudward aws call SERVICE ACTION [Key=Value...]`: the AWS client
// from the command line, for debugging credentials, endpoints and signing.
//   cloudward aws whoami --profile ir
//   cloudward aws call ec2 DescribeSecurityGroups GroupId.1=sg-123
//   cloudward aws call sqs ListQueues QueueNamePrefix=cw      (JSON protocols: values that parse
//                                                               as JSON are sent as JSON)
// Credentials, region and endpoints come from the usual AWS environment and profile files
// (AWS_ENDPOINT_URL points everything at a local emulator).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/services.h"
#include "cli/command.h"

namespace cloudward::cli {
namespace aws_command {

struct AwsOptions {
  std::string region;
  std::string profile;
  std::string service;
  std::string action;
  std::vector<std::string> params;
};

aws::AwsClient MakeClient(const AwsOptions& o) {
  aws::ClientConfig config;
  config.region = o.region;
  config.profile = o.profile;
  return aws::AwsClient(std::move(config));
}

int PrintError(const aws::AwsError& e) {
  std::fprintf(stderr, "cloudward aws: %s\n", e.Describe().c_str());
  return kExitFailure;
}

int RunWhoami(const AwsOptions& o) {
  aws::AwsClient client = MakeClient(o);
  auto id = aws::sts::GetCallerIdentity(client);
  if (!id) return PrintError(id.error());
  nlohmann::json out = {{"Account", id->account}, {"Arn", id->arn}, {"UserId", id->user_id},
                        {"Region", client.region()}, {"RequestId", id->request_id}};
  std::printf("%s\n", out.dump(2).c_str());
  return kExitOk;
}

int RunCall(const AwsOptions& o) {
  const aws::ServiceInfo* service = aws::FindService(o.service);
  if (!service) {
    std::fprintf(stderr, "cloudward aws call: unknown service '%s'\n", o.service.c_str());
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& p : o.params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "cloudward aws call: parameter '%s' is not Key=Value\n", p.c_str());
      return kExitUsage;
    }
    pairs.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  aws::AwsClient client = MakeClient(o);
  switch (service->protocol) {
    case aws::Protocol::kQuery:
    case aws::Protocol::kEc2Query: {
      auto r = client.Query(o.service, o.action, pairs);
      if (!r) return PrintError(r.error());
      std::printf("%s\n", r->body.c_str());
      std::fprintf(stderr, "request id: %s\n", r->request_id.c_str());
      return kExitOk;
    }
    case aws::Protocol::kJson: {
      nlohmann::json body = nlohmann::json::object();
      for (const auto& [k, v] : pairs) {
        auto parsed = nlohmann::json::parse(v, nullptr, false);
        body[k] = parsed.is_discarded() ? nlohmann::json(v) : parsed;
      }
      auto r = client.Json(o.service, o.action, body);
      if (!r) return PrintError(r.error());
      std::printf("%s\n", r->body.dump(2).c_str());
      std::fprintf(stderr, "request id: %s\n", r->request_id.c_str());
      return kExitOk;
    }
    default:
      std::fprintf(stderr, "cloudward aws call: '%s' uses a REST protocol; only query and JSON services are supported\n",
                   o.service.c_str());
      return kExitUsage;
  }
}

void SetUp(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("aws", "Call AWS directly (debugging: credentials, endpoints, signing)");
  cmd->require_subcommand(1);
  auto options = std::make_shared<AwsOptions>();
  cmd->add_option("--region", options->region, "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  cmd->add_option("--profile", options->profile, "Shared-config profile (default: AWS_PROFILE or default)");

  auto* whoami = cmd->add_subcommand("whoami", "STS GetCallerIdentity with the resolved credentials");
  whoami->callback([options, exit_code] { *exit_code = RunWhoami(*options); });

  auto* call = cmd->add_subcommand("call", "Call one query- or JSON-protocol operation");
  call->add_option("service", options->service, "Service key: ec2 iam sts sns rds sqs ssm ...")->required();
  call->add_option("action", options->action, "Operation name, e.g. DescribeInstances")->required();
  call->add_option("params", options->params, "Key=Value parameters (query: Name.1=x)");
  call->callback([options, exit_code] { *exit_code = RunCall(*options); });
}

}  // namespace aws_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(aws, 60, cloudward::cli::aws_command::SetUp);
