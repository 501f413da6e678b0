#include "prepare/rules.h"

#include <gtest/gtest.h>

#include "core/time.h"
#include "prepare/posture.h"

namespace cloudward::prepare {
namespace {

using aws::ec2::AclEntry;
using aws::ec2::IpPermission;
using aws::ec2::NetworkAclRules;

TEST(Rules, OpenAdminPortsNeedsTheWorldAndACoveringRange) {
  EXPECT_EQ(OpenAdminPorts({{"tcp", 22, 22, {"0.0.0.0/0"}, {}}}), std::vector<int>{22});
  EXPECT_EQ(OpenAdminPorts({{"tcp", 22, 22, {"::/0"}, {}}}), std::vector<int>{22});
  EXPECT_TRUE(OpenAdminPorts({{"tcp", 22, 22, {"10.0.0.0/8"}, {}}}).empty());
  EXPECT_TRUE(OpenAdminPorts({{"tcp", 22, 22, {}, {"sg-123"}}}).empty());
  EXPECT_TRUE(OpenAdminPorts({{"tcp", 80, 443, {"0.0.0.0/0"}, {}}}).empty());
  EXPECT_TRUE(OpenAdminPorts({{"udp", 0, 65535, {"0.0.0.0/0"}, {}}}).empty());
  EXPECT_EQ(OpenAdminPorts({{"-1", -1, -1, {"0.0.0.0/0"}, {}}}), (std::vector<int>{22, 3389}));
  EXPECT_EQ(OpenAdminPorts({{"tcp", 0, 65535, {"10.0.0.0/8", "0.0.0.0/0"}, {}}}), (std::vector<int>{22, 3389}));
  EXPECT_EQ(OpenAdminPorts({{"6", 3000, 4000, {"0.0.0.0/0"}, {}}}), std::vector<int>{3389});
}

TEST(Rules, AclOpenPortsFollowsRuleOrder) {
  NetworkAclRules acl;
  acl.entries = {AclEntry{100, false, "-1", "allow", "0.0.0.0/0"}, AclEntry{32767, false, "-1", "deny", "0.0.0.0/0"}};
  EXPECT_EQ(AclOpenPorts(acl, {22, 3389}), (std::vector<int>{22, 3389}));  // AWS's default ACL
  acl.entries.push_back(AclEntry{90, false, "6", "deny", "0.0.0.0/0", 22, 22});
  EXPECT_EQ(AclOpenPorts(acl, {22, 3389}), std::vector<int>{3389});       // a deny before the allow
  acl.entries.push_back(AclEntry{80, false, "6", "allow", "0.0.0.0/0", 20, 25});
  EXPECT_EQ(AclOpenPorts(acl, {22, 3389}), (std::vector<int>{22, 3389}));  // an allow before the deny
  NetworkAclRules narrow;
  narrow.entries = {AclEntry{100, false, "-1", "allow", "10.0.0.0/8"}, AclEntry{110, true, "-1", "allow", "0.0.0.0/0"}};
  EXPECT_TRUE(AclOpenPorts(narrow, {22}).empty());  // egress and private sources do not count
}

TEST(Rules, AdminWildcardPolicy) {
  EXPECT_TRUE(PolicyIsAdminWildcard(R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"));
  EXPECT_TRUE(PolicyIsAdminWildcard(R"({"Statement":{"Effect":"Allow","Action":["s3:Get*","*:*"],"Resource":["*"]}})"));
  EXPECT_TRUE(PolicyIsAdminWildcard("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C"
                                    "%22Resource%22%3A%22%2A%22%7D%5D%7D"));  // URL-encoded as IAM returns it
  EXPECT_FALSE(PolicyIsAdminWildcard(R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})"));
  EXPECT_FALSE(PolicyIsAdminWildcard(R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]})"));
  EXPECT_FALSE(PolicyIsAdminWildcard(R"({"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})"));
  EXPECT_FALSE(PolicyIsAdminWildcard(R"({"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]})"));
  EXPECT_FALSE(PolicyIsAdminWildcard("not json"));
  EXPECT_FALSE(PolicyIsAdminWildcard(""));
}

TEST(Rules, BucketPolicyExposure) {
  auto x = BucketPolicyExposure(
      R"({"Statement":[{"Sid":"pub","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})",
      "111111111111");
  EXPECT_TRUE(x.is_public);
  x = BucketPolicyExposure(R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject",
      "Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]})",
                           "111111111111");
  EXPECT_FALSE(x.is_public);  // restricted by a condition
  x = BucketPolicyExposure(R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root",
      "arn:aws:iam::111111111111:role/own","333333333333"]},"Action":"s3:*","Resource":"*"}]})",
                           "111111111111");
  EXPECT_FALSE(x.is_public);
  EXPECT_EQ(x.other_accounts, (std::vector<std::string>{"222222222222", "333333333333"}));
  x = BucketPolicyExposure(R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]})", "1");
  EXPECT_FALSE(x.is_public);
  EXPECT_FALSE(BucketPolicyExposure("{broken", "1").is_public);
  EXPECT_FALSE(BucketPolicyExposure("", "1").is_public);
}

TEST(Rules, RuntimeDeprecation) {
  int64_t now = *ParseIsoTime("2026-11-29T00:00:00Z");
  ASSERT_TRUE(RuntimeDeprecationMs("python3.7"));
  EXPECT_LT(*RuntimeDeprecationMs("python3.7"), now);
  EXPECT_LT(*RuntimeDeprecationMs("nodejs16.x"), now);
  EXPECT_FALSE(RuntimeDeprecationMs("python3.12"));
  EXPECT_FALSE(RuntimeDeprecationMs("nodejs22.x"));
  EXPECT_FALSE(RuntimeDeprecationMs(""));
}

TEST(Rules, AgeDaysAndTags) {
  int64_t now = *ParseIsoTime("2026-11-29T00:00:00Z");
  EXPECT_EQ(AgeDays("2026-08-30T00:00:00Z", now), 91);
  EXPECT_EQ(AgeDays("2026-11-28T12:00:00.123456Z", now), 0);
  EXPECT_FALSE(AgeDays("yesterday", now));
  EXPECT_EQ(TagValue({{"a", "1"}, {"Name", "web"}}, "Name"), "web");
  EXPECT_FALSE(TagValue({{"a", "1"}}, "Name"));
}

TEST(Rules, GlobMatch) {
  EXPECT_TRUE(GlobMatch("arn:aws:s3:::logs-*", "arn:aws:s3:::logs-2026"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("sg-1", "sg-1"));
  EXPECT_FALSE(GlobMatch("sg-1", "sg-12"));
  EXPECT_FALSE(GlobMatch("arn:aws:s3:::logs-*", "arn:aws:s3:::data"));
  EXPECT_TRUE(GlobMatch("i-*-x*", "i-abc-xyz"));
}

}  // namespace
}  // namespace cloudward::prepare
