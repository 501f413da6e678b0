#include "detect/ioc.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/text.h"

namespace cloudward::detect {
namespace {

using simdjson::dom::element;

constexpr size_t kMaxLine = 4096;
constexpr size_t kMaxDomain = 253;
constexpr int kMaxDepth = 8;  // of requestParameters searched for host names
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";  // ignored at the start of any line

char Lower(char c) { return 'A' <= c && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
bool IsDigit(char c) { return '0' <= c && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || ('a' <= Lower(c) && Lower(c) <= 'f'); }
bool IsAlnum(char c) { return IsDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool IsHostChar(char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view lower_needle) {
  if (lower_needle.empty()) return true;
  if (haystack.size() < lower_needle.size()) return false;
  const size_t last = haystack.size() - lower_needle.size();
  for (size_t i = 0; i <= last; ++i) {
    if (Lower(haystack[i]) != lower_needle[0]) continue;
    size_t j = 1;
    while (j < lower_needle.size() && Lower(haystack[i + j]) == lower_needle[j]) ++j;
    if (j == lower_needle.size()) return true;
  }
  return false;
}

// 128-bit helpers. Prefix p keeps the p leading bits.
IpAddress Mask(int prefix) {
  IpAddress m;
  if (prefix >= 64) {
    m.hi = ~0ULL;
    m.lo = prefix >= 128 ? ~0ULL : (prefix == 64 ? 0 : ~0ULL << (128 - prefix));
  } else {
    m.hi = prefix <= 0 ? 0 : ~0ULL << (64 - prefix);
  }
  return m;
}

IpAddress FromBytes(const unsigned char* b) {
  IpAddress a;
  for (int i = 0; i < 8; ++i) a.hi = (a.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) a.lo = (a.lo << 8) | b[i];
  return a;
}

void ToBytes(const IpAddress& a, unsigned char* b) {
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(a.hi >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(a.lo >> (56 - 8 * i));
}

constexpr uint64_t kMappedHi = 0;
constexpr uint64_t kMappedLo = 0x0000ffff00000000ULL;

bool IsMapped(const IpAddress& a) { return a.hi == kMappedHi && (a.lo >> 32) == 0xffff; }

// Parses an address; *v4 tells whether it was written as IPv4.
std::optional<IpAddress> ParseAddress(std::string_view text, bool* v4) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char bytes[16];
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, bytes) != 1) return std::nullopt;
    if (v4 != nullptr) *v4 = true;
    IpAddress a;
    a.hi = kMappedHi;
    a.lo = kMappedLo | (uint64_t{bytes[0]} << 24) | (uint64_t{bytes[1]} << 16) |
           (uint64_t{bytes[2]} << 8) | bytes[3];
    return a;
  }
  if (inet_pton(AF_INET6, buf, bytes) != 1) return std::nullopt;
  if (v4 != nullptr) *v4 = false;
  return FromBytes(bytes);
}

// A host name taken from a field value: a URL's host, an e-mail address's domain, or the value
// itself; port and one trailing dot removed. Empty when the value holds no host name.
std::string_view ExtractHost(std::string_view s) {
  // Most values (names, ids, ARNs without a host) have no dot: the cheapest test comes first.
  if (s.size() < 3 || s.size() > 2048 || s.find('.') == std::string_view::npos) return {};
  if (size_t scheme = s.find("://"); scheme != std::string_view::npos) {
    for (size_t i = 0; i < scheme; ++i) {
      if (!IsAlnum(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.') return {};
    }
    s.remove_prefix(scheme + 3);
  }
  s = s.substr(0, s.find_first_of("/?#"));
  if (size_t at = s.rfind('@'); at != std::string_view::npos) s.remove_prefix(at + 1);
  if (size_t colon = s.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) return {};
    s = s.substr(0, colon);
  }
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > kMaxDomain || s.find('.') == std::string_view::npos) return {};
  if (!std::all_of(s.begin(), s.end(), IsHostChar)) return {};
  return s;
}

// The value at a dotted path, or an invalid element.
bool At(element e, std::string_view path, element* out) {
  while (true) {
    const size_t dot = path.find('.');
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) return false;
    if (obj.at_key(path.substr(0, dot)).get(e) != simdjson::SUCCESS) return false;
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  *out = e;
  return true;
}

std::string_view StringAt(element e, std::string_view path) {
  element v;
  std::string_view s;
  if (!At(e, path, &v) || v.get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

void AddHit(std::vector<IocHit>& hits, const IocHit& hit) {
  for (const IocHit& h : hits) {
    if (h.indicator == hit.indicator && h.field == hit.field && h.key == hit.key && h.value == hit.value) {
      return;
    }
  }
  hits.push_back(hit);
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Reasons a domain list entry is malformed; empty when it is fine. `out` gets the canonical form.
std::string CheckDomain(std::string_view d, std::string* out) {
  if (d.find("://") != std::string_view::npos) {
    const std::string_view host = ExtractHost(d);
    return host.empty() ? "a URL, not a domain" : "a URL, not a domain: write its host name " + std::string(host);
  }
  if (d.starts_with("*.")) {
    d.remove_prefix(2);
  } else if (d.starts_with(".")) {
    d.remove_prefix(1);
  }
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty()) return "no domain";
  if (d.size() > kMaxDomain) return "longer than 253 characters";
  if (ParseAddress(d, nullptr)) return "an IP address: put it in an ioc.ips list";
  for (char c : d) {
    if (!IsHostChar(c)) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        return "character not allowed in a domain (only letters, digits, '-', '_' and '.'; "
               "write internationalised names in their xn-- form)";
      }
      return std::string("character '") + c + "' not allowed in a domain";
    }
  }
  int labels = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = d.find('.', start);
    const size_t len = (dot == std::string_view::npos ? d.size() : dot) - start;
    if (len == 0) return "empty label (two dots in a row)";
    if (len > 63) return "a label longer than 63 characters";
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) {
    return "a single label would match every domain under it; give at least two labels "
           "(example.com)";
  }
  out->resize(d.size());
  std::transform(d.begin(), d.end(), out->begin(), Lower);
  return {};
}

