// Small text helpers that several stages need the same way.
#pragma once

#include <string>
#include <string_view>

namespace cloudward {

// '*' matches any run of characters and '?' exactly one (IAM policy and suppression patterns,
// playbook triggers, automation policies). Linear in practice: backtracks to the last '*' only.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool case_insensitive);

// Escapes & < > " ' for HTML text and attribute values (also valid XML).
std::string HtmlEscape(std::string_view text);

}  // namespace cloudward
