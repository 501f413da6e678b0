#include "simulate/generator.h"

#include <cstdio>
#include <cstring>

namespace cloudward::simulate {
namespace {

constexpr std::string_view kAccountNames[] = {"management", "production", "staging", "security",
                                              "sandbox",    "data",       "shared-services", "dev"};
constexpr std::string_view kHumans[] = {"alice.nguyen", "bob.schmidt", "carol.diaz", "dan.okafor",
                                        "erin.kowalski", "frank.li", "grace.hopper", "hector.ruiz"};

// User agents seen from each kind of client (version strings as current SDKs write them).
constexpr std::string_view kCliAgents[] = {
    "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/ec2.describe-instances",
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
    "aws-cli/2.13.2 Python/3.11.4 Windows/10 exe/AMD64 prompt/off command/iam.list-roles",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
};
constexpr std::string_view kConsoleAgents[] = {
    "AWS Internal",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.681 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]",
};
constexpr std::string_view kAutomationAgents[] = {
    "aws-sdk-java/2.25.13 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_Lambda_java17 io/sync http/Apache cfg/retry-mode/legacy",
    "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0",
    "aws-sdk-nodejs/2.1590.0 linux/v18.19.1 exec-env/AWS_Lambda_nodejs18.x promise",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#legacy Botocore/1.34.69",
};
constexpr std::string_view kTerraformAgents[] = {
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0",
};
constexpr std::string_view kServices[] = {"ec2.amazonaws.com", "lambda.amazonaws.com",
                                          "cloudtrail.amazonaws.com", "config.amazonaws.com",
                                          "autoscaling.amazonaws.com"};
constexpr std::string_view kAzSuffix[] = {"a", "b", "c"};

std::string PublicIp(Random& rng, int first) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d.%d.%d.%d", first, static_cast<int>(rng.Between(1, 254)),
                static_cast<int>(rng.Between(0, 255)), static_cast<int>(rng.Between(1, 254)));
  return buf;
}

std::string Id(Random& rng, std::string_view prefix, std::string_view alphabet, size_t n) {
  std::string s(prefix);
  rng.AppendChars(s, alphabet, n);
  return s;
}

void AddIdentity(Account& a, Identity id) {
  a.identity_weights.push_back(id.weight);
  a.identities.push_back(std::move(id));
}

template <size_t N>
std::vector<std::string_view> Agents(const std::string_view (&list)[N]) {
  return {std::begin(list), std::end(list)};
}

}  // namespace

