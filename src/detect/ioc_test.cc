#include "detect/ioc.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace cloudward::detect {
namespace {

struct Loaded {
  IocSet set;
  std::vector<IocProblem> problems;
  IocListStats stats;
};

Loaded Load(IocKind kind, std::string_view text, std::string_view list = "list.txt") {
  IocSetBuilder builder;
  Loaded out;
  out.stats = builder.AddText(kind, list, text, &out.problems);
  out.set = std::move(builder).Build();
  return out;
}

// Parses `json` as a record of `type` and returns what the set finds in it.
class EventFixture {
 public:
  std::vector<IocHit> Match(const IocSet& set, LogType type, const std::string& json) {
    simdjson::dom::element element;
    if (parser_.parse(json).get(element) != simdjson::SUCCESS) {
      ADD_FAILURE() << "bad json " << json;
      return {};
    }
    Event event;
    event.type = type;
    event.record = element;
    event.raw = json;
    std::vector<IocHit> hits;
    set.Match(event, hits);
    return hits;
  }

 private:
  simdjson::dom::parser parser_;
};

TEST(IpRange, ParsesAddressesAndCidrs) {
  auto r = ParseIpRange("203.0.113.9");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->v4);
  EXPECT_EQ(r->prefix, 128);
  EXPECT_EQ(FormatIpRange(*r), "203.0.113.9");

  r = ParseIpRange("198.51.100.0/24");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prefix, 120);
  EXPECT_EQ(FormatIpRange(*r), "198.51.100.0/24");
  EXPECT_EQ(r->last, *ParseIpAddress("198.51.100.255"));

  r = ParseIpRange("2001:DB8::/32");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->v4);
  EXPECT_EQ(FormatIpRange(*r), "2001:db8::/32");

  r = ParseIpRange("::ffff:192.0.2.1");  // IPv4-mapped is the IPv4 address
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->v4);
  EXPECT_EQ(FormatIpRange(*r), "192.0.2.1");
  EXPECT_EQ(*ParseIpAddress("::ffff:192.0.2.1"), *ParseIpAddress("192.0.2.1"));

  r = ParseIpRange("10.0.0.0/8");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, *ParseIpAddress("10.0.0.0"));
  EXPECT_EQ(r->last, *ParseIpAddress("10.255.255.255"));
  r = ParseIpRange("2001:db8::/127");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last, *ParseIpAddress("2001:db8::1"));
  r = ParseIpRange("8000::/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last, *ParseIpAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
}

TEST(IpRange, RejectsWithReasons) {
  std::string why;
  EXPECT_FALSE(ParseIpRange("10.1.2.3/8", &why));
  EXPECT_EQ(why, "host bits set after the prefix; the network is 10.0.0.0/8");
  EXPECT_FALSE(ParseIpRange("1.2.3.4/33", &why));
  EXPECT_NE(why.find("longer than 32 bits"), std::string::npos);
  EXPECT_FALSE(ParseIpRange("::/0", &why));
  EXPECT_EQ(why, "prefix /0 would match every address");
  EXPECT_FALSE(ParseIpRange("1.2.3.4/", &why));
  EXPECT_FALSE(ParseIpRange("1.2.3.4/x", &why));
  EXPECT_FALSE(ParseIpRange("256.1.1.1", &why));
  EXPECT_FALSE(ParseIpRange("1.2.3", &why));
  EXPECT_FALSE(ParseIpRange("01.2.3.4", &why));  // leading zero: octal or decimal?
  EXPECT_FALSE(ParseIpRange("fe80::1%eth0", &why));
  EXPECT_EQ(why, "zone ids (%) are not allowed in addresses");
  EXPECT_FALSE(ParseIpRange("evil.example", &why));
  EXPECT_EQ(why, "not an IPv4 or IPv6 address or CIDR");
}