std::string CheckAccessKey(std::string_view k, std::string* out) {
  if (k.size() < 16 || k.size() > 128) return "an access key id has 16 to 128 characters";
  for (char c : k) {
    if (!IsDigit(c) && !('A' <= c && c <= 'Z')) {
      return "an access key id has only upper-case letters and digits (AKIA..., ASIA...)";
    }
  }
  *out = std::string(k);
  return {};
}

std::string CheckUserAgent(std::string_view u, std::string* out) {
  if (u.size() < 3) return "a user-agent substring needs at least 3 characters";
  for (char c : u) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "control character in a user agent";
  }
  out->resize(u.size());
  std::transform(u.begin(), u.end(), out->begin(), Lower);
  return {};
}

constexpr std::string_view kAmiPrefix = "ami-";
constexpr size_t kMaxAmi = 21;  // "ami-" and 17 hex digits

std::string CheckAmi(std::string_view a, std::string* out) {
  if (!EqualsIgnoreCase(a.substr(0, kAmiPrefix.size()), kAmiPrefix)) {
    if (const size_t image = a.find(":image/"); image != std::string_view::npos) {
      return "an image ARN, not an AMI id: write " + std::string(a.substr(image + 7));
    }
    return "an AMI id starts with ami-";
  }
  const std::string_view digits = a.substr(kAmiPrefix.size());
  if ((digits.size() != 8 && digits.size() != 17) || !std::all_of(digits.begin(), digits.end(), IsHexDigit)) {
    return "an AMI id is ami- followed by 8 or 17 hexadecimal digits";
  }
  out->resize(a.size());
  std::transform(a.begin(), a.end(), out->begin(), Lower);
  return {};
}

// Reads "[.]" as "." so that defanged indicators load.
std::string_view Refang(std::string_view s, std::string* buffer) {
  if (s.find("[.]") == std::string_view::npos) return s;
  buffer->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "[.]") == 0) {
      *buffer += '.';
      i += 2;
    } else {
      *buffer += s[i];
    }
  }
  return *buffer;
}

}  // namespace

std::string_view IocKindName(IocKind kind) {
  switch (kind) {
    case IocKind::kIp: return "ip";
    case IocKind::kDomain: return "domain";
    case IocKind::kAccessKey: return "access-key";
    case IocKind::kUserAgent: return "user-agent";
    case IocKind::kAmi: return "ami";
  }
  return "ip";
}

std::string IocProblem::ToString() const {
  if (line == 0) return file + ": " + reason;
  return file + ":" + std::to_string(line) + ": " + reason;
}

// ---- addresses ----

std::optional<IpAddress> ParseIpAddress(std::string_view text) { return ParseAddress(text, nullptr); }

