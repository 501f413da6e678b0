#include "analyze/incident_builder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "analyze/attack.h"

namespace cloudward::analyze {
namespace {

using store::Incident;

void InsertSorted(std::vector<std::string>& v, const std::string& value) {
  if (value.empty()) return;
  auto it = std::lower_bound(v.begin(), v.end(), value);
  if (it == v.end() || *it != value) v.insert(it, value);
}

// Appends the values `into` lacks, keeping its order (tactics are ordered by first appearance).
void AppendNew(std::vector<std::string>& into, const std::vector<std::string>& values) {
  for (const auto& v : values) {
    if (std::find(into.begin(), into.end(), v) == into.end()) into.push_back(v);
  }
}

// into = into ∪ from, both sorted sets. Called once per finding with a few values: each goes in
// by binary search; a large `from` (merging incidents) is one pass that moves `into`'s strings.
// (Rebuilding `into` by copying it for every finding made storing a noisy hunt quadratic.)
void MergeSorted(std::vector<std::string>& into, const std::vector<std::string>& from) {
  if (from.size() <= 16) {
    for (const std::string& value : from) {
      auto it = std::lower_bound(into.begin(), into.end(), value);
      if (it == into.end() || *it != value) into.insert(it, value);
    }
    return;
  }
  std::vector<std::string> out;
  out.reserve(into.size() + from.size());
  std::set_union(std::make_move_iterator(into.begin()), std::make_move_iterator(into.end()), from.begin(), from.end(),
                 std::back_inserter(out));
  into = std::move(out);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// 0: not an IP; 1: public; 2: private/link-local/loopback (meaningful only within an account).
int IpKind(const std::string& s) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    if (buf[0] == 10 || buf[0] == 127 || (buf[0] == 172 && (buf[1] & 0xf0) == 16) ||
        (buf[0] == 192 && buf[1] == 168) || (buf[0] == 169 && buf[1] == 254) ||
        (buf[0] == 100 && (buf[1] & 0xc0) == 64)) {
      return 2;
    }
    return 1;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    if ((buf[0] & 0xfe) == 0xfc || (buf[0] == 0xfe && (buf[1] & 0xc0) == 0x80)) return 2;
    return 1;
  }
  return 0;
}

bool IsAccessKeyId(std::string_view s) {
  if (s.size() < 16 || s.size() > 128) return false;
  if (s.substr(0, 4) != "AKIA" && s.substr(0, 4) != "ASIA") return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); });
}

// EC2-style resource ids: prefix, '-', 8 or 17 hex digits.
bool IsResourceId(std::string_view s, std::string_view* prefix = nullptr) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 12) return false;
  const std::string_view hex = s.substr(dash + 1);
  if (hex.size() < 8 || hex.size() > 17) return false;
  if (!std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) return false;
  if (!std::all_of(s.begin(), s.begin() + static_cast<long>(dash), [](char c) { return std::islower(static_cast<unsigned char>(c)); })) return false;
  if (prefix != nullptr) *prefix = s.substr(0, dash);
  return true;
}

// Identifiers shared by many unrelated things: never a link on their own.
bool IsBroadResourceId(std::string_view prefix) {
  return prefix == "vpc" || prefix == "subnet" || prefix == "rtb" || prefix == "igw" || prefix == "acl" ||
         prefix == "ami" || prefix == "nat" || prefix == "tgw" || prefix == "pl" || prefix == "dopt";
}

bool IsServiceName(std::string_view s) {
  return EndsWith(s, ".amazonaws.com") || EndsWith(s, ".amazonaws.com.cn") || s == "AWS Internal";
}

void AddIp(LinkKeys& keys, const std::string& ip, int kind, const std::string& account,
           const IncidentPolicy& policy) {
  const bool shared = std::find(policy.shared_ips.begin(), policy.shared_ips.end(), ip) != policy.shared_ips.end();
  std::string key = kind == 2 ? "ip:" + account + "/" + ip : "ip:" + ip;
  (shared ? keys.weak : keys.strong).push_back(std::move(key));
}

