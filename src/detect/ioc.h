// Indicators of compromise (IOCs): lists of IP addresses and CIDRs, domains, access key ids,
// user-agent substrings and AMI ids, read from plain files and matched against events of every log
// type.
//
//   IocSetBuilder builder;
//   std::vector<IocProblem> problems;
//   if (!builder.AddFile(IocKind::kIp, "bad_ips.txt", &problems)) return 2;  // unreadable file
//   for (const IocProblem& p : problems) Print(p.ToString());               // malformed lines
//   const IocSet iocs = std::move(builder).Build();
//   std::vector<IocHit> hits;
//   iocs.Match(event, hits);                       // clears `hits`, then appends every match
//   for (const IocHit& h : hits) Report(h.indicator->text, h.value);
//
// List file grammar (one indicator a line; each kind has its own files):
//   file      = { line }
//   line      = ws* ( "" | "#" any* | indicator [ "#" any* ] ) ws* ( "\n" | "\r\n" )
//   ip        = ipv4 [ "/" 1..32 ] | ipv6 [ "/" 1..128 ]      host bits after the prefix must be 0
//   domain    = [ "*." | "." ] label { "." label } [ "." ]     >= 2 labels, <= 253 chars, not an IP;
//               label = 1..63 of [A-Za-z0-9_-]; matches itself and every subdomain, any case
//   key       = 16..128 of [A-Z0-9]                            (AKIA..., ASIA...) exact match
//   agent     = the whole trimmed line, >= 3 chars, no control characters; a case-insensitive
//               substring of the user agent ("#" inside a user-agent line is literal: there
//               only a line starting with "#" is a comment)
//   ami       = "ami-" ( 8 | 17 ) of [0-9a-f]                 any case, held in lower case; exact
// In ip, domain, key and ami lists "#" starts a comment anywhere. "[.]" is read as "." (defanged
// indicators). A UTF-8 byte-order mark starting a line is ignored. A malformed line is an
// IocProblem (file, line, reason) and is left out; the rest of the file still loads.
//
// Where each kind is looked for (IocSet::Match):
//   ip          CloudTrail sourceIPAddress; VPC flow srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr;
//               GuardDuty remoteIpDetails.ipAddressV4/V6 of every action type (all port probes);
//               S3 access remoteip. IPv4 and IPv4-mapped IPv6 addresses are the same address.
//   access key  CloudTrail userIdentity.accessKeyId; GuardDuty resource.accessKeyDetails.accessKeyId.
//   user agent  CloudTrail userAgent; GuardDuty awsApiCallAction.userAgent; S3 access useragent.
//   domain      CloudTrail tlsDetails.clientProvidedHostHeader and every string in
//               requestParameters that is a host name, a URL (its host) or an e-mail address (its
//               domain); GuardDuty dnsRequestAction.domain and awsApiCallAction.domainDetails.domain;
//               S3 access hostheader and referrer (its host).
//   ami         CloudTrail EC2 calls that launch from, copy or share an image (RunInstances,
//               RequestSpotInstances, RequestSpotFleet, CreateFleet, CreateLaunchTemplate,
//               CreateLaunchTemplateVersion, CopyImage, ModifyImageAttribute): every string in
//               requestParameters (8 levels deep at most) of a member named imageId or
//               sourceImageId in any case (instancesSet.items[].imageId, LaunchTemplateData.ImageId,
//               launchSpecification.imageId, sourceImageId ...); for a RunInstances whose request
//               matched none (a launch from a launch template), responseElements likewise.
//
// IocSet is immutable once built and safe to share between threads; Match allocates nothing
// beyond growing `hits`. IP lookup is a binary search over sorted ranges (CIDRs nest or are
// disjoint, so each range keeps its enclosing one and the search walks at most 128 parents);
// domains first check the host's last label against those of the list, then binary-search each
// suffix; access keys and AMI ids are one binary search; a user agent is lower-cased once and
// searched for each pattern in turn (lists of this kind are short).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/event.h"
#include "core/finding.h"

namespace cloudward::detect {

enum class IocKind : unsigned char { kIp, kDomain, kAccessKey, kUserAgent, kAmi };
inline constexpr int kIocKindCount = 5;

// "ip", "domain", "access-key", "user-agent", "ami": the suffix of the synthetic rule id.
std::string_view IocKindName(IocKind kind);

// A 128-bit address; IPv4 a.b.c.d is held as ::ffff:a.b.c.d.
struct IpAddress {
  uint64_t hi = 0;
  uint64_t lo = 0;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// An address range [first, last] from one CIDR (a single address is /32 or /128).
struct IpRange {
  IpAddress first;
  IpAddress last;
  int prefix = 128;  // in 128-bit terms: an IPv4 /24 is 120
  bool v4 = false;
};

// Parses "203.0.113.9", "2001:db8::1" (no zone, no brackets). nullopt when it is not an address.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// Parses an address or a CIDR. On failure returns nullopt and, if `reason` is given, says why.
std::optional<IpRange> ParseIpRange(std::string_view text, std::string* reason = nullptr);

// The canonical text of a range: "203.0.113.9", "198.51.100.0/24", "2001:db8::/32".
std::string FormatIpRange(const IpRange& range);

struct Indicator {
  IocKind kind = IocKind::kIp;
  std::string text;  // canonical: "198.51.100.0/24", "evil.example", "AKIA...", "sqlmap", "ami-..."
  std::string list;  // the file it came from, as given
  int line = 0;      // 1-based line in that file
};

struct IocProblem {
  std::string file;
  int line = 0;  // 0: about the file as a whole (cannot read it)
  std::string reason;