std::optional<IpRange> ParseIpRange(std::string_view text, std::string* reason) {
  auto fail = [&](std::string why) -> std::optional<IpRange> {
    if (reason != nullptr) *reason = std::move(why);
    return std::nullopt;
  };
  const size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  bool v4 = false;
  const auto address = ParseAddress(address_text, &v4);
  if (!address) {
    if (address_text.find('%') != std::string_view::npos) return fail("zone ids (%) are not allowed in addresses");
    return fail("not an IPv4 or IPv6 address or CIDR");
  }
  const int width = v4 ? 32 : 128;
  int prefix = width;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), IsDigit)) {
      return fail("the prefix length after '/' must be a number");
    }
    prefix = 0;
    for (char c : digits) prefix = prefix * 10 + (c - '0');
    if (prefix > width) {
      return fail("prefix /" + std::string(digits) + " is longer than " + std::to_string(width) +
                  " bits");
    }
    if (prefix == 0) return fail("prefix /0 would match every address");
  }
  IpRange r;
  r.v4 = v4;
  r.prefix = prefix + (v4 ? 96 : 0);
  const IpAddress mask = Mask(r.prefix);
  r.first = {address->hi & mask.hi, address->lo & mask.lo};
  r.last = {r.first.hi | ~mask.hi, r.first.lo | ~mask.lo};
  if (r.first != *address) {
    IpRange network = r;  // the network address alone, then the prefix as written
    network.prefix = 128;
    return fail("host bits set after the prefix; the network is " + FormatIpRange(network) + "/" +
                std::to_string(prefix));
  }
  if (!r.v4 && r.prefix > 96 && IsMapped(r.first)) r.v4 = true;  // ::ffff:a.b.c.d is a.b.c.d
  return r;
}

std::string FormatIpRange(const IpRange& range) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (range.v4) {
    const uint32_t a = static_cast<uint32_t>(range.first.lo);
    std::string s = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
                    std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
    if (range.prefix < 128) s += "/" + std::to_string(range.prefix - 96);
    return s;
  }
  unsigned char bytes[16];
  ToBytes(range.first, bytes);
  inet_ntop(AF_INET6, bytes, buf, sizeof buf);
  std::string s = buf;
  if (range.prefix < 128) s += "/" + std::to_string(range.prefix);
  return s;
}

// ---- loading ----

bool IocSetBuilder::Canonical(IocKind kind, std::string_view text, std::string* canonical,
                              IpRange* range, std::string* reason) {
  switch (kind) {
    case IocKind::kIp: {
      auto r = ParseIpRange(text, reason);
      if (!r) return false;
      *range = *r;
      *canonical = FormatIpRange(*r);
      return true;
    }
    case IocKind::kDomain: *reason = CheckDomain(text, canonical); break;
    case IocKind::kAccessKey: *reason = CheckAccessKey(text, canonical); break;
    case IocKind::kUserAgent: *reason = CheckUserAgent(text, canonical); break;
    case IocKind::kAmi: *reason = CheckAmi(text, canonical); break;
  }
  return reason->empty();
}

IocListStats IocSetBuilder::AddText(IocKind kind, std::string_view list, std::string_view text,
                                    std::vector<IocProblem>* problems) {
  IocListStats stats;
  auto problem = [&](int line, std::string reason) {
    ++stats.malformed;
    if (problems != nullptr) problems->push_back({std::string(list), line, std::move(reason)});
  };
  std::string refang_buffer, canonical, reason;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const int number = ++stats.lines;
    line = Trim(line);
    // Every leading mark: one left behind would make an indicator that reads differently once
    // written back to a list.
    while (line.starts_with(kByteOrderMark)) line = Trim(line.substr(kByteOrderMark.size()));
    if (line.empty() || line.front() == '#') {
      ++stats.ignored;
      continue;
    }
    if (line.size() > kMaxLine) {
      problem(number, "line longer than " + std::to_string(kMaxLine) + " characters");
      continue;
    }
    if (line.find('\0') != std::string_view::npos) {
      problem(number, "NUL byte in the line");
      continue;
    }
    if (kind != IocKind::kUserAgent) {
      line = Trim(line.substr(0, line.find('#')));
      if (std::any_of(line.begin(), line.end(), IsSpace)) {
        problem(number, "more than one word: one indicator a line (comments start with #)");
        continue;
      }
      line = Refang(line, &refang_buffer);
    }
    IpRange range;
    canonical.clear();
    reason.clear();
    if (!Canonical(kind, line, &canonical, &range, &reason)) {
      problem(number, std::string(IocKindName(kind)) + " \"" +
                          std::string(line.substr(0, 80)) + "\": " + reason);
      continue;
    }
    std::string key(1, static_cast<char>('0' + static_cast<int>(kind)));
    key += canonical;
    if (!seen_.insert(std::move(key)).second) {
      ++stats.duplicates;
      continue;
    }
    const auto index = static_cast<uint32_t>(set_.indicators_.size());
    set_.indicators_.push_back({kind, canonical, std::string(list), number});
    ++set_.counts_[static_cast<int>(kind)];
    ++stats.indicators;
    switch (kind) {
      case IocKind::kIp: set_.ranges_.push_back({range, index, -1}); break;
      case IocKind::kDomain: set_.domains_.push_back({canonical, index}); break;
      case IocKind::kAccessKey: set_.access_keys_.push_back({canonical, index}); break;
      case IocKind::kUserAgent: set_.user_agents_.push_back({canonical, index}); break;
      case IocKind::kAmi: set_.amis_.push_back({canonical, index}); break;
    }
  }
  return stats;
}

