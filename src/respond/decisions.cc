#include "respond/decisions.h"

#include <algorithm>
#include <set>

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

bool ValidInstanceId(std::string_view id) {
  if (!id.starts_with("i-")) return false;
  std::string_view hex = id.substr(2);
  if (hex.size() != 8 && hex.size() != 17) return false;
  return std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

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

}  // namespace cloudward::respond
