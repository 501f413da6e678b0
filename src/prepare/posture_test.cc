#include "prepare/posture.h"

#include <gtest/gtest.h>

#include "aws/http.h"
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
  EXPECT_GE(PostureChecks().size(), 29u);
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

// Two users: carol's key last used 120 days ago (fails), dave's used yesterday (passes); erin's
// key never used and 40 days old (fails), frank's never used and 3 days old (passes).
AccountSnapshot KeyUseSnapshot() {
  AccountSnapshot s = Snapshot();
  auto user = [](std::string name, std::string key, std::string created, std::string last_used, aws::Tags tags = {}) {
    UserInfo u;
    u.user.user_name = name;
    u.user.arn = "arn:aws:iam::111111111111:user/" + name;
    u.user.tags = std::move(tags);
    u.console_access = false;
    u.mfa_devices = 0;
    u.access_keys = {{name, key, "Active", created}, {name, key + "OLD", "Inactive", "2020-01-01T00:00:00Z"}};
    u.key_last_used[key] = {last_used, last_used.empty() ? "N/A" : "s3", last_used.empty() ? "N/A" : "eu-west-1"};
    return u;
  };
  s.users = {user("carol", "AKIACAROL", "2026-01-10T00:00:00Z", "2026-08-01T10:00:00Z"),
             user("dave", "AKIADAVE", "2026-01-10T00:00:00Z", "2026-11-28T10:00:00.123456Z"),
             user("erin", "AKIAERIN", "2026-10-20T00:00:00Z", ""),
             user("frank", "AKIAFRANK", "2026-11-26T00:00:00Z", "", {{"cloudward:suppress", "iam.unused-access-key"}}),
             user("gina", "AKIAGINA", "2026-01-10T00:00:00Z", "", {{"cloudward:suppress", "iam.unused-access-key"}})};
  s.users[0].key_last_used.clear();  // carol's last use could not be read...
  s.gaps.push_back({"global", "iam:GetAccessKeyLastUsed AKIACAROL", "AccessDenied: not allowed"});
  s.users.push_back(user("hal", "AKIAHAL", "2026-01-10T00:00:00Z", "2026-08-01T10:00:00Z"));  // ...hal's could
  return s;
}

TEST(Posture, UnusedAccessKeys) {
  PostureReport r = EvaluatePosture(KeyUseSnapshot(), {}, kNow);
  const CheckResult* hal = FindOn(r, "iam.unused-access-key", "AKIAHAL");
  ASSERT_NE(hal, nullptr);
  EXPECT_EQ(hal->status, CheckStatus::kFail);
  EXPECT_EQ(hal->severity, Level::kMedium);
  EXPECT_EQ(hal->evidence["DaysSinceLastUse"], 120);
  EXPECT_EQ(hal->evidence["LastUsedService"], "s3");
  EXPECT_EQ(FindOn(r, "iam.unused-access-key", "AKIADAVE")->status, CheckStatus::kPass);
  const CheckResult* erin = FindOn(r, "iam.unused-access-key", "AKIAERIN");
  EXPECT_EQ(erin->status, CheckStatus::kFail);
  EXPECT_TRUE(erin->evidence["LastUsedDate"].is_null());
  EXPECT_EQ(erin->evidence["AgeDays"], 40);
  EXPECT_NE(erin->message.find("never used"), std::string::npos);
  // A young never-used key passes (the tag then has nothing to suppress); an old one is suppressed.
  EXPECT_EQ(FindOn(r, "iam.unused-access-key", "AKIAFRANK")->status, CheckStatus::kPass);
  EXPECT_FALSE(FindOn(r, "iam.unused-access-key", "AKIAFRANK")->suppressed);
  EXPECT_TRUE(FindOn(r, "iam.unused-access-key", "AKIAGINA")->suppressed);
  // An unreadable last use is unknown, never a pass; inactive keys are not judged.
  EXPECT_EQ(FindOn(r, "iam.unused-access-key", "AKIACAROL")->status, CheckStatus::kUnknown);
  EXPECT_NE(FindOn(r, "iam.unused-access-key", "AKIACAROL")->message.find("AccessDenied"), std::string::npos);
  EXPECT_EQ(FindOn(r, "iam.unused-access-key", "AKIAHALOLD"), nullptr);
  // A configured suppression applies like for every other check.
  config::PostureConfig cfg;
  cfg.suppressions.push_back({"iam.unused-access-key", "AKIAHAL", "service account, rotated yearly", "2027-01-31",
                              *ParseIsoTime("2027-01-31T23:59:59.999Z"), {3, 7}});
  PostureReport suppressed = EvaluatePosture(KeyUseSnapshot(), cfg, kNow);
  EXPECT_EQ(FindOn(suppressed, "iam.unused-access-key", "AKIAHAL")->suppressed_by, "config");
}

