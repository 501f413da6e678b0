#include "respond/decisions.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "aws/sigv4_signer.h"
#include "core/time.h"

namespace cloudward::respond {
namespace {

bool SameSet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::set<std::string>(a.begin(), a.end()) == std::set<std::string>(b.begin(), b.end());
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "(none)" : out;
}

bool Same(const aws::s3::PublicAccessBlock& a, const aws::s3::PublicAccessBlock& b) {
  return a.block_public_acls == b.block_public_acls && a.ignore_public_acls == b.ignore_public_acls &&
         a.block_public_policy == b.block_public_policy && a.restrict_public_buckets == b.restrict_public_buckets;
}

}  // namespace

bool ValidAccessKeyId(std::string_view id) {
  if (id.size() < 16 || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

namespace {
// PREFIX followed by 8 or 17 lower-case hex digits, the form of EC2 resource ids.
bool ValidEc2Id(std::string_view id, std::string_view prefix) {
  if (!id.starts_with(prefix)) return false;
  std::string_view hex = id.substr(prefix.size());
  if (hex.size() != 8 && hex.size() != 17) return false;
  return std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
}  // namespace

bool ValidInstanceId(std::string_view id) { return ValidEc2Id(id, "i-"); }
bool ValidSnapshotId(std::string_view id) { return ValidEc2Id(id, "snap-"); }
bool ValidImageId(std::string_view id) { return ValidEc2Id(id, "ami-"); }
bool ValidSecurityGroupId(std::string_view id) { return ValidEc2Id(id, "sg-"); }

bool ValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

Result<std::optional<std::string>> AccessKeyRestore(std::string_view prior_status, std::string_view current_status) {
  if (prior_status != "Active") {
    return Fail(ErrorCode::kInvalidArgument, "the key was " + std::string(prior_status) + " before; nothing to restore");
  }
  if (current_status == "Inactive") return std::optional<std::string>("Active");
  if (current_status == "Active") return std::optional<std::string>();
  if (current_status.empty()) return Fail(ErrorCode::kConflict, "the key no longer exists; it cannot be re-activated");
  return Fail(ErrorCode::kConflict, "the key is now " + std::string(current_status));
}

std::vector<InterfaceGroups> InterfacesToIsolate(const std::vector<InterfaceGroups>& current,
                                                 const std::string& quarantine_group) {
  std::vector<InterfaceGroups> out;
  for (const auto& eni : current) {
    if (eni.groups != std::vector<std::string>{quarantine_group}) out.push_back(eni);
  }
  return out;
}

Result<std::vector<InterfaceGroups>> InterfacesToRestore(const std::vector<InterfaceGroups>& prior,
                                                         const std::vector<InterfaceGroups>& current,
                                                         const std::string& quarantine_group) {
  std::vector<InterfaceGroups> out;
  std::vector<std::string> problems;
  for (const auto& before : prior) {
    auto now = std::find_if(current.begin(), current.end(), [&](const auto& c) { return c.id == before.id; });
    if (now == current.end()) {
      problems.push_back(before.id + " no longer exists");
    } else if (now->groups == std::vector<std::string>{quarantine_group}) {
      out.push_back(before);
    } else if (!SameSet(now->groups, before.groups)) {
      problems.push_back(before.id + " now has groups " + Join(now->groups) + " (isolated: " + quarantine_group +
                         ", before: " + Join(before.groups) + ")");
    }
  }
  if (!problems.empty()) {
    std::string message = "changed since isolation, restoring would clobber it: ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    return Fail(ErrorCode::kConflict, message);
  }
  return out;
}

bool FullyBlocked(const aws::s3::PublicAccessBlock& c) {
  return c.block_public_acls && c.ignore_public_acls && c.block_public_policy && c.restrict_public_buckets;
}

std::string Describe(const aws::s3::PublicAccessBlock& c) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  return std::string("BlockPublicAcls=") + b(c.block_public_acls) + ", IgnorePublicAcls=" + b(c.ignore_public_acls) +
         ", BlockPublicPolicy=" + b(c.block_public_policy) + ", RestrictPublicBuckets=" + b(c.restrict_public_buckets);
}

Result<PublicAccessRestore> PublicAccessBlockRestore(const std::optional<aws::s3::PublicAccessBlock>& prior,
                                                     const std::optional<aws::s3::PublicAccessBlock>& current) {
  bool current_is_prior = prior ? (current && Same(*current, *prior)) : !current;
  if (current_is_prior) return PublicAccessRestore::kNothing;
  if (!current || !FullyBlocked(*current)) {
    return Fail(ErrorCode::kConflict, "the bucket's public access block changed since it was applied (now " +
                                          (current ? Describe(*current) : std::string("none")) +
                                          "); restoring would clobber that change");
  }
  return prior ? PublicAccessRestore::kPut : PublicAccessRestore::kDelete;
}


Result<PrincipalName> ParsePrincipal(std::string_view target) {
  if (target.empty()) return Fail(ErrorCode::kInvalidArgument, "no principal given");
  std::string t(target);
  auto last = [](std::string_view s) { return std::string(s.substr(s.rfind('/') + 1)); };
  if (t.starts_with("arn:")) {
    // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
    size_t pos = 0;
    for (int i = 0; i < 5 && pos != std::string::npos; ++i) pos = t.find(':', pos + 1);
    if (pos == std::string::npos) return Fail(ErrorCode::kInvalidArgument, "'" + t + "' is not an ARN");
    std::string_view resource = std::string_view(t).substr(pos + 1);
    if (resource.starts_with("role/") && resource.size() > 5) return PrincipalName{"role", last(resource)};
    if (resource.starts_with("user/") && resource.size() > 5) return PrincipalName{"user", last(resource)};
    if (resource.starts_with("assumed-role/")) {
      std::string_view rest = resource.substr(13);
      size_t slash = rest.find('/');
      std::string role(rest.substr(0, slash));
      if (!role.empty()) return PrincipalName{"role", role};
    }
    return Fail(ErrorCode::kInvalidArgument, "'" + t + "' is not an IAM role, user or assumed-role ARN");
  }
  bool ok = std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
  if (!ok || t.size() > 128) return Fail(ErrorCode::kInvalidArgument, "'" + t + "' is not an IAM role or user name");
  return PrincipalName{"", t};
}

std::string RevokeSessionsPolicy(int64_t revoke_ms) {
  nlohmann::json doc = {
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Sid", "CloudwardRevokeOlderSessions"},
         {"Effect", "Deny"},
         {"Action", "*"},
         {"Resource", "*"},
         {"Condition", {{"DateLessThan", {{"aws:TokenIssueTime", FormatIsoTime(revoke_ms - revoke_ms % 1000)}}}}}}}}};
  return doc.dump();
}