std::optional<IocListStats> IocSetBuilder::AddFile(IocKind kind, const std::string& path,
                                                   std::vector<IocProblem>* problems) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    if (problems != nullptr) {
      problems->push_back({path, 0, "cannot read " + std::string(IocKindName(kind)) +
                                        " list: " + std::strerror(errno)});
    }
    return std::nullopt;
  }
  return AddText(kind, path, text.str(), problems);
}

IocSet IocSetBuilder::Build() && {
  auto& ranges = set_.ranges_;
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
    if (a.range.first != b.range.first) return a.range.first < b.range.first;
    return a.range.last > b.range.last;
  });
  // CIDRs nest or are disjoint: an open range that ends before this one starts is closed, and
  // the innermost still open contains this one.
  std::vector<int32_t> open;
  for (size_t i = 0; i < ranges.size(); ++i) {
    while (!open.empty() && ranges[open.back()].range.last < ranges[i].range.first) open.pop_back();
    ranges[i].parent = open.empty() ? -1 : open.back();
    open.push_back(static_cast<int32_t>(i));
  }
  auto by_text = [](const auto& a, const auto& b) { return a.text < b.text; };
  std::sort(set_.domains_.begin(), set_.domains_.end(), by_text);
  for (const auto& d : set_.domains_) set_.top_labels_.push_back(d.text.substr(d.text.rfind('.') + 1));
  std::sort(set_.top_labels_.begin(), set_.top_labels_.end());
  set_.top_labels_.erase(std::unique(set_.top_labels_.begin(), set_.top_labels_.end()), set_.top_labels_.end());
  std::sort(set_.access_keys_.begin(), set_.access_keys_.end(), by_text);
  std::sort(set_.amis_.begin(), set_.amis_.end(), by_text);
  seen_.clear();
  return std::move(set_);
}

// ---- lookups ----

const Indicator* IocSet::FindIp(const IpAddress& address) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                             [](const IpAddress& a, const RangeEntry& e) { return a < e.range.first; });
  if (it == ranges_.begin()) return nullptr;
  int32_t i = static_cast<int32_t>(it - ranges_.begin()) - 1;
  while (i >= 0) {
    if (address <= ranges_[i].range.last) return &indicators_[ranges_[i].indicator];
    i = ranges_[i].parent;
  }
  return nullptr;
}

const Indicator* IocSet::FindIp(std::string_view address) const {
  if (ranges_.empty() || address.empty()) return nullptr;
  const char c = address.front();
  if (!IsDigit(c) && !(('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') || c == ':')) return nullptr;
  const auto parsed = ParseAddress(address, nullptr);
  return parsed ? FindIp(*parsed) : nullptr;
}

const Indicator* IocSet::FindText(const std::vector<TextEntry>& entries, std::string_view text) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), text,
                             [](const TextEntry& e, std::string_view t) { return e.text < t; });
  if (it == entries.end() || it->text != text) return nullptr;
  return &indicators_[it->indicator];
}