// Resources, correlation group values: anything that names an entity.
void AddValue(LinkKeys& keys, const std::string& value, const std::string& account, const IncidentPolicy& policy) {
  if (value.size() < 3) return;
  if (int kind = IpKind(value)) return AddIp(keys, value, kind, account, policy);
  if (IsAccessKeyId(value)) return keys.strong.push_back("akid:" + value);
  if (IsServiceName(value)) return keys.weak.push_back("service:" + value);
  std::string_view prefix;
  if (IsResourceId(value, &prefix)) {
    (IsBroadResourceId(prefix) ? keys.weak : keys.strong).push_back("res:" + value);
    return;
  }
  if (value.rfind("arn:", 0) == 0) {
    // arn:partition:service:region:account:resource
    std::vector<std::string_view> parts;
    std::string_view rest = value;
    for (int i = 0; i < 5; ++i) {
      const size_t colon = rest.find(':');
      if (colon == std::string_view::npos) break;
      parts.push_back(rest.substr(0, colon));
      rest = rest.substr(colon + 1);
    }
    if (parts.size() == 5) {
      const std::string_view service = parts[2];
      const std::string_view arn_account = parts[4];
      if (arn_account == "aws") return keys.weak.push_back("res:" + value);  // AWS-managed policy
      if (service == "iam" && rest.rfind("role/", 0) == 0) return keys.weak.push_back("role:" + value);
      if (service == "sts" && rest.rfind("assumed-role/", 0) == 0) {
        keys.strong.push_back("session:" + value);
        const std::string_view session = rest.substr(rest.find_last_of('/') + 1);
        if (IsResourceId(session, &prefix) && prefix == "i") keys.strong.push_back("res:" + std::string(session));
        return;
      }
      if (service == "iam" || service == "sts") return keys.strong.push_back("principal:" + value);
      // Resource ARNs: also key by the trailing id so "arn:...:instance/i-0abc" meets "i-0abc".
      const size_t sep = rest.find_last_of("/:");
      const std::string_view tail = sep == std::string_view::npos ? rest : rest.substr(sep + 1);
      if (IsResourceId(tail, &prefix)) {
        (IsBroadResourceId(prefix) ? keys.weak : keys.strong).push_back("res:" + std::string(tail));
        if (IsBroadResourceId(prefix)) return;
      }
    }
    return keys.strong.push_back("res:" + value);
  }
  keys.strong.push_back("res:" + value);
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The actors a node's keys name, one key each: the IAM principal ARN, else the session, else the
// user (a finding of one IAM user yields principal:, user: and akid: keys for the same person).
// An open incident may name several.
std::vector<std::string_view> ActorsOf(const std::vector<std::string>& keys) {
  std::vector<std::string_view> principals, sessions, users;
  for (const auto& key : keys) {
    if (key.rfind("principal:", 0) == 0) principals.push_back(key);
    if (key.rfind("session:", 0) == 0) sessions.push_back(key);
    if (key.rfind("user:", 0) == 0) users.push_back(key);
  }
  if (!principals.empty()) return principals;
  if (!sessions.empty()) return sessions;
  return users;
}

class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);  // smallest index is the root
  }

 private:
  std::vector<size_t> parent_;
};

int TacticStage(const std::string& short_name) {
  const AttackTactic* t = FindTactic(short_name);
  return t == nullptr ? 99 : t->stage;
}

}  // namespace

