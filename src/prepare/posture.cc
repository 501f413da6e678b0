#include "prepare/posture.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/finding_json.h"
#include "core/text.h"
#include "core/time.h"
#include "prepare/rules.h"

namespace cloudward::prepare {

std::string_view CheckStatusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass: return "pass";
    case CheckStatus::kFail: return "fail";
    case CheckStatus::kUnknown: return "unknown";
  }
  return "unknown";
}

const std::vector<CheckDefinition>& PostureChecks() {
  static const std::vector<CheckDefinition> checks = {
      {"s3.public-access-block", Level::kHigh, "S3 bucket has all four Block Public Access settings on",
       "Turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets for the bucket "
       "(s3api put-public-access-block), or `cloudward respond apply block-s3-public-access BUCKET`"},
      {"s3.bucket-policy-public", Level::kCritical, "S3 bucket policy does not grant access to everyone",
       "Remove the Allow statements with Principal \"*\" (or add a restricting Condition) from the bucket policy, "
       "or `cloudward respond apply remove-public-bucket-access BUCKET`"},
      {"s3.bucket-policy-cross-account", Level::kLow, "S3 bucket policy grants no other AWS account",
       "Review the accounts named in the bucket policy; remove those that should not read or write the bucket "
       "(`cloudward respond apply remove-public-bucket-access BUCKET` removes every other account)"},
      {"s3.acl-public", Level::kHigh, "S3 bucket ACL grants nothing to AllUsers or AuthenticatedUsers",
       "Remove the AllUsers/AuthenticatedUsers grants (s3api put-bucket-acl --acl private) and set "
       "Object Ownership to BucketOwnerEnforced, or `cloudward respond apply remove-public-bucket-access BUCKET`"},
      {"s3.account-public-access-block", Level::kHigh, "The account has all four S3 Block Public Access settings on",
       "Turn them on for the whole account: s3control put-public-access-block --account-id ACCOUNT "
       "--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
       "RestrictPublicBuckets=true (first move any bucket that must stay public behind CloudFront)"},
      {"s3.encryption", Level::kMedium, "S3 bucket has default encryption",
       "Set default encryption (SSE-S3 or SSE-KMS) with s3api put-bucket-encryption"},
      {"s3.versioning", Level::kMedium, "S3 bucket keeps object versions",
       "Enable versioning (s3api put-bucket-versioning Status=Enabled) so deleted or overwritten objects can be "
       "recovered"},
      {"s3.logging", Level::kLow, "S3 bucket has server access logging",
       "Enable server access logging to a separate log bucket (s3api put-bucket-logging), or CloudTrail S3 data "
       "events"},
      {"ec2.imdsv1", Level::kMedium, "EC2 instance requires IMDSv2 (session tokens)",
       "Set HttpTokens=required (ec2 modify-instance-metadata-options) after checking the software on the "
       "instance uses IMDSv2, or `cloudward respond apply require-imdsv2 INSTANCE`"},
      {"ec2.public-admin-port", Level::kCritical,
       "EC2 instance with a public address has no admin port (22, 3389) open to the internet",
       "Remove the 0.0.0.0/0 and ::/0 rules for ports 22 and 3389 from the instance's security groups; use SSM "
       "Session Manager or a bastion restricted to known addresses"},
      {"ec2.patch-compliance", Level::kHigh, "EC2 instance managed by SSM has every approved patch installed",
       "Install the missing patches: ssm send-command --document-name AWS-RunPatchBaseline --parameters "
       "Operation=Install (or a Patch Manager maintenance window), or `cloudward respond apply run-patch-baseline "
       "INSTANCE`; then check ssm list-compliance-items for what is still missing"},
      {"ec2.unencrypted-volume", Level::kMedium, "EBS volume is encrypted",
       "Snapshot the volume, copy the snapshot with encryption, create a volume from it and swap it in; turn on "
       "EBS encryption by default (ec2 enable-ebs-encryption-by-default)"},
      {"vpc.sg-open-admin", Level::kHigh, "Security group opens no admin port (22, 3389) to the internet",
       "Replace the 0.0.0.0/0 and ::/0 sources of the port 22/3389 rules by the addresses that need them"},
      {"vpc.nacl-open-admin", Level::kMedium, "Network ACL does not admit admin ports (22, 3389) from the internet",
       "Add a deny rule for tcp 22 and 3389 from 0.0.0.0/0 numbered before the allow-all rule (CIS AWS 5.1)"},
      {"vpc.default-sg-rules", Level::kMedium, "The VPC's default security group has no rules",
       "Remove every inbound and outbound rule of the default security group (CIS AWS 5.4); use named groups"},
      {"vpc.default-sg-in-use", Level::kMedium, "The VPC's default security group is attached to nothing",
       "Move the network interfaces that use the default group to purpose-made groups"},
      {"rds.public", Level::kCritical, "RDS instance is not publicly accessible",
       "Set PubliclyAccessible=false (rds modify-db-instance --no-publicly-accessible), or `cloudward respond apply "
       "restrict-rds-instance DB` (snapshots it first)"},
      {"rds.unencrypted", Level::kHigh, "RDS instance storage is encrypted",
       "Snapshot, copy the snapshot with a KMS key, restore from the encrypted copy and switch over"},
      {"rds.no-backups", Level::kMedium, "RDS instance keeps automated backups",
       "Set BackupRetentionPeriod to 7 days or more (rds modify-db-instance --backup-retention-period 7)"},
      {"dynamodb.no-pitr", Level::kMedium, "DynamoDB table has point-in-time recovery",
       "Enable point-in-time recovery (dynamodb update-continuous-backups)"},
      {"iam.root-access-keys", Level::kCritical, "The root user has no access keys",
       "Delete the root user's access keys (sign in as root, Security credentials); use IAM roles instead"},
      {"iam.root-mfa", Level::kCritical, "The root user has MFA",
       "Enable a hardware or virtual MFA device for the root user"},
      {"iam.user-no-mfa", Level::kHigh, "IAM users with a console password have MFA",
       "Enable MFA for the user, or remove the console password if the user does not sign in"},
      {"iam.old-access-key", Level::kMedium, "Active access keys are younger than 90 days",
       "Rotate the key: create a new one, move its users, deactivate then delete the old one"},
      {"iam.unused-access-key", Level::kMedium,
       "Active access keys were used in the last 90 days (never-used keys: created in the last 30 days)",
       "Deactivate the key (iam update-access-key --status Inactive, or `cloudward respond apply "
       "deactivate-access-key KEY`), wait for anything that breaks, then delete it (iam delete-access-key)"},
      {"iam.admin-wildcard-policy", Level::kHigh, "No customer or inline policy allows * on *",
       "Replace Action \"*\" / Resource \"*\" by the actions and resources the principal needs"},
      {"lambda.url-no-auth", Level::kHigh, "Lambda function URL requires IAM authentication",
       "Set the function URL's AuthType to AWS_IAM, or remove the URL and front the function with API Gateway"},
      {"lambda.deprecated-runtime", Level::kMedium, "Lambda function runs on a supported runtime",
       "Move the function to a supported runtime version (lambda update-function-configuration --runtime)"},
      {"elb.listener-no-tls", Level::kMedium, "Load balancer serves no plain-HTTP listener without a redirect",
       "Add an HTTPS listener with an ACM certificate and make the HTTP listener redirect to HTTPS"},
  };
  return checks;
}

