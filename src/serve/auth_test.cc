#include "serve/auth.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace cloudward::serve {
namespace {

std::string Hex(const TokenAuthenticator::Digest& d) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) out += {kHex[b >> 4], kHex[b & 15]};
  return out;
}

config::ApiToken Token(std::string name, std::string sha, config::ApiRole role) {
  config::ApiToken t;
  t.name = std::move(name);
  t.sha256 = std::move(sha);
  t.role = role;
  return t;
}

TEST(ServeAuth, RolesAllowWhatTheyShould) {
  using config::ApiRole;
  EXPECT_TRUE(Allows(ApiRole::kViewer, Permission::kRead));
  EXPECT_FALSE(Allows(ApiRole::kViewer, Permission::kRespond));
  EXPECT_FALSE(Allows(ApiRole::kViewer, Permission::kIntake));
  EXPECT_TRUE(Allows(ApiRole::kResponder, Permission::kRespond));
  EXPECT_TRUE(Allows(ApiRole::kResponder, Permission::kIntake));
  EXPECT_FALSE(Allows(ApiRole::kResponder, Permission::kAdmin));
  EXPECT_TRUE(Allows(ApiRole::kAdmin, Permission::kAdmin));
}

TEST(ServeAuth, MatchesBearerTokensByDigest) {
  auto auth = TokenAuthenticator::Create(
      {Token("ops", Hex(TokenAuthenticator::Sha256("s3cret")), config::ApiRole::kResponder),
       Token("dash", Hex(TokenAuthenticator::Sha256("view-only")), config::ApiRole::kViewer)});
  ASSERT_TRUE(auth) << auth.error().message;
  auto ops = auth->Authenticate("Bearer s3cret");
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->name, "ops");
  EXPECT_EQ(ops->role, config::ApiRole::kResponder);
  auto dash = auth->Authenticate("bearer   view-only ");
  ASSERT_TRUE(dash);
  EXPECT_EQ(dash->name, "dash");
  EXPECT_FALSE(auth->Authenticate(""));
  EXPECT_FALSE(auth->Authenticate("Bearer "));
  EXPECT_FALSE(auth->Authenticate("Basic czNjcmV0"));
  EXPECT_FALSE(auth->Authenticate("Bearer s3cret2"));
  EXPECT_FALSE(auth->Authenticate("s3cret"));
}

TEST(ServeAuth, ResolvesTokensFromTheEnvironmentAndReportsBadOnes) {
  setenv("CW_SERVE_AUTH_TEST_TOKEN", "from-env", 1);
  config::ApiToken env;
  env.name = "env";
  env.token = config::Secret::Parse("env:CW_SERVE_AUTH_TEST_TOKEN");
  env.role = config::ApiRole::kAdmin;
  auto auth = TokenAuthenticator::Create({env});
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->Authenticate("Bearer from-env")->role, config::ApiRole::kAdmin);

  config::ApiToken missing;
  missing.name = "missing";
  missing.token = config::Secret::Parse("env:CW_SERVE_AUTH_TEST_UNSET");
  auto bad = TokenAuthenticator::Create({missing, Token("short", "abc", config::ApiRole::kViewer)});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'missing'"), std::string::npos);
  EXPECT_NE(bad.error().message.find("'short'"), std::string::npos);
}

}  // namespace
}  // namespace cloudward::serve
