// The pure decisions of the response actions, and the plan's JSON round trip.
#include <gtest/gtest.h>

#include <algorithm>

#include "respond/action.h"
#include "core/time.h"
#include "respond/created_iam.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

TEST(TargetValidation, AccessKeyIds) {
  EXPECT_TRUE(ValidAccessKeyId("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_TRUE(ValidAccessKeyId("ASIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(ValidAccessKeyId("akiaiosfodnn7example"));
  EXPECT_FALSE(ValidAccessKeyId("AKIA"));
  EXPECT_FALSE(ValidAccessKeyId("AKIA IOSFODNN7EXAMPLE"));
  EXPECT_FALSE(ValidAccessKeyId(""));
}

TEST(TargetValidation, InstanceIdsAndBuckets) {
  EXPECT_TRUE(ValidInstanceId("i-0123456789abcdef0"));
  EXPECT_TRUE(ValidInstanceId("i-01234567"));
  EXPECT_FALSE(ValidInstanceId("i-0123456789ABCDEF0"));
  EXPECT_FALSE(ValidInstanceId("vol-0123456789abcdef0"));
  EXPECT_FALSE(ValidInstanceId("i-"));
  EXPECT_TRUE(ValidSnapshotId("snap-0123456789abcdef0"));
  EXPECT_FALSE(ValidSnapshotId("snap-xyz"));
  EXPECT_FALSE(ValidSnapshotId("ami-0123456789abcdef0"));
  EXPECT_TRUE(ValidImageId("ami-01234567"));
  EXPECT_FALSE(ValidImageId("ami-"));
  EXPECT_FALSE(ValidImageId("i-01234567"));
  EXPECT_TRUE(ValidBucketName("my.bucket-1"));
  EXPECT_FALSE(ValidBucketName("My_Bucket"));
  EXPECT_FALSE(ValidBucketName("ab"));
  EXPECT_FALSE(ValidBucketName("-bucket"));
  EXPECT_FALSE(ValidBucketName("../etc"));
}

TEST(AccessKeyRestore, ReactivatesOnlyAnInactiveKeyThatWasActive) {
  auto inactive = AccessKeyRestore("Active", "Inactive");
  ASSERT_TRUE(inactive);
  EXPECT_EQ(inactive->value_or(""), "Active");
  auto already = AccessKeyRestore("Active", "Active");
  ASSERT_TRUE(already);
  EXPECT_FALSE(already->has_value());
  auto deleted = AccessKeyRestore("Active", "");
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(AccessKeyRestore("Inactive", "Inactive"));
}

TEST(Isolation, OnlyInterfacesNotExactlyInQuarantineChange) {
  std::vector<InterfaceGroups> now = {{"eni-1", {"sg-web", "sg-ssh"}}, {"eni-2", {"sg-q"}}, {"eni-3", {"sg-q", "sg-x"}}};
  auto todo = InterfacesToIsolate(now, "sg-q");
  ASSERT_EQ(todo.size(), 2u);
  EXPECT_EQ(todo[0], now[0]);
  EXPECT_EQ(todo[1], now[2]);
  EXPECT_TRUE(InterfacesToIsolate({{"eni-2", {"sg-q"}}}, "sg-q").empty());
}

TEST(Isolation, RestoreSkipsRestoredInterfacesAndRefusesChangedOnes) {
  std::vector<InterfaceGroups> prior = {{"eni-1", {"sg-web", "sg-ssh"}}, {"eni-2", {"sg-db"}}};
  auto restore = InterfacesToRestore(prior, {{"eni-1", {"sg-q"}}, {"eni-2", {"sg-db"}}}, "sg-q");
  ASSERT_TRUE(restore) << restore.error().message;
  ASSERT_EQ(restore->size(), 1u);
  EXPECT_EQ((*restore)[0], prior[0]);
  // Order of the prior groups does not matter for "already restored".
  auto reordered = InterfacesToRestore(prior, {{"eni-1", {"sg-ssh", "sg-web"}}, {"eni-2", {"sg-db"}}}, "sg-q");
  ASSERT_TRUE(reordered);
  EXPECT_TRUE(reordered->empty());

  auto changed = InterfacesToRestore(prior, {{"eni-1", {"sg-q"}}, {"eni-2", {"sg-new"}}}, "sg-q");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
  EXPECT_NE(changed.error().message.find("eni-2 now has groups sg-new"), std::string::npos);
  auto gone = InterfacesToRestore(prior, {{"eni-1", {"sg-q"}}}, "sg-q");
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().message.find("eni-2 no longer exists"), std::string::npos);
}

TEST(PublicAccessBlock, RestoreDecisions) {
  aws::s3::PublicAccessBlock all;  // every flag true
  aws::s3::PublicAccessBlock partial{true, false, true, false};
  EXPECT_TRUE(FullyBlocked(all));
  EXPECT_FALSE(FullyBlocked(partial));
  EXPECT_EQ(Describe(partial), "BlockPublicAcls=true, IgnorePublicAcls=false, BlockPublicPolicy=true, RestrictPublicBuckets=false");

  EXPECT_EQ(*PublicAccessBlockRestore(std::nullopt, all), PublicAccessRestore::kDelete);
  EXPECT_EQ(*PublicAccessBlockRestore(partial, all), PublicAccessRestore::kPut);
  EXPECT_EQ(*PublicAccessBlockRestore(std::nullopt, std::nullopt), PublicAccessRestore::kNothing);
  EXPECT_EQ(*PublicAccessBlockRestore(partial, partial), PublicAccessRestore::kNothing);
  auto changed = PublicAccessBlockRestore(std::nullopt, aws::s3::PublicAccessBlock{false, false, false, false});
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
}

TEST(PlanJson, RoundTripsThroughTheStore) {
  Plan plan{.kind = "isolate-instance", .target = "i-01234567", .incident_id = "INC-1", .summary = "s"};
  plan.prior_state = {{"instance_id", "i-01234567"}};
  plan.calls.push_back({"ec2:CreateSecurityGroup", {{"VpcId", "vpc-1"}}, "create", "quarantine_group"});
  plan.notes.push_back("n");
  auto back = Plan::FromJson(plan.ToJson());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->ToJson(), plan.ToJson());
  EXPECT_FALSE(back->no_op());
  EXPECT_FALSE(Plan::FromJson(nlohmann::json::array()));
  EXPECT_FALSE(Plan::FromJson({{"calls", {{{"parameters", 1}}}}}));
}

