// The cloudward configuration: one YAML file, every field optional (docs/configuration.md is the
// reference). Config is a plain value produced by LoadConfig (config_loader.h); the defaults
// below are the embedded defaults used when a field or the whole file is absent.
//
//   config::LoadResult loaded = config::LoadConfigFile("/etc/cloudward.yaml");
//   if (!loaded.ok()) { for (auto& p : loaded.problems) Print(p.ToString()); return 2; }
//   const config::Config& config = loaded.config;
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/secret.h"
#include "core/finding.h"

namespace cloudward::config {

// Where a value came from, for problems found after parsing (references, people checks).
struct SourceLocation {
  int line = 0;    // 1-based; 0 = not from the file (a default)
  int column = 0;  // 1-based
};

// ---- store ----
struct StoreConfig {
  std::string url = "sqlite://cloudward.db";
};

// ---- detection ----
struct IocLists {
  std::vector<std::string> ips;          // files of IPs / CIDRs, one a line
  std::vector<std::string> domains;
  std::vector<std::string> access_keys;  // access key ids
  std::vector<std::string> user_agents;
  std::vector<std::string> amis;         // AMI ids (ami-...)
};

struct DetectionConfig {
  std::vector<std::string> rules;  // extra rule files or folders, added to the bundled pack
  std::string placeholders;        // YAML file of Sigma placeholder values
  IocLists ioc;
  int64_t lookback_ms = 24LL * 3600 * 1000;     // default --since of hunt
  int64_t correlation_window_ms = 15LL * 60 * 1000;
};

// ---- assets ----
enum class Criticality : unsigned char { kLow, kMedium, kHigh, kCritical };
std::string_view CriticalityName(Criticality c);
std::optional<Criticality> CriticalityFromName(std::string_view name);

struct TagCriticality {
  std::string key;
  std::string value;  // "*" = any value
  Criticality criticality = Criticality::kMedium;
};
struct ResourceCriticality {
  std::string match;  // glob over resource id or ARN; '*' any run, '?' one character
  Criticality criticality = Criticality::kMedium;
};
struct AccountCriticality {
  std::string account;
  Criticality criticality = Criticality::kMedium;
};

struct AssetsConfig {
  Criticality default_criticality = Criticality::kMedium;
  std::vector<TagCriticality> by_tag;
  std::vector<ResourceCriticality> by_resource;
  std::vector<AccountCriticality> by_account;
};

// ---- people ----
struct Contact {
  std::string name;
  std::string email;
  std::string phone;
  std::string slack;      // Slack member id or handle
  std::string teams;      // Teams user principal name
  std::string pagerduty;  // PagerDuty user id or e-mail
  SourceLocation where;
  bool Reachable() const {
    return !email.empty() || !phone.empty() || !slack.empty() || !teams.empty() ||
           !pagerduty.empty();
  }
};

inline constexpr const char* kRoleNames[] = {"incident_commander", "responders", "legal",
                                             "communications", "management"};

struct OnCall {
  std::vector<std::string> people;  // contact names
  // Weekly rotation: person i is on call in week i (mod size) counted from rotation_start_ms.
  // Without a rotation every listed person is on call at once.
  bool weekly = false;
  int64_t rotation_start_ms = 0;
  SourceLocation where;
};

struct EscalationStep {
  int64_t after_ms = 0;             // time since the incident opened
  std::vector<std::string> roles;   // role names
  std::vector<std::string> via;     // channel names; empty = the channels of the matched routes
  SourceLocation where;
};

struct AwsSupport {
  std::string plan;  // basic | developer | business | enterprise_on_ramp | enterprise
  std::map<Level, std::string> case_severity;  // incident severity -> low|normal|high|urgent|critical
  std::vector<Contact> account_team;
};

struct PeopleConfig {
  std::vector<Contact> contacts;
  std::map<std::string, std::vector<std::string>> roles;  // role -> contact names
  std::map<std::string, SourceLocation> role_where;
  std::map<std::string, OnCall> on_call;                  // role -> rota
  std::map<Level, std::vector<EscalationStep>> escalation;
  AwsSupport aws_support;

