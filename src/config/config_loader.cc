#include "config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/time.h"
#include "core/yaml_guard.h"

namespace cloudward::config {

std::string Problem::ToString() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
  return s + ": " + reason;
}

Result<std::string> NormalizePublicUrl(std::string_view url) {
  while (url.ends_with('/')) url.remove_suffix(1);
  const size_t host = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  if (host == 0 || url.size() == host) {
    return Fail(ErrorCode::kInvalidArgument, "expected an http:// or https:// URL such as https://cloudward.example.com");
  }
  return std::string(url);
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + text.size(), n);
    if (ec != std::errc() || n < 0) return std::nullopt;
    i = static_cast<size_t>(p - text.data());
    int64_t unit = 0;
    if (text.substr(i, 2) == "ms") {
      unit = 1;
      i += 2;
    } else if (i < text.size()) {
      switch (text[i]) {
        case 's': unit = 1000; break;
        case 'm': unit = 60'000; break;
        case 'h': unit = 3'600'000; break;
        case 'd': unit = 86'400'000; break;
        case 'w': unit = 7 * 86'400'000LL; break;
        default: return std::nullopt;
      }
      ++i;
    } else {
      return std::nullopt;
    }
    if (n > (INT64_MAX / 4) / unit) return std::nullopt;
    total += n * unit;
    if (total > INT64_MAX / 4) return std::nullopt;
  }
  return total;
}

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view ClosestWord(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

namespace {

using Keys = std::initializer_list<std::string_view>;

constexpr std::string_view kLevelNames[] = {"informational", "low", "medium", "high", "critical"};

std::optional<Level> StrictLevel(std::string_view s) {
  if (s == "info") return Level::kInformational;
  for (Level l : {Level::kInformational, Level::kLow, Level::kMedium, Level::kHigh, Level::kCritical})
    if (s == LevelName(l)) return l;
  return std::nullopt;
}

const char* KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "nothing";
}

// 1000 -> "1s", 90000 -> "90s", 3600000 -> "1h", 100 -> "100ms": the largest unit that divides it.
std::string DurationText(int64_t ms) {
  if (ms == 0) return "0s";
  for (auto [unit, name] : {std::pair<int64_t, const char*>{3'600'000, "h"}, {60'000, "m"}, {1000, "s"}})
    if (ms % unit == 0) return std::to_string(ms / unit) + name;
  return std::to_string(ms) + "ms";
}

// Walks the YAML tree, converting fields and collecting problems. `path` strings name where a
// value sits ("alerts.routes[2].channels") so reasons read without the file at hand.
class Walker {
 public:
  Walker(std::string file, std::vector<Problem>* problems) : file_(std::move(file)), out_(problems) {}

  SourceLocation Loc(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.line < 0) return last_;
    return {m.line + 1, m.column + 1};
  }

  void Add(SourceLocation at, std::string reason) {
    if (at.line <= 0) at = {1, 1};
    out_->push_back({file_, at.line, at.column, std::move(reason)});
  }
  void Add(const YAML::Node& n, std::string reason) { Add(Loc(n), std::move(reason)); }

  // Calls fn(key, value_node, path) for each entry of `map` whose key is in `known`; reports
  // unknown keys (with a suggestion), duplicate keys and non-scalar keys. False if not a map.
  template <class Fn>
  bool Fields(const YAML::Node& map, const std::string& path, Keys known, Fn fn) {
    if (map.IsNull()) return false;  // "section:" with nothing under it is allowed
    if (!map.IsMap()) {
      Add(map, path + ": expected a map, got " + std::string(KindName(map)));
      return false;
    }
    std::vector<std::string_view> known_list(known);
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      last_ = Loc(k);
      if (!k.IsScalar()) {
        Add(k, path + ": keys must be plain strings");
        continue;
      }
      const std::string& key = k.Scalar();
      const std::string sub = path.empty() ? key : path + "." + key;
      if (!seen.insert(key).second) {
        Add(k, "duplicate key " + sub);
        continue;
      }
      if (std::find(known_list.begin(), known_list.end(), key) == known_list.end()) {
        std::string reason = "unknown key " + sub;
        std::string_view hint = ClosestWord(key, known_list);
        if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
        Add(k, reason);
        continue;
      }
      last_ = Loc(k);
      fn(key, v, sub);
    }
    return true;
  }

  // Iterates a map with free-form keys (names), reporting duplicates.
  template <class Fn>
  void Entries(const YAML::Node& map, const std::string& path, Fn fn) {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
      Add(map, path + ": expected a map, got " + std::string(KindName(map)));
      return;
    }
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      last_ = Loc(it->first);
      if (!it->first.IsScalar()) {
        Add(it->first, path + ": keys must be plain strings");
        continue;
      }
      const std::string& key = it->first.Scalar();
      if (!seen.insert(key).second) {
        Add(it->first, "duplicate key " + path + "." + key);
        continue;
      }
      fn(key, it->second, path + "." + key, Loc(it->first));
    }
  }

  template <class Fn>
  void Items(const YAML::Node& seq, const std::string& path, Fn fn) {
    if (seq.IsNull()) return;
    if (!seq.IsSequence()) {
      Add(seq, path + ": expected a list, got " + std::string(KindName(seq)));
      return;
    }
    for (size_t i = 0; i < seq.size(); ++i) {
      const YAML::Node item = seq[i];
      last_ = Loc(item);
      fn(item, path + "[" + std::to_string(i) + "]");
    }
  }

  bool Str(const YAML::Node& n, const std::string& path, std::string* out) {
    if (n.IsNull()) return false;  // "key:" alone leaves the default
    if (!n.IsScalar()) {
      Add(n, path + ": expected a string, got " + std::string(KindName(n)));
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  void NonEmptyStr(const YAML::Node& n, const std::string& path, std::string* out) {
    if (Str(n, path, out) && out->empty()) Add(n, path + ": must not be empty");
  }

  void StrList(const YAML::Node& n, const std::string& path, std::vector<std::string>* out) {
    out->clear();
    Items(n, path, [&](const YAML::Node& item, const std::string& p) {
      std::string s;
      if (Str(item, p, &s)) out->push_back(std::move(s));
    });
  }

  void Bool(const YAML::Node& n, const std::string& path, bool* out) {
    if (n.IsNull()) return;
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s == "true" || s == "yes" || s == "on") return void(*out = true);
      if (s == "false" || s == "no" || s == "off") return void(*out = false);
    }
    Add(n, path + ": expected a boolean (true or false), got '" + Brief(n) + "'");
  }

  void Int(const YAML::Node& n, const std::string& path, int* out, int min, int max) {
    if (n.IsNull()) return;
    int v = 0;
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && p == s.data() + s.size()) {
        if (v < min || v > max) {
          Add(n, path + ": must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                     std::to_string(v));
          return;
        }
        *out = v;
        return;
      }
    }
    Add(n, path + ": expected an integer, got '" + Brief(n) + "'");
  }

  bool Duration(const YAML::Node& n, const std::string& path, int64_t* out) {
    if (n.IsNull()) return false;
    if (n.IsScalar()) {
      if (auto d = ParseDuration(n.Scalar())) {
        *out = *d;
        return true;
      }
    }
    Add(n, path + ": expected a duration such as 30s, 15m, 1h or 2d, got '" + Brief(n) + "'");
    return false;
  }

  // A duration in [min_ms, max_ms]; with `whole_seconds` also a whole number of seconds (for APIs
  // that count in seconds). Out of range leaves *out as it was.
  void BoundedDuration(const YAML::Node& n, const std::string& path, int64_t* out, int64_t min_ms, int64_t max_ms,
                       bool whole_seconds = false) {
    int64_t d = 0;
    if (!Duration(n, path, &d)) return;
    if (d < min_ms || d > max_ms)
      return Add(n, path + ": must be between " + DurationText(min_ms) + " and " + DurationText(max_ms) + ", got '" +
                        Brief(n) + "'");
    if (whole_seconds && d % 1000 != 0)
      return Add(n, path + ": must be a whole number of seconds, got '" + Brief(n) + "'");
    *out = d;
  }

  // The same in whole seconds, into an int.
  void BoundedSeconds(const YAML::Node& n, const std::string& path, int* out, int min_s, int max_s) {
    int64_t ms = int64_t{*out} * 1000;
    BoundedDuration(n, path, &ms, int64_t{min_s} * 1000, int64_t{max_s} * 1000, true);
    *out = static_cast<int>(ms / 1000);
  }

  bool Severity(const YAML::Node& n, const std::string& path, Level* out) {
    if (n.IsNull()) return false;
    if (n.IsScalar()) {
      if (auto l = StrictLevel(n.Scalar())) {
        *out = *l;
        return true;
      }
    }
    Add(n, path + ": expected a severity (informational, low, medium, high, critical), got '" +
               Brief(n) + "'");
    return false;
  }

  void Crit(const YAML::Node& n, const std::string& path, Criticality* out) {
    if (n.IsNull()) return;
    if (n.IsScalar()) {
      if (auto c = CriticalityFromName(n.Scalar())) return void(*out = *c);
    }
    Add(n, path + ": expected a criticality (critical, high, medium, low), got '" + Brief(n) + "'");
  }

  // `indirect_only`: the value must be env:NAME or file:/path (keys, tokens).
  void SecretField(const YAML::Node& n, const std::string& path, Secret* out, bool indirect_only) {
    std::string s;
    if (!Str(n, path, &s)) return;
    Secret secret = Secret::Parse(s);
    if (secret.empty()) return Add(n, path + ": must not be empty");
    if ((secret.source() == Secret::Source::kEnv || secret.source() == Secret::Source::kFile) &&
        secret.reference().empty())
      return Add(n, path + ": names no variable or file after the prefix");
    if (indirect_only && secret.source() == Secret::Source::kLiteral)
      return Add(n, path + ": write the secret as env:NAME or file:/path, not inline");
    *out = std::move(secret);
  }

  // Checks that `required` keys are present in `map`.
  void Require(const YAML::Node& map, const std::string& path, Keys required) {
    if (!map.IsMap()) return;
    for (std::string_view key : required) {
      bool found = false;
      for (auto it = map.begin(); it != map.end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key) found = true;
      if (!found) Add(map, path + ": missing required key '" + std::string(key) + "'");
    }
  }

 private:
  static std::string Brief(const YAML::Node& n) {
    if (!n.IsScalar()) return KindName(n);
    std::string s = n.Scalar();
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return s;
  }

  std::string file_;
  std::vector<Problem>* out_;
  SourceLocation last_{1, 1};
};

