#include "aws/services_prepare.h"

#include <optional>

#include "aws/service_helpers.h"
#include "core/text.h"
#include "core/time.h"

namespace cloudward::aws {
namespace {

using nlohmann::json;

using internal::Done;
using internal::Malformed;
using internal::Text;

Tags TagItems(const pugi::xml_node& set) {
  Tags tags;
  for (pugi::xml_node t : set.children("item")) tags.emplace_back(Text(t, "key"), Text(t, "value"));
  return tags;
}

std::vector<std::string> Items(const pugi::xml_node& set, const char* field) {
  std::vector<std::string> out;
  for (pugi::xml_node i : set.children("item")) out.push_back(Text(i, field));
  return out;
}

std::vector<std::string> Members(const pugi::xml_node& set, const char* field = nullptr) {
  std::vector<std::string> out;
  for (pugi::xml_node m : set.children("member")) out.push_back(field ? Text(m, field) : m.text().as_string());
  return out;
}

int IntOr(const pugi::xml_node& node, const char* name, int fallback) {
  pugi::xml_node n = node.child(name);
  return n ? n.text().as_int(fallback) : fallback;
}

// An EC2 Describe* call over every page: `each` receives the response root.
AwsStatus Ec2Pages(AwsClient& aws, const char* action, const QueryParams& base,
                   const std::function<void(const pugi::xml_node&)>& each) {
  return Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params = base;
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", action, params);
    if (!r) return AwsFail(r.error());
    each(r->Root());
    return Text(r->Root(), "nextToken");
  });
}

// A query-protocol (IAM, RDS, ELB, SNS) call over every page with Marker/NextToken.
AwsStatus QueryPages(AwsClient& aws, const char* service, const char* action, const QueryParams& base,
                     const char* token_param, const char* next_field,
                     const std::function<void(const pugi::xml_node&)>& each) {
  return Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params = base;
    if (!token.empty()) params.emplace_back(token_param, token);
    auto r = aws.Query(service, action, params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    each(result);
    if (result.child("IsTruncated") && !result.child("IsTruncated").text().as_bool()) return std::string();
    return Text(result, next_field);
  });
}

AwsResult<pugi::xml_document> ParseXml(const RestResponse& r, const char* operation) {
  pugi::xml_document doc;
  if (!doc.load_buffer(r.body.data(), r.body.size())) {
    return AwsFail(Malformed(operation, "response is not XML", r.request_id));
  }
  return doc;
}