World BuildWorld(Random& rng, int account_count) {
  World world;
  world.org_id = Id(rng, "o-", "abcdefghijklmnopqrstuvwxyz0123456789", 10);
  // Office NAT addresses shared by the humans of every account.
  std::vector<std::string> office = {PublicIp(rng, 198), PublicIp(rng, 198), PublicIp(rng, 81)};
  for (int i = 0; i < account_count; ++i) {
    Account a;
    a.id = std::to_string(rng.Between(100000000000LL, 999999999999LL));
    a.name = std::string(kAccountNames[i % 8]);
    a.flow_v5 = i % 2 == 1;
    a.octet = 16 + i * 8;
    const std::string& acct = a.id;
    for (int r = 0; r < kRegionCount; ++r) {
      a.kms_key[r] = "arn:aws:kms:" + std::string(kRegions[r]) + ":" + acct + ":key/";
      AppendUuid(a.kms_key[r], rng);
      a.vpc[r] = Id(rng, "vpc-0", kLowerHex, 16);
      a.flow_log_id[r] = Id(rng, "fl-0", kLowerHex, 16);
      a.detector_id[r] = Id(rng, "", kLowerHex, 32);
    }
    for (std::string_view b : {"app-assets", "data-lake", "backups", "logs"}) {
      a.buckets.push_back(std::string(b) + "-" + a.name + "-" + acct.substr(8));
    }
    // Instances: three per background region, the third of the first region a Windows host.
    for (int r = 0; r < kBackgroundRegions; ++r) {
      for (int k = 0; k < 3; ++k) {
        Instance in;
        in.id = Id(rng, "i-0", kLowerHex, 16);
        in.eni = Id(rng, "eni-0", kLowerHex, 16);
        in.private_ip = "10." + std::to_string(a.octet + r) + "." + std::to_string(k + 1) + "." +
                        std::to_string(rng.Between(10, 250));
        in.public_ip = PublicIp(rng, r < 2 ? 54 : 3);
        in.subnet = Id(rng, "subnet-0", kLowerHex, 16);
        in.vpc = a.vpc[r];
        in.az = std::string(kRegions[r]) + std::string(kAzSuffix[k]);
        in.security_group = Id(rng, "sg-0", kLowerHex, 16);
        in.region = r;
        in.windows = r == 0 && k == 2;
        a.instances.push_back(std::move(in));
      }
    }

    // IAM users with long-term keys (AKIA), used from the CLI and SDKs.
    const int humans = 2 + static_cast<int>(rng.Below(3));
    for (int h = 0; h < humans; ++h) {
      Identity id{IdentityKind::kIamUser, Profile::kHumanCli, i};
      id.type = "IAMUser";
      id.name = std::string(kHumans[(i * 3 + h) % 8]);
      id.principal_id = Id(rng, "AIDA", kUpperAlnum, 17);
      id.arn = "arn:aws:iam::" + acct + ":user/" + id.name;
      id.access_key = Id(rng, "AKIA", kUpperAlnum, 16);
      id.ips = {office[rng.Below(office.size())], PublicIp(rng, 73)};
      id.agents = Agents(kCliAgents);
      id.weight = 6;
      AddIdentity(a, std::move(id));
    }
    for (std::string_view svc : {"svc-reporting", "ci-deploy"}) {
      Identity id{IdentityKind::kIamUser, svc == "ci-deploy" ? Profile::kTerraform : Profile::kAutomation, i};
      id.type = "IAMUser";
      id.name = std::string(svc);
      id.principal_id = Id(rng, "AIDA", kUpperAlnum, 17);
      id.arn = "arn:aws:iam::" + acct + ":user/" + id.name;
      id.access_key = Id(rng, "AKIA", kUpperAlnum, 16);
      id.ips = {PublicIp(rng, 52), PublicIp(rng, 52)};
      id.agents = svc == "ci-deploy" ? Agents(kTerraformAgents) : Agents(kAutomationAgents);
      id.weight = 8;
      AddIdentity(a, std::move(id));
    }
    // An IAM user signed in to the console (session keys are ASIA).
    {
      Identity id{IdentityKind::kConsoleUser, Profile::kConsole, i};
      id.type = "IAMUser";
      id.name = std::string(kHumans[(i * 3 + 7) % 8]);
      id.principal_id = Id(rng, "AIDA", kUpperAlnum, 17);
      id.arn = "arn:aws:iam::" + acct + ":user/" + id.name;
      id.access_key = Id(rng, "ASIA", kUpperAlnum, 16);
      id.ips = {office[0]};
      id.agents = Agents(kConsoleAgents);
      id.weight = 5;
      id.mfa = true;
      AddIdentity(a, std::move(id));
    }
    // Workload roles: instance profiles, Lambda functions, the Terraform pipeline.
    struct RoleDef {
      std::string_view role, session;
      Profile profile;
      uint32_t weight;
    };
    const RoleDef roles[] = {
        {"app-api-role", "", Profile::kAutomation, 30},
        {"orders-processor-lambda-role", "orders-processor", Profile::kAutomation, 25},
        {"terraform-deployer", "terraform-run", Profile::kTerraform, 6},
        {"OrganizationAccountAccessRole", "admin-session", Profile::kHumanCli, 2},
    };
    for (const RoleDef& def : roles) {
      a.roles.push_back(a.identities.size());
      Identity id{IdentityKind::kAssumedRole, def.profile, i};
      id.type = "AssumedRole";
      id.role_name = std::string(def.role);
      id.role_id = Id(rng, "AROA", kUpperAlnum, 17);
      id.role_arn = "arn:aws:iam::" + acct + ":role/" + id.role_name;
      const Instance* host = def.session.empty() ? &a.instances[rng.Below(a.instances.size())] : nullptr;
      id.name = host != nullptr ? host->id : std::string(def.session);
      id.principal_id = id.role_id + ":" + id.name;
      id.arn = "arn:aws:sts::" + acct + ":assumed-role/" + id.role_name + "/" + id.name;
      id.access_key = Id(rng, "ASIA", kUpperAlnum, 16);
      // An instance-profile session calls from its instance's one public address; other sessions
      // from the CI runners and build hosts that assume them.
      if (host != nullptr) {
        id.ips = {host->public_ip};
      } else {
        id.ips = {a.instances[0].public_ip, a.instances[3].public_ip, PublicIp(rng, 34)};
      }
      id.agents = def.profile == Profile::kTerraform ? Agents(kTerraformAgents)
                  : def.profile == Profile::kHumanCli ? Agents(kCliAgents)
                                                      : Agents(kAutomationAgents);
      id.weight = def.weight;
      AddIdentity(a, std::move(id));
    }
    // IAM Identity Center (SSO) users.
    for (int s = 0; s < 2; ++s) {
      Identity id{IdentityKind::kSsoUser, s == 0 ? Profile::kConsole : Profile::kHumanCli, i};
      id.type = "AssumedRole";
      id.role_name = std::string(s == 0 ? "AWSReservedSSO_AdministratorAccess_" : "AWSReservedSSO_ReadOnlyAccess_") +
                     rng.Chars(kLowerHex, 16);
      id.role_id = Id(rng, "AROA", kUpperAlnum, 17);
      id.role_arn = "arn:aws:iam::" + acct + ":role/aws-reserved/sso.amazonaws.com/" + id.role_name;
      id.name = std::string(kHumans[(i + s * 5) % 8]) + "@example.com";
      id.principal_id = id.role_id + ":" + id.name;
      id.arn = "arn:aws:sts::" + acct + ":assumed-role/" + id.role_name + "/" + id.name;
      id.access_key = Id(rng, "ASIA", kUpperAlnum, 16);
      id.ips = {office[1], PublicIp(rng, 92)};
      id.agents = s == 0 ? Agents(kConsoleAgents) : Agents(kCliAgents);
      id.weight = 5;
      id.mfa = true;
      AddIdentity(a, std::move(id));
    }
    for (std::string_view svc : kServices) {
      Identity id{IdentityKind::kService, Profile::kService, i};
      id.type = "AWSService";
      id.name = std::string(svc);
      id.ips = {id.name};
      id.agents = {svc};
      id.weight = 10;
      AddIdentity(a, std::move(id));
    }
    {
      Identity id{IdentityKind::kRoot, Profile::kRoot, i};
      id.type = "Root";
      id.principal_id = acct;
      id.arn = "arn:aws:iam::" + acct + ":root";
      id.access_key = Id(rng, "ASIA", kUpperAlnum, 16);
      id.ips = {office[2]};
      id.agents = {kConsoleAgents[1]};
      id.weight = 1;
      id.mfa = true;
      AddIdentity(a, std::move(id));
    }
    world.accounts.push_back(std::move(a));
  }
  return world;
}