TEST(IocLists, ParsesGoodLinesCommentsAndReportsBadOnesByLine) {
  const Loaded l = Load(IocKind::kIp,
                        "\xEF\xBB\xBF# threat feed 2024-03\n"
                        "203.0.113.9\n"
                        "\n"
                        "  198.51.100.0/24   # scanner range\r\n"
                        "2001:db8:bad::/48\n"
                        "not-an-ip\n"
                        "10.1.2.3/8\n"
                        "192.0.2[.]77\n"
                        "203.0.113.9\n"
                        "1.2.3.4 5.6.7.8\n",
                        "feeds/bad_ips.txt");
  EXPECT_EQ(l.stats.lines, 10);
  EXPECT_EQ(l.stats.indicators, 4);
  EXPECT_EQ(l.stats.duplicates, 1);
  EXPECT_EQ(l.stats.ignored, 2);
  EXPECT_EQ(l.stats.malformed, 3);
  ASSERT_EQ(l.problems.size(), 3u);
  EXPECT_EQ(l.problems[0].ToString(),
            "feeds/bad_ips.txt:6: ip \"not-an-ip\": not an IPv4 or IPv6 address or CIDR");
  EXPECT_EQ(l.problems[1].line, 7);
  EXPECT_NE(l.problems[1].reason.find("10.0.0.0/8"), std::string::npos);
  EXPECT_EQ(l.problems[2].line, 10);
  EXPECT_NE(l.problems[2].reason.find("one indicator a line"), std::string::npos);
  ASSERT_EQ(l.set.size(), 4u);
  EXPECT_EQ(l.set.size(IocKind::kIp), 4u);
  EXPECT_EQ(l.set.indicators()[1].text, "198.51.100.0/24");
  EXPECT_EQ(l.set.indicators()[1].line, 4);
  EXPECT_EQ(l.set.indicators()[3].text, "192.0.2.77");  // defanged
}

TEST(IocLists, DomainsKeysAndAgents) {
  Loaded d = Load(IocKind::kDomain,
                  "Evil.Example\n*.c2.test\n.bad.test.\nhttp://x.test/p\ncom\n1.2.3.4\na..b\nex ample.com\n"
                  "caf\xC3\xA9.test\n");
  EXPECT_EQ(d.stats.indicators, 3);
  ASSERT_EQ(d.problems.size(), 6u);
  EXPECT_EQ(d.problems[0].line, 4);
  EXPECT_NE(d.problems[0].reason.find("write its host name x.test"), std::string::npos);
  EXPECT_NE(d.problems[1].reason.find("single label"), std::string::npos);
  EXPECT_NE(d.problems[2].reason.find("an IP address"), std::string::npos);
  EXPECT_NE(d.problems[3].reason.find("empty label"), std::string::npos);
  EXPECT_EQ(d.problems[4].line, 8);
  EXPECT_NE(d.problems[5].reason.find("xn--"), std::string::npos);
  EXPECT_EQ(d.set.indicators()[0].text, "evil.example");
  EXPECT_EQ(d.set.indicators()[1].text, "c2.test");
  EXPECT_EQ(d.set.indicators()[2].text, "bad.test");

  Loaded k = Load(IocKind::kAccessKey, "AKIAIOSFODNN7EXAMPLE\nakiaiosfodnn7example\nAKIA123\n");
  EXPECT_EQ(k.stats.indicators, 1);
  ASSERT_EQ(k.problems.size(), 2u);
  EXPECT_EQ(k.problems[0].line, 2);
  EXPECT_EQ(k.problems[1].line, 3);

  Loaded u = Load(IocKind::kUserAgent, "# tools\nsqlmap/\nPython-urllib # with hash\nab\n\tkali  \n");
  EXPECT_EQ(u.stats.indicators, 3);
  ASSERT_EQ(u.problems.size(), 1u);
  EXPECT_EQ(u.problems[0].line, 4);
  EXPECT_EQ(u.set.indicators()[1].text, "python-urllib # with hash");  // '#' is literal here
  EXPECT_EQ(u.set.indicators()[2].text, "kali");
}