std::string JsonStr(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool JsonBool(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

const json& JsonArray(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

std::vector<std::string> JsonStrings(const json& j, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : JsonArray(j, key)) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string S3Xml(const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + inner;
}

std::string XmlEscape(const std::string& s) { return HtmlEscape(s); }

}  // namespace

// ---------------------------------------------------------------------------------------- STS
AwsResult<Credentials> sts::AssumeRole(AwsClient& aws, const std::string& role_arn, const std::string& session_name,
                                       const std::string& external_id, int duration_seconds) {
  QueryParams params = {{"RoleArn", role_arn}, {"RoleSessionName", session_name},
                        {"DurationSeconds", std::to_string(duration_seconds)}};
  if (!external_id.empty()) params.emplace_back("ExternalId", external_id);
  auto r = aws.Query("sts", "AssumeRole", params);
  if (!r) return AwsFail(r.error());
  pugi::xml_node c = r->Result().child("Credentials");
  Credentials out{Text(c, "AccessKeyId"), Text(c, "SecretAccessKey"), Text(c, "SessionToken"),
                  ParseExpiration(Text(c, "Expiration")), "assume-role:" + role_arn};
  if (out.access_key_id.empty() || out.secret_access_key.empty()) {
    return AwsFail(Malformed("sts:AssumeRole", "no Credentials in response", r->request_id));
  }
  return out;
}

// ---------------------------------------------------------------------------------------- EC2
AwsResult<std::vector<std::string>> ec2::DescribeRegions(AwsClient& aws) {
  auto r = aws.Query("ec2", "DescribeRegions");
  if (!r) return AwsFail(r.error());
  std::vector<std::string> out = Items(r->Root().child("regionInfo"), "regionName");
  if (out.empty()) return AwsFail(Malformed("ec2:DescribeRegions", "no regions in response", r->request_id));
  return out;
}

AwsResult<std::vector<ec2::Vpc>> ec2::DescribeVpcs(AwsClient& aws) {
  std::vector<Vpc> out;
  auto s = Ec2Pages(aws, "DescribeVpcs", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("vpcSet").children("item")) {
      out.push_back({Text(n, "vpcId"), Text(n, "cidrBlock"), Text(n, "isDefault") == "true", TagItems(n.child("tagSet"))});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::Subnet>> ec2::DescribeSubnets(AwsClient& aws) {
  std::vector<Subnet> out;
  auto s = Ec2Pages(aws, "DescribeSubnets", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("subnetSet").children("item")) {
      out.push_back({Text(n, "subnetId"), Text(n, "vpcId"), Text(n, "cidrBlock"), Text(n, "availabilityZone"),
                     Text(n, "mapPublicIpOnLaunch") == "true", TagItems(n.child("tagSet"))});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::RouteTable>> ec2::DescribeRouteTables(AwsClient& aws) {
  std::vector<RouteTable> out;
  auto s = Ec2Pages(aws, "DescribeRouteTables", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("routeTableSet").children("item")) {
      RouteTable t{.route_table_id = Text(n, "routeTableId"), .vpc_id = Text(n, "vpcId")};
      for (pugi::xml_node a : n.child("associationSet").children("item")) {
        if (Text(a, "main") == "true") t.main = true;
        if (std::string subnet = Text(a, "subnetId"); !subnet.empty()) t.subnet_ids.push_back(subnet);
      }
      for (pugi::xml_node r : n.child("routeSet").children("item")) {
        RouteEntry e;
        for (const char* d : {"destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"}) {
          if (e.destination.empty()) e.destination = Text(r, d);
        }
        for (const char* g : {"gatewayId", "natGatewayId", "vpcPeeringConnectionId", "transitGatewayId",
                              "networkInterfaceId", "instanceId", "egressOnlyInternetGatewayId"}) {
          if (e.target.empty()) e.target = Text(r, g);
        }
        e.state = Text(r, "state");
        t.routes.push_back(std::move(e));
      }
      t.tags = TagItems(n.child("tagSet"));
      out.push_back(std::move(t));
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::InternetGateway>> ec2::DescribeInternetGateways(AwsClient& aws) {
  std::vector<InternetGateway> out;
  auto s = Ec2Pages(aws, "DescribeInternetGateways", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("internetGatewaySet").children("item")) {
      out.push_back({Text(n, "internetGatewayId"), Items(n.child("attachmentSet"), "vpcId")});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::NatGateway>> ec2::DescribeNatGateways(AwsClient& aws) {
  std::vector<NatGateway> out;
  auto s = Ec2Pages(aws, "DescribeNatGateways", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("natGatewaySet").children("item")) {
      std::string ip;
      for (pugi::xml_node a : n.child("natGatewayAddressSet").children("item")) {
        if (ip.empty()) ip = Text(a, "publicIp");
      }
      out.push_back({Text(n, "natGatewayId"), Text(n, "vpcId"), Text(n, "subnetId"), Text(n, "state"), ip});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

namespace {
std::vector<ec2::IpPermission> Permissions(const pugi::xml_node& set) {
  std::vector<ec2::IpPermission> out;
  for (pugi::xml_node p : set.children("item")) {
    ec2::IpPermission perm{.protocol = Text(p, "ipProtocol"), .from_port = IntOr(p, "fromPort", -1),
                           .to_port = IntOr(p, "toPort", -1)};
    for (pugi::xml_node r : p.child("ipRanges").children("item")) perm.cidrs.push_back(Text(r, "cidrIp"));
    for (pugi::xml_node r : p.child("ipv6Ranges").children("item")) perm.cidrs.push_back(Text(r, "cidrIpv6"));
    for (pugi::xml_node g : p.child("groups").children("item")) perm.group_ids.push_back(Text(g, "groupId"));
    out.push_back(std::move(perm));
  }
  return out;
}
}  // namespace

AwsResult<std::vector<ec2::SecurityGroupRules>> ec2::DescribeSecurityGroupRules(AwsClient& aws,
                                                                               const std::vector<Filter>& filters) {
  QueryParams base;
  for (size_t i = 0; i < filters.size(); ++i) {
    std::string p = "Filter." + std::to_string(i + 1);
    base.emplace_back(p + ".Name", filters[i].name);
    for (size_t j = 0; j < filters[i].values.size(); ++j) {
      base.emplace_back(p + ".Value." + std::to_string(j + 1), filters[i].values[j]);
    }
  }
  std::vector<SecurityGroupRules> out;
  auto s = Ec2Pages(aws, "DescribeSecurityGroups", base, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("securityGroupInfo").children("item")) {
      out.push_back({Text(n, "groupId"), Text(n, "groupName"), Text(n, "vpcId"), Text(n, "groupDescription"),
                     Permissions(n.child("ipPermissions")), Permissions(n.child("ipPermissionsEgress")),
                     TagItems(n.child("tagSet"))});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsStatus ec2::DeleteSecurityGroup(AwsClient& aws, const std::string& group_id) {
  return Done(aws.Query("ec2", "DeleteSecurityGroup", {{"GroupId", group_id}}));
}

AwsStatus ec2::ChangeSecurityGroupIngress(AwsClient& aws, const std::string& group_id, const IpPermission& permission,
                                          bool authorize) {
  QueryParams params = {{"GroupId", group_id}, {"IpPermissions.1.IpProtocol", permission.protocol}};
  if (permission.protocol != "-1") {
    params.emplace_back("IpPermissions.1.FromPort", std::to_string(permission.from_port));
    params.emplace_back("IpPermissions.1.ToPort", std::to_string(permission.to_port));
  }
  int v4 = 0, v6 = 0;
  for (const auto& cidr : permission.cidrs) {
    if (cidr.find(':') == std::string::npos) {
      params.emplace_back("IpPermissions.1.IpRanges." + std::to_string(++v4) + ".CidrIp", cidr);
    } else {
      params.emplace_back("IpPermissions.1.Ipv6Ranges." + std::to_string(++v6) + ".CidrIpv6", cidr);
    }
  }
  return Done(aws.Query("ec2", authorize ? "AuthorizeSecurityGroupIngress" : "RevokeSecurityGroupIngress", params));
}

AwsResult<std::vector<ec2::NetworkAclRules>> ec2::DescribeNetworkAclRules(AwsClient& aws) {
  std::vector<NetworkAclRules> out;
  auto s = Ec2Pages(aws, "DescribeNetworkAcls", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("networkAclSet").children("item")) {
      NetworkAclRules acl{.network_acl_id = Text(n, "networkAclId"), .vpc_id = Text(n, "vpcId"),
                          .is_default = Text(n, "default") == "true"};
      for (pugi::xml_node e : n.child("entrySet").children("item")) {
        AclEntry entry{.rule_number = e.child("ruleNumber").text().as_int(), .egress = Text(e, "egress") == "true",
                       .protocol = Text(e, "protocol"), .action = Text(e, "ruleAction"), .cidr = Text(e, "cidrBlock")};
        if (entry.cidr.empty()) entry.cidr = Text(e, "ipv6CidrBlock");
        if (pugi::xml_node range = e.child("portRange")) {
          entry.from_port = IntOr(range, "from", -1);
          entry.to_port = IntOr(range, "to", -1);
        }
        acl.entries.push_back(std::move(entry));
      }
      acl.subnet_ids = Items(n.child("associationSet"), "subnetId");
      out.push_back(std::move(acl));
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::Volume>> ec2::DescribeVolumes(AwsClient& aws) {
  std::vector<Volume> out;
  auto s = Ec2Pages(aws, "DescribeVolumes", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("volumeSet").children("item")) {
      out.push_back({Text(n, "volumeId"), Text(n, "status"), Text(n, "encrypted") == "true",
                     n.child("size").text().as_int(), Items(n.child("attachmentSet"), "instanceId"),
                     TagItems(n.child("tagSet"))});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::NetworkInterfaceDetail>> ec2::DescribeNetworkInterfaceDetails(AwsClient& aws) {
  std::vector<NetworkInterfaceDetail> out;
  auto s = Ec2Pages(aws, "DescribeNetworkInterfaces", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("networkInterfaceSet").children("item")) {
      out.push_back({Text(n, "networkInterfaceId"), Text(n, "vpcId"), Text(n, "subnetId"),
                     n.child("attachment").child("instanceId").text().as_string(), Text(n, "privateIpAddress"),
                     n.child("association").child("publicIp").text().as_string(), Text(n, "interfaceType"),
                     Text(n, "description"), Items(n.child("groupSet"), "groupId")});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<ec2::Address>> ec2::DescribeAddresses(AwsClient& aws) {
  auto r = aws.Query("ec2", "DescribeAddresses");
  if (!r) return AwsFail(r.error());
  std::vector<Address> out;
  for (pugi::xml_node n : r->Root().child("addressesSet").children("item")) {
    out.push_back({Text(n, "allocationId"), Text(n, "publicIp"), Text(n, "instanceId"), Text(n, "networkInterfaceId"),
                   Text(n, "privateIpAddress")});
  }
  return out;
}

AwsResult<std::vector<ec2::FlowLog>> ec2::DescribeFlowLogs(AwsClient& aws) {
  std::vector<FlowLog> out;
  auto s = Ec2Pages(aws, "DescribeFlowLogs", {}, [&](const pugi::xml_node& root) {
    for (pugi::xml_node n : root.child("flowLogSet").children("item")) {
      std::string dest = Text(n, "logDestination");
      if (dest.empty()) dest = Text(n, "logGroupName");
      out.push_back({Text(n, "flowLogId"), Text(n, "resourceId"), Text(n, "flowLogStatus"), dest});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ----------------------------------------------------------------------------------------- S3
AwsResult<std::vector<s3::Bucket>> s3::ListBuckets(AwsClient& aws) {
  auto r = aws.Rest({.service = "s3", .operation = "s3:ListBuckets"});
  if (!r) return AwsFail(r.error());
  auto doc = ParseXml(*r, "s3:ListBuckets");
  if (!doc) return AwsFail(doc.error());
  std::vector<Bucket> out;
  for (pugi::xml_node b : doc->document_element().child("Buckets").children("Bucket")) {
    out.push_back({Text(b, "Name"), Text(b, "CreationDate")});
  }
  return out;
}

AwsResult<std::string> s3::GetBucketLocation(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"location", ""}}, .operation = "s3:GetBucketLocation"});
  if (!r) return AwsFail(r.error());
  auto doc = ParseXml(*r, "s3:GetBucketLocation");
  if (!doc) return AwsFail(doc.error());
  std::string region = doc->document_element().text().as_string();
  if (region.empty()) return std::string("us-east-1");
  if (region == "EU") return std::string("eu-west-1");
  return region;
}

AwsResult<std::string> s3::GetBucketEncryption(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"encryption", ""}}, .operation = "s3:GetBucketEncryption"});
  if (!r) {
    AwsError e = r.error();
    if (e.aws_code == "ServerSideEncryptionConfigurationNotFoundError") e.code = ErrorCode::kNotFound;
    return AwsFail(std::move(e));
  }
  auto doc = ParseXml(*r, "s3:GetBucketEncryption");
  if (!doc) return AwsFail(doc.error());
  for (pugi::xml_node rule : doc->document_element().children("Rule")) {
    std::string algorithm = rule.child("ApplyServerSideEncryptionByDefault").child("SSEAlgorithm").text().as_string();
    if (!algorithm.empty()) return algorithm;
  }
  return AwsFail(AwsError{.code = ErrorCode::kNotFound, .message = "no default encryption rule",
                          .request_id = r->request_id, .operation = "s3:GetBucketEncryption"});
}

AwsResult<std::string> s3::GetBucketLoggingTarget(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"logging", ""}}, .operation = "s3:GetBucketLogging"});
  if (!r) return AwsFail(r.error());
  auto doc = ParseXml(*r, "s3:GetBucketLogging");
  if (!doc) return AwsFail(doc.error());
  return std::string(doc->document_element().child("LoggingEnabled").child("TargetBucket").text().as_string());
}

AwsResult<s3::VersioningState> s3::GetBucketVersioningState(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"versioning", ""}}, .operation = "s3:GetBucketVersioning"});
  if (!r) return AwsFail(r.error());
  auto doc = ParseXml(*r, "s3:GetBucketVersioning");
  if (!doc) return AwsFail(doc.error());
  pugi::xml_node root = doc->document_element();
  return VersioningState{Text(root, "Status"), Text(root, "MfaDelete") == "Enabled"};
}

AwsResult<bool> s3::GetObjectLockEnabled(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"object-lock", ""}},
                     .operation = "s3:GetObjectLockConfiguration"});
  if (!r) {
    if (r.error().aws_code == "ObjectLockConfigurationNotFoundError" || r.error().code == ErrorCode::kNotFound) return false;
    return AwsFail(r.error());
  }
  auto doc = ParseXml(*r, "s3:GetObjectLockConfiguration");
  if (!doc) return AwsFail(doc.error());
  return Text(doc->document_element(), "ObjectLockEnabled") == "Enabled";
}

AwsResult<Tags> s3::GetBucketTagging(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"tagging", ""}}, .operation = "s3:GetBucketTagging"});
  if (!r) {
    if (r.error().aws_code == "NoSuchTagSet" || r.error().aws_code == "NoSuchTagSetError") return Tags{};
    return AwsFail(r.error());
  }
  auto doc = ParseXml(*r, "s3:GetBucketTagging");
  if (!doc) return AwsFail(doc.error());
  Tags tags;
  for (pugi::xml_node t : doc->document_element().child("TagSet").children("Tag")) {
    tags.emplace_back(Text(t, "Key"), Text(t, "Value"));
  }
  return tags;
}