  const Contact* FindContact(std::string_view name) const;
};

// ---- alerts ----
struct ChannelConfig {
  std::string name;
  std::string type;  // sns | slack | teams | webhook | pagerduty | email
  // sns
  std::string topic_arn;
  std::string region;
  // slack, teams, webhook (url), pagerduty (events url override)
  Secret url;
  std::string format;  // teams: messagecard | adaptive
  Secret secret;       // webhook HMAC key
  Secret routing_key;  // pagerduty
  // email
  Secret smtp_url;     // smtp://host:25 or smtps://user:pass@host:465
  std::string from;
  std::vector<std::string> to;
  SourceLocation where;
};

struct RouteMatch {
  Level min_severity = Level::kInformational;
  std::vector<std::string> accounts;  // any of; empty = all
  std::vector<std::string> tags;      // any of; empty = all
  std::vector<std::string> rules;     // rule ids, any of; empty = all
};

struct Route {
  RouteMatch match;
  std::vector<std::string> channels;
  std::vector<std::string> roles;
  bool stop = false;  // do not try later routes once this one matched
  SourceLocation where;
};

struct RetryPolicy {
  int attempts = 4;  // total attempts per delivery, >= 1
  int64_t initial_backoff_ms = 1000;
  int64_t max_backoff_ms = 30000;
};

struct AlertsConfig {
  std::vector<ChannelConfig> channels;
  std::vector<Route> routes;
  int64_t group_window_ms = 5LL * 60 * 1000;
  int64_t dedup_window_ms = 60LL * 60 * 1000;
  RetryPolicy retry;

  const ChannelConfig* FindChannel(std::string_view name) const;
};

// ---- automation ----
enum class AutomationMode : unsigned char { kRun, kPlan, kApprove };
std::string_view AutomationModeName(AutomationMode m);

struct AutomationPolicy {
  std::vector<std::string> finding_types;
  std::vector<std::string> rules;
  Level min_severity = Level::kInformational;
  std::string playbook;
  AutomationMode mode = AutomationMode::kPlan;
  SourceLocation where;
};

struct AutomationConfig {
  bool enabled = false;  // the one switch: false stops every automated action
  std::vector<AutomationPolicy> policies;
  int max_actions_per_hour = 20;
  int max_actions_per_resource_per_hour = 3;
};

// ---- respond ----
struct RespondConfig {
  std::vector<std::string> approval_actions;         // action kinds that always need approval
  std::optional<Level> approval_min_severity;        // incidents at/above need approval for all
  // Separation of duties: whoever proposed an action (a playbook run, a console plan) cannot also
  // approve it, and `playbook run --approve` (approving one's own gated steps) is refused.
  bool separation_of_duties = false;
  std::string quarantine_security_group = "cloudward-quarantine";
  std::string forensic_bucket;
  std::string examiner_cidr;
  std::string break_glass_role;  // role name; "" = any role tagged cloudward:break-glass
};

// ---- posture ----
// An accepted failure of one posture check on one resource, until `expires`.
struct PostureSuppression {
  std::string check;     // check id ("s3.versioning") or "*"
  std::string resource;  // ARN or id; '*' matches any run of characters
  std::string reason;
  std::string expires;   // YYYY-MM-DD as written
  int64_t expires_ms = 0;  // end of that day, UTC
  SourceLocation where;
};

struct PostureConfig {
  std::vector<PostureSuppression> suppressions;
};

// ---- accounts ----
// One account, or (organization: true) every active member of the caller's AWS Organization,
// each reached through the role `role_name`.
struct AccountConfig {
  std::string id;
  std::string name;
  std::string role_arn;
  std::vector<std::string> regions;
  Secret external_id;
  bool organization = false;
  std::string role_name;  // organization entries; "" = OrganizationAccountAccessRole
  SourceLocation where;
};

// ---- serve ----
enum class ApiRole : unsigned char { kViewer, kResponder, kAdmin };
std::string_view ApiRoleName(ApiRole r);

struct ApiToken {
  std::string name;
  std::string sha256;  // hex SHA-256 of the token, or
  Secret token;        // the token itself from env:/file:
  ApiRole role = ApiRole::kViewer;
};

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert;
  std::string tls_key;
  std::vector<ApiToken> tokens;
  std::vector<std::string> watch;       // folders whose new log files are scanned
  std::vector<std::string> sqs_queues;  // SQS queue URLs (S3 event notifications)
  // Tuning; the flags of `cloudward serve` override these.
  int sqs_wait_seconds = 10;                 // long-poll wait, 0..20 (also bounds shutdown time)
  int sqs_visibility_timeout_seconds = 120;  // 1..43200: an uncommitted message comes back after it
  int sqs_max_messages = 10;                 // messages per ReceiveMessage, 1..10
  int64_t watch_interval_ms = 2000;          // between polls of `watch`, 100 ms..1 h
  std::string watch_state;                   // the watcher's state file; "" = beside the SQLite store
  std::string public_url;                    // base URL of the console, for links in alerts; no trailing '/'
  int max_body_bytes = 64 << 20;             // largest accepted HTTP request body, 1 KiB..1 GiB
};

struct Config {
  std::string path;  // the file it came from; empty = embedded defaults
  StoreConfig store;
  DetectionConfig detection;
  AssetsConfig assets;
  PeopleConfig people;
  AlertsConfig alerts;
  AutomationConfig automation;
  RespondConfig respond;
  PostureConfig posture;
  std::vector<AccountConfig> accounts;
  ServeConfig serve;
};

}  // namespace cloudward::config
