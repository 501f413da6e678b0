#include "analyze/timeline.h"

#include <algorithm>
#include <array>
#include <utility>

namespace cloudward::analyze {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool AnyIn(const std::vector<std::string>& values, std::string_view raw) {
  return std::any_of(values.begin(), values.end(), [raw](const std::string& v) {
    return raw.find(v) != std::string_view::npos;
  });
}

// "arn:aws:sts::1:assumed-role/Role/session" -> "Role"; other ARNs -> "".
std::string_view RoleOfAssumedRoleArn(std::string_view arn) {
  size_t at = arn.find(":assumed-role/");
  if (at == std::string_view::npos) return {};
  std::string_view rest = arn.substr(at + 14);
  return rest.substr(0, rest.find('/'));
}

// "arn:aws:iam::1:user/path/alice" -> "alice".
std::string_view LastPathPart(std::string_view arn) {
  size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : arn.substr(slash + 1);
}

bool ResourceMatches(const std::string& wanted, const std::string& named) {
  if (named == wanted) return true;
  // "i-0abc" matches "arn:aws:ec2:...:instance/i-0abc"; "bucket" matches "arn:aws:s3:::bucket".
  if (named.size() > wanted.size() && named.compare(named.size() - wanted.size(), wanted.size(), wanted) == 0) {
    char before = named[named.size() - wanted.size() - 1];
    return before == '/' || before == ':';
  }
  return false;
}

template <typename Pred>
bool AnyValue(const std::vector<std::string>& values, Pred pred) {
  return values.empty() || std::any_of(values.begin(), values.end(), pred);
}

struct PersistenceEntry {
  std::string_view service;  // eventSource without ".amazonaws.com"
  std::string_view name;     // exact, or a prefix when it ends in '*'
  std::string_view kind;
};

// Calls that leave a way back in: credentials, identities, trust, code that runs later, network
// openings and resource policies.
constexpr std::array kPersistence = {
    PersistenceEntry{"iam", "CreateUser", "IAM user"},
    PersistenceEntry{"iam", "CreateAccessKey", "access key"},
    PersistenceEntry{"iam", "CreateLoginProfile", "console password"},
    PersistenceEntry{"iam", "UpdateLoginProfile", "console password"},
    PersistenceEntry{"iam", "CreateRole", "IAM role"},
    PersistenceEntry{"iam", "UpdateAssumeRolePolicy", "role trust policy"},
    PersistenceEntry{"iam", "AttachUserPolicy", "attached policy"},
    PersistenceEntry{"iam", "AttachRolePolicy", "attached policy"},
    PersistenceEntry{"iam", "AttachGroupPolicy", "attached policy"},
    PersistenceEntry{"iam", "PutUserPolicy", "inline policy"},
    PersistenceEntry{"iam", "PutRolePolicy", "inline policy"},
    PersistenceEntry{"iam", "PutGroupPolicy", "inline policy"},
    PersistenceEntry{"iam", "CreatePolicy", "managed policy"},
    PersistenceEntry{"iam", "CreatePolicyVersion", "policy version"},
    PersistenceEntry{"iam", "SetDefaultPolicyVersion", "policy version"},
    PersistenceEntry{"iam", "AddUserToGroup", "group membership"},
    PersistenceEntry{"iam", "CreateInstanceProfile", "instance profile"},
    PersistenceEntry{"iam", "AddRoleToInstanceProfile", "instance profile"},
    PersistenceEntry{"iam", "CreateVirtualMFADevice", "MFA device"},
    PersistenceEntry{"iam", "EnableMFADevice", "MFA device"},
    PersistenceEntry{"iam", "CreateSAMLProvider", "identity provider"},
    PersistenceEntry{"iam", "CreateOpenIDConnectProvider", "identity provider"},
    PersistenceEntry{"iam", "UploadSSHPublicKey", "SSH public key"},
    PersistenceEntry{"iam", "UploadSigningCertificate", "signing certificate"},
    PersistenceEntry{"iam", "CreateServiceSpecificCredential", "service credential"},
    PersistenceEntry{"rolesanywhere", "CreateTrustAnchor", "Roles Anywhere trust anchor"},
    PersistenceEntry{"rolesanywhere", "CreateProfile", "Roles Anywhere profile"},
    PersistenceEntry{"sts", "GetFederationToken", "federated session"},
    PersistenceEntry{"sso", "CreatePermissionSet", "IAM Identity Center permission set"},
    PersistenceEntry{"sso", "CreateAccountAssignment", "IAM Identity Center assignment"},
    PersistenceEntry{"identitystore", "CreateUser", "IAM Identity Center user"},
    PersistenceEntry{"ec2", "RunInstances", "instance"},
    PersistenceEntry{"ec2", "ImportKeyPair", "key pair"},
    PersistenceEntry{"ec2", "CreateKeyPair", "key pair"},
    PersistenceEntry{"ec2", "AuthorizeSecurityGroupIngress", "security group ingress"},
    PersistenceEntry{"ec2", "CreateLaunchTemplate", "launch template"},
    PersistenceEntry{"ec2", "CreateLaunchTemplateVersion", "launch template"},
    PersistenceEntry{"ec2", "ModifyInstanceAttribute", "instance attribute (user data)"},
    PersistenceEntry{"ec2", "CreateVpcPeeringConnection", "VPC peering"},
    PersistenceEntry{"lambda", "CreateFunction*", "Lambda function"},
    PersistenceEntry{"lambda", "UpdateFunctionCode*", "Lambda code"},
    PersistenceEntry{"lambda", "AddPermission*", "Lambda resource policy"},
    PersistenceEntry{"lambda", "PublishLayerVersion*", "Lambda layer"},
    PersistenceEntry{"lambda", "CreateEventSourceMapping*", "Lambda trigger"},
    PersistenceEntry{"events", "PutRule", "EventBridge rule"},
    PersistenceEntry{"events", "PutTargets", "EventBridge target"},
    PersistenceEntry{"ssm", "CreateAssociation", "SSM association"},
    PersistenceEntry{"ssm", "CreateDocument", "SSM document"},
    PersistenceEntry{"s3", "PutBucketPolicy", "bucket policy"},
    PersistenceEntry{"s3", "PutBucketAcl", "bucket ACL"},
    PersistenceEntry{"s3", "PutBucketReplication", "bucket replication"},
    PersistenceEntry{"kms", "CreateGrant", "KMS grant"},
    PersistenceEntry{"kms", "PutKeyPolicy", "KMS key policy"},
    PersistenceEntry{"secretsmanager", "PutResourcePolicy", "secret resource policy"},
    PersistenceEntry{"ecr", "SetRepositoryPolicy", "ECR repository policy"},
    PersistenceEntry{"cognito-idp", "AdminCreateUser", "Cognito user"},
    PersistenceEntry{"organizations", "InviteAccountToOrganization", "organization invitation"},
};

constexpr std::array kReadPrefixes = {std::string_view("Get"),    std::string_view("List"),
                                      std::string_view("Describe"), std::string_view("Head"),
                                      std::string_view("Lookup"), std::string_view("Search"),
                                      std::string_view("BatchGet"), std::string_view("Scan"),
                                      std::string_view("Query"),  std::string_view("Select"),
                                      std::string_view("Download"), std::string_view("Decrypt"),
                                      std::string_view("Check"),  std::string_view("Test")};
constexpr std::array kCreatePrefixes = {std::string_view("Create"),   std::string_view("Run"),
                                        std::string_view("Import"),   std::string_view("Upload"),
                                        std::string_view("Register"), std::string_view("Allocate"),
                                        std::string_view("Issue"),    std::string_view("Request"),
                                        std::string_view("Publish"),  std::string_view("Copy"),
                                        std::string_view("Generate")};
constexpr std::array kDeletePrefixes = {std::string_view("Delete"),     std::string_view("Remove"),
                                        std::string_view("Terminate"),  std::string_view("Deregister"),
                                        std::string_view("Release"),    std::string_view("Purge"),
                                        std::string_view("Detach"),     std::string_view("Revoke"),
                                        std::string_view("Disassociate"), std::string_view("Cancel")};

template <size_t N>
bool HasPrefix(const std::array<std::string_view, N>& prefixes, std::string_view name) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [name](std::string_view p) { return StartsWith(name, p); });
}

