#include "aws/services.h"

#include "aws/service_helpers.h"
#include "core/time.h"

namespace cloudward::aws {

using internal::AddList;
using internal::Done;
using internal::Malformed;
using internal::Text;

// ---------------------------------------------------------------------------------------- STS
AwsResult<sts::CallerIdentity> sts::GetCallerIdentity(AwsClient& aws) {
  auto r = aws.Query("sts", "GetCallerIdentity");
  if (!r) return AwsFail(r.error());
  pugi::xml_node result = r->Result();
  CallerIdentity id{Text(result, "Account"), Text(result, "Arn"), Text(result, "UserId"), r->request_id};
  if (id.account.empty()) return AwsFail(Malformed("sts:GetCallerIdentity", "no Account in response", r->request_id));
  return id;
}

// ---------------------------------------------------------------------------------------- EC2
AwsResult<std::vector<ec2::Instance>> ec2::DescribeInstances(AwsClient& aws, const std::vector<std::string>& ids,
                                                             const std::vector<Filter>& filters) {
  std::vector<Instance> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params;
    AddList(params, "InstanceId", ids);
    for (size_t i = 0; i < filters.size(); ++i) {
      std::string p = "Filter." + std::to_string(i + 1);
      params.emplace_back(p + ".Name", filters[i].name);
      AddList(params, p + ".Value", filters[i].values);
    }
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", "DescribeInstances", params);
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node res : r->Root().child("reservationSet").children("item")) {
      for (pugi::xml_node node : res.child("instancesSet").children("item")) {
        Instance inst;
        inst.instance_id = Text(node, "instanceId");
        inst.state = node.child("instanceState").child("name").text().as_string();
        inst.instance_type = Text(node, "instanceType");
        inst.image_id = Text(node, "imageId");
        inst.vpc_id = Text(node, "vpcId");
        inst.subnet_id = Text(node, "subnetId");
        inst.private_ip = Text(node, "privateIpAddress");
        inst.public_ip = Text(node, "ipAddress");
        inst.instance_profile_arn = node.child("iamInstanceProfile").child("arn").text().as_string();
        inst.http_tokens = node.child("metadataOptions").child("httpTokens").text().as_string();
        inst.http_endpoint = node.child("metadataOptions").child("httpEndpoint").text().as_string();
        inst.launch_time = Text(node, "launchTime");
        for (pugi::xml_node g : node.child("groupSet").children("item")) inst.security_group_ids.push_back(Text(g, "groupId"));
        for (pugi::xml_node n : node.child("networkInterfaceSet").children("item")) {
          inst.network_interface_ids.push_back(Text(n, "networkInterfaceId"));
        }
        for (pugi::xml_node b : node.child("blockDeviceMapping").children("item")) {
          if (std::string v = b.child("ebs").child("volumeId").text().as_string(); !v.empty()) inst.volume_ids.push_back(v);
        }
        for (pugi::xml_node t : node.child("tagSet").children("item")) inst.tags.emplace_back(Text(t, "key"), Text(t, "value"));
        out.push_back(std::move(inst));
      }
    }
    return Text(r->Root(), "nextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::string> ec2::CreateSecurityGroup(AwsClient& aws, const std::string& vpc_id, const std::string& name,
                                                const std::string& description) {
  QueryParams params = {{"GroupName", name}, {"GroupDescription", description}};
  if (!vpc_id.empty()) params.emplace_back("VpcId", vpc_id);
  auto r = aws.Query("ec2", "CreateSecurityGroup", params);
  if (!r) return AwsFail(r.error());
  std::string id = Text(r->Root(), "groupId");
  if (id.empty()) return AwsFail(Malformed("ec2:CreateSecurityGroup", "no groupId in response", r->request_id));
  return id;
}

AwsStatus ec2::ModifyInstanceSecurityGroups(AwsClient& aws, const std::string& instance_id,
                                            const std::vector<std::string>& group_ids) {
  QueryParams params = {{"InstanceId", instance_id}};
  AddList(params, "GroupId", group_ids);
  return Done(aws.Query("ec2", "ModifyInstanceAttribute", params));
}

AwsStatus ec2::ModifyNetworkInterfaceSecurityGroups(AwsClient& aws, const std::string& eni_id,
                                                    const std::vector<std::string>& group_ids) {
  QueryParams params = {{"NetworkInterfaceId", eni_id}};
  AddList(params, "SecurityGroupId", group_ids);
  return Done(aws.Query("ec2", "ModifyNetworkInterfaceAttribute", params));
}

AwsResult<std::string> ec2::CreateSnapshot(AwsClient& aws, const std::string& volume_id,
                                           const std::string& description, const Tags& tags) {
  QueryParams params = {{"VolumeId", volume_id}, {"Description", description}};
  if (!tags.empty()) {
    params.emplace_back("TagSpecification.1.ResourceType", "snapshot");
    for (size_t i = 0; i < tags.size(); ++i) {
      std::string p = "TagSpecification.1.Tag." + std::to_string(i + 1);
      params.emplace_back(p + ".Key", tags[i].first);
      params.emplace_back(p + ".Value", tags[i].second);
    }
  }
  auto r = aws.Query("ec2", "CreateSnapshot", params);
  if (!r) return AwsFail(r.error());
  std::string id = Text(r->Root(), "snapshotId");
  if (id.empty()) return AwsFail(Malformed("ec2:CreateSnapshot", "no snapshotId in response", r->request_id));
  return id;
}

AwsStatus ec2::CreateTags(AwsClient& aws, const std::vector<std::string>& resource_ids, const Tags& tags) {
  QueryParams params;
  AddList(params, "ResourceId", resource_ids);
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string p = "Tag." + std::to_string(i + 1);
    params.emplace_back(p + ".Key", tags[i].first);
    params.emplace_back(p + ".Value", tags[i].second);
  }
  return Done(aws.Query("ec2", "CreateTags", params));
}

namespace {
void AddFilters(QueryParams& params, const std::vector<ec2::Filter>& filters) {
  for (size_t i = 0; i < filters.size(); ++i) {
    std::string p = "Filter." + std::to_string(i + 1);
    params.emplace_back(p + ".Name", filters[i].name);
    AddList(params, p + ".Value", filters[i].values);
  }
}

Tags TagSet(const pugi::xml_node& node) {
  Tags tags;
  for (pugi::xml_node t : node.child("tagSet").children("item")) tags.emplace_back(Text(t, "key"), Text(t, "value"));
  return tags;
}

size_t CountItems(const pugi::xml_node& node) {
  size_t n = 0;
  for ([[maybe_unused]] pugi::xml_node item : node.children("item")) ++n;
  return n;
}
}  // namespace

AwsResult<std::vector<ec2::NetworkInterface>> ec2::DescribeNetworkInterfaces(AwsClient& aws,
                                                                             const std::vector<std::string>& ids,
                                                                             const std::vector<Filter>& filters) {
  std::vector<NetworkInterface> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params;
    AddList(params, "NetworkInterfaceId", ids);
    AddFilters(params, filters);
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", "DescribeNetworkInterfaces", params);
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node node : r->Root().child("networkInterfaceSet").children("item")) {
      NetworkInterface eni;
      eni.network_interface_id = Text(node, "networkInterfaceId");
      eni.vpc_id = Text(node, "vpcId");
      eni.instance_id = node.child("attachment").child("instanceId").text().as_string();
      for (pugi::xml_node g : node.child("groupSet").children("item")) eni.group_ids.push_back(Text(g, "groupId"));
      out.push_back(std::move(eni));
    }
    return Text(r->Root(), "nextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::vector<ec2::SecurityGroup>> ec2::DescribeSecurityGroups(AwsClient& aws,
                                                                       const std::vector<std::string>& ids,
                                                                       const std::vector<Filter>& filters) {
  std::vector<SecurityGroup> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params;
    AddList(params, "GroupId", ids);
    AddFilters(params, filters);
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", "DescribeSecurityGroups", params);
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node node : r->Root().child("securityGroupInfo").children("item")) {
      out.push_back({Text(node, "groupId"), Text(node, "groupName"), Text(node, "vpcId"),
                     CountItems(node.child("ipPermissions")), CountItems(node.child("ipPermissionsEgress")),
                     TagSet(node)});
    }
    return Text(r->Root(), "nextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsStatus ec2::RevokeAllTrafficEgress(AwsClient& aws, const std::string& group_id,
                                      const std::vector<std::string>& cidrs) {
  QueryParams params = {{"GroupId", group_id}, {"IpPermissions.1.IpProtocol", "-1"}};
  int v4 = 0, v6 = 0;
  for (const auto& cidr : cidrs) {
    if (cidr.find(':') == std::string::npos) {
      params.emplace_back("IpPermissions.1.IpRanges." + std::to_string(++v4) + ".CidrIp", cidr);
    } else {
      params.emplace_back("IpPermissions.1.Ipv6Ranges." + std::to_string(++v6) + ".CidrIpv6", cidr);
    }
  }
  return Done(aws.Query("ec2", "RevokeSecurityGroupEgress", params));
}