TEST(Posture, AccountPublicAccessBlock) {
  const std::string root = "arn:aws:iam::111111111111:root";
  AccountSnapshot s = Snapshot();
  PostureReport none = EvaluatePosture(s, {}, kNow);
  ASSERT_NE(FindOn(none, "s3.account-public-access-block", root), nullptr);
  EXPECT_EQ(FindOn(none, "s3.account-public-access-block", root)->status, CheckStatus::kFail);
  EXPECT_TRUE(FindOn(none, "s3.account-public-access-block", root)->evidence["PublicAccessBlockConfiguration"].is_null());
  s.account_public_access_block = aws::s3::PublicAccessBlock{true, true, false, true};
  PostureReport partial = EvaluatePosture(s, {}, kNow);
  EXPECT_EQ(FindOn(partial, "s3.account-public-access-block", root)->status, CheckStatus::kFail);
  EXPECT_NE(FindOn(partial, "s3.account-public-access-block", root)->message.find("BlockPublicPolicy"), std::string::npos);
  s.account_public_access_block = aws::s3::PublicAccessBlock{};
  EXPECT_EQ(FindOn(EvaluatePosture(s, {}, kNow), "s3.account-public-access-block", root)->status, CheckStatus::kPass);
  s.gaps.push_back({"global", "s3control:GetPublicAccessBlock", "AccessDenied: s3:GetAccountPublicAccessBlock"});
  EXPECT_EQ(FindOn(EvaluatePosture(s, {}, kNow), "s3.account-public-access-block", root)->status, CheckStatus::kUnknown);
}

TEST(Posture, PatchCompliance) {
  AccountSnapshot s = Snapshot();
  RegionSnapshot& r = s.regions.front();
  r.patch_compliance = {{.resource_id = "i-open", .resource_type = "ManagedInstance", .status = "NON_COMPLIANT",
                         .overall_severity = "CRITICAL", .compliant_count = 40, .non_compliant_count = 3},
                        {.resource_id = "i-closed", .resource_type = "ManagedInstance", .status = "COMPLIANT",
                         .compliant_count = 52},
                        {.resource_id = "i-gone", .resource_type = "ManagedInstance", .status = "NON_COMPLIANT"}};
  PostureReport rep = EvaluatePosture(s, {}, kNow);
  const CheckResult* open = FindOn(rep, "ec2.patch-compliance", "i-open");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->status, CheckStatus::kFail);
  EXPECT_EQ(open->evidence["NonCompliantCount"], 3);
  EXPECT_NE(open->message.find("CRITICAL"), std::string::npos);
  EXPECT_EQ(FindOn(rep, "ec2.patch-compliance", "i-closed")->status, CheckStatus::kPass);
  EXPECT_EQ(FindOn(rep, "ec2.patch-compliance", "i-gone"), nullptr);  // not an instance of the region (any more)
  // SSM not offered or denied: not evaluated, for the region, with the reason.
  s.gaps.push_back({"eu-west-1", "ssm:ListResourceComplianceSummaries", "AccessDenied: ssm:ListResourceComplianceSummaries"});
  rep = EvaluatePosture(s, {}, kNow);  // kept: Find points into it
  auto unknown = Find(rep, "ec2.patch-compliance");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown.front()->status, CheckStatus::kUnknown);
  EXPECT_NE(unknown.front()->message.find("AccessDenied"), std::string::npos);
}

// S3 Control puts the account in the host name of AWS's endpoint, and keeps an overridden one.
TEST(Posture, AccountPublicAccessBlockRequest) {
  for (bool custom : {false, true}) {
    auto transport = std::make_shared<aws::FakeTransport>();
    transport->Push(200, "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
                         "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy>"
                         "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
    transport->Push(404, "<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code>"
                         "<Message>none</Message></Error></ErrorResponse>");
    aws::ClientConfig config{.region = "eu-west-1",
                             .credentials = std::make_shared<aws::StaticCredentialProvider>(
                                 aws::Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "test"}),
                             .transport = transport,
                             .endpoints = aws::EndpointOverrides{}};
    if (custom) config.endpoints->all = "http://127.0.0.1:5000";
    aws::AwsClient client(config);
    auto pab = aws::s3control::GetPublicAccessBlock(client, "111111111111");
    ASSERT_TRUE(pab) << pab.error().Describe();
    EXPECT_TRUE(pab->block_public_acls);
    EXPECT_FALSE(pab->block_public_policy);
    auto missing = aws::s3control::GetPublicAccessBlock(client, "111111111111");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    auto sent = transport->requests().front();
    EXPECT_EQ(sent.url, custom ? "http://127.0.0.1:5000/v20180820/configuration/publicAccessBlock"
                               : "https://111111111111.s3-control.eu-west-1.amazonaws.com/v20180820/configuration/publicAccessBlock");
    EXPECT_EQ(aws::FindHeader(sent.headers, "x-amz-account-id").value_or(""), "111111111111");
    EXPECT_NE(aws::FindHeader(sent.headers, "Authorization").value_or("").find("/eu-west-1/s3/aws4_request"),
              std::string::npos);
  }
  auto transport = std::make_shared<aws::FakeTransport>();
  aws::AwsClient client(aws::ClientConfig{.region = "eu-west-1", .transport = transport});
  EXPECT_FALSE(aws::s3control::GetPublicAccessBlock(client, "not-an-account"));
  EXPECT_EQ(transport->request_count(), 0u);
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
