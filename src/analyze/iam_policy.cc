#include "analyze/iam_policy.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace cloudward::analyze {
namespace {

using nlohmann::json;

// IAM returns policy documents in API responses URL-encoded ("%7B%22Version%22...").
std::string PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else if (in[i] == '+') {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return out;
}

// A string or a list of strings; anything else is an error.
Status Strings(const json& v, const char* key, std::vector<std::string>& out) {
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return Ok();
  }
  if (v.is_array()) {
    for (const json& item : v) {
      if (!item.is_string()) return Fail(ErrorCode::kMalformed, std::string(key) + " holds a non-string");
      out.push_back(item.get<std::string>());
    }
    return Ok();
  }
  return Fail(ErrorCode::kMalformed, std::string(key) + " must be a string or a list of strings");
}

Result<PolicyStatement> ParseStatement(const json& s) {
  if (!s.is_object()) return Fail(ErrorCode::kMalformed, "a Statement entry is not an object");
  PolicyStatement st;
  auto effect = s.find("Effect");
  if (effect == s.end() || !effect->is_string()) return Fail(ErrorCode::kMalformed, "Statement without Effect");
  if (*effect == "Allow") {
    st.allow = true;
  } else if (*effect == "Deny") {
    st.allow = false;
  } else {
    return Fail(ErrorCode::kMalformed, "Effect must be Allow or Deny, not " + effect->get<std::string>());
  }
  for (auto [key, negated, target] : {std::tuple{"Action", false, &st.actions},
                                      std::tuple{"NotAction", true, &st.actions},
                                      std::tuple{"Resource", false, &st.resources},
                                      std::tuple{"NotResource", true, &st.resources}}) {
    auto it = s.find(key);
    if (it == s.end()) continue;
    if (auto ok = Strings(*it, key, *target); !ok) return tl::unexpected(ok.error());
    if (negated) (target == &st.actions ? st.not_action : st.not_resource) = true;
  }
  if (st.actions.empty()) return Fail(ErrorCode::kMalformed, "Statement without Action or NotAction");
  st.has_condition = s.contains("Condition") && !s["Condition"].empty();
  if (auto p = s.find("Principal"); p != s.end()) {
    if (p->is_string()) {
      st.principal_aws.push_back(p->get<std::string>());
    } else if (p->is_object()) {
      for (auto [key, target] : {std::pair{"AWS", &st.principal_aws}, std::pair{"Service", &st.principal_service},
                                 std::pair{"Federated", &st.principal_federated}}) {
        if (auto it = p->find(key); it != p->end()) {
          if (auto ok = Strings(*it, key, *target); !ok) return tl::unexpected(ok.error());
        }
      }
    }
  }
  return st;
}

bool AnyMatch(const std::vector<std::string>& patterns, std::string_view text, bool ci) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return WildcardMatch(p, text, ci); });
}

}  // namespace

Result<PolicyDocument> ParsePolicyDocument(const json& value, std::string name) {
  json doc = value;
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    if (!text.empty() && text.front() == '%') text = PercentDecode(text);
    doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
      doc = json::parse(PercentDecode(value.get<std::string>()), nullptr, false);
      if (doc.is_discarded()) return Fail(ErrorCode::kMalformed, name + ": policy document is not JSON");
    }
  }
  if (!doc.is_object()) return Fail(ErrorCode::kMalformed, name + ": policy document is not an object");
  PolicyDocument out;
  out.name = std::move(name);
  auto st = doc.find("Statement");
  if (st == doc.end()) return out;  // no statements: grants nothing
  json list = st->is_array() ? *st : json::array({*st});
  for (const json& s : list) {
    auto parsed = ParseStatement(s);
    if (!parsed) return Fail(ErrorCode::kMalformed, out.name + ": " + parsed.error().message);
    out.statements.push_back(std::move(*parsed));
  }
  return out;
}

bool ActionMatches(const PolicyStatement& s, std::string_view action) {
  bool hit = AnyMatch(s.actions, action, /*ci=*/true);
  return s.not_action ? !hit : hit;
}

bool ResourceMatches(const PolicyStatement& s, std::string_view resource) {
  if (s.resources.empty()) return true;  // trust policies name no resource
  bool hit = AnyMatch(s.resources, resource, /*ci=*/false);
  return s.not_resource ? !hit : hit;
}

Reach ReachOf(const std::vector<const PolicyDocument*>& policies, std::string_view action) {
  Reach r;
  bool unconditional_allow = false;
  for (const PolicyDocument* doc : policies) {
    if (doc == nullptr) continue;
    for (const PolicyStatement& s : doc->statements) {
      if (!ActionMatches(s, action)) continue;
      std::vector<std::string> patterns;
      for (const std::string& res : s.resources) patterns.push_back(s.not_resource ? "NOT " + res : res);
      if (s.resources.empty()) patterns.push_back("*");
      if (s.allow) {
        r.allowed = true;
        unconditional_allow = unconditional_allow || !s.has_condition;
        for (auto& p : patterns) {
          if (std::find(r.resources.begin(), r.resources.end(), p) == r.resources.end()) r.resources.push_back(p);
        }
        if (std::find(r.granted_by.begin(), r.granted_by.end(), doc->name) == r.granted_by.end())
          r.granted_by.push_back(doc->name);
      } else if (!s.has_condition) {
        if (!s.not_resource && std::find(s.resources.begin(), s.resources.end(), "*") != s.resources.end()) {
          r.denied_everywhere = true;
        }
        for (auto& p : patterns) r.denied_resources.push_back(p);
      }
    }
  }
  r.conditional = r.allowed && !unconditional_allow;
  return r;
}

Decision Evaluate(const std::vector<const PolicyDocument*>& policies, std::string_view action,
                  std::string_view resource) {
  bool allow = false, conditional_only = true;
  for (const PolicyDocument* doc : policies) {
    if (doc == nullptr) continue;
    for (const PolicyStatement& s : doc->statements) {
      if (!ActionMatches(s, action) || !ResourceMatches(s, resource)) continue;
      if (!s.allow) {
        if (!s.has_condition) return Decision::kDeny;
        continue;  // a conditional Deny may or may not apply; blast radius assumes it does not
      }
      allow = true;
      conditional_only = conditional_only && s.has_condition;
    }
  }
  if (!allow) return Decision::kImplicitDeny;
  return conditional_only ? Decision::kConditionalAllow : Decision::kAllow;
}

Decision EvaluateWithBoundary(const std::vector<const PolicyDocument*>& identity,
                              const PolicyDocument* boundary, std::string_view action,
                              std::string_view resource) {
  Decision d = Evaluate(identity, action, resource);
  if (boundary == nullptr || d == Decision::kDeny || d == Decision::kImplicitDeny) return d;
  Decision b = Evaluate({boundary}, action, resource);
  if (b == Decision::kDeny || b == Decision::kImplicitDeny) return b;
  return (d == Decision::kConditionalAllow || b == Decision::kConditionalAllow) ? Decision::kConditionalAllow
                                                                              : Decision::kAllow;
}

}  // namespace cloudward::analyze