// ---- sections ----

void ReadStore(Walker& w, const YAML::Node& n, StoreConfig* out) {
  w.Fields(n, "store", {"url"}, [&](const std::string&, const YAML::Node& v, const std::string& p) {
    w.NonEmptyStr(v, p, &out->url);
  });
}

void ReadDetection(Walker& w, const YAML::Node& n, DetectionConfig* out) {
  w.Fields(n, "detection", {"rules", "placeholders", "ioc", "lookback", "correlation_window"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "rules") w.StrList(v, p, &out->rules);
             if (key == "placeholders") w.Str(v, p, &out->placeholders);
             if (key == "lookback") w.Duration(v, p, &out->lookback_ms);
             if (key == "correlation_window") w.Duration(v, p, &out->correlation_window_ms);
             if (key == "ioc") {
               w.Fields(v, p, {"ips", "domains", "access_keys", "user_agents", "amis"},
                        [&](const std::string& k, const YAML::Node& lv, const std::string& lp) {
                          if (k == "ips") w.StrList(lv, lp, &out->ioc.ips);
                          if (k == "domains") w.StrList(lv, lp, &out->ioc.domains);
                          if (k == "access_keys") w.StrList(lv, lp, &out->ioc.access_keys);
                          if (k == "user_agents") w.StrList(lv, lp, &out->ioc.user_agents);
                          if (k == "amis") w.StrList(lv, lp, &out->ioc.amis);
                        });
             }
           });
}

