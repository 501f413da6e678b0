// Fuzzes the playbook parser (respond/playbook.h). Properties: no crash; a rejected playbook has at
// least one problem, each naming the file, a line within the text (or 0) and a reason; an accepted
// one has an id, steps with unique ids, known phases, and for each action step a registered action
// and a valid selector; and it plans nothing by itself (parsing never touches AWS).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "respond/playbook.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cloudward::respond;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::vector<PlaybookProblem> problems;
  auto pb = ParsePlaybook(text, "fuzz.yml", &problems);
  Check(pb.has_value() == problems.empty());
  for (const auto& p : problems) {
    Check(p.file == "fuzz.yml");
    Check(p.line >= 0 && p.line <= lines + 1);
    Check(!p.reason.empty());
  }
  if (!pb) return 0;
  Check(!pb->id.empty() && !pb->steps.empty());
  std::set<std::string> ids;
  for (const auto& step : pb->steps) {
    Check(!step.id.empty() && ids.insert(step.id).second);
    if (step.action.empty()) {
      Check(!step.text.empty());
    } else {
      Check(FindAction(step.action) != nullptr);
      Check(ValidSelector(step.targets));
    }
    for (const auto& r : step.depends_on) Check(ids.contains(r) && r != step.id);
  }
  return 0;
}