const Identity* FindIdentity(const Account& account, std::string_view name) {
  for (const Identity& id : account.identities) {
    if (id.name == name || id.role_name == name) return &id;
  }
  return nullptr;
}

void AppendUuid(std::string& out, Random& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t hi = rng.Next(), lo = rng.Next();
  char buf[36];
  int k = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[k++] = '-';
    const uint64_t word = i < 16 ? hi : lo;
    unsigned nibble = static_cast<unsigned>((word >> ((15 - i % 16) * 4)) & 15);
    if (i == 12) nibble = 4;                // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // variant 10xx
    buf[k++] = kHex[nibble];
  }
  out.append(buf, 36);
}

void AppendAwsDate(std::string& out, int64_t ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char iso[20];
  FormatDateTime19(ms, iso);
  const int year = std::atoi(std::string(iso, 4).c_str());
  const int month = (iso[5] - '0') * 10 + (iso[6] - '0');
  const int day = (iso[8] - '0') * 10 + (iso[9] - '0');
  int hour = (iso[11] - '0') * 10 + (iso[12] - '0');
  const bool pm = hour >= 12;
  hour = hour % 12 == 0 ? 12 : hour % 12;
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%s %d, %d, %d:%.2s:%.2s %s", kMonths[month - 1], day,
                              year, hour, iso + 14, iso + 17, pm ? "PM" : "AM");
  out.append(buf, static_cast<size_t>(n));
}