const Indicator* IocSet::FindDomain(std::string_view host) const {
  if (domains_.empty()) return nullptr;
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > kMaxDomain) return nullptr;
  // Every indicator has two labels or more, so the host's last label must be one of theirs.
  const std::string_view top = host.substr(host.rfind('.') + 1);
  char top_lower[64];
  if (top.size() > sizeof top_lower) return nullptr;
  std::transform(top.begin(), top.end(), top_lower, Lower);
  if (!std::binary_search(top_labels_.begin(), top_labels_.end(), std::string_view(top_lower, top.size()))) {
    return nullptr;
  }
  char lower[kMaxDomain];
  for (size_t i = 0; i < host.size(); ++i) {
    if (!IsHostChar(host[i])) return nullptr;
    lower[i] = Lower(host[i]);
  }
  std::string_view candidate(lower, host.size());
  while (true) {
    if (const Indicator* found = FindText(domains_, candidate)) return found;
    const size_t dot = candidate.find('.');
    if (dot == std::string_view::npos) return nullptr;
    candidate.remove_prefix(dot + 1);
  }
}

const Indicator* IocSet::FindAccessKey(std::string_view key) const {
  if (access_keys_.empty() || key.empty()) return nullptr;
  return FindText(access_keys_, key);
}

const Indicator* IocSet::FindUserAgent(std::string_view user_agent) const {
  if (user_agent.empty() || user_agents_.empty()) return nullptr;
  char lower[1024];
  if (user_agent.size() > sizeof lower) {  // rare: compare case-insensitively in place
    for (const TextEntry& e : user_agents_) {
      if (ContainsIgnoreCase(user_agent, e.text)) return &indicators_[e.indicator];
    }
    return nullptr;
  }
  std::transform(user_agent.begin(), user_agent.end(), lower, Lower);
  const std::string_view haystack(lower, user_agent.size());
  for (const TextEntry& e : user_agents_) {
    if (haystack.find(e.text) != std::string_view::npos) return &indicators_[e.indicator];
  }
  return nullptr;
}

const Indicator* IocSet::FindAmi(std::string_view image_id) const {
  if (amis_.empty() || image_id.size() > kMaxAmi) return nullptr;
  char lower[kMaxAmi];
  std::transform(image_id.begin(), image_id.end(), lower, Lower);
  return FindText(amis_, std::string_view(lower, image_id.size()));
}

// ---- events ----

void IocSet::MatchIpField(std::string_view what, std::string_view field, std::string_view value,
                          std::vector<IocHit>& hits) const {
  if (const Indicator* found = FindIp(value)) {
    AddHit(hits, {IocKind::kIp, what, field, {}, value, found});
  }
}

void IocSet::MatchHostField(std::string_view field, std::string_view key, std::string_view value,
                            std::vector<IocHit>& hits) const {
  const std::string_view host = ExtractHost(value);
  if (host.empty()) return;
  if (const Indicator* found = FindDomain(host)) {
    AddHit(hits, {IocKind::kDomain, "domain", field, key, host, found});
  }
}

namespace {

// Calls `on_string(key, value, nested)` for every string under `e`, `key` being the member name
// holding it (for arrays, the array's).
template <class F>
void ForEachString(element e, std::string_view key, int depth, const F& on_string) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view value;
      if (e.get_string().get(value) == simdjson::SUCCESS) on_string(key, value, depth > 1);
      break;
    }
    case simdjson::dom::element_type::OBJECT:
      if (simdjson::dom::object object; depth < kMaxDepth && e.get_object().get(object) == simdjson::SUCCESS) {
        for (auto field : object) ForEachString(field.value, field.key, depth + 1, on_string);
      }
      break;
    case simdjson::dom::element_type::ARRAY:
      if (simdjson::dom::array array; depth < kMaxDepth && e.get_array().get(array) == simdjson::SUCCESS) {
        for (element item : array) ForEachString(item, key, depth + 1, on_string);
      }
      break;
    default: break;
  }
}

// The EC2 calls whose request names an image to launch from, to put in a launch template, to copy
// or to share (sorted, for binary search).
constexpr std::string_view kImageCalls[] = {
    "CopyImage", "CreateFleet", "CreateLaunchTemplate", "CreateLaunchTemplateVersion",
    "ModifyImageAttribute", "RequestSpotFleet", "RequestSpotInstances", "RunInstances"};
static_assert(std::is_sorted(std::begin(kImageCalls), std::end(kImageCalls)));

}  // namespace