void ReadAssets(Walker& w, const YAML::Node& n, AssetsConfig* out) {
  w.Fields(n, "assets", {"default", "by_tag", "by_resource", "by_account"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
             if (key == "default") w.Crit(v, p, &out->default_criticality);
             if (key == "by_tag") {
               w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
                 TagCriticality t;
                 t.value = "*";
                 if (!w.Fields(item, ip, {"key", "value", "criticality"},
                               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                                 if (k == "key") w.NonEmptyStr(fv, fp, &t.key);
                                 if (k == "value") w.Str(fv, fp, &t.value);
                                 if (k == "criticality") w.Crit(fv, fp, &t.criticality);
                               }))
                   return;
                 w.Require(item, ip, {"key", "criticality"});
                 out->by_tag.push_back(std::move(t));
               });
             }
             if (key == "by_resource") {
               w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
                 ResourceCriticality r;
                 if (!w.Fields(item, ip, {"match", "criticality"},
                               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                                 if (k == "match") w.NonEmptyStr(fv, fp, &r.match);
                                 if (k == "criticality") w.Crit(fv, fp, &r.criticality);
                               }))
                   return;
                 w.Require(item, ip, {"match", "criticality"});
                 out->by_resource.push_back(std::move(r));
               });
             }
             if (key == "by_account") {
               w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
                 AccountCriticality a;
                 if (!w.Fields(item, ip, {"account", "criticality"},
                               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                                 if (k == "account") w.NonEmptyStr(fv, fp, &a.account);
                                 if (k == "criticality") w.Crit(fv, fp, &a.criticality);
                               }))
                   return;
                 w.Require(item, ip, {"account", "criticality"});
                 out->by_account.push_back(std::move(a));
               });
             }
           });
}

void ReadContact(Walker& w, const YAML::Node& n, const std::string& path, Contact* c) {
  w.Fields(n, path, {"name", "email", "phone", "slack", "teams", "pagerduty"},
           [&](const std::string& k, const YAML::Node& v, const std::string& p) {
             if (k == "name") w.NonEmptyStr(v, p, &c->name);
             if (k == "email") w.Str(v, p, &c->email);
             if (k == "phone") w.Str(v, p, &c->phone);
             if (k == "slack") w.Str(v, p, &c->slack);
             if (k == "teams") w.Str(v, p, &c->teams);
             if (k == "pagerduty") w.Str(v, p, &c->pagerduty);
           });
}

const std::vector<std::string_view>& RoleNames() {
  static const std::vector<std::string_view> names(std::begin(kRoleNames), std::end(kRoleNames));
  return names;
}