namespace {

void WriteIdentity(JsonText& j, const Identity& id, int64_t t, const World* world) {
  j.Raw("{\"type\":\"");
  j.Raw(id.type);
  j.Raw("\"");
  switch (id.kind) {
    case IdentityKind::kService:
      j.Field("invokedBy", id.name);
      j.Char('}');
      return;
    case IdentityKind::kAnonymous:
      j.Raw(",\"principalId\":\"\",\"accountId\":\"anonymous\"}");
      return;
    default:
      break;
  }
  const std::string& acct = world->accounts[id.account].id;
  j.Field("principalId", id.principal_id);
  j.Field("arn", id.arn);
  j.Field("accountId", acct);
  if (!id.access_key.empty()) j.Field("accessKeyId", id.access_key);
  if (id.kind == IdentityKind::kIamUser || id.kind == IdentityKind::kConsoleUser) {
    j.Field("userName", id.name);
  }
  const bool session = id.kind == IdentityKind::kConsoleUser || id.kind == IdentityKind::kAssumedRole ||
                       id.kind == IdentityKind::kSsoUser || id.kind == IdentityKind::kRoot;
  if (session) {
    j.Raw(",\"sessionContext\":{");
    if (!id.role_arn.empty()) {
      j.Raw("\"sessionIssuer\":{\"type\":\"Role\"");
      j.Field("principalId", id.role_id);
      j.Field("arn", id.role_arn);
      j.Field("accountId", acct);
      j.Field("userName", id.role_name);
      j.Raw("},\"webIdFederationData\":{},");
    } else {
      j.Raw("\"sessionIssuer\":{},\"webIdFederationData\":{},");
    }
    // Sessions are renewed every hour: the creation date is the start of the event's hour.
    j.Raw("\"attributes\":{\"creationDate\":");
    j.Time(t - t % kHour);
    j.Raw(",\"mfaAuthenticated\":\"");
    j.Raw(id.mfa ? "true" : "false");
    j.Raw("\"}}");
  }
  j.Char('}');
}

std::string_view Trim(std::string_view source) {
  const size_t dot = source.find('.');
  return dot == std::string_view::npos ? source : source.substr(0, dot);
}

}  // namespace

