#include "aws/credentials.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "aws/aws_error.h"
#include "aws/endpoints.h"
#include "aws/sigv4_signer.h"
#include "aws/url.h"
#include "core/time.h"

namespace cloudward::aws {
namespace {

constexpr int64_t kMetadataTimeoutMs = 1000;

const CredentialContext& WithDefaults(CredentialContext& c) {
  if (!c.env) c.env = ProcessEnv();
  if (!c.clock) c.clock = std::make_shared<SystemClock>();
  return c;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ExpandHome(const EnvLookup& env, std::string path) {
  if (path.starts_with("~/")) {
    if (auto home = env("HOME")) return *home + path.substr(1);
  }
  return path;
}

bool IsTrue(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true";
}

pugi::xml_node FindElement(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (name == child.name()) return child;
    if (auto found = FindElement(child, name)) return found;
  }
  return {};
}

// Credentials from the JSON shape shared by IMDS, container endpoints and credential_process.
Result<Credentials> CredentialsFromJson(std::string_view body, std::string_view token_key,
                                        std::string provider) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return Fail(ErrorCode::kMalformed, provider + ": credentials are not a JSON object");
  auto get = [&](const char* key) -> std::string {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c;
  c.access_key_id = get("AccessKeyId");
  c.secret_access_key = get("SecretAccessKey");
  c.session_token = get(std::string(token_key).c_str());
  c.provider = std::move(provider);
  if (std::string exp = get("Expiration"); !exp.empty()) {
    c.expiration_ms = ParseExpiration(exp);
    if (!c.expiration_ms) return Fail(ErrorCode::kMalformed, c.provider + ": bad Expiration '" + exp + "'");
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Fail(ErrorCode::kMalformed, c.provider + ": AccessKeyId or SecretAccessKey missing");
  }
  return c;
}

// One STS query call (AssumeRole, AssumeRoleWithWebIdentity), signed with `signer` when given.
Result<Credentials> CallSts(CredentialContext ctx, QueryParams params, const Credentials* signer,
                            std::string provider) {
  WithDefaults(ctx);
  if (!ctx.transport) return Fail(ErrorCode::kUnavailable, provider + ": no HTTP transport for STS");
  std::string region = ctx.region.empty() ? ResolveRegion(ctx.env, ctx.profile) : ctx.region;
  if (region.empty()) region = "us-east-1";
  const ServiceInfo* sts = FindService("sts");
  auto endpoint = ResolveEndpoint(*sts, region, EndpointOverrides::FromEnv(ctx.env));
  if (!endpoint) return tl::unexpected(endpoint.error());
  params.emplace_back("Version", std::string(sts->api_version));
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint->url + "/";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  req.body = EncodeQuery(params);
  req.timeout_ms = 10000;
  if (signer) {
    SigV4Signer s({.region = endpoint->signing_region, .service = endpoint->signing_name});
    if (auto signed_ok = s.Sign(req, *signer, ctx.clock->NowMs()); !signed_ok) return tl::unexpected(signed_ok.error());
  }
  auto resp = ctx.transport->Send(req);
  if (!resp) return Fail(resp.error().code, provider + ": STS: " + resp.error().message);
  if (resp->status != 200) {
    AwsError err = ParseErrorResponse(*resp);
    err.operation = "sts:" + params.front().second;
    return Fail(err.code, provider + ": " + err.Describe());
  }
  pugi::xml_document doc;
  if (!doc.load_buffer(resp->body.data(), resp->body.size())) {
    return Fail(ErrorCode::kMalformed, provider + ": STS response is not XML");
  }
  pugi::xml_node node = FindElement(doc, "Credentials");
  Credentials c;
  c.access_key_id = node.child("AccessKeyId").text().as_string();
  c.secret_access_key = node.child("SecretAccessKey").text().as_string();
  c.session_token = node.child("SessionToken").text().as_string();
  c.expiration_ms = ParseExpiration(node.child("Expiration").text().as_string());
  c.provider = std::move(provider);
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Fail(ErrorCode::kMalformed, c.provider + ": STS response has no Credentials");
  }
  return c;
}

std::string DefaultSessionName(const CredentialContext& ctx) {
  return "cloudward-" + std::to_string(ctx.clock->NowMs() / 1000);
}

Result<Credentials> AssumeRoleWithWebIdentity(const CredentialContext& ctx, const std::string& role_arn,
                                              std::string session_name, const std::string& token_file,
                                              std::string provider) {
  auto token = ReadFile(token_file);
  if (!token) return Fail(ErrorCode::kIo, provider + ": cannot read web identity token file " + token_file);
  if (session_name.empty()) session_name = DefaultSessionName(ctx);
  return CallSts(ctx,
                 {{"Action", "AssumeRoleWithWebIdentity"}, {"RoleArn", role_arn},
                  {"RoleSessionName", session_name}, {"WebIdentityToken", Trim(*token)}},
                 nullptr, std::move(provider));
}

// Only loopback, the ECS/EKS link-local hosts, or HTTPS may serve container credentials.
bool AllowedContainerUrl(const Url& url) {
  if (url.scheme == "https") return true;
  return url.host == "localhost" || url.host.starts_with("127.") || url.host == "[::1]" ||
         url.host == "169.254.170.2" || url.host == "169.254.170.23" || url.host == "[fd00:ec2::23]";
}

}  // namespace

