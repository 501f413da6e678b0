#include "prepare/rules.h"

#include <algorithm>
#include <set>

#include "analyze/iam_policy.h"
#include "core/time.h"

namespace cloudward::prepare {

bool IsWorldCidr(std::string_view cidr) { return cidr == "0.0.0.0/0" || cidr == "::/0"; }

bool CoversTcpPort(std::string_view protocol, int from_port, int to_port, int port) {
  if (protocol == "-1" || protocol == "all") return true;
  if (protocol != "tcp" && protocol != "6") return false;
  if (from_port < 0 && to_port < 0) return true;
  if (from_port < 0) from_port = 0;
  if (to_port < 0) to_port = 65535;
  return from_port <= port && port <= to_port;
}

std::vector<int> OpenAdminPorts(const std::vector<aws::ec2::IpPermission>& ingress) {
  std::set<int> open;
  for (const auto& p : ingress) {
    if (std::none_of(p.cidrs.begin(), p.cidrs.end(), [](const std::string& c) { return IsWorldCidr(c); })) continue;
    for (int port : kAdminPorts) {
      if (CoversTcpPort(p.protocol, p.from_port, p.to_port, port)) open.insert(port);
    }
  }
  return {open.begin(), open.end()};
}

std::vector<int> AclOpenPorts(const aws::ec2::NetworkAclRules& acl, const std::vector<int>& ports) {
  std::vector<aws::ec2::AclEntry> ingress;
  for (const auto& e : acl.entries) {
    if (!e.egress && IsWorldCidr(e.cidr)) ingress.push_back(e);
  }
  std::sort(ingress.begin(), ingress.end(), [](const auto& a, const auto& b) { return a.rule_number < b.rule_number; });
  std::vector<int> open;
  for (int port : ports) {
    for (const auto& e : ingress) {
      if (!CoversTcpPort(e.protocol, e.from_port, e.to_port, port)) continue;
      if (e.action == "allow") open.push_back(port);
      break;  // the first matching rule decides
    }
  }
  return open;
}

std::vector<std::pair<int, int>> WorldIngressRanges(const std::vector<aws::ec2::IpPermission>& ingress) {
  std::vector<std::pair<int, int>> out;
  for (const auto& p : ingress) {
    if (std::none_of(p.cidrs.begin(), p.cidrs.end(), [](const std::string& c) { return IsWorldCidr(c); })) continue;
    if (p.protocol == "-1") {
      out.emplace_back(0, 65535);
    } else if (p.protocol == "tcp" || p.protocol == "6") {
      out.emplace_back(p.from_port < 0 ? 0 : p.from_port, p.to_port < 0 ? 65535 : p.to_port);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool PolicyIsAdminWildcard(std::string_view document) {
  auto doc = analyze::ParsePolicyDocument(nlohmann::json(std::string(document)), "policy");
  if (!doc) return false;
  for (const auto& s : doc->statements) {
    if (!s.allow || s.not_action || s.not_resource) continue;
    bool all_actions = std::any_of(s.actions.begin(), s.actions.end(),
                                   [](const std::string& a) { return a == "*" || a == "*:*"; });
    bool all_resources = std::any_of(s.resources.begin(), s.resources.end(),
                                     [](const std::string& r) { return r == "*"; });
    if (all_actions && all_resources) return true;
  }
  return false;
}

namespace {
// "123456789012", "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/x" -> account.
std::string PrincipalAccount(const std::string& principal) {
  if (principal.size() == 12 && std::all_of(principal.begin(), principal.end(), ::isdigit)) return principal;
  if (principal.starts_with("arn:")) {
    size_t a = 0;
    for (int colons = 0; colons < 4 && a != std::string::npos; ++colons) a = principal.find(':', a + 1);
    if (a == std::string::npos) return {};
    size_t b = principal.find(':', a + 1);
    return b == std::string::npos ? std::string() : principal.substr(a + 1, b - a - 1);
  }
  return {};
}
}  // namespace

PolicyExposure BucketPolicyExposure(std::string_view policy, std::string_view own_account) {
  PolicyExposure out;
  if (policy.empty()) return out;
  auto doc = analyze::ParsePolicyDocument(nlohmann::json(std::string(policy)), "bucket policy");
  if (!doc) return out;
  std::set<std::string> accounts;
  for (size_t i = 0; i < doc->statements.size(); ++i) {
    const auto& s = doc->statements[i];
    if (!s.allow) continue;
    for (const auto& p : s.principal_aws) {
      if (p == "*") {
        if (!s.has_condition) {
          out.is_public = true;
          out.public_statements.push_back("Statement[" + std::to_string(i) + "]");
        }
        continue;
      }
      std::string account = PrincipalAccount(p);
      if (!account.empty() && account != own_account) accounts.insert(account);
    }
  }
  out.other_accounts.assign(accounts.begin(), accounts.end());
  return out;
}

std::optional<int64_t> RuntimeDeprecationMs(std::string_view runtime) {
  // AWS Lambda runtime deprecation dates (docs: "Lambda runtimes", deprecated and upcoming).
  static constexpr std::pair<std::string_view, std::string_view> kDeprecated[] = {
      {"nodejs", "2016-10-31T00:00:00Z"},        {"nodejs4.3", "2020-03-05T00:00:00Z"},
      {"nodejs6.10", "2019-08-12T00:00:00Z"},    {"nodejs8.10", "2020-03-06T00:00:00Z"},
      {"nodejs10.x", "2021-07-30T00:00:00Z"},    {"nodejs12.x", "2023-03-31T00:00:00Z"},
      {"nodejs14.x", "2023-12-04T00:00:00Z"},    {"nodejs16.x", "2024-06-12T00:00:00Z"},
      {"nodejs18.x", "2025-09-01T00:00:00Z"},    {"nodejs20.x", "2026-04-30T00:00:00Z"},
      {"python2.7", "2021-07-15T00:00:00Z"},     {"python3.6", "2022-07-18T00:00:00Z"},
      {"python3.7", "2023-12-04T00:00:00Z"},     {"python3.8", "2024-10-14T00:00:00Z"},
      {"python3.9", "2025-12-15T00:00:00Z"},     {"ruby2.5", "2021-07-30T00:00:00Z"},
      {"ruby2.7", "2023-12-07T00:00:00Z"},       {"ruby3.2", "2026-03-31T00:00:00Z"},
      {"java8", "2024-01-08T00:00:00Z"},         {"go1.x", "2024-01-08T00:00:00Z"},
      {"provided", "2024-01-08T00:00:00Z"},      {"dotnetcore1.0", "2019-07-30T00:00:00Z"},
      {"dotnetcore2.0", "2019-05-30T00:00:00Z"}, {"dotnetcore2.1", "2022-01-05T00:00:00Z"},
      {"dotnetcore3.1", "2023-04-03T00:00:00Z"}, {"dotnet5.0", "2022-05-10T00:00:00Z"},
      {"dotnet6", "2024-12-20T00:00:00Z"},       {"dotnet7", "2024-05-14T00:00:00Z"},
  };
  for (const auto& [name, date] : kDeprecated) {
    if (name == runtime) return ParseIsoTime(date);
  }
  return std::nullopt;
}

std::optional<int64_t> AgeDays(std::string_view iso_time, int64_t now_ms) {
  auto t = ParseIsoTime(iso_time);
  if (!t) return std::nullopt;
  return (now_ms - *t) / 86'400'000LL;
}

std::optional<std::string> TagValue(const aws::Tags& tags, std::string_view key) {
  for (const auto& [k, v] : tags) {
    if (k == key) return v;
  }
  return std::nullopt;
}

}  // namespace cloudward::prepare