AwsResult<std::vector<s3::Grant>> s3::GetBucketAcl(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"acl", ""}}, .operation = "s3:GetBucketAcl"});
  if (!r) return AwsFail(r.error());
  auto doc = ParseXml(*r, "s3:GetBucketAcl");
  if (!doc) return AwsFail(doc.error());
  std::vector<Grant> out;
  for (pugi::xml_node g : doc->document_element().child("AccessControlList").children("Grant")) {
    pugi::xml_node grantee = g.child("Grantee");
    out.push_back({Text(grantee, "URI"), Text(grantee, "ID"), Text(g, "Permission")});
  }
  return out;
}

AwsStatus s3::PutBucketEncryption(AwsClient& aws, const std::string& bucket, const std::string& algorithm) {
  std::string body = S3Xml(
      "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
      "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>" + XmlEscape(algorithm) +
      "</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
      "</ServerSideEncryptionConfiguration>");
  return Done(aws.Rest({.service = "s3", .method = "PUT", .bucket = bucket, .query = {{"encryption", ""}},
                        .headers = {{"Content-Type", "application/xml"}}, .body = body, .content_md5 = true,
                        .operation = "s3:PutBucketEncryption"}));
}

AwsStatus s3::PutBucketTagging(AwsClient& aws, const std::string& bucket, const Tags& tags) {
  std::string inner = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>";
  for (const auto& [k, v] : tags) inner += "<Tag><Key>" + XmlEscape(k) + "</Key><Value>" + XmlEscape(v) + "</Value></Tag>";
  inner += "</TagSet></Tagging>";
  return Done(aws.Rest({.service = "s3", .method = "PUT", .bucket = bucket, .query = {{"tagging", ""}},
                        .headers = {{"Content-Type", "application/xml"}}, .body = S3Xml(inner), .content_md5 = true,
                        .operation = "s3:PutBucketTagging"}));
}

