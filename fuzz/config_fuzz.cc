// Fuzzes the configuration loader. Properties: it never crashes or throws; every problem names
// the file and carries a line >= 1 and a column >= 1; loading is deterministic; a configuration
// reported clean has every reference resolved (route and escalation channels, role members).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config_loader.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cloudward::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = LoadConfigText(text, "fuzz.yaml");
  for (const Problem& p : r.problems) {
    Check(p.file == "fuzz.yaml");
    Check(p.line >= 1 && p.column >= 1);
    Check(!p.reason.empty());
  }
  LoadResult again = LoadConfigText(text, "fuzz.yaml");
  Check(again.problems.size() == r.problems.size());
  if (r.ok()) {
    const Config& c = r.config;
    for (const Route& route : c.alerts.routes)
      for (const std::string& ch : route.channels) Check(c.alerts.FindChannel(ch) != nullptr);
    for (const auto& [level, steps] : c.people.escalation)
      for (const EscalationStep& s : steps)
        for (const std::string& ch : s.via) Check(c.alerts.FindChannel(ch) != nullptr);
    for (const auto& [role, members] : c.people.roles)
      for (const std::string& m : members) Check(c.people.FindContact(m) != nullptr);
  }
  return 0;
}
