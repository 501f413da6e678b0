// Internal to cw::simulate. The simulated organization (World) and the writers that turn one
// API call, flow or finding into the exact text AWS would deliver. Scenario builders
// (scenarios.cc) and the background loops (generator.cc) share these writers, so an attack event
// and a benign one have the same shape. Not thread-safe: one Generator per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simulate/json_text.h"
#include "simulate/random.h"

namespace cloudward::simulate {

inline constexpr int64_t kSecond = 1000;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;

// Regions 0..3 carry background activity; kUnusualRegion only sees the crypto-mining scenario.
inline constexpr std::string_view kRegions[] = {"us-east-1", "us-west-2", "eu-west-1",
                                                "eu-central-1", "ap-southeast-1"};
inline constexpr int kBackgroundRegions = 4;
inline constexpr int kUnusualRegion = 4;
inline constexpr int kRegionCount = 5;

enum class IdentityKind { kIamUser, kConsoleUser, kAssumedRole, kSsoUser, kService, kRoot, kAnonymous };

// What an identity tends to do; indexes the weight tables in generator.cc.
enum class Profile { kHumanCli, kConsole, kAutomation, kTerraform, kService, kRoot };

struct Identity {
  IdentityKind kind;
  Profile profile;
  int account;
  std::string type;          // userIdentity.type
  std::string principal_id;
  std::string arn;
  std::string access_key;    // AKIA... (users) or ASIA... (sessions); empty for services
  std::string name;          // user name, role session name or service principal
  std::string role_name;     // issuer role for sessions
  std::string role_arn;
  std::string role_id;       // AROA...
  std::vector<std::string> ips;
  std::vector<std::string_view> agents;
  uint32_t weight = 1;
  bool mfa = false;
};

struct Instance {
  std::string id, eni, private_ip, public_ip, subnet, vpc, az, security_group;
  int region;
  bool windows = false;
};

struct Account {
  std::string id;
  std::string name;
  std::vector<Identity> identities;
  std::vector<uint32_t> identity_weights;
  std::vector<Instance> instances;          // all regions
  std::vector<std::string> buckets;
  std::vector<size_t> roles;                // indexes of workload-role sessions in identities
  std::string kms_key[kRegionCount];
  std::string vpc[kRegionCount];
  std::string flow_log_id[kRegionCount];
  std::string detector_id[kRegionCount];
  bool flow_v5 = false;  // v5 custom format with extra fields, else the v2 default format
  int octet = 0;         // second octet of the account's 10.x.0.0/16
};

struct World {
  std::vector<Account> accounts;
  std::string org_id;
};

// Builds the organization: accounts, identities, instances, buckets; fixed by `rng`.
World BuildWorld(Random& rng, int accounts);

// The identity named `name` (user name, session name or service) of an account, or nullptr.
const Identity* FindIdentity(const Account& account, std::string_view name);

// One CloudTrail record before serialization. The string_views must outlive WriteRecord().
struct ApiCall {
  const Identity* who = nullptr;
  int64_t time = 0;
  std::string_view source;   // "iam.amazonaws.com"
  std::string_view name;     // "ListUsers"
  int region = 0;
  std::string_view ip;
  std::string_view agent;
  bool read_only = true;
  bool data_event = false;
  std::string_view error_code;
  std::string_view error_message;
  std::string_view request = "null";    // raw JSON
  std::string_view response = "null";   // raw JSON
  std::string_view additional;          // raw JSON object or empty
  std::string_view resources;           // raw JSON array or empty
  std::string_view event_type = "AwsApiCall";
  std::string_view host;                // tlsDetails.clientProvidedHostHeader; empty = derive
  std::string_view recipient;           // recipientAccountId; empty = who's account
  const World* world = nullptr;
};

// Appends the record's JSON object to `out`; its eventID (a UUID) to `event_id` when non-null.
void WriteRecord(std::string& out, const ApiCall& call, Random& rng, std::string* event_id);

// One VPC flow log record. action "ACCEPT"/"REJECT"; log_status "OK"/"NODATA".
struct Flow {
  const Instance* instance = nullptr;
  std::string_view src, dst;
  int src_port = 0, dst_port = 0, protocol = 6;
  int64_t packets = 0, bytes = 0;
  int64_t start_s = 0, end_s = 0;
  std::string_view action = "ACCEPT";
  std::string_view log_status = "OK";
  bool ingress = false;
  int tcp_flags = 19;
};

// Header line (with '\n') of the account's flow log format, and one record line (with '\n').
std::string_view FlowHeader(const Account& account);
void WriteFlow(std::string& out, const Account& account, const Flow& flow);

// One GuardDuty finding (S3 export: one JSON object per line, '\n' appended).
struct FindingSpec {
  int account = 0;
  int region = 0;
  std::string_view type;
  double severity = 2;
  std::string_view title;
  std::string_view description;
  int64_t first_seen = 0, last_seen = 0;
  int count = 1;
  const Instance* instance = nullptr;   // resourceType Instance
  const Identity* key_owner = nullptr;  // resourceType AccessKey
  std::string_view bucket;              // resourceType S3Bucket (key_owner then adds accessKeyDetails)
  // service.action: "AWS_API_CALL", "NETWORK_CONNECTION", "DNS_REQUEST", "PORT_PROBE".
  std::string_view action_type;
  std::string_view api, api_service;    // AWS_API_CALL
  std::string_view remote_ip;
  std::string_view domain;              // DNS_REQUEST
  int local_port = 0, remote_port = 0;
  std::string_view direction = "INBOUND";
  std::string_view resource_role = "TARGET";
};
void WriteFinding(std::string& out, const World& world, const FindingSpec& spec, Random& rng,
                  std::string* finding_id);

// "Jan 1, 2026, 1:00:00 AM" as IAM and STS write dates inside responseElements.
void AppendAwsDate(std::string& out, int64_t ms);
void AppendUuid(std::string& out, Random& rng);

// Geo facts GuardDuty attaches to a remote IP (deterministic by IP string).
struct IpFacts {
  std::string_view country, city, asn, org;
  double lat, lon;
};
IpFacts FactsForIp(std::string_view ip);

}  // namespace cloudward::simulate