TEST(Registry, EveryActionDeclaresItsPermissions) {
  std::vector<std::string> all;
  for (const Action* a : Actions()) {
    auto p = PermissionsOf(a->Kind());
    EXPECT_FALSE(p.read.empty()) << a->Kind();
    EXPECT_FALSE(p.write.empty()) << a->Kind();
    all.emplace_back(a->Kind());
  }
  auto policy = PermissionsPolicy(all);
  ASSERT_EQ(policy["Statement"].size(), 2u);
  auto writes = policy["Statement"][1]["Action"];
  EXPECT_NE(std::find(writes.begin(), writes.end(), "iam:UpdateAccessKey"), writes.end());
  EXPECT_EQ(PermissionsPolicy(all, /*read_only=*/true)["Statement"].size(), 1u);
  EXPECT_TRUE(PermissionsPolicy({"no-such-action"})["Statement"].empty());
}

TEST(Registry, FindsActionsByKind) {
  ASSERT_NE(FindAction("deactivate-access-key"), nullptr);
  EXPECT_EQ(FindAction("deactivate-access-key")->Kind(), "deactivate-access-key");
  EXPECT_EQ(FindAction("no-such-action"), nullptr);
}

TEST(Principal, ParsesArnsAndNames) {
  auto role = ParsePrincipal("arn:aws:iam::123456789012:role/service/web-app");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->kind, "role");
  EXPECT_EQ(role->name, "web-app");
  auto session = ParsePrincipal("arn:aws:sts::123456789012:assumed-role/web-app/i-0abc");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->kind, "role");
  EXPECT_EQ(session->name, "web-app");
  auto user = ParsePrincipal("arn:aws-us-gov:iam::123456789012:user/alice");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->kind, "user");
  EXPECT_EQ(user->name, "alice");
  auto bare = ParsePrincipal("ci-deployer");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->kind, "");
  EXPECT_FALSE(ParsePrincipal(""));
  EXPECT_FALSE(ParsePrincipal("arn:aws:s3:::bucket"));
  EXPECT_FALSE(ParsePrincipal("arn:aws:iam::1:group/admins"));
  EXPECT_FALSE(ParsePrincipal("bad name with spaces"));
  EXPECT_FALSE(ParsePrincipal("arn:aws:iam"));
}