void ReadPeople(Walker& w, const YAML::Node& n, PeopleConfig* out) {
  const Keys roles = {"incident_commander", "responders", "legal", "communications", "management"};
  w.Fields(n, "people", {"contacts", "roles", "on_call", "escalation", "aws_support"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "contacts") {
      w.Entries(v, p, [&](const std::string& name, const YAML::Node& cv, const std::string& cp,
                          SourceLocation at) {
        Contact c;
        c.name = name;
        c.where = at;
        ReadContact(w, cv, cp, &c);
        c.name = name;  // the key is the name
        out->contacts.push_back(std::move(c));
      });
    }
    if (key == "roles") {
      w.Fields(v, p, roles, [&](const std::string& role, const YAML::Node& rv, const std::string& rp) {
        out->role_where[role] = w.Loc(rv);
        w.StrList(rv, rp, &out->roles[role]);
      });
    }
    if (key == "on_call") {
      w.Fields(v, p, roles, [&](const std::string& role, const YAML::Node& ov, const std::string& op) {
        OnCall oc;
        oc.where = w.Loc(ov);
        if (ov.IsSequence()) {  // shorthand: on_call: {role: [a, b]}
          w.StrList(ov, op, &oc.people);
        } else {
          w.Fields(ov, op, {"people", "rotation", "start"},
                   [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                     if (k == "people") w.StrList(fv, fp, &oc.people);
                     if (k == "rotation") {
                       std::string r;
                       if (w.Str(fv, fp, &r)) {
                         if (r == "weekly") oc.weekly = true;
                         else if (r != "none") w.Add(fv, fp + ": expected 'weekly' or 'none', got '" + r + "'");
                       }
                     }
                     if (k == "start") {
                       std::string s;
                       if (w.Str(fv, fp, &s)) {
                         if (auto t = ParseIsoTime(s)) oc.rotation_start_ms = *t;
                         else w.Add(fv, fp + ": expected an ISO 8601 time such as 2026-01-05T09:00:00Z");
                       }
                     }
                   });
        }
        out->on_call[role] = std::move(oc);
      });
    }
    if (key == "escalation") {
      w.Entries(v, p, [&](const std::string& sev, const YAML::Node& sv, const std::string& sp,
                          SourceLocation at) {
        auto level = StrictLevel(sev);
        if (!level) {
          std::string reason = "unknown severity " + sp;
          std::string_view hint = ClosestWord(sev, kLevelNames);
          if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
          w.Add(at, reason);
          return;
        }
        auto& steps = out->escalation[*level];
        w.Items(sv, sp, [&](const YAML::Node& item, const std::string& ip) {
          EscalationStep step;
          step.where = w.Loc(item);
          if (!w.Fields(item, ip, {"after", "notify", "via"},
                        [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                          if (k == "after") w.Duration(fv, fp, &step.after_ms);
                          if (k == "notify") {
                            if (fv.IsScalar()) step.roles = {fv.Scalar()};
                            else w.StrList(fv, fp, &step.roles);
                          }
                          if (k == "via") w.StrList(fv, fp, &step.via);
                        }))
            return;
          w.Require(item, ip, {"after", "notify"});
          steps.push_back(std::move(step));
        });
        std::stable_sort(steps.begin(), steps.end(),
                         [](const EscalationStep& a, const EscalationStep& b) { return a.after_ms < b.after_ms; });
      });
    }
    if (key == "aws_support") {
      w.Fields(v, p, {"plan", "case_severity", "account_team"},
               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
        if (k == "plan") {
          std::string plan;
          if (w.Str(fv, fp, &plan)) {
            static constexpr std::string_view kPlans[] = {"basic", "developer", "business",
                                                          "enterprise_on_ramp", "enterprise"};
            if (std::find(std::begin(kPlans), std::end(kPlans), plan) == std::end(kPlans)) {
              std::string reason = fp + ": unknown support plan '" + plan + "'";
              std::string_view hint = ClosestWord(plan, kPlans);
              if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
              w.Add(fv, reason);
            } else {
              out->aws_support.plan = plan;
            }
          }
        }
        if (k == "case_severity") {
          w.Entries(fv, fp, [&](const std::string& sev, const YAML::Node& cv, const std::string& cp,
                                SourceLocation at) {
            auto level = StrictLevel(sev);
            if (!level) return w.Add(at, "unknown severity " + cp);
            std::string cs;
            if (!w.Str(cv, cp, &cs)) return;
            static constexpr std::string_view kCase[] = {"low", "normal", "high", "urgent", "critical"};
            if (std::find(std::begin(kCase), std::end(kCase), cs) == std::end(kCase))
              return w.Add(cv, cp + ": expected an AWS Support case severity (low, normal, high, urgent, critical)");
            out->aws_support.case_severity[*level] = cs;
          });
        }
        if (k == "account_team") {
          w.Items(fv, fp, [&](const YAML::Node& item, const std::string& ip) {
            Contact c;
            c.where = w.Loc(item);
            ReadContact(w, item, ip, &c);
            out->aws_support.account_team.push_back(std::move(c));
          });
        }
      });
    }
  });
}

void ReadChannel(Walker& w, const std::string& name, const YAML::Node& n, const std::string& path,
                 SourceLocation at, AlertsConfig* out) {
  ChannelConfig ch;
  ch.name = name;
  ch.where = at;
  if (!n.IsMap()) {
    w.Add(n.IsNull() ? at : w.Loc(n), path + ": expected a map with a 'type', got " + std::string(KindName(n)));
    return;
  }
  std::string type;
  for (auto it = n.begin(); it != n.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == "type" && it->second.IsScalar()) type = it->second.Scalar();
  static constexpr std::string_view kTypes[] = {"sns", "slack", "teams", "webhook", "pagerduty", "email"};
  if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
    std::string reason = type.empty() ? path + ": missing 'type' (one of sns, slack, teams, webhook, pagerduty, email)"
                                      : path + ".type: unknown channel type '" + type + "'";
    std::string_view hint = type.empty() ? std::string_view() : ClosestWord(type, kTypes);
    if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
    w.Add(n, reason);
    return;
  }
  ch.type = type;
  auto fields = [&](const std::string& k, const YAML::Node& v, const std::string& p) {
    if (k == "topic_arn") w.NonEmptyStr(v, p, &ch.topic_arn);
    if (k == "region") w.NonEmptyStr(v, p, &ch.region);
    if (k == "webhook_url" || k == "url" || k == "events_url") w.SecretField(v, p, &ch.url, false);
    if (k == "format") {
      if (w.Str(v, p, &ch.format) && ch.format != "messagecard" && ch.format != "adaptive")
        w.Add(v, p + ": expected 'messagecard' or 'adaptive'");
    }
    if (k == "secret") w.SecretField(v, p, &ch.secret, true);
    if (k == "routing_key") w.SecretField(v, p, &ch.routing_key, true);
    if (k == "smtp_url") w.SecretField(v, p, &ch.smtp_url, false);
    if (k == "from") w.NonEmptyStr(v, p, &ch.from);
    if (k == "to") w.StrList(v, p, &ch.to);
  };
  if (type == "sns") {
    w.Fields(n, path, {"type", "topic_arn", "region"}, fields);
    w.Require(n, path, {"topic_arn"});
    if (ch.region.empty()) {  // arn:aws:sns:REGION:ACCOUNT:NAME
      size_t a = ch.topic_arn.find(':', ch.topic_arn.find(':', 4) + 1);
      if (a != std::string::npos) ch.region = ch.topic_arn.substr(a + 1, ch.topic_arn.find(':', a + 1) - a - 1);
    }
  } else if (type == "slack") {
    w.Fields(n, path, {"type", "webhook_url"}, fields);
    w.Require(n, path, {"webhook_url"});
  } else if (type == "teams") {
    ch.format = "messagecard";
    w.Fields(n, path, {"type", "webhook_url", "format"}, fields);
    w.Require(n, path, {"webhook_url"});
  } else if (type == "webhook") {
    w.Fields(n, path, {"type", "url", "secret"}, fields);
    w.Require(n, path, {"url", "secret"});
  } else if (type == "pagerduty") {
    w.Fields(n, path, {"type", "routing_key", "events_url"}, fields);
    w.Require(n, path, {"routing_key"});
  } else if (type == "email") {
    w.Fields(n, path, {"type", "smtp_url", "from", "to"}, fields);
    w.Require(n, path, {"smtp_url", "from"});
  }
  out->channels.push_back(std::move(ch));
}