void WriteRecord(std::string& out, const ApiCall& c, Random& rng, std::string* event_id) {
  JsonText j(out);
  const Identity& who = *c.who;
  const bool service = who.kind == IdentityKind::kService;
  const std::string_view region = kRegions[c.region];
  j.Raw("{\"eventVersion\":\"");
  j.Raw(c.data_event || c.event_type != "AwsApiCall" ? "1.09" : "1.08");
  j.Raw("\",\"userIdentity\":");
  WriteIdentity(j, who, c.time, c.world);
  j.Raw(",\"eventTime\":");
  j.Time(c.time);
  j.Field("eventSource", c.source);
  j.Field("eventName", c.name);
  j.Field("awsRegion", region);
  j.Field("sourceIPAddress", c.ip);
  j.Field("userAgent", c.agent);
  if (!c.error_code.empty()) j.Field("errorCode", c.error_code);
  if (!c.error_message.empty()) j.Field("errorMessage", c.error_message);  // alone for ConsoleLogin
  j.Raw(",\"requestParameters\":");
  j.Raw(c.request);
  j.Raw(",\"responseElements\":");
  j.Raw(c.error_code.empty() ? c.response : std::string_view("null"));
  if (!c.additional.empty()) {
    j.Raw(",\"additionalEventData\":");
    j.Raw(c.additional);
  }
  if (c.event_type == "AwsApiCall") {
    j.Raw(",\"requestID\":\"");
    if (c.source == "s3.amazonaws.com") {
      rng.AppendChars(out, kUpperHex, 16);
    } else {
      AppendUuid(out, rng);
    }
    j.Char('"');
  }
  j.Raw(",\"eventID\":\"");
  const size_t id_at = out.size();
  AppendUuid(out, rng);
  if (event_id != nullptr) event_id->assign(out, id_at, 36);
  j.Raw("\",\"readOnly\":");
  j.Bool(c.read_only);
  if (!c.resources.empty()) {
    j.Raw(",\"resources\":");
    j.Raw(c.resources);
  }
  j.Field("eventType", c.event_type);
  j.Raw(",\"managementEvent\":");
  j.Bool(!c.data_event);
  j.Field("recipientAccountId",
          c.recipient.empty() ? std::string_view(c.world->accounts[who.account].id) : c.recipient);
  if (service) {
    j.Raw(",\"sharedEventID\":\"");
    AppendUuid(out, rng);
    j.Char('"');
  }
  j.Field("eventCategory", c.data_event ? "Data" : "Management");
  if (!service && c.event_type == "AwsApiCall") {
    j.Raw(",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\","
          "\"clientProvidedHostHeader\":\"");
    if (!c.host.empty()) {
      j.Raw(c.host);
    } else if (c.source == "iam.amazonaws.com" || c.source == "sts.amazonaws.com" ||
               c.source == "s3.amazonaws.com") {
      j.Raw(c.source);
    } else {
      j.Raw(Trim(c.source));
      j.Char('.');
      j.Raw(region);
      j.Raw(".amazonaws.com");
    }
    j.Raw("\"}");
  }
  if (who.kind == IdentityKind::kConsoleUser || (who.kind == IdentityKind::kSsoUser && who.profile == Profile::kConsole)) {
    if (c.event_type == "AwsApiCall") j.Raw(",\"sessionCredentialFromConsole\":\"true\"");
  }
  j.Char('}');
}

std::string_view FlowHeader(const Account& account) {
  if (account.flow_v5) {
    return "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
           "start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr "
           "pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service "
           "pkt-dst-aws-service flow-direction traffic-path\n";
  }
  return "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
         "start end action log-status\n";
}

void WriteFlow(std::string& out, const Account& account, const Flow& f) {
  JsonText j(out);  // used for its integer formatting only
  const bool nodata = f.log_status != "OK";
  j.Raw(account.flow_v5 ? "5 " : "2 ");
  j.Raw(account.id);
  j.Char(' ');
  j.Raw(f.instance->eni);
  if (nodata) {
    j.Raw(" - - - - - - - ");
    j.Int(f.start_s);
    j.Char(' ');
    j.Int(f.end_s);
    j.Raw(" - ");
    j.Raw(f.log_status);
  } else {
    j.Char(' ');
    j.Raw(f.src);
    j.Char(' ');
    j.Raw(f.dst);
    j.Char(' ');
    j.Int(f.src_port);
    j.Char(' ');
    j.Int(f.dst_port);
    j.Char(' ');
    j.Int(f.protocol);
    j.Char(' ');
    j.Int(f.packets);
    j.Char(' ');
    j.Int(f.bytes);
    j.Char(' ');
    j.Int(f.start_s);
    j.Char(' ');
    j.Int(f.end_s);
    j.Char(' ');
    j.Raw(f.action);
    j.Char(' ');
    j.Raw(f.log_status);
  }
  if (account.flow_v5) {
    const Instance& in = *f.instance;
    j.Char(' ');
    j.Raw(in.vpc);
    j.Char(' ');
    j.Raw(in.subnet);
    j.Char(' ');
    j.Raw(in.id);
    j.Char(' ');
    if (nodata || f.protocol != 6) {
      j.Char(f.protocol == 6 ? '-' : '0');
    } else {
      j.Int(f.tcp_flags);
    }
    j.Raw(nodata ? " - " : " IPv4 ");
    j.Raw(nodata ? std::string_view("-") : f.src);
    j.Char(' ');
    j.Raw(nodata ? std::string_view("-") : f.dst);
    j.Char(' ');
    j.Raw(kRegions[in.region]);
    j.Char(' ');
    static constexpr std::string_view kZonePrefix[] = {"use1", "usw2", "euw1", "euc1", "apse1"};
    j.Raw(kZonePrefix[in.region]);  // az-id such as "use1-az2"
    j.Raw("-az");
    j.Int(1 + static_cast<int>(in.az.back() - 'a'));
    j.Raw(" - - - - ");
    j.Raw(f.ingress ? "ingress -" : "egress 8");
  }
  j.Char('\n');
}

