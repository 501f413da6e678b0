#include "respond/action.h"

#include <memory>

namespace cloudward::respond {

nlohmann::json Plan::ToJson() const {
  nlohmann::json calls_json = nlohmann::json::array();
  for (const auto& c : calls) {
    nlohmann::json call = {{"operation", c.operation}, {"parameters", c.parameters}, {"change", c.change}};
    if (!c.output.empty()) call["output"] = c.output;
    calls_json.push_back(std::move(call));
  }
  return {{"kind", kind},         {"target", target},       {"incident_id", incident_id},
          {"summary", summary},   {"prior_state", prior_state}, {"calls", std::move(calls_json)},
          {"notes", notes},       {"no_op", no_op()},       {"reversible", reversible}};
}

Result<Plan> Plan::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Fail(ErrorCode::kMalformed, "stored plan is not a JSON object");
  try {
    Plan plan;
    plan.kind = json.value("kind", "");
    plan.target = json.value("target", "");
    plan.incident_id = json.value("incident_id", "");
    plan.summary = json.value("summary", "");
    plan.prior_state = json.value("prior_state", nlohmann::json::object());
    plan.reversible = json.value("reversible", true);
    for (const auto& c : json.value("calls", nlohmann::json::array())) {
      plan.calls.push_back({c.at("operation").get<std::string>(), c.value("parameters", nlohmann::json::object()),
                            c.value("change", ""), c.value("output", "")});
    }
    for (const auto& n : json.value("notes", nlohmann::json::array())) plan.notes.push_back(n.get<std::string>());
    return plan;
  } catch (const nlohmann::json::exception& e) {
    return Fail(ErrorCode::kMalformed, std::string("stored plan is malformed: ") + e.what());
  }
}

const std::vector<const Action*>& Actions() {
  static const std::vector<std::unique_ptr<Action>> owned = [] {
    std::vector<std::unique_ptr<Action>> v;
    v.push_back(MakeDeactivateAccessKeyAction());
    v.push_back(MakeIsolateInstanceAction());
    v.push_back(MakeBlockS3PublicAccessAction());
    v.push_back(MakeSnapshotInstanceVolumesAction());
    return v;
  }();
  static const std::vector<const Action*> all = [] {
    std::vector<const Action*> v;
    for (const auto& a : owned) v.push_back(a.get());
    return v;
  }();
  return all;
}

const Action* FindAction(std::string_view kind) {
  for (const Action* a : Actions()) {
    if (a->Kind() == kind) return a;
  }
  return nullptr;
}

}  // namespace cloudward::respond
