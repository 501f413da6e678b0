// Attack scenarios: each one is a coherent story told by one attacker identity and source IP
// across CloudTrail, VPC flow logs and GuardDuty. Every record is serialized with the same
// writers as the background, and its id is kept as ground truth.
#include <algorithm>
#include <cstdio>
#include <deque>

#include "simulate/generator.h"

namespace cloudward::simulate {
namespace {

std::string Ip(Random& rng, int a, int b) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(rng.Between(0, 255)) +
         "." + std::to_string(rng.Between(2, 254));
}

// Serializes the records of one scenario and keeps its ground truth up to date.
class Story {
 public:
  Story(const World& world, Random& rng, ScenarioOutput& out, ScenarioTruth& truth)
      : world_(world), rng_(rng), out_(out), truth_(truth) {}

  // A call by `who` from the story's attacker IP and user agent unless overridden afterwards.
  ApiCall Call(int64_t t, const Identity& who, int region, std::string_view source,
               std::string_view name, bool read_only) {
    ApiCall c;
    c.world = &world_;
    c.who = &who;
    c.time = t;
    c.region = region;
    c.source = source;
    c.name = name;
    c.read_only = read_only;
    c.ip = truth_.ip;
    c.agent = truth_.user_agent;
    return c;
  }

  void Emit(const ApiCall& c) {
    std::string text, id;
    WriteRecord(text, c, rng_, &id);
    truth_.event_ids.push_back(id);
    Touch(c.time, c.who->account, c.region);
    out_.cloudtrail.push_back({c.time, c.who->account, c.region, std::move(text)});
  }

  void EmitFlow(int account, const Flow& f) {
    std::string text;
    WriteFlow(text, world_.accounts[account], f);
    ++truth_.flow_records;
    if (std::find(truth_.flow_interfaces.begin(), truth_.flow_interfaces.end(), f.instance->eni) ==
        truth_.flow_interfaces.end()) {
      truth_.flow_interfaces.push_back(f.instance->eni);
    }
    Touch(f.end_s * 1000, account, f.instance->region);
    out_.flows.push_back({f.end_s * 1000, account, f.instance->region, std::move(text)});
  }

  void EmitFinding(const FindingSpec& spec) {
    std::string text, id;
    WriteFinding(text, world_, spec, rng_, &id);
    truth_.finding_ids.push_back(id);
    const int64_t delivered = spec.last_seen + 5 * kMinute;
    Touch(delivered, spec.account, spec.region);
    out_.findings.push_back({delivered, spec.account, spec.region, std::move(text)});
  }

  // Scratch strings for request/response JSON that stay alive for the story's lifetime.
  std::string& Text() { return texts_.emplace_back(); }

 private:
  void Touch(int64_t t, int account, int region) {
    truth_.start_ms = std::min(truth_.start_ms, t);
    truth_.end_ms = std::max(truth_.end_ms, t);
    if (std::find(truth_.accounts.begin(), truth_.accounts.end(), account) == truth_.accounts.end()) {
      truth_.accounts.push_back(account);
    }
    if (std::find(truth_.regions.begin(), truth_.regions.end(), region) == truth_.regions.end()) {
      truth_.regions.push_back(region);
    }
  }