TEST(IocLists, AmiIds) {
  const Loaded l = Load(IocKind::kAmi,
                        "# images shared by the intruder\n"
                        "ami-0123456789ABCDEF0\n"
                        "AMI-1a2b3c4d   # old 8-digit id\n"
                        "ami-1A2B3C4D\n"
                        "ami-12345\n"
                        "ami-0123456789abcdef\n"
                        "ami-0123456789abcdefg\n"
                        "arn:aws:ec2:us-east-1::image/ami-0fedcba9876543210\n"
                        "snap-0123456789abcdef0\n");
  EXPECT_EQ(l.stats.indicators, 2);
  EXPECT_EQ(l.stats.duplicates, 1);
  ASSERT_EQ(l.problems.size(), 5u);
  EXPECT_EQ(l.problems[0].ToString(),
            "list.txt:5: ami \"ami-12345\": an AMI id is ami- followed by 8 or 17 hexadecimal digits");
  EXPECT_EQ(l.problems[1].line, 6);  // 16 digits
  EXPECT_EQ(l.problems[2].line, 7);  // 'g'
  EXPECT_NE(l.problems[3].reason.find("an image ARN, not an AMI id: write ami-0fedcba9876543210"),
            std::string::npos);
  EXPECT_NE(l.problems[4].reason.find("starts with ami-"), std::string::npos);
  EXPECT_EQ(l.set.size(IocKind::kAmi), 2u);
  EXPECT_EQ(l.set.indicators()[0].text, "ami-0123456789abcdef0");
  EXPECT_EQ(l.set.indicators()[1].text, "ami-1a2b3c4d");
  ASSERT_NE(l.set.FindAmi("AMI-0123456789abcdef0"), nullptr);
  EXPECT_EQ(l.set.FindAmi("ami-1a2b3c4d")->line, 3);
  EXPECT_EQ(l.set.FindAmi("ami-1a2b3c4e"), nullptr);
  EXPECT_EQ(l.set.FindAmi("ami-0123456789abcdef01"), nullptr);
  EXPECT_EQ(l.set.FindAmi(""), nullptr);
  EXPECT_EQ(IocKindName(IocKind::kAmi), "ami");
}

TEST(IocLists, MissingFileIsAProblemAtLineZero) {
  IocSetBuilder builder;
  std::vector<IocProblem> problems;
  EXPECT_FALSE(builder.AddFile(IocKind::kIp, "/nonexistent/ioc/ips.txt", &problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 0);
  EXPECT_EQ(problems[0].ToString().rfind("/nonexistent/ioc/ips.txt: cannot read ip list", 0), 0u);
}

TEST(IocLists, ReadsFiles) {
  const std::string path = ::testing::TempDir() + "ioc_test_keys.txt";
  std::ofstream(path) << "AKIAIOSFODNN7EXAMPLE\n";
  IocSetBuilder builder;
  std::vector<IocProblem> problems;
  auto stats = builder.AddFile(IocKind::kAccessKey, path, &problems);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->indicators, 1);
  EXPECT_TRUE(problems.empty());
  const IocSet set = std::move(builder).Build();
  ASSERT_NE(set.FindAccessKey("AKIAIOSFODNN7EXAMPLE"), nullptr);
  EXPECT_EQ(set.FindAccessKey("AKIAIOSFODNN7EXAMPLE")->list, path);
  std::remove(path.c_str());
}