void ReadAlerts(Walker& w, const YAML::Node& n, AlertsConfig* out) {
  w.Fields(n, "alerts", {"channels", "routes", "group_window", "dedup_window", "retry"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "channels") {
      w.Entries(v, p, [&](const std::string& name, const YAML::Node& cv, const std::string& cp,
                          SourceLocation at) { ReadChannel(w, name, cv, cp, at, out); });
    }
    if (key == "routes") {
      w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        Route r;
        r.where = w.Loc(item);
        if (!w.Fields(item, ip, {"match", "channels", "roles", "stop"},
                      [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
          if (k == "channels") w.StrList(fv, fp, &r.channels);
          if (k == "roles") w.StrList(fv, fp, &r.roles);
          if (k == "stop") w.Bool(fv, fp, &r.stop);
          if (k == "match") {
            w.Fields(fv, fp, {"severity", "accounts", "tags", "rules"},
                     [&](const std::string& mk, const YAML::Node& mv, const std::string& mp) {
                       if (mk == "severity") w.Severity(mv, mp, &r.match.min_severity);
                       if (mk == "accounts") w.StrList(mv, mp, &r.match.accounts);
                       if (mk == "tags") w.StrList(mv, mp, &r.match.tags);
                       if (mk == "rules") w.StrList(mv, mp, &r.match.rules);
                     });
          }
        }))
          return;
        if (r.channels.empty() && r.roles.empty()) w.Add(item, ip + ": a route needs 'channels' or 'roles'");
        out->routes.push_back(std::move(r));
      });
    }
    if (key == "group_window") w.Duration(v, p, &out->group_window_ms);
    if (key == "dedup_window") w.Duration(v, p, &out->dedup_window_ms);
    if (key == "retry") {
      w.Fields(v, p, {"attempts", "initial_backoff", "max_backoff"},
               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                 if (k == "attempts") w.Int(fv, fp, &out->retry.attempts, 1, 20);
                 // A delivery's waits hold up the alerter thread (and shutdown): at most an hour each.
                 if (k == "initial_backoff") w.BoundedDuration(fv, fp, &out->retry.initial_backoff_ms, 0, 3'600'000);
                 if (k == "max_backoff") w.BoundedDuration(fv, fp, &out->retry.max_backoff_ms, 0, 3'600'000);
               });
      if (out->retry.max_backoff_ms < out->retry.initial_backoff_ms)
        w.Add(v, p + ": max_backoff is shorter than initial_backoff");
    }
  });
}

void ReadAutomation(Walker& w, const YAML::Node& n, AutomationConfig* out) {
  w.Fields(n, "automation", {"enabled", "policies", "rate_limits"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "enabled") w.Bool(v, p, &out->enabled);
    if (key == "rate_limits") {
      w.Fields(v, p, {"actions_per_hour", "actions_per_resource_per_hour"},
               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                 if (k == "actions_per_hour") w.Int(fv, fp, &out->max_actions_per_hour, 0, 1'000'000);
                 if (k == "actions_per_resource_per_hour")
                   w.Int(fv, fp, &out->max_actions_per_resource_per_hour, 0, 1'000'000);
               });
    }
    if (key == "policies") {
      w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        AutomationPolicy pol;
        pol.where = w.Loc(item);
        if (!w.Fields(item, ip, {"match", "playbook", "mode"},
                      [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
          if (k == "playbook") w.NonEmptyStr(fv, fp, &pol.playbook);
          if (k == "mode") {
            std::string m;
            if (w.Str(fv, fp, &m)) {
              if (m == "run") pol.mode = AutomationMode::kRun;
              else if (m == "plan") pol.mode = AutomationMode::kPlan;
              else if (m == "approve") pol.mode = AutomationMode::kApprove;
              else w.Add(fv, fp + ": expected run, plan or approve, got '" + m + "'");
            }
          }
          if (k == "match") {
            w.Fields(fv, fp, {"finding_types", "rules", "severity"},
                     [&](const std::string& mk, const YAML::Node& mv, const std::string& mp) {
                       if (mk == "finding_types") w.StrList(mv, mp, &pol.finding_types);
                       if (mk == "rules") w.StrList(mv, mp, &pol.rules);
                       if (mk == "severity") w.Severity(mv, mp, &pol.min_severity);
                     });
          }
        }))
          return;
        w.Require(item, ip, {"playbook"});
        out->policies.push_back(std::move(pol));
      });
    }
  });
}