  const World& world_;
  Random& rng_;
  ScenarioOutput& out_;
  ScenarioTruth& truth_;
  std::deque<std::string> texts_;
};

// `who` acting from elsewhere: same identity fields, the attacker's address.
Identity Stolen(const Identity& who, const std::string& ip) {
  Identity copy = who;
  copy.ips = {ip};
  return copy;
}

std::string Json(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

std::string AdminPolicy() { return "arn:aws:iam::aws:policy/AdministratorAccess"; }

std::string DeniedMessage(const Identity& who, std::string_view action) {
  return Json({"User: ", who.arn, " is not authorized to perform: ", action,
               " because no identity-based policy allows the ", action, " action"});
}

void FillKeyTruth(ScenarioTruth& t, const Identity& who) {
  t.access_key_id = who.access_key;
  t.arn = who.arn;
}

// 1. A leaked long-term key used from a new IP/ASN: recon, privilege escalation, persistence,
//    exfiltration.
void CompromisedAccessKey(const World& world, Random& rng, ScenarioOutput& out, int64_t t) {
  ScenarioTruth& truth = out.truths.emplace_back();
  truth.name = "compromised-access-key";
  truth.description = "Leaked IAM user access key used from a new IP/ASN: recon, CreatePolicyVersion and "
                      "AttachUserPolicy privilege escalation, new user and keys, secrets and S3 exfiltration";
  const int acct = world.accounts.size() > 1 ? 1 : 0;
  const Account& a = world.accounts[acct];
  truth.ip = Ip(rng, 185, 220);
  truth.user_agent =
      "Boto3/1.26.54 Python/3.11.2 Linux/6.1.0-kali7-amd64 Botocore/1.29.54";
  const Identity victim = Stolen(*FindIdentity(a, "svc-reporting"), truth.ip);
  FillKeyTruth(truth, victim);
  Story s(world, rng, out, truth);
  auto step = [&](int lo, int hi) { t += rng.Between(lo, hi) * kSecond; return t; };

  s.Emit(s.Call(step(1, 5), victim, 0, "sts.amazonaws.com", "GetCallerIdentity", true));
  for (std::string_view name : {"ListUsers", "ListRoles", "ListGroups", "ListPolicies"}) {
    s.Emit(s.Call(step(1, 8), victim, 0, "iam.amazonaws.com", name, true));
  }
  {
    std::string& rq = s.Text();
    rq = Json({"{\"userName\":\"", victim.name, "\"}"});
    auto c = s.Call(step(1, 4), victim, 0, "iam.amazonaws.com", "ListAttachedUserPolicies", true);
    c.request = rq;
    s.Emit(c);
    auto d = s.Call(step(1, 4), victim, 0, "iam.amazonaws.com", "GetAccountAuthorizationDetails", true);
    std::string& msg = s.Text();
    msg = DeniedMessage(victim, "iam:GetAccountAuthorizationDetails");
    d.error_code = "AccessDenied";
    d.error_message = msg;
    s.Emit(d);
  }
  {
    auto c = s.Call(step(2, 6), victim, 0, "s3.amazonaws.com", "ListBuckets", true);
    c.request = "{\"Host\":\"s3.amazonaws.com\"}";
    s.Emit(c);
  }
  // DescribeInstances in every region, twice, most denied.
  std::string& ec2_denied = s.Text();
  ec2_denied = "You are not authorized to perform this operation. " + DeniedMessage(victim, "ec2:DescribeInstances");
  for (int round = 0; round < 3; ++round) {
    for (int r = 0; r < kRegionCount; ++r) {
      auto c = s.Call(step(0, 2), victim, r, "ec2.amazonaws.com", "DescribeInstances", true);
      c.request = "{\"instancesSet\":{},\"filterSet\":{}}";
      if (r != 0 || round > 0) {
        c.error_code = "Client.UnauthorizedOperation";
        c.error_message = ec2_denied;
      }
      s.Emit(c);
    }
  }
  // Privilege escalation: a new default version of the user's own policy, then AdministratorAccess.
  const std::string policy_arn = "arn:aws:iam::" + a.id + ":policy/reporting-read";
  {
    std::string& rq = s.Text();
    rq = Json({"{\"policyArn\":\"", policy_arn,
               "\",\"policyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":"
               "\\\"Allow\\\",\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*\\\"}]}\",\"setAsDefault\":true}"});
    std::string& rs = s.Text();
    rs = "{\"policyVersion\":{\"versionId\":\"v3\",\"isDefaultVersion\":true,\"createDate\":\"";
    AppendAwsDate(rs, step(20, 60));
    rs += "\"}}";
    auto c = s.Call(t, victim, 0, "iam.amazonaws.com", "CreatePolicyVersion", false);
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  auto attach = [&](std::string_view user) {
    std::string& rq = s.Text();
    rq = Json({"{\"userName\":\"", user, "\",\"policyArn\":\"", AdminPolicy(), "\"}"});
    auto c = s.Call(step(5, 30), victim, 0, "iam.amazonaws.com", "AttachUserPolicy", false);
    c.request = rq;
    s.Emit(c);
  };
  attach(victim.name);
  // Persistence: a new user with console password and keys, and a key for an existing user.
  const std::string new_user = "backup-admin";
  {
    std::string& rq = s.Text();
    rq = Json({"{\"userName\":\"", new_user, "\"}"});
    std::string& rs = s.Text();
    rs = Json({"{\"user\":{\"path\":\"/\",\"userName\":\"", new_user, "\",\"userId\":\"AIDA",
               rng.Chars(kUpperAlnum, 17), "\",\"arn\":\"arn:aws:iam::", a.id, ":user/", new_user,
               "\",\"createDate\":\""});
    AppendAwsDate(rs, step(10, 40));
    rs += "\"}}";
    auto c = s.Call(t, victim, 0, "iam.amazonaws.com", "CreateUser", false);
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  attach(new_user);
  for (const std::string& user : {new_user, std::string(a.identities[0].name)}) {
    std::string& rq = s.Text();
    rq = Json({"{\"userName\":\"", user, "\"}"});
    std::string& rs = s.Text();
    rs = Json({"{\"accessKey\":{\"userName\":\"", user, "\",\"accessKeyId\":\"AKIA",
               rng.Chars(kUpperAlnum, 16), "\",\"status\":\"Active\",\"createDate\":\""});
    AppendAwsDate(rs, step(5, 30));
    rs += "\"}}";
    auto c = s.Call(t, victim, 0, "iam.amazonaws.com", "CreateAccessKey", false);
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  {
    std::string& rq = s.Text();
    rq = Json({"{\"userName\":\"", new_user, "\",\"passwordResetRequired\":false}"});
    std::string& rs = s.Text();
    rs = Json({"{\"loginProfile\":{\"userName\":\"", new_user, "\",\"createDate\":\""});
    AppendAwsDate(rs, step(5, 20));
    rs += "\",\"passwordResetRequired\":false}}";
    auto c = s.Call(t, victim, 0, "iam.amazonaws.com", "CreateLoginProfile", false);
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  // Exfiltration: every secret, then a bulk download of the data lake.
  {
    auto c = s.Call(step(60, 180), victim, 0, "secretsmanager.amazonaws.com", "ListSecrets", true);
    c.request = "{\"maxResults\":100}";
    s.Emit(c);
  }
  for (int i = 0; i < 24; ++i) {
    std::string& rq = s.Text();
    rq = Json({"{\"secretId\":\"prod/", i % 3 == 0 ? "orders" : i % 3 == 1 ? "payments" : "crm",
               "/credential-", std::to_string(i), "\"}"});
    auto c = s.Call(step(0, 2), victim, 0, "secretsmanager.amazonaws.com", "GetSecretValue", true);
    c.request = rq;
    s.Emit(c);
  }
  const std::string& bucket = a.buckets[1];
  const std::string host = bucket + ".s3.us-east-1.amazonaws.com";
  {
    std::string& rq = s.Text();
    rq = Json({"{\"bucketName\":\"", bucket, "\",\"Host\":\"", host, "\",\"list-type\":\"2\",\"prefix\":\"\"}"});
    auto c = s.Call(step(10, 60), victim, 0, "s3.amazonaws.com", "ListObjects", true);
    c.request = rq;
    c.host = host;
    s.Emit(c);
  }
  const int64_t exfil_start = t;
  for (int i = 0; i < 150; ++i) {
    std::string key = "customers/export-" + std::to_string(2020 + i % 6) + "/part-" + std::to_string(i) + ".csv.gz";
    std::string& rq = s.Text();
    rq = Json({"{\"bucketName\":\"", bucket, "\",\"Host\":\"", host, "\",\"key\":\"", key, "\"}"});
    std::string& ad = s.Text();
    ad = Json({"{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":0,"
               "\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"", rng.Chars(kAlnum, 56),
               "\",\"bytesTransferredOut\":", std::to_string(rng.Between(5000000, 60000000)), "}"});
    std::string& rc = s.Text();
    rc = Json({"[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::", bucket, "/", key,
               "\"},{\"accountId\":\"", a.id, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::", bucket, "\"}]"});
    auto c = s.Call(step(0, 3), victim, 0, "s3.amazonaws.com", "GetObject", true);
    c.data_event = true;
    c.request = rq;
    c.additional = ad;
    c.resources = rc;
    c.host = host;
    s.Emit(c);
  }
  struct Gd { std::string_view type, title, api, service; double severity; };
  const Gd findings[] = {
      {"Discovery:IAMUser/AnomalousBehavior", "Unusual discovery API calls by an IAM user.", "ListRoles",
       "iam.amazonaws.com", 5},
      {"PrivilegeEscalation:IAMUser/AnomalousBehavior", "Unusual privilege escalation APIs invoked by an IAM user.",
       "AttachUserPolicy", "iam.amazonaws.com", 5},
      {"Persistence:IAMUser/AnomalousBehavior", "Unusual persistence APIs invoked by an IAM user.",
       "CreateAccessKey", "iam.amazonaws.com", 5},
  };
  for (const Gd& g : findings) {
    FindingSpec f;
    f.account = acct;
    f.region = 0;
    f.type = g.type;
    f.severity = g.severity;
    f.title = g.title;
    f.description = "APIs commonly used in attacks were invoked by an IAM user from a remote IP address "
                    "not seen before for this principal.";
    f.first_seen = truth.start_ms;
    f.last_seen = exfil_start;
    f.count = static_cast<int>(rng.Between(2, 20));
    f.key_owner = &victim;
    f.action_type = "AWS_API_CALL";
    f.api = g.api;
    f.api_service = g.service;
    f.remote_ip = truth.ip;
    f.resource_role = "TARGET";
    s.EmitFinding(f);
  }
}

// 2. Crypto-mining: GPU instances launched in an unused region, traffic to mining pools, GuardDuty.
void CryptoMining(const World& world, Random& rng, ScenarioOutput& out, int64_t t) {
  ScenarioTruth& truth = out.truths.emplace_back();
  truth.name = "crypto-mining";
  truth.description = "Leaked CI key launches GPU instances (p3/g4dn) in an unusual region; the instances talk "
                      "to mining pools on ports 3333/4444/5555/14444; GuardDuty CryptoCurrency findings";
  const int acct = static_cast<int>(world.accounts.size()) - 1;
  const Account& a = world.accounts[acct];
  truth.ip = Ip(rng, 45, 155);
  truth.user_agent =
      "aws-cli/2.9.19 Python/3.9.11 Linux/5.15.0-56-generic exe/x86_64.ubuntu.22 prompt/off command/ec2.run-instances";
  const Identity who = Stolen(*FindIdentity(a, "ci-deploy"), truth.ip);
  FillKeyTruth(truth, who);
  Story s(world, rng, out, truth);
  const int region = kUnusualRegion;
  const std::string_view rname = kRegions[region];
  auto step = [&](int lo, int hi) { t += rng.Between(lo, hi) * kSecond; return t; };

  {
    auto c = s.Call(step(1, 5), who, region, "ec2.amazonaws.com", "DescribeRegions", true);
    c.request = "{\"regionSet\":{},\"allRegions\":true}";
    s.Emit(c);
    auto d = s.Call(step(1, 5), who, region, "ec2.amazonaws.com", "DescribeAccountAttributes", true);
    d.request = "{\"accountAttributeNameSet\":{\"items\":[{\"attributeName\":\"max-instances\"}]},\"filterSet\":{}}";
    s.Emit(d);
  }
  {
    std::string& rs = s.Text();
    rs = "{\"requestId\":\"";
    AppendUuid(rs, rng);
    rs += Json({"\",\"keyName\":\"xmr-key\",\"keyFingerprint\":\"", rng.Chars(kLowerHex, 40),
                "\",\"keyPairId\":\"key-0", rng.Chars(kLowerHex, 16),
                "\",\"keyMaterial\":\"<sensitiveDataRemoved>\"}"});
    auto c = s.Call(step(5, 20), who, region, "ec2.amazonaws.com", "CreateKeyPair", false);
    c.request = "{\"keyName\":\"xmr-key\",\"keyType\":\"rsa\",\"keyFormat\":\"pem\"}";
    c.response = rs;
    s.Emit(c);
  }
  const std::string vpc = "vpc-0" + rng.Chars(kLowerHex, 16);
  const std::string sg = "sg-0" + rng.Chars(kLowerHex, 16);
  const std::string subnet = "subnet-0" + rng.Chars(kLowerHex, 16);
  {
    std::string& rq = s.Text();
    rq = Json({"{\"groupName\":\"launch-wizard-7\",\"groupDescription\":\"launch-wizard-7 created\",\"vpcId\":\"", vpc, "\"}"});
    std::string& rs = s.Text();
    rs = "{\"requestId\":\"";
    AppendUuid(rs, rng);
    rs += "\",\"_return\":true,\"groupId\":\"" + sg + "\"}";
    auto c = s.Call(step(5, 20), who, region, "ec2.amazonaws.com", "CreateSecurityGroup", false);
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  // The attempt at the largest type fails on the vCPU quota; smaller GPU types go through.
  std::deque<Instance> miners;
  struct Launch { std::string_view type; int count; bool denied; };
  const Launch launches[] = {{"p3.16xlarge", 10, true}, {"g4dn.12xlarge", 4, false}, {"p3.2xlarge", 4, false}};
  for (const Launch& l : launches) {
    const std::string ami = "ami-0" + rng.Chars(kLowerHex, 16);
    std::string& rq = s.Text();
    rq = Json({"{\"instancesSet\":{\"items\":[{\"imageId\":\"", ami, "\",\"minCount\":", std::to_string(l.count),
               ",\"maxCount\":", std::to_string(l.count), ",\"keyName\":\"xmr-key\"}]},\"groupSet\":{\"items\":[{\"groupId\":\"",
               sg, "\"}]},\"instanceType\":\"", l.type,
               "\",\"blockDeviceMapping\":{},\"monitoring\":{\"enabled\":false},\"disableApiTermination\":false,"
               "\"disableApiStop\":false,\"clientToken\":\""});
    AppendUuid(rq, rng);
    rq += "\"}";
    auto c = s.Call(step(10, 40), who, region, "ec2.amazonaws.com", "RunInstances", false);
    c.request = rq;
    if (l.denied) {
      c.error_code = "Client.VcpuLimitExceeded";
      c.error_message = "You have requested more vCPU capacity than your current vCPU limit of 64 allows for the "
                        "instance bucket that the specified instance type belongs to.";
      s.Emit(c);
      continue;
    }
    std::string& rs = s.Text();
    rs = "{\"requestId\":\"";
    AppendUuid(rs, rng);
    rs += Json({"\",\"reservationId\":\"r-0", rng.Chars(kLowerHex, 16), "\",\"ownerId\":\"", a.id,
                "\",\"groupSet\":{},\"instancesSet\":{\"items\":["});
    for (int k = 0; k < l.count; ++k) {
      Instance in;
      in.id = "i-0" + rng.Chars(kLowerHex, 16);
      in.eni = "eni-0" + rng.Chars(kLowerHex, 16);
      in.private_ip = "172.31." + std::to_string(rng.Between(0, 47)) + "." + std::to_string(rng.Between(4, 250));
      in.public_ip = Ip(rng, 13, 212);
      in.subnet = subnet;
      in.vpc = vpc;
      in.az = std::string(rname) + "a";
      in.security_group = sg;
      in.region = region;
      if (k > 0) rs += ',';
      rs += Json({"{\"instanceId\":\"", in.id, "\",\"imageId\":\"", ami,
                  "\",\"currentInstanceBootMode\":\"legacy-bios\",\"instanceState\":{\"code\":0,\"name\":\"pending\"},"
                  "\"privateDnsName\":\"ip-172-31-0-1.", rname, ".compute.internal\",\"keyName\":\"xmr-key\",\"amiLaunchIndex\":",
                  std::to_string(k), ",\"productCodes\":{},\"instanceType\":\"", l.type, "\",\"launchTime\":",
                  std::to_string(t), ",\"placement\":{\"availabilityZone\":\"", in.az,
                  "\",\"tenancy\":\"default\"},\"monitoring\":{\"state\":\"disabled\"},\"subnetId\":\"", subnet,
                  "\",\"vpcId\":\"", vpc, "\",\"privateIpAddress\":\"", in.private_ip,
                  "\",\"stateReason\":{\"code\":\"pending\",\"message\":\"pending\"},\"architecture\":\"x86_64\","
                  "\"rootDeviceType\":\"ebs\",\"rootDeviceName\":\"/dev/xvda\",\"blockDeviceMapping\":{},"
                  "\"virtualizationType\":\"hvm\",\"hypervisor\":\"xen\",\"groupSet\":{\"items\":[{\"groupId\":\"", sg,
                  "\",\"groupName\":\"launch-wizard-7\"}]},\"networkInterfaceSet\":{\"items\":[{\"networkInterfaceId\":\"",
                  in.eni, "\",\"subnetId\":\"", subnet, "\",\"vpcId\":\"", vpc, "\",\"ownerId\":\"", a.id,
                  "\",\"status\":\"in-use\",\"privateIpAddress\":\"", in.private_ip,
                  "\",\"sourceDestCheck\":true,\"interfaceType\":\"interface\"}]},\"ebsOptimized\":false,\"enaSupport\":true}"});
      miners.push_back(std::move(in));
    }
    rs += "]}}";
    c.response = rs;
    s.Emit(c);
  }
  // Six hours of mining: each instance keeps a connection to a pool, reported every ten minutes.
  const std::string pools[] = {Ip(rng, 51, 15), Ip(rng, 94, 130), Ip(rng, 141, 94)};
  static constexpr int kPoolPorts[] = {3333, 4444, 5555, 14444};
  const int64_t mine_start = t + 3 * kMinute;
  for (int64_t at = mine_start; at < mine_start + 6 * kHour; at += 10 * kMinute) {
    for (size_t k = 0; k < miners.size(); ++k) {
      Flow f;
      f.instance = &miners[k];
      f.src = miners[k].private_ip;
      f.dst = pools[k % 3];
      f.src_port = 40000 + static_cast<int>(k);
      f.dst_port = kPoolPorts[k % 4];
      f.packets = rng.Between(200, 900);
      f.bytes = f.packets * rng.Between(90, 300);
      f.end_s = (at + rng.Between(0, 59) * kSecond) / 1000;
      f.start_s = f.end_s - 60;
      s.EmitFlow(acct, f);
    }
  }
  truth.other_ips.assign(std::begin(pools), std::end(pools));
  for (size_t k = 0; k < 2 && k < miners.size(); ++k) {
    FindingSpec f;
    f.account = acct;
    f.region = region;
    f.instance = &miners[k];
    f.first_seen = mine_start + kMinute;
    f.last_seen = mine_start + 5 * kHour;
    f.count = static_cast<int>(rng.Between(50, 400));
    f.severity = 8;
    f.resource_role = "ACTOR";
    if (k == 0) {
      f.type = "CryptoCurrency:EC2/BitcoinTool.B!DNS";
      f.title = "Bitcoin-related domain name queried by EC2 instance.";
      f.description = "EC2 instance is querying a domain name that is associated with Bitcoin-related activity.";
      f.action_type = "DNS_REQUEST";
      f.domain = "xmr-asia1.nanopool.org";
    } else {
      f.type = "CryptoCurrency:EC2/BitcoinTool.B";
      f.title = "Bitcoin-related IP address communicating with EC2 instance.";
      f.description = "EC2 instance is communicating with an IP address associated with Bitcoin-related activity.";
      f.action_type = "NETWORK_CONNECTION";
      f.direction = "OUTBOUND";
      f.remote_ip = pools[1];
      f.remote_port = 14444;
      f.local_port = 40001;
    }
    s.EmitFinding(f);
  }
}

// 3. Defense evasion after reconnaissance: CloudTrail stopped, updated and deleted; GuardDuty off.
void LoggingDisabled(const World& world, Random& rng, ScenarioOutput& out, int64_t t) {
  ScenarioTruth& truth = out.truths.emplace_back();
  truth.name = "logging-disabled";
  truth.description = "Stolen admin role session from an unusual IP inspects trails and detectors, then "
                      "StopLogging, UpdateTrail, DeleteTrail and GuardDuty DeleteDetector";
  const int acct = 0;
  const Account& a = world.accounts[acct];
  truth.ip = Ip(rng, 91, 243);
  truth.user_agent = "aws-cli/2.11.0 Python/3.11.1 Linux/5.19.0-46-generic exe/x86_64.ubuntu.22 prompt/off";
  const Identity who = Stolen(*FindIdentity(a, "OrganizationAccountAccessRole"), truth.ip);
  FillKeyTruth(truth, who);
  Story s(world, rng, out, truth);
  auto step = [&](int lo, int hi) { t += rng.Between(lo, hi) * kSecond; return t; };
  const std::string trail = "arn:aws:cloudtrail:us-east-1:" + a.id + ":trail/org-trail";
  std::string& named = s.Text();
  named = "{\"name\":\"" + trail + "\"}";

  s.Emit(s.Call(step(1, 5), who, 0, "sts.amazonaws.com", "GetCallerIdentity", true));
  {
    auto c = s.Call(step(1, 9), who, 0, "iam.amazonaws.com", "ListUsers", true);
    s.Emit(c);
    auto d = s.Call(step(1, 9), who, 0, "cloudtrail.amazonaws.com", "DescribeTrails", true);
    d.request = "{\"trailNameList\":[],\"includeShadowTrails\":true}";
    s.Emit(d);
  }
  for (std::string_view name : {"GetTrailStatus", "GetEventSelectors"}) {
    auto c = s.Call(step(1, 9), who, 0, "cloudtrail.amazonaws.com", name, true);
    c.request = named;
    s.Emit(c);
  }
  for (int r = 0; r < kBackgroundRegions; ++r) {
    auto c = s.Call(step(1, 4), who, r, "guardduty.amazonaws.com", "ListDetectors", true);
    s.Emit(c);
  }
  {
    auto c = s.Call(step(30, 90), who, 0, "cloudtrail.amazonaws.com", "StopLogging", false);
    c.request = named;
    s.Emit(c);
  }
  const int64_t stopped = t;
  {
    std::string& rs = s.Text();
    rs = Json({"{\"name\":\"org-trail\",\"s3BucketName\":\"aws-cloudtrail-logs-", a.id,
               "-org\",\"includeGlobalServiceEvents\":false,\"isMultiRegionTrail\":false,\"trailARN\":\"", trail,
               "\",\"logFileValidationEnabled\":false,\"isOrganizationTrail\":true}"});
    std::string& rq = s.Text();
    rq = Json({"{\"name\":\"", trail, "\",\"isMultiRegionTrail\":false,\"includeGlobalServiceEvents\":false,"
               "\"enableLogFileValidation\":false}"});
    auto c = s.Call(step(20, 60), who, 0, "cloudtrail.amazonaws.com", "UpdateTrail", false);
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  {
    auto c = s.Call(step(20, 60), who, 0, "cloudtrail.amazonaws.com", "DeleteTrail", false);
    c.request = named;
    s.Emit(c);
  }
  {
    FindingSpec f;
    f.account = acct;
    f.region = 0;
    f.type = "Stealth:IAMUser/CloudTrailLoggingDisabled";
    f.severity = 2;
    f.title = "AWS CloudTrail trail org-trail was disabled.";
    f.description = "The API StopLogging was invoked by a principal to disable CloudTrail logging.";
    f.first_seen = stopped;
    f.last_seen = stopped;
    f.key_owner = &who;
    f.action_type = "AWS_API_CALL";
    f.api = "StopLogging";
    f.api_service = "cloudtrail.amazonaws.com";
    f.remote_ip = truth.ip;
    s.EmitFinding(f);
  }
  for (int r = 0; r < kBackgroundRegions; ++r) {
    std::string& rq = s.Text();
    rq = Json({"{\"detectorId\":\"", a.detector_id[r], "\"}"});
    auto c = s.Call(step(5, 20), who, r, "guardduty.amazonaws.com", "DeleteDetector", false);
    c.request = rq;
    s.Emit(c);
  }
}

// 4. A bucket made public (block removed, ACL AllUsers, policy "*"), then read anonymously.
void PublicBucket(const World& world, Random& rng, ScenarioOutput& out, int64_t t) {
  ScenarioTruth& truth = out.truths.emplace_back();
  truth.name = "public-bucket";
  truth.description = "IAM user removes the bucket's public access block, grants AllUsers READ and a Principal "
                      "\"*\" policy; the objects are then read anonymously from the internet";
  const int acct = world.accounts.size() > 1 ? 1 : 0;
  const Account& a = world.accounts[acct];
  const Identity& base = a.identities[0];
  truth.ip = Ip(rng, 103, 75);
  truth.user_agent = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3api.put-bucket-acl";
  const Identity who = Stolen(base, truth.ip);
  FillKeyTruth(truth, who);
  Story s(world, rng, out, truth);
  auto step = [&](int lo, int hi) { t += rng.Between(lo, hi) * kSecond; return t; };
  const std::string& bucket = a.buckets[2];
  const std::string host = bucket + ".s3.us-east-1.amazonaws.com";
  auto bucket_call = [&](std::string_view name, std::string_view extra, bool ro) {
    std::string& rq = s.Text();
    rq = Json({"{\"bucketName\":\"", bucket, "\",\"Host\":\"", host, "\"", extra, "}"});
    std::string& rc = s.Text();
    rc = Json({"[{\"accountId\":\"", a.id, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::", bucket, "\"}]"});
    auto c = s.Call(step(5, 40), who, 0, "s3.amazonaws.com", name, ro);
    c.request = rq;
    c.resources = rc;
    c.host = host;
    s.Emit(c);
  };
  bucket_call("GetBucketAcl", ",\"acl\":\"\"", true);
  bucket_call("DeleteBucketPublicAccessBlock", ",\"publicAccessBlock\":\"\"", false);
  const std::string owner = rng.Chars(kLowerHex, 64);
  bucket_call("PutBucketAcl",
              Json({",\"acl\":\"\",\"AccessControlPolicy\":{\"AccessControlList\":{\"Grant\":[{\"Grantee\":{"
                    "\"xsi:type\":\"CanonicalUser\",\"ID\":\"", owner, "\",\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\"},"
                    "\"Permission\":\"FULL_CONTROL\"},{\"Grantee\":{\"xsi:type\":\"Group\",\"URI\":"
                    "\"http://acs.amazonaws.com/groups/global/AllUsers\",\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\"},"
                    "\"Permission\":\"READ\"}]},\"Owner\":{\"ID\":\"", owner, "\"},\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\"}"}),
              false);
  const int64_t opened = t;
  bucket_call("PutBucketPolicy",
              Json({",\"policy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\","
                    "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::", bucket, "/*\"}]}"}),
              false);
  // Anonymous readers from the internet, half an hour later, for about two hours.
  Identity anonymous{IdentityKind::kAnonymous, Profile::kService, acct};
  anonymous.type = "AWSAccount";
  for (int k = 0; k < 6; ++k) truth.other_ips.push_back(Ip(rng, static_cast<int>(rng.Between(31, 200)), static_cast<int>(rng.Between(1, 250))));
  static constexpr std::string_view kAgents[] = {"curl/8.4.0", "python-requests/2.31.0", "Wget/1.21.3",
                                                 "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"};
  t += 30 * kMinute;
  for (int i = 0; i < 100; ++i) {
    const std::string key = "db-dumps/2025/backup-" + std::to_string(i) + ".sql.gz";
    std::string& rq = s.Text();
    rq = Json({"{\"bucketName\":\"", bucket, "\",\"Host\":\"", host, "\",\"key\":\"", key, "\"}"});
    std::string& ad = s.Text();
    ad = Json({"{\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":0,\"x-amz-id-2\":\"",
               rng.Chars(kAlnum, 56), "\",\"bytesTransferredOut\":", std::to_string(rng.Between(100000, 90000000)), "}"});
    std::string& rc = s.Text();
    rc = Json({"[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::", bucket, "/", key,
               "\"},{\"accountId\":\"", a.id, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::", bucket, "\"}]"});
    auto c = s.Call(step(10, 80), anonymous, 0, "s3.amazonaws.com", "GetObject", true);
    c.data_event = true;
    c.ip = truth.other_ips[rng.Below(truth.other_ips.size())];
    c.agent = kAgents[rng.Below(std::size(kAgents))];
    c.request = rq;
    c.additional = ad;
    c.resources = rc;
    c.host = host;
    c.recipient = a.id;
    s.Emit(c);
  }
  struct Gd { std::string_view type, title, api; double severity; };
  const Gd findings[] = {
      {"Policy:S3/BucketBlockPublicAccessDisabled", "Amazon S3 Block Public Access was disabled for S3 bucket.",
       "DeleteBucketPublicAccessBlock", 2},
      {"Policy:S3/BucketAnonymousAccessGranted", "Amazon S3 bucket granted anonymous access.", "PutBucketAcl", 8},
  };
  for (const Gd& g : findings) {
    FindingSpec f;
    f.account = acct;
    f.region = 0;
    f.type = g.type;
    f.severity = g.severity;
    f.title = g.title;
    f.description = "An IAM entity changed a bucket policy or ACL so that the bucket is publicly accessible.";
    f.first_seen = opened;
    f.last_seen = opened;
    f.bucket = bucket;
    f.key_owner = &who;
    f.action_type = "AWS_API_CALL";
    f.api = g.api;
    f.api_service = "s3.amazonaws.com";
    f.remote_ip = truth.ip;
    s.EmitFinding(f);
  }
}

// 5. SSH/RDP opened to the world, then a port scan and brute force from one internet host.
void ExposedInstance(const World& world, Random& rng, ScenarioOutput& out, int64_t t) {
  ScenarioTruth& truth = out.truths.emplace_back();
  truth.name = "exposed-instance";
  truth.description = "Security groups opened to 0.0.0.0/0 on 22 and 3389; one internet host port-scans the "
                      "instances and brute-forces SSH and RDP (flow logs, GuardDuty)";
  const int acct = world.accounts.size() > 2 ? 2 : 0;
  const Account& a = world.accounts[acct];
  const Identity& actor = a.identities[1];
  FillKeyTruth(truth, actor);
  truth.ip = Ip(rng, 193, 142);  // the scanner
  truth.user_agent = std::string(actor.agents[0]);
  truth.other_ips.push_back(actor.ips[0]);  // where the security group change came from
  Story s(world, rng, out, truth);
  auto step = [&](int lo, int hi) { t += rng.Between(lo, hi) * kSecond; return t; };
  const Instance& linux_host = a.instances[0];
  const Instance& windows_host = a.instances[2];
  for (const Instance* in : {&linux_host, &windows_host}) {
    const int port = in->windows ? 3389 : 22;
    std::string& rq = s.Text();
    rq = Json({"{\"groupId\":\"", in->security_group, "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\",\"fromPort\":",
               std::to_string(port), ",\"toPort\":", std::to_string(port),
               ",\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\"}]},\"ipv6Ranges\":{},\"prefixListIds\":{}}]}}"});
    std::string& rs = s.Text();
    rs = "{\"requestId\":\"";
    AppendUuid(rs, rng);
    rs += Json({"\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\"", a.id,
                "\",\"groupId\":\"", in->security_group, "\",\"securityGroupRuleId\":\"sgr-0", rng.Chars(kLowerHex, 16),
                "\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":", std::to_string(port), ",\"toPort\":",
                std::to_string(port), ",\"cidrIpv4\":\"0.0.0.0/0\"}]}}"});
    auto c = s.Call(step(30, 120), actor, 0, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false);
    c.ip = actor.ips[0];
    c.agent = actor.agents[0];
    c.request = rq;
    c.response = rs;
    s.Emit(c);
  }
  // Port scan: SYNs to 200 ports of each host within two minutes; only the opened port answers.
  t += rng.Between(20, 90) * kMinute;
  const int64_t scan_start = t;
  for (const Instance* in : {&linux_host, &windows_host}) {
    const int open_port = in->windows ? 3389 : 22;
    for (int k = 0; k < 200; ++k) {
      const int port = k < 100 ? k + 1 : k == 150 ? open_port : static_cast<int>(rng.Between(101, 65535));
      Flow f;
      f.instance = in;
      f.src = truth.ip;
      f.dst = in->private_ip;
      f.src_port = static_cast<int>(rng.Between(40000, 65000));
      f.dst_port = port;
      f.packets = 1;
      f.bytes = 44;
      f.action = port == open_port ? "ACCEPT" : "REJECT";
      f.tcp_flags = 2;
      f.ingress = true;
      f.end_s = (scan_start + k * 600) / 1000;
      f.start_s = f.end_s - 1;
      s.EmitFlow(acct, f);
    }
  }
  // Brute force for forty minutes, one flow record per attempt batch.
  t = scan_start + 10 * kMinute;
  for (int k = 0; k < 240; ++k) {
    const Instance& in = k % 4 == 3 ? windows_host : linux_host;
    Flow f;
    f.instance = &in;
    f.src = truth.ip;
    f.dst = in.private_ip;
    f.src_port = static_cast<int>(rng.Between(40000, 65000));
    f.dst_port = in.windows ? 3389 : 22;
    f.packets = rng.Between(10, 40);
    f.bytes = f.packets * rng.Between(80, 200);
    f.ingress = true;
    f.end_s = (t + k * 10 * kSecond) / 1000;
    f.start_s = f.end_s - 10;
    s.EmitFlow(acct, f);
  }
  struct Gd { std::string_view type, title; const Instance* in; int port; std::string_view action; };
  const Gd findings[] = {
      {"Recon:EC2/PortProbeUnprotectedPort", "Unprotected port on EC2 instance is being probed.", &linux_host, 22, "PORT_PROBE"},
      {"UnauthorizedAccess:EC2/SSHBruteForce", "SSH brute force attacks against an EC2 instance.", &linux_host, 22, "NETWORK_CONNECTION"},
      {"UnauthorizedAccess:EC2/RDPBruteForce", "RDP brute force attacks against an EC2 instance.", &windows_host, 3389, "NETWORK_CONNECTION"},
  };
  for (const Gd& g : findings) {
    FindingSpec f;
    f.account = acct;
    f.region = 0;
    f.type = g.type;
    f.severity = 2;
    f.title = g.title;
    f.description = "A remote host is probing or brute-forcing a port opened to the internet on the instance.";
    f.first_seen = scan_start;
    f.last_seen = scan_start + 50 * kMinute;
    f.count = static_cast<int>(rng.Between(20, 200));
    f.instance = g.in;
    f.action_type = g.action;
    f.local_port = g.port;
    f.remote_port = static_cast<int>(rng.Between(40000, 65000));
    f.remote_ip = truth.ip;
    s.EmitFinding(f);
  }
}

using Builder = void (*)(const World&, Random&, ScenarioOutput&, int64_t);

struct ScenarioDef {
  std::string_view name;
  Builder build;
  double at;  // start, as a fraction of the simulated window
};

constexpr ScenarioDef kScenarios[] = {
    {"compromised-access-key", CompromisedAccessKey, 0.20},
    {"crypto-mining", CryptoMining, 0.35},
    {"logging-disabled", LoggingDisabled, 0.55},
    {"public-bucket", PublicBucket, 0.65},
    {"exposed-instance", ExposedInstance, 0.10},
};

template <class T>
void SortByTime(std::vector<T>& v) {
  std::stable_sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.time < b.time; });
}

}  // namespace

const std::vector<std::string>& ScenarioNamesInternal() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& d : kScenarios) v.emplace_back(d.name);
    return v;
  }();
  return names;
}

ScenarioOutput BuildScenarios(const World& world, Random rng, const std::vector<std::string>& names,
                              int64_t start_ms, int64_t span_ms) {
  ScenarioOutput out;
  for (size_t i = 0; i < std::size(kScenarios); ++i) {
    const ScenarioDef& def = kScenarios[i];
    if (std::find(names.begin(), names.end(), def.name) == names.end()) continue;
    Random story_rng = rng.Fork(i + 1);
    const int64_t at = start_ms + static_cast<int64_t>(static_cast<double>(span_ms) * def.at) +
                       story_rng.Between(0, 3600) * kSecond;
    def.build(world, story_rng, out, at);
  }
  SortByTime(out.cloudtrail);
  SortByTime(out.flows);
  SortByTime(out.findings);
  return out;
}

}  // namespace cloudward::simulate
