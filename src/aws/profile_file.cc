#include "aws/profile_file.h"

namespace cloudward::aws {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Drops an inline comment: '#' or ';' preceded by whitespace.
std::string_view StripInlineComment(std::string_view v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if ((v[i] == '#' || v[i] == ';') && (v[i - 1] == ' ' || v[i - 1] == '\t')) return Trim(v.substr(0, i));
  }
  return v;
}

}  // namespace

const Profile* ProfileFile::Find(std::string_view name) const {
  auto it = profiles.find(std::string(name));
  return it == profiles.end() ? nullptr : &it->second;
}

ProfileFile ParseProfileFile(std::string_view text, ProfileFileKind kind, std::string_view origin) {
  ProfileFile out;
  Profile* current = nullptr;      // null: no section yet, or an ignored section
  bool in_ignored_section = false;
  std::string parent_key;          // key with empty value awaiting indented sub-properties
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');

    if (line.front() == '[') {
      parent_key.clear();
      size_t close = line.find(']');
      if (close == std::string_view::npos) {
        out.problems.push_back({std::string(origin), line_no, "section header without ']'"});
        current = nullptr;
        in_ignored_section = true;
        continue;
      }
      std::string_view name = Trim(line.substr(1, close - 1));
      std::string_view after = Trim(line.substr(close + 1));
      if (!after.empty() && after.front() != '#' && after.front() != ';') {
        out.problems.push_back({std::string(origin), line_no, "text after section header"});
      }
      current = nullptr;
      in_ignored_section = true;
      if (kind == ProfileFileKind::kCredentials) {
        if (!name.empty()) current = &out.profiles[std::string(name)];
      } else if (name == "default") {
        current = &out.profiles["default"];
      } else if (name.starts_with("profile ") || name.starts_with("profile\t")) {
        std::string_view profile = Trim(name.substr(8));
        if (!profile.empty()) current = &out.profiles[std::string(profile)];
      }
      if (current) in_ignored_section = false;
      continue;
    }

    if (indented && !parent_key.empty()) {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) {
        out.problems.push_back({std::string(origin), line_no, "sub-property without '='"});
        continue;
      }
      if (current) {
        (*current)[parent_key + "." + Lower(Trim(line.substr(0, eq)))] =
            std::string(StripInlineComment(Trim(line.substr(eq + 1))));
      }
      continue;
    }

    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      out.problems.push_back({std::string(origin), line_no, "line is neither section nor key = value"});
      continue;
    }
    std::string key = Lower(Trim(line.substr(0, eq)));
    std::string_view value = StripInlineComment(Trim(line.substr(eq + 1)));
    if (key.empty()) {
      out.problems.push_back({std::string(origin), line_no, "empty key"});
      continue;
    }
    if (!current) {
      if (!in_ignored_section) {
        out.problems.push_back({std::string(origin), line_no, "property before any section"});
      }
      continue;
    }
    parent_key = value.empty() ? key : std::string();
    (*current)[key] = std::string(value);
  }
  return out;
}

void MergeProfiles(ProfileFile& base, const ProfileFile& overlay) {
  for (const auto& [name, profile] : overlay.profiles) {
    auto& target = base.profiles[name];
    for (const auto& [k, v] : profile) target[k] = v;
  }
  base.problems.insert(base.problems.end(), overlay.problems.begin(), overlay.problems.end());
}

}  // namespace cloudward::aws