  std::string ToString() const;  // "file:line: reason" or "file: reason"
};

// What one list file held.
struct IocListStats {
  int lines = 0;        // every line, including blank and comment lines
  int indicators = 0;   // loaded (new to the set)
  int duplicates = 0;   // well-formed but already in the set (this or an earlier list)
  int ignored = 0;      // blank and comment lines
  int malformed = 0;    // reported as problems and left out
};

// One indicator found in one field of an event. Views borrow from the event (valid while it is)
// and from the IocSet (valid while it lives).
struct IocHit {
  IocKind kind = IocKind::kIp;
  std::string_view what;    // "source IP", "destination IP", "remote IP", "access key", ...
  std::string_view field;   // JSON path in the record: "sourceIPAddress", "dstaddr", ...
  std::string_view key;     // member holding a domain or AMI id (under field); else empty
  std::string_view value;   // the matched value as it is in the record (for domains: the host)
  const Indicator* indicator = nullptr;
};

class IocSet {
 public:
  IocSet() = default;
  IocSet(IocSet&&) = default;
  IocSet& operator=(IocSet&&) = default;
  IocSet(const IocSet&) = delete;
  IocSet& operator=(const IocSet&) = delete;

  bool empty() const { return indicators_.empty(); }
  size_t size() const { return indicators_.size(); }
  size_t size(IocKind kind) const { return counts_[static_cast<int>(kind)]; }
  const std::vector<Indicator>& indicators() const { return indicators_; }

  // Clears `hits`, then appends every indicator found in the event, at most once per
  // (field, indicator, value). Hits of one kind are contiguous (one finding per kind and event).
  void Match(const Event& event, std::vector<IocHit>& hits) const;

  // Lookups of one value; nullptr when nothing matches. Domains return the most specific match.
  const Indicator* FindIp(std::string_view address) const;
  const Indicator* FindIp(const IpAddress& address) const;
  const Indicator* FindDomain(std::string_view host) const;  // "a.b.evil.example", any case
  const Indicator* FindAccessKey(std::string_view key) const;
  const Indicator* FindUserAgent(std::string_view user_agent) const;  // first pattern found
  const Indicator* FindAmi(std::string_view image_id) const;          // "ami-...", any case

 private:
  friend class IocSetBuilder;
  struct RangeEntry {
    IpRange range;
    uint32_t indicator = 0;
    int32_t parent = -1;  // index of the nearest enclosing range, -1 if none
  };
  struct TextEntry {
    std::string text;  // lower-case for domains and user agents
    uint32_t indicator = 0;
  };

  void MatchCloudTrail(const Event& event, std::vector<IocHit>& hits) const;
  void MatchVpcFlow(const Event& event, std::vector<IocHit>& hits) const;
  void MatchGuardDuty(const Event& event, std::vector<IocHit>& hits) const;
  void MatchS3Access(const Event& event, std::vector<IocHit>& hits) const;
  void MatchIpField(std::string_view what, std::string_view field, std::string_view value,
                    std::vector<IocHit>& hits) const;
  void MatchHostField(std::string_view field, std::string_view key, std::string_view value,
                      std::vector<IocHit>& hits) const;
  void MatchImages(simdjson::dom::element record, std::vector<IocHit>& hits) const;
  const Indicator* FindText(const std::vector<TextEntry>& entries, std::string_view text) const;

  std::vector<Indicator> indicators_;
  size_t counts_[kIocKindCount] = {};
  std::vector<RangeEntry> ranges_;       // by first ascending, then last descending
  std::vector<TextEntry> domains_;       // sorted
  std::vector<std::string> top_labels_;  // last labels of the domains ("com", "example"): sorted, unique
  std::vector<TextEntry> access_keys_;   // sorted
  std::vector<TextEntry> user_agents_;   // in list order
  std::vector<TextEntry> amis_;          // sorted
};

// Builds an IocSet from list texts or files. Not thread-safe; use once.
class IocSetBuilder {
 public:
  // Adds the indicators of `text`, a list of `kind` named `list` (in problems and indicators).
  // Malformed lines are appended to `problems` (when given) and left out.
  IocListStats AddText(IocKind kind, std::string_view list, std::string_view text,
                       std::vector<IocProblem>* problems);

  // Reads `path` and adds it. Returns nullopt, with one problem at line 0, if it cannot be read.
  std::optional<IocListStats> AddFile(IocKind kind, const std::string& path,
                                      std::vector<IocProblem>* problems);

  IocSet Build() &&;

 private:
  // Parses one trimmed, non-empty indicator of `kind` into its canonical text.
  static bool Canonical(IocKind kind, std::string_view text, std::string* canonical,
                        IpRange* range, std::string* reason);

  IocSet set_;
  std::unordered_set<std::string> seen_;  // kind digit + canonical text
};

// The synthetic rule of the findings for `hits`, all of one kind and one event: id
// "cloudward-ioc-<kind>", level high, ATT&CK tags by kind, and a title naming what matched, e.g.
// "IOC match: source IP 203.0.113.9 (list bad_ips.txt)".
RuleRef IocRule(std::span<const IocHit> hits);

}  // namespace cloudward::detect
