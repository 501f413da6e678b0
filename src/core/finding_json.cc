#include "core/finding_json.h"

#include <simdjson.h>

#include <cctype>
#include <cstring>
#include <map>
#include <string>

#include "core/text.h"
#include "core/time.h"

namespace cloudward {
namespace {

using nlohmann::json;

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string StringOr(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// The record is kept verbatim as JSON where it is JSON (CloudTrail, GuardDuty) and as a string
// where it is a log line. Invalid UTF-8 never makes dump() throw: callers dump with replace.
json RecordJson(const std::string& record) {
  if (!record.empty() && (record.front() == '{' || record.front() == '[')) {
    json parsed = json::parse(record, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) return parsed;
  }
  return record;
}


std::string Capitalised(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(out[0] - ('a' <= out[0] && out[0] <= 'z' ? 32 : 0));
  return out;
}

}  // namespace

namespace {
// Everything but the record.
json FindingJsonWithoutRecord(const Finding& f) {
  json out;
  out["rule"] = {{"id", f.rule.id},
                 {"title", f.rule.title},
                 {"level", std::string(LevelName(f.rule.level))},
                 {"tags", f.rule.tags}};
  out["time"] = f.context.time_ms == kUnknownTime ? json(nullptr) : json(FormatIsoTime(f.context.time_ms));
  out["account"] = OrNull(f.context.account);
  out["region"] = OrNull(f.context.region);
  out["actor"] = {{"type", OrNull(f.context.actor.type)},
                  {"arn", OrNull(f.context.actor.arn)},
                  {"access_key_id", OrNull(f.context.actor.access_key_id)},
                  {"session", OrNull(f.context.actor.session)},
                  {"user_name", OrNull(f.context.actor.user_name)}};
  out["source_ip"] = OrNull(f.context.source_ip);
  out["user_agent"] = OrNull(f.context.user_agent);
  out["event_source"] = OrNull(f.context.event_source);
  out["event_name"] = OrNull(f.context.event_name);
  out["event_id"] = OrNull(f.context.event_id);
  out["error_code"] = OrNull(f.context.error_code);
  out["resources"] = f.context.resources;
  out["log_type"] = std::string(LogTypeName(f.log_type));
  out["source"] = {{"file", f.source_file}, {"offset", f.source_offset}};
  if (!f.group.empty()) {
    json group = json::object();
    for (const auto& [k, v] : f.group) group[k] = v;
    out["group"] = std::move(group);
  }
  if (!f.related.empty()) out["related"] = f.related;
  return out;
}
}  // namespace

json FindingToJson(const Finding& f) {
  json out = FindingJsonWithoutRecord(f);
  out["record"] = RecordJson(f.record);
  return out;
}

namespace {

void AppendStringOrNull(std::string& out, const std::string& s) {
  if (s.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, s);
  }
}

void AppendStrings(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, items[i]);
  }
  out += ']';
}

}  // namespace

FindingView ViewOf(const Finding& f) {
  return {.rule = f.rule,
          .log_type = f.log_type,
          .context = f.context,
          .source_file = f.source_file,
          .source_offset = f.source_offset,
          .related = &f.related,
          .group = &f.group};
}