void Count(std::map<std::string, uint64_t>& m, const std::string& key) {
  if (!key.empty()) ++m[key];
}

}  // namespace

bool TimelineQuery::empty() const {
  return access_keys.empty() && principals.empty() && sessions.empty() && ips.empty() &&
         resources.empty();
}

bool TimelineQuery::MayMatch(std::string_view raw) const {
  for (const auto* values : {&access_keys, &principals, &sessions, &ips, &resources}) {
    if (!values->empty() && !AnyIn(*values, raw)) return false;
  }
  return true;
}

bool TimelineQuery::Matches(const EventContext& c, std::string_view peer_ip) const {
  const Actor& a = c.actor;
  auto is = [](const std::string& x) { return [&x](const std::string& v) { return v == x; }; };
  return AnyValue(access_keys, is(a.access_key_id)) &&
         AnyValue(principals,
                  [&](const std::string& v) {
                    return (!a.arn.empty() && (v == a.arn || v == RoleOfAssumedRoleArn(a.arn) ||
                                               v == LastPathPart(a.arn))) ||
                           (!a.user_name.empty() && v == a.user_name);
                  }) &&
         AnyValue(sessions,
                  [&](const std::string& v) {
                    return (!a.session.empty() && v == a.session) || (!a.arn.empty() && v == a.arn);
                  }) &&
         AnyValue(ips, [&](const std::string& v) { return v == c.source_ip || (!peer_ip.empty() && v == peer_ip); }) &&
         AnyValue(resources, [&](const std::string& v) {
           return std::any_of(c.resources.begin(), c.resources.end(),
                              [&](const std::string& r) { return ResourceMatches(v, r); });
         });
}