void ReadRespond(Walker& w, const YAML::Node& n, RespondConfig* out) {
  w.Fields(n, "respond", {"approvals", "quarantine_security_group", "forensic_bucket", "examiner_cidr",
                          "break_glass_role"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "approvals") {
      w.Fields(v, p, {"actions", "severity", "separation_of_duties"},
               [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
                 if (k == "actions") w.StrList(fv, fp, &out->approval_actions);
                 if (k == "separation_of_duties") w.Bool(fv, fp, &out->separation_of_duties);
                 if (k == "severity") {
                   Level l{};
                   if (w.Severity(fv, fp, &l)) out->approval_min_severity = l;
                 }
               });
    }
    if (key == "quarantine_security_group") w.NonEmptyStr(v, p, &out->quarantine_security_group);
    if (key == "forensic_bucket") w.Str(v, p, &out->forensic_bucket);
    if (key == "break_glass_role") w.NonEmptyStr(v, p, &out->break_glass_role);
    if (key == "examiner_cidr") {
      if (w.Str(v, p, &out->examiner_cidr) && out->examiner_cidr.find('/') == std::string::npos)
        w.Add(v, p + ": expected a CIDR such as 203.0.113.7/32");
    }
  });
}

// "YYYY-MM-DD" -> the last millisecond of that day (UTC); nullopt when not a real date.
std::optional<int64_t> EndOfDayMs(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto start = ParseIsoTime(text + "T00:00:00Z");
  if (!start || FormatIsoTime(*start).substr(0, 10) != text) return std::nullopt;  // 2026-02-30
  return *start + 86'400'000LL - 1;
}

// Check ids are "service.what": lowercase letters, digits, '-' and one '.'; "*" for every check.
bool ValidCheckId(const std::string& id) {
  if (id == "*") return true;
  size_t dot = id.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == id.size() || id.find('.', dot + 1) != std::string::npos)
    return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

void ReadPosture(Walker& w, const YAML::Node& n, PostureConfig* out) {
  w.Fields(n, "posture", {"suppressions"}, [&](const std::string&, const YAML::Node& v, const std::string& p) {
    w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
      PostureSuppression s;
      s.where = w.Loc(item);
      bool bad = false;
      if (!w.Fields(item, ip, {"check", "resource", "reason", "expires"},
                    [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
        if (k == "check") {
          if (w.Str(fv, fp, &s.check) && !ValidCheckId(s.check)) {
            w.Add(fv, fp + ": expected a check id such as s3.versioning (or *), got '" + s.check + "'");
            bad = true;
          }
        }
        if (k == "resource") w.NonEmptyStr(fv, fp, &s.resource);
        if (k == "reason") w.NonEmptyStr(fv, fp, &s.reason);
        if (k == "expires") {
          if (!w.Str(fv, fp, &s.expires)) return;
          if (auto ms = EndOfDayMs(s.expires)) {
            s.expires_ms = *ms;
          } else {
            w.Add(fv, fp + ": expected a date YYYY-MM-DD, got '" + s.expires + "'");
            bad = true;
          }
        }
      }))
        return;
      w.Require(item, ip, {"check", "resource", "reason", "expires"});
      if (!bad && !s.check.empty() && !s.resource.empty() && !s.reason.empty() && s.expires_ms != 0)
        out->suppressions.push_back(std::move(s));
    });
  });
}

void ReadAccounts(Walker& w, const YAML::Node& n, std::vector<AccountConfig>* out) {
  w.Items(n, "accounts", [&](const YAML::Node& item, const std::string& ip) {
    AccountConfig a;
    a.where = w.Loc(item);
    if (!w.Fields(item, ip, {"id", "name", "role_arn", "regions", "external_id", "organization", "role_name"},
                  [&](const std::string& k, const YAML::Node& v, const std::string& p) {
      if (k == "id") {
        if (w.Str(v, p, &a.id) &&
            (a.id.size() != 12 || !std::all_of(a.id.begin(), a.id.end(), [](char c) { return c >= '0' && c <= '9'; })))
          w.Add(v, p + ": expected a 12-digit AWS account id (quote it so leading zeros stay)");
      }
      if (k == "name") w.Str(v, p, &a.name);
      if (k == "role_arn") {
        if (w.Str(v, p, &a.role_arn) && !a.role_arn.starts_with("arn:"))
          w.Add(v, p + ": expected an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
      }
      if (k == "regions") w.StrList(v, p, &a.regions);
      if (k == "external_id") w.SecretField(v, p, &a.external_id, false);
      if (k == "organization") w.Bool(v, p, &a.organization);
      if (k == "role_name") {
        if (w.Str(v, p, &a.role_name) &&
            (a.role_name.empty() || a.role_name.size() > 64 ||
             !std::all_of(a.role_name.begin(), a.role_name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("+=,.@_-").find(c) != std::string_view::npos;
             })))
          w.Add(v, p + ": expected an IAM role name such as OrganizationAccountAccessRole");
      }
    }))
      return;
    if (a.organization) {
      // Every member account: no single id or role ARN.
      if (!a.id.empty() || !a.role_arn.empty())
        w.Add(item, ip + ": an organization entry names its accounts itself; give role_name, not id or role_arn");
    } else {
      w.Require(item, ip, {"id"});
      if (!a.role_name.empty()) w.Add(item, ip + ".role_name: only with organization: true (else give role_arn)");
    }
    out->push_back(std::move(a));
  });
}