LinkKeys LinkKeysOf(const Finding& f, const IncidentPolicy& policy) {
  LinkKeys keys;
  const auto& c = f.context;
  const auto& a = c.actor;
  const bool service = a.type == "AWSService" || IsServiceName(a.arn) || IsServiceName(a.user_name);
  if (service) {
    if (!a.arn.empty()) keys.weak.push_back("service:" + a.arn);
    if (!a.user_name.empty()) keys.weak.push_back("service:" + a.user_name);
  } else {
    if (!a.arn.empty()) AddValue(keys, a.arn, c.account, policy);
    if (IsAccessKeyId(a.access_key_id)) keys.strong.push_back("akid:" + a.access_key_id);
    const std::string account = a.account.empty() ? c.account : a.account;
    if (a.arn.empty() && !a.user_name.empty()) keys.strong.push_back("user:" + account + "/" + a.user_name);
    if (a.arn.empty() && a.user_name.empty() && !a.session.empty()) {
      keys.strong.push_back("session:" + account + "/" + a.session);
    }
  }
  if (!c.source_ip.empty()) {
    if (int kind = IpKind(c.source_ip)) {
      AddIp(keys, c.source_ip, kind, c.account, policy);
    } else if (IsServiceName(c.source_ip)) {
      keys.weak.push_back("service:" + c.source_ip);
    }
  }
  // What a finding touched links it to others only when the finding matters on its own: the
  // resources of informational and low findings (discovery, routine logins, a secret everyone
  // reads) are weak, or one busy account's routine would chain every principal into one incident.
  // Such findings still join their actor's incident through the actor's keys.
  LinkKeys touched;
  for (const auto& r : c.resources) AddValue(touched, r, c.account, policy);
  for (const auto& [k, v] : f.group) AddValue(touched, v, c.account, policy);
  const bool minor = f.rule.level < Level::kMedium;
  for (auto& key : touched.strong) {
    (minor && key.rfind("res:", 0) == 0 ? keys.weak : keys.strong).push_back(std::move(key));
  }
  for (auto& key : touched.weak) keys.weak.push_back(std::move(key));
  SortUnique(keys.strong);
  SortUnique(keys.weak);
  return keys;
}

Level ScoreSeverity(const Incident& inc, const IncidentPolicy& policy) {
  int level = static_cast<int>(Level::kInformational);
  for (int l = static_cast<int>(Level::kCritical); l >= 0; --l) {
    if (inc.level_counts[static_cast<size_t>(l)] > 0) {
      level = l;
      break;
    }
  }
  const auto& tactics = inc.signal_tactics;
  auto has = [&](std::string_view t) { return std::find(tactics.begin(), tactics.end(), t) != tactics.end(); };
  int raise = 0;
  if (tactics.size() >= 3) {
    ++raise;
    const bool foothold = has("persistence") || has("privilege-escalation") || has("credential-access");
    if (foothold && (has("exfiltration") || has("impact"))) ++raise;
  }
  bool critical_asset = false;
  for (const auto& pattern : policy.critical_assets) {
    const std::string p = Lower(pattern);
    if (p.empty()) continue;
    for (const auto* list : {&inc.resources, &inc.accounts, &inc.actors}) {
      for (const auto& v : *list) critical_asset = critical_asset || Lower(v).find(p) != std::string::npos;
    }
  }
  if (critical_asset) ++raise;
  const int64_t high = inc.level_counts[static_cast<size_t>(Level::kHigh)] +
                       inc.level_counts[static_cast<size_t>(Level::kCritical)];
  if (policy.high_volume > 0 && high >= policy.high_volume) ++raise;
  return static_cast<Level>(std::min(level + raise, static_cast<int>(Level::kCritical)));
}

IncidentBuilder::IncidentBuilder(IncidentPolicy policy) : policy_(std::move(policy)) {}

