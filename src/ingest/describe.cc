// Describe(): who / what / where of one event, the same EventContext for every log type.
#include <array>
#include <string>

#include "ingest/scan.h"

namespace cloudward::ingest {
namespace {

using simdjson::dom::element;

// The value at a dotted path ("userIdentity.sessionContext.sessionIssuer.arn"), if any.
bool At(element e, std::string_view path, element* out) {
  while (true) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) return false;
    if (obj.at_key(key).get(e) != simdjson::SUCCESS) return false;
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  *out = e;
  return true;
}

// A value as text: strings as they are, numbers and booleans printed; else empty.
std::string ValueText(element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::STRING: return std::string(v.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: return std::to_string(v.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: return std::to_string(v.get_uint64().value_unsafe());
    case simdjson::dom::element_type::BOOL: return v.get_bool().value_unsafe() ? "true" : "false";
    case simdjson::dom::element_type::DOUBLE: return simdjson::minify(v);
    default: return {};
  }
}

// The value at `path` as text (ValueText), empty where there is none.
std::string Text(element e, std::string_view path) {
  element v;
  return At(e, path, &v) ? ValueText(v) : std::string();
}

void AddResource(EventContext& c, std::string value) {
  if (value.empty()) return;
  for (const std::string& r : c.resources) {
    if (r == value) return;
  }
  c.resources.push_back(std::move(value));
}

// "arn:aws:sts::123:assumed-role/Role/session" -> "session".
std::string SessionFromArn(std::string_view arn) {
  if (arn.find(":assumed-role/") == std::string_view::npos) return {};
  size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(arn.substr(slash + 1));
}

// The first value of each of `keys` in the object `e`, found in one pass over its members
// (a record's context reads ~40 members: one pass each for the record, userIdentity and
// requestParameters instead of one walk from the top per path).
template <size_t N>
class Members {
 public:
  // `e` may be null (an absent member): then nothing is found.
  Members(const element* e, const std::array<std::string_view, N>& keys) {
    simdjson::dom::object obj;
    if (e == nullptr || e->get_object().get(obj) != simdjson::SUCCESS) return;
    size_t left = N;
    for (const auto field : obj) {
      for (size_t i = 0; i < N; ++i) {
        if (!found_[i] && field.key == keys[i]) {
          values_[i] = field.value;
          found_[i] = true;
          --left;
          break;
        }
      }
      if (left == 0) break;
    }
  }
  const element* Get(size_t i) const { return found_[i] ? &values_[i] : nullptr; }
  // The member as text (ValueText), empty where absent; or the value at `path` under it.
  std::string Text(size_t i) const { return found_[i] ? ValueText(values_[i]) : std::string(); }
  std::string Text(size_t i, std::string_view path) const {
    return found_[i] ? cloudward::ingest::Text(values_[i], path) : std::string();
  }

 private:
  std::array<element, N> values_{};
  std::array<bool, N> found_{};
};

void DescribeCloudTrail(element r, EventContext& c) {
  enum Top { kEventId, kRecipient, kRegion, kIdentity, kSourceIp, kUserAgent, kEventSource, kEventName,
             kErrorCode, kInsight, kResources, kRequest, kResponse, kTopCount };
  const Members<kTopCount> top(&r, {"eventID", "recipientAccountId", "awsRegion", "userIdentity", "sourceIPAddress",
                                   "userAgent", "eventSource", "eventName", "errorCode", "insightDetails", "resources",
                                   "requestParameters", "responseElements"});
  enum Identity { kType, kArn, kAccessKey, kUserName, kAccount, kSessionContext, kInvokedBy, kIdentityCount };
  const Members<kIdentityCount> identity(
      top.Get(kIdentity), {"type", "arn", "accessKeyId", "userName", "accountId", "sessionContext", "invokedBy"});
  c.event_id = top.Text(kEventId);
  c.account = top.Text(kRecipient);
  if (c.account.empty()) c.account = identity.Text(kAccount);
  c.region = top.Text(kRegion);
  Actor& a = c.actor;
  a.type = identity.Text(kType);
  a.arn = identity.Text(kArn);
  a.access_key_id = identity.Text(kAccessKey);
  a.user_name = identity.Text(kUserName);
  if (a.user_name.empty()) a.user_name = identity.Text(kSessionContext, "sessionIssuer.userName");
  a.account = identity.Text(kAccount);
  a.session = SessionFromArn(a.arn);
  if (a.session.empty()) a.session = identity.Text(kSessionContext, "sessionIssuer.arn");
  if (a.type.empty()) a.type = identity.Text(kInvokedBy).empty() ? "" : "AWSService";
  c.source_ip = top.Text(kSourceIp);
  c.user_agent = top.Text(kUserAgent);
  c.event_source = top.Text(kEventSource);
  c.event_name = top.Text(kEventName);
  c.error_code = top.Text(kErrorCode);
  if (c.event_name.empty()) {  // Insights events name the API they are about here.
    c.event_name = top.Text(kInsight, "eventName");
    if (c.event_source.empty()) c.event_source = top.Text(kInsight, "eventSource");
  }
  simdjson::dom::array array;
  if (top.Get(kResources) != nullptr && top.Get(kResources)->get_array().get(array) == simdjson::SUCCESS) {
    for (element res : array) {
      std::string arn = Text(res, "ARN");
      if (arn.empty()) arn = Text(res, "arn");
      AddResource(c, std::move(arn));
    }
  }
  // Identifiers that requests commonly name, in this order (then the bucket, as an ARN: the form
  // the record's resources[] and S3 logs use, first).
  static constexpr std::array<std::string_view, 17> kRequestIds = {
      "bucketName", "userName", "roleName", "roleArn", "instanceId", "groupId", "keyId", "secretId",
      "functionName", "policyArn", "trailName", "name", "dBInstanceIdentifier", "snapshotId", "accessKeyId",
      "detectorId", "instancesSet"};
  const Members<kRequestIds.size()> request(top.Get(kRequest), kRequestIds);
  enum Response { kAccessKeyResponse, kInstancesResponse, kResponseCount };
  const Members<kResponseCount> response(top.Get(kResponse), {"accessKey", "instancesSet"});
  std::string bucket = request.Text(0);
  if (!bucket.empty() && bucket.rfind("arn:", 0) != 0) bucket = "arn:aws:s3:::" + bucket;
  AddResource(c, std::move(bucket));
  for (size_t i = 1; i < 15; ++i) AddResource(c, request.Text(i));  // userName ... accessKeyId
  AddResource(c, response.Text(kAccessKeyResponse, "accessKeyId"));
  AddResource(c, request.Text(15));  // detectorId
  element items;
  if (request.Get(16) != nullptr && At(*request.Get(16), "items", &items) &&
      items.get_array().get(array) == simdjson::SUCCESS) {
    for (element item : array) AddResource(c, Text(item, "instanceId"));
  }
  // What RunInstances launched: the instances and their network interfaces, so that the flow
  // logs and GuardDuty findings of a miner the caller started join the caller's incident.
  if (response.Get(kInstancesResponse) != nullptr && At(*response.Get(kInstancesResponse), "items", &items) &&
      items.get_array().get(array) == simdjson::SUCCESS) {
    constexpr size_t kMaxLaunched = 64;
    size_t seen = 0;
    for (element item : array) {
      if (++seen > kMaxLaunched) break;
      AddResource(c, Text(item, "instanceId"));
      element enis;
      simdjson::dom::array enis_array;
      if (At(item, "networkInterfaceSet.items", &enis) && enis.get_array().get(enis_array) == simdjson::SUCCESS) {
        for (element eni : enis_array) AddResource(c, Text(eni, "networkInterfaceId"));
      }
    }
  }
}

void DescribeGuardDuty(element r, EventContext& c) {
  c.event_id = Text(r, "id");
  c.account = Text(r, "accountId");
  c.region = Text(r, "region");
  c.event_name = Text(r, "type");
  c.event_source = "guardduty.amazonaws.com";
  c.actor.account = c.account;
  // The remote side, whatever the action type.
  static constexpr std::string_view kRemoteIps[] = {
      "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
      "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
      "service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4",
      "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4",
      "service.action.rdsLoginAttemptAction.remoteIpDetails.ipAddressV4"};
  for (std::string_view path : kRemoteIps) {
    if (!c.source_ip.empty()) break;
    c.source_ip = Text(r, path);
  }
  element probes;
  if (c.source_ip.empty() && At(r, "service.action.portProbeAction.portProbeDetails", &probes) &&
      probes.is_array()) {
    simdjson::dom::array probes_array;
    if (probes.get_array().get(probes_array) == simdjson::SUCCESS) for (element p : probes_array) {
      c.source_ip = Text(p, "remoteIpDetails.ipAddressV4");
      if (!c.source_ip.empty()) break;
    }
  }
  c.user_agent = Text(r, "service.action.awsApiCallAction.userAgent");
  c.actor.access_key_id = Text(r, "resource.accessKeyDetails.accessKeyId");
  c.actor.user_name = Text(r, "resource.accessKeyDetails.userName");
  c.actor.type = Text(r, "resource.accessKeyDetails.userType");
  AddResource(c, Text(r, "resource.instanceDetails.instanceId"));
  AddResource(c, c.actor.access_key_id);
  element buckets;
  if (At(r, "resource.s3BucketDetails", &buckets) && buckets.is_array()) {
    simdjson::dom::array buckets_array;
    if (buckets.get_array().get(buckets_array) == simdjson::SUCCESS) for (element b : buckets_array) {
      std::string arn = Text(b, "arn");
      AddResource(c, arn.empty() ? Text(b, "name") : arn);
    }
  }
  AddResource(c, Text(r, "resource.eksClusterDetails.arn"));
  AddResource(c, Text(r, "resource.rdsDbInstanceDetails.dbInstanceArn"));
  AddResource(c, Text(r, "resource.lambdaDetails.functionArn"));
}

void DescribeVpcFlow(element r, EventContext& c) {
  c.account = Text(r, "account-id");
  c.region = Text(r, "region");
  c.source_ip = Text(r, "srcaddr");
  c.event_source = "vpcflow";
  c.event_name = Text(r, "action");
  c.actor.account = c.account;
  AddResource(c, Text(r, "interface-id"));
  AddResource(c, Text(r, "instance-id"));
  AddResource(c, Text(r, "tgw-attachment-id"));
}

void DescribeS3Access(element r, EventContext& c) {
  c.event_id = Text(r, "requestid");
  std::string requester = Text(r, "requester");
  if (requester.rfind("arn:", 0) == 0) {
    c.actor.arn = requester;
    c.actor.session = SessionFromArn(requester);
    // arn:aws:iam::123456789012:user/name -> account 123456789012
    size_t a = requester.find(':', requester.find(':', 4) + 1);  // after partition, service
    size_t b = a == std::string::npos ? a : requester.find(':', a + 1);
    size_t e = b == std::string::npos ? b : requester.find(':', b + 1);
    if (e != std::string::npos) c.actor.account = requester.substr(b + 1, e - b - 1);
    c.account = c.actor.account;
  } else if (!requester.empty()) {
    c.actor.user_name = requester;  // a canonical user id or an AWS service principal
  } else {  // "-" in the log: an unauthenticated request
    c.actor.type = "Anonymous";
  }
  c.source_ip = Text(r, "remoteip");
  c.user_agent = Text(r, "useragent");
  c.event_source = "s3.amazonaws.com";
  c.event_name = Text(r, "operation");
  c.error_code = Text(r, "errorcode");
  std::string bucket = Text(r, "bucket");
  std::string key = Text(r, "key");
  if (!bucket.empty()) {
    AddResource(c, "arn:aws:s3:::" + bucket);
    if (!key.empty()) AddResource(c, "arn:aws:s3:::" + bucket + "/" + key);
  }
}

}  // namespace

EventContext Describe(const Event& event) {
  EventContext c;
  c.time_ms = event.time_ms;
  switch (event.type) {
    case LogType::kCloudTrail: DescribeCloudTrail(event.Record(), c); break;
    case LogType::kGuardDuty: DescribeGuardDuty(event.Record(), c); break;
    case LogType::kVpcFlow: DescribeVpcFlow(event.Record(), c); break;
    case LogType::kS3Access: DescribeS3Access(event.Record(), c); break;
  }
  return c;
}

}  // namespace cloudward::ingest
