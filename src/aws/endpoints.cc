#include "aws/endpoints.h"

#include <array>

namespace cloudward::aws {
namespace {

constexpr std::array<ServiceInfo, 26> kServices = {{
    {"ec2", "ec2", "ec2", "EC2", Protocol::kEc2Query, "2016-11-15", "", ""},
    {"iam", "iam", "iam", "IAM", Protocol::kQuery, "2010-05-08", "", ""},
    {"sts", "sts", "sts", "STS", Protocol::kQuery, "2011-06-15", "", ""},
    {"sns", "sns", "sns", "SNS", Protocol::kQuery, "2010-03-31", "", ""},
    {"rds", "rds", "rds", "RDS", Protocol::kQuery, "2014-10-31", "", ""},
    {"autoscaling", "autoscaling", "autoscaling", "Auto Scaling", Protocol::kQuery, "2011-01-01", "", ""},
    {"elbv2", "elasticloadbalancing", "elasticloadbalancing", "Elastic Load Balancing v2", Protocol::kQuery, "2015-12-01", "", ""},
    {"cloudformation", "cloudformation", "cloudformation", "CloudFormation", Protocol::kQuery, "2010-05-15", "", ""},
    {"s3", "s3", "s3", "S3", Protocol::kRestXml, "2006-03-01", "", ""},
    {"s3-control", "s3-control", "s3", "S3 Control", Protocol::kRestXml, "2018-08-20", "", ""},
    {"sqs", "sqs", "sqs", "SQS", Protocol::kJson, "2012-11-05", "1.0", "AmazonSQS"},
    {"ssm", "ssm", "ssm", "SSM", Protocol::kJson, "2014-11-06", "1.1", "AmazonSSM"},
    {"cloudtrail", "cloudtrail", "cloudtrail", "CloudTrail", Protocol::kJson, "2013-11-01", "1.1", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"},
    {"support", "support", "support", "Support", Protocol::kJson, "2013-04-15", "1.1", "AWSSupport_20130415"},
    {"events", "events", "events", "EventBridge", Protocol::kJson, "2015-10-07", "1.1", "AWSEvents"},
    {"secretsmanager", "secretsmanager", "secretsmanager", "Secrets Manager", Protocol::kJson, "2017-10-17", "1.1", "secretsmanager"},
    {"dynamodb", "dynamodb", "dynamodb", "DynamoDB", Protocol::kJson, "2012-08-10", "1.0", "DynamoDB_20120810"},
    {"kms", "kms", "kms", "KMS", Protocol::kJson, "2014-11-01", "1.1", "TrentService"},
    {"organizations", "organizations", "organizations", "Organizations", Protocol::kJson, "2016-11-28", "1.1", "AWSOrganizationsV20161128"},
    {"logs", "logs", "logs", "CloudWatch Logs", Protocol::kJson, "2014-03-28", "1.1", "Logs_20140328"},
    {"config", "config", "config", "Config Service", Protocol::kJson, "2014-11-12", "1.1", "StarlingDoveService"},
    {"guardduty", "guardduty", "guardduty", "GuardDuty", Protocol::kRestJson, "2017-11-28", "", ""},
    {"securityhub", "securityhub", "securityhub", "SecurityHub", Protocol::kRestJson, "2018-10-26", "", ""},
    {"backup", "backup", "backup", "Backup", Protocol::kRestJson, "2018-11-15", "", ""},
    {"lambda", "lambda", "lambda", "Lambda", Protocol::kRestJson, "2015-03-31", "", ""},
    {"access-analyzer", "access-analyzer", "access-analyzer", "AccessAnalyzer", Protocol::kRestJson, "2019-11-01", "", ""},
}};

std::string EnvSuffix(std::string_view service_id) {
  std::string out;
  for (char c : service_id) out.push_back(c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::string StripSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

const ServiceInfo* FindService(std::string_view key) {
  for (const auto& s : kServices) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

EndpointOverrides EndpointOverrides::FromEnv(const EnvLookup& env) {
  EndpointOverrides out;
  if (auto all = env("AWS_ENDPOINT_URL")) out.all = *all;
  for (const auto& s : kServices) {
    if (auto v = env("AWS_ENDPOINT_URL_" + EnvSuffix(s.service_id))) out.by_key[std::string(s.key)] = *v;
  }
  return out;
}

std::string EndpointOverrides::For(const ServiceInfo& service) const {
  if (auto it = by_key.find(std::string(service.key)); it != by_key.end()) return it->second;
  return all;
}

std::string_view PartitionOf(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("us-isob-")) return "aws-iso-b";
  if (region.starts_with("us-iso-")) return "aws-iso";
  return "aws";
}

std::string_view DnsSuffix(std::string_view region) {
  std::string_view p = PartitionOf(region);
  if (p == "aws-cn") return "amazonaws.com.cn";
  if (p == "aws-iso") return "c2s.ic.gov";
  if (p == "aws-iso-b") return "sc2s.sgov.gov";
  return "amazonaws.com";
}

Result<Endpoint> ResolveEndpoint(const ServiceInfo& service, std::string_view region,
                                 const EndpointOverrides& overrides) {
  if (region.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no AWS region: set AWS_REGION or a profile region, or pass --region");
  }
  for (char c : region) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
      return Fail(ErrorCode::kInvalidArgument, "invalid AWS region '" + std::string(region) + "'");
    }
  }
  Endpoint ep;
  ep.signing_name = std::string(service.signing_name);
  ep.signing_region = std::string(region);
  if (std::string custom = overrides.For(service); !custom.empty()) {
    ep.url = StripSlash(custom);
    ep.custom = true;
    return ep;
  }
  const std::string suffix(DnsSuffix(region));
  const std::string_view partition = PartitionOf(region);
  const std::string prefix(service.endpoint_prefix);
  if (service.key == "iam") {
    if (partition == "aws") {
      ep.url = "https://iam.amazonaws.com";
      ep.signing_region = "us-east-1";
    } else if (partition == "aws-cn") {
      ep.url = "https://iam.cn-north-1.amazonaws.com.cn";
      ep.signing_region = "cn-north-1";
    } else if (partition == "aws-us-gov") {
      ep.url = "https://iam.us-gov.amazonaws.com";
      ep.signing_region = "us-gov-west-1";
    } else {
      ep.url = "https://iam." + std::string(region) + "." + suffix;
    }
    return ep;
  }
  if ((service.key == "organizations" || service.key == "support") && partition == "aws") {
    ep.url = "https://" + prefix + ".us-east-1.amazonaws.com";
    ep.signing_region = "us-east-1";
    return ep;
  }
  ep.url = "https://" + prefix + "." + std::string(region) + "." + suffix;
  return ep;
}

}  // namespace cloudward::aws