void IocSet::MatchImages(element r, std::vector<IocHit>& hits) const {
  const std::string_view name = StringAt(r, "eventName");
  if (StringAt(r, "eventSource") != "ec2.amazonaws.com" ||
      !std::binary_search(std::begin(kImageCalls), std::end(kImageCalls), name)) {
    return;
  }
  auto match_under = [&](std::string_view path, std::string_view nested_path) {
    element e;
    if (!At(r, path, &e) || !e.is_object()) return;
    ForEachString(e, {}, 0, [&](std::string_view key, std::string_view value, bool nested) {
      if (!EqualsIgnoreCase(key, "imageid") && !EqualsIgnoreCase(key, "sourceimageid")) return;
      if (const Indicator* found = FindAmi(value)) {
        AddHit(hits, {IocKind::kAmi, "AMI", nested ? nested_path : path, key, value, found});
      }
    });
  };
  const size_t before = hits.size();
  match_under("requestParameters", "requestParameters.*");
  // A launch from a launch template (an Auto Scaling group's, say) names no image in its request;
  // RunInstances reports the image of every instance it started in responseElements.instancesSet.
  if (hits.size() == before && name == "RunInstances") match_under("responseElements", "responseElements.*");
}

void IocSet::MatchCloudTrail(const Event& event, std::vector<IocHit>& hits) const {
  const element r = event.Record();
  if (!ranges_.empty()) MatchIpField("source IP", "sourceIPAddress", StringAt(r, "sourceIPAddress"), hits);
  if (!access_keys_.empty()) {
    const std::string_view key = StringAt(r, "userIdentity.accessKeyId");
    if (const Indicator* found = FindAccessKey(key)) {
      AddHit(hits, {IocKind::kAccessKey, "access key", "userIdentity.accessKeyId", {}, key, found});
    }
  }
  if (!user_agents_.empty()) {
    const std::string_view agent = StringAt(r, "userAgent");
    if (const Indicator* found = FindUserAgent(agent)) {
      AddHit(hits, {IocKind::kUserAgent, "user agent", "userAgent", {}, agent, found});
    }
  }
  if (!domains_.empty()) {
    MatchHostField("tlsDetails.clientProvidedHostHeader", {},
                   StringAt(r, "tlsDetails.clientProvidedHostHeader"), hits);
    element params;
    if (At(r, "requestParameters", &params) && params.is_object()) {
      ForEachString(params, {}, 0, [&](std::string_view key, std::string_view value, bool nested) {
        MatchHostField(nested ? "requestParameters.*" : "requestParameters", key, value, hits);
      });
    }
  }
  if (!amis_.empty()) MatchImages(r, hits);
}

void IocSet::MatchVpcFlow(const Event& event, std::vector<IocHit>& hits) const {
  if (ranges_.empty()) return;
  const element r = event.Record();
  MatchIpField("source IP", "srcaddr", StringAt(r, "srcaddr"), hits);
  MatchIpField("destination IP", "dstaddr", StringAt(r, "dstaddr"), hits);
  MatchIpField("packet source IP", "pkt-srcaddr", StringAt(r, "pkt-srcaddr"), hits);
  MatchIpField("packet destination IP", "pkt-dstaddr", StringAt(r, "pkt-dstaddr"), hits);
}

void IocSet::MatchGuardDuty(const Event& event, std::vector<IocHit>& hits) const {
  const element r = event.Record();
  if (!ranges_.empty()) {
    static constexpr std::string_view kRemote[] = {
        "service.action.awsApiCallAction.remoteIpDetails",
        "service.action.networkConnectionAction.remoteIpDetails",
        "service.action.kubernetesApiCallAction.remoteIpDetails",
        "service.action.rdsLoginAttemptAction.remoteIpDetails"};
    auto match_details = [&](element details, std::string_view field) {
      for (std::string_view version : {"ipAddressV4", "ipAddressV6"}) {
        MatchIpField("remote IP", field, StringAt(details, version), hits);
      }
    };
    element details;
    for (std::string_view path : kRemote) {
      if (At(r, path, &details)) match_details(details, path);
    }
    element probes;
    simdjson::dom::array probe_list;
    if (At(r, "service.action.portProbeAction.portProbeDetails", &probes) &&
        probes.get_array().get(probe_list) == simdjson::SUCCESS) {
      for (element probe : probe_list) {
        if (At(probe, "remoteIpDetails", &details)) {
          match_details(details, "service.action.portProbeAction.portProbeDetails.remoteIpDetails");
        }
      }
    }
  }
  if (!access_keys_.empty()) {
    const std::string_view key = StringAt(r, "resource.accessKeyDetails.accessKeyId");
    if (const Indicator* found = FindAccessKey(key)) {
      AddHit(hits, {IocKind::kAccessKey, "access key", "resource.accessKeyDetails.accessKeyId", {}, key, found});
    }
  }
  if (!user_agents_.empty()) {
    const std::string_view agent = StringAt(r, "service.action.awsApiCallAction.userAgent");
    if (const Indicator* found = FindUserAgent(agent)) {
      AddHit(hits, {IocKind::kUserAgent, "user agent", "service.action.awsApiCallAction.userAgent", {}, agent, found});
    }
  }
  if (!domains_.empty()) {
    for (std::string_view path :
         {"service.action.dnsRequestAction.domain", "service.action.awsApiCallAction.domainDetails.domain"}) {
      MatchHostField(path, {}, StringAt(r, path), hits);
    }
  }
}

