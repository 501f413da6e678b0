#include "aws/services.h"

#include "aws/service_helpers.h"

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
                     name == "DeleteMarker", n.child("Size").text().as_llong(), Text(n, "LastModified")});
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

}  // namespace cloudward::aws