AwsStatus s3::DeleteBucket(AwsClient& aws, const std::string& bucket) {
  return Done(aws.Rest({.service = "s3", .method = "DELETE", .bucket = bucket, .operation = "s3:DeleteBucket"}));
}

// -------------------------------------------------------------------------------- S3 Control
namespace {

AwsResult<RestResponse> S3ControlPublicAccessBlock(AwsClient& aws, const std::string& account_id,
                                                   const std::string& method, std::string body, const char* op) {
  if (account_id.size() != 12 || account_id.find_first_not_of("0123456789") != std::string::npos) {
    return AwsFail(AwsError{.code = ErrorCode::kInvalidArgument,
                            .message = "'" + account_id + "' is not a 12-digit account id", .operation = op});
  }
  auto endpoint = aws.EndpointFor("s3-control");
  if (!endpoint) return AwsFail(endpoint.error());
  // AWS's own endpoint carries the account as a host label; a client for that host is made here
  // (sharing the credentials and transport) because the endpoint table knows no account.
  std::optional<AwsClient> prefixed;
  AwsClient* client = &aws;
  if (!endpoint->custom) {
    ClientConfig config = aws.config();
    EndpointOverrides overrides = config.endpoints.value_or(EndpointOverrides{});
    std::string url = endpoint->url;
    size_t host = url.find("://");
    host = host == std::string::npos ? 0 : host + 3;
    overrides.by_key["s3-control"] = url.substr(0, host) + account_id + "." + url.substr(host);
    config.endpoints = std::move(overrides);
    prefixed.emplace(std::move(config));
    client = &*prefixed;
  }
  // S3 Control is signed like S3 (the payload hash travels in x-amz-content-sha256).
  RestRequest request{.service = "s3-control", .method = method, .path = "/v20180820/configuration/publicAccessBlock",
                      .headers = {{"x-amz-account-id", account_id}}, .body = std::move(body), .operation = op};
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/xml");
  auto r = client->Rest(request);
  if (!r) {
    AwsError e = r.error();
    if (e.aws_code == "NoSuchPublicAccessBlockConfiguration") e.code = ErrorCode::kNotFound;
    return AwsFail(std::move(e));
  }
  return r;
}

}  // namespace

AwsResult<s3::PublicAccessBlock> s3control::GetPublicAccessBlock(AwsClient& aws, const std::string& account_id) {
  const char* op = "s3control:GetPublicAccessBlock";
  auto r = S3ControlPublicAccessBlock(aws, account_id, "GET", "", op);
  if (!r) return AwsFail(r.error());
  auto doc = ParseXml(*r, op);
  if (!doc) return AwsFail(doc.error());
  // The configuration is the payload; some servers wrap it in GetPublicAccessBlockOutput.
  pugi::xml_node root = doc->document_element();
  if (std::string_view(root.name()) != "PublicAccessBlockConfiguration") root = root.child("PublicAccessBlockConfiguration");
  if (!root) return AwsFail(Malformed(op, "no PublicAccessBlockConfiguration in response", r->request_id));
  auto flag = [&](const char* name) { return Text(root, name) == "true"; };
  return s3::PublicAccessBlock{flag("BlockPublicAcls"), flag("IgnorePublicAcls"), flag("BlockPublicPolicy"),
                               flag("RestrictPublicBuckets")};
}

AwsStatus s3control::PutPublicAccessBlock(AwsClient& aws, const std::string& account_id, const s3::PublicAccessBlock& c) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::string body =
      std::string("<PublicAccessBlockConfiguration xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">") +
      "<BlockPublicAcls>" + b(c.block_public_acls) + "</BlockPublicAcls>" + "<IgnorePublicAcls>" +
      b(c.ignore_public_acls) + "</IgnorePublicAcls>" + "<BlockPublicPolicy>" + b(c.block_public_policy) +
      "</BlockPublicPolicy>" + "<RestrictPublicBuckets>" + b(c.restrict_public_buckets) + "</RestrictPublicBuckets>" +
      "</PublicAccessBlockConfiguration>";
  return Done(S3ControlPublicAccessBlock(aws, account_id, "PUT", std::move(body), "s3control:PutPublicAccessBlock"));
}

AwsStatus s3control::DeletePublicAccessBlock(AwsClient& aws, const std::string& account_id) {
  return Done(S3ControlPublicAccessBlock(aws, account_id, "DELETE", "", "s3control:DeletePublicAccessBlock"));
}