TEST(Principal, RevocationPolicyRoundTripsItsTime) {
  int64_t t = *ParseIsoTime("2026-11-29T04:05:06.789Z");
  std::string doc = RevokeSessionsPolicy(t);
  auto at = RevocationTime(doc);
  ASSERT_TRUE(at);
  EXPECT_EQ(*at, t - 789);  // whole seconds
  EXPECT_NE(doc.find("aws:TokenIssueTime"), std::string::npos);
  EXPECT_FALSE(RevocationTime(DenyAllPolicy()));
  EXPECT_FALSE(RevocationTime("not json"));
  EXPECT_TRUE(SamePolicy(DenyAllPolicy(), nlohmann::json::parse(DenyAllPolicy()).dump(2)));
  EXPECT_FALSE(SamePolicy(DenyAllPolicy(), doc));
}

TEST(BlockIp, NormalizesAddressesAndRefusesEverything) {
  EXPECT_EQ(*NormalizeCidr("203.0.113.7"), "203.0.113.7/32");
  EXPECT_EQ(*NormalizeCidr("203.0.113.7/24"), "203.0.113.0/24");
  EXPECT_EQ(*NormalizeCidr("2001:db8::1"), "2001:db8::1/128");
  EXPECT_EQ(*NormalizeCidr("2001:db8::1/32"), "2001:db8::/32");
  EXPECT_FALSE(NormalizeCidr("0.0.0.0/0"));
  EXPECT_FALSE(NormalizeCidr("::/0"));
  EXPECT_FALSE(NormalizeCidr("203.0.113.300"));
  EXPECT_FALSE(NormalizeCidr("10.0.0.1/33"));
  EXPECT_FALSE(NormalizeCidr("10.0.0.1/"));
  EXPECT_FALSE(NormalizeCidr("example.com"));
}

TEST(BlockIp, PicksARuleNumberBeforeTheFirstAllow) {
  using E = aws::ec2::NetworkAclEntry;
  std::vector<E> entries = {{100, false, "-1", "allow", "0.0.0.0/0"}, {32767, false, "-1", "deny", "0.0.0.0/0"},
                            {1, true, "-1", "deny", "198.51.100.1/32"}, {100, true, "-1", "allow", "0.0.0.0/0"}};
  EXPECT_EQ(FreeRuleNumber(entries, false), 1);
  EXPECT_EQ(FreeRuleNumber(entries, true), 2);
  EXPECT_EQ(FirstAllow(entries, false), 100);
  EXPECT_EQ(EffectiveDeny(entries, true, "198.51.100.1/32"), 1);
  EXPECT_EQ(EffectiveDeny(entries, false, "198.51.100.1/32"), std::nullopt);
  // A deny numbered after an allow does not take effect.
  entries.push_back({200, false, "-1", "deny", "203.0.113.7/32"});
  EXPECT_EQ(EffectiveDeny(entries, false, "203.0.113.7/32"), std::nullopt);
}

TEST(BucketPolicyCleanup, DropsPublicAndForeignGrantsKeepsTheRest) {
  const std::string policy = R"({"Version":"2012-10-17","Statement":[
    {"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
    {"Sid":"PublicFromVpc","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
     "Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}},
    {"Sid":"Mixed","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::123456789012:role/app"]},
     "Action":"s3:*","Resource":"*"},
    {"Sid":"Foreign","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:*","Resource":"*"},
    {"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"},
    {"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}]})";
  auto cleanup = WithoutPublicStatements(policy, "123456789012");
  ASSERT_TRUE(cleanup) << cleanup.error().message;
  ASSERT_EQ(cleanup->removed.size(), 3u);
  EXPECT_EQ(cleanup->kept_conditional, std::vector<std::string>{"statement PublicFromVpc"});
  ASSERT_TRUE(cleanup->policy.has_value());
  auto kept = nlohmann::json::parse(*cleanup->policy);
  std::vector<std::string> sids;
  for (const auto& st : kept["Statement"]) sids.push_back(st["Sid"]);
  EXPECT_EQ(sids, (std::vector<std::string>{"PublicFromVpc", "Mixed", "Logs", "DenyAll"}));
  EXPECT_EQ(kept["Statement"][1]["Principal"]["AWS"], "arn:aws:iam::123456789012:role/app");

  auto only_public = WithoutPublicStatements(
      R"({"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:*","Resource":"*"}})", "123456789012");
  ASSERT_TRUE(only_public);
  EXPECT_TRUE(only_public->changed());
  EXPECT_FALSE(only_public->policy.has_value());  // nothing remains: delete the policy
  auto clean = WithoutPublicStatements(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"*"}]})",
      "123456789012");
  ASSERT_TRUE(clean);
  EXPECT_FALSE(clean->changed());
  EXPECT_FALSE(WithoutPublicStatements("not json", "123456789012"));
  EXPECT_FALSE(WithoutPublicStatements("[1,2]", "123456789012"));
}