TEST(IocMatch, IpExactAndNestedCidrs) {
  const Loaded l = Load(IocKind::kIp,
                        "10.0.0.0/8\n10.1.0.0/16\n10.1.2.3\n10.2.0.0/16\n192.0.2.1\n"
                        "2001:db8::/32\n2001:db8:1::/48\n");
  const IocSet& s = l.set;
  auto text = [&](std::string_view a) {
    const Indicator* i = s.FindIp(a);
    return i == nullptr ? std::string("-") : i->text;
  };
  EXPECT_EQ(text("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(text("10.1.2.4"), "10.1.0.0/16");
  EXPECT_EQ(text("10.1.255.255"), "10.1.0.0/16");
  EXPECT_EQ(text("10.2.9.9"), "10.2.0.0/16");
  EXPECT_EQ(text("10.3.0.0"), "10.0.0.0/8");        // after two nested ranges: walks to the parent
  EXPECT_EQ(text("10.255.255.255"), "10.0.0.0/8");
  EXPECT_EQ(text("11.0.0.0"), "-");
  EXPECT_EQ(text("9.255.255.255"), "-");
  EXPECT_EQ(text("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(text("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(text("192.0.2.2"), "-");
  EXPECT_EQ(text("2001:db8:1:2::5"), "2001:db8:1::/48");
  EXPECT_EQ(text("2001:db8:2::5"), "2001:db8::/32");
  EXPECT_EQ(text("2001:db9::"), "-");
  EXPECT_EQ(text("AWS Internal"), "-");
  EXPECT_EQ(text("ec2.amazonaws.com"), "-");
  EXPECT_EQ(text(""), "-");
}

TEST(IocMatch, ManyCidrsAgreeWithALinearScan) {
  // 2000 random-ish nested and disjoint ranges; every probe must find the most specific range,
  // which a linear scan also finds.
  std::string text;
  uint32_t x = 12345;
  auto next = [&] { return x = x * 1103515245u + 12345u; };
  for (int i = 0; i < 2000; ++i) {
    const int prefix = 8 + static_cast<int>(next() % 25);
    const uint32_t mask = prefix == 32 ? ~0u : ~(~0u >> prefix);
    const uint32_t a = (next() & 0x3fffffffu) & mask;
    text += std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
            std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255) + "/" + std::to_string(prefix) + "\n";
  }
  const Loaded l = Load(IocKind::kIp, text);
  ASSERT_TRUE(l.problems.empty());
  std::vector<IpRange> ranges;
  for (const Indicator& i : l.set.indicators()) ranges.push_back(*ParseIpRange(i.text));
  for (int probe = 0; probe < 20000; ++probe) {
    const uint32_t a = next() & 0x3fffffffu;
    const IpAddress address{0, 0x0000ffff00000000ULL | a};
    const IpRange* best = nullptr;
    for (const IpRange& r : ranges) {
      if (r.first <= address && address <= r.last && (best == nullptr || r.prefix > best->prefix)) best = &r;
    }
    const Indicator* found = l.set.FindIp(address);
    ASSERT_EQ(found == nullptr, best == nullptr) << probe;
    if (found != nullptr) {
      EXPECT_EQ(found->text, FormatIpRange(*best));
    }
  }
}

TEST(IocMatch, DomainsMatchThemselvesAndSubdomains) {
  const Loaded l = Load(IocKind::kDomain, "evil.example\nc2.bad.test\n");
  const IocSet& s = l.set;
  ASSERT_NE(s.FindDomain("evil.example"), nullptr);
  ASSERT_NE(s.FindDomain("EVIL.Example."), nullptr);
  ASSERT_NE(s.FindDomain("a.b.evil.example"), nullptr);
  EXPECT_EQ(s.FindDomain("a.b.evil.example")->text, "evil.example");
  EXPECT_EQ(s.FindDomain("notevil.example"), nullptr);
  EXPECT_EQ(s.FindDomain("evil.example.com"), nullptr);
  EXPECT_EQ(s.FindDomain("bad.test"), nullptr);
  ASSERT_NE(s.FindDomain("x.c2.bad.test"), nullptr);
  EXPECT_EQ(s.FindDomain("example"), nullptr);
}

TEST(IocMatch, UserAgentsAndKeys) {
  IocSetBuilder builder;
  builder.AddText(IocKind::kUserAgent, "ua.txt", "sqlmap\nKali\n", nullptr);
  builder.AddText(IocKind::kAccessKey, "keys.txt", "AKIAIOSFODNN7EXAMPLE\n", nullptr);
  const IocSet s = std::move(builder).Build();
  ASSERT_NE(s.FindUserAgent("sqlmap/1.7.2#stable (https://sqlmap.org)"), nullptr);
  ASSERT_NE(s.FindUserAgent("aws-cli/2.15 Python/3.11 Linux/6.5.0-kali3-amd64"), nullptr);
  EXPECT_EQ(s.FindUserAgent("aws-cli/2.15 Python/3.11 Linux/6.5.0-kali3-amd64")->text, "kali");
  EXPECT_EQ(s.FindUserAgent("aws-sdk-go/1.44"), nullptr);
  EXPECT_EQ(s.FindUserAgent("sqlma"), nullptr);
  EXPECT_NE(s.FindAccessKey("AKIAIOSFODNN7EXAMPLE"), nullptr);
  EXPECT_EQ(s.FindAccessKey("AKIAIOSFODNN7EXAMPLF"), nullptr);
  EXPECT_EQ(s.FindAccessKey("akiaiosfodnn7example"), nullptr);
}

IocSet AllKinds() {
  IocSetBuilder builder;
  builder.AddText(IocKind::kIp, "lists/ips.txt", "203.0.113.9\n198.51.100.0/24\n2001:db8::/32\n", nullptr);
  builder.AddText(IocKind::kDomain, "lists/domains.txt", "evil.example\n", nullptr);
  builder.AddText(IocKind::kAccessKey, "lists/keys.txt", "AKIAIOSFODNN7EXAMPLE\n", nullptr);
  builder.AddText(IocKind::kUserAgent, "lists/uas.txt", "sqlmap\n", nullptr);
  return std::move(builder).Build();
}

TEST(IocMatch, CloudTrailEvent) {
  const IocSet s = AllKinds();
  EventFixture f;
  auto hits = f.Match(s, LogType::kCloudTrail, R"({
    "eventSource": "lambda.amazonaws.com", "eventName": "CreateFunctionUrlConfig",
    "sourceIPAddress": "203.0.113.9", "userAgent": "SQLMap/1.7",
    "userIdentity": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"},
    "tlsDetails": {"clientProvidedHostHeader": "API.evil.example"},
    "requestParameters": {"endpoint": "https://hook.evil.example:8443/x?y=1",
                          "nested": {"mail": ["ops@mail.evil.example", "ops@good.example"]},
                          "bucketName": "evil.example.backup", "arn": "arn:aws:s3:::evil.example"}})");
  ASSERT_EQ(hits.size(), 6u);
  EXPECT_EQ(hits[0].kind, IocKind::kIp);
  EXPECT_EQ(hits[0].field, "sourceIPAddress");
  EXPECT_EQ(hits[1].kind, IocKind::kAccessKey);
  EXPECT_EQ(hits[2].kind, IocKind::kUserAgent);
  EXPECT_EQ(hits[3].field, "tlsDetails.clientProvidedHostHeader");
  EXPECT_EQ(hits[3].value, "API.evil.example");
  EXPECT_EQ(hits[4].field, "requestParameters");
  EXPECT_EQ(hits[4].key, "endpoint");
  EXPECT_EQ(hits[4].value, "hook.evil.example");
  EXPECT_EQ(hits[5].field, "requestParameters.*");
  EXPECT_EQ(hits[5].key, "mail");
  EXPECT_EQ(hits[5].value, "mail.evil.example");

  EXPECT_EQ(IocRule(std::span(hits).subspan(0, 1)).title, "IOC match: source IP 203.0.113.9 (list ips.txt)");
  const RuleRef domains = IocRule(std::span(hits).subspan(3, 3));
  EXPECT_EQ(domains.id, "cloudward-ioc-domain");
  EXPECT_EQ(domains.level, Level::kHigh);
  EXPECT_EQ(domains.title,
            "IOC match: domain API.evil.example under evil.example in tlsDetails.clientProvidedHostHeader (list domains.txt); "
            "domain hook.evil.example under evil.example in requestParameters.endpoint (list domains.txt); "
            "domain mail.evil.example under evil.example in requestParameters.*.mail (list domains.txt)");
  EXPECT_EQ(IocRule(std::span(hits).subspan(1, 1)).tags,
            (std::vector<std::string>{"attack.initial_access", "attack.t1078.004"}));
  EXPECT_EQ(IocRule(std::span(hits).subspan(2, 1)).title,
            "IOC match: user agent containing \"sqlmap\" (list uas.txt)");

  EXPECT_TRUE(f.Match(s, LogType::kCloudTrail, R"({"sourceIPAddress": "ec2.amazonaws.com",
      "userAgent": "aws-cli/2", "userIdentity": {"accessKeyId": "ASIAIOSFODNN7EXAMPLE"},
      "requestParameters": {"x": "notevil.example", "y": 5, "z": null}})").empty());
}

TEST(IocMatch, FlowGuardDutyAndS3Events) {
  const IocSet s = AllKinds();
  EventFixture f;
  auto hits = f.Match(s, LogType::kVpcFlow,
                      R"({"srcaddr": "10.0.1.5", "dstaddr": "198.51.100.23", "srcport": 443})");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(IocRule(hits).title, "IOC match: destination IP 198.51.100.23 in 198.51.100.0/24 (list ips.txt)");
  EXPECT_EQ(IocRule(hits).id, "cloudward-ioc-ip");

  hits = f.Match(s, LogType::kVpcFlow, R"({"srcaddr": "2001:db8::7", "dstaddr": "203.0.113.9"})");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].what, "source IP");
  EXPECT_EQ(hits[1].what, "destination IP");

  hits = f.Match(s, LogType::kGuardDuty, R"({"type": "Recon:EC2/PortProbeUnprotectedPort",
      "resource": {"accessKeyDetails": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"}},
      "service": {"action": {"portProbeAction": {"portProbeDetails": [
          {"remoteIpDetails": {"ipAddressV4": "192.0.2.1"}},
          {"remoteIpDetails": {"ipAddressV4": "198.51.100.7"}}]},
        "dnsRequestAction": {"domain": "pool.evil.example."}}}})");
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].value, "198.51.100.7");
  EXPECT_EQ(hits[0].what, "remote IP");
  EXPECT_EQ(hits[1].kind, IocKind::kAccessKey);
  EXPECT_EQ(hits[2].value, "pool.evil.example");

  hits = f.Match(s, LogType::kS3Access, R"({"remoteip": "203.0.113.9", "useragent": "sqlmap/1.0",
      "hostheader": "bucket.s3.amazonaws.com", "referrer": "http://www.evil.example/page"})");
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].field, "remoteip");
  EXPECT_EQ(hits[1].field, "useragent");
  EXPECT_EQ(hits[2].field, "referrer");
  EXPECT_EQ(hits[2].value, "www.evil.example");
}