AwsResult<std::vector<ec2::Snapshot>> ec2::DescribeSnapshots(AwsClient& aws, const std::vector<std::string>& ids,
                                                             const std::vector<Filter>& filters) {
  std::vector<Snapshot> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params = {{"Owner.1", "self"}};
    AddList(params, "SnapshotId", ids);
    AddFilters(params, filters);
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", "DescribeSnapshots", params);
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node node : r->Root().child("snapshotSet").children("item")) {
      out.push_back({Text(node, "snapshotId"), Text(node, "volumeId"), Text(node, "status"), TagSet(node)});
    }
    return Text(r->Root(), "nextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

// ---------------------------------------------------------------------------------------- IAM
AwsResult<std::vector<iam::AccessKey>> iam::ListAccessKeys(AwsClient& aws, const std::string& user_name) {
  std::vector<AccessKey> out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams params = {{"UserName", user_name}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto r = aws.Query("iam", "ListAccessKeys", params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node m : result.child("AccessKeyMetadata").children("member")) {
      out.push_back({Text(m, "UserName"), Text(m, "AccessKeyId"), Text(m, "Status"), Text(m, "CreateDate")});
    }
    return std::string(result.child("IsTruncated").text().as_bool() ? Text(result, "Marker") : "");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsStatus iam::UpdateAccessKey(AwsClient& aws, const std::string& user_name, const std::string& access_key_id,
                               bool active) {
  QueryParams params = {{"AccessKeyId", access_key_id}, {"Status", active ? "Active" : "Inactive"}};
  if (!user_name.empty()) params.emplace_back("UserName", user_name);
  return Done(aws.Query("iam", "UpdateAccessKey", params));
}

AwsStatus iam::PutUserPolicy(AwsClient& aws, const std::string& user_name, const std::string& policy_name,
                             const std::string& policy_document) {
  return Done(aws.Query("iam", "PutUserPolicy",
                        {{"UserName", user_name}, {"PolicyName", policy_name}, {"PolicyDocument", policy_document}}));
}

AwsStatus iam::DeleteUserPolicy(AwsClient& aws, const std::string& user_name, const std::string& policy_name) {
  return Done(aws.Query("iam", "DeleteUserPolicy", {{"UserName", user_name}, {"PolicyName", policy_name}}));
}

AwsResult<std::string> iam::GetAccessKeyUser(AwsClient& aws, const std::string& access_key_id) {
  auto r = aws.Query("iam", "GetAccessKeyLastUsed", {{"AccessKeyId", access_key_id}});
  if (!r) return AwsFail(r.error());
  std::string user = Text(r->Result(), "UserName");
  if (user.empty()) return AwsFail(Malformed("iam:GetAccessKeyLastUsed", "no UserName in response", r->request_id));
  return user;
}

// ----------------------------------------------------------------------------------------- S3
AwsStatus s3::CreateBucket(AwsClient& aws, const std::string& bucket) {
  RestRequest req{.service = "s3", .method = "PUT", .bucket = bucket, .operation = "s3:CreateBucket"};
  if (aws.region() != "us-east-1") {
    req.body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
               aws.region() + "</LocationConstraint></CreateBucketConfiguration>";
  }
  return Done(aws.Rest(req));
}

AwsResult<std::string> s3::GetBucketPolicy(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"policy", ""}}, .operation = "s3:GetBucketPolicy"});
  if (!r) return AwsFail(r.error());
  return std::move(r->body);
}

AwsStatus s3::PutBucketPolicy(AwsClient& aws, const std::string& bucket, const std::string& policy) {
  return Done(aws.Rest({.service = "s3", .method = "PUT", .bucket = bucket, .query = {{"policy", ""}},
                        .headers = {{"Content-Type", "application/json"}}, .body = policy,
                        .content_md5 = true, .operation = "s3:PutBucketPolicy"}));
}

AwsStatus s3::PutPublicAccessBlock(AwsClient& aws, const std::string& bucket, const PublicAccessBlock& c) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::string body = std::string("<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">") +
                     "<BlockPublicAcls>" + b(c.block_public_acls) + "</BlockPublicAcls>" +
                     "<IgnorePublicAcls>" + b(c.ignore_public_acls) + "</IgnorePublicAcls>" +
                     "<BlockPublicPolicy>" + b(c.block_public_policy) + "</BlockPublicPolicy>" +
                     "<RestrictPublicBuckets>" + b(c.restrict_public_buckets) + "</RestrictPublicBuckets>" +
                     "</PublicAccessBlockConfiguration>";
  return Done(aws.Rest({.service = "s3", .method = "PUT", .bucket = bucket, .query = {{"publicAccessBlock", ""}},
                        .headers = {{"Content-Type", "application/xml"}}, .body = body, .content_md5 = true,
                        .operation = "s3:PutPublicAccessBlock"}));
}

AwsResult<s3::PublicAccessBlock> s3::GetPublicAccessBlock(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"publicAccessBlock", ""}},
                     .operation = "s3:GetPublicAccessBlock"});
  if (!r) return AwsFail(r.error());
  pugi::xml_document doc;
  if (!doc.load_buffer(r->body.data(), r->body.size())) {
    return AwsFail(Malformed("s3:GetPublicAccessBlock", "response is not XML", r->request_id));
  }
  pugi::xml_node root = doc.document_element();
  auto flag = [&](const char* name) { return root.child(name).text().as_bool(); };
  return PublicAccessBlock{flag("BlockPublicAcls"), flag("IgnorePublicAcls"), flag("BlockPublicPolicy"),
                           flag("RestrictPublicBuckets")};
}

AwsStatus s3::DeletePublicAccessBlock(AwsClient& aws, const std::string& bucket) {
  return Done(aws.Rest({.service = "s3", .method = "DELETE", .bucket = bucket, .query = {{"publicAccessBlock", ""}},
                        .operation = "s3:DeletePublicAccessBlock"}));
}