std::string TimelineQuery::Describe() const {
  std::string out;
  auto add = [&out](std::string_view label, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      if (!out.empty()) out += ", ";
      out += label;
      out += ' ';
      out += v;
    }
  };
  add("access key", access_keys);
  add("principal", principals);
  add("session", sessions);
  add("ip", ips);
  add("resource", resources);
  return out;
}

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kRead: return "read";
    case ActionKind::kCreate: return "create";
    case ActionKind::kChange: return "change";
    case ActionKind::kDelete: return "delete";
    case ActionKind::kOther: break;
  }
  return "other";
}

ActionKind ClassifyAction(LogType type, std::string_view name, bool read_only_flag) {
  if (type == LogType::kS3Access) {
    // REST.GET.OBJECT, REST.PUT.OBJECT, REST.DELETE.OBJECT, REST.COPY.OBJECT, ...
    if (StartsWith(name, "REST.GET.") || StartsWith(name, "REST.HEAD.")) return ActionKind::kRead;
    if (StartsWith(name, "REST.PUT.OBJECT") || StartsWith(name, "REST.POST.UPLOAD") ||
        StartsWith(name, "REST.COPY.")) return ActionKind::kCreate;
    if (StartsWith(name, "REST.DELETE.") || StartsWith(name, "REST.POST.MULTI_OBJECT_DELETE"))
      return ActionKind::kDelete;
    return StartsWith(name, "REST.") ? ActionKind::kChange : ActionKind::kOther;
  }
  if (type != LogType::kCloudTrail || name.empty()) return ActionKind::kOther;
  if (read_only_flag || HasPrefix(kReadPrefixes, name)) return ActionKind::kRead;
  if (HasPrefix(kCreatePrefixes, name)) return ActionKind::kCreate;
  if (HasPrefix(kDeletePrefixes, name)) return ActionKind::kDelete;
  return ActionKind::kChange;
}

std::string_view PersistenceKind(std::string_view event_source, std::string_view event_name) {
  std::string_view service = event_source.substr(0, event_source.find('.'));
  for (const PersistenceEntry& p : kPersistence) {
    if (p.service != service) continue;
    if (p.name.back() == '*' ? StartsWith(event_name, p.name.substr(0, p.name.size() - 1))
                             : p.name == event_name) {
      return p.kind;
    }
  }
  return {};
}

void SortTimeline(std::vector<TimelineEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    if (a.context.time_ms != b.context.time_ms) return a.context.time_ms < b.context.time_ms;
    if (a.file != b.file) return a.file < b.file;
    return a.offset < b.offset;
  });
}

TimelineSummary Summarize(const std::vector<TimelineEntry>& entries) {
  TimelineSummary s;
  bool first = true;
  for (const TimelineEntry& e : entries) {
    const EventContext& c = e.context;
    ++s.events;
    if (c.time_ms != kUnknownTime) {
      if (first || c.time_ms < s.first_ms) s.first_ms = c.time_ms;
      if (first || c.time_ms > s.last_ms) s.last_ms = c.time_ms;
      first = false;
    }
    std::string service(c.event_source.substr(0, c.event_source.find('.')));
    Count(s.by_action, c.event_name.empty() ? std::string() : service + ":" + c.event_name);
    Count(s.by_region, c.region);
    Count(s.by_ip, c.source_ip);
    Count(s.by_user_agent, c.user_agent);
    Count(s.by_kind, std::string(ActionKindName(e.kind)));
    if (!c.error_code.empty()) {
      ++s.errors;
      Count(s.by_error, c.error_code);
      continue;  // a failed call read, changed or created nothing
    }
    auto& bucket = e.kind == ActionKind::kRead     ? s.resources_read
                   : e.kind == ActionKind::kCreate ? s.resources_created
                   : e.kind == ActionKind::kOther  ? s.resources_read
                                                   : s.resources_changed;
    if (e.kind != ActionKind::kOther) {
      for (const std::string& r : c.resources) Count(bucket, r);
    }
    if (e.type == LogType::kCloudTrail) {
      std::string_view kind = PersistenceKind(c.event_source, c.event_name);
      if (!kind.empty()) {
        s.persistence.push_back(
            {c.time_ms, std::string(kind), c.event_name, c.region, c.resources});
      }
    }
  }
  return s;
}

}  // namespace cloudward::analyze