void ReadServe(Walker& w, const YAML::Node& n, ServeConfig* out) {
  w.Fields(n, "serve", {"listen", "tls", "tokens", "watch", "sqs_queues", "sqs_wait", "sqs_visibility_timeout",
                        "sqs_max_messages", "watch_interval", "watch_state", "public_url", "max_body_bytes"},
           [&](const std::string& key, const YAML::Node& v, const std::string& p) {
    if (key == "listen") w.NonEmptyStr(v, p, &out->listen);
    if (key == "watch") w.StrList(v, p, &out->watch);
    if (key == "sqs_queues") w.StrList(v, p, &out->sqs_queues);
    // The ranges are those of the SQS API (ReceiveMessage) and of the serve flags.
    if (key == "sqs_wait") w.BoundedSeconds(v, p, &out->sqs_wait_seconds, 0, 20);
    if (key == "sqs_visibility_timeout") w.BoundedSeconds(v, p, &out->sqs_visibility_timeout_seconds, 1, 43200);
    if (key == "sqs_max_messages") w.Int(v, p, &out->sqs_max_messages, 1, 10);
    if (key == "watch_interval") w.BoundedDuration(v, p, &out->watch_interval_ms, 100, 3'600'000);
    if (key == "watch_state") w.NonEmptyStr(v, p, &out->watch_state);
    if (key == "max_body_bytes") w.Int(v, p, &out->max_body_bytes, 1024, 1 << 30);
    if (key == "public_url") {
      std::string url;
      if (!w.Str(v, p, &url)) return;
      auto normalized = NormalizePublicUrl(url);
      if (!normalized) return w.Add(v, p + ": " + normalized.error().message);
      out->public_url = std::move(*normalized);
    }
    if (key == "tls") {
      w.Fields(v, p, {"cert", "key"}, [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
        if (k == "cert") w.Str(fv, fp, &out->tls_cert);
        if (k == "key") w.Str(fv, fp, &out->tls_key);
      });
      if ((out->tls_cert.empty()) != (out->tls_key.empty())) w.Add(v, p + ": set both 'cert' and 'key'");
    }
    if (key == "tokens") {
      w.Items(v, p, [&](const YAML::Node& item, const std::string& ip) {
        ApiToken t;
        if (!w.Fields(item, ip, {"name", "sha256", "token", "role"},
                      [&](const std::string& k, const YAML::Node& fv, const std::string& fp) {
          if (k == "name") w.NonEmptyStr(fv, fp, &t.name);
          if (k == "sha256") {
            if (w.Str(fv, fp, &t.sha256) &&
                (t.sha256.size() != 64 ||
                 !std::all_of(t.sha256.begin(), t.sha256.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })))
              w.Add(fv, fp + ": expected 64 hex digits (sha256sum of the token)");
          }
          if (k == "token") w.SecretField(fv, fp, &t.token, true);
          if (k == "role") {
            std::string r;
            if (w.Str(fv, fp, &r)) {
              if (r == "viewer") t.role = ApiRole::kViewer;
              else if (r == "responder") t.role = ApiRole::kResponder;
              else if (r == "admin") t.role = ApiRole::kAdmin;
              else w.Add(fv, fp + ": expected viewer, responder or admin, got '" + r + "'");
            }
          }
        }))
          return;
        if (t.sha256.empty() == t.token.empty()) w.Add(item, ip + ": give exactly one of 'sha256' or 'token'");
        out->tokens.push_back(std::move(t));
      });
    }
  });
}

// Cross-section references, checked once everything is read.
void CheckReferences(Walker& w, const Config& c) {
  const PeopleConfig& people = c.people;
  auto known_role = [&](const std::string& r) {
    return std::find(RoleNames().begin(), RoleNames().end(), r) != RoleNames().end();
  };
  auto role_problem = [&](SourceLocation at, const std::string& where, const std::string& r) {
    std::string reason = where + " names unknown role '" + r + "'";
    std::string_view hint = ClosestWord(r, RoleNames());
    if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
    w.Add(at, reason);
  };
  std::vector<std::string> contact_names;
  for (const Contact& ct : people.contacts) contact_names.push_back(ct.name);
  std::vector<std::string_view> contact_views(contact_names.begin(), contact_names.end());
  auto contact_problem = [&](SourceLocation at, const std::string& where, const std::string& name) {
    std::string reason = where + " names unknown contact '" + name + "'";
    std::string_view hint = ClosestWord(name, contact_views);
    if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
    w.Add(at, reason);
  };
  std::vector<std::string_view> channel_names;
  for (const ChannelConfig& ch : c.alerts.channels) channel_names.push_back(ch.name);
  auto channel_problem = [&](SourceLocation at, const std::string& where, const std::string& name) {
    std::string reason = where + " names unknown channel '" + name + "'";
    std::string_view hint = ClosestWord(name, channel_names);
    if (!hint.empty()) reason += "; did you mean '" + std::string(hint) + "'?";
    w.Add(at, reason);
  };

  for (const auto& [role, members] : people.roles) {
    auto it = people.role_where.find(role);
    SourceLocation at = it == people.role_where.end() ? SourceLocation{} : it->second;
    for (const std::string& m : members)
      if (!people.FindContact(m)) contact_problem(at, "people.roles." + role, m);
  }
  for (const auto& [role, oc] : people.on_call)
    for (const std::string& m : oc.people)
      if (!people.FindContact(m)) contact_problem(oc.where, "people.on_call." + role, m);
  for (const auto& [level, steps] : people.escalation) {
    for (const EscalationStep& s : steps) {
      const std::string where = "people.escalation." + std::string(LevelName(level));
      for (const std::string& r : s.roles)
        if (!known_role(r)) role_problem(s.where, where, r);
      for (const std::string& ch : s.via)
        if (!c.alerts.FindChannel(ch)) channel_problem(s.where, where, ch);
    }
  }
  for (size_t i = 0; i < c.alerts.routes.size(); ++i) {
    const Route& r = c.alerts.routes[i];
    const std::string where = "alerts.routes[" + std::to_string(i) + "]";
    for (const std::string& ch : r.channels)
      if (!c.alerts.FindChannel(ch)) channel_problem(r.where, where, ch);
    for (const std::string& role : r.roles)
      if (!known_role(role)) role_problem(r.where, where, role);
  }
}

}  // namespace

