#include "analyze/attack.h"

#include <algorithm>
#include <cctype>

namespace cloudward::analyze {
namespace {

constexpr AttackTactic kTactics[] = {
    {"TA0043", "reconnaissance", "Reconnaissance", 0},
    {"TA0042", "resource-development", "Resource Development", 1},
    {"TA0001", "initial-access", "Initial Access", 2},
    {"TA0002", "execution", "Execution", 3},
    {"TA0003", "persistence", "Persistence", 4},
    {"TA0004", "privilege-escalation", "Privilege Escalation", 5},
    {"TA0005", "defense-evasion", "Defense Evasion", 6},
    {"TA0006", "credential-access", "Credential Access", 7},
    {"TA0007", "discovery", "Discovery", 8},
    {"TA0008", "lateral-movement", "Lateral Movement", 9},
    {"TA0009", "collection", "Collection", 10},
    {"TA0011", "command-and-control", "Command and Control", 11},
    {"TA0010", "exfiltration", "Exfiltration", 12},
    {"TA0040", "impact", "Impact", 13},
};

// Sorted by id (FindTechnique searches it).
constexpr AttackTechnique kTechniques[] = {
    {"T1021.007", "Cloud Services", "lateral-movement"},
    {"T1040", "Network Sniffing", "credential-access discovery"},
    {"T1046", "Network Service Discovery", "discovery"},
    {"T1048", "Exfiltration Over Alternative Protocol", "exfiltration"},
    {"T1059.009", "Cloud API", "execution"},
    {"T1069.003", "Cloud Groups", "discovery"},
    {"T1071", "Application Layer Protocol", "command-and-control"},
    {"T1071.004", "DNS", "command-and-control"},
    {"T1078", "Valid Accounts", "defense-evasion persistence privilege-escalation initial-access"},
    {"T1078.004", "Cloud Accounts", "defense-evasion persistence privilege-escalation initial-access"},
    {"T1087.004", "Cloud Account", "discovery"},
    {"T1090.003", "Multi-hop Proxy", "command-and-control"},
    {"T1098", "Account Manipulation", "persistence privilege-escalation"},
    {"T1098.001", "Additional Cloud Credentials", "persistence privilege-escalation"},
    {"T1098.003", "Additional Cloud Roles", "persistence privilege-escalation"},
    {"T1110", "Brute Force", "credential-access"},
    {"T1136.003", "Cloud Account", "persistence"},
    {"T1190", "Exploit Public-Facing Application", "initial-access"},
    {"T1199", "Trusted Relationship", "initial-access"},
    {"T1485", "Data Destruction", "impact"},
    {"T1486", "Data Encrypted for Impact", "impact"},
    {"T1490", "Inhibit System Recovery", "impact"},
    {"T1496", "Resource Hijacking", "impact"},
    {"T1498", "Network Denial of Service", "impact"},
    {"T1526", "Cloud Service Discovery", "discovery"},
    {"T1528", "Steal Application Access Token", "credential-access"},
    {"T1530", "Data from Cloud Storage", "collection"},
    {"T1531", "Account Access Removal", "impact"},
    {"T1535", "Unused/Unsupported Cloud Regions", "defense-evasion"},
    {"T1537", "Transfer Data to Cloud Account", "exfiltration"},
    {"T1538", "Cloud Service Dashboard", "discovery"},
    {"T1548.005", "Temporary Elevated Cloud Access", "privilege-escalation defense-evasion"},
    {"T1550.001", "Application Access Token", "defense-evasion lateral-movement"},
    {"T1552", "Unsecured Credentials", "credential-access"},
    {"T1552.005", "Cloud Instance Metadata API", "credential-access"},
    {"T1555.006", "Cloud Secrets Management Stores", "credential-access"},
    {"T1562", "Impair Defenses", "defense-evasion"},
    {"T1562.001", "Disable or Modify Tools", "defense-evasion"},
    {"T1562.007", "Disable or Modify Cloud Firewall", "defense-evasion"},
    {"T1562.008", "Disable or Modify Cloud Logs", "defense-evasion"},
    {"T1567", "Exfiltration Over Web Service", "exfiltration"},
    {"T1578", "Modify Cloud Compute Infrastructure", "defense-evasion"},
    {"T1578.001", "Create Snapshot", "defense-evasion"},
    {"T1578.002", "Create Cloud Instance", "defense-evasion"},
    {"T1578.003", "Delete Cloud Instance", "defense-evasion"},
    {"T1580", "Cloud Infrastructure Discovery", "discovery"},
    {"T1595", "Active Scanning", "reconnaissance"},
    {"T1606", "Forge Web Credentials", "credential-access"},
    {"T1619", "Cloud Storage Object Discovery", "discovery"},
    {"T1621", "Multi-Factor Authentication Request Generation", "credential-access"},
    {"T1651", "Cloud Administration Command", "execution"},
};

std::string Normalise(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += (c == '_' || c == ' ') ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::span<const AttackTactic> AttackTactics() { return kTactics; }
std::span<const AttackTechnique> AttackTechniques() { return kTechniques; }

const AttackTactic* FindTactic(std::string_view name_or_id) {
  const std::string n = Normalise(name_or_id);
  for (const auto& t : kTactics) {
    if (n == t.short_name || n == Normalise(t.id) || n == Normalise(t.name)) return &t;
  }
  return nullptr;
}

const AttackTechnique* FindTechnique(std::string_view id) {
  std::string upper;
  for (char c : id) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto it = std::lower_bound(std::begin(kTechniques), std::end(kTechniques), upper,
                             [](const AttackTechnique& t, const std::string& v) { return t.id < v; });
  if (it != std::end(kTechniques) && it->id == upper) return &*it;
  return nullptr;
}

AttackTags ParseAttackTags(const std::vector<std::string>& tags) {
  std::vector<const AttackTactic*> tactics;
  std::vector<const AttackTactic*> implied;
  AttackTags out;
  auto add = [](std::vector<const AttackTactic*>& to, const AttackTactic* t) {
    if (t != nullptr && std::find(to.begin(), to.end(), t) == to.end()) to.push_back(t);
  };
  for (const auto& tag : tags) {
    if (tag.size() < 8 || Normalise(tag.substr(0, 7)) != "attack.") continue;
    const std::string_view rest = std::string_view(tag).substr(7);
    const bool technique = (rest[0] == 't' || rest[0] == 'T') && rest.size() > 1 &&
                           std::isdigit(static_cast<unsigned char>(rest[1]));
    if (technique) {
      std::string id;
      for (char c : rest) id += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (std::find(out.techniques.begin(), out.techniques.end(), id) == out.techniques.end()) {
        out.techniques.push_back(id);
      }
      const AttackTechnique* known = FindTechnique(id);
      if (known == nullptr && id.find('.') != std::string::npos) known = FindTechnique(id.substr(0, id.find('.')));
      if (known != nullptr) {
        std::string_view list = known->tactics;
        while (!list.empty()) {
          const size_t space = list.find(' ');
          add(implied, FindTactic(list.substr(0, space)));
          list = space == std::string_view::npos ? std::string_view() : list.substr(space + 1);
        }
      }
    } else {
      add(tactics, FindTactic(rest));
    }
  }
  if (tactics.empty()) tactics = implied;
  std::sort(tactics.begin(), tactics.end(), [](auto* a, auto* b) { return a->stage < b->stage; });
  for (const auto* t : tactics) out.tactics.emplace_back(t->short_name);
  std::sort(out.techniques.begin(), out.techniques.end());
  return out;
}

}  // namespace cloudward::analyze
