#include "analyze/blast_radius.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace cloudward::analyze {
namespace {

// A small account: alice (developer group, PassRole on app roles, may assume Deployer), bob
// (read-only, boundary), Deployer (trusts the account, can assume Admin), Admin
// (AdministratorAccess, trusts Deployer only), AppRole (trusted by EC2, admin).
constexpr const char* kSnapshot = R"json({
  "UserDetailList": [
    {"UserName": "alice", "Arn": "arn:aws:iam::111122223333:user/alice", "GroupList": ["developers"],
     "UserPolicyList": [{"PolicyName": "pass-app",
       "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22iam%3APassRole%22%5D%2C%22Resource%22%3A%22arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FApp*%22%7D%5D%7D"}],
     "AttachedManagedPolicies": [{"PolicyName": "assume-deployer", "PolicyArn": "arn:aws:iam::111122223333:policy/assume-deployer"}]},
    {"UserName": "bob", "Arn": "arn:aws:iam::111122223333:user/bob", "GroupList": [],
     "UserPolicyList": [{"PolicyName": "everything", "PolicyDocument": {"Version": "2012-10-17",
       "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}],
     "AttachedManagedPolicies": [],
     "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/read-only-boundary"}},
    {"UserName": "carol", "Arn": "arn:aws:iam::111122223333:user/carol", "GroupList": [],
     "UserPolicyList": [{"PolicyName": "iam-but-not-keys", "PolicyDocument": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                     {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"},
                     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}}],
     "AttachedManagedPolicies": []}
  ],
  "GroupDetailList": [
    {"GroupName": "developers", "Arn": "arn:aws:iam::111122223333:group/developers",
     "GroupPolicyList": [{"PolicyName": "ec2", "PolicyDocument": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:Describe*"], "Resource": "*"}]}}],
     "AttachedManagedPolicies": []}
  ],
  "RoleDetailList": [
    {"RoleName": "Deployer", "Arn": "arn:aws:iam::111122223333:role/Deployer",
     "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]},
     "RolePolicyList": [{"PolicyName": "assume-admin", "PolicyDocument": {"Version": "2012-10-17",
       "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/Admin"}]}}],
     "AttachedManagedPolicies": [], "InstanceProfileList": []},
    {"RoleName": "Admin", "Arn": "arn:aws:iam::111122223333:role/Admin",
     "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
       "Principal": {"AWS": "arn:aws:iam::111122223333:role/Deployer"}, "Action": "sts:AssumeRole"}]},
     "RolePolicyList": [],
     "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
     "InstanceProfileList": []},
    {"RoleName": "AppRole", "Arn": "arn:aws:iam::111122223333:role/AppRole",
     "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
       "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
     "RolePolicyList": [],
     "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
     "InstanceProfileList": [{"InstanceProfileName": "AppRole"}]}
  ],
  "Policies": [
    {"PolicyName": "assume-deployer", "Arn": "arn:aws:iam::111122223333:policy/assume-deployer", "DefaultVersionId": "v2",
     "PolicyVersionList": [
       {"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
       {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/Deployer"}]}}]},
    {"PolicyName": "read-only-boundary", "Arn": "arn:aws:iam::111122223333:policy/read-only-boundary", "DefaultVersionId": "v1",
     "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}}]}
  ]
})json";

IamSnapshot Snap() {
  auto snap = IamSnapshot::Parse(kSnapshot);
  EXPECT_TRUE(snap) << snap.error().message;
  return std::move(*snap);
}

template <typename T, typename F>
bool Has(const std::vector<T>& v, F pred) {
  return std::any_of(v.begin(), v.end(), pred);
}

TEST(IamPolicy, Wildcards) {
  EXPECT_TRUE(WildcardMatch("iam:Create*", "iam:CreateUser", true));
  EXPECT_TRUE(WildcardMatch("IAM:createuser", "iam:CreateUser", true)) << "actions ignore case";
  EXPECT_FALSE(WildcardMatch("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", false)) << "resources do not";
  EXPECT_TRUE(WildcardMatch("arn:aws:iam::*:role/App?ole", "arn:aws:iam::1:role/AppRole", false));
  EXPECT_FALSE(WildcardMatch("s3:Get*", "s3:PutObject", true));
}

TEST(IamPolicy, ParsesEncodedDocumentsAndRejectsBadOnes) {
  auto doc = ParsePolicyDocument(nlohmann::json("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"), "p");
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->statements.size(), 1u);
  EXPECT_EQ(Evaluate({&*doc}, "s3:GetObject", "arn:aws:s3:::b/k"), Decision::kAllow);
  auto bad = ParsePolicyDocument(nlohmann::json::parse(R"({"Statement": [{"Effect": "Maybe", "Action": "*"}]})"), "q");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("Effect"), std::string::npos);
  EXPECT_FALSE(IamSnapshot::Parse("{\"not\": 1}"));
  EXPECT_FALSE(IamSnapshot::Parse("[1,2"));
}

TEST(BlastRadius, UserThroughGroupsManagedPoliciesAndRoleChains) {
  IamSnapshot snap = Snap();
  EXPECT_TRUE(snap.warnings.empty()) << snap.warnings.front();
  auto r = ComputeBlastRadius(snap, "alice");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->admin) << "the v1 version of assume-deployer is not the default";
  EXPECT_TRUE(Has(r->sensitive, [](const ActionReach& a) { return a.action == "ec2:RunInstances"; }))
      << "from the developers group";
  ASSERT_EQ(r->assumable_roles.size(), 2u);
  EXPECT_EQ(r->assumable_roles[0].role_arn, "arn:aws:iam::111122223333:role/Deployer");
  EXPECT_EQ(r->assumable_roles[1].role_arn, "arn:aws:iam::111122223333:role/Admin");
  EXPECT_TRUE(r->assumable_roles[1].admin);
  EXPECT_EQ(r->assumable_roles[1].via, std::vector<std::string>{"arn:aws:iam::111122223333:role/Deployer"});
  ASSERT_EQ(r->passable_roles.size(), 1u) << "only App* roles may be passed";
  EXPECT_EQ(r->passable_roles[0].service, "ec2.amazonaws.com");
  EXPECT_TRUE(r->passable_roles[0].can_launch);
  EXPECT_TRUE(Has(r->escalation_paths, [](const EscalationPath& e) {
    return e.name == "PassRole+EC2" && e.targets.size() == 1 && e.targets[0].find("AppRole (admin)") != std::string::npos;
  }));
  EXPECT_FALSE(Has(r->escalation_paths, [](const EscalationPath& e) { return e.name == "PassRole+Lambda"; }));
}