AwsResult<std::vector<s3::ObjectVersion>> s3::ListObjectVersions(AwsClient& aws, const std::string& bucket,
                                                                 const std::string& prefix) {
  std::vector<ObjectVersion> out;
  // The page token is "key-marker\nversion-id-marker".
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams query = {{"versions", ""}};
    if (!prefix.empty()) query.emplace_back("prefix", prefix);
    if (!token.empty()) {
      size_t nl = token.find('\n');
      query.emplace_back("key-marker", token.substr(0, nl));
      if (nl != std::string::npos && nl + 1 < token.size()) query.emplace_back("version-id-marker", token.substr(nl + 1));
    }
    auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = query, .operation = "s3:ListObjectVersions"});
    if (!r) return AwsFail(r.error());
    pugi::xml_document doc;
    if (!doc.load_buffer(r->body.data(), r->body.size())) {
      return AwsFail(Malformed("s3:ListObjectVersions", "response is not XML", r->request_id));
    }
    pugi::xml_node root = doc.document_element();
    for (pugi::xml_node n : root.children()) {
      std::string name = n.name();
      if (name != "Version" && name != "DeleteMarker") continue;
      out.push_back({Text(n, "Key"), Text(n, "VersionId"), n.child("IsLatest").text().as_bool(),
                     name == "DeleteMarker", n.child("Size").text().as_llong(), Text(n, "LastModified"),
                     Text(n, "ETag")});
    }
    if (!root.child("IsTruncated").text().as_bool()) return std::string();
    return Text(root, "NextKeyMarker") + "\n" + Text(root, "NextVersionIdMarker");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::string> s3::GetObject(AwsClient& aws, const std::string& bucket, const std::string& key) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .path = "/" + key, .operation = "s3:GetObject"});
  if (!r) return AwsFail(r.error());
  return std::move(r->body);
}

AwsResult<std::string> s3::PutObject(AwsClient& aws, const std::string& bucket, const std::string& key,
                                     const std::string& body, const std::string& content_type) {
  RestRequest req{.service = "s3", .method = "PUT", .bucket = bucket, .path = "/" + key, .body = body,
                  .operation = "s3:PutObject"};
  if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
  auto r = aws.Rest(req);
  if (!r) return AwsFail(r.error());
  return std::string(r->Header("ETag").value_or(""));
}

// ---------------------------------------------------------------------------------------- SQS
namespace {
AwsResult<std::string> JsonString(AwsResult<JsonResponse> r, const char* key, const char* operation) {
  if (!r) return AwsFail(r.error());
  auto it = r->body.find(key);
  if (it == r->body.end() || !it->is_string()) {
    return AwsFail(Malformed(operation, std::string("no ") + key + " in response", r->request_id));
  }
  return it->get<std::string>();
}
}  // namespace

AwsResult<std::string> sqs::CreateQueue(AwsClient& aws, const std::string& name) {
  return JsonString(aws.Json("sqs", "CreateQueue", {{"QueueName", name}}), "QueueUrl", "sqs:CreateQueue");
}

AwsResult<std::string> sqs::GetQueueUrl(AwsClient& aws, const std::string& name) {
  return JsonString(aws.Json("sqs", "GetQueueUrl", {{"QueueName", name}}), "QueueUrl", "sqs:GetQueueUrl");
}

AwsResult<std::vector<sqs::Message>> sqs::ReceiveMessage(AwsClient& aws, const std::string& queue_url,
                                                         int max_messages, int wait_seconds, int visibility_timeout) {
  nlohmann::json body = {{"QueueUrl", queue_url}, {"MaxNumberOfMessages", max_messages},
                         {"WaitTimeSeconds", wait_seconds}, {"AttributeNames", {"All"}}};
  if (visibility_timeout >= 0) body["VisibilityTimeout"] = visibility_timeout;
  auto r = aws.Json("sqs", "ReceiveMessage", body);
  if (!r) return AwsFail(r.error());
  std::vector<Message> out;
  auto messages = r->body.find("Messages");
  if (messages == r->body.end() || !messages->is_array()) return out;
  for (const auto& m : *messages) {
    if (!m.is_object()) continue;
    Message msg;
    msg.message_id = m.value("MessageId", "");
    msg.receipt_handle = m.value("ReceiptHandle", "");
    msg.body = m.value("Body", "");
    if (auto a = m.find("Attributes"); a != m.end() && a->is_object()) {
      for (const auto& [k, v] : a->items()) {
        if (v.is_string()) msg.attributes[k] = v.get<std::string>();
      }
    }
    out.push_back(std::move(msg));
  }
  return out;
}

AwsStatus sqs::DeleteMessage(AwsClient& aws, const std::string& queue_url, const std::string& receipt_handle) {
  return Done(aws.Json("sqs", "DeleteMessage", {{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}}));
}

AwsResult<std::string> sqs::SendMessage(AwsClient& aws, const std::string& queue_url, const std::string& body) {
  return JsonString(aws.Json("sqs", "SendMessage", {{"QueueUrl", queue_url}, {"MessageBody", body}}), "MessageId",
                    "sqs:SendMessage");
}

// ---------------------------------------------------------------------------------------- SNS
AwsResult<std::string> sns::CreateTopic(AwsClient& aws, const std::string& name) {
  auto r = aws.Query("sns", "CreateTopic", {{"Name", name}});
  if (!r) return AwsFail(r.error());
  std::string arn = Text(r->Result(), "TopicArn");
  if (arn.empty()) return AwsFail(Malformed("sns:CreateTopic", "no TopicArn in response", r->request_id));
  return arn;
}

AwsResult<std::string> sns::Publish(AwsClient& aws, const std::string& topic_arn, const std::string& message,
                                    const std::string& subject) {
  QueryParams params = {{"TopicArn", topic_arn}, {"Message", message}};
  if (!subject.empty()) params.emplace_back("Subject", subject);
  auto r = aws.Query("sns", "Publish", params);
  if (!r) return AwsFail(r.error());
  std::string id = Text(r->Result(), "MessageId");
  if (id.empty()) return AwsFail(Malformed("sns:Publish", "no MessageId in response", r->request_id));
  return id;
}