const CheckDefinition* FindPostureCheck(std::string_view id) {
  for (const auto& c : PostureChecks()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

size_t PostureReport::Failures() const {
  return static_cast<size_t>(std::count_if(results.begin(), results.end(), [](const CheckResult& r) {
    return r.status == CheckStatus::kFail && !r.suppressed;
  }));
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return WildcardMatch(pattern, text, /*case_insensitive=*/false);
}

namespace {

using nlohmann::json;

constexpr int64_t kOldKeyDays = 90;        // iam.old-access-key
constexpr int64_t kUnusedKeyDays = 90;     // iam.unused-access-key: last use longer ago fails
constexpr int64_t kNeverUsedKeyDays = 30;  // iam.unused-access-key: never used and older fails

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// Builds results with the check's severity and applies tag suppression.
class Emitter {
 public:
  explicit Emitter(std::vector<CheckResult>* out) : out_(out) {}

  void Emit(std::string_view check, std::string resource, std::string region, bool pass, std::string message,
            json evidence, const aws::Tags* tags = nullptr) {
    const CheckDefinition* def = FindPostureCheck(check);
    CheckResult r{.check_id = std::string(check), .severity = def ? def->severity : Level::kMedium,
                  .resource = std::move(resource), .region = std::move(region),
                  .status = pass ? CheckStatus::kPass : CheckStatus::kFail, .message = std::move(message),
                  .evidence = std::move(evidence)};
    if (!pass && tags != nullptr) {
      if (auto v = TagValue(*tags, kSuppressTag)) {
        for (const auto& id : SplitComma(*v)) {
          if (id == check || id == "*") {
            r.suppressed = true;
            r.suppressed_by = "tag";
            r.suppression_reason = std::string(kSuppressTag) + "=" + *v;
          }
        }
      }
    }
    out_->push_back(std::move(r));
  }

  void Unknown(std::string_view check, std::string resource, std::string region, const std::string& why) {
    const CheckDefinition* def = FindPostureCheck(check);
    out_->push_back({.check_id = std::string(check), .severity = def ? def->severity : Level::kMedium,
                     .resource = std::move(resource), .region = std::move(region), .status = CheckStatus::kUnknown,
                     .message = "could not be read: " + why, .evidence = {{"error", why}}});
  }

 private:
  std::vector<CheckResult>* out_;
};

json PortsJson(const std::vector<int>& ports) { return json(ports); }

std::string PortList(const std::vector<int>& ports) {
  std::string s;
  for (int p : ports) {
    if (!s.empty()) s += ',';
    s += std::to_string(p);
  }
  return s;
}

json PermissionsJson(const std::vector<aws::ec2::IpPermission>& perms) {
  json out = json::array();
  for (const auto& p : perms) {
    out.push_back({{"IpProtocol", p.protocol}, {"FromPort", p.from_port}, {"ToPort", p.to_port},
                   {"Sources", p.cidrs}, {"Groups", p.group_ids}});
  }
  return out;
}

// Region-level gaps: the checks that need a section report unknown for the region.
bool RegionGap(const AccountSnapshot& snap, const RegionSnapshot& r, Emitter& e, std::string_view section,
               std::initializer_list<std::string_view> checks) {
  const Gap* gap = snap.FindGap(r.region, section);
  if (gap == nullptr) return false;
  for (auto check : checks) e.Unknown(check, r.region, r.region, gap->section + ": " + gap->error);
  return true;
}

void EvaluateRegion(const AccountSnapshot& snap, const RegionSnapshot& r, Emitter& e, int64_t now_ms) {
  const std::string& region = r.region;
  std::map<std::string, const aws::ec2::SecurityGroupRules*> groups;
  for (const auto& g : r.security_groups) groups[g.group_id] = &g;

  // Security groups.
  if (!RegionGap(snap, r, e, "ec2:DescribeSecurityGroups", {"vpc.sg-open-admin", "vpc.default-sg-rules"})) {
    for (const auto& g : r.security_groups) {
      std::vector<int> open = OpenAdminPorts(g.ingress);
      e.Emit("vpc.sg-open-admin", g.group_id, region, open.empty(),
             open.empty() ? "no admin port open to the internet"
                          : "tcp " + PortList(open) + " open to 0.0.0.0/0 or ::/0 (group " + g.group_name + ")",
             {{"GroupName", g.group_name}, {"VpcId", g.vpc_id}, {"OpenAdminPorts", PortsJson(open)},
              {"IpPermissions", PermissionsJson(g.ingress)}},
             &g.tags);
      if (g.group_name == "default") {
        bool empty = g.ingress.empty() && g.egress.empty();
        e.Emit("vpc.default-sg-rules", g.group_id, region, empty,
               empty ? "the default group has no rules"
                     : fmt::format("the default group of {} has {} inbound and {} outbound rule(s)", g.vpc_id,
                                   g.ingress.size(), g.egress.size()),
               {{"GroupName", g.group_name}, {"VpcId", g.vpc_id}, {"IpPermissions", PermissionsJson(g.ingress)},
                {"IpPermissionsEgress", PermissionsJson(g.egress)}},
               &g.tags);
      }
    }
  }
  if (!RegionGap(snap, r, e, "ec2:DescribeNetworkInterfaces", {"vpc.default-sg-in-use"}) &&
      !snap.FindGap(region, "ec2:DescribeSecurityGroups")) {
    for (const auto& g : r.security_groups) {
      if (g.group_name != "default") continue;
      std::vector<std::string> users;
      for (const auto& eni : r.network_interfaces) {
        if (std::find(eni.group_ids.begin(), eni.group_ids.end(), g.group_id) != eni.group_ids.end()) {
          users.push_back(eni.network_interface_id + (eni.instance_id.empty() ? "" : " (" + eni.instance_id + ")"));
        }
      }
      e.Emit("vpc.default-sg-in-use", g.group_id, region, users.empty(),
             users.empty() ? "no network interface uses the default group"
                           : std::to_string(users.size()) + " network interface(s) use the default group of " + g.vpc_id,
             {{"VpcId", g.vpc_id}, {"NetworkInterfaces", users}}, &g.tags);
    }
  }

  // Network ACLs.
  if (!RegionGap(snap, r, e, "ec2:DescribeNetworkAcls", {"vpc.nacl-open-admin"})) {
    std::vector<int> admin(std::begin(kAdminPorts), std::end(kAdminPorts));
    for (const auto& acl : r.network_acls) {
      std::vector<int> open = AclOpenPorts(acl, admin);
      json entries = json::array();
      for (const auto& en : acl.entries) {
        if (en.egress) continue;
        entries.push_back({{"RuleNumber", en.rule_number}, {"Protocol", en.protocol}, {"RuleAction", en.action},
                           {"CidrBlock", en.cidr}, {"PortRange", {en.from_port, en.to_port}}});
      }
      e.Emit("vpc.nacl-open-admin", acl.network_acl_id, region, open.empty(),
             open.empty() ? "admin ports are not admitted from the internet"
                          : "tcp " + PortList(open) + " admitted from 0.0.0.0/0" +
                                (acl.is_default ? " (default network ACL)" : ""),
             {{"VpcId", acl.vpc_id}, {"IsDefault", acl.is_default}, {"OpenAdminPorts", PortsJson(open)},
              {"IngressEntries", entries}, {"Subnets", acl.subnet_ids}});
    }
  }

  // Instances.
  if (!RegionGap(snap, r, e, "ec2:DescribeInstances", {"ec2.imdsv1", "ec2.public-admin-port"})) {
    std::map<std::string, std::string> eip_by_instance;
    for (const auto& a : r.addresses) {
      if (!a.instance_id.empty()) eip_by_instance[a.instance_id] = a.public_ip;
    }
    for (const auto& i : r.instances) {
      if (i.state == "terminated" || i.state == "shutting-down") continue;
      bool v2 = i.http_tokens == "required" || i.http_endpoint == "disabled";
      e.Emit("ec2.imdsv1", i.instance_id, region, v2,
             v2 ? "IMDSv2 required" : "IMDSv1 allowed (HttpTokens=" + (i.http_tokens.empty() ? "?" : i.http_tokens) + ")",
             {{"HttpTokens", i.http_tokens}, {"HttpEndpoint", i.http_endpoint}, {"State", i.state}}, &i.tags);

      std::string public_ip = i.public_ip;
      if (public_ip.empty()) {
        if (auto it = eip_by_instance.find(i.instance_id); it != eip_by_instance.end()) public_ip = it->second;
      }
      std::set<int> open;
      json open_groups = json::array();
      for (const auto& gid : i.security_group_ids) {
        auto it = groups.find(gid);
        if (it == groups.end()) continue;
        auto ports = OpenAdminPorts(it->second->ingress);
        if (!ports.empty()) open_groups.push_back({{"GroupId", gid}, {"OpenAdminPorts", ports}});
        open.insert(ports.begin(), ports.end());
      }
      bool exposed = !public_ip.empty() && !open.empty();
      std::vector<int> open_list(open.begin(), open.end());
      e.Emit("ec2.public-admin-port", i.instance_id, region, !exposed,
             exposed ? "public address " + public_ip + " with tcp " + PortList(open_list) + " open to the internet"
                     : (public_ip.empty() ? "no public address" : "public address " + public_ip +
                                                                      " but no admin port open to the internet"),
             {{"PublicIp", public_ip}, {"SecurityGroups", i.security_group_ids}, {"OpenGroups", open_groups}},
             &i.tags);
    }
  }

  // Patches: the instances SSM Patch Manager reports on (the others have no result). The API is
  // read only where there are instances; when it is denied or not offered the check is unknown.
  if (!r.instances.empty() &&
      !RegionGap(snap, r, e, "ssm:ListResourceComplianceSummaries", {"ec2.patch-compliance"})) {
    std::map<std::string, const aws::ec2::Instance*> instances;
    for (const auto& i : r.instances) {
      if (i.state != "terminated" && i.state != "shutting-down") instances[i.instance_id] = &i;
    }
    for (const auto& c : r.patch_compliance) {
      auto it = instances.find(c.resource_id);
      if (it == instances.end()) continue;
      json evidence = {{"ComplianceType", "Patch"},       {"Status", c.status},
                       {"OverallSeverity", c.overall_severity}, {"CompliantCount", c.compliant_count},
                       {"NonCompliantCount", c.non_compliant_count},
                       {"LastScan", c.execution_time.empty() ? json(nullptr) : json(c.execution_time)}};
      if (c.status != "COMPLIANT" && c.status != "NON_COMPLIANT") {
        e.Unknown("ec2.patch-compliance", c.resource_id, region, "SSM reports patch status '" + c.status + "'");
        continue;
      }
      bool ok = c.status == "COMPLIANT";
      e.Emit("ec2.patch-compliance", c.resource_id, region, ok,
             ok ? fmt::format("patch compliant ({} patch(es) installed)", c.compliant_count)
                : fmt::format("{} missing patch(es), highest severity {}", c.non_compliant_count,
                              c.overall_severity.empty() ? "?" : c.overall_severity),
             std::move(evidence), &it->second->tags);
    }
  }

  // Volumes.
  if (!RegionGap(snap, r, e, "ec2:DescribeVolumes", {"ec2.unencrypted-volume"})) {
    for (const auto& v : r.volumes) {
      e.Emit("ec2.unencrypted-volume", v.volume_id, region, v.encrypted,
             v.encrypted ? "encrypted" : "not encrypted" + (v.instance_ids.empty() ? std::string() : " (attached to " + v.instance_ids.front() + ")"),
             {{"Encrypted", v.encrypted}, {"SizeGiB", v.size_gib}, {"Attachments", v.instance_ids}}, &v.tags);
    }
  }

  // Databases.
  if (!RegionGap(snap, r, e, "rds:DescribeDBInstances", {"rds.public", "rds.unencrypted", "rds.no-backups"})) {
    for (const auto& d : r.databases) {
      std::string id = d.arn.empty() ? d.id : d.arn;
      e.Emit("rds.public", id, region, !d.publicly_accessible,
             d.publicly_accessible ? "PubliclyAccessible=true (" + d.endpoint + ")" : "not publicly accessible",
             {{"PubliclyAccessible", d.publicly_accessible}, {"Endpoint", d.endpoint}}, &d.tags);
      e.Emit("rds.unencrypted", id, region, d.storage_encrypted,
             d.storage_encrypted ? "storage encrypted" : "StorageEncrypted=false",
             {{"StorageEncrypted", d.storage_encrypted}, {"Engine", d.engine}}, &d.tags);
      e.Emit("rds.no-backups", id, region, d.backup_retention_days > 0,
             d.backup_retention_days > 0 ? fmt::format("backups kept {} day(s)", d.backup_retention_days)
                                         : "BackupRetentionPeriod=0: no automated backups",
             {{"BackupRetentionPeriod", d.backup_retention_days}}, &d.tags);
    }
  }
  if (!RegionGap(snap, r, e, "dynamodb:ListTables", {"dynamodb.no-pitr"})) {
    for (const auto& t : r.tables) {
      std::string id = t.arn.empty() ? t.name : t.arn;
      if (!t.pitr) {
        const Gap* gap = snap.FindGap(region, "dynamodb:DescribeContinuousBackups " + t.name);
        e.Unknown("dynamodb.no-pitr", id, region, gap ? gap->error : "continuous backups not read");
        continue;
      }
      e.Emit("dynamodb.no-pitr", id, region, *t.pitr,
             *t.pitr ? "point-in-time recovery enabled" : "point-in-time recovery disabled",
             {{"PointInTimeRecoveryStatus", *t.pitr ? "ENABLED" : "DISABLED"}});
    }
  }

  // Applications.
  if (!RegionGap(snap, r, e, "lambda:ListFunctions", {"lambda.url-no-auth", "lambda.deprecated-runtime"})) {
    for (const auto& f : r.functions) {
      const std::string& arn = f.function.arn;
      if (const Gap* gap = snap.FindGap(region, "lambda:GetFunctionUrlConfig " + f.function.name)) {
        e.Unknown("lambda.url-no-auth", arn, region, gap->error);
      } else {
        bool ok = f.url_auth != "NONE";
        e.Emit("lambda.url-no-auth", arn, region, ok,
               f.url_auth.empty() ? "no function URL"
                                  : (ok ? "function URL requires " + f.url_auth
                                        : "function URL with AuthType NONE: anyone can invoke it"),
               {{"FunctionUrlAuthType", f.url_auth.empty() ? json(nullptr) : json(f.url_auth)}});
      }
      auto deprecated = RuntimeDeprecationMs(f.function.runtime);
      bool old = deprecated && *deprecated <= now_ms;
      e.Emit("lambda.deprecated-runtime", arn, region, !old,
             old ? f.function.runtime + " deprecated since " + FormatIsoTime(*deprecated).substr(0, 10)
                 : (f.function.runtime.empty() ? "container image" : f.function.runtime + " supported"),
             {{"Runtime", f.function.runtime},
              {"DeprecatedOn", deprecated ? json(FormatIsoTime(*deprecated).substr(0, 10)) : json(nullptr)}});
    }
  }
  if (!RegionGap(snap, r, e, "elbv2:DescribeLoadBalancers", {"elb.listener-no-tls"})) {
    for (const auto& lb : r.load_balancers) {
      if (const Gap* gap = snap.FindGap(region, "elbv2:DescribeListeners " + lb.lb.name)) {
        e.Unknown("elb.listener-no-tls", lb.lb.arn, region, gap->error);
        continue;
      }
      std::vector<int> plain;
      json listeners = json::array();
      for (const auto& l : lb.listeners) {
        listeners.push_back({{"Protocol", l.protocol}, {"Port", l.port}, {"RedirectsToHttps", l.redirects_to_https}});
        if (l.protocol == "HTTP" && !l.redirects_to_https) plain.push_back(l.port);
      }
      e.Emit("elb.listener-no-tls", lb.lb.arn, region, plain.empty(),
             plain.empty() ? "no plain-HTTP listener without a redirect"
                           : "plain HTTP on port " + PortList(plain) + " (" + lb.lb.scheme + ")",
             {{"Scheme", lb.lb.scheme}, {"Type", lb.lb.type}, {"Listeners", listeners}});
    }
  }
}

void EvaluateBuckets(const AccountSnapshot& snap, Emitter& e) {
  if (const Gap* gap = snap.FindGap("global", "s3:ListBuckets")) {
    for (std::string_view c : {"s3.public-access-block", "s3.bucket-policy-public", "s3.bucket-policy-cross-account",
                               "s3.acl-public", "s3.encryption", "s3.versioning", "s3.logging"}) {
      e.Unknown(c, "s3", "global", gap->error);
    }
    return;
  }
  for (const auto& b : snap.buckets) {
    const std::string arn = b.Arn();
    auto unread = [&](const char* section) {
      return std::find(b.unread.begin(), b.unread.end(), section) != b.unread.end();
    };
    if (unread("s3:GetPublicAccessBlock")) {
      e.Unknown("s3.public-access-block", arn, b.region, "s3:GetPublicAccessBlock failed");
    } else {
      const auto& p = b.public_access_block;
      bool all = p && p->block_public_acls && p->ignore_public_acls && p->block_public_policy && p->restrict_public_buckets;
      json ev = p ? json{{"BlockPublicAcls", p->block_public_acls}, {"IgnorePublicAcls", p->ignore_public_acls},
                         {"BlockPublicPolicy", p->block_public_policy}, {"RestrictPublicBuckets", p->restrict_public_buckets}}
                  : json{{"PublicAccessBlockConfiguration", nullptr}};
      e.Emit("s3.public-access-block", arn, b.region, all,
             all ? "all four settings on" : (p ? "some Block Public Access settings are off" : "no Block Public Access configuration"),
             ev, &b.tags);
    }
    if (unread("s3:GetBucketPolicy")) {
      e.Unknown("s3.bucket-policy-public", arn, b.region, "s3:GetBucketPolicy failed");
      e.Unknown("s3.bucket-policy-cross-account", arn, b.region, "s3:GetBucketPolicy failed");
    } else {
      PolicyExposure x = BucketPolicyExposure(b.policy, snap.account_id);
      json policy = b.policy.empty() ? json(nullptr) : json::parse(b.policy, nullptr, false);
      if (policy.is_discarded()) policy = b.policy;
      e.Emit("s3.bucket-policy-public", arn, b.region, !x.is_public,
             x.is_public ? "the policy allows Principal \"*\" without a condition"
                         : (b.policy.empty() ? "no bucket policy" : "the policy grants nobody anonymous access"),
             {{"PublicStatements", x.public_statements}, {"Policy", policy}}, &b.tags);
      std::string accounts;
      for (const auto& a : x.other_accounts) accounts += (accounts.empty() ? "" : ", ") + a;
      e.Emit("s3.bucket-policy-cross-account", arn, b.region, x.other_accounts.empty(),
             x.other_accounts.empty() ? "no other account named" : "the policy grants account(s) " + accounts,
             {{"OtherAccounts", x.other_accounts}}, &b.tags);
    }
    if (unread("s3:GetBucketAcl")) {
      e.Unknown("s3.acl-public", arn, b.region, "s3:GetBucketAcl failed");
    } else {
      json grants = json::array();
      for (const auto& g : b.acl) {
        if (g.grantee_uri.ends_with("/global/AllUsers") || g.grantee_uri.ends_with("/global/AuthenticatedUsers")) {
          grants.push_back({{"Grantee", g.grantee_uri}, {"Permission", g.permission}});
        }
      }
      e.Emit("s3.acl-public", arn, b.region, grants.empty(),
             grants.empty() ? "no public grants" : "the ACL grants AllUsers or AuthenticatedUsers",
             {{"PublicGrants", grants}}, &b.tags);
    }
    if (unread("s3:GetBucketEncryption")) {
      e.Unknown("s3.encryption", arn, b.region, "s3:GetBucketEncryption failed");
    } else {
      e.Emit("s3.encryption", arn, b.region, !b.encryption.empty(),
             b.encryption.empty() ? "no default encryption" : "default encryption " + b.encryption,
             {{"SSEAlgorithm", b.encryption.empty() ? json(nullptr) : json(b.encryption)}}, &b.tags);
    }
    if (unread("s3:GetBucketVersioning")) {
      e.Unknown("s3.versioning", arn, b.region, "s3:GetBucketVersioning failed");
    } else {
      bool on = b.versioning.status == "Enabled";
      e.Emit("s3.versioning", arn, b.region, on,
             on ? "versioning enabled" : "versioning " + (b.versioning.status.empty() ? std::string("never enabled") : b.versioning.status),
             {{"Status", b.versioning.status}, {"MFADelete", b.versioning.mfa_delete}}, &b.tags);
    }
    if (unread("s3:GetBucketLogging")) {
      e.Unknown("s3.logging", arn, b.region, "s3:GetBucketLogging failed");
    } else {
      e.Emit("s3.logging", arn, b.region, !b.logging_target.empty(),
             b.logging_target.empty() ? "server access logging off" : "logs to " + b.logging_target,
             {{"TargetBucket", b.logging_target.empty() ? json(nullptr) : json(b.logging_target)}}, &b.tags);
    }
  }
}

void EvaluateAccountPublicAccessBlock(const AccountSnapshot& snap, Emitter& e) {
  const std::string account = "arn:aws:iam::" + (snap.account_id.empty() ? std::string("?") : snap.account_id) + ":root";
  if (const Gap* gap = snap.FindGap("global", "s3control:GetPublicAccessBlock")) {
    e.Unknown("s3.account-public-access-block", account, "global", gap->error);
    return;
  }
  const auto& p = snap.account_public_access_block;
  std::vector<std::string> off;
  if (p) {
    if (!p->block_public_acls) off.push_back("BlockPublicAcls");
    if (!p->ignore_public_acls) off.push_back("IgnorePublicAcls");
    if (!p->block_public_policy) off.push_back("BlockPublicPolicy");
    if (!p->restrict_public_buckets) off.push_back("RestrictPublicBuckets");
  }
  std::string list;
  for (const auto& o : off) list += (list.empty() ? "" : ", ") + o;
  json ev = p ? json{{"BlockPublicAcls", p->block_public_acls}, {"IgnorePublicAcls", p->ignore_public_acls},
                     {"BlockPublicPolicy", p->block_public_policy}, {"RestrictPublicBuckets", p->restrict_public_buckets}}
              : json{{"PublicAccessBlockConfiguration", nullptr}};
  e.Emit("s3.account-public-access-block", account, "global", p && off.empty(),
         !p ? "no account-level Block Public Access configuration: each bucket decides alone"
            : (off.empty() ? "all four settings on for the account" : "off for the account: " + list),
         std::move(ev));
}

// iam.unused-access-key for one active key.
void EvaluateKeyUse(const AccountSnapshot& snap, const UserInfo& u, const aws::iam::AccessKey& k, Emitter& e,
                    int64_t now_ms) {
  const std::string& user = u.user.user_name;
  auto it = u.key_last_used.find(k.access_key_id);
  if (it == u.key_last_used.end()) {
    const Gap* gap = snap.FindGap("global", "iam:GetAccessKeyLastUsed " + k.access_key_id);
    e.Unknown("iam.unused-access-key", k.access_key_id, "global", gap ? gap->error : "last use not read");
    return;
  }
  const aws::iam::AccessKeyLastUsed& used = it->second;
  json evidence = {{"UserName", user},
                   {"CreateDate", k.create_date},
                   {"LastUsedDate", used.last_used_date.empty() ? json(nullptr) : json(used.last_used_date)},
                   {"LastUsedService", used.service_name},
                   {"LastUsedRegion", used.region}};
  if (!used.last_used_date.empty()) {
    auto idle = AgeDays(used.last_used_date, now_ms);
    if (!idle) {
      e.Unknown("iam.unused-access-key", k.access_key_id, "global", "LastUsedDate unreadable: " + used.last_used_date);
      return;
    }
    evidence["DaysSinceLastUse"] = *idle;
    bool ok = *idle <= kUnusedKeyDays;
    e.Emit("iam.unused-access-key", k.access_key_id, "global", ok,
           ok ? fmt::format("key of {} last used {} day(s) ago ({} in {})", user, *idle, used.service_name, used.region)
              : fmt::format("key of {} not used for {} day(s) (last {} in {})", user, *idle, used.service_name,
                            used.region),
           std::move(evidence), &u.user.tags);
    return;
  }
  auto age = AgeDays(k.create_date, now_ms);
  if (!age) {
    e.Unknown("iam.unused-access-key", k.access_key_id, "global", "never used; creation date unreadable: " + k.create_date);
    return;
  }
  evidence["AgeDays"] = *age;
  bool ok = *age <= kNeverUsedKeyDays;
  e.Emit("iam.unused-access-key", k.access_key_id, "global", ok,
         fmt::format("key of {} never used; created {} day(s) ago", user, *age), std::move(evidence), &u.user.tags);
}

void EvaluateIam(const AccountSnapshot& snap, Emitter& e, int64_t now_ms) {
  const std::string root = "arn:aws:iam::" + (snap.account_id.empty() ? std::string("?") : snap.account_id) + ":root";
  if (const Gap* gap = snap.FindGap("global", "iam:GetAccountSummary")) {
    e.Unknown("iam.root-access-keys", root, "global", gap->error);
    e.Unknown("iam.root-mfa", root, "global", gap->error);
  } else {
    auto get = [&](const char* k) -> std::optional<int64_t> {
      auto it = snap.account_summary.find(k);
      return it == snap.account_summary.end() ? std::nullopt : std::optional<int64_t>(it->second);
    };
    if (auto keys = get("AccountAccessKeysPresent")) {
      e.Emit("iam.root-access-keys", root, "global", *keys == 0,
             *keys == 0 ? "the root user has no access keys" : "the root user has access keys",
             {{"AccountAccessKeysPresent", *keys}});
    } else {
      e.Unknown("iam.root-access-keys", root, "global", "AccountAccessKeysPresent missing from the account summary");
    }
    if (auto mfa = get("AccountMFAEnabled")) {
      e.Emit("iam.root-mfa", root, "global", *mfa == 1,
             *mfa == 1 ? "the root user has MFA" : "the root user has no MFA", {{"AccountMFAEnabled", *mfa}});
    } else {
      e.Unknown("iam.root-mfa", root, "global", "AccountMFAEnabled missing from the account summary");
    }
  }
  if (const Gap* gap = snap.FindGap("global", "iam:GetAccountAuthorizationDetails")) {
    for (std::string_view c : {"iam.user-no-mfa", "iam.old-access-key", "iam.unused-access-key",
                               "iam.admin-wildcard-policy"}) {
      e.Unknown(c, root, "global", gap->error);
    }
    return;
  }
  for (const auto& u : snap.users) {
    const std::string& arn = u.user.arn;
    if (!u.console_access || !u.mfa_devices) {
      e.Unknown("iam.user-no-mfa", arn, "global", "login profile or MFA devices not read");
    } else if (*u.console_access) {
      bool ok = *u.mfa_devices > 0;
      e.Emit("iam.user-no-mfa", arn, "global", ok,
             ok ? "console user with MFA" : "console password and no MFA device",
             {{"ConsoleAccess", true}, {"MFADevices", *u.mfa_devices}}, &u.user.tags);
    }
    if (const Gap* gap = snap.FindGap("global", "iam:ListAccessKeys " + u.user.user_name)) {
      e.Unknown("iam.old-access-key", arn, "global", gap->error);
      e.Unknown("iam.unused-access-key", arn, "global", gap->error);
    }
    for (const auto& k : u.access_keys) {
      if (k.status != "Active") continue;
      auto age = AgeDays(k.create_date, now_ms);
      bool ok = age && *age <= kOldKeyDays;
      e.Emit("iam.old-access-key", k.access_key_id, "global", ok,
             age ? fmt::format("active key of {} created {} day(s) ago", u.user.user_name, *age)
                 : "creation date unreadable: " + k.create_date,
             {{"UserName", u.user.user_name}, {"CreateDate", k.create_date}, {"AgeDays", age ? json(*age) : json(nullptr)}},
             &u.user.tags);
      EvaluateKeyUse(snap, u, k, e, now_ms);
    }
    for (const auto& p : u.user.inline_policies) {
      bool admin = PolicyIsAdminWildcard(p.document);
      e.Emit("iam.admin-wildcard-policy", arn, "global", !admin,
             admin ? "inline policy " + p.name + " allows * on *" : "inline policy " + p.name + " is scoped",
             {{"PolicyName", p.name}, {"PolicyType", "inline"}}, &u.user.tags);
    }
  }
  for (const auto& r : snap.roles) {
    for (const auto& p : r.inline_policies) {
      bool admin = PolicyIsAdminWildcard(p.document);
      e.Emit("iam.admin-wildcard-policy", r.arn, "global", !admin,
             admin ? "inline policy " + p.name + " allows * on *" : "inline policy " + p.name + " is scoped",
             {{"PolicyName", p.name}, {"PolicyType", "inline"}}, &r.tags);
    }
  }
  for (const auto& p : snap.policies) {
    bool admin = PolicyIsAdminWildcard(p.default_document);
    e.Emit("iam.admin-wildcard-policy", p.arn, "global", !admin,
           admin ? fmt::format("managed policy {} allows * on * ({} attachment(s))", p.name, p.attachment_count)
                 : "managed policy " + p.name + " is scoped",
           {{"PolicyName", p.name}, {"PolicyType", "customer-managed"}, {"AttachmentCount", p.attachment_count}});
  }
}

}  // namespace

std::vector<config::PostureSuppression> ApplySuppressions(std::vector<CheckResult>& results,
                                                          std::span<const config::PostureSuppression> suppressions,
                                                          int64_t now_ms) {
  std::vector<config::PostureSuppression> expired;
  for (const auto& s : suppressions) {
    if (s.expires_ms < now_ms) {
      expired.push_back(s);
      continue;
    }
    for (auto& r : results) {
      if (r.status != CheckStatus::kFail || r.suppressed) continue;
      if ((s.check == "*" || s.check == r.check_id) && GlobMatch(s.resource, r.resource)) {
        r.suppressed = true;
        r.suppressed_by = "config";
        r.suppression_reason = s.reason + " (until " + s.expires + ")";
      }
    }
  }
  return expired;
}

std::vector<std::string> UnknownSuppressionChecks(const config::Config& config) {
  std::vector<std::string> out;
  for (const auto& s : config.posture.suppressions) {
    if (s.check == "*" || FindPostureCheck(s.check)) continue;
    out.push_back(fmt::format("{}:{}:{}: posture.suppressions: unknown check id '{}'", config.path, s.where.line,
                              s.where.column, s.check));
  }
  return out;
}

PostureReport EvaluatePosture(const AccountSnapshot& snapshot, const config::PostureConfig& config, int64_t now_ms) {
  PostureReport report;
  report.account_id = snapshot.account_id;
  report.generated_ms = now_ms;
  report.gaps = snapshot.gaps;
  Emitter e(&report.results);
  for (const auto& r : snapshot.regions) {
    report.regions.push_back(r.region);
    EvaluateRegion(snapshot, r, e, now_ms);
  }
  EvaluateBuckets(snapshot, e);
  EvaluateAccountPublicAccessBlock(snapshot, e);
  EvaluateIam(snapshot, e, now_ms);
  report.expired_suppressions = ApplySuppressions(report.results, config.suppressions, now_ms);
  return report;
}

// ------------------------------------------------------------------------------------ output
namespace {

json ResultJson(const CheckResult& r) {
  const CheckDefinition* def = FindPostureCheck(r.check_id);
  json out = {{"check", r.check_id},         {"severity", std::string(LevelName(r.severity))},
              {"status", std::string(CheckStatusName(r.status))}, {"resource", r.resource},
              {"region", r.region},          {"message", r.message},
              {"evidence", r.evidence},      {"suppressed", r.suppressed}};
  if (def != nullptr) {
    out["title"] = std::string(def->title);
    if (r.status != CheckStatus::kPass) out["remediation"] = std::string(def->remediation);
  }
  if (r.suppressed) {
    out["suppressed_by"] = r.suppressed_by;
    out["suppression_reason"] = r.suppression_reason;
  }
  return out;
}

json SuppressionJson(const config::PostureSuppression& s, const std::string& file) {
  return {{"check", s.check}, {"resource", s.resource}, {"reason", s.reason}, {"expires", s.expires},
          {"where", fmt::format("{}:{}", file, s.where.line)}};
}

std::string AsffResourceType(const std::string& id) {
  if (id.starts_with("arn:aws:s3:::")) return "AwsS3Bucket";
  if (id.find(":iam::") != std::string::npos) {
    if (id.find(":user/") != std::string::npos) return "AwsIamUser";
    if (id.find(":role/") != std::string::npos) return "AwsIamRole";
    if (id.find(":policy/") != std::string::npos) return "AwsIamPolicy";
    if (id.ends_with(":root")) return "AwsAccount";
  }
  if (id.starts_with("i-")) return "AwsEc2Instance";
  if (id.starts_with("vol-")) return "AwsEc2Volume";
  if (id.starts_with("sg-")) return "AwsEc2SecurityGroup";
  if (id.starts_with("acl-")) return "AwsEc2NetworkAcl";
  if (id.starts_with("AKIA") || id.starts_with("ASIA")) return "AwsIamAccessKey";
  if (id.find(":rds:") != std::string::npos) return "AwsRdsDbInstance";
  if (id.find(":dynamodb:") != std::string::npos) return "AwsDynamoDbTable";
  if (id.find(":lambda:") != std::string::npos) return "AwsLambdaFunction";
  if (id.find(":elasticloadbalancing:") != std::string::npos) return "AwsElbv2LoadBalancer";
  return "Other";
}

std::string AsffSeverityLabel(Level l) {
  switch (l) {
    case Level::kInformational: return "INFORMATIONAL";
    case Level::kLow: return "LOW";
    case Level::kMedium: return "MEDIUM";
    case Level::kHigh: return "HIGH";
    case Level::kCritical: return "CRITICAL";
  }
  return "MEDIUM";
}

std::string Truncate(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

}  // namespace

json PostureToJson(const PostureReport& report) {
  struct Totals {
    int pass = 0, fail = 0, unknown = 0, suppressed = 0;
  };
  std::map<std::string, Totals> totals;
  Totals all;
  json results = json::array();
  for (const auto& r : report.results) {
    Totals& t = totals[r.check_id];
    for (Totals* x : {&t, &all}) {
      if (r.status == CheckStatus::kPass) ++x->pass;
      if (r.status == CheckStatus::kUnknown) ++x->unknown;
      if (r.status == CheckStatus::kFail) (r.suppressed ? x->suppressed : x->fail)++;
    }
    results.push_back(ResultJson(r));
  }
  json checks = json::array();
  for (const auto& c : PostureChecks()) {
    Totals t = totals[std::string(c.id)];
    std::string status = t.fail ? "fail" : (t.unknown ? "unknown" : (t.pass || t.suppressed ? "pass" : "not_applicable"));
    checks.push_back({{"id", std::string(c.id)}, {"severity", std::string(LevelName(c.severity))},
                      {"title", std::string(c.title)}, {"remediation", std::string(c.remediation)},
                      {"status", status}, {"pass", t.pass}, {"fail", t.fail}, {"unknown", t.unknown},
                      {"suppressed", t.suppressed}});
  }
  json expired = json::array();
  for (const auto& s : report.expired_suppressions) expired.push_back(SuppressionJson(s, report.config_path.empty() ? "config" : report.config_path));
  json gaps = json::array();
  for (const auto& g : report.gaps) gaps.push_back({{"region", g.region}, {"section", g.section}, {"error", g.error}});
  return {{"account", report.account_id},
          {"generated", FormatIsoTime(report.generated_ms)},
          {"regions", report.regions},
          {"summary", {{"checks", PostureChecks().size()}, {"results", report.results.size()}, {"pass", all.pass},
                       {"fail", all.fail}, {"unknown", all.unknown}, {"suppressed", all.suppressed}}},
          {"checks", checks},
          {"results", results},
          {"expired_suppressions", expired},
          {"gaps", gaps}};
}

json PostureToOcsf(const PostureReport& report) {
  json out = json::array();
  for (const auto& r : report.results) {
    const CheckDefinition* def = FindPostureCheck(r.check_id);
    int compliance_status = r.status == CheckStatus::kPass ? 1 : (r.status == CheckStatus::kFail ? 3 : 0);
    json finding = {
        {"class_uid", 2003},
        {"class_name", "Compliance Finding"},
        {"category_uid", 2},
        {"category_name", "Findings"},
        {"activity_id", 1},
        {"activity_name", "Create"},
        {"type_uid", 200301},
        {"severity_id", OcsfSeverityId(r.severity)},
        {"severity", std::string(LevelName(r.severity))},
        {"status_id", r.suppressed ? 3 : 1},  // Suppressed | New
        {"status", r.suppressed ? "Suppressed" : "New"},
        {"time", report.generated_ms},
        {"message", r.message},
        {"finding_info", {{"uid", "cloudward/posture/" + r.check_id + "/" + r.region + "/" + r.resource},
                          {"title", def ? std::string(def->title) : r.check_id},
                          {"types", {"posture/" + r.check_id}}}},
        {"compliance", {{"control", r.check_id},
                        {"standards", {"cloudward-posture"}},
                        {"status_id", compliance_status},
                        {"status", r.status == CheckStatus::kPass ? "Pass" : (r.status == CheckStatus::kFail ? "Fail" : "Unknown")}}},
        {"resources", {{{"uid", r.resource}, {"type", AsffResourceType(r.resource)}, {"region", r.region}}}},
        {"cloud", {{"provider", "AWS"}, {"region", r.region}, {"account", {{"uid", report.account_id}}}}},
        {"metadata", {{"version", "1.1.0"},
                      {"product", {{"name", "cloudward"}, {"vendor_name", "cloudward"}}}}},
        {"unmapped", {{"evidence", r.evidence}}},
    };
    if (def && r.status != CheckStatus::kPass) finding["remediation"] = {{"desc", std::string(def->remediation)}};
    out.push_back(std::move(finding));
  }
  return out;
}

json PostureToAsff(const PostureReport& report, const std::string& home_region) {
  json out = json::array();
  const std::string account = report.account_id.empty() ? "000000000000" : report.account_id;
  const std::string now = FormatIsoTime(report.generated_ms);
  for (const auto& r : report.results) {
    const CheckDefinition* def = FindPostureCheck(r.check_id);
    std::string region = r.region == "global" ? home_region : r.region;
    std::string type = AsffResourceType(r.resource);
    json resource = {{"Type", type}, {"Id", type == "AwsAccount" ? "AWS::::Account:" + account : r.resource},
                     {"Partition", "aws"}, {"Region", region}};
    out.push_back({
        {"SchemaVersion", "2018-10-08"},
        {"Id", "cloudward/posture/" + r.check_id + "/" + r.region + "/" + r.resource},
        {"ProductArn", fmt::format("arn:aws:securityhub:{}:{}:product/{}/default", region, account, account)},
        {"GeneratorId", "cloudward-posture/" + r.check_id},
        {"AwsAccountId", account},
        {"Types", {"Software and Configuration Checks/AWS Security Best Practices"}},
        {"CreatedAt", now},
        {"UpdatedAt", now},
        {"Severity", {{"Label", r.status == CheckStatus::kPass ? "INFORMATIONAL" : AsffSeverityLabel(r.severity)},
                      {"Original", std::string(LevelName(r.severity))}}},
        {"Title", Truncate(r.check_id + ": " + (def ? std::string(def->title) : ""), 256)},
        {"Description", Truncate(r.message.empty() ? r.check_id : r.message, 1024)},
        {"Remediation", {{"Recommendation", {{"Text", Truncate(def ? std::string(def->remediation) : "", 512)}}}}},
        {"Resources", {resource}},
        {"Compliance", {{"Status", r.status == CheckStatus::kPass ? "PASSED"
                                   : r.status == CheckStatus::kFail ? "FAILED" : "NOT_AVAILABLE"}}},
        {"Workflow", {{"Status", r.suppressed ? "SUPPRESSED" : (r.status == CheckStatus::kPass ? "RESOLVED" : "NEW")}}},
        {"RecordState", "ACTIVE"},
        {"ProductFields", {{"cloudward/CheckId", r.check_id}, {"cloudward/Evidence", Truncate(r.evidence.dump(), 2048)}}},
    });
  }
  return out;
}

std::string PostureToTable(const PostureReport& report, bool show_passed) {
  std::string out = fmt::format("Posture of account {} in {} region(s), {}\n", report.account_id.empty() ? "?" : report.account_id,
                                report.regions.size(), FormatIsoTime(report.generated_ms));
  auto section = [&](const char* title, auto pred) {
    std::vector<const CheckResult*> rows;
    for (const auto& r : report.results) {
      if (pred(r)) rows.push_back(&r);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const CheckResult* a, const CheckResult* b) {
      return a->severity != b->severity ? a->severity > b->severity : a->check_id < b->check_id;
    });
    if (rows.empty()) return;
    out += fmt::format("\n{} ({})\n", title, rows.size());
    out += fmt::format("  {:<9} {:<31} {:<14} {:<44} {}\n", "SEVERITY", "CHECK", "REGION", "RESOURCE", "SEEN");
    for (const CheckResult* r : rows) {
      out += fmt::format("  {:<9} {:<31} {:<14} {:<44} {}\n", LevelName(r->severity), r->check_id, r->region,
                         Truncate(r->resource, 44), r->message);
      if (r->suppressed) out += fmt::format("  {:<9} suppressed by {}: {}\n", "", r->suppressed_by, r->suppression_reason);
    }
  };
  section("FAILED", [](const CheckResult& r) { return r.status == CheckStatus::kFail && !r.suppressed; });
  section("UNKNOWN", [](const CheckResult& r) { return r.status == CheckStatus::kUnknown; });
  section("SUPPRESSED", [](const CheckResult& r) { return r.status == CheckStatus::kFail && r.suppressed; });
  if (show_passed) section("PASSED", [](const CheckResult& r) { return r.status == CheckStatus::kPass; });

  std::set<std::string> failed_checks;
  for (const auto& r : report.results) {
    if (r.status == CheckStatus::kFail && !r.suppressed) failed_checks.insert(r.check_id);
  }
  if (!failed_checks.empty()) {
    out += "\nHow to fix\n";
    for (const auto& id : failed_checks) {
      if (const CheckDefinition* def = FindPostureCheck(id)) out += fmt::format("  {}: {}\n", id, def->remediation);
    }
  }
  size_t pass = 0, unknown = 0, suppressed = 0;
  for (const auto& r : report.results) {
    pass += r.status == CheckStatus::kPass;
    unknown += r.status == CheckStatus::kUnknown;
    suppressed += r.status == CheckStatus::kFail && r.suppressed;
  }
  out += fmt::format("\n{} check(s), {} result(s): {} passed, {} failed, {} suppressed, {} unknown\n",
                     PostureChecks().size(), report.results.size(), pass, report.Failures(), suppressed, unknown);
  for (const auto& s : report.expired_suppressions) {
    out += fmt::format("expired suppression (line {}): {} on {} expired {} ({}); it no longer applies\n", s.where.line,
                       s.check, s.resource, s.expires, s.reason);
  }
  if (!report.gaps.empty()) out += fmt::format("{} part(s) could not be read (see --format json: gaps)\n", report.gaps.size());
  return out;
}

}  // namespace cloudward::prepare
