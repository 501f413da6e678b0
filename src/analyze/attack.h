// MITRE ATT&CK (Enterprise, cloud-relevant subset): tactic and technique names, and the reading
// of Sigma tags. A small data table of facts; ids and names as published by MITRE.
//
//   auto tags = analyze::ParseAttackTags({"attack.t1078.004", "attack.privilege_escalation"});
//   // tags.techniques == {"T1078.004"}, tags.tactics == {"privilege-escalation"}
//   analyze::FindTechnique("T1078.004")->name == "Cloud Accounts"
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cloudward::analyze {

struct AttackTactic {
  std::string_view id;          // "TA0004"
  std::string_view short_name;  // "privilege-escalation" (as in ATT&CK's kill_chain_phases)
  std::string_view name;        // "Privilege Escalation"
  int stage;                    // position in the attack life cycle, 0 = reconnaissance
};

struct AttackTechnique {
  std::string_view id;       // "T1078.004"
  std::string_view name;     // "Cloud Accounts" (sub-technique name without its parent)
  std::string_view tactics;  // space-separated tactic short names
};

std::span<const AttackTactic> AttackTactics();  // ordered by stage
std::span<const AttackTechnique> AttackTechniques();

// Accepts "privilege-escalation", "privilege_escalation", "Privilege Escalation" or "TA0004".
const AttackTactic* FindTactic(std::string_view name_or_id);
// Accepts "T1078.004" or "t1078.004". Unknown sub-techniques fall back to nothing (not the parent).
const AttackTechnique* FindTechnique(std::string_view id);

struct AttackTags {
  std::vector<std::string> tactics;     // short names, sorted by stage, unique
  std::vector<std::string> techniques;  // upper-case ids, sorted, unique
};

// Reads Sigma `attack.*` tags; other tags are ignored. When the tags name no tactic, the tactics
// of the known techniques are used, so rules tagged only with techniques still place an incident
// on the kill chain.
AttackTags ParseAttackTags(const std::vector<std::string>& tags);

}  // namespace cloudward::analyze
