// Which URL and signing scope a service call goes to.
//
//   auto ep = ResolveEndpoint(*FindService("iam"), "eu-west-1", EndpointOverrides::FromEnv(env));
//   // ep->url == "https://iam.amazonaws.com", ep->signing_region == "us-east-1"
//
// Partitions: "cn-*" -> aws-cn (amazonaws.com.cn), "us-gov-*" -> aws-us-gov, "us-iso-*" ->
// aws-iso (c2s.ic.gov), "us-isob-*" -> aws-iso-b (sc2s.sgov.gov), everything else -> aws.
// Global services: IAM (iam.amazonaws.com signed us-east-1; iam.cn-north-1.amazonaws.com.cn;
// iam.us-gov.amazonaws.com signed us-gov-west-1), Organizations and Support (us-east-1).
// Overrides (AWS SDK "service-specific endpoints"): AWS_ENDPOINT_URL_<SERVICE_ID> wins over
// AWS_ENDPOINT_URL, where SERVICE_ID is the SDK service id upper-cased with spaces as '_'
// (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SECRETS_MANAGER). An overridden endpoint is signed for
// the client's region.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "aws/env.h"
#include "core/result.h"

namespace cloudward::aws {

enum class Protocol { kQuery, kEc2Query, kRestXml, kJson, kRestJson };

struct ServiceInfo {
  std::string_view key;              // our name: "ec2", "s3", "secretsmanager"
  std::string_view endpoint_prefix;  // host label: "ec2", "s3", "secretsmanager"
  std::string_view signing_name;     // SigV4 service: usually the prefix
  std::string_view service_id;       // SDK service id: "EC2", "Secrets Manager"
  Protocol protocol;
  std::string_view api_version;      // query protocols: Version=...
  std::string_view json_version;     // JSON protocols: "1.0" or "1.1"
  std::string_view target_prefix;    // JSON protocols: X-Amz-Target prefix
};

// nullptr for an unknown key. Keys are lower-case: ec2 iam sts s3 s3-control sqs sns rds autoscaling
// elbv2 ssm cloudtrail support events secretsmanager dynamodb kms organizations logs config
// guardduty securityhub backup lambda access-analyzer.
const ServiceInfo* FindService(std::string_view key);

struct EndpointOverrides {
  std::string all;                            // AWS_ENDPOINT_URL
  std::map<std::string, std::string> by_key;  // service key -> URL

  static EndpointOverrides FromEnv(const EnvLookup& env);
  // The override for `service`, or "".
  std::string For(const ServiceInfo& service) const;
};

struct Endpoint {
  std::string url;             // scheme://host[:port][/base], no trailing '/'
  std::string signing_region;
  std::string signing_name;
  bool custom = false;         // came from an override (S3 then uses path-style addressing)
};

std::string_view PartitionOf(std::string_view region);
std::string_view DnsSuffix(std::string_view region);

Result<Endpoint> ResolveEndpoint(const ServiceInfo& service, std::string_view region,
                                 const EndpointOverrides& overrides);

}  // namespace cloudward::aws
