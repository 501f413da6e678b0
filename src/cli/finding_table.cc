#include "cli/finding_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <string>

#include "core/time.h"

namespace cloudward::cli {
namespace finding_table_detail {

const char* LevelColour(Level level) {
  switch (level) {
    case Level::kCritical: return "\033[1;37;41m";
    case Level::kHigh: return "\033[1;31m";
    case Level::kMedium: return "\033[33m";
    case Level::kLow: return "\033[36m";
    case Level::kInformational: return "\033[2m";
  }
  return "";
}

std::string Shorten(std::string_view s, size_t width) {
  if (s.size() <= width) return std::string(s);
  return std::string(s.substr(0, width - 1)) + "~";
}

std::string ActorText(const Actor& a) {
  if (!a.arn.empty()) return a.arn;
  if (!a.user_name.empty()) return a.user_name;
  if (!a.type.empty()) return a.type;
  return "-";
}

}  // namespace finding_table_detail

using namespace finding_table_detail;  // NOLINT: this file's own helpers

void WriteFindingTable(std::FILE* out, const std::vector<Finding>& findings, const TableOptions& options) {
  if (findings.empty()) {
    fmt::print(out, "No findings.\n");
    return;
  }
  // Group by rule id; order groups by level (desc), then count (desc), then title.
  std::map<std::string, std::vector<const Finding*>> by_rule;
  for (const auto& f : findings) by_rule[f.rule.id + "\x1f" + f.rule.title].push_back(&f);
  std::vector<std::vector<const Finding*>*> groups;
  for (auto& [key, list] : by_rule) {
    std::stable_sort(list.begin(), list.end(), [](const Finding* a, const Finding* b) {
      return a->context.time_ms < b->context.time_ms;
    });
    groups.push_back(&list);
  }
  std::sort(groups.begin(), groups.end(), [](const auto* a, const auto* b) {
    const RuleRef& ra = a->front()->rule;
    const RuleRef& rb = b->front()->rule;
    if (ra.level != rb.level) return ra.level > rb.level;
    if (a->size() != b->size()) return a->size() > b->size();
    return ra.title < rb.title;
  });
  const char* reset = options.colour ? "\033[0m" : "";
  const char* dim = options.colour ? "\033[2m" : "";
  std::map<Level, size_t> per_level;
  for (const auto* group : groups) {
    const RuleRef& rule = group->front()->rule;
    per_level[rule.level] += group->size();
    fmt::print(out, "{}{:<13}{} {} ({} finding{}){}\n", options.colour ? LevelColour(rule.level) : "",
               fmt::format("[{}]", LevelName(rule.level)), reset, rule.title, group->size(),
               group->size() == 1 ? "" : "s", "");
    fmt::print(out, "  {}rule {}", dim, rule.id);
    if (!rule.tags.empty()) {
      std::string tags;
      for (const auto& t : rule.tags) tags += (tags.empty() ? "" : " ") + t;
      fmt::print(out, "  tags {}", tags);
    }
    fmt::print(out, "{}\n", reset);
    size_t shown = 0;
    for (const Finding* f : *group) {
      if (shown++ == options.rows_per_rule) {
        fmt::print(out, "  {}... {} more{}\n", dim, group->size() - options.rows_per_rule, reset);
        break;
      }
      const auto& c = f->context;
      std::string what = c.event_name.empty() ? std::string(LogTypeName(f->log_type)) : c.event_name;
      if (!c.error_code.empty()) what += " (" + c.error_code + ")";
      fmt::print(out, "  {:<20}  {:<12}  {:<14}  {:<15}  {:<28}  {}\n",
                 c.time_ms == kUnknownTime ? "-" : FormatIsoTime(c.time_ms).substr(0, 19) + "Z",
                 c.account.empty() ? "-" : c.account, c.region.empty() ? "-" : c.region,
                 c.source_ip.empty() ? "-" : Shorten(c.source_ip, 15), Shorten(what, 28),
                 Shorten(ActorText(c.actor), 80));
    }
    fmt::print(out, "\n");
  }
  fmt::print(out, "{} findings from {} rules:", findings.size(), groups.size());
  for (Level l : {Level::kCritical, Level::kHigh, Level::kMedium, Level::kLow, Level::kInformational}) {
    if (per_level.count(l)) fmt::print(out, " {} {}", per_level[l], LevelName(l));
  }
  fmt::print(out, "\n");
}

}  // namespace cloudward::cli