LoadResult LoadConfigText(std::string_view text, std::string_view file) {
  LoadResult result;
  result.config.path = std::string(file);
  Walker w{std::string(file), &result.problems};
  if (auto hazard = FindYamlHazard(text)) {
    w.Add(SourceLocation{hazard->line, 1}, "YAML syntax: " + hazard->reason);
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    w.Add(SourceLocation{e.mark.line + 1, e.mark.column + 1}, "YAML syntax: " + e.msg);
    return result;
  } catch (const std::exception& e) {
    w.Add(SourceLocation{1, 1}, std::string("YAML syntax: ") + e.what());
    return result;
  }
  try {
    Config& c = result.config;
    if (!root.IsNull() && !root.IsMap()) {
      w.Add(root, std::string("the configuration must be a map of sections (store, alerts, ...), got ") +
                      KindName(root));
      return result;
    }
    w.Fields(root, "", {"store", "detection", "assets", "people", "alerts", "automation", "respond",
                        "posture", "accounts", "serve"},
             [&](const std::string& key, const YAML::Node& v, const std::string&) {
               if (key == "store") ReadStore(w, v, &c.store);
               if (key == "detection") ReadDetection(w, v, &c.detection);
               if (key == "assets") ReadAssets(w, v, &c.assets);
               if (key == "people") ReadPeople(w, v, &c.people);
               if (key == "alerts") ReadAlerts(w, v, &c.alerts);
               if (key == "automation") ReadAutomation(w, v, &c.automation);
               if (key == "respond") ReadRespond(w, v, &c.respond);
               if (key == "posture") ReadPosture(w, v, &c.posture);
               if (key == "accounts") ReadAccounts(w, v, &c.accounts);
               if (key == "serve") ReadServe(w, v, &c.serve);
             });
    CheckReferences(w, c);
  } catch (const std::exception& e) {  // yaml-cpp conversions; never expected, never fatal
    w.Add(SourceLocation{1, 1}, std::string("internal error while reading: ") + e.what());
  }
  return result;
}

LoadResult LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.problems.push_back({path, 0, 0, "cannot open the configuration file"});
    return r;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return LoadConfigText(buf.str(), path);
}

std::optional<std::string> FindConfigPath(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("CLOUDWARD_CONFIG"); env != nullptr && *env != '\0') return std::string(env);
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    std::string p = std::string(home) + "/.config/cloudward/cloudward.yaml";
    std::error_code ec;
    if (std::filesystem::exists(p, ec)) return p;
  }
  return std::nullopt;
}

LoadResult LoadConfig(std::string_view flag) {
  auto path = FindConfigPath(flag);
  if (!path) return LoadResult{};
  return LoadConfigFile(*path);
}

// ---- small helpers declared in config.h ----

std::string_view CriticalityName(Criticality c) {
  switch (c) {
    case Criticality::kLow: return "low";
    case Criticality::kMedium: return "medium";
    case Criticality::kHigh: return "high";
    case Criticality::kCritical: return "critical";
  }
  return "medium";
}

std::optional<Criticality> CriticalityFromName(std::string_view name) {
  for (Criticality c : {Criticality::kLow, Criticality::kMedium, Criticality::kHigh, Criticality::kCritical})
    if (CriticalityName(c) == name) return c;
  return std::nullopt;
}

std::string_view AutomationModeName(AutomationMode m) {
  switch (m) {
    case AutomationMode::kRun: return "run";
    case AutomationMode::kPlan: return "plan";
    case AutomationMode::kApprove: return "approve";
  }
  return "plan";
}

std::string_view ApiRoleName(ApiRole r) {
  switch (r) {
    case ApiRole::kViewer: return "viewer";
    case ApiRole::kResponder: return "responder";
    case ApiRole::kAdmin: return "admin";
  }
  return "viewer";
}

const Contact* PeopleConfig::FindContact(std::string_view name) const {
  for (const Contact& c : contacts)
    if (c.name == name) return &c;
  return nullptr;
}

const ChannelConfig* AlertsConfig::FindChannel(std::string_view name) const {
  for (const ChannelConfig& c : channels)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace cloudward::config