std::optional<int64_t> RevocationTime(std::string_view policy_document) {
  auto doc = nlohmann::json::parse(policy_document, nullptr, false);
  if (!doc.is_object() || !doc.contains("Statement") || !doc["Statement"].is_array() || doc["Statement"].size() != 1) {
    return std::nullopt;
  }
  const auto& st = doc["Statement"][0];
  if (!st.is_object() || st.value("Sid", "") != "CloudwardRevokeOlderSessions") return std::nullopt;
  const auto* cond = st.contains("Condition") ? &st["Condition"] : nullptr;
  if (!cond || !cond->is_object() || !cond->contains("DateLessThan")) return std::nullopt;
  const auto& dlt = (*cond)["DateLessThan"];
  if (!dlt.is_object() || !dlt.contains("aws:TokenIssueTime") || !dlt["aws:TokenIssueTime"].is_string()) {
    return std::nullopt;
  }
  return ParseIsoTime(dlt["aws:TokenIssueTime"].get<std::string>());
}

std::string DenyAllPolicy() {
  nlohmann::json doc = {
      {"Version", "2012-10-17"},
      {"Statement", {{{"Sid", "CloudwardDenyAll"}, {"Effect", "Deny"}, {"Action", "*"}, {"Resource", "*"}}}}};
  return doc.dump();
}

bool SamePolicy(std::string_view a, std::string_view b) {
  auto ja = nlohmann::json::parse(a, nullptr, false), jb = nlohmann::json::parse(b, nullptr, false);
  if (ja.is_discarded() || jb.is_discarded()) return a == b;
  return ja == jb;
}

