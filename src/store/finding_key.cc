#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "store/incident_store.h"

namespace cloudward::store {
namespace {

std::string Sha256Hex(std::string_view data, size_t hex_digits) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length && out.size() < hex_digits; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// Fields are length-prefixed so that no choice of values can make two identities collide.
void Field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

}  // namespace

std::string FindingKey(const Finding& f) {
  std::string identity;
  Field(identity, f.rule.id);
  if (!f.group.empty()) {
    auto group = f.group;
    std::sort(group.begin(), group.end());
    Field(identity, "group");
    for (const auto& [k, v] : group) {
      Field(identity, k);
      Field(identity, v);
    }
    Field(identity, std::to_string(f.context.time_ms));
  } else if (!f.context.event_id.empty()) {
    Field(identity, LogTypeName(f.log_type));
    Field(identity, f.context.event_id);
  } else {
    const size_t slash = f.source_file.find_last_of('/');
    Field(identity, slash == std::string::npos ? f.source_file : f.source_file.substr(slash + 1));
    Field(identity, std::to_string(f.source_offset));
    Field(identity, Sha256Hex(f.record, 64));
  }
  return Sha256Hex(identity, 32);
}

std::string JournalHash(const std::string& prev_hash, const IncidentEvent& e) {
  std::string content;
  Field(content, "cloudward-journal-v1");
  Field(content, prev_hash);
  Field(content, e.incident_id);
  Field(content, std::to_string(e.time_ms));
  Field(content, e.author);
  Field(content, e.kind);
  Field(content, e.text);
  Field(content, e.data);
  return Sha256Hex(content, 64);
}

JournalCheck VerifyJournal(const std::vector<IncidentEvent>& events) {
  JournalCheck check;
  std::string prev;
  bool chained = false;
  for (const auto& e : events) {
    if (e.hash.empty() && !chained) {  // written before the chain existed (schema < 3)
      ++check.unchained;
      continue;
    }
    chained = true;
    if (e.prev_hash != prev) {
      check.broken_at = e.id;
      check.reason = "entry " + std::to_string(e.id) + " does not follow the entry before it (an entry was removed, "
                     "inserted or reordered)";
      return check;
    }
    if (JournalHash(prev, e) != e.hash) {
      check.broken_at = e.id;
      check.reason = "entry " + std::to_string(e.id) + " was changed after it was written (its hash does not match)";
      return check;
    }
    prev = e.hash;
    ++check.verified;
  }
  check.head = prev;
  return check;
}

}  // namespace cloudward::store