TEST(BlastRadius, BoundaryCapsEverything) {
  auto r = ComputeBlastRadius(Snap(), "arn:aws:iam::111122223333:user/bob");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->admin) << "Allow * is capped by a read-only boundary";
  EXPECT_EQ(r->boundary, "arn:aws:iam::111122223333:policy/read-only-boundary");
  EXPECT_TRUE(Has(r->sensitive, [](const ActionReach& a) { return a.action == "s3:GetObject"; }));
  EXPECT_FALSE(Has(r->sensitive, [](const ActionReach& a) { return a.action == "iam:CreateUser"; }));
  EXPECT_TRUE(r->escalation_paths.empty());
  EXPECT_TRUE(r->assumable_roles.empty()) << "the boundary does not allow sts:AssumeRole";
}

TEST(BlastRadius, ExplicitDenyAndConditions) {
  auto r = ComputeBlastRadius(Snap(), "carol");
  ASSERT_TRUE(r);
  EXPECT_FALSE(Has(r->sensitive, [](const ActionReach& a) { return a.action == "iam:CreateAccessKey"; }));
  EXPECT_FALSE(Has(r->escalation_paths, [](const EscalationPath& e) { return e.name == "CreateAccessKey"; }));
  EXPECT_TRUE(Has(r->escalation_paths, [](const EscalationPath& e) { return e.name == "CreatePolicyVersion"; }));
  EXPECT_TRUE(Has(r->sensitive, [](const ActionReach& a) { return a.action == "s3:GetObject" && a.conditional; }));
}

TEST(BlastRadius, RolesAndSessions) {
  IamSnapshot snap = Snap();
  auto r = ComputeBlastRadius(snap, "arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->principal_arn, "arn:aws:iam::111122223333:role/Deployer");
  ASSERT_EQ(r->assumable_roles.size(), 1u);
  EXPECT_TRUE(r->assumable_roles[0].admin);
  auto admin = ComputeBlastRadius(snap, "Admin");
  ASSERT_TRUE(admin);
  EXPECT_TRUE(admin->admin) << "AdministratorAccess is known even when the snapshot omits AWS policies";
  auto missing = ComputeBlastRadius(snap, "mallory");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cloudward::analyze
