#include "prepare/posture.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "core/time.h"

namespace cloudward::prepare {
namespace {

const int64_t kNow = *ParseIsoTime("2026-11-29T12:00:00Z");

// One region with a public instance behind an open SSH group, and its twin locked down.
AccountSnapshot Snapshot() {
  AccountSnapshot s;
  s.account_id = "111111111111";
  s.taken_ms = kNow;
  RegionSnapshot r;
  r.region = "eu-west-1";
  r.security_groups = {
      {"sg-open", "web", "vpc-1", "", {{"tcp", 22, 22, {"0.0.0.0/0"}, {}}}, {}, {}},
      {"sg-closed", "app", "vpc-1", "", {{"tcp", 443, 443, {"10.0.0.0/8"}, {}}}, {}, {}},
      {"sg-default", "default", "vpc-1", "", {}, {}, {}},
  };
  aws::ec2::Instance open{.instance_id = "i-open", .state = "running", .vpc_id = "vpc-1", .subnet_id = "subnet-1",
                                .public_ip = "54.0.0.1", .http_tokens = "optional", .http_endpoint = "enabled"};
  open.security_group_ids = {"sg-open"};
  aws::ec2::Instance closed{.instance_id = "i-closed", .state = "running", .vpc_id = "vpc-1", .subnet_id = "subnet-1",
                                  .public_ip = "54.0.0.2", .http_tokens = "required", .http_endpoint = "enabled"};
  closed.security_group_ids = {"sg-closed"};
  closed.tags = {{"cloudward:suppress", "ec2.imdsv1"}};
  r.instances = {open, closed};
  r.volumes = {{"vol-1", "in-use", false, 8, {"i-open"}, {{"cloudward:suppress", "ec2.unencrypted-volume, s3.logging"}}},
               {"vol-2", "in-use", true, 8, {"i-closed"}, {}}};
  r.databases = {{.id = "db1", .arn = "arn:aws:rds:eu-west-1:111111111111:db:db1", .publicly_accessible = true,
                  .storage_encrypted = false, .backup_retention_days = 0}};
  r.tables = {{"t1", "arn:aws:dynamodb:eu-west-1:111111111111:table/t1", true},
              {"t2", "arn:aws:dynamodb:eu-west-1:111111111111:table/t2", std::nullopt}};
  r.functions = {{{"f1", "arn:aws:lambda:eu-west-1:111111111111:function:f1", "python3.7", "", "", {}, {}}, "NONE"},
                 {{"f2", "arn:aws:lambda:eu-west-1:111111111111:function:f2", "python3.12", "", "", {}, {}}, ""}};
  s.regions.push_back(r);
  s.account_summary = {{"AccountMFAEnabled", 1}, {"AccountAccessKeysPresent", 1}};
  s.gaps.push_back({"eu-west-1", "dynamodb:DescribeContinuousBackups t2", "AccessDenied"});
  return s;
}

std::vector<const CheckResult*> Find(const PostureReport& r, std::string_view check) {
  std::vector<const CheckResult*> out;
  for (const auto& x : r.results) {
    if (x.check_id == check) out.push_back(&x);
  }
  return out;
}

const CheckResult* FindOn(const PostureReport& r, std::string_view check, std::string_view resource) {
  for (const auto& x : r.results) {
    if (x.check_id == check && x.resource == resource) return &x;
  }
  return nullptr;
}

TEST(Posture, EveryCheckHasAUniqueWellFormedId) {
  std::set<std::string_view> ids;
  for (const auto& c : PostureChecks()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_NE(c.id.find('.'), std::string_view::npos) << c.id;
    EXPECT_FALSE(c.remediation.empty()) << c.id;
  }
  EXPECT_GE(PostureChecks().size(), 25u);
}

TEST(Posture, JudgesEachResource) {
  PostureReport r = EvaluatePosture(Snapshot(), {}, kNow);
  EXPECT_EQ(FindOn(r, "ec2.public-admin-port", "i-open")->status, CheckStatus::kFail);
  EXPECT_EQ(FindOn(r, "ec2.public-admin-port", "i-closed")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(r, "ec2.public-admin-port", "i-open")->evidence["PublicIp"], "54.0.0.1");
  EXPECT_EQ(FindOn(r, "vpc.sg-open-admin", "sg-open")->status, CheckStatus::kFail);
  EXPECT_EQ(FindOn(r, "vpc.sg-open-admin", "sg-closed")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(r, "vpc.default-sg-rules", "sg-default")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(r, "ec2.imdsv1", "i-open")->status, CheckStatus::kFail);
  EXPECT_EQ(FindOn(r, "ec2.imdsv1", "i-closed")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(r, "rds.public", "arn:aws:rds:eu-west-1:111111111111:db:db1")->status, CheckStatus::kFail);
  EXPECT_EQ(FindOn(r, "rds.no-backups", "arn:aws:rds:eu-west-1:111111111111:db:db1")->evidence["BackupRetentionPeriod"], 0);
  EXPECT_EQ(FindOn(r, "dynamodb.no-pitr", "arn:aws:dynamodb:eu-west-1:111111111111:table/t1")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(r, "dynamodb.no-pitr", "arn:aws:dynamodb:eu-west-1:111111111111:table/t2")->status, CheckStatus::kUnknown);
  EXPECT_EQ(FindOn(r, "lambda.url-no-auth", "arn:aws:lambda:eu-west-1:111111111111:function:f1")->status, CheckStatus::kFail);
  EXPECT_EQ(FindOn(r, "lambda.url-no-auth", "arn:aws:lambda:eu-west-1:111111111111:function:f2")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(r, "lambda.deprecated-runtime", "arn:aws:lambda:eu-west-1:111111111111:function:f1")->status, CheckStatus::kFail);
  EXPECT_EQ(FindOn(r, "lambda.deprecated-runtime", "arn:aws:lambda:eu-west-1:111111111111:function:f2")->status, CheckStatus::kPass);
  // Root: MFA on, keys present.
  EXPECT_EQ(Find(r, "iam.root-mfa").front()->status, CheckStatus::kPass);
  EXPECT_EQ(Find(r, "iam.root-access-keys").front()->status, CheckStatus::kFail);
  EXPECT_EQ(Find(r, "iam.root-access-keys").front()->resource, "arn:aws:iam::111111111111:root");
}

TEST(Posture, RootChecksTheOtherWay) {
  AccountSnapshot s = Snapshot();
  s.account_summary = {{"AccountMFAEnabled", 0}, {"AccountAccessKeysPresent", 0}};
  PostureReport r = EvaluatePosture(s, {}, kNow);
  EXPECT_EQ(Find(r, "iam.root-mfa").front()->status, CheckStatus::kFail);
  EXPECT_EQ(Find(r, "iam.root-access-keys").front()->status, CheckStatus::kPass);
}

TEST(Posture, UnreadableRegionIsUnknownNotPass) {
  AccountSnapshot s = Snapshot();
  s.regions.front().instances.clear();
  s.gaps.push_back({"eu-west-1", "ec2:DescribeInstances", "AccessDenied: not allowed"});
  PostureReport r = EvaluatePosture(s, {}, kNow);
  auto imds = Find(r, "ec2.imdsv1");
  ASSERT_EQ(imds.size(), 1u);
  EXPECT_EQ(imds.front()->status, CheckStatus::kUnknown);
  EXPECT_NE(imds.front()->message.find("AccessDenied"), std::string::npos);
}

TEST(Posture, TagSuppressionOnlySuppressesTheNamedChecks) {
  PostureReport r = EvaluatePosture(Snapshot(), {}, kNow);
  const CheckResult* vol = FindOn(r, "ec2.unencrypted-volume", "vol-1");
  ASSERT_NE(vol, nullptr);
  EXPECT_EQ(vol->status, CheckStatus::kFail);
  EXPECT_TRUE(vol->suppressed);
  EXPECT_EQ(vol->suppressed_by, "tag");
  // i-closed is tagged for ec2.imdsv1 but passes it: nothing to suppress.
  EXPECT_FALSE(FindOn(r, "ec2.imdsv1", "i-closed")->suppressed);
  EXPECT_FALSE(FindOn(r, "ec2.imdsv1", "i-open")->suppressed);
}

TEST(Posture, ConfigSuppressionUntilItExpires) {
  config::PostureConfig cfg;
  cfg.suppressions.push_back({"ec2.public-admin-port", "i-*", "bastion, tracked in SEC-12", "2026-12-31",
                              *ParseIsoTime("2026-12-31T23:59:59.999Z"), {7, 5}});
  cfg.suppressions.push_back({"rds.public", "*", "old", "2026-11-01", *ParseIsoTime("2026-11-01T23:59:59.999Z"), {12, 5}});
  PostureReport r = EvaluatePosture(Snapshot(), cfg, kNow);
  const CheckResult* open = FindOn(r, "ec2.public-admin-port", "i-open");
  EXPECT_TRUE(open->suppressed);
  EXPECT_EQ(open->suppressed_by, "config");
  EXPECT_NE(open->suppression_reason.find("SEC-12"), std::string::npos);
  EXPECT_FALSE(FindOn(r, "rds.public", "arn:aws:rds:eu-west-1:111111111111:db:db1")->suppressed);
  ASSERT_EQ(r.expired_suppressions.size(), 1u);
  EXPECT_EQ(r.expired_suppressions.front().where.line, 12);
  // Once the first one expires too, the failure is back.
  PostureReport later = EvaluatePosture(Snapshot(), cfg, *ParseIsoTime("2027-01-01T00:00:00Z"));
  EXPECT_FALSE(FindOn(later, "ec2.public-admin-port", "i-open")->suppressed);
  EXPECT_EQ(later.expired_suppressions.size(), 2u);
  EXPECT_EQ(later.Failures(), r.Failures() + 1);
}

TEST(Posture, OutputsCarryEveryResult) {
  PostureReport r = EvaluatePosture(Snapshot(), {}, kNow);
  auto json = PostureToJson(r);
  EXPECT_EQ(json["results"].size(), r.results.size());
  EXPECT_EQ(json["checks"].size(), PostureChecks().size());
  auto ocsf = PostureToOcsf(r);
  ASSERT_EQ(ocsf.size(), r.results.size());
  EXPECT_EQ(ocsf[0]["class_uid"], 2003);
  EXPECT_EQ(ocsf[0]["type_uid"], 200301);
  auto asff = PostureToAsff(r, "eu-west-1");
  ASSERT_EQ(asff.size(), r.results.size());
  for (const auto& f : asff) {
    EXPECT_TRUE(f["Compliance"]["Status"] == "PASSED" || f["Compliance"]["Status"] == "FAILED" ||
                f["Compliance"]["Status"] == "NOT_AVAILABLE");
    EXPECT_EQ(f["AwsAccountId"], "111111111111");
  }
  std::string table = PostureToTable(r, false);
  EXPECT_NE(table.find("ec2.public-admin-port"), std::string::npos);
  EXPECT_NE(table.find("How to fix"), std::string::npos);
}

TEST(PostureConfig, SuppressionsAreValidatedWithLines) {
  auto ok = config::LoadConfigText(
      "posture:\n"
      "  suppressions:\n"
      "    - check: s3.logging\n"
      "      resource: arn:aws:s3:::logs\n"
      "      reason: the log bucket itself\n"
      "      expires: 2027-01-31\n",
      "c.yaml");
  ASSERT_TRUE(ok.ok()) << ok.problems.front().ToString();
  ASSERT_EQ(ok.config.posture.suppressions.size(), 1u);
  EXPECT_EQ(ok.config.posture.suppressions[0].where.line, 3);
  EXPECT_EQ(FormatIsoTime(ok.config.posture.suppressions[0].expires_ms), "2027-01-31T23:59:59.999Z");

  auto bad = config::LoadConfigText(
      "posture:\n"
      "  suppressions:\n"
      "    - check: S3 logging\n"
      "      resource: x\n"
      "      reason: y\n"
      "      expires: 2027-02-30\n"
      "    - check: s3.logging\n"
      "      resourse: x\n",
      "c.yaml");
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> lines;
  for (const auto& p : bad.problems) lines.push_back(p.ToString());
  auto has = [&](const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("c.yaml:3:14: posture.suppressions[0].check: expected a check id")) << testing::PrintToString(lines);
  EXPECT_TRUE(has("c.yaml:6:16: posture.suppressions[0].expires: expected a date YYYY-MM-DD")) << testing::PrintToString(lines);
  EXPECT_TRUE(has("c.yaml:8:7: unknown key posture.suppressions[1].resourse; did you mean 'resource'?"))
      << testing::PrintToString(lines);
  EXPECT_TRUE(has("missing required key 'reason'")) << testing::PrintToString(lines);

  config::Config c;
  c.path = "c.yaml";
  c.posture.suppressions.push_back({"s3.nope", "x", "y", "2027-01-01", 1, {4, 7}});
  auto unknown = UnknownSuppressionChecks(c);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], "c.yaml:4:7: posture.suppressions: unknown check id 's3.nope'");
}

}  // namespace
}  // namespace cloudward::prepare