std::vector<IncidentBuilder::Group> IncidentBuilder::GroupFindings(const std::vector<const Finding*>& findings,
                                                                   const std::vector<Incident>& open) const {
  const size_t n = findings.size();
  const size_t nodes = n + open.size();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min() / 4;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 4;

  struct Occurrence {
    int64_t begin, end;
    size_t node;
  };
  std::map<std::string, std::vector<Occurrence>> by_key;
  // Addresses and resources -> the distinct actors seen with them.
  std::map<std::string, std::set<std::string>> actors_by_key;

  std::vector<std::vector<std::string>> node_keys(nodes);
  for (size_t i = 0; i < n; ++i) {
    LinkKeys keys = LinkKeysOf(*findings[i], policy_);
    node_keys[i] = std::move(keys.strong);
  }
  for (size_t j = 0; j < open.size(); ++j) node_keys[n + j] = open[j].link_keys;

  // Addresses used by many distinct actors (NAT, proxies) and resources many actors touch (a
  // shared secret, a deployment role, a common KMS key) say nothing about who belongs together:
  // demoted to weak. An actor is counted once, however many keys name it.
  for (size_t node = 0; node < nodes; ++node) {
    std::vector<std::string_view> actors = ActorsOf(node_keys[node]);
    if (actors.empty()) continue;
    for (const auto& key : node_keys[node]) {
      if (key.rfind("ip:", 0) != 0 && key.rfind("res:", 0) != 0) continue;
      for (auto actor : actors) actors_by_key[key].emplace(actor);
    }
  }
  for (size_t node = 0; node < nodes; ++node) {
    int64_t begin, end;
    if (node < n) {
      const int64_t t = findings[node]->context.time_ms;
      begin = t == kUnknownTime ? kMin : t;
      end = t == kUnknownTime ? kMax : t;
    } else {
      const Incident& inc = open[node - n];
      begin = inc.first_seen_ms == kUnknownTime ? kMin : inc.first_seen_ms;
      end = inc.last_seen_ms == kUnknownTime ? kMax : inc.last_seen_ms;
    }
    for (const auto& key : node_keys[node]) {
      if (key.rfind("ip:", 0) == 0 || key.rfind("res:", 0) == 0) {
        const size_t limit = key[0] == 'i' ? policy_.max_principals_per_ip : policy_.max_principals_per_resource;
        auto it = actors_by_key.find(key);
        if (it != actors_by_key.end() && it->second.size() > limit) continue;
      }
      by_key[key].push_back({begin, end, node});
    }
  }

  DisjointSets sets(nodes);
  for (auto& [key, occurrences] : by_key) {
    std::sort(occurrences.begin(), occurrences.end(), [](const Occurrence& a, const Occurrence& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.node < b.node;
    });
    int64_t reach = occurrences[0].end;
    for (size_t k = 1; k < occurrences.size(); ++k) {
      const auto& o = occurrences[k];
      if (o.begin <= reach || o.begin - reach <= policy_.window_ms) sets.Union(occurrences[k - 1].node, o.node);
      reach = std::max(reach, o.end);
    }
  }

  std::map<size_t, Group> groups;  // by root
  for (size_t i = 0; i < n; ++i) groups[sets.Find(i)].findings.push_back(i);
  for (size_t j = 0; j < open.size(); ++j) {
    auto it = groups.find(sets.Find(n + j));
    if (it != groups.end()) it->second.incidents.push_back(j);
  }
  std::vector<Group> out;
  out.reserve(groups.size());
  for (auto& [root, g] : groups) out.push_back(std::move(g));
  std::sort(out.begin(), out.end(), [](const Group& a, const Group& b) { return a.findings[0] < b.findings[0]; });
  return out;
}

void IncidentBuilder::Absorb(Incident& inc, const Finding& f) const {
  const auto& c = f.context;
  ++inc.finding_count;
  ++inc.level_counts[static_cast<size_t>(f.rule.level)];
  if (c.time_ms != kUnknownTime) {
    if (inc.first_seen_ms == kUnknownTime || c.time_ms < inc.first_seen_ms) inc.first_seen_ms = c.time_ms;
    if (inc.last_seen_ms == kUnknownTime || c.time_ms > inc.last_seen_ms) inc.last_seen_ms = c.time_ms;
  }
  const auto& a = c.actor;
  const std::string& actor = !a.arn.empty() ? a.arn : !a.user_name.empty() ? a.user_name : a.session;
  InsertSorted(inc.actors, actor);
  // The lead: what the first of the most severe findings is about (ties keep the earlier one).
  if (inc.lead.empty() || f.rule.level > inc.lead_level ||
      (f.rule.level == inc.lead_level && c.time_ms != kUnknownTime && c.time_ms < inc.lead_time_ms)) {
    std::string who = actor;
    if (who.empty()) who = a.access_key_id;
    if (who.empty() && IpKind(c.source_ip) != 0) who = c.source_ip;
    if (who.empty() && !c.resources.empty()) who = c.resources[0];
    if (!who.empty()) {
      inc.lead = std::move(who);
      inc.lead_level = f.rule.level;
      inc.lead_time_ms = c.time_ms;
    }
  }
  InsertSorted(inc.access_keys, a.access_key_id);
  if (IpKind(c.source_ip) != 0) InsertSorted(inc.source_ips, c.source_ip);
  for (const auto& r : c.resources) InsertSorted(inc.resources, r);
  InsertSorted(inc.accounts, c.account.empty() ? a.account : c.account);
  InsertSorted(inc.regions, c.region);
  InsertSorted(inc.log_types, std::string(LogTypeName(f.log_type)));
  AttackTags tags = ParseAttackTags(f.rule.tags);
  AppendNew(inc.tactics, tags.tactics);
  if (f.rule.level >= Level::kLow) AppendNew(inc.signal_tactics, tags.tactics);
  MergeSorted(inc.techniques, tags.techniques);
  LinkKeys keys = LinkKeysOf(f, policy_);
  MergeSorted(inc.link_keys, keys.strong);
  auto rule = std::find_if(inc.rules.begin(), inc.rules.end(), [&](const auto& r) { return r.id == f.rule.id; });
  if (rule == inc.rules.end()) {
    inc.rules.push_back({f.rule.id, f.rule.title, f.rule.level, 1});
  } else {
    ++rule->count;
    rule->level = std::max(rule->level, f.rule.level);
  }
}