void IocSet::MatchS3Access(const Event& event, std::vector<IocHit>& hits) const {
  const element r = event.Record();
  if (!ranges_.empty()) MatchIpField("source IP", "remoteip", StringAt(r, "remoteip"), hits);
  if (!user_agents_.empty()) {
    const std::string_view agent = StringAt(r, "useragent");
    if (const Indicator* found = FindUserAgent(agent)) {
      AddHit(hits, {IocKind::kUserAgent, "user agent", "useragent", {}, agent, found});
    }
  }
  if (!domains_.empty()) {
    MatchHostField("hostheader", {}, StringAt(r, "hostheader"), hits);
    MatchHostField("referrer", {}, StringAt(r, "referrer"), hits);
  }
}

void IocSet::Match(const Event& event, std::vector<IocHit>& hits) const {
  hits.clear();
  if (indicators_.empty()) return;
  switch (event.type) {
    case LogType::kCloudTrail: MatchCloudTrail(event, hits); break;
    case LogType::kVpcFlow: MatchVpcFlow(event, hits); break;
    case LogType::kGuardDuty: MatchGuardDuty(event, hits); break;
    case LogType::kS3Access: MatchS3Access(event, hits); break;
  }
}

// ---- findings ----

RuleRef IocRule(std::span<const IocHit> hits) {
  RuleRef rule;
  const IocKind kind = hits.empty() ? IocKind::kIp : hits.front().kind;
  rule.id = "cloudward-ioc-" + std::string(IocKindName(kind));
  rule.level = Level::kHigh;
  switch (kind) {
    case IocKind::kIp: rule.tags = {"attack.command_and_control"}; break;
    case IocKind::kDomain: rule.tags = {"attack.command_and_control", "attack.t1071"}; break;
    case IocKind::kAccessKey: rule.tags = {"attack.initial_access", "attack.t1078.004"}; break;
    case IocKind::kUserAgent: rule.tags = {"attack.initial_access"}; break;
    case IocKind::kAmi:
      rule.tags = {"attack.persistence", "attack.execution", "attack.t1525", "attack.t1204.003"};
      break;
  }
  rule.title = "IOC match: ";
  constexpr size_t kShown = 3;
  for (size_t i = 0; i < hits.size() && i < kShown; ++i) {
    const IocHit& h = hits[i];
    if (i > 0) rule.title += "; ";
    const std::string& indicator = h.indicator->text;
    switch (h.kind) {
      case IocKind::kIp:
        rule.title += std::string(h.what) + " " + std::string(h.value);
        if (indicator.find('/') != std::string::npos) rule.title += " in " + indicator;
        break;
      case IocKind::kDomain:
        rule.title += "domain " + std::string(h.value);
        if (indicator.size() != h.value.size()) rule.title += " under " + indicator;
        rule.title += " in " + std::string(h.field);
        if (!h.key.empty()) rule.title += "." + std::string(h.key);
        break;
      case IocKind::kAccessKey: rule.title += "access key " + indicator; break;
      case IocKind::kUserAgent: rule.title += "user agent containing \"" + indicator + "\""; break;
      case IocKind::kAmi:
        rule.title += "AMI " + indicator + " in " + std::string(h.field) + "." + std::string(h.key);
        break;
    }
    rule.title += " (list " + std::string(BaseName(h.indicator->list)) + ")";
  }
  if (hits.size() > kShown) rule.title += "; +" + std::to_string(hits.size() - kShown) + " more";
  return rule;
}

}  // namespace cloudward::detect