TEST(BucketAcl, RemovesOnlyPublicGroupGrants) {
  const std::string acl =
      R"(<?xml version="1.0" encoding="UTF-8"?><AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      R"(<Owner><ID>abc</ID></Owner><AccessControlList>)"
      R"(<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>)"
      R"(<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>)"
      R"(<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AuthenticatedUsers</URI></Grantee><Permission>WRITE</Permission></Grant>)"
      R"(<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI></Grantee><Permission>WRITE</Permission></Grant>)"
      R"(</AccessControlList></AccessControlPolicy>)";
  std::vector<std::string> removed;
  auto stripped = AclWithoutPublicGrants(acl, &removed);
  ASSERT_TRUE(stripped) << stripped.error().message;
  EXPECT_EQ(removed, (std::vector<std::string>{"AllUsers READ", "AuthenticatedUsers WRITE"}));
  auto grants = AclGrants(*stripped);
  ASSERT_TRUE(grants);
  EXPECT_EQ(*grants, (std::vector<std::string>{"abc FULL_CONTROL", "http://acs.amazonaws.com/groups/s3/LogDelivery WRITE"}));
  EXPECT_NE(stripped->find("xsi:type=\"CanonicalUser\""), std::string::npos);
  EXPECT_FALSE(AclWithoutPublicGrants("<Other/>", &removed));
  EXPECT_FALSE(AclGrants("not xml"));
}

// -- capture-instance-evidence, replace-instance-profile, stop-instance, terminate-instance
TEST(InstanceEvidence, DecodesBase64AndRejectsTheRest) {
  EXPECT_EQ(DecodeBase64("aGVsbG8gd29ybGQ="), "hello world");
  EXPECT_EQ(DecodeBase64("aGVsbG8gd29ybGQ"), "hello world");  // padding optional
  EXPECT_EQ(DecodeBase64("aGVs\nbG8g\r\nd29y bGQ="), "hello world");
  EXPECT_EQ(DecodeBase64("YWI="), "ab");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("AP8="), std::string("\x00\xff", 2));
  EXPECT_FALSE(DecodeBase64("a"));          // one digit cannot carry a byte
  EXPECT_FALSE(DecodeBase64("aGVsbG8*"));   // not base64
  EXPECT_FALSE(DecodeBase64("aA==aA=="));   // data after the padding
  EXPECT_FALSE(DecodeBase64("YQ==="));      // too much padding
  EXPECT_FALSE(DecodeBase64("YWJj="));      // padding where none fits
}