Result<std::string> NormalizeCidr(std::string_view text) {
  std::string t(text);
  auto bad = [&](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument, "'" + t + "' is not an IP address or CIDR: " + why);
  };
  size_t slash = t.find('/');
  std::string addr = t.substr(0, slash);
  bool v6 = addr.find(':') != std::string::npos;
  unsigned char buf[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), buf) != 1) return bad("bad address");
  int max = v6 ? 128 : 32, prefix = max;
  if (slash != std::string::npos) {
    std::string p = t.substr(slash + 1);
    if (p.empty() || p.size() > 3 || !std::all_of(p.begin(), p.end(), ::isdigit)) return bad("bad prefix length");
    prefix = std::stoi(p);
    if (prefix > max) return bad("prefix longer than " + std::to_string(max));
  }
  if (prefix == 0) {
    return Fail(ErrorCode::kInvalidArgument, "'" + t + "' is every address; blocking it would cut all traffic");
  }
  // AWS wants the network address: clear the host bits.
  for (int bit = prefix; bit < max; ++bit) buf[bit / 8] &= static_cast<unsigned char>(~(0x80 >> (bit % 8)));
  char out[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, buf, out, sizeof out);
  return std::string(out) + "/" + std::to_string(prefix);
}

std::optional<int> FreeRuleNumber(const std::vector<aws::ec2::NetworkAclEntry>& entries, bool egress) {
  std::set<int> used;
  for (const auto& e : entries) {
    if (e.egress == egress) used.insert(e.rule_number);
  }
  for (int n = 1; n <= 32766; ++n) {
    if (!used.contains(n)) return n;
  }
  return std::nullopt;
}

std::optional<int> FirstAllow(const std::vector<aws::ec2::NetworkAclEntry>& entries, bool egress) {
  std::optional<int> first;
  for (const auto& e : entries) {
    // 32767 is the implicit final deny "*" rule AWS lists.
    if (e.egress != egress || e.rule_action != "allow" || e.rule_number > 32766) continue;
    if (!first || e.rule_number < *first) first = e.rule_number;
  }
  return first;
}

std::optional<int> EffectiveDeny(const std::vector<aws::ec2::NetworkAclEntry>& entries, bool egress,
                                 const std::string& cidr) {
  auto allow = FirstAllow(entries, egress);
  for (const auto& e : entries) {
    if (e.egress == egress && e.rule_action == "deny" && e.cidr == cidr && (e.protocol == "-1" || e.protocol == "all") &&
        (!allow || e.rule_number < *allow)) {
      return e.rule_number;
    }
  }
  return std::nullopt;
}