// ------------------------------------------- respond/: principals, network ACLs, bucket versioning
AwsResult<iam::Role> iam::GetRole(AwsClient& aws, const std::string& role_name) {
  auto r = aws.Query("iam", "GetRole", {{"RoleName", role_name}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node role = r->Result().child("Role");
  Role out{Text(role, "RoleName"), Text(role, "Arn")};
  if (out.arn.empty()) return AwsFail(Malformed("iam:GetRole", "no Role/Arn in response", r->request_id));
  return out;
}

AwsResult<std::string> iam::GetUserArn(AwsClient& aws, const std::string& user_name) {
  auto r = aws.Query("iam", "GetUser", {{"UserName", user_name}});
  if (!r) return AwsFail(r.error());
  std::string arn = r->Result().child("User").child("Arn").text().as_string();
  if (arn.empty()) return AwsFail(Malformed("iam:GetUser", "no User/Arn in response", r->request_id));
  return arn;
}

namespace {
AwsResult<std::string> InlinePolicy(AwsClient& aws, const char* action, const char* principal_param,
                                    const std::string& principal, const std::string& policy_name) {
  auto r = aws.Query("iam", action, {{principal_param, principal}, {"PolicyName", policy_name}});
  if (!r) return AwsFail(r.error());
  // IAM returns policy documents URL-encoded (RFC 3986).
  return UriDecode(Text(r->Result(), "PolicyDocument"));
}
}  // namespace

AwsResult<std::string> iam::GetRolePolicy(AwsClient& aws, const std::string& role_name,
                                          const std::string& policy_name) {
  return InlinePolicy(aws, "GetRolePolicy", "RoleName", role_name, policy_name);
}

AwsResult<std::string> iam::GetUserPolicy(AwsClient& aws, const std::string& user_name,
                                          const std::string& policy_name) {
  return InlinePolicy(aws, "GetUserPolicy", "UserName", user_name, policy_name);
}

AwsStatus iam::PutRolePolicy(AwsClient& aws, const std::string& role_name, const std::string& policy_name,
                             const std::string& policy_document) {
  return Done(aws.Query("iam", "PutRolePolicy",
                        {{"RoleName", role_name}, {"PolicyName", policy_name}, {"PolicyDocument", policy_document}}));
}

AwsStatus iam::DeleteRolePolicy(AwsClient& aws, const std::string& role_name, const std::string& policy_name) {
  return Done(aws.Query("iam", "DeleteRolePolicy", {{"RoleName", role_name}, {"PolicyName", policy_name}}));
}

AwsResult<std::vector<std::string>> iam::ListInstanceProfilesForRole(AwsClient& aws, const std::string& role_name) {
  std::vector<std::string> out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams params = {{"RoleName", role_name}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto r = aws.Query("iam", "ListInstanceProfilesForRole", params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node p : result.child("InstanceProfiles").children("member")) out.push_back(Text(p, "Arn"));
    return Text(result, "IsTruncated") == "true" ? Text(result, "Marker") : std::string();
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::vector<ec2::NetworkAcl>> ec2::DescribeNetworkAcls(AwsClient& aws, const std::vector<std::string>& ids,
                                                                 const std::vector<Filter>& filters) {
  std::vector<NetworkAcl> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    QueryParams params;
    AddList(params, "NetworkAclId", ids);
    AddFilters(params, filters);
    if (!token.empty()) params.emplace_back("NextToken", token);
    auto r = aws.Query("ec2", "DescribeNetworkAcls", params);
    if (!r) return AwsFail(r.error());
    for (pugi::xml_node node : r->Root().child("networkAclSet").children("item")) {
      NetworkAcl acl{Text(node, "networkAclId"), Text(node, "vpcId"), Text(node, "default") == "true", {}, {}};
      for (pugi::xml_node e : node.child("entrySet").children("item")) {
        std::string cidr = Text(e, "cidrBlock");
        if (cidr.empty()) cidr = Text(e, "ipv6CidrBlock");
        acl.entries.push_back({e.child("ruleNumber").text().as_int(), Text(e, "egress") == "true",
                               Text(e, "protocol"), Text(e, "ruleAction"), cidr});
      }
      for (pugi::xml_node a : node.child("associationSet").children("item")) acl.subnet_ids.push_back(Text(a, "subnetId"));
      out.push_back(std::move(acl));
    }
    return Text(r->Root(), "nextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsStatus ec2::CreateNetworkAclEntry(AwsClient& aws, const std::string& acl_id, const NetworkAclEntry& entry) {
  QueryParams params = {{"NetworkAclId", acl_id},
                        {"RuleNumber", std::to_string(entry.rule_number)},
                        {"Protocol", entry.protocol.empty() ? "-1" : entry.protocol},
                        {"RuleAction", entry.rule_action},
                        {"Egress", entry.egress ? "true" : "false"}};
  params.emplace_back(entry.cidr.find(':') == std::string::npos ? "CidrBlock" : "Ipv6CidrBlock", entry.cidr);
  return Done(aws.Query("ec2", "CreateNetworkAclEntry", params));
}

AwsStatus ec2::DeleteNetworkAclEntry(AwsClient& aws, const std::string& acl_id, int rule_number, bool egress) {
  return Done(aws.Query("ec2", "DeleteNetworkAclEntry", {{"NetworkAclId", acl_id},
                                                         {"RuleNumber", std::to_string(rule_number)},
                                                         {"Egress", egress ? "true" : "false"}}));
}

AwsResult<std::vector<std::string>> ec2::VpcIpv6Cidrs(AwsClient& aws, const std::string& vpc_id) {
  auto r = aws.Query("ec2", "DescribeVpcs", {{"VpcId.1", vpc_id}});
  if (!r) return AwsFail(r.error());
  std::vector<std::string> out;
  for (pugi::xml_node vpc : r->Root().child("vpcSet").children("item")) {
    for (pugi::xml_node a : vpc.child("ipv6CidrBlockAssociationSet").children("item")) {
      std::string state = a.child("ipv6CidrBlockState").child("state").text().as_string();
      if (state.empty() || state == "associated") out.push_back(Text(a, "ipv6CidrBlock"));
    }
  }
  return out;
}

AwsStatus cloudtrail::StartLogging(AwsClient& aws, const std::string& trail) {
  return Done(aws.Json("cloudtrail", "StartLogging", {{"Name", trail}}));
}

AwsStatus cloudtrail::StopLogging(AwsClient& aws, const std::string& trail) {
  return Done(aws.Json("cloudtrail", "StopLogging", {{"Name", trail}}));
}

AwsStatus s3::PutBucketVersioning(AwsClient& aws, const std::string& bucket, bool enabled) {
  RestRequest req{.service = "s3", .method = "PUT", .bucket = bucket, .query = {{"versioning", ""}},
                  .headers = {{"Content-Type", "application/xml"}}, .content_md5 = true,
                  .operation = "s3:PutBucketVersioning"};
  req.body = std::string("<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>") +
             (enabled ? "Enabled" : "Suspended") + "</Status></VersioningConfiguration>";
  return Done(aws.Rest(req));
}

// --------------------------- respond/: instance attributes, IMDS, snapshot and image sharing, IAM users
AwsResult<std::string> ec2::DescribeInstanceAttribute(AwsClient& aws, const std::string& instance_id,
                                                      const std::string& attribute) {
  auto r = aws.Query("ec2", "DescribeInstanceAttribute", {{"InstanceId", instance_id}, {"Attribute", attribute}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node node = r->Root().child(attribute.c_str());
  if (!node) {
    return AwsFail(Malformed("ec2:DescribeInstanceAttribute", "no " + attribute + " in response", r->request_id));
  }
  return std::string(node.child("value").text().as_string());
}

AwsStatus ec2::ModifyInstanceAttribute(AwsClient& aws, const std::string& instance_id, const std::string& attribute,
                                       const std::string& value) {
  return Done(aws.Query("ec2", "ModifyInstanceAttribute",
                        {{"InstanceId", instance_id}, {"Attribute", attribute}, {"Value", value}}));
}

AwsStatus ec2::ModifyInstanceMetadataOptions(AwsClient& aws, const std::string& instance_id,
                                             const std::string& http_tokens, const std::string& http_endpoint) {
  QueryParams params = {{"InstanceId", instance_id}};
  if (!http_tokens.empty()) params.emplace_back("HttpTokens", http_tokens);
  if (!http_endpoint.empty()) params.emplace_back("HttpEndpoint", http_endpoint);
  return Done(aws.Query("ec2", "ModifyInstanceMetadataOptions", params));
}

namespace {
ec2::SharePermissions ReadPermissions(const pugi::xml_node& list) {
  ec2::SharePermissions out;
  for (pugi::xml_node item : list.children("item")) {
    if (std::string g = Text(item, "group"); !g.empty()) out.groups.push_back(g);
    if (std::string u = Text(item, "userId"); !u.empty()) out.user_ids.push_back(u);
  }
  return out;
}

QueryParams PermissionChange(const char* id_param, const std::string& id, const char* attribute, bool add,
                             const ec2::SharePermissions& permissions) {
  QueryParams params = {{id_param, id}, {"Attribute", attribute}, {"OperationType", add ? "add" : "remove"}};
  AddList(params, "UserGroup", permissions.groups);
  AddList(params, "UserId", permissions.user_ids);
  return params;
}
}  // namespace

AwsResult<ec2::SharePermissions> ec2::DescribeSnapshotCreateVolumePermission(AwsClient& aws,
                                                                            const std::string& snapshot_id) {
  auto r = aws.Query("ec2", "DescribeSnapshotAttribute",
                     {{"SnapshotId", snapshot_id}, {"Attribute", "createVolumePermission"}});
  if (!r) return AwsFail(r.error());
  return ReadPermissions(r->Root().child("createVolumePermission"));
}

AwsResult<ec2::SharePermissions> ec2::DescribeImageLaunchPermission(AwsClient& aws, const std::string& image_id) {
  auto r = aws.Query("ec2", "DescribeImageAttribute", {{"ImageId", image_id}, {"Attribute", "launchPermission"}});
  if (!r) return AwsFail(r.error());
  return ReadPermissions(r->Root().child("launchPermission"));
}

AwsStatus ec2::ModifySnapshotCreateVolumePermission(AwsClient& aws, const std::string& snapshot_id, bool add,
                                                    const SharePermissions& permissions) {
  return Done(aws.Query("ec2", "ModifySnapshotAttribute",
                        PermissionChange("SnapshotId", snapshot_id, "createVolumePermission", add, permissions)));
}

AwsStatus ec2::ModifyImageLaunchPermission(AwsClient& aws, const std::string& image_id, bool add,
                                           const SharePermissions& permissions) {
  return Done(aws.Query("ec2", "ModifyImageAttribute",
                        PermissionChange("ImageId", image_id, "launchPermission", add, permissions)));
}

AwsResult<std::vector<std::string>> ec2::ExistingImages(AwsClient& aws, const std::vector<std::string>& image_ids) {
  QueryParams params;
  AddList(params, "ImageId", image_ids);
  auto r = aws.Query("ec2", "DescribeImages", params);
  if (!r) return AwsFail(r.error());
  std::vector<std::string> out;
  for (pugi::xml_node node : r->Root().child("imagesSet").children("item")) out.push_back(Text(node, "imageId"));
  return out;
}

AwsResult<std::vector<std::string>> iam::ListGroupsForUser(AwsClient& aws, const std::string& user_name) {
  std::vector<std::string> out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams params = {{"UserName", user_name}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto r = aws.Query("iam", "ListGroupsForUser", params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node g : result.child("Groups").children("member")) out.push_back(Text(g, "GroupName"));
    return Text(result, "IsTruncated") == "true" ? Text(result, "Marker") : std::string();
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsStatus iam::AddUserToGroup(AwsClient& aws, const std::string& user_name, const std::string& group_name) {
  return Done(aws.Query("iam", "AddUserToGroup", {{"UserName", user_name}, {"GroupName", group_name}}));
}

AwsResult<std::string> iam::GetGroupArn(AwsClient& aws, const std::string& group_name) {
  auto r = aws.Query("iam", "GetGroup", {{"GroupName", group_name}, {"MaxItems", "1"}});
  if (!r) return AwsFail(r.error());
  std::string arn = r->Result().child("Group").child("Arn").text().as_string();
  if (arn.empty()) return AwsFail(Malformed("iam:GetGroup", "no Group/Arn in response", r->request_id));
  return arn;
}

AwsStatus iam::RemoveUserFromGroup(AwsClient& aws, const std::string& user_name, const std::string& group_name) {
  return Done(aws.Query("iam", "RemoveUserFromGroup", {{"UserName", user_name}, {"GroupName", group_name}}));
}

AwsResult<iam::LoginProfile> iam::GetLoginProfile(AwsClient& aws, const std::string& user_name) {
  auto r = aws.Query("iam", "GetLoginProfile", {{"UserName", user_name}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node profile = r->Result().child("LoginProfile");
  if (!profile) return AwsFail(Malformed("iam:GetLoginProfile", "no LoginProfile in response", r->request_id));
  return LoginProfile{Text(profile, "CreateDate"), Text(profile, "PasswordResetRequired") == "true"};
}

AwsStatus iam::DeleteLoginProfile(AwsClient& aws, const std::string& user_name) {
  return Done(aws.Query("iam", "DeleteLoginProfile", {{"UserName", user_name}}));
}

AwsStatus s3::DeleteBucketPolicy(AwsClient& aws, const std::string& bucket) {
  return Done(aws.Rest({.service = "s3", .method = "DELETE", .bucket = bucket, .query = {{"policy", ""}},
                        .operation = "s3:DeleteBucketPolicy"}));
}

AwsResult<std::string> s3::GetBucketAclDocument(AwsClient& aws, const std::string& bucket) {
  auto r = aws.Rest({.service = "s3", .bucket = bucket, .query = {{"acl", ""}}, .operation = "s3:GetBucketAcl"});
  if (!r) return AwsFail(r.error());
  return std::move(r->body);
}

AwsStatus s3::PutBucketAclDocument(AwsClient& aws, const std::string& bucket, const std::string& document) {
  return Done(aws.Rest({.service = "s3", .method = "PUT", .bucket = bucket, .query = {{"acl", ""}},
                        .headers = {{"Content-Type", "application/xml"}}, .body = document, .content_md5 = true,
                        .operation = "s3:PutBucketAcl"}));
}

// ---------------------------------- respond/: Lambda concurrency, GuardDuty detectors, RDS access
namespace {
std::string ConcurrencyPath(const char* version, const std::string& function_name) {
  return std::string("/") + version + "/functions/" + function_name + "/concurrency";
}
}  // namespace

AwsResult<std::optional<int>> lambda::GetFunctionConcurrency(AwsClient& aws, const std::string& function_name) {
  auto r = aws.RestJson({.service = "lambda", .path = ConcurrencyPath("2019-09-30", function_name),
                         .operation = "lambda:GetFunctionConcurrency"});
  if (!r) return AwsFail(r.error());
  auto it = r->body.find("ReservedConcurrentExecutions");
  if (it == r->body.end() || it->is_null()) return std::optional<int>();
  if (!it->is_number_integer()) {
    return AwsFail(Malformed("lambda:GetFunctionConcurrency", "ReservedConcurrentExecutions is not an integer",
                             r->request_id));
  }
  return std::optional<int>(it->get<int>());
}

AwsStatus lambda::PutFunctionConcurrency(AwsClient& aws, const std::string& function_name, int reserved) {
  return Done(aws.RestJson({.service = "lambda", .method = "PUT", .path = ConcurrencyPath("2017-10-31", function_name),
                            .body = nlohmann::json{{"ReservedConcurrentExecutions", reserved}}.dump(),
                            .operation = "lambda:PutFunctionConcurrency"}));
}

AwsStatus lambda::DeleteFunctionConcurrency(AwsClient& aws, const std::string& function_name) {
  return Done(aws.Rest({.service = "lambda", .method = "DELETE", .path = ConcurrencyPath("2017-10-31", function_name),
                        .operation = "lambda:DeleteFunctionConcurrency"}));
}

AwsResult<std::string> guardduty::CreateDetector(AwsClient& aws, bool enable) {
  auto r = aws.RestJson({.service = "guardduty", .method = "POST", .path = "/detector",
                         .body = nlohmann::json{{"enable", enable}}.dump(), .operation = "guardduty:CreateDetector"});
  if (!r) return AwsFail(r.error());
  auto it = r->body.find("detectorId");
  if (it == r->body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return AwsFail(Malformed("guardduty:CreateDetector", "no detectorId in response", r->request_id));
  }
  return it->get<std::string>();
}

AwsStatus guardduty::UpdateDetector(AwsClient& aws, const std::string& detector_id, bool enable) {
  return Done(aws.RestJson({.service = "guardduty", .method = "POST", .path = "/detector/" + detector_id,
                            .body = nlohmann::json{{"enable", enable}}.dump(), .operation = "guardduty:UpdateDetector"}));
}

AwsStatus guardduty::DeleteDetector(AwsClient& aws, const std::string& detector_id) {
  return Done(aws.Rest({.service = "guardduty", .method = "DELETE", .path = "/detector/" + detector_id,
                        .operation = "guardduty:DeleteDetector"}));
}

AwsResult<rds::DbInstanceAccess> rds::DescribeDbInstance(AwsClient& aws, const std::string& instance_id) {
  auto r = aws.Query("rds", "DescribeDBInstances", {{"DBInstanceIdentifier", instance_id}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node m = r->Result().child("DBInstances").first_child();
  if (!m) {
    return AwsFail({.code = ErrorCode::kNotFound, .aws_code = "DBInstanceNotFound",
                    .message = "no DB instance " + instance_id, .request_id = r->request_id,
                    .operation = "rds:DescribeDBInstances"});
  }
  return DbInstanceAccess{Text(m, "DBInstanceIdentifier"), Text(m, "DBInstanceStatus"),
                          Text(m, "PubliclyAccessible") == "true"};
}

AwsResult<std::string> rds::DescribeDbSnapshotStatus(AwsClient& aws, const std::string& snapshot_id) {
  auto r = aws.Query("rds", "DescribeDBSnapshots", {{"DBSnapshotIdentifier", snapshot_id}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node m = r->Result().child("DBSnapshots").first_child();
  if (!m) {
    return AwsFail({.code = ErrorCode::kNotFound, .aws_code = "DBSnapshotNotFound",
                    .message = "no DB snapshot " + snapshot_id, .request_id = r->request_id,
                    .operation = "rds:DescribeDBSnapshots"});
  }
  return Text(m, "Status");
}

AwsResult<std::string> rds::CreateDbSnapshot(AwsClient& aws, const std::string& instance_id,
                                             const std::string& snapshot_id, const Tags& tags) {
  QueryParams params = {{"DBInstanceIdentifier", instance_id}, {"DBSnapshotIdentifier", snapshot_id}};
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string p = "Tags.Tag." + std::to_string(i + 1);
    params.emplace_back(p + ".Key", tags[i].first);
    params.emplace_back(p + ".Value", tags[i].second);
  }
  auto r = aws.Query("rds", "CreateDBSnapshot", params);
  if (!r) return AwsFail(r.error());
  std::string id = r->Result().child("DBSnapshot").child("DBSnapshotIdentifier").text().as_string();
  if (id.empty()) return AwsFail(Malformed("rds:CreateDBSnapshot", "no DBSnapshotIdentifier in response", r->request_id));
  return id;
}

AwsStatus rds::ModifyDbInstancePubliclyAccessible(AwsClient& aws, const std::string& instance_id,
                                                  bool publicly_accessible) {
  return Done(aws.Query("rds", "ModifyDBInstance",
                        {{"DBInstanceIdentifier", instance_id},
                         {"PubliclyAccessible", publicly_accessible ? "true" : "false"},
                         {"ApplyImmediately", "true"}}));
}

// ------------------------------------------------- respond/: S3 object versions (restore-object-versions)
AwsResult<std::string> s3::DeleteObject(AwsClient& aws, const std::string& bucket, const std::string& key,
                                        const std::string& version_id) {
  RestRequest req{.service = "s3", .method = "DELETE", .bucket = bucket, .path = "/" + key,
                  .operation = version_id.empty() ? "s3:DeleteObject" : "s3:DeleteObjectVersion"};
  if (!version_id.empty()) req.query.emplace_back("versionId", version_id);
  auto r = aws.Rest(req);
  if (!r) return AwsFail(r.error());
  return std::string(r->Header("x-amz-version-id").value_or(""));
}

AwsResult<std::string> s3::CopyObjectVersion(AwsClient& aws, const std::string& bucket, const std::string& key,
                                             const std::string& source_version_id) {
  const char* op = "s3:CopyObject";
  std::string source = "/" + bucket + "/" + UriEncode(key, true) + "?versionId=" + UriEncode(source_version_id);
  auto r = aws.Rest({.service = "s3", .method = "PUT", .bucket = bucket, .path = "/" + key,
                     .headers = {{"x-amz-copy-source", source}}, .operation = op});
  if (!r) return AwsFail(r.error());
  // S3 may answer 200 and still fail the copy: the error is then the body.
  pugi::xml_document doc;
  if (!r->body.empty() && doc.load_buffer(r->body.data(), r->body.size()) &&
      std::string_view(doc.document_element().name()) == "Error") {
    pugi::xml_node e = doc.document_element();
    return AwsFail({.code = ErrorCode::kUnavailable, .aws_code = Text(e, "Code"),
                    .message = "copy failed: " + Text(e, "Message"), .request_id = r->request_id, .operation = op});
  }
  std::string version(r->Header("x-amz-version-id").value_or(""));
  if (version.empty()) {
    return AwsFail(Malformed(op, "no x-amz-version-id in response (is the bucket versioned?)", r->request_id));
  }
  return version;
}

// ------------------------------------ respond/: Auto Scaling and ELBv2 targets (detach-from-auto-scaling)
AwsResult<std::optional<autoscaling::InstanceGroup>> autoscaling::DescribeAutoScalingInstance(
    AwsClient& aws, const std::string& instance_id) {
  auto r = aws.Query("autoscaling", "DescribeAutoScalingInstances", {{"InstanceIds.member.1", instance_id}});
  if (!r) return AwsFail(r.error());
  for (pugi::xml_node m : r->Result().child("AutoScalingInstances").children("member")) {
    if (Text(m, "InstanceId") != instance_id) continue;
    return std::optional<InstanceGroup>(
        InstanceGroup{Text(m, "AutoScalingGroupName"), Text(m, "LifecycleState"), Text(m, "HealthStatus")});
  }
  return std::optional<InstanceGroup>();
}

AwsStatus autoscaling::DetachInstances(AwsClient& aws, const std::string& group_name,
                                       const std::vector<std::string>& instance_ids, bool decrement_desired_capacity) {
  QueryParams params = {{"AutoScalingGroupName", group_name},
                        {"ShouldDecrementDesiredCapacity", decrement_desired_capacity ? "true" : "false"}};
  AddList(params, "InstanceIds.member", instance_ids);
  return Done(aws.Query("autoscaling", "DetachInstances", params));
}

AwsStatus autoscaling::AttachInstances(AwsClient& aws, const std::string& group_name,
                                       const std::vector<std::string>& instance_ids) {
  QueryParams params = {{"AutoScalingGroupName", group_name}};
  AddList(params, "InstanceIds.member", instance_ids);
  return Done(aws.Query("autoscaling", "AttachInstances", params));
}

AwsResult<std::vector<elbv2::TargetGroup>> elbv2::DescribeTargetGroups(AwsClient& aws) {
  std::vector<TargetGroup> out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams params;
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto r = aws.Query("elbv2", "DescribeTargetGroups", params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node m : result.child("TargetGroups").children("member")) {
      out.push_back({Text(m, "TargetGroupArn"), Text(m, "TargetGroupName"), Text(m, "TargetType")});
    }
    return Text(result, "NextMarker");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::vector<elbv2::TargetHealth>> elbv2::DescribeTargetHealth(AwsClient& aws,
                                                                      const std::string& target_group_arn) {
  auto r = aws.Query("elbv2", "DescribeTargetHealth", {{"TargetGroupArn", target_group_arn}});
  if (!r) return AwsFail(r.error());
  std::vector<TargetHealth> out;
  for (pugi::xml_node m : r->Result().child("TargetHealthDescriptions").children("member")) {
    pugi::xml_node target = m.child("Target");
    out.push_back({Text(target, "Id"), target.child("Port").text().as_int(), Text(m.child("TargetHealth"), "State")});
  }
  return out;
}

namespace {
QueryParams TargetParams(const std::string& target_group_arn, const std::string& id, int port) {
  QueryParams params = {{"TargetGroupArn", target_group_arn}, {"Targets.member.1.Id", id}};
  if (port > 0) params.emplace_back("Targets.member.1.Port", std::to_string(port));
  return params;
}
}  // namespace

AwsStatus elbv2::RegisterTarget(AwsClient& aws, const std::string& target_group_arn, const std::string& id, int port) {
  return Done(aws.Query("elbv2", "RegisterTargets", TargetParams(target_group_arn, id, port)));
}

AwsStatus elbv2::DeregisterTarget(AwsClient& aws, const std::string& target_group_arn, const std::string& id, int port) {
  return Done(aws.Query("elbv2", "DeregisterTargets", TargetParams(target_group_arn, id, port)));
}

// ---------------------------------------------------------- respond/: AWS Support (open-support-case)
AwsResult<std::vector<support::Case>> support::DescribeCases(AwsClient& aws) {
  std::vector<Case> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    nlohmann::json body = {{"includeResolvedCases", true}, {"includeCommunications", false}};
    if (!token.empty()) body["nextToken"] = token;
    auto r = aws.Json("support", "DescribeCases", body);
    if (!r) return AwsFail(r.error());
    for (const auto& c : r->body.value("cases", nlohmann::json::array())) {
      if (!c.is_object()) continue;
      out.push_back({c.value("caseId", ""), c.value("displayId", ""), c.value("subject", ""), c.value("status", "")});
    }
    auto next = r->body.find("nextToken");
    return next != r->body.end() && next->is_string() ? next->get<std::string>() : std::string();
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::string> support::CreateCase(AwsClient& aws, const NewCase& c) {
  nlohmann::json body = {{"subject", c.subject}, {"communicationBody", c.communication_body},
                         {"severityCode", c.severity_code}, {"issueType", c.issue_type}, {"language", "en"}};
  if (!c.service_code.empty()) body["serviceCode"] = c.service_code;
  if (!c.category_code.empty()) body["categoryCode"] = c.category_code;
  auto r = aws.Json("support", "CreateCase", body);
  if (!r) return AwsFail(r.error());
  auto id = r->body.find("caseId");
  if (id == r->body.end() || !id->is_string() || id->get<std::string>().empty()) {
    return AwsFail(Malformed("support:CreateCase", "no caseId in response", r->request_id));
  }
  return id->get<std::string>();
}


// ------------------------------------------------------ respond/: eradicate-created-iam (IAM)
namespace {
Tags MemberTags(const pugi::xml_node& set) {
  Tags tags;
  for (pugi::xml_node t : set.children("member")) tags.emplace_back(Text(t, "Key"), Text(t, "Value"));
  return tags;
}

// Every `field` of the members of `list` over the pages of an IAM List* call.
AwsResult<std::vector<std::string>> IamNames(AwsClient& aws, const char* action, QueryParams params,
                                             const char* list, const char* field) {
  std::vector<std::string> out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams page = params;
    if (!marker.empty()) page.emplace_back("Marker", marker);
    auto r = aws.Query("iam", action, page);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node m : result.child(list).children("member")) {
      out.push_back(field ? Text(m, field) : std::string(m.text().as_string()));
    }
    return Text(result, "IsTruncated") == "true" ? Text(result, "Marker") : std::string();
  });
  if (!status) return AwsFail(status.error());
  return out;
}
}  // namespace

AwsResult<iam::UserDescription> iam::GetUserDetail(AwsClient& aws, const std::string& user_name) {
  auto r = aws.Query("iam", "GetUser", {{"UserName", user_name}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node u = r->Result().child("User");
  UserDescription out{Text(u, "UserName"), Text(u, "Arn"), Text(u, "Path"), Text(u, "CreateDate"), MemberTags(u.child("Tags"))};
  if (out.arn.empty()) return AwsFail(Malformed("iam:GetUser", "no User/Arn in response", r->request_id));
  return out;
}

AwsResult<iam::RoleDescription> iam::GetRoleDetail(AwsClient& aws, const std::string& role_name) {
  auto r = aws.Query("iam", "GetRole", {{"RoleName", role_name}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node role = r->Result().child("Role");
  RoleDescription out;
  out.name = Text(role, "RoleName");
  out.arn = Text(role, "Arn");
  out.path = Text(role, "Path");
  out.create_date = Text(role, "CreateDate");
  out.trust_policy = UriDecode(Text(role, "AssumeRolePolicyDocument"));
  out.description = Text(role, "Description");
  out.max_session_duration = role.child("MaxSessionDuration").text().as_int();
  out.tags = MemberTags(role.child("Tags"));
  if (out.arn.empty()) return AwsFail(Malformed("iam:GetRole", "no Role/Arn in response", r->request_id));
  return out;
}

AwsResult<iam::PolicyDescription> iam::GetPolicy(AwsClient& aws, const std::string& policy_arn) {
  auto r = aws.Query("iam", "GetPolicy", {{"PolicyArn", policy_arn}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node p = r->Result().child("Policy");
  PolicyDescription out{Text(p, "Arn"),         Text(p, "PolicyName"),       Text(p, "Path"), Text(p, "Description"),
                    Text(p, "DefaultVersionId"), Text(p, "CreateDate"), MemberTags(p.child("Tags"))};
  if (out.arn.empty()) return AwsFail(Malformed("iam:GetPolicy", "no Policy/Arn in response", r->request_id));
  return out;
}

AwsResult<std::vector<iam::PolicyVersion>> iam::ListPolicyVersions(AwsClient& aws, const std::string& policy_arn) {
  std::vector<PolicyVersion> out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams params = {{"PolicyArn", policy_arn}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto r = aws.Query("iam", "ListPolicyVersions", params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node m : result.child("Versions").children("member")) {
      out.push_back({Text(m, "VersionId"), Text(m, "IsDefaultVersion") == "true", Text(m, "CreateDate")});
    }
    return Text(result, "IsTruncated") == "true" ? Text(result, "Marker") : std::string();
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::string> iam::GetPolicyVersionDocument(AwsClient& aws, const std::string& policy_arn,
                                                     const std::string& version_id) {
  auto r = aws.Query("iam", "GetPolicyVersion", {{"PolicyArn", policy_arn}, {"VersionId", version_id}});
  if (!r) return AwsFail(r.error());
  pugi::xml_node v = r->Result().child("PolicyVersion");
  if (!v) return AwsFail(Malformed("iam:GetPolicyVersion", "no PolicyVersion in response", r->request_id));
  return UriDecode(Text(v, "Document"));
}

AwsResult<iam::PolicyEntities> iam::ListEntitiesForPolicy(AwsClient& aws, const std::string& policy_arn) {
  PolicyEntities out;
  auto status = Paginate([&](const std::string& marker) -> AwsResult<std::string> {
    QueryParams params = {{"PolicyArn", policy_arn}};
    if (!marker.empty()) params.emplace_back("Marker", marker);
    auto r = aws.Query("iam", "ListEntitiesForPolicy", params);
    if (!r) return AwsFail(r.error());
    pugi::xml_node result = r->Result();
    for (pugi::xml_node m : result.child("PolicyUsers").children("member")) out.users.push_back(Text(m, "UserName"));
    for (pugi::xml_node m : result.child("PolicyRoles").children("member")) out.roles.push_back(Text(m, "RoleName"));
    for (pugi::xml_node m : result.child("PolicyGroups").children("member")) out.groups.push_back(Text(m, "GroupName"));
    return Text(result, "IsTruncated") == "true" ? Text(result, "Marker") : std::string();
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::vector<std::string>> iam::ListUserPolicies(AwsClient& aws, const std::string& user_name) {
  return IamNames(aws, "ListUserPolicies", {{"UserName", user_name}}, "PolicyNames", nullptr);
}

AwsResult<std::vector<std::string>> iam::ListRolePolicies(AwsClient& aws, const std::string& role_name) {
  return IamNames(aws, "ListRolePolicies", {{"RoleName", role_name}}, "PolicyNames", nullptr);
}

AwsResult<std::vector<std::string>> iam::ListAttachedUserPolicies(AwsClient& aws, const std::string& user_name) {
  return IamNames(aws, "ListAttachedUserPolicies", {{"UserName", user_name}}, "AttachedPolicies", "PolicyArn");
}

AwsResult<std::vector<std::string>> iam::ListAttachedRolePolicies(AwsClient& aws, const std::string& role_name) {
  return IamNames(aws, "ListAttachedRolePolicies", {{"RoleName", role_name}}, "AttachedPolicies", "PolicyArn");
}

AwsResult<std::vector<std::string>> iam::ListMfaDevices(AwsClient& aws, const std::string& user_name) {
  return IamNames(aws, "ListMFADevices", {{"UserName", user_name}}, "MFADevices", "SerialNumber");
}

AwsStatus iam::IamWrite(AwsClient& aws, const std::string& action, const QueryParams& params) {
  return Done(aws.Query("iam", action, params));
}

// ------------------------------------------------------------- respond/: run-patch-baseline (SSM)
namespace {
std::string JsonText(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  // JSON protocols send timestamps as epoch seconds.
  if (it->is_number()) return FormatIsoTime(static_cast<int64_t>(it->get<double>() * 1000));
  return "";
}
}  // namespace

AwsResult<std::vector<ssm::InstanceInformation>> ssm::DescribeInstanceInformation(
    AwsClient& aws, const std::vector<std::string>& instance_ids) {
  std::vector<InstanceInformation> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    nlohmann::json body = nlohmann::json::object();
    if (!instance_ids.empty()) body["Filters"] = {{{"Key", "InstanceIds"}, {"Values", instance_ids}}};
    if (!token.empty()) body["NextToken"] = token;
    auto r = aws.Json("ssm", "DescribeInstanceInformation", body);
    if (!r) return AwsFail(r.error());
    for (const auto& i : r->body.value("InstanceInformationList", nlohmann::json::array())) {
      if (!i.is_object()) continue;
      out.push_back({JsonText(i, "InstanceId"), JsonText(i, "PingStatus"), JsonText(i, "PlatformName"),
                     JsonText(i, "AgentVersion")});
    }
    return JsonText(r->body, "NextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::vector<ssm::Command>> ssm::ListCommands(AwsClient& aws, const std::string& instance_id) {
  std::vector<Command> out;
  auto status = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    nlohmann::json body = {{"InstanceId", instance_id}};
    if (!token.empty()) body["NextToken"] = token;
    auto r = aws.Json("ssm", "ListCommands", body);
    if (!r) return AwsFail(r.error());
    for (const auto& c : r->body.value("Commands", nlohmann::json::array())) {
      if (!c.is_object()) continue;
      Command command{JsonText(c, "CommandId"), JsonText(c, "DocumentName"), JsonText(c, "Comment"),
                      JsonText(c, "Status"), JsonText(c, "RequestedDateTime"), {}};
      const nlohmann::json parameters = c.value("Parameters", nlohmann::json::object());
      for (const auto& [name, values] : parameters.items()) {
        if (!values.is_array()) continue;
        for (const auto& v : values) {
          if (v.is_string()) command.parameters[name].push_back(v.get<std::string>());
        }
      }
      out.push_back(std::move(command));
    }
    return JsonText(r->body, "NextToken");
  });
  if (!status) return AwsFail(status.error());
  return out;
}

AwsResult<std::string> ssm::SendCommand(AwsClient& aws, const std::vector<std::string>& instance_ids,
                                        const std::string& document_name,
                                        const std::map<std::string, std::vector<std::string>>& parameters,
                                        const std::string& comment) {
  nlohmann::json body = {{"InstanceIds", instance_ids}, {"DocumentName", document_name}, {"Parameters", parameters}};
  if (!comment.empty()) body["Comment"] = comment;
  auto r = aws.Json("ssm", "SendCommand", body);
  if (!r) return AwsFail(r.error());
  std::string id = r->body.is_object() ? JsonText(r->body.value("Command", nlohmann::json::object()), "CommandId") : "";
  if (id.empty()) return AwsFail(Malformed("ssm:SendCommand", "no Command/CommandId in response", r->request_id));
  return id;
}

// ------------------------------------------------------------ respond/: restore-from-backup (Backup)
namespace {
// The path of a recovery point; its ARN is one segment ("/" in it sent as %2F).
std::string RecoveryPointPath(const std::string& vault, const std::string& arn) {
  return "/backup-vaults/" + UriEncode(vault) + "/recovery-points/" + UriEncode(arn);
}

backup::RestoreJob RestoreJobOf(const nlohmann::json& j) {
  return {JsonText(j, "RestoreJobId"), JsonText(j, "RecoveryPointArn"), JsonText(j, "Status"),
          JsonText(j, "CreationDate"), JsonText(j, "CreatedResourceArn"), JsonText(j, "ResourceType")};
}
}  // namespace

AwsResult<backup::RecoveryPointDetail> backup::DescribeRecoveryPoint(AwsClient& aws, const std::string& vault_name,
                                                                     const std::string& recovery_point_arn) {
  auto r = aws.RestJson({.service = "backup", .path = RecoveryPointPath(vault_name, recovery_point_arn),
                         .path_encoded = true, .operation = "backup:DescribeRecoveryPoint"});
  if (!r) return AwsFail(r.error());
  if (!r->body.is_object()) return AwsFail(Malformed("backup:DescribeRecoveryPoint", "response is not an object", r->request_id));
  RecoveryPointDetail out{JsonText(r->body, "RecoveryPointArn"), JsonText(r->body, "BackupVaultName"),
                          JsonText(r->body, "ResourceArn"),      JsonText(r->body, "ResourceType"),
                          JsonText(r->body, "Status"),           JsonText(r->body, "CreationDate"),
                          JsonText(r->body, "IamRoleArn")};
  if (out.arn.empty()) {
    return AwsFail(Malformed("backup:DescribeRecoveryPoint", "no RecoveryPointArn in response", r->request_id));
  }
  return out;
}

AwsResult<std::map<std::string, std::string>> backup::GetRecoveryPointRestoreMetadata(
    AwsClient& aws, const std::string& vault_name, const std::string& recovery_point_arn) {
  auto r = aws.RestJson({.service = "backup", .path = RecoveryPointPath(vault_name, recovery_point_arn) + "/restore-metadata",
                         .path_encoded = true, .operation = "backup:GetRecoveryPointRestoreMetadata"});
  if (!r) return AwsFail(r.error());
  std::map<std::string, std::string> out;
  if (!r->body.is_object()) return out;
  const nlohmann::json metadata = r->body.value("RestoreMetadata", nlohmann::json::object());
  for (const auto& [k, v] : metadata.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

AwsResult<std::vector<backup::RestoreJob>> backup::ListRestoreJobs(AwsClient& aws) {
  std::vector<RestoreJob> out;
  auto s = Paginate([&](const std::string& token) -> AwsResult<std::string> {
    RestRequest req{.service = "backup", .path = "/restore-jobs/", .operation = "backup:ListRestoreJobs"};
    if (!token.empty()) req.query.emplace_back("nextToken", token);
    auto r = aws.RestJson(req);
    if (!r) return AwsFail(r.error());
    if (!r->body.is_object()) return std::string();
    for (const auto& j : r->body.value("RestoreJobs", nlohmann::json::array())) {
      if (j.is_object()) out.push_back(RestoreJobOf(j));
    }
    return JsonText(r->body, "NextToken");
  });
  if (!s) return AwsFail(s.error());
  return out;
}

AwsResult<backup::RestoreJob> backup::DescribeRestoreJob(AwsClient& aws, const std::string& job_id) {
  auto r = aws.RestJson({.service = "backup", .path = "/restore-jobs/" + UriEncode(job_id), .path_encoded = true,
                         .operation = "backup:DescribeRestoreJob"});
  if (!r) return AwsFail(r.error());
  if (!r->body.is_object()) return AwsFail(Malformed("backup:DescribeRestoreJob", "response is not an object", r->request_id));
  return RestoreJobOf(r->body);
}

AwsResult<std::string> backup::StartRestoreJob(AwsClient& aws, const NewRestoreJob& job) {
  nlohmann::json body = {{"RecoveryPointArn", job.recovery_point_arn}, {"IamRoleArn", job.iam_role_arn},
                         {"Metadata", job.metadata}};
  if (!job.resource_type.empty()) body["ResourceType"] = job.resource_type;
  if (!job.idempotency_token.empty()) body["IdempotencyToken"] = job.idempotency_token;
  auto r = aws.RestJson({.service = "backup", .method = "PUT", .path = "/restore-jobs", .body = body.dump(),
                         .operation = "backup:StartRestoreJob"});
  if (!r) return AwsFail(r.error());
  std::string id = r->body.is_object() ? JsonText(r->body, "RestoreJobId") : "";
  if (id.empty()) return AwsFail(Malformed("backup:StartRestoreJob", "no RestoreJobId in response", r->request_id));
  return id;
}

}  // namespace cloudward::aws
