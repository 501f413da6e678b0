// Small text helpers that several stages need the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cloudward {

// '*' matches any run of characters and '?' exactly one (IAM policy and suppression patterns,
// playbook triggers, automation policies). Linear in practice: backtracks to the last '*' only.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool case_insensitive);

// The parts with `separator` between them: Join({"a", "b"}, ", ") == "a, b".
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

// ASCII case-insensitive equality (operator names, header names).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Appends `s` as a JSON string literal, as nlohmann::json dumps it for valid UTF-8 (\b \f \n \r
// \t, other control bytes as \u00XX, non-ASCII as is). Bytes that are not valid UTF-8 are
// written as \u00XX (their Latin-1 reading), so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view s);

// Escapes & < > " ' for HTML text and attribute values (also valid XML).
std::string HtmlEscape(std::string_view text);

}  // namespace cloudward