// ---------------------------------------------------------------------------------------- IAM
AwsResult<std::map<std::string, int64_t>> iam::GetAccountSummary(AwsClient& aws) {
  auto r = aws.Query("iam", "GetAccountSummary");
  if (!r) return AwsFail(r.error());
  std::map<std::string, int64_t> out;
  for (pugi::xml_node e : r->Result().child("SummaryMap").children("entry")) {
    out[Text(e, "key")] = e.child("value").text().as_llong();
  }
  if (out.empty()) return AwsFail(Malformed("iam:GetAccountSummary", "no SummaryMap in response", r->request_id));
  return out;
}

namespace {
std::vector<iam::InlinePolicy> InlinePolicies(const pugi::xml_node& list) {
  std::vector<iam::InlinePolicy> out;
  for (pugi::xml_node m : list.children("member")) {
    out.push_back({Text(m, "PolicyName"), UriDecode(Text(m, "PolicyDocument"))});
  }
  return out;
}

Tags MemberTags(const pugi::xml_node& set) {
  Tags tags;
  for (pugi::xml_node t : set.children("member")) tags.emplace_back(Text(t, "Key"), Text(t, "Value"));
  return tags;
}
}  // namespace

AwsResult<iam::AuthorizationDetails> iam::GetAccountAuthorizationDetails(AwsClient& aws) {
  AuthorizationDetails out;
  QueryParams base = {{"Filter.member.1", "User"}, {"Filter.member.2", "Role"},
                      {"Filter.member.3", "LocalManagedPolicy"}};
  auto s = QueryPages(aws, "iam", "GetAccountAuthorizationDetails", base, "Marker", "Marker",
                      [&](const pugi::xml_node& result) {
    for (pugi::xml_node m : result.child("UserDetailList").children("member")) {
      out.users.push_back({Text(m, "UserName"), Text(m, "Arn"), Text(m, "CreateDate"),
                           InlinePolicies(m.child("UserPolicyList")),
                           Members(m.child("AttachedManagedPolicies"), "PolicyArn"), Members(m.child("GroupList")),
                           MemberTags(m.child("Tags"))});
    }
    for (pugi::xml_node m : result.child("RoleDetailList").children("member")) {
      RoleDetail role{.role_name = Text(m, "RoleName"), .arn = Text(m, "Arn"), .create_date = Text(m, "CreateDate"),
                      .trust_policy = UriDecode(Text(m, "AssumeRolePolicyDocument")),
                      .inline_policies = InlinePolicies(m.child("RolePolicyList")),
                      .attached_policy_arns = Members(m.child("AttachedManagedPolicies"), "PolicyArn")};
      for (pugi::xml_node p : m.child("InstanceProfileList").children("member")) {
        role.instance_profiles.push_back({Text(p, "InstanceProfileName"), Text(p, "Arn")});
      }
      role.tags = MemberTags(m.child("Tags"));
      out.roles.push_back(std::move(role));
    }
    for (pugi::xml_node m : result.child("Policies").children("member")) {
      ManagedPolicy p{.arn = Text(m, "Arn"), .name = Text(m, "PolicyName"),
                      .attachment_count = m.child("AttachmentCount").text().as_int()};
      if (p.name.empty()) p.name = p.arn.substr(p.arn.rfind('/') + 1);
      for (pugi::xml_node v : m.child("PolicyVersionList").children("member")) {
        if (Text(v, "IsDefaultVersion") == "true") p.default_document = UriDecode(Text(v, "Document"));
      }
      out.policies.push_back(std::move(p));
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<bool> iam::HasLoginProfile(AwsClient& aws, const std::string& user_name) {
  auto r = aws.Query("iam", "GetLoginProfile", {{"UserName", user_name}});
  if (!r) {
    if (r.error().code == ErrorCode::kNotFound) return false;
    return AwsFail(r.error());
  }
  return true;
}

AwsResult<size_t> iam::CountMfaDevices(AwsClient& aws, const std::string& user_name) {
  size_t n = 0;
  auto s = QueryPages(aws, "iam", "ListMFADevices", {{"UserName", user_name}}, "Marker", "Marker",
                      [&](const pugi::xml_node& result) {
    for ([[maybe_unused]] pugi::xml_node m : result.child("MFADevices").children("member")) ++n;
  });
  if (!s) return AwsFail(s.error());
  return n;
}

AwsResult<iam::AccessKeyLastUsed> iam::GetAccessKeyLastUsed(AwsClient& aws, const std::string& access_key_id) {
  auto r = aws.Query("iam", "GetAccessKeyLastUsed", {{"AccessKeyId", access_key_id}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node used = r->Result().child("AccessKeyLastUsed");
  if (!used) return AwsFail(Malformed("iam:GetAccessKeyLastUsed", "no AccessKeyLastUsed in response", r->request_id));
  return AccessKeyLastUsed{Text(used, "LastUsedDate"), Text(used, "ServiceName"), Text(used, "Region")};
}

// ------------------------------------------------------------------------------ Organizations
AwsResult<std::vector<organizations::Account>> organizations::ListAccounts(AwsClient& aws) {
  std::vector<Account> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    json body = json::object();
    if (!token.empty()) body["NextToken"] = token;
    auto r = aws.Json("organizations", "ListAccounts", body);
    if (!r) return AwsFail(r.error());
    for (const auto& a : JsonArray(r->body, "Accounts")) {
      if (a.is_object()) out.push_back({JsonStr(a, "Id"), JsonStr(a, "Name"), JsonStr(a, "Arn"), JsonStr(a, "Status")});
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ---------------------------------------------------------------------------------------- SSM
AwsResult<std::vector<ssm::ComplianceSummary>> ssm::ListResourceComplianceSummaries(AwsClient& aws,
                                                                                   const std::string& type) {
  std::vector<ComplianceSummary> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    json body = {{"Filters", {{{"Key", "ComplianceType"}, {"Values", {type}}, {"Type", "EQUAL"}}}}};
    if (!token.empty()) body["NextToken"] = token;
    auto r = aws.Json("ssm", "ListResourceComplianceSummaries", body);
    if (!r) return AwsFail(r.error());
    for (const auto& item : JsonArray(r->body, "ResourceComplianceSummaryItems")) {
      if (!item.is_object()) continue;
      ComplianceSummary c{.resource_id = JsonStr(item, "ResourceId"), .resource_type = JsonStr(item, "ResourceType"),
                          .status = JsonStr(item, "Status"), .overall_severity = JsonStr(item, "OverallSeverity")};
      auto count = [&](const char* summary, const char* field) {
        auto it = item.find(summary);
        if (it == item.end() || !it->is_object()) return 0;
        auto n = it->find(field);
        return n != it->end() && n->is_number_integer() ? n->get<int>() : 0;
      };
      c.compliant_count = count("CompliantSummary", "CompliantCount");
      c.non_compliant_count = count("NonCompliantSummary", "NonCompliantCount");
      if (auto e = item.find("ExecutionSummary"); e != item.end() && e->is_object()) {
        auto t = e->find("ExecutionTime");
        if (t != e->end() && t->is_string()) c.execution_time = t->get<std::string>();
        if (t != e->end() && t->is_number()) c.execution_time = FormatIsoTime(static_cast<int64_t>(t->get<double>() * 1000));
      }
      out.push_back(std::move(c));
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ---------------------------------------------------------------------------------------- RDS
AwsResult<std::vector<rds::DbInstance>> rds::DescribeDbInstances(AwsClient& aws) {
  std::vector<DbInstance> out;
  auto s = QueryPages(aws, "rds", "DescribeDBInstances", {}, "Marker", "Marker", [&](const pugi::xml_node& result) {
    for (pugi::xml_node m : result.child("DBInstances").children("DBInstance")) {
      DbInstance d{.id = Text(m, "DBInstanceIdentifier"), .arn = Text(m, "DBInstanceArn"), .engine = Text(m, "Engine"),
                   .status = Text(m, "DBInstanceStatus"),
                   .vpc_id = m.child("DBSubnetGroup").child("VpcId").text().as_string(),
                   .endpoint = m.child("Endpoint").child("Address").text().as_string(),
                   .publicly_accessible = Text(m, "PubliclyAccessible") == "true",
                   .storage_encrypted = Text(m, "StorageEncrypted") == "true",
                   .backup_retention_days = m.child("BackupRetentionPeriod").text().as_int()};
      for (pugi::xml_node g : m.child("VpcSecurityGroups").children()) d.security_group_ids.push_back(Text(g, "VpcSecurityGroupId"));
      for (pugi::xml_node n : m.child("DBSubnetGroup").child("Subnets").children()) {
        d.subnet_ids.push_back(Text(n, "SubnetIdentifier"));
      }
      for (pugi::xml_node t : m.child("TagList").children()) d.tags.emplace_back(Text(t, "Key"), Text(t, "Value"));
      out.push_back(std::move(d));
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ----------------------------------------------------------------------------------- DynamoDB
AwsResult<std::vector<std::string>> dynamodb::ListTables(AwsClient& aws) {
  std::vector<std::string> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    json body = json::object();
    if (!token.empty()) body["ExclusiveStartTableName"] = token;
    auto r = aws.Json("dynamodb", "ListTables", body);
    if (!r) return AwsFail(r.error());
    for (const auto& name : JsonStrings(r->body, "TableNames")) out.push_back(name);
    return JsonStr(r->body, "LastEvaluatedTableName");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::string> dynamodb::DescribeTableArn(AwsClient& aws, const std::string& table) {
  auto r = aws.Json("dynamodb", "DescribeTable", {{"TableName", table}});
  if (!r) return AwsFail(r.error());
  std::string arn = r->body.is_object() && r->body.contains("Table") ? JsonStr(r->body["Table"], "TableArn") : "";
  if (arn.empty()) return AwsFail(Malformed("dynamodb:DescribeTable", "no Table.TableArn in response", r->request_id));
  return arn;
}

AwsResult<bool> dynamodb::GetPointInTimeRecovery(AwsClient& aws, const std::string& table) {
  auto r = aws.Json("dynamodb", "DescribeContinuousBackups", {{"TableName", table}});
  if (!r) return AwsFail(r.error());
  return r->body.value(json::json_pointer("/ContinuousBackupsDescription/PointInTimeRecoveryDescription/"
                                          "PointInTimeRecoveryStatus"),
                       std::string()) == "ENABLED";
}

// ------------------------------------------------------------------------------------- Lambda
AwsResult<std::vector<lambda::Function>> lambda::ListFunctions(AwsClient& aws) {
  std::vector<Function> out;
  auto s = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    RestRequest req{.service = "lambda", .path = "/2015-03-31/functions/", .operation = "lambda:ListFunctions"};
    if (!marker.empty()) req.query.emplace_back("Marker", marker);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    for (const auto& f : JsonArray(r->body, "Functions")) {
      if (!f.is_object()) continue;
      Function fn{JsonStr(f, "FunctionName"), JsonStr(f, "FunctionArn"), JsonStr(f, "Runtime"), JsonStr(f, "Role"),
                  {}, {}, {}};
      if (auto vpc = f.find("VpcConfig"); vpc != f.end() && vpc->is_object()) {
        fn.vpc_id = JsonStr(*vpc, "VpcId");
        fn.subnet_ids = JsonStrings(*vpc, "SubnetIds");
        fn.security_group_ids = JsonStrings(*vpc, "SecurityGroupIds");
      }
      out.push_back(std::move(fn));
    }
    return JsonStr(r->body, "NextMarker");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::string> lambda::GetFunctionUrlAuthType(AwsClient& aws, const std::string& function_name) {
  auto r = aws.RestJson({.service = "lambda", .path = "/2021-10-31/functions/" + function_name + "/url",
                         .operation = "lambda:GetFunctionUrlConfig"});
  if (!r) return AwsFail(r.error());
  std::string auth = JsonStr(r->body, "AuthType");
  if (auth.empty()) return AwsFail(Malformed("lambda:GetFunctionUrlConfig", "no AuthType in response", r->request_id));
  return auth;
}

// -------------------------------------------------------------------------------------- ELBv2
AwsResult<std::vector<elbv2::LoadBalancer>> elbv2::DescribeLoadBalancers(AwsClient& aws) {
  std::vector<LoadBalancer> out;
  auto s = QueryPages(aws, "elbv2", "DescribeLoadBalancers", {}, "Marker", "NextMarker", [&](const pugi::xml_node& result) {
    for (pugi::xml_node m : result.child("LoadBalancers").children("member")) {
      out.push_back({Text(m, "LoadBalancerArn"), Text(m, "LoadBalancerName"), Text(m, "Type"), Text(m, "Scheme"),
                     Text(m, "VpcId"), Text(m, "DNSName"), Members(m.child("SecurityGroups")),
                     Members(m.child("AvailabilityZones"), "SubnetId")});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<elbv2::Listener>> elbv2::DescribeListeners(AwsClient& aws, const std::string& lb_arn) {
  std::vector<Listener> out;
  auto s = QueryPages(aws, "elbv2", "DescribeListeners", {{"LoadBalancerArn", lb_arn}}, "Marker", "NextMarker",
                      [&](const pugi::xml_node& result) {
    for (pugi::xml_node m : result.child("Listeners").children("member")) {
      Listener l{Text(m, "ListenerArn"), Text(m, "Protocol"), m.child("Port").text().as_int()};
      for (pugi::xml_node a : m.child("DefaultActions").children("member")) {
        if (Text(a, "Type") == "redirect" && a.child("RedirectConfig").child("Protocol").text().as_string() ==
                                                 std::string("HTTPS")) {
          l.redirects_to_https = true;
        }
      }
      out.push_back(std::move(l));
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<std::string>> elbv2::DescribeTargets(AwsClient& aws, const std::string& lb_arn) {
  std::vector<std::string> groups;
  auto s = QueryPages(aws, "elbv2", "DescribeTargetGroups", {{"LoadBalancerArn", lb_arn}}, "Marker", "NextMarker",
                      [&](const pugi::xml_node& result) {
    for (const auto& arn : Members(result.child("TargetGroups"), "TargetGroupArn")) groups.push_back(arn);
  });
  if (!s) return AwsFail(s.error());
  std::vector<std::string> out;
  for (const auto& tg : groups) {
    auto r = aws.Query("elbv2", "DescribeTargetHealth", {{"TargetGroupArn", tg}});
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node m : r->Result().child("TargetHealthDescriptions").children("member")) {
      out.push_back(m.child("Target").child("Id").text().as_string());
    }
  }
  return out;
}

// --------------------------------------------------------------------------------- CloudTrail
AwsResult<std::vector<cloudtrail::Trail>> cloudtrail::DescribeTrails(AwsClient& aws) {
  auto r = aws.Json("cloudtrail", "DescribeTrails", {{"includeShadowTrails", true}});
  if (!r) return AwsFail(r.error());
  std::vector<Trail> out;
  for (const auto& t : JsonArray(r->body, "trailList")) {
    if (!t.is_object()) continue;
    out.push_back({JsonStr(t, "Name"), JsonStr(t, "TrailARN"), JsonStr(t, "HomeRegion"), JsonStr(t, "S3BucketName"),
                   JsonBool(t, "IsMultiRegionTrail"), JsonBool(t, "LogFileValidationEnabled"),
                   JsonBool(t, "IsOrganizationTrail")});
  }
  return out;
}

AwsResult<bool> cloudtrail::GetTrailLogging(AwsClient& aws, const std::string& trail_arn) {
  auto r = aws.Json("cloudtrail", "GetTrailStatus", {{"Name", trail_arn}});
  if (!r) return AwsFail(r.error());
  return JsonBool(r->body, "IsLogging");
}

AwsResult<cloudtrail::EventSelectors> cloudtrail::GetEventSelectors(AwsClient& aws, const std::string& trail_arn) {
  auto r = aws.Json("cloudtrail", "GetEventSelectors", {{"TrailName", trail_arn}});
  if (!r) return AwsFail(r.error());
  EventSelectors out;
  for (const auto& sel : JsonArray(r->body, "EventSelectors")) {
    if (!sel.is_object()) continue;
    if (sel.value("IncludeManagementEvents", true)) {
      std::string rw = JsonStr(sel, "ReadWriteType");
      if (rw.empty()) rw = "All";
      if (out.management_read_write.empty() || rw == "All") out.management_read_write = rw;
    }
    for (const auto& res : JsonArray(sel, "DataResources")) {
      if (!res.is_object() || JsonStr(res, "Type") != "AWS::S3::Object") continue;
      for (const auto& v : JsonStrings(res, "Values")) {
        out.s3_data_events = true;
        out.s3_data_resources.push_back(v);
      }
    }
  }
  // Advanced selectors: eventCategory Management / Data with resources.type AWS::S3::Object.
  for (const auto& sel : JsonArray(r->body, "AdvancedEventSelectors")) {
    if (!sel.is_object()) continue;
    std::string category, type;
    for (const auto& f : JsonArray(sel, "FieldSelectors")) {
      if (!f.is_object()) continue;
      auto equals = JsonStrings(f, "Equals");
      if (JsonStr(f, "Field") == "eventCategory" && !equals.empty()) category = equals.front();
      if (JsonStr(f, "Field") == "resources.type" && !equals.empty()) type = equals.front();
    }
    if (category == "Management") out.management_read_write = "All";
    if (category == "Data" && type == "AWS::S3::Object") {
      out.s3_data_events = true;
      out.s3_data_resources.push_back("arn:aws:s3");
    }
  }
  out.management_events = !out.management_read_write.empty();
  return out;
}

// ---------------------------------------------------------------------------------- GuardDuty
AwsResult<std::vector<std::string>> guardduty::ListDetectors(AwsClient& aws) {
  std::vector<std::string> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    RestRequest req{.service = "guardduty", .path = "/detector", .operation = "guardduty:ListDetectors"};
    if (!token.empty()) req.query.emplace_back("nextToken", token);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    for (const auto& id : JsonStrings(r->body, "detectorIds")) out.push_back(id);
    return JsonStr(r->body, "nextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<guardduty::Detector> guardduty::GetDetector(AwsClient& aws, const std::string& detector_id) {
  auto r = aws.RestJson({.service = "guardduty", .path = "/detector/" + detector_id, .operation = "guardduty:GetDetector"});
  if (!r) return AwsFail(r.error());
  Detector d{detector_id, JsonStr(r->body, "status"), {}};
  for (const auto& f : JsonArray(r->body, "features")) {
    if (f.is_object()) d.features.emplace_back(JsonStr(f, "name"), JsonStr(f, "status"));
  }
  return d;
}

// ------------------------------------------------------------------------------- Security Hub
AwsResult<std::string> securityhub::DescribeHub(AwsClient& aws) {
  auto r = aws.RestJson({.service = "securityhub", .path = "/accounts", .operation = "securityhub:DescribeHub"});
  if (!r) return AwsFail(r.error());
  std::string arn = JsonStr(r->body, "HubArn");
  if (arn.empty()) return AwsFail(Malformed("securityhub:DescribeHub", "no HubArn in response", r->request_id));
  return arn;
}

// --------------------------------------------------------------------------------- EventBridge
AwsResult<std::vector<events::Rule>> events::ListRules(AwsClient& aws) {
  std::vector<Rule> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    json body = json::object();
    if (!token.empty()) body["NextToken"] = token;
    auto r = aws.Json("events", "ListRules", body);
    if (!r) return AwsFail(r.error());
    for (const auto& rule : JsonArray(r->body, "Rules")) {
      if (rule.is_object()) {
        out.push_back({JsonStr(rule, "Name"), JsonStr(rule, "Arn"), JsonStr(rule, "EventPattern"), JsonStr(rule, "State")});
      }
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<std::string>> events::ListTargetArns(AwsClient& aws, const std::string& rule_name) {
  std::vector<std::string> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    json body = {{"Rule", rule_name}};
    if (!token.empty()) body["NextToken"] = token;
    auto r = aws.Json("events", "ListTargetsByRule", body);
    if (!r) return AwsFail(r.error());
    for (const auto& t : JsonArray(r->body, "Targets")) {
      if (t.is_object()) out.push_back(JsonStr(t, "Arn"));
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ---------------------------------------------------------------------------------------- SNS
AwsResult<std::vector<std::string>> sns::ListTopics(AwsClient& aws) {
  std::vector<std::string> out;
  auto s = QueryPages(aws, "sns", "ListTopics", {}, "NextToken", "NextToken", [&](const pugi::xml_node& result) {
    for (const auto& arn : Members(result.child("Topics"), "TopicArn")) out.push_back(arn);
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<sns::Subscription>> sns::ListSubscriptionsByTopic(AwsClient& aws, const std::string& topic_arn) {
  std::vector<Subscription> out;
  auto s = QueryPages(aws, "sns", "ListSubscriptionsByTopic", {{"TopicArn", topic_arn}}, "NextToken", "NextToken",
                      [&](const pugi::xml_node& result) {
    for (pugi::xml_node m : result.child("Subscriptions").children("member")) {
      out.push_back({Text(m, "SubscriptionArn"), Text(m, "Protocol"), Text(m, "Endpoint")});
    }
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ------------------------------------------------------------------------------------- Backup
AwsResult<std::vector<backup::PlanSummary>> backup::ListBackupPlans(AwsClient& aws) {
  std::vector<PlanSummary> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    RestRequest req{.service = "backup", .path = "/backup/plans/", .operation = "backup:ListBackupPlans"};
    if (!token.empty()) req.query.emplace_back("nextToken", token);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    for (const auto& p : JsonArray(r->body, "BackupPlansList")) {
      if (p.is_object()) out.push_back({JsonStr(p, "BackupPlanId"), JsonStr(p, "BackupPlanName")});
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<std::string>> backup::ListBackupVaults(AwsClient& aws) {
  std::vector<std::string> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    RestRequest req{.service = "backup", .path = "/backup-vaults/", .operation = "backup:ListBackupVaults"};
    if (!token.empty()) req.query.emplace_back("nextToken", token);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    for (const auto& v : JsonArray(r->body, "BackupVaultList")) {
      if (v.is_object()) out.push_back(JsonStr(v, "BackupVaultName"));
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<std::vector<backup::RecoveryPoint>> backup::ListRecoveryPoints(AwsClient& aws, const std::string& vault) {
  std::vector<RecoveryPoint> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    RestRequest req{.service = "backup", .path = "/backup-vaults/" + vault + "/recovery-points/",
                    .operation = "backup:ListRecoveryPointsByBackupVault"};
    if (!token.empty()) req.query.emplace_back("nextToken", token);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    for (const auto& p : JsonArray(r->body, "RecoveryPoints")) {
      if (!p.is_object()) continue;
      std::string created = JsonStr(p, "CreationDate");
      if (created.empty() && p.contains("CreationDate") && p["CreationDate"].is_number()) {
        created = std::to_string(p["CreationDate"].get<double>());
      }
      out.push_back({JsonStr(p, "RecoveryPointArn"), JsonStr(p, "ResourceType"), JsonStr(p, "Status"), created});
    }
    return JsonStr(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ---------------------------------------------------------------------------- Access Analyzer
AwsResult<std::vector<accessanalyzer::Analyzer>> accessanalyzer::ListAnalyzers(AwsClient& aws) {
  std::vector<Analyzer> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    RestRequest req{.service = "access-analyzer", .path = "/analyzer", .operation = "access-analyzer:ListAnalyzers"};
    if (!token.empty()) req.query.emplace_back("nextToken", token);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    for (const auto& a : JsonArray(r->body, "analyzers")) {
      if (a.is_object()) out.push_back({JsonStr(a, "name"), JsonStr(a, "type"), JsonStr(a, "status")});
    }
    return JsonStr(r->body, "nextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

// ------------------------------------------------------------------------------------ Support
AwsResult<std::vector<std::string>> support::DescribeSeverityLevels(AwsClient& aws) {
  auto r = aws.Json("support", "DescribeSeverityLevels", json::object());
  if (!r) return AwsFail(r.error());
  std::vector<std::string> out;
  for (const auto& l : JsonArray(r->body, "severityLevels")) {
    if (l.is_object()) out.push_back(JsonStr(l, "code"));
  }
  return out;
}

}  // namespace cloudward::aws
