// Loads the cloudward YAML configuration (schema: docs/configuration.md) and checks it whole:
// every problem is collected with file, line, column and reason instead of stopping at the
// first. Unknown keys are problems with a "did you mean" suggestion, wrong types name the expected
// type, and references between sections (route -> channel, role -> contact, escalation -> role)
// are checked after parsing. Secrets (`env:NAME`, `file:/path`) are not resolved here.
//
//   config::LoadResult r = config::LoadConfigFile(path);
//   for (const config::Problem& p : r.problems) fmt::print("{}\n", p.ToString());
//   if (r.ok()) Use(r.config);
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/result.h"

namespace cloudward::config {

struct Problem {
  std::string file;
  int line = 0;    // 1-based; 0 only for problems about the file as a whole (cannot open)
  int column = 0;  // 1-based
  std::string reason;

  std::string ToString() const;  // "file:line:column: reason"
};

struct LoadResult {
  Config config;  // best effort even when there are problems: bad fields keep their defaults
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

// Parses `text` as the configuration; `file` names it in problems.
LoadResult LoadConfigText(std::string_view text, std::string_view file);

// Reads and parses `path`; an unreadable file is a single problem with line 0.
LoadResult LoadConfigFile(const std::string& path);

// The configuration file to use: `flag` if non-empty, else $CLOUDWARD_CONFIG if set, else
// ~/.config/cloudward/cloudward.yaml if it exists; nullopt means "embedded defaults".
std::optional<std::string> FindConfigPath(std::string_view flag);

// Loads FindConfigPath(flag), or the embedded defaults when there is no file.
LoadResult LoadConfig(std::string_view flag);

// "30s", "15m", "1h30m", "2d", "1w", "250ms" or "0" -> milliseconds; nullopt when malformed.
std::optional<int64_t> ParseDuration(std::string_view text);

// serve.public_url and `serve --public-url`: an http:// or https:// URL with a host, returned without
// its trailing '/'s (alerts link to public_url + "/console/..."); an error for anything else.
//   NormalizePublicUrl("https://cw.example.com/") == "https://cw.example.com"
Result<std::string> NormalizePublicUrl(std::string_view url);

// The candidate closest to `word` (edit distance <= max(2, |word|/3)), or "" when none is close.
std::string_view ClosestWord(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace cloudward::config