namespace cloudward::simulate {

// Benign activity: the bulk of every corpus. Each Next* call describes one more record at the
// given time; the returned views stay valid until the next call of the same method.
class BackgroundActivity {
 public:
  BackgroundActivity(const World& world, Random rng);

  const ApiCall& NextCall(int64_t time);
  // Sets account and region of the flow record it describes.
  const Flow& NextFlow(int64_t time, int& account, int& region);
  const FindingSpec& NextFinding(int64_t time);

 private:
  void FillApi(int api, const Identity& who, const Account& account);
  void SetError(const Identity& who, std::string_view iam_prefix, bool throttle);

  const World& world_;
  Random rng_;
  std::vector<uint32_t> account_weights_;
  ApiCall call_;
  Flow flow_;
  FindingSpec finding_;
  std::string request_, response_, additional_, resources_, host_, error_, scratch_, ip_;
};

}  // namespace cloudward::simulate

namespace cloudward::simulate {

// Ground truth of one injected scenario (written to scenarios.json).
struct ScenarioTruth {
  std::string name;
  std::string description;
  std::string access_key_id, arn, ip, user_agent;  // the attacker (or the actor who exposed)
  std::vector<std::string> other_ips;              // further attacker/anonymous source addresses
  std::vector<int> accounts, regions;
  int64_t start_ms = INT64_MAX, end_ms = 0;
  std::vector<std::string> event_ids;    // CloudTrail eventIDs
  std::vector<std::string> finding_ids;  // GuardDuty finding ids
  uint64_t flow_records = 0;
  std::vector<std::string> flow_interfaces;  // ENIs whose flow records belong to the scenario
};

// A record already serialized, waiting to be merged into its (account, region) stream by time.
struct PendingRecord {
  int64_t time;
  int account;
  int region;
  std::string text;
};

struct ScenarioOutput {
  std::vector<ScenarioTruth> truths;
  std::vector<PendingRecord> cloudtrail, flows, findings;  // each sorted by time
};

// Every scenario name, in a fixed order.
const std::vector<std::string>& ScenarioNamesInternal();

// Builds the named scenarios, spread over [start_ms, start_ms + span_ms).
ScenarioOutput BuildScenarios(const World& world, Random rng, const std::vector<std::string>& names,
                              int64_t start_ms, int64_t span_ms);

}  // namespace cloudward::simulate
