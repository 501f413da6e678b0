// AWS credentials and the providers that find them.
//
//   auto chain = DefaultCredentialChain({.env = ProcessEnv(), .transport = curl, .clock = clock});
//   Result<Credentials> creds = chain->Fetch();   // cached; refreshed 5 min before expiry
//
// Default chain order (as the AWS CLI): environment; web identity from AWS_WEB_IDENTITY_TOKEN_FILE
// + AWS_ROLE_ARN; the selected profile of the shared files (static keys, assume role with
// source_profile or credential_source, web_identity_token_file, credential_process); container
// credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI); EC2 instance metadata (IMDSv2,
// unless AWS_EC2_METADATA_DISABLED=true).
// A provider answers kNotFound when it is not configured at all, and the chain moves on; any
// other error (bad profile, STS denial) stops the chain, since falling through to another
// identity would be a surprise.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/env.h"
#include "aws/http.h"
#include "aws/profile_file.h"
#include "core/clock.h"
#include "core/result.h"

namespace cloudward::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;             // "" for long-term keys
  std::optional<int64_t> expiration_ms;  // nullopt: does not expire
  std::string provider;                  // "environment", "profile:prod", "imds", ...
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  virtual Result<Credentials> Fetch() = 0;
  virtual std::string Name() const = 0;
};

// What providers need from outside. Unset members get defaults (process env, SystemClock,
// no transport: providers that need the network then answer kUnavailable).
struct CredentialContext {
  EnvLookup env;
  std::shared_ptr<Transport> transport;
  std::shared_ptr<const Clock> clock;
  std::string profile;  // "" -> AWS_PROFILE, else "default"
  std::string region;   // for STS calls; "" -> ResolveRegion()
};

class EnvironmentCredentialProvider final : public CredentialProvider {
 public:
  explicit EnvironmentCredentialProvider(EnvLookup env) : env_(std::move(env)) {}
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "environment"; }

 private:
  EnvLookup env_;
};

// The selected profile of ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE /
// AWS_SHARED_CREDENTIALS_FILE).
class ProfileCredentialProvider final : public CredentialProvider {
 public:
  explicit ProfileCredentialProvider(CredentialContext context);
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "profile"; }

 private:
  Result<Credentials> Resolve(const ProfileFile& files, const std::string& name,
                              std::vector<std::string>& visiting);
  CredentialContext context_;
};

// AssumeRoleWithWebIdentity from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
// (+ AWS_ROLE_SESSION_NAME).
class WebIdentityCredentialProvider final : public CredentialProvider {
 public:
  explicit WebIdentityCredentialProvider(CredentialContext context);
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "web-identity"; }

 private:
  CredentialContext context_;
};

// Runs `command` with /bin/sh and reads {"Version": 1, "AccessKeyId", "SecretAccessKey",
// "SessionToken"?, "Expiration"?} from its standard output.
class ProcessCredentialProvider final : public CredentialProvider {
 public:
  explicit ProcessCredentialProvider(std::string command) : command_(std::move(command)) {}
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "process"; }

 private:
  std::string command_;
};

// ECS/EKS container credentials endpoint.
class ContainerCredentialProvider final : public CredentialProvider {
 public:
  explicit ContainerCredentialProvider(CredentialContext context);
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "container"; }

 private:
  CredentialContext context_;
};

// EC2 instance metadata, IMDSv2 only: PUT /latest/api/token, then the role's credentials.
// One-second timeouts and a single attempt so that it fails fast off EC2.
class ImdsCredentialProvider final : public CredentialProvider {
 public:
  explicit ImdsCredentialProvider(CredentialContext context);
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "imds"; }

 private:
  CredentialContext context_;
};

// Tries providers in order; caches the first success until 5 minutes before it expires.
// Thread-safe: concurrent Fetch() calls during a refresh wait for it.
class CredentialChain final : public CredentialProvider {
 public:
  static constexpr int64_t kRefreshBeforeExpiryMs = 5 * 60 * 1000;

  CredentialChain(std::vector<std::shared_ptr<CredentialProvider>> providers,
                  std::shared_ptr<const Clock> clock);
  Result<Credentials> Fetch() override;
  std::string Name() const override { return "chain"; }
  void Invalidate();

 private:
  std::vector<std::shared_ptr<CredentialProvider>> providers_;
  std::shared_ptr<const Clock> clock_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

// A provider that always returns the same credentials (tests, --access-key flags).
class StaticCredentialProvider final : public CredentialProvider {
 public:
  explicit StaticCredentialProvider(Credentials credentials) : credentials_(std::move(credentials)) {}
  Result<Credentials> Fetch() override { return credentials_; }
  std::string Name() const override { return "static"; }

 private:
  Credentials credentials_;
};

std::shared_ptr<CredentialChain> DefaultCredentialChain(CredentialContext context);

// Reads and merges the shared config and credentials files (missing files are fine).
ProfileFile LoadSharedProfiles(const EnvLookup& env);
// The profile name in force: `explicit_profile`, else AWS_PROFILE, else "default".
std::string SelectedProfile(const EnvLookup& env, std::string_view explicit_profile);
// AWS_REGION, else AWS_DEFAULT_REGION, else the profile's "region", else "".
std::string ResolveRegion(const EnvLookup& env, std::string_view explicit_profile);

// Parses "2024-01-02T03:04:05Z"-style expirations; nullopt when absent or unparsable.
std::optional<int64_t> ParseExpiration(std::string_view text);

}  // namespace cloudward::aws