TEST(IocMatch, AmisWhereAnImageIsLaunchedCopiedOrShared) {
  IocSetBuilder builder;
  builder.AddText(IocKind::kIp, "lists/ips.txt", "203.0.113.9\n", nullptr);
  builder.AddText(IocKind::kAmi, "lists/amis.txt", "ami-0a1b2c3d4e5f60718\nami-1a2b3c4d\n", nullptr);
  const IocSet s = std::move(builder).Build();
  EventFixture f;
  // One call of each kind: {eventName, requestParameters, responseElements} and where it matches.
  struct Case {
    const char* name;
    const char* request;
    const char* response;
    const char* field;  // "" when nothing may match
    const char* key;
  };
  const Case cases[] = {
      {"RunInstances",
       R"({"instancesSet": {"items": [{"imageId": "ami-0A1B2C3D4E5F60718", "minCount": 1, "maxCount": 1}]},
           "instanceType": "t3.micro"})",
       R"({"instancesSet": {"items": [{"imageId": "ami-0a1b2c3d4e5f60718", "instanceId": "i-0123456789abcdef0"}]}})",
       "requestParameters.*", "imageId"},
      {"RunInstances",  // from a launch template: only the response names the image
       R"({"launchTemplate": {"launchTemplateId": "lt-0abc1234def567890", "version": "$Latest"},
           "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]}})",
       R"({"instancesSet": {"items": [{"imageId": "ami-1a2b3c4d", "instanceId": "i-0123456789abcdef0"}]}})",
       "responseElements.*", "imageId"},
      {"CreateLaunchTemplate",
       R"({"CreateLaunchTemplateRequest": {"LaunchTemplateName": "web",
           "LaunchTemplateData": {"ImageId": "ami-0a1b2c3d4e5f60718", "InstanceType": "t3.micro"}}})",
       "null", "requestParameters.*", "ImageId"},
      {"CreateLaunchTemplateVersion",
       R"({"CreateLaunchTemplateVersionRequest": {"LaunchTemplateId": "lt-0abc1234def567890",
           "SourceVersion": "1", "LaunchTemplateData": {"ImageId": "ami-1a2b3c4d"}}})",
       "null", "requestParameters.*", "ImageId"},
      {"CopyImage",
       R"({"sourceRegion": "us-west-2", "sourceImageId": "ami-0a1b2c3d4e5f60718", "name": "golden"})",
       R"({"imageId": "ami-0ffffffffffffffff"})", "requestParameters", "sourceImageId"},
      {"RequestSpotInstances",
       R"({"instanceCount": 4, "launchSpecification": {"imageId": "ami-1a2b3c4d", "instanceType": "p3.8xlarge"}})",
       "null", "requestParameters.*", "imageId"},
      {"RequestSpotFleet",
       R"({"spotFleetRequestConfig": {"targetCapacity": 20, "launchSpecifications": [
           {"imageId": "ami-0123456789abcdef0"}, {"imageId": "ami-0a1b2c3d4e5f60718"}]}})",
       "null", "requestParameters.*", "imageId"},
      {"ModifyImageAttribute",
       R"({"imageId": "ami-0a1b2c3d4e5f60718", "attributeType": "launchPermission",
           "launchPermission": {"add": {"items": [{"group": "all"}]}}})",
       "null", "requestParameters", "imageId"},
      // Near misses: a listed image looked up, not launched; an unlisted image; a listed id in a
      // member that does not name the image used; another service.
      {"DescribeImages", R"({"imagesSet": {"items": [{"imageId": "ami-0a1b2c3d4e5f60718"}]}})", "null", "", ""},
      {"RunInstances", R"({"instancesSet": {"items": [{"imageId": "ami-0123456789abcdef0"}]}})",
       R"({"instancesSet": {"items": [{"imageId": "ami-0123456789abcdef0"}]}})", "", ""},
      {"CopyImage", R"({"sourceImageId": "ami-0123456789abcdef0", "description": "copy of ami-1a2b3c4d"})",
       "null", "", ""},
  };
  for (const Case& c : cases) {
    const std::string json = std::string(R"({"eventSource": "ec2.amazonaws.com", "eventName": ")") + c.name +
                             R"(", "sourceIPAddress": "198.51.100.20", "requestParameters": )" + c.request +
                             R"(, "responseElements": )" + c.response + "}";
    const auto hits = f.Match(s, LogType::kCloudTrail, json);
    if (*c.field == '\0') {
      EXPECT_TRUE(hits.empty()) << json;
      continue;
    }
    ASSERT_EQ(hits.size(), 1u) << json;
    EXPECT_EQ(hits[0].kind, IocKind::kAmi);
    EXPECT_EQ(hits[0].field, c.field) << c.name;
    EXPECT_EQ(hits[0].key, c.key) << c.name;
  }
  EXPECT_TRUE(f.Match(s, LogType::kCloudTrail, R"({"eventSource": "lightsail.amazonaws.com",
      "eventName": "RunInstances", "requestParameters": {"imageId": "ami-1a2b3c4d"}})").empty());

  // Other kinds come first; the AMI finding's rule.
  const auto hits = f.Match(s, LogType::kCloudTrail, R"({"eventSource": "ec2.amazonaws.com",
      "eventName": "RunInstances", "sourceIPAddress": "203.0.113.9",
      "requestParameters": {"instancesSet": {"items": [{"imageId": "ami-0a1b2c3d4e5f60718"},
                                                       {"imageId": "ami-1a2b3c4d"}]}}})");
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].kind, IocKind::kIp);
  const RuleRef rule = IocRule(std::span(hits).subspan(1, 2));
  EXPECT_EQ(rule.id, "cloudward-ioc-ami");
  EXPECT_EQ(rule.level, Level::kHigh);
  EXPECT_EQ(rule.tags,
            (std::vector<std::string>{"attack.persistence", "attack.execution", "attack.t1525", "attack.t1204.003"}));
  EXPECT_EQ(rule.title,
            "IOC match: AMI ami-0a1b2c3d4e5f60718 in requestParameters.*.imageId (list amis.txt); "
            "AMI ami-1a2b3c4d in requestParameters.*.imageId (list amis.txt)");
}

TEST(IocMatch, EmptySetMatchesNothing) {
  const IocSet s;
  EventFixture f;
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(f.Match(s, LogType::kCloudTrail, R"({"sourceIPAddress": "203.0.113.9"})").empty());
}

}  // namespace
}  // namespace cloudward::detect