std::string RecordJsonText(std::string_view r) {
  std::string text;
  if (!r.empty() && (r.front() == '{' || r.front() == '[')) {
    text.resize(r.size());
    size_t length = 0;
    if (simdjson::minify(r.data(), r.size(), text.data(), length) == simdjson::SUCCESS && length > 0 &&
        (text[length - 1] == '}' || text[length - 1] == ']')) {
      text.resize(length);
      return text;
    }
  }
  return RecordJson(std::string(r)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FindingToJsonLine(const Finding& f) {
  std::string line;
  line.reserve(640 + f.record.size());
  AppendFindingJsonLine(line, ViewOf(f), RecordJsonText(f.record));
  return line;
}

// Written by hand, in the bytes FindingToJson(f).dump() gives (keys sorted, as nlohmann orders
// them; the record last).
void AppendFindingJsonLine(std::string& line, const FindingView& f, std::string_view record_json) {
  const EventContext& c = f.context;
  line += "{\"account\":";
  AppendStringOrNull(line, c.account);
  line += ",\"actor\":{\"access_key_id\":";
  AppendStringOrNull(line, c.actor.access_key_id);
  line += ",\"arn\":";
  AppendStringOrNull(line, c.actor.arn);
  line += ",\"session\":";
  AppendStringOrNull(line, c.actor.session);
  line += ",\"type\":";
  AppendStringOrNull(line, c.actor.type);
  line += ",\"user_name\":";
  AppendStringOrNull(line, c.actor.user_name);
  line += "},\"error_code\":";
  AppendStringOrNull(line, c.error_code);
  line += ",\"event_id\":";
  AppendStringOrNull(line, c.event_id);
  line += ",\"event_name\":";
  AppendStringOrNull(line, c.event_name);
  line += ",\"event_source\":";
  AppendStringOrNull(line, c.event_source);
  if (f.group != nullptr && !f.group->empty()) {
    std::map<std::string_view, std::string_view> group;  // sorted; the last of equal keys wins
    for (const auto& [k, v] : *f.group) group[k] = v;
    line += ",\"group\":{";
    bool first = true;
    for (const auto& [k, v] : group) {
      if (!first) line += ',';
      first = false;
      AppendJsonString(line, k);
      line += ':';
      AppendJsonString(line, v);
    }
    line += '}';
  }
  line += ",\"log_type\":";
  AppendJsonString(line, LogTypeName(f.log_type));
  line += ",\"region\":";
  AppendStringOrNull(line, c.region);
  if (f.related != nullptr && !f.related->empty()) {
    line += ",\"related\":";
    AppendStrings(line, *f.related);
  }
  line += ",\"resources\":";
  AppendStrings(line, c.resources);
  line += ",\"rule\":{\"id\":";
  AppendJsonString(line, f.rule.id);
  line += ",\"level\":";
  AppendJsonString(line, LevelName(f.rule.level));
  line += ",\"tags\":";
  AppendStrings(line, f.rule.tags);
  line += ",\"title\":";
  AppendJsonString(line, f.rule.title);
  line += "},\"source\":{\"file\":";
  AppendJsonString(line, f.source_file);
  line += ",\"offset\":";
  line += std::to_string(f.source_offset);
  line += "},\"source_ip\":";
  AppendStringOrNull(line, c.source_ip);
  line += ",\"time\":";
  if (c.time_ms == kUnknownTime) {
    line += "null";
  } else {
    AppendJsonString(line, FormatIsoTime(c.time_ms));
  }
  line += ",\"user_agent\":";
  AppendStringOrNull(line, c.user_agent);
  if (!record_json.empty()) {
    line += ",\"record\":";
    line += record_json;
  }
  line += '}';
}

std::string FindingLineFormat::Record(std::string_view raw) const {
  if (!with_record_) return {};
  if (kind_ == Kind::kOcsf) return std::string(raw);
  // A record the readers delivered is valid JSON or a log line: on one line, it goes in as it was
  // read; only a record that spans lines is minified.
  const bool json = raw.size() >= 2 && ((raw.front() == '{' && raw.back() == '}') || (raw.front() == '[' && raw.back() == ']'));
  if (json && std::memchr(raw.data(), '\n', raw.size()) == nullptr && std::memchr(raw.data(), '\r', raw.size()) == nullptr) {
    return std::string(raw);
  }
  return RecordJsonText(raw);
}

void FindingLineFormat::Append(std::string& out, const FindingView& f, std::string_view record) const {
  if (kind_ == Kind::kJsonl) {
    AppendFindingJsonLine(out, f, record);
  } else {
    Finding copy{.rule = f.rule,
                 .log_type = f.log_type,
                 .context = f.context,
                 .source_file = std::string(f.source_file),
                 .source_offset = f.source_offset,
                 .record = std::string(record)};
    if (f.related != nullptr) copy.related = *f.related;
    if (f.group != nullptr) copy.group = *f.group;
    json ocsf = FindingToOcsf(copy);
    if (!with_record_) ocsf.erase("raw_data");
    out += ocsf.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out += '\n';
}

int OcsfSeverityId(Level level) {
  switch (level) {
    case Level::kInformational: return 1;
    case Level::kLow: return 2;
    case Level::kMedium: return 3;
    case Level::kHigh: return 4;
    case Level::kCritical: return 5;
  }
  return 0;
}

Result<Finding> FindingFromJson(const json& j) {
  if (!j.is_object()) return Fail(ErrorCode::kMalformed, "finding is not a JSON object");
  Finding f;
  const json& rule = j.value("rule", json::object());
  if (!rule.is_object()) return Fail(ErrorCode::kMalformed, "finding.rule is not an object");
  f.rule.id = StringOr(rule, "id");
  f.rule.title = StringOr(rule, "title");
  f.rule.level = LevelFromName(StringOr(rule, "level"));
  if (auto it = rule.find("tags"); it != rule.end() && it->is_array()) {
    for (const auto& t : *it) {
      if (t.is_string()) f.rule.tags.push_back(t.get<std::string>());
    }
  }
  const std::string time = StringOr(j, "time");
  if (!time.empty()) {
    auto ms = ParseIsoTime(time);
    if (!ms) return Fail(ErrorCode::kMalformed, "finding.time is not an ISO time: " + time);
    f.context.time_ms = *ms;
  }
  f.context.account = StringOr(j, "account");
  f.context.region = StringOr(j, "region");
  if (auto it = j.find("actor"); it != j.end() && it->is_object()) {
    f.context.actor.type = StringOr(*it, "type");
    f.context.actor.arn = StringOr(*it, "arn");
    f.context.actor.access_key_id = StringOr(*it, "access_key_id");
    f.context.actor.session = StringOr(*it, "session");
    f.context.actor.user_name = StringOr(*it, "user_name");
  }
  f.context.source_ip = StringOr(j, "source_ip");
  f.context.user_agent = StringOr(j, "user_agent");
  f.context.event_source = StringOr(j, "event_source");
  f.context.event_name = StringOr(j, "event_name");
  f.context.event_id = StringOr(j, "event_id");
  f.context.error_code = StringOr(j, "error_code");
  if (auto it = j.find("resources"); it != j.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (r.is_string()) f.context.resources.push_back(r.get<std::string>());
    }
  }
  auto type = LogTypeFromName(StringOr(j, "log_type"));
  if (!type) return Fail(ErrorCode::kMalformed, "finding.log_type is missing or unknown");
  f.log_type = *type;
  if (auto it = j.find("source"); it != j.end() && it->is_object()) {
    f.source_file = StringOr(*it, "file");
    if (auto off = it->find("offset"); off != it->end() && off->is_number_unsigned()) {
      f.source_offset = off->get<uint64_t>();
    }
  }
  if (auto it = j.find("group"); it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      f.group.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  if (auto it = j.find("related"); it != j.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (r.is_string()) f.related.push_back(r.get<std::string>());
    }
  }
  if (auto it = j.find("record"); it != j.end()) {
    f.record = it->is_string() ? it->get<std::string>()
                               : it->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return f;
}

json FindingToOcsf(const Finding& f) {
  const int64_t time = f.context.time_ms == kUnknownTime ? 0 : f.context.time_ms;
  const int severity_id = OcsfSeverityId(f.rule.level);
  json attacks = json::array();
  for (const auto& tag : f.rule.tags) {
    // attack.t1078 / attack.t1078.004 -> technique; attack.<tactic> -> tactic.
    if (tag.rfind("attack.t", 0) == 0 && tag.size() > 8 && std::isdigit(static_cast<unsigned char>(tag[8]))) {
      std::string uid = "T" + tag.substr(8);
      for (auto& c : uid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      attacks.push_back({{"technique", {{"uid", uid}}}, {"version", "14.1"}});
    }
  }
  json out = {
      {"class_uid", 2004},
      {"class_name", "Detection Finding"},
      {"category_uid", 2},
      {"category_name", "Findings"},
      {"activity_id", 1},
      {"activity_name", "Create"},
      {"type_uid", 200401},
      {"type_name", "Detection Finding: Create"},
      {"time", time},
      {"severity_id", severity_id},
      {"severity", Capitalised(LevelName(f.rule.level))},
      {"status_id", 1},
      {"status", "New"},
      {"message", f.rule.title},
      {"metadata",
       {{"version", "1.1.0"},
        {"product", {{"name", "cloudward"}, {"vendor_name", "cloudward"}, {"version", "0.1.0"}}},
        {"log_name", std::string(LogTypeName(f.log_type))},
        {"original_time", f.context.time_ms == kUnknownTime ? json(nullptr)
                                                            : json(FormatIsoTime(f.context.time_ms))}}},
      {"finding_info",
       {{"uid", f.rule.id + ":" + (f.context.event_id.empty()
                                       ? f.source_file + ":" + std::to_string(f.source_offset)
                                       : f.context.event_id)},
        {"title", f.rule.title},
        {"analytic", {{"uid", f.rule.id}, {"name", f.rule.title}, {"type_id", 1}, {"type", "Rule"}}},
        {"types", f.rule.tags},
        {"attacks", attacks},
        {"first_seen_time", time},
        {"last_seen_time", time}}},
      {"cloud", {{"provider", "AWS"}, {"region", OrNull(f.context.region)},
                 {"account", {{"uid", OrNull(f.context.account)}}}}},
      {"actor", {{"user", {{"uid", OrNull(f.context.actor.arn)},
                           {"name", OrNull(f.context.actor.user_name)},
                           {"type", OrNull(f.context.actor.type)},
                           {"credential_uid", OrNull(f.context.actor.access_key_id)}}},
                 {"session", {{"issuer", OrNull(f.context.actor.session)}}}}},
      {"src_endpoint", {{"ip", OrNull(f.context.source_ip)}}},
      {"api", {{"operation", OrNull(f.context.event_name)},
               {"service", {{"name", OrNull(f.context.event_source)}}}}},
      {"resources", json::array()},
      {"raw_data", f.record},
  };
  for (const auto& r : f.context.resources) out["resources"].push_back({{"uid", r}});
  if (!f.context.user_agent.empty()) out["http_request"] = {{"user_agent", f.context.user_agent}};
  return out;
}

}  // namespace cloudward