IpFacts FactsForIp(std::string_view ip) {
  static constexpr IpFacts kFacts[] = {
      {"Netherlands", "Amsterdam", "60781", "LeaseWeb Netherlands B.V.", 52.37, 4.89},
      {"Russia", "Moscow", "49505", "OOO Network of data-centers Selectel", 55.75, 37.61},
      {"Germany", "Frankfurt am Main", "24940", "Hetzner Online GmbH", 50.11, 8.68},
      {"China", "Shanghai", "4134", "CHINANET-BACKBONE", 31.22, 121.46},
      {"United States", "Ashburn", "14061", "DigitalOcean, LLC", 39.04, -77.49},
      {"Romania", "Bucharest", "9009", "M247 Europe SRL", 44.43, 26.10},
  };
  uint32_t h = 2166136261u;
  for (char c : ip) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return kFacts[h % std::size(kFacts)];
}

namespace {

void WriteRemoteIp(JsonText& j, std::string_view ip) {
  const IpFacts f = FactsForIp(ip);
  char geo[96];
  const int n = std::snprintf(geo, sizeof geo, "{\"lat\":%.4f,\"lon\":%.4f}", f.lat, f.lon);
  j.Raw("{\"ipAddressV4\":\"");
  j.Raw(ip);
  j.Raw("\",\"organization\":{\"asn\":\"");
  j.Raw(f.asn);
  j.Raw("\",\"asnOrg\":");
  j.Str(f.org);
  j.Raw(",\"isp\":");
  j.Str(f.org);
  j.Raw(",\"org\":");
  j.Str(f.org);
  j.Raw("},\"country\":{\"countryName\":");
  j.Str(f.country);
  j.Raw("},\"city\":{\"cityName\":");
  j.Str(f.city);
  j.Raw("},\"geoLocation\":");
  j.Raw(std::string_view(geo, static_cast<size_t>(n)));
  j.Char('}');
}

}  // namespace