namespace {

// The account of an IAM principal entry ("123456789012" or "arn:aws:iam::123456789012:role/x");
// "" when it names none (a service, a canonical user id, a malformed entry).
std::string PrincipalAccount(const std::string& entry) {
  auto digits = [](std::string_view s) {
    return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (digits(entry)) return entry;
  if (!entry.starts_with("arn:")) return "";
  size_t pos = 0;
  for (int i = 0; i < 4 && pos != std::string::npos; ++i) pos = entry.find(':', pos + 1);
  if (pos == std::string::npos) return "";
  size_t end = entry.find(':', pos + 1);
  std::string account = entry.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
  return digits(account) ? account : "";
}

bool IsEveryone(const nlohmann::json& principal) {
  if (principal.is_string()) return principal == "*";
  if (!principal.is_object()) return false;
  auto aws = principal.find("AWS");
  if (aws == principal.end()) return false;
  if (aws->is_string()) return *aws == "*";
  if (aws->is_array()) return std::any_of(aws->begin(), aws->end(), [](const auto& v) { return v == "*"; });
  return false;
}

bool HasCondition(const nlohmann::json& statement) {
  auto c = statement.find("Condition");
  return c != statement.end() && !c->is_null() && !c->empty();
}

bool IsAclDocument(const pugi::xml_node& root) {
  return std::string_view(root.name()) == "AccessControlPolicy" && root.child("AccessControlList");
}

// "AllUsers" / "AuthenticatedUsers" for a public group grantee, else "".
std::string PublicGroup(const pugi::xml_node& grant) {
  std::string uri = grant.child("Grantee").child("URI").text().as_string();
  for (const char* group : {"AllUsers", "AuthenticatedUsers"}) {
    if (uri.ends_with(std::string("/global/") + group)) return group;
  }
  return "";
}

}  // namespace

Result<BucketPolicyCleanup> WithoutPublicStatements(std::string_view policy, std::string_view owner_account) {
  auto doc = nlohmann::json::parse(policy, nullptr, false);
  if (!doc.is_object() || !doc.contains("Statement")) {
    return Fail(ErrorCode::kMalformed, "the bucket policy is not a policy document");
  }
  nlohmann::json statements =
      doc["Statement"].is_array() ? doc["Statement"] : nlohmann::json::array({doc["Statement"]});
  BucketPolicyCleanup out;
  nlohmann::json kept = nlohmann::json::array();
  for (size_t i = 0; i < statements.size(); ++i) {
    nlohmann::json st = statements[i];
    if (!st.is_object()) return Fail(ErrorCode::kMalformed, "statement " + std::to_string(i + 1) + " is not an object");
    std::string name = "statement " + (st.value("Sid", "").empty() ? std::to_string(i + 1) : st.value("Sid", ""));
    if (st.value("Effect", "") != "Allow") {
      kept.push_back(std::move(st));
      continue;
    }
    const char* key = st.contains("NotPrincipal") ? "NotPrincipal" : "Principal";
    if (!st.contains(key)) {
      kept.push_back(std::move(st));
      continue;
    }
    nlohmann::json& principal = st[key];
    if (IsEveryone(principal) || std::string_view(key) == "NotPrincipal") {
      if (HasCondition(st)) {
        out.kept_conditional.push_back(name);
        kept.push_back(std::move(st));
      } else {
        out.removed.push_back(name + ": " + key + " " + principal.dump());
      }
      continue;
    }
    auto aws = principal.is_object() ? principal.find("AWS") : principal.end();
    if (principal.is_object() && aws != principal.end()) {
      nlohmann::json entries = aws->is_array() ? *aws : nlohmann::json::array({*aws});
      nlohmann::json own = nlohmann::json::array();
      std::vector<std::string> foreign;
      for (const auto& e : entries) {
        std::string account = e.is_string() ? PrincipalAccount(e.get<std::string>()) : "";
        if (!account.empty() && account != owner_account) {
          foreign.push_back(e.get<std::string>());
        } else {
          own.push_back(e);
        }
      }
      if (!foreign.empty()) {
        std::string list;
        for (const auto& f : foreign) list += (list.empty() ? "" : ", ") + f;
        out.removed.push_back(name + ": other accounts' principals " + list);
        if (own.empty()) {
          principal.erase("AWS");
        } else {
          *aws = own.size() == 1 ? own[0] : own;
        }
        if (principal.empty()) continue;  // nothing left to grant to: the statement goes
      }
    }
    kept.push_back(std::move(st));
  }
  if (!out.removed.empty() && !kept.empty()) {
    doc["Statement"] = std::move(kept);
    out.policy = doc.dump();
  } else if (out.removed.empty()) {
    out.policy = std::string(policy);
  }
  return out;
}

Result<std::string> AclWithoutPublicGrants(std::string_view acl_xml, std::vector<std::string>* removed) {
  pugi::xml_document doc;
  if (!doc.load_buffer(acl_xml.data(), acl_xml.size()) || !IsAclDocument(doc.document_element())) {
    return Fail(ErrorCode::kMalformed, "the bucket ACL is not an AccessControlPolicy document");
  }
  pugi::xml_node list = doc.document_element().child("AccessControlList");
  for (pugi::xml_node grant = list.child("Grant"); grant;) {
    pugi::xml_node next = grant.next_sibling("Grant");
    if (std::string group = PublicGroup(grant); !group.empty()) {
      removed->push_back(group + " " + grant.child("Permission").text().as_string());
      list.remove_child(grant);
    }
    grant = next;
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

Result<std::vector<std::string>> AclGrants(std::string_view acl_xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(acl_xml.data(), acl_xml.size()) || !IsAclDocument(doc.document_element())) {
    return Fail(ErrorCode::kMalformed, "the bucket ACL is not an AccessControlPolicy document");
  }
  std::vector<std::string> out;
  for (pugi::xml_node grant : doc.document_element().child("AccessControlList").children("Grant")) {
    pugi::xml_node grantee = grant.child("Grantee");
    std::string who = grantee.child("URI").text().as_string();
    if (who.empty()) who = grantee.child("ID").text().as_string();
    if (who.empty()) who = grantee.child("EmailAddress").text().as_string();
    out.push_back(who + " " + grant.child("Permission").text().as_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// -- capture-instance-evidence, replace-instance-profile, stop-instance, terminate-instance
std::optional<std::string> DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  size_t digits = 0, padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int v = value(c);
    if (v < 0 || padding > 0) return std::nullopt;  // not base64, or data after the padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++digits % 4 == 0) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
    }
  }
  size_t rest = digits % 4;
  if (rest == 1 || padding > 2 || (padding > 0 && (rest + padding) % 4 != 0)) return std::nullopt;
  if (rest == 2) {
    out.push_back(static_cast<char>((bits >> 4) & 0xff));
  } else if (rest == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xff));
    out.push_back(static_cast<char>((bits >> 2) & 0xff));
  }
  return out;
}