TEST(InstanceEvidence, KeepsTheLastBytesAsValidUtf8WithTheDigestOfAll) {
  auto all = KeepTail("boot ok\n", 1024);
  EXPECT_EQ(all.bytes, 8u);
  EXPECT_EQ(all.kept_bytes, 8u);
  EXPECT_FALSE(all.truncated());
  EXPECT_EQ(all.text, "boot ok\n");
  EXPECT_EQ(all.sha256, "31e032e441c13f51d651d65619bc6ef4b87c05502c98fa42bf985b6a63f3872a");

  // Cut inside the euro sign: the text starts after it; the digest is of all four bytes.
  auto tail = KeepTail("x\xe2\x82\xac", 2);
  EXPECT_EQ(tail.bytes, 4u);
  EXPECT_EQ(tail.sha256, "aa35c1cddb8177dd2f69cbef9d302f80177dd51ca021f1e9f1702ca165629b0e");
  EXPECT_EQ(tail.kept_bytes, 0u);
  EXPECT_TRUE(tail.truncated());
  EXPECT_EQ(tail.text, "");
  EXPECT_EQ(KeepTail("ab\xe2\x82\xac", 3).text, "\xe2\x82\xac");

  // Invalid UTF-8 and control characters become U+FFFD; tab, newline, carriage return stay.
  const std::string kBad = "\xef\xbf\xbd";
  EXPECT_EQ(KeepTail(std::string("a\x00" "b\x1b[0m\t\r\n", 10), 64).text, "a" + kBad + "b" + kBad + "[0m\t\r\n");
  EXPECT_EQ(KeepTail("\xff\xc0\xaf", 64).text, kBad + kBad + kBad);           // not UTF-8, overlong
  EXPECT_EQ(KeepTail("\xed\xa0\x80", 64).text, kBad + kBad + kBad);           // a surrogate
  EXPECT_EQ(KeepTail("\xf0\x9f\x98\x80!", 64).text, "\xf0\x9f\x98\x80!");     // 4-byte kept
  EXPECT_EQ(KeepTail("\xe2\x82", 64).text, kBad + kBad);                      // cut short at the end
  std::string big(100000, 'a');
  auto bounded = KeepTail(big, 64 * 1024);
  EXPECT_EQ(bounded.bytes, 100000u);
  EXPECT_EQ(bounded.text.size(), 64u * 1024u);
  EXPECT_TRUE(bounded.truncated());
}

TEST(InstanceEvidence, VolumesWithoutSnapshots) {
  using V = std::vector<std::string>;
  std::vector<aws::ec2::Snapshot> snapshots = {{"snap-1", "vol-a", "completed", {}},
                                               {"snap-2", "vol-b", "error", {}},
                                               {"snap-3", "vol-c", "pending", {}}};
  EXPECT_EQ(VolumesWithoutSnapshot({"vol-a", "vol-b", "vol-c", "vol-d"}, snapshots), (V{"vol-b", "vol-d"}));
  EXPECT_TRUE(VolumesWithoutSnapshot({}, snapshots).empty());
  EXPECT_EQ(VolumesWithoutSnapshot({"vol-a"}, {}), (V{"vol-a"}));
}

TEST(InstanceProfile, NamesFromArnsAndRestoreDecisions) {
  EXPECT_EQ(InstanceProfileName("arn:aws:iam::123456789012:instance-profile/web"), "web");
  EXPECT_EQ(InstanceProfileName("arn:aws:iam::123456789012:instance-profile/team/a/web"), "web");
  EXPECT_EQ(InstanceProfileName("web"), "web");
  EXPECT_EQ(InstanceProfileName("arn:aws:iam::123456789012:role/web"), "");

  const std::string web = "arn:aws:iam::1:instance-profile/web", q = "arn:aws:iam::1:instance-profile/quarantine";
  EXPECT_EQ(InstanceProfileRestore(web, "", ""), ProfileRestore::kAssociate);
  EXPECT_EQ(InstanceProfileRestore(web, q, q), ProfileRestore::kReplace);
  EXPECT_EQ(InstanceProfileRestore(web, q, ""), ProfileRestore::kAssociate);  // someone removed the quarantine one
  EXPECT_EQ(InstanceProfileRestore(web, "", web), ProfileRestore::kNothing);
  auto other = InstanceProfileRestore(web, q, "arn:aws:iam::1:instance-profile/admin");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_NE(other.error().message.find("admin"), std::string::npos);
  EXPECT_FALSE(InstanceProfileRestore(web, "", q));  // apply removed it; another profile since
}

