// Benign background activity: which identity calls which API how often, and the
// requestParameters / responseElements each API really carries.
#include <cstdio>

#include "simulate/generator.h"

namespace cloudward::simulate {
namespace {

struct Api {
  std::string_view source, name;
  bool read_only, data, global;  // global: IAM/STS/sign-in, always us-east-1
};

enum : int {
  kGetCallerIdentity, kAssumeRole, kDescribeInstances, kDescribeSecurityGroups, kDescribeVpcs,
  kDescribeSubnets, kDescribeVolumes, kListUsers, kListRoles, kGetRole, kListAttachedRolePolicies,
  kListBuckets, kGetBucketLocation, kGetObject, kPutObject, kDecrypt, kGenerateDataKey,
  kGetSecretValue, kGetParameter, kDescribeLogGroups, kDescribeAlarms, kListFunctions,
  kDescribeTable, kCreateTags, kConsoleLogin, kDescribeTrails, kGetAuthorizationToken,
  kDescribeRegions, kApiCount
};

constexpr Api kApis[kApiCount] = {
    {"sts.amazonaws.com", "GetCallerIdentity", true, false, true},
    {"sts.amazonaws.com", "AssumeRole", true, false, true},
    {"ec2.amazonaws.com", "DescribeInstances", true, false, false},
    {"ec2.amazonaws.com", "DescribeSecurityGroups", true, false, false},
    {"ec2.amazonaws.com", "DescribeVpcs", true, false, false},
    {"ec2.amazonaws.com", "DescribeSubnets", true, false, false},
    {"ec2.amazonaws.com", "DescribeVolumes", true, false, false},
    {"iam.amazonaws.com", "ListUsers", true, false, true},
    {"iam.amazonaws.com", "ListRoles", true, false, true},
    {"iam.amazonaws.com", "GetRole", true, false, true},
    {"iam.amazonaws.com", "ListAttachedRolePolicies", true, false, true},
    {"s3.amazonaws.com", "ListBuckets", true, false, true},
    {"s3.amazonaws.com", "GetBucketLocation", true, false, false},
    {"s3.amazonaws.com", "GetObject", true, true, false},
    {"s3.amazonaws.com", "PutObject", false, true, false},
    {"kms.amazonaws.com", "Decrypt", true, false, false},
    {"kms.amazonaws.com", "GenerateDataKey", true, false, false},
    {"secretsmanager.amazonaws.com", "GetSecretValue", true, false, false},
    {"ssm.amazonaws.com", "GetParameter", true, false, false},
    {"logs.amazonaws.com", "DescribeLogGroups", true, false, false},
    {"monitoring.amazonaws.com", "DescribeAlarms", true, false, false},
    {"lambda.amazonaws.com", "ListFunctions20150331", true, false, false},
    {"dynamodb.amazonaws.com", "DescribeTable", true, false, false},
    {"ec2.amazonaws.com", "CreateTags", false, false, false},
    {"signin.amazonaws.com", "ConsoleLogin", false, false, true},
    {"cloudtrail.amazonaws.com", "DescribeTrails", true, false, false},
    {"ecr.amazonaws.com", "GetAuthorizationToken", true, false, false},
    {"ec2.amazonaws.com", "DescribeRegions", true, false, false},
};

// Weights per Profile (kHumanCli, kConsole, kAutomation, kTerraform, kService, kRoot), by API.
constexpr uint32_t kMix[6][kApiCount] = {
    // GCI AR DI DSG DV DS DVo LU LR GR LARP LB GBL GO PO Dec GDK GSV GP DLG DA LF DT CT CL DTr GAT DR
    {8, 4, 10, 5, 3, 3, 2, 3, 3, 3, 2, 4, 2, 15, 5, 2, 1, 2, 2, 3, 2, 3, 2, 1, 0, 1, 1, 2},
    {0, 0, 12, 6, 4, 3, 3, 4, 4, 4, 3, 6, 4, 6, 2, 1, 0, 1, 1, 4, 4, 4, 3, 1, 3, 2, 0, 3},
    {1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 40, 20, 15, 6, 6, 6, 0, 1, 0, 3, 0, 0, 0, 2, 0},
    {3, 2, 8, 8, 6, 6, 4, 2, 4, 6, 6, 2, 4, 2, 1, 1, 0, 0, 2, 3, 2, 3, 3, 4, 0, 2, 0, 2},
    {0, 25, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
};

constexpr uint32_t kRegionWeights[kBackgroundRegions] = {60, 20, 15, 5};
constexpr std::string_view kObjectPrefixes[] = {"reports/2025/", "uploads/", "exports/daily/",
                                                "assets/img/", "tmp/batch-"};
constexpr std::string_view kSecrets[] = {"prod/orders/db", "prod/payments/stripe-key", "shared/datadog-api-key"};
constexpr std::string_view kParams[] = {"/app/config/feature-flags", "/app/db/endpoint", "/app/log-level"};
constexpr std::string_view kTables[] = {"orders", "sessions", "inventory"};

}  // namespace

BackgroundActivity::BackgroundActivity(const World& world, Random rng)
    : world_(world), rng_(rng) {
  // Production carries the most traffic, sandboxes the least.
  for (size_t i = 0; i < world.accounts.size(); ++i) account_weights_.push_back(i == 1 ? 40 : 20 - std::min<uint32_t>(15, static_cast<uint32_t>(i) * 2));
  call_.world = &world_;
}

void BackgroundActivity::SetError(const Identity& who, std::string_view action_prefix, bool throttle) {
  const bool ec2 = call_.source == "ec2.amazonaws.com";
  if (throttle) {
    call_.error_code = ec2 ? "Client.RequestLimitExceeded" : call_.source == "iam.amazonaws.com" ? "Throttling" : "ThrottlingException";
    call_.error_message = ec2 ? "Request limit exceeded." : "Rate exceeded";
    return;
  }
  const bool plain = call_.source == "iam.amazonaws.com" || call_.source == "s3.amazonaws.com" ||
                     call_.source == "sts.amazonaws.com";
  call_.error_code = ec2 ? "Client.UnauthorizedOperation" : plain ? "AccessDenied" : "AccessDeniedException";
  error_.clear();
  if (ec2) error_ = "You are not authorized to perform this operation. ";
  if (call_.source == "s3.amazonaws.com") {
    error_ += "Access Denied";
  } else {
    error_ += "User: ";
    error_ += who.arn;
    error_ += " is not authorized to perform: ";
    error_ += action_prefix;
    error_ += ':';
    error_ += call_.name;
    error_ += " because no identity-based policy allows the ";
    error_ += action_prefix;
    error_ += ':';
    error_ += call_.name;
    error_ += " action";
  }
  call_.error_message = error_;
}

const ApiCall& BackgroundActivity::NextCall(int64_t time) {
  const Account& account = world_.accounts[rng_.Weighted(account_weights_)];
  const Identity* pick = &account.identities[rng_.Weighted(account.identity_weights)];
  // The root user is used a few times a month in a well-run organisation, not daily: keep 1 in 60
  // of its draws (about 0.01% of calls) and give the others to the account's other identities.
  while (pick->kind == IdentityKind::kRoot && rng_.Below(60) != 0) {
    pick = &account.identities[rng_.Weighted(account.identity_weights)];
  }
  const Identity& who = *pick;
  const int api = static_cast<int>(rng_.Weighted(kMix[static_cast<int>(who.profile)]));
  const Api& def = kApis[api];
  call_.who = &who;
  call_.time = time;
  call_.source = def.source;
  call_.name = def.name;
  call_.read_only = def.read_only;
  call_.data_event = def.data;
  call_.region = def.global ? 0 : static_cast<int>(rng_.Weighted(kRegionWeights));
  call_.ip = who.ips[rng_.Below(who.ips.size())];
  call_.agent = who.agents[rng_.Below(who.agents.size())];
  call_.error_code = {};
  call_.error_message = {};
  call_.event_type = "AwsApiCall";
  call_.host = {};
  call_.recipient = {};
  FillApi(api, who, account);
  if (api != kConsoleLogin && who.kind != IdentityKind::kService) {
    const double r = rng_.Unit();
    const std::string_view prefix = def.source == "monitoring.amazonaws.com" ? std::string_view("cloudwatch")
                                                                              : def.source.substr(0, def.source.find('.'));
    if (r < 0.02) {
      SetError(who, prefix, false);
    } else if (r < 0.024 && def.read_only) {
      SetError(who, prefix, true);
    }
  }
  return call_;
}

void BackgroundActivity::FillApi(int api, const Identity& who, const Account& account) {
  request_.clear();
  response_.clear();
  additional_.clear();
  resources_.clear();
  JsonText rq(request_), rs(response_), ad(additional_), rc(resources_);
  const std::string_view region = kRegions[call_.region];
  auto in_region = [&]() -> const Instance& {
    const int r = call_.region < kBackgroundRegions ? call_.region : 0;
    return account.instances[static_cast<size_t>(r) * 3 + rng_.Below(3)];
  };
  call_.request = "null";
  call_.response = "null";
  call_.additional = {};
  call_.resources = {};
  switch (api) {
    case kGetCallerIdentity:
      rs.Raw("{\"userId\":");
      rs.Str(who.principal_id.empty() ? who.name : who.principal_id);
      rs.Raw(",\"account\":\"");
      rs.Raw(account.id);
      rs.Raw("\",\"arn\":");
      rs.Str(who.arn);
      rs.Char('}');
      call_.response = response_;
      break;
    case kAssumeRole: {
      // Services and people assume the account's workload roles.
      const Identity& role = account.identities[account.roles[rng_.Below(2)]];
      rq.Raw("{\"roleArn\":");
      rq.Str(role.role_arn);
      rq.Raw(",\"roleSessionName\":");
      rq.Str(role.name);
      rq.Raw(",\"durationSeconds\":3600}");
      rs.Raw("{\"credentials\":{\"accessKeyId\":\"ASIA");
      rng_.AppendChars(response_, kUpperAlnum, 16);
      rs.Raw("\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE");
      rng_.AppendChars(response_, kAlnum, 40);
      rs.Raw("\",\"expiration\":\"");
      AppendAwsDate(response_, call_.time + kHour);
      rs.Raw("\"},\"assumedRoleUser\":{\"assumedRoleId\":");
      rs.Str(role.principal_id);
      rs.Raw(",\"arn\":");
      rs.Str(role.arn);
      rs.Raw("}}");
      rc.Raw("[{\"accountId\":\"");
      rc.Raw(account.id);
      rc.Raw("\",\"type\":\"AWS::IAM::Role\",\"ARN\":");
      rc.Str(role.role_arn);
      rc.Raw("}]");
      call_.request = request_;
      call_.response = response_;
      call_.resources = resources_;
      break;
    }
    case kDescribeInstances:
      if (rng_.Chance(0.5)) {
        rq.Raw("{\"instancesSet\":{\"items\":[{\"instanceId\":\"");
        rq.Raw(in_region().id);
        rq.Raw("\"}]},\"filterSet\":{}}");
      } else {
        rq.Raw("{\"instancesSet\":{},\"filterSet\":{\"items\":[{\"name\":\"instance-state-name\","
               "\"valueSet\":{\"items\":[{\"value\":\"running\"}]}}]}}");
      }
      call_.request = request_;
      break;
    case kDescribeSecurityGroups:
      call_.request = "{\"securityGroupSet\":{},\"securityGroupIdSet\":{},\"filterSet\":{}}";
      break;
    case kDescribeVpcs:
      call_.request = "{\"vpcSet\":{},\"filterSet\":{}}";
      break;
    case kDescribeSubnets:
      rq.Raw("{\"subnetSet\":{},\"filterSet\":{\"items\":[{\"name\":\"vpc-id\",\"valueSet\":{\"items\":[{\"value\":\"");
      rq.Raw(account.vpc[call_.region]);
      rq.Raw("\"}]}}]}}");
      call_.request = request_;
      break;
    case kDescribeVolumes:
      call_.request = "{\"volumeSet\":{},\"filterSet\":{},\"maxResults\":500}";
      break;
    case kListUsers:
    case kListRoles:
      call_.request = rng_.Chance(0.5) ? "null" : "{\"maxItems\":100}";
      break;
    case kGetRole:
    case kListAttachedRolePolicies: {
      const Identity& role = account.identities[account.roles[rng_.Below(account.roles.size())]];
      rq.Raw("{\"roleName\":");
      rq.Str(role.role_name);
      rq.Char('}');
      call_.request = request_;
      break;
    }
    case kListBuckets:
      call_.request = "{\"Host\":\"s3.amazonaws.com\"}";
      break;
    case kGetBucketLocation:
    case kGetObject:
    case kPutObject: {
      const std::string& bucket = account.buckets[rng_.Below(account.buckets.size())];
      host_.assign(bucket);
      host_ += ".s3.";
      host_ += region;
      host_ += ".amazonaws.com";
      call_.host = host_;
      rq.Raw("{\"bucketName\":\"");
      rq.Raw(bucket);
      rq.Raw("\",\"Host\":\"");
      rq.Raw(host_);
      if (api == kGetBucketLocation) {
        rq.Raw("\",\"location\":\"\"}");
        call_.request = request_;
        rc.Raw("[{\"accountId\":\"");
        rc.Raw(account.id);
        rc.Raw("\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
        rc.Raw(bucket);
        rc.Raw("\"}]");
        call_.resources = resources_;
        break;
      }
      rq.Raw("\",\"key\":\"");
      const size_t key_at = request_.size();
      rq.Raw(kObjectPrefixes[rng_.Below(std::size(kObjectPrefixes))]);
      rng_.AppendChars(request_, kLowerHex, 12);
      rq.Raw(rng_.Chance(0.5) ? ".json" : ".parquet");
      const std::string_view key(request_.data() + key_at, request_.size() - key_at);
      rc.Raw("[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::");
      rc.Raw(bucket);
      rc.Char('/');
      rc.Raw(key);
      rc.Raw("\"},{\"accountId\":\"");
      rc.Raw(account.id);
      rc.Raw("\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
      rc.Raw(bucket);
      rc.Raw("\"}]");
      rq.Raw("\"}");
      const int64_t size = rng_.Between(200, 4000000);
      ad.Raw("{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":");
      ad.Int(api == kPutObject ? size : 0);
      ad.Raw(",\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"");
      rng_.AppendChars(additional_, kAlnum, 56);
      ad.Raw("\",\"bytesTransferredOut\":");
      ad.Int(api == kGetObject ? size : 0);
      ad.Char('}');
      if (api == kPutObject) {
        call_.response = "{\"x-amz-server-side-encryption\":\"AES256\"}";
      }
      call_.request = request_;
      call_.additional = additional_;
      call_.resources = resources_;
      break;
    }
    case kDecrypt:
    case kGenerateDataKey:
      rq.Raw("{");
      if (api == kGenerateDataKey) {
        rq.Raw("\"keyId\":\"");
        rq.Raw(account.kms_key[call_.region]);
        rq.Raw("\",\"keySpec\":\"AES_256\",");
      } else {
        rq.Raw("\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",");
      }
      rq.Raw("\"encryptionContext\":{\"aws:s3:arn\":\"arn:aws:s3:::");
      rq.Raw(account.buckets[rng_.Below(account.buckets.size())]);
      rq.Raw("\"}}");
      rc.Raw("[{\"accountId\":\"");
      rc.Raw(account.id);
      rc.Raw("\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"");
      rc.Raw(account.kms_key[call_.region]);
      rc.Raw("\"}]");
      call_.request = request_;
      call_.resources = resources_;
      break;
    case kGetSecretValue:
      rq.Raw("{\"secretId\":\"");
      rq.Raw(kSecrets[rng_.Below(std::size(kSecrets))]);
      rq.Raw("\"}");
      call_.request = request_;
      break;
    case kGetParameter:
      rq.Raw("{\"name\":\"");
      rq.Raw(kParams[rng_.Below(std::size(kParams))]);
      rq.Raw("\",\"withDecryption\":true}");
      call_.request = request_;
      break;
    case kDescribeLogGroups:
      call_.request = "{\"logGroupNamePrefix\":\"/aws/lambda/\"}";
      break;
    case kDescribeAlarms:
      call_.request = "{\"maxRecords\":100}";
      break;
    case kListFunctions:
      break;
    case kDescribeTable:
      rq.Raw("{\"tableName\":\"");
      rq.Raw(kTables[rng_.Below(std::size(kTables))]);
      rq.Raw("\"}");
      call_.request = request_;
      break;
    case kCreateTags:
      rq.Raw("{\"resourcesSet\":{\"items\":[{\"resourceId\":\"");
      rq.Raw(in_region().id);
      rq.Raw("\"}]},\"tagSet\":{\"items\":[{\"key\":\"CostCenter\",\"value\":\"cc-");
      rq.Int(rng_.Between(100, 999));
      rq.Raw("\"}]}}");
      rs.Raw("{\"requestId\":\"");
      AppendUuid(response_, rng_);
      rs.Raw("\",\"_return\":true}");
      call_.request = request_;
      call_.response = response_;
      break;
    case kConsoleLogin: {
      call_.event_type = "AwsConsoleSignIn";
      call_.read_only = false;
      const bool failed = rng_.Chance(0.03);
      call_.response = failed ? "{\"ConsoleLogin\":\"Failure\"}" : "{\"ConsoleLogin\":\"Success\"}";
      if (failed) {
        call_.error_message = "Failed authentication";
      }
      call_.additional = who.mfa
          ? "{\"LoginTo\":\"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true\",\"MobileVersion\":\"No\",\"MFAUsed\":\"Yes\"}"
          : "{\"LoginTo\":\"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true\",\"MobileVersion\":\"No\",\"MFAUsed\":\"No\"}";
      break;
    }
    case kDescribeTrails:
      call_.request = "{\"trailNameList\":[],\"includeShadowTrails\":true}";
      break;
    case kGetAuthorizationToken:
      call_.request = "{\"registryIds\":[]}";
      break;
    case kDescribeRegions:
      call_.request = "{\"regionSet\":{},\"allRegions\":false}";
      break;
    default:
      break;
  }
}

const Flow& BackgroundActivity::NextFlow(int64_t time, int& account_index, int& region) {
  account_index = static_cast<int>(rng_.Weighted(account_weights_));
  const Account& account = world_.accounts[account_index];
  region = static_cast<int>(rng_.Weighted(kRegionWeights));
  const Instance& in = account.instances[static_cast<size_t>(region) * 3 + rng_.Below(3)];
  Flow& f = flow_;
  f = Flow{};
  f.instance = &in;
  f.end_s = time / 1000;
  f.start_s = f.end_s - rng_.Between(5, 60);
  const uint64_t kind = rng_.Below(100);
  auto random_ip = [&](int first) {
    ip_.resize(32);
    char* ip = ip_.data();
    const int n = std::snprintf(ip, 32, "%d.%d.%d.%d", first, static_cast<int>(rng_.Between(1, 254)),
                                static_cast<int>(rng_.Between(0, 255)), static_cast<int>(rng_.Between(1, 254)));
    return std::string_view(ip, static_cast<size_t>(n));
  };
  const int ephemeral = static_cast<int>(rng_.Between(32768, 60999));
  if (kind < 45) {  // outbound HTTPS to AWS APIs and SaaS
    f.src = in.private_ip;
    f.dst = random_ip(rng_.Chance(0.7) ? 52 : 151);
    f.src_port = ephemeral;
    f.dst_port = 443;
    f.packets = rng_.Between(4, 400);
    f.bytes = f.packets * rng_.Between(60, 1400);
  } else if (kind < 70) {  // east-west inside the VPC
    const Instance& peer = account.instances[static_cast<size_t>(region) * 3 + rng_.Below(3)];
    static constexpr int kPorts[] = {5432, 6379, 8080, 443};
    f.src = peer.private_ip;
    f.dst = in.private_ip;
    f.src_port = ephemeral;
    f.dst_port = kPorts[rng_.Below(4)];
    f.packets = rng_.Between(2, 2000);
    f.bytes = f.packets * rng_.Between(60, 1400);
    f.ingress = true;
  } else if (kind < 80) {  // customers reaching the web tier
    f.src = random_ip(static_cast<int>(rng_.Between(24, 200)));
    f.dst = in.private_ip;
    f.src_port = ephemeral;
    f.dst_port = 443;
    f.packets = rng_.Between(6, 80);
    f.bytes = f.packets * rng_.Between(60, 1400);
    f.ingress = true;
  } else if (kind < 88) {  // DNS to the VPC resolver
    scratch_ = "10." + std::to_string(account.octet + region) + ".0.2";
    f.src = in.private_ip;
    f.dst = scratch_;
    f.src_port = ephemeral;
    f.dst_port = 53;
    f.protocol = 17;
    f.packets = 1;
    f.bytes = rng_.Between(60, 120);
  } else if (kind < 98) {  // internet background noise, dropped by security groups
    static constexpr int kProbed[] = {23, 445, 1433, 3306, 8080, 8443, 5900, 2375, 6379, 9200};
    f.src = random_ip(static_cast<int>(rng_.Between(1, 223)));
    f.dst = in.private_ip;
    f.src_port = ephemeral;
    f.dst_port = kProbed[rng_.Below(std::size(kProbed))];
    f.packets = 1;
    f.bytes = 40 + 4 * rng_.Below(6);
    f.action = "REJECT";
    f.tcp_flags = 2;
    f.ingress = true;
  } else {
    f.log_status = "NODATA";
  }
  return f;
}

const FindingSpec& BackgroundActivity::NextFinding(int64_t time) {
  FindingSpec& s = finding_;
  s = FindingSpec{};
  s.account = static_cast<int>(rng_.Weighted(account_weights_));
  s.region = static_cast<int>(rng_.Weighted(kRegionWeights));
  const Account& account = world_.accounts[s.account];
  s.instance = &account.instances[static_cast<size_t>(s.region) * 3 + rng_.Below(3)];
  s.first_seen = time - rng_.Between(1, 12) * kHour;
  s.last_seen = time;
  s.count = static_cast<int>(rng_.Between(1, 40));
  ip_.resize(32);
  const int n = std::snprintf(ip_.data(), 32, "%d.%d.%d.%d", static_cast<int>(rng_.Between(1, 223)),
                              static_cast<int>(rng_.Between(0, 255)), static_cast<int>(rng_.Between(0, 255)),
                              static_cast<int>(rng_.Between(1, 254)));
  s.remote_ip = std::string_view(ip_.data(), static_cast<size_t>(n));
  switch (rng_.Below(3)) {
    case 0:
      s.type = "Recon:EC2/PortProbeUnprotectedPort";
      s.severity = 2;
      s.title = "Unprotected port on EC2 instance is being probed.";
      s.description = "An unprotected port on an EC2 instance is being probed by a known malicious host.";
      s.action_type = "PORT_PROBE";
      s.local_port = rng_.Chance(0.5) ? 22 : 80;
      break;
    case 1:
      s.type = "UnauthorizedAccess:EC2/SSHBruteForce";
      s.severity = 2;
      s.title = "SSH brute force attacks against an EC2 instance.";
      s.description = "An EC2 instance has been involved in SSH brute force attacks; it is the target.";
      s.action_type = "NETWORK_CONNECTION";
      s.local_port = 22;
      s.remote_port = static_cast<int>(rng_.Between(32768, 60999));
      break;
    default:
      s.type = "Recon:EC2/Portscan";
      s.severity = 5;
      s.title = "Unusual outbound port scan from EC2 instance.";
      s.description = "An EC2 instance is performing outbound port scans to a remote host.";
      s.action_type = "NETWORK_CONNECTION";
      s.direction = "OUTBOUND";
      s.resource_role = "ACTOR";
      s.local_port = static_cast<int>(rng_.Between(32768, 60999));
      s.remote_port = static_cast<int>(rng_.Between(1, 1024));
      break;
  }
  return s;
}

}  // namespace cloudward::simulate