BoundedText KeepTail(std::string_view bytes, size_t limit) {
  BoundedText out;
  out.bytes = bytes.size();
  out.sha256 = aws::Sha256Hex(bytes);
  size_t start = bytes.size() > limit ? bytes.size() - limit : 0;
  // Start on a character, not inside one cut in half.
  for (int i = 0; i < 3 && start > 0 && start < bytes.size() && (static_cast<unsigned char>(bytes[start]) & 0xc0) == 0x80; ++i) {
    ++start;
  }
  out.kept_bytes = bytes.size() - start;
  const std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
  std::string& text = out.text;
  text.reserve(out.kept_bytes);
  size_t i = start;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
      if (control) {
        text += kReplacement;
      } else {
        text.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // The length of the sequence and the range of its second byte (RFC 3629: no overlong forms,
    // no surrogates, nothing above U+10FFFF).
    size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      length = 3;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      length = 4;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    }
    bool valid = length > 0 && i + length <= bytes.size();
    for (size_t k = 1; valid && k < length; ++k) {
      unsigned char b = static_cast<unsigned char>(bytes[i + k]);
      valid = k == 1 ? (b >= low && b <= high) : (b & 0xc0) == 0x80;
    }
    if (valid) {
      text.append(bytes.substr(i, length));
      i += length;
    } else {
      text += kReplacement;
      ++i;
    }
  }
  return out;
}

std::vector<std::string> VolumesWithoutSnapshot(const std::vector<std::string>& volumes,
                                                const std::vector<aws::ec2::Snapshot>& snapshots) {
  std::vector<std::string> out;
  for (const auto& volume : volumes) {
    bool has = std::any_of(snapshots.begin(), snapshots.end(), [&](const aws::ec2::Snapshot& s) {
      return s.volume_id == volume && s.state != "error";
    });
    if (!has && std::find(out.begin(), out.end(), volume) == out.end()) out.push_back(volume);
  }
  return out;
}

std::string InstanceProfileName(std::string_view arn_or_name) {
  if (!arn_or_name.starts_with("arn:")) return std::string(arn_or_name);
  size_t at = arn_or_name.find(":instance-profile/");
  if (at == std::string_view::npos) return "";
  std::string_view path = arn_or_name.substr(at + std::string_view(":instance-profile/").size());
  return std::string(path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1));
}

Result<ProfileRestore> InstanceProfileRestore(std::string_view prior, std::string_view quarantine,
                                              std::string_view current) {
  if (current == prior) return ProfileRestore::kNothing;
  if (current.empty()) return ProfileRestore::kAssociate;
  if (!quarantine.empty() && current == quarantine) return ProfileRestore::kReplace;
  return Fail(ErrorCode::kConflict,
              "the instance now has instance profile " + std::string(current) + ", not " +
                  (quarantine.empty() ? std::string("none (as apply left it)")
                                      : std::string(quarantine) + " (as apply left it)") +
                  "; restoring " + std::string(prior) + " would clobber that");
}

Result<bool> StartAfterStop(std::string_view prior, std::string_view current) {
  if (prior != "running") return false;
  if (current == "stopped") return true;
  if (current == "running" || current == "pending") return false;
  if (current == "stopping") {
    return Fail(ErrorCode::kConflict, "the instance is still stopping; roll back once it is stopped");
  }
  return Fail(ErrorCode::kConflict, "the instance is " + (current.empty() ? std::string("gone") : std::string(current)) +
                                        "; it cannot be started again");
}

}  // namespace cloudward::respond