TEST(InstanceStop, StartsAgainOnlyWhatWasRunningAndIsStopped) {
  EXPECT_EQ(StartAfterStop("running", "stopped"), true);
  EXPECT_EQ(StartAfterStop("running", "running"), false);
  EXPECT_EQ(StartAfterStop("running", "pending"), false);
  EXPECT_EQ(StartAfterStop("stopped", "stopped"), false);
  auto stopping = StartAfterStop("running", "stopping");
  ASSERT_FALSE(stopping);
  EXPECT_EQ(stopping.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(StartAfterStop("running", "terminated"));
  EXPECT_FALSE(StartAfterStop("running", "shutting-down"));
}

TEST(Registry, InstanceLifecycleActionsAreRegisteredWithTheirPermissions) {
  for (const char* kind : {"capture-instance-evidence", "replace-instance-profile", "stop-instance", "terminate-instance"}) {
    ASSERT_NE(FindAction(kind), nullptr) << kind;
  }
  auto has = [](const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  EXPECT_TRUE(has(PermissionsOf("capture-instance-evidence").write, "ec2:GetConsoleOutput"));
  EXPECT_TRUE(has(PermissionsOf("replace-instance-profile").write, "ec2:AssociateIamInstanceProfile"));
  EXPECT_TRUE(has(PermissionsOf("stop-instance").write, "ec2:StartInstances"));
  EXPECT_TRUE(has(PermissionsOf("terminate-instance").write, "ec2:TerminateInstances"));
}

// -- eradicate-created-iam
std::string IamRecord(const std::string& event, const nlohmann::json& request, const nlohmann::json& response,
                      const std::string& time, const std::string& actor = "alice", const std::string& error = "") {
  nlohmann::json r = {{"eventSource", "iam.amazonaws.com"}, {"eventName", event}, {"eventTime", time},
                      {"eventID", "id-" + event},
                      {"userIdentity", {{"type", "IAMUser"}, {"arn", "arn:aws:iam::111122223333:user/" + actor},
                                        {"userName", actor}, {"accessKeyId", "AKIA" + std::string(16, 'A')}}},
                      {"requestParameters", request}, {"responseElements", response},
                      {"recipientAccountId", "111122223333"}};
  if (!error.empty()) r["errorCode"] = error;
  return r.dump();
}

TEST(CreatedIam, SelectsTheSuccessfulCreationsOfThePrincipalInTheWindow) {
  std::vector<std::string> records = {
      IamRecord("CreateUser", {{"userName", "backdoor"}}, nullptr, "2026-11-28T10:00:00Z"),
      IamRecord("CreateAccessKey", {{"userName", "backdoor"}},
                {{"accessKey", {{"accessKeyId", "AKIABACKDOOR00000001"}, {"userName", "backdoor"}}}}, "2026-11-28T10:01:00Z"),
      // CreateAccessKey without userName: a key of the caller.
      IamRecord("CreateAccessKey", nlohmann::json::object(), {{"accessKey", {{"accessKeyId", "AKIAALICE00000000002"}}}},
                "2026-11-28T10:02:00Z"),
      IamRecord("CreatePolicy", {{"policyName", "p1"}, {"path", "/x/"}}, nullptr, "2026-11-28T10:03:00Z"),
      IamRecord("PutRolePolicy", {{"roleName", "web"}, {"policyName", "inline"}}, nullptr, "2026-11-28T10:04:00Z"),
      IamRecord("CreateRole", {{"roleName", "denied"}}, nullptr, "2026-11-28T10:05:00Z", "alice", "AccessDenied"),
      IamRecord("CreateUser", {{"userName", "bobs-user"}}, nullptr, "2026-11-28T10:06:00Z", "bob"),
      IamRecord("CreateUser", {{"userName", "too-late"}}, nullptr, "2026-11-29T10:00:00Z"),
      IamRecord("CreateUser", {{"userName", "backdoor"}}, nullptr, "2026-11-28T10:07:00Z"),  // again: one item
      IamRecord("CreateInstanceProfile", {{"instanceProfileName", "ip"}}, nullptr, "2026-11-28T10:08:00Z"),
      IamRecord("GetUser", {{"userName", "x"}}, nullptr, "2026-11-28T10:09:00Z"),
      "not json",
  };
  CreationQuery query{.principal = "arn:aws:iam::111122223333:user/alice",
                      .since_ms = ParseIsoTime("2026-11-28T00:00:00Z"), .until_ms = ParseIsoTime("2026-11-28T23:59:59Z")};
  auto found = CreatedIamResources(records, query);
  ASSERT_TRUE(found) << found.error().message;
  std::vector<std::string> keys;
  for (const auto& c : found->created) keys.push_back(c.Key());
  EXPECT_EQ(keys, (std::vector<std::string>{"user||backdoor", "access-key|backdoor|AKIABACKDOOR00000001",
                                            "access-key|alice|AKIAALICE00000000002",
                                            "policy||arn:aws:iam::111122223333:policy/x/p1", "role-policy|web|inline"}));
  EXPECT_EQ(found->created[0].event_time, "2026-11-28T10:00:00Z");
  ASSERT_EQ(found->unhandled.size(), 1u);
  EXPECT_NE(found->unhandled[0].find("CreateInstanceProfile"), std::string::npos);
  EXPECT_EQ(found->malformed, 1u);

  // By name, by access key id, and every actor.
  EXPECT_EQ(CreatedIamResources(records, {.principal = "bob"})->created.size(), 1u);
  EXPECT_EQ(CreatedIamResources(records, {.principal = "AKIA" + std::string(16, 'A')})->created.size(), 7u);
  EXPECT_EQ(CreatedIamResources(records, {.principal = "all"})->created.size(), 7u);
  EXPECT_FALSE(CreatedIamResources(records, {.principal = "no such principal!"}));
  EXPECT_TRUE(CreatedIamResources({}, {.principal = "alice"})->created.empty());
}

TEST(CreatedIam, DeletionsRunInDependencyOrderAndRestoresInReverse) {
  auto call = [](const char* op, const char* name) { return ApiCall{op, {{"Name", name}}, "", ""}; };
  std::vector<ApiCall> calls = {call("iam:DeletePolicy", "p"),         call("iam:DeleteUser", "u"),
                                call("iam:DeletePolicyVersion", "p"),  call("iam:DeleteAccessKey", "u"),
                                call("iam:DetachUserPolicy", "u"),     call("iam:DeleteRole", "r"),
                                call("iam:RemoveUserFromGroup", "u"),  call("iam:DeleteLoginProfile", "u"),
                                call("iam:DetachUserPolicy", "u"),     call("iam:DeleteUserPolicy", "u"),
                                call("iam:RemoveRoleFromInstanceProfile", "r"), call("iam:DeactivateMFADevice", "u")};
  OrderIamDeletions(&calls);
  std::vector<std::string> ops;
  for (const auto& c : calls) ops.push_back(c.operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"iam:DetachUserPolicy", "iam:DeleteUserPolicy", "iam:DeleteAccessKey",
                                           "iam:DeleteLoginProfile", "iam:DeactivateMFADevice", "iam:RemoveUserFromGroup",
                                           "iam:RemoveRoleFromInstanceProfile", "iam:DeleteUser", "iam:DeleteRole",
                                           "iam:DeletePolicyVersion", "iam:DeletePolicy"}));  // the duplicate dropped
  std::vector<ApiCall> restores = {call("iam:AttachUserPolicy", "u"), call("iam:PutUserPolicy", "u"),
                                   call("iam:CreateUser", "u"), call("iam:CreatePolicy", "p"),
                                   call("iam:AddUserToGroup", "u")};
  OrderIamRestores(&restores);
  ops.clear();
  for (const auto& c : restores) ops.push_back(c.operation);
  EXPECT_EQ(ops, (std::vector<std::string>{"iam:CreatePolicy", "iam:CreateUser", "iam:PutUserPolicy",
                                           "iam:AttachUserPolicy", "iam:AddUserToGroup"}));
  EXPECT_TRUE(MatchesAnyPattern("ci-*, break-glass", "CI-deployer"));
  EXPECT_TRUE(MatchesAnyPattern("ci-*, break-glass", "break-glass"));
  EXPECT_FALSE(MatchesAnyPattern("ci-*, break-glass", "backdoor"));
  EXPECT_FALSE(MatchesAnyPattern("", "backdoor"));
}

TEST(Registry, EradicationAndRecoveryActionsAreRegisteredWithTheirPermissions) {
  auto has = [](const std::vector<std::string>& v, const char* s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  for (const char* kind : {"eradicate-created-iam", "run-patch-baseline", "restore-from-backup"}) {
    ASSERT_NE(FindAction(kind), nullptr) << kind;
  }
  EXPECT_TRUE(FindAction("eradicate-created-iam")->NeedsIncidentRecords());
  EXPECT_FALSE(FindAction("run-patch-baseline")->NeedsIncidentRecords());
  EXPECT_TRUE(has(PermissionsOf("eradicate-created-iam").write, "iam:DeleteUser"));
  EXPECT_TRUE(has(PermissionsOf("eradicate-created-iam").write, "iam:CreateRole"));
  EXPECT_TRUE(has(PermissionsOf("run-patch-baseline").write, "ssm:SendCommand"));
  EXPECT_TRUE(has(PermissionsOf("restore-from-backup").write, "backup:StartRestoreJob"));
  EXPECT_TRUE(has(PermissionsOf("restore-from-backup").write, "iam:PassRole"));
}

}  // namespace
}  // namespace cloudward::respond
