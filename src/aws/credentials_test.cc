#include "aws/credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/profile_file.h"
#include "core/time.h"

namespace cloudward::aws {
namespace {

namespace fs = std::filesystem;

const int64_t kNow = *ParseIsoTime("2024-03-01T12:00:00Z");

class TempHome {
 public:
  TempHome() {
    dir_ = fs::temp_directory_path() / ("cw_aws_home_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(dir_ / ".aws");
  }
  ~TempHome() { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) const {
    std::ofstream(dir_ / rel) << text;
  }
  std::string path() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

std::string StsCredentialsXml(const std::string& action, const std::string& key, const std::string& expiration) {
  return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>" + expiration +
         "</Expiration></Credentials></" + action + "Result></" + action + "Response>";
}

TEST(ProfileFileTest, ParsesOddSpacingCommentsAndSubProperties) {
  const char* text =
      "# leading comment\n"
      "; another\n"
      "[default]\n"
      "region=us-east-1\n"
      "  [ profile   prod ]   # trailing comment\n"
      "Region =  eu-west-1   ; inline\n"
      "role_arn = arn:aws:iam::1:role/x#notacomment\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "\tsignature_version = s3v4\n"
      "[sso-session corp]\n"
      "sso_region = us-east-1\n"
      "[bare]\n"
      "ignored = yes\n"
      "this line is broken\n";
  ProfileFile f = ParseProfileFile(text, ProfileFileKind::kConfig, "config");
  ASSERT_TRUE(f.Find("default"));
  EXPECT_EQ(f.Find("default")->at("region"), "us-east-1");
  const Profile* prod = f.Find("prod");
  ASSERT_TRUE(prod);
  EXPECT_EQ(prod->at("region"), "eu-west-1");
  EXPECT_EQ(prod->at("role_arn"), "arn:aws:iam::1:role/x#notacomment");
  EXPECT_EQ(prod->at("s3.max_concurrent_requests"), "20");
  EXPECT_EQ(prod->at("s3.signature_version"), "s3v4");
  EXPECT_FALSE(f.Find("bare"));       // config files need "profile "
  EXPECT_FALSE(f.Find("corp"));
  ASSERT_EQ(f.problems.size(), 1u);   // the broken line, in an ignored section, still reported
  EXPECT_EQ(f.problems[0].line, 15);

  ProfileFile c = ParseProfileFile("[bare]\naws_access_key_id=AK\nkey before\n[unclosed\n", ProfileFileKind::kCredentials, "creds");
  EXPECT_EQ(c.Find("bare")->at("aws_access_key_id"), "AK");
  EXPECT_EQ(c.problems.size(), 2u);
  ProfileFile orphan = ParseProfileFile("a = b\n", ProfileFileKind::kCredentials, "creds");
  ASSERT_EQ(orphan.problems.size(), 1u);
  EXPECT_EQ(orphan.problems[0].reason, "property before any section");
}

TEST(CredentialChainTest, EnvironmentWinsOverProfiles) {
  TempHome home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  auto chain = DefaultCredentialChain({.env = MapEnv({{"HOME", home.path()}, {"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                                      {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}, {"AWS_SESSION_TOKEN", "ENVTOKEN"}}),
                                       .clock = std::make_shared<FakeClock>(kNow)});
  auto c = chain->Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ENVKEY");
  EXPECT_EQ(c->session_token, "ENVTOKEN");
  EXPECT_EQ(c->provider, "environment");
}

TEST(CredentialChainTest, SharedFilesWithSelectedProfileAndCustomPaths) {
  TempHome home;
  home.Write("creds", "[default]\naws_access_key_id = D\naws_secret_access_key = DS\n[dev]\naws_access_key_id = DEV\naws_secret_access_key = DEVS\n");
  home.Write("cfg", "[profile dev]\nregion = ap-south-1\n");
  auto env = MapEnv({{"HOME", "/nonexistent"}, {"AWS_SHARED_CREDENTIALS_FILE", home.path() + "/creds"},
                     {"AWS_CONFIG_FILE", home.path() + "/cfg"}, {"AWS_PROFILE", "dev"}});
  auto c = DefaultCredentialChain({.env = env, .clock = std::make_shared<FakeClock>(kNow)})->Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "DEV");
  EXPECT_EQ(c->provider, "profile:dev");
  EXPECT_EQ(ResolveRegion(env, ""), "ap-south-1");
  EXPECT_EQ(ResolveRegion(MapEnv({{"AWS_DEFAULT_REGION", "sa-east-1"}}), ""), "sa-east-1");
  EXPECT_EQ(ResolveRegion(MapEnv({{"AWS_REGION", "eu-north-1"}, {"AWS_DEFAULT_REGION", "sa-east-1"}}), ""), "eu-north-1");
}

TEST(CredentialChainTest, MissingExplicitProfileIsAnErrorNotAFallThrough) {
  TempHome home;
  auto c = DefaultCredentialChain({.env = MapEnv({{"HOME", home.path()}, {"AWS_PROFILE", "nope"}}),
                                   .clock = std::make_shared<FakeClock>(kNow)})->Fetch();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
}

TEST(CredentialChainTest, NothingConfiguredIsNotFoundAndImdsCanBeDisabled) {
  TempHome home;
  auto transport = std::make_shared<FakeTransport>();
  auto c = DefaultCredentialChain({.env = MapEnv({{"HOME", home.path()}, {"AWS_EC2_METADATA_DISABLED", "TRUE"}}),
                                   .transport = transport, .clock = std::make_shared<FakeClock>(kNow)})->Fetch();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
  EXPECT_NE(c.error().message.find("imds: disabled"), std::string::npos);
  EXPECT_EQ(transport->request_count(), 0u);
}

TEST(CredentialChainTest, AssumeRoleWithSourceProfileAndExternalId) {
  TempHome home;
  home.Write(".aws/credentials", "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = BASESECRET\n");
  home.Write(".aws/config",
             "[profile ir]\nrole_arn = arn:aws:iam::123:role/IR\nsource_profile = base\nexternal_id = ext-1\n"
             "role_session_name = incident\nduration_seconds = 900\nregion = eu-west-1\n");
  auto transport = std::make_shared<FakeTransport>();
  transport->Push(200, StsCredentialsXml("AssumeRole", "ASIAROLE", "2024-03-01T13:00:00Z"));
  auto clock = std::make_shared<FakeClock>(kNow);
  auto chain = DefaultCredentialChain({.env = MapEnv({{"HOME", home.path()}}), .transport = transport, .clock = clock, .profile = "ir"});
  auto c = chain->Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAROLE");
  EXPECT_EQ(c->expiration_ms, *ParseIsoTime("2024-03-01T13:00:00Z"));
  auto req = transport->requests().at(0);
  EXPECT_EQ(req.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_NE(req.body.find("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123%3Arole%2FIR&RoleSessionName=incident"), std::string::npos);
  EXPECT_NE(req.body.find("ExternalId=ext-1"), std::string::npos);
  EXPECT_NE(req.body.find("DurationSeconds=900"), std::string::npos);
  EXPECT_NE(FindHeader(req.headers, "Authorization")->find("Credential=BASEKEY/"), std::string_view::npos);

  // Cached until 5 minutes before expiry, then refreshed.
  clock->Advance(50 * 60 * 1000);
  ASSERT_TRUE(chain->Fetch());
  EXPECT_EQ(transport->request_count(), 1u);
  clock->Advance(6 * 60 * 1000);
  transport->Push(200, StsCredentialsXml("AssumeRole", "ASIAROLE2", "2024-03-01T14:00:00Z"));
  auto refreshed = chain->Fetch();
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->access_key_id, "ASIAROLE2");
  EXPECT_EQ(transport->request_count(), 2u);
}

TEST(CredentialChainTest, AssumeRoleFailureStopsTheChainWithTheStsError) {
  TempHome home;
  home.Write(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n");
  auto transport = std::make_shared<FakeTransport>();
  transport->Push(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>sts-rid</RequestId></ErrorResponse>");
  // Environment keys exist but the default chain uses them directly first; use the profile alone.
  ProfileCredentialProvider provider({.env = MapEnv({{"HOME", home.path()}, {"AWS_ACCESS_KEY_ID", "E"}, {"AWS_SECRET_ACCESS_KEY", "ES"}}),
                                      .transport = transport, .clock = std::make_shared<FakeClock>(kNow)});
  auto c = provider.Fetch();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kAccessDenied);
  EXPECT_NE(c.error().message.find("sts-rid"), std::string::npos);
}

TEST(CredentialChainTest, SourceProfileCycleIsReported) {
  TempHome home;
  home.Write(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
                            "[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n");
  ProfileCredentialProvider provider({.env = MapEnv({{"HOME", home.path()}}), .transport = std::make_shared<FakeTransport>(),
                                      .clock = std::make_shared<FakeClock>(kNow), .profile = "a"});
  auto c = provider.Fetch();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("cycle"), std::string::npos);
}

TEST(CredentialChainTest, WebIdentityFromEnvironment) {
  TempHome home;
  home.Write("token", "eyJ.token.sig\n");
  auto transport = std::make_shared<FakeTransport>();
  transport->Push(200, StsCredentialsXml("AssumeRoleWithWebIdentity", "ASIAWEB", "2024-03-01T13:00:00Z"));
  WebIdentityCredentialProvider provider({.env = MapEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", home.path() + "/token"},
                                                         {"AWS_ROLE_ARN", "arn:aws:iam::1:role/W"}, {"AWS_REGION", "us-west-2"}}),
                                          .transport = transport, .clock = std::make_shared<FakeClock>(kNow)});
  auto c = provider.Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAWEB");
  auto req = transport->requests().at(0);
  EXPECT_FALSE(FindHeader(req.headers, "Authorization"));  // unsigned call
  EXPECT_NE(req.body.find("WebIdentityToken=eyJ.token.sig&"), std::string::npos);
  EXPECT_EQ(req.url, "https://sts.us-west-2.amazonaws.com/");
}

TEST(CredentialChainTest, CredentialProcessVersion1) {
  TempHome home;
  home.Write(".aws/config",
             "[default]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": \"PROC\", \"SecretAccessKey\": \"PS\", "
             "\"SessionToken\": \"PT\", \"Expiration\": \"2024-03-01T13:00:00Z\"}'\n"
             "[profile bad]\ncredential_process = printf '{\"Version\": 2}'\n"
             "[profile failing]\ncredential_process = sh -c 'exit 3'\n");
  auto env = MapEnv({{"HOME", home.path()}});
  auto c = ProfileCredentialProvider({.env = env}).Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "PROC");
  EXPECT_EQ(c->session_token, "PT");
  EXPECT_TRUE(c->expiration_ms);
  auto bad = ProfileCredentialProvider({.env = env, .profile = "bad"}).Fetch();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  auto failing = ProfileCredentialProvider({.env = env, .profile = "failing"}).Fetch();
  ASSERT_FALSE(failing);
  EXPECT_NE(failing.error().message.find("status 3"), std::string::npos);
}

TEST(CredentialChainTest, ContainerCredentialsWithTokenFile) {
  TempHome home;
  home.Write("auth", "Bearer abc\n");
  auto transport = std::make_shared<FakeTransport>();
  transport->Push(200, R"({"AccessKeyId":"CONT","SecretAccessKey":"CS","Token":"CT","Expiration":"2024-03-01T18:00:00Z"})");
  ContainerCredentialProvider provider({.env = MapEnv({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9911/creds"},
                                                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", home.path() + "/auth"}}),
                                        .transport = transport});
  auto c = provider.Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->session_token, "CT");
  auto req = transport->requests().at(0);
  EXPECT_EQ(req.url, "http://127.0.0.1:9911/creds");
  EXPECT_EQ(FindHeader(req.headers, "Authorization").value_or(""), "Bearer abc");

  ContainerCredentialProvider remote({.env = MapEnv({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}),
                                      .transport = transport});
  EXPECT_EQ(remote.Fetch().error().code, ErrorCode::kInvalidArgument);

  ContainerCredentialProvider relative({.env = MapEnv({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds/x"}}),
                                        .transport = transport});
  transport->Push(200, R"({"AccessKeyId":"REL","SecretAccessKey":"RS","Token":"RT"})");
  ASSERT_TRUE(relative.Fetch());
  EXPECT_EQ(transport->requests().at(1).url, "http://169.254.170.2/v2/creds/x");
}

TEST(CredentialChainTest, ImdsV2TokenThenRoleCredentials) {
  auto transport = std::make_shared<FakeTransport>();
  transport->Push(200, "imds-token");
  transport->Push(200, "my-role\n");
  transport->Push(200, R"({"Code":"Success","AccessKeyId":"IMDS","SecretAccessKey":"IS","Token":"IT","Expiration":"2024-03-01T18:00:00Z"})");
  ImdsCredentialProvider provider({.env = MapEnv({}), .transport = transport});
  auto c = provider.Fetch();
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->access_key_id, "IMDS");
  auto reqs = transport->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].url, "http://169.254.169.254/latest/api/token");
  EXPECT_EQ(reqs[0].timeout_ms, 1000);
  EXPECT_EQ(FindHeader(reqs[2].headers, "X-aws-ec2-metadata-token").value_or(""), "imds-token");
  EXPECT_EQ(reqs[2].url, "http://169.254.169.254/latest/meta-data/iam/security-credentials/my-role");

  auto offline = std::make_shared<FakeTransport>();
  offline->Push(Fail(ErrorCode::kTimeout, "connect timed out"));
  auto none = ImdsCredentialProvider({.env = MapEnv({}), .transport = offline}).Fetch();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);  // off EC2: the chain just moves on
}

TEST(CredentialChainTest, ConcurrentFetchesShareOneRefresh) {
  auto transport = std::make_shared<FakeTransport>();
  transport->SetHandler([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{200, {}, StsCredentialsXml("AssumeRoleWithWebIdentity", "ASIA", "2024-03-01T13:00:00Z")};
  });
  TempHome home;
  home.Write("token", "t");
  auto chain = std::make_shared<CredentialChain>(
      std::vector<std::shared_ptr<CredentialProvider>>{std::make_shared<WebIdentityCredentialProvider>(
          CredentialContext{.env = MapEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", home.path() + "/token"}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/W"}}),
                            .transport = transport, .clock = std::make_shared<FakeClock>(kNow)})},
      std::make_shared<FakeClock>(kNow));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { EXPECT_TRUE(chain->Fetch()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(transport->request_count(), 1u);
}

}  // namespace
}  // namespace cloudward::aws