void WriteFinding(std::string& out, const World& world, const FindingSpec& s, Random& rng,
                  std::string* finding_id) {
  JsonText j(out);
  const Account& a = world.accounts[s.account];
  const std::string_view region = kRegions[s.region];
  std::string id;
  rng.AppendChars(id, kLowerHex, 32);
  if (finding_id != nullptr) *finding_id = id;
  j.Raw("{\"schemaVersion\":\"2.0\",\"accountId\":\"");
  j.Raw(a.id);
  j.Raw("\",\"region\":\"");
  j.Raw(region);
  j.Raw("\",\"partition\":\"aws\",\"id\":\"");
  j.Raw(id);
  j.Raw("\",\"arn\":\"arn:aws:guardduty:");
  j.Raw(region);
  j.Char(':');
  j.Raw(a.id);
  j.Raw(":detector/");
  j.Raw(a.detector_id[s.region]);
  j.Raw("/finding/");
  j.Raw(id);
  j.Raw("\",\"type\":");
  j.Str(s.type);
  j.Raw(",\"resource\":{");
  if (!s.bucket.empty()) {
    j.Raw("\"resourceType\":\"S3Bucket\",\"s3BucketDetails\":[{\"arn\":\"arn:aws:s3:::");
    j.Raw(s.bucket);
    j.Raw("\",\"name\":\"");
    j.Raw(s.bucket);
    j.Raw("\",\"type\":\"Destination\",\"createdAt\":");
    j.TimeMs(s.first_seen - 90 * kDay);
    j.Raw(",\"owner\":{\"id\":\"");
    rng.AppendChars(out, kLowerHex, 64);
    j.Raw("\"},\"tags\":[],\"defaultServerSideEncryption\":{\"encryptionType\":\"AES256\"},"
          "\"publicAccess\":{\"permissionConfiguration\":{\"bucketLevelPermissions\":{"
          "\"accessControlList\":{\"allowsPublicReadAccess\":true,\"allowsPublicWriteAccess\":false},"
          "\"bucketPolicy\":{\"allowsPublicReadAccess\":true,\"allowsPublicWriteAccess\":false},"
          "\"blockPublicAccess\":{\"ignorePublicAcls\":false,\"restrictPublicBuckets\":false,"
          "\"blockPublicAcls\":false,\"blockPublicPolicy\":false}}},\"effectivePermission\":\"PUBLIC\"}}]");
    if (s.key_owner != nullptr) j.Char(',');
  }
  if (s.bucket.empty() && s.instance != nullptr) {
    const Instance& in = *s.instance;
    j.Raw("\"resourceType\":\"Instance\",\"instanceDetails\":{\"instanceId\":\"");
    j.Raw(in.id);
    j.Raw("\",\"instanceType\":\"");
    j.Raw(in.windows ? "m5.large" : (s.region == kUnusualRegion ? "g4dn.12xlarge" : "t3.medium"));
    j.Raw("\",\"launchTime\":");
    j.Time(s.first_seen - 6 * kHour);
    j.Raw(",\"platform\":");
    j.Raw(in.windows ? "\"windows\"" : "null");
    j.Raw(",\"productCodes\":[],\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::");
    j.Raw(a.id);
    j.Raw(":instance-profile/app-api-role\",\"id\":\"AIPA");
    rng.AppendChars(out, kUpperAlnum, 17);
    j.Raw("\"},\"networkInterfaces\":[{\"ipv6Addresses\":[],\"networkInterfaceId\":\"");
    j.Raw(in.eni);
    j.Raw("\",\"privateDnsName\":\"ip-");
    for (char c : in.private_ip) j.Char(c == '.' ? '-' : c);
    j.Char('.');
    j.Raw(region);
    j.Raw(".compute.internal\",\"privateIpAddress\":\"");
    j.Raw(in.private_ip);
    j.Raw("\",\"privateIpAddresses\":[{\"privateIpAddress\":\"");
    j.Raw(in.private_ip);
    j.Raw("\"}],\"publicIp\":\"");
    j.Raw(in.public_ip);
    j.Raw("\",\"securityGroups\":[{\"groupName\":\"default\",\"groupId\":\"");
    j.Raw(in.security_group);
    j.Raw("\"}],\"subnetId\":\"");
    j.Raw(in.subnet);
    j.Raw("\",\"vpcId\":\"");
    j.Raw(in.vpc);
    j.Raw("\"}],\"outpostArn\":null,\"tags\":[{\"key\":\"Name\",\"value\":\"");
    j.Raw(a.name);
    j.Raw("-node\"}],\"instanceState\":\"running\",\"availabilityZone\":\"");
    j.Raw(in.az);
    j.Raw("\",\"imageId\":\"ami-0");
    rng.AppendChars(out, kLowerHex, 16);
    j.Raw("\",\"imageDescription\":\"Amazon Linux 2023 AMI\"}");
  } else if (s.key_owner != nullptr) {
    const Identity& who = *s.key_owner;
    if (s.bucket.empty()) j.Raw("\"resourceType\":\"AccessKey\",");
    j.Raw("\"accessKeyDetails\":{");
    j.Field("accessKeyId", who.access_key, false);
    j.Field("principalId", who.principal_id);
    j.Field("userName", who.kind == IdentityKind::kAssumedRole ? std::string_view(who.role_name)
                                                               : std::string_view(who.name));
    j.Field("userType", who.type);
    j.Char('}');
  }
  j.Raw("},\"service\":{\"serviceName\":\"guardduty\",\"detectorId\":\"");
  j.Raw(a.detector_id[s.region]);
  j.Raw("\",\"action\":{\"actionType\":\"");
  j.Raw(s.action_type);
  j.Raw("\",");
  if (s.action_type == "AWS_API_CALL") {
    j.Raw("\"awsApiCallAction\":{\"api\":\"");
    j.Raw(s.api);
    j.Raw("\",\"serviceName\":\"");
    j.Raw(s.api_service);
    j.Raw("\",\"callerType\":\"Remote IP\",\"remoteIpDetails\":");
    WriteRemoteIp(j, s.remote_ip);
    j.Raw(",\"affectedResources\":{}}");
  } else if (s.action_type == "DNS_REQUEST") {
    j.Raw("\"dnsRequestAction\":{\"domain\":\"");
    j.Raw(s.domain);
    j.Raw("\",\"protocol\":\"UDP\",\"blocked\":false}");
  } else if (s.action_type == "PORT_PROBE") {
    j.Raw("\"portProbeAction\":{\"blocked\":false,\"portProbeDetails\":[{\"localPortDetails\":{\"port\":");
    j.Int(s.local_port);
    j.Raw(",\"portName\":\"");
    j.Raw(s.local_port == 22 ? "SSH" : s.local_port == 3389 ? "RDP" : "Unknown");
    j.Raw("\"},\"remoteIpDetails\":");
    WriteRemoteIp(j, s.remote_ip);
    j.Raw("}]}");
  } else {
    j.Raw("\"networkConnectionAction\":{\"connectionDirection\":\"");
    j.Raw(s.direction);
    j.Raw("\",\"remoteIpDetails\":");
    WriteRemoteIp(j, s.remote_ip);
    j.Raw(",\"remotePortDetails\":{\"port\":");
    j.Int(s.remote_port);
    j.Raw(",\"portName\":\"Unknown\"},\"localPortDetails\":{\"port\":");
    j.Int(s.local_port);
    j.Raw(",\"portName\":\"");
    j.Raw(s.local_port == 22 ? "SSH" : s.local_port == 3389 ? "RDP" : "Unknown");
    j.Raw("\"},\"protocol\":\"TCP\",\"blocked\":false,\"localIpDetails\":{\"ipAddressV4\":\"");
    j.Raw(s.instance != nullptr ? std::string_view(s.instance->private_ip) : std::string_view("10.0.0.1"));
    j.Raw("\"}}");
  }
  j.Raw("},\"resourceRole\":\"");
  j.Raw(s.resource_role);
  j.Raw("\",\"additionalInfo\":{\"value\":\"{}\",\"type\":\"default\"},\"eventFirstSeen\":");
  j.TimeMs(s.first_seen);
  j.Raw(",\"eventLastSeen\":");
  j.TimeMs(s.last_seen);
  j.Raw(",\"archived\":false,\"count\":");
  j.Int(s.count);
  j.Raw("},\"severity\":");
  char sev[16];
  const int n = std::snprintf(sev, sizeof sev, "%g", s.severity);
  j.Raw(std::string_view(sev, static_cast<size_t>(n)));
  j.Raw(",\"createdAt\":");
  j.TimeMs(s.first_seen + 5 * kMinute);
  j.Raw(",\"updatedAt\":");
  j.TimeMs(s.last_seen + 5 * kMinute);
  j.Raw(",\"title\":");
  j.Str(s.title);
  j.Raw(",\"description\":");
  j.Str(s.description);
  j.Raw("}\n");
}

}  // namespace cloudward::simulate