std::optional<int64_t> ParseExpiration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return ParseIsoTime(text);
}

std::string SelectedProfile(const EnvLookup& env, std::string_view explicit_profile) {
  if (!explicit_profile.empty()) return std::string(explicit_profile);
  if (auto p = env("AWS_PROFILE")) return *p;
  return "default";
}

ProfileFile LoadSharedProfiles(const EnvLookup& env) {
  std::string config_path = ExpandHome(env, env("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  std::string creds_path = ExpandHome(env, env("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
  ProfileFile merged;
  if (auto text = ReadFile(config_path)) merged = ParseProfileFile(*text, ProfileFileKind::kConfig, config_path);
  if (auto text = ReadFile(creds_path)) {
    MergeProfiles(merged, ParseProfileFile(*text, ProfileFileKind::kCredentials, creds_path));
  }
  return merged;
}

std::string ResolveRegion(const EnvLookup& env, std::string_view explicit_profile) {
  if (auto r = env("AWS_REGION")) return *r;
  if (auto r = env("AWS_DEFAULT_REGION")) return *r;
  ProfileFile files = LoadSharedProfiles(env);
  if (const Profile* p = files.Find(SelectedProfile(env, explicit_profile))) {
    if (auto it = p->find("region"); it != p->end()) return it->second;
  }
  return "";
}

// ---------------------------------------------------------------------------------------------

Result<Credentials> EnvironmentCredentialProvider::Fetch() {
  auto id = env_("AWS_ACCESS_KEY_ID");
  auto secret = env_("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return Fail(ErrorCode::kNotFound, "environment: AWS_ACCESS_KEY_ID not set");
  if (!id || !secret) {
    return Fail(ErrorCode::kInvalidArgument,
                "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  }
  Credentials c{*id, *secret, env_("AWS_SESSION_TOKEN").value_or(""), std::nullopt, "environment"};
  if (auto exp = env_("AWS_CREDENTIAL_EXPIRATION")) c.expiration_ms = ParseExpiration(*exp);
  return c;
}

ProfileCredentialProvider::ProfileCredentialProvider(CredentialContext context)
    : context_(std::move(context)) {
  WithDefaults(context_);
}

Result<Credentials> ProfileCredentialProvider::Fetch() {
  ProfileFile files = LoadSharedProfiles(context_.env);
  std::string name = SelectedProfile(context_.env, context_.profile);
  if (!files.Find(name)) {
    if (name == "default") return Fail(ErrorCode::kNotFound, "profile: no [default] profile");
    return Fail(ErrorCode::kInvalidArgument, "profile: profile '" + name + "' not found in the shared config files");
  }
  std::vector<std::string> visiting;
  return Resolve(files, name, visiting);
}

Result<Credentials> ProfileCredentialProvider::Resolve(const ProfileFile& files, const std::string& name,
                                                       std::vector<std::string>& visiting) {
  const std::string label = "profile:" + name;
  const Profile* profile = files.Find(name);
  if (!profile) return Fail(ErrorCode::kInvalidArgument, label + ": profile not found");
  for (const auto& v : visiting) {
    if (v == name) return Fail(ErrorCode::kInvalidArgument, label + ": source_profile cycle");
  }
  visiting.push_back(name);
  auto get = [&](const char* key) -> std::string {
    auto it = profile->find(key);
    return it == profile->end() ? std::string() : it->second;
  };
  auto static_keys = [&]() -> Result<Credentials> {
    std::string id = get("aws_access_key_id");
    std::string secret = get("aws_secret_access_key");
    if (id.empty() && secret.empty()) return Fail(ErrorCode::kNotFound, label + ": no credentials in profile");
    if (id.empty() || secret.empty()) {
      return Fail(ErrorCode::kInvalidArgument, label + ": aws_access_key_id and aws_secret_access_key must both be set");
    }
    return Credentials{id, secret, get("aws_session_token"), std::nullopt, label};
  };

  std::string role_arn = get("role_arn");
  if (!role_arn.empty()) {
    CredentialContext ctx = context_;
    if (std::string region = get("region"); !region.empty() && ctx.region.empty()) ctx.region = region;
    std::string session = get("role_session_name");
    if (std::string token_file = get("web_identity_token_file"); !token_file.empty()) {
      return AssumeRoleWithWebIdentity(ctx, role_arn, session, token_file, label);
    }
    Result<Credentials> source = Fail(ErrorCode::kInvalidArgument,
                                      label + ": role_arn needs source_profile or credential_source");
    std::string source_profile = get("source_profile");
    std::string credential_source = get("credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return Fail(ErrorCode::kInvalidArgument, label + ": source_profile and credential_source are exclusive");
    }
    if (!source_profile.empty()) {
      source = source_profile == name ? static_keys() : Resolve(files, source_profile, visiting);
      if (!source && source.error().code == ErrorCode::kNotFound) {
        source = Fail(ErrorCode::kInvalidArgument, source.error().message);
      }
    } else if (credential_source == "Environment") {
      source = EnvironmentCredentialProvider(ctx.env).Fetch();
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = ImdsCredentialProvider(ctx).Fetch();
    } else if (credential_source == "EcsContainer") {
      source = ContainerCredentialProvider(ctx).Fetch();
    } else if (!credential_source.empty()) {
      return Fail(ErrorCode::kInvalidArgument, label + ": unknown credential_source '" + credential_source + "'");
    }
    if (!source) return Fail(source.error().code == ErrorCode::kNotFound ? ErrorCode::kInvalidArgument : source.error().code,
                             label + ": source credentials: " + source.error().message);
    if (!get("mfa_serial").empty()) {
      return Fail(ErrorCode::kUnsupported, label + ": mfa_serial profiles need an interactive token");
    }
    QueryParams params = {{"Action", "AssumeRole"}, {"RoleArn", role_arn},
                          {"RoleSessionName", session.empty() ? DefaultSessionName(ctx) : session}};
    if (std::string ext = get("external_id"); !ext.empty()) params.emplace_back("ExternalId", ext);
    if (std::string dur = get("duration_seconds"); !dur.empty()) params.emplace_back("DurationSeconds", dur);
    return CallSts(ctx, params, &*source, label);
  }
  if (std::string process = get("credential_process"); !process.empty()) {
    auto c = ProcessCredentialProvider(process).Fetch();
    if (c) c->provider = label;
    return c;
  }
  return static_keys();
}

WebIdentityCredentialProvider::WebIdentityCredentialProvider(CredentialContext context)
    : context_(std::move(context)) {
  WithDefaults(context_);
}

Result<Credentials> WebIdentityCredentialProvider::Fetch() {
  auto token_file = context_.env("AWS_WEB_IDENTITY_TOKEN_FILE");
  auto role_arn = context_.env("AWS_ROLE_ARN");
  if (!token_file || !role_arn) return Fail(ErrorCode::kNotFound, "web-identity: AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN not set");
  return AssumeRoleWithWebIdentity(context_, *role_arn, context_.env("AWS_ROLE_SESSION_NAME").value_or(""),
                                   *token_file, "web-identity");
}

Result<Credentials> ProcessCredentialProvider::Fetch() {
  FILE* pipe = popen(command_.c_str(), "r");
  if (!pipe) return Fail(ErrorCode::kIo, "process: cannot run credential_process");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0 && out.size() < (1u << 20)) out.append(buf, n);
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Fail(ErrorCode::kIo, "process: credential_process exited with status " +
                                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  auto json = nlohmann::json::parse(out, nullptr, false);
  if (!json.is_object() || !json.contains("Version") || json["Version"] != 1) {
    return Fail(ErrorCode::kMalformed, "process: credential_process output must be JSON with \"Version\": 1");
  }
  return CredentialsFromJson(out, "SessionToken", "process");
}

ContainerCredentialProvider::ContainerCredentialProvider(CredentialContext context)
    : context_(std::move(context)) {
  WithDefaults(context_);
}

Result<Credentials> ContainerCredentialProvider::Fetch() {
  std::string url;
  if (auto rel = context_.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = "http://169.254.170.2" + *rel;
  } else if (auto full = context_.env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    auto parsed = ParseUrl(*full);
    if (!parsed) return Fail(ErrorCode::kInvalidArgument, "container: " + parsed.error().message);
    if (!AllowedContainerUrl(*parsed)) {
      return Fail(ErrorCode::kInvalidArgument, "container: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or loopback");
    }
    url = *full;
  } else {
    return Fail(ErrorCode::kNotFound, "container: AWS_CONTAINER_CREDENTIALS_*_URI not set");
  }
  if (!context_.transport) return Fail(ErrorCode::kUnavailable, "container: no HTTP transport");
  HttpRequest req{.method = "GET", .url = url, .timeout_ms = 2000, .connect_timeout_ms = 1000};
  if (auto file = context_.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    auto token = ReadFile(*file);
    if (!token) return Fail(ErrorCode::kIo, "container: cannot read " + *file);
    req.headers.emplace_back("Authorization", Trim(*token));
  } else if (auto token = context_.env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    req.headers.emplace_back("Authorization", *token);
  }
  auto resp = context_.transport->Send(req);
  if (!resp) return Fail(resp.error().code, "container: " + resp.error().message);
  if (resp->status != 200) {
    return Fail(resp->status == 403 || resp->status == 401 ? ErrorCode::kAccessDenied : ErrorCode::kUnavailable,
                "container: HTTP " + std::to_string(resp->status) + " from " + url);
  }
  return CredentialsFromJson(resp->body, "Token", "container");
}

ImdsCredentialProvider::ImdsCredentialProvider(CredentialContext context)
    : context_(std::move(context)) {
  WithDefaults(context_);
}

Result<Credentials> ImdsCredentialProvider::Fetch() {
  if (IsTrue(context_.env("AWS_EC2_METADATA_DISABLED"))) {
    return Fail(ErrorCode::kNotFound, "imds: disabled by AWS_EC2_METADATA_DISABLED");
  }
  if (!context_.transport) return Fail(ErrorCode::kNotFound, "imds: no HTTP transport");
  std::string base = context_.env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto send = [&](HttpRequest req) {
    req.timeout_ms = kMetadataTimeoutMs;
    req.connect_timeout_ms = kMetadataTimeoutMs;
    return context_.transport->Send(req);
  };
  auto token = send({.method = "PUT", .url = base + "/latest/api/token",
                     .headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}});
  if (!token) return Fail(ErrorCode::kNotFound, "imds: no instance metadata service (" + token.error().message + ")");
  if (token->status != 200) {
    return Fail(ErrorCode::kNotFound, "imds: token request answered HTTP " + std::to_string(token->status));
  }
  Headers auth = {{"X-aws-ec2-metadata-token", Trim(token->body)}};
  const std::string creds_path = base + "/latest/meta-data/iam/security-credentials/";
  auto role = send({.method = "GET", .url = creds_path, .headers = auth});
  if (!role) return Fail(ErrorCode::kUnavailable, "imds: " + role.error().message);
  if (role->status == 404) return Fail(ErrorCode::kNotFound, "imds: instance has no IAM role");
  if (role->status != 200) return Fail(ErrorCode::kUnavailable, "imds: role lookup answered HTTP " + std::to_string(role->status));
  std::string role_name = Trim(role->body.substr(0, role->body.find('\n')));
  if (role_name.empty()) return Fail(ErrorCode::kNotFound, "imds: instance has no IAM role");
  auto creds = send({.method = "GET", .url = creds_path + UriEncode(role_name), .headers = auth});
  if (!creds) return Fail(ErrorCode::kUnavailable, "imds: " + creds.error().message);
  if (creds->status != 200) return Fail(ErrorCode::kUnavailable, "imds: credentials answered HTTP " + std::to_string(creds->status));
  auto json = nlohmann::json::parse(creds->body, nullptr, false);
  if (json.is_object() && json.contains("Code") && json["Code"] != "Success") {
    return Fail(ErrorCode::kUnavailable, "imds: credentials Code is " + json["Code"].dump());
  }
  return CredentialsFromJson(creds->body, "Token", "imds");
}

CredentialChain::CredentialChain(std::vector<std::shared_ptr<CredentialProvider>> providers,
                                 std::shared_ptr<const Clock> clock)
    : providers_(std::move(providers)), clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()) {}

void CredentialChain::Invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
}

Result<Credentials> CredentialChain::Fetch() {
  std::lock_guard lock(mu_);
  const int64_t now = clock_->NowMs();
  if (cached_ && (!cached_->expiration_ms || now < *cached_->expiration_ms - kRefreshBeforeExpiryMs)) {
    return *cached_;
  }
  std::string tried;
  for (const auto& provider : providers_) {
    auto creds = provider->Fetch();
    if (creds) {
      if (creds->provider.empty()) creds->provider = provider->Name();
      cached_ = *creds;
      return creds;
    }
    if (creds.error().code != ErrorCode::kNotFound) {
      // Still-valid credentials beat a failed early refresh.
      if (cached_ && cached_->expiration_ms && now < *cached_->expiration_ms) return *cached_;
      return tl::unexpected(creds.error());
    }
    if (!tried.empty()) tried += "; ";
    tried += creds.error().message;
  }
  if (cached_ && cached_->expiration_ms && now < *cached_->expiration_ms) return *cached_;
  return Fail(ErrorCode::kNotFound, "no AWS credentials found (" + tried + ")");
}

std::shared_ptr<CredentialChain> DefaultCredentialChain(CredentialContext context) {
  WithDefaults(context);
  std::vector<std::shared_ptr<CredentialProvider>> providers = {
      std::make_shared<EnvironmentCredentialProvider>(context.env),
      std::make_shared<WebIdentityCredentialProvider>(context),
      std::make_shared<ProfileCredentialProvider>(context),
      std::make_shared<ContainerCredentialProvider>(context),
      std::make_shared<ImdsCredentialProvider>(context),
  };
  return std::make_shared<CredentialChain>(std::move(providers), context.clock);
}

}  // namespace cloudward::aws