void IncidentBuilder::Merge(Incident& into, const Incident& from) const {
  into.finding_count += from.finding_count;
  for (size_t i = 0; i < into.level_counts.size(); ++i) into.level_counts[i] += from.level_counts[i];
  if (from.first_seen_ms != kUnknownTime &&
      (into.first_seen_ms == kUnknownTime || from.first_seen_ms < into.first_seen_ms)) {
    into.first_seen_ms = from.first_seen_ms;
  }
  if (from.last_seen_ms != kUnknownTime &&
      (into.last_seen_ms == kUnknownTime || from.last_seen_ms > into.last_seen_ms)) {
    into.last_seen_ms = from.last_seen_ms;
  }
  if (!from.lead.empty() && (into.lead.empty() || from.lead_level > into.lead_level)) {
    into.lead = from.lead;
    into.lead_level = from.lead_level;
    into.lead_time_ms = from.lead_time_ms;
  }
  MergeSorted(into.actors, from.actors);
  MergeSorted(into.access_keys, from.access_keys);
  MergeSorted(into.source_ips, from.source_ips);
  MergeSorted(into.resources, from.resources);
  MergeSorted(into.accounts, from.accounts);
  MergeSorted(into.regions, from.regions);
  MergeSorted(into.log_types, from.log_types);
  MergeSorted(into.techniques, from.techniques);
  MergeSorted(into.link_keys, from.link_keys);
  AppendNew(into.tactics, from.tactics);
  AppendNew(into.signal_tactics, from.signal_tactics);
  for (const auto& r : from.rules) {
    auto it = std::find_if(into.rules.begin(), into.rules.end(), [&](const auto& x) { return x.id == r.id; });
    if (it == into.rules.end()) {
      into.rules.push_back(r);
    } else {
      it->count += r.count;
      it->level = std::max(it->level, r.level);
    }
  }
  if (into.assignee.empty()) into.assignee = from.assignee;
}

void IncidentBuilder::Finish(Incident& inc) const {
  std::stable_sort(inc.tactics.begin(), inc.tactics.end(),
                   [](const std::string& a, const std::string& b) { return TacticStage(a) < TacticStage(b); });
  std::sort(inc.rules.begin(), inc.rules.end(), [](const store::RuleSummary& a, const store::RuleSummary& b) {
    if (a.level != b.level) return a.level > b.level;
    if (a.count != b.count) return a.count > b.count;
    return a.id < b.id;
  });
  inc.severity = ScoreSeverity(inc, policy_);
  std::string title = inc.rules.empty() ? std::string("Incident") : inc.rules[0].title;
  if (title.empty() && !inc.rules.empty()) title = inc.rules[0].id;
  // Named after the lead; incidents stored before leads existed fall back on their first actor.
  std::string who = inc.lead;
  for (const auto* list : {&inc.actors, &inc.access_keys, &inc.source_ips, &inc.resources}) {
    if (who.empty() && !list->empty()) who = list->front();
  }
  if (!who.empty()) title += " — " + who;
  if (inc.rules.size() > 1) title += " (+" + std::to_string(inc.rules.size() - 1) + " more rules)";
  inc.title = std::move(title);
}

}  // namespace cloudward::analyze
