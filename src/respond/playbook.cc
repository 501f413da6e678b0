#include "respond/playbook.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/embedded_file.h"
#include "core/text.h"
#include "core/yaml_guard.h"
#include "respond/decisions.h"
#include "respond/responder.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

constexpr std::string_view kPhases[] = {"evidence", "contain", "eradicate", "recover", "notify", "manual"};
constexpr std::string_view kSelectors[] = {"incident.access_keys", "incident.long_term_keys", "incident.source_ips",
                                           "incident.instances",   "incident.buckets",        "incident.roles",
                                           "incident.users",       "incident.principals",     "incident.security_groups",
                                           "all"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool Glob(std::string_view pattern, std::string_view text) {
  return cloudward::WildcardMatch(pattern, text, /*case_insensitive=*/true);
}

class Parser {
 public:
  Parser(const std::string& file, std::vector<PlaybookProblem>* problems) : file_(file), problems_(problems) {}

  std::optional<Playbook> Parse(std::string_view text) {
    if (auto hazard = FindYamlHazard(text)) {
      Problem(hazard->line, "YAML syntax: " + hazard->reason);
      return std::nullopt;
    }
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      Problem(e.mark.line + 1, "YAML syntax: " + e.msg);
      return std::nullopt;
    }
    if (!root.IsMap()) {
      Problem(1, "a playbook is a YAML mapping (id, title, trigger, steps)");
      return std::nullopt;
    }
    Playbook pb;
    pb.file = file_;
    size_t before = problems_->size();
    CheckUniqueKeys(root);
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>("");
      const YAML::Node& v = kv.second;
      if (key == "id") {
        pb.id = Scalar(v, "id");
      } else if (key == "title") {
        pb.title = Scalar(v, "title");
      } else if (key == "description") {
        pb.description = Scalar(v, "description");
      } else if (key == "trigger") {
        ParseTrigger(v, &pb.trigger);
      } else if (key == "steps") {
        ParseSteps(v, &pb.steps);
      } else {
        Problem(Line(kv.first), "unknown key '" + key + "' (id, title, description, trigger, steps)");
      }
    }
    if (pb.id.empty()) Problem(1, "the playbook has no id");
    if (pb.title.empty()) pb.title = pb.id;
    if (pb.steps.empty()) Problem(1, "the playbook has no steps");
    if (problems_->size() != before) return std::nullopt;
    return pb;
  }

 private:
  static int Line(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

  void Problem(int line, std::string reason) { problems_->push_back({file_, line, std::move(reason)}); }

  // YAML lets a key appear twice in a mapping and keeps both; a playbook must not (a second
  // `steps:` would add steps that were never checked against the first ones).
  void CheckUniqueKeys(const YAML::Node& map) {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>("");
      if (!seen.insert(key).second) Problem(Line(kv.first), "key '" + key + "' appears twice");
    }
  }

  std::string Scalar(const YAML::Node& v, std::string_view what) {
    if (!v.IsScalar()) {
      Problem(Line(v), std::string(what) + " must be a single value");
      return {};
    }
    std::string text = v.Scalar();  // folded blocks (>) end with a newline
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    return text;
  }

  std::vector<std::string> List(const YAML::Node& v, std::string_view what) {
    std::vector<std::string> out;
    if (v.IsScalar()) {
      out.push_back(v.Scalar());
    } else if (v.IsSequence()) {
      for (const auto& item : v) {
        if (item.IsScalar()) {
          out.push_back(item.Scalar());
        } else {
          Problem(Line(item), std::string(what) + ": each item must be a single value");
        }
      }
    } else {
      Problem(Line(v), std::string(what) + " must be a value or a list of values");
    }
    return out;
  }

  void ParseTrigger(const YAML::Node& v, PlaybookTrigger* t) {
    if (!v.IsMap()) {
      Problem(Line(v), "trigger must be a mapping (min_severity, rules, techniques, tactics, involves)");
      return;
    }
    CheckUniqueKeys(v);
    for (const auto& kv : v) {
      std::string key = kv.first.as<std::string>("");
      if (key == "min_severity") {
        std::string level = Lower(Scalar(kv.second, "min_severity"));
        constexpr std::string_view kLevels[] = {"informational", "low", "medium", "high", "critical"};
        if (std::find(std::begin(kLevels), std::end(kLevels), level) == std::end(kLevels)) {
          Problem(Line(kv.second), "min_severity '" + level + "' is not one of low, medium, high, critical");
        } else {
          t->min_severity = LevelFromName(level);
        }
      } else if (key == "rules") {
        t->rules = List(kv.second, "rules");
      } else if (key == "techniques") {
        t->techniques = List(kv.second, "techniques");
        for (const auto& id : t->techniques) {
          if (id.size() < 5 || (id[0] != 'T' && id[0] != 't')) {
            Problem(Line(kv.second), "'" + id + "' is not an ATT&CK technique id (T1078, T1078.004)");
          }
        }
      } else if (key == "tactics") {
        t->tactics = List(kv.second, "tactics");
      } else if (key == "involves") {
        t->involves = List(kv.second, "involves");
        for (const auto& s : t->involves) {
          if (!ValidSelector(s)) Problem(Line(kv.second), "involves: '" + s + "' is not a target selector");
        }
      } else {
        Problem(Line(kv.first), "unknown trigger key '" + key +
                                    "' (min_severity, rules, techniques, tactics, involves)");
      }
    }
  }

  void ParseSteps(const YAML::Node& v, std::vector<PlaybookStep>* steps) {
    if (!v.IsSequence()) {
      Problem(Line(v), "steps must be a list");
      return;
    }
    std::set<std::string> seen;
    for (const auto& node : v) {
      PlaybookStep step;
      step.line = Line(node);
      if (!node.IsMap()) {
        Problem(step.line, "a step is a mapping (id, phase, action, targets, ...)");
        continue;
      }
      CheckUniqueKeys(node);
      for (const auto& kv : node) {
        std::string key = kv.first.as<std::string>("");
        const YAML::Node& val = kv.second;
        if (key == "id") {
          step.id = Scalar(val, "id");
        } else if (key == "phase") {
          step.phase = Scalar(val, "phase");
        } else if (key == "action") {
          step.action = Scalar(val, "action");
        } else if (key == "targets") {
          step.targets = Scalar(val, "targets");
        } else if (key == "text") {
          step.text = Scalar(val, "text");
        } else if (key == "approval") {
          if (!val.IsScalar() || (val.Scalar() != "true" && val.Scalar() != "false")) {
            Problem(Line(val), "approval must be true or false");
          } else {
            step.approval = val.Scalar() == "true";
          }
        } else if (key == "requires") {
          step.depends_on = List(val, "requires");
        } else if (key == "options") {
          if (!val.IsMap()) {
            Problem(Line(val), "options must be a mapping of names to values");
            continue;
          }
          for (const auto& o : val) step.options[o.first.as<std::string>("")] = Scalar(o.second, "an option");
        } else {
          Problem(Line(kv.first), "unknown step key '" + key +
                                      "' (id, phase, action, targets, options, approval, requires, text)");
        }
      }
      Check(step, seen);
      seen.insert(step.id);
      steps->push_back(std::move(step));
    }
  }

  void Check(const PlaybookStep& step, const std::set<std::string>& earlier) {
    const int line = step.line;
    if (step.id.empty()) Problem(line, "a step has no id");
    if (earlier.contains(step.id)) Problem(line, "step id '" + step.id + "' is used twice");
    if (std::find(std::begin(kPhases), std::end(kPhases), step.phase) == std::end(kPhases)) {
      Problem(line, "step " + step.id + ": phase '" + step.phase +
                        "' is not one of evidence, contain, eradicate, recover, notify, manual");
    }
    if (step.action.empty()) {  // a to-do for people, journaled on the incident
      if (step.text.empty()) Problem(line, "step " + step.id + ": a step needs an action or a text");
      if (!step.targets.empty()) Problem(line, "step " + step.id + ": targets without an action");
    } else if (step.phase == "notify" || step.phase == "manual") {
      Problem(line, "step " + step.id + ": a " + step.phase + " step has text, not an action");
    } else {
      if (FindAction(step.action) == nullptr) {
        std::string kinds;
        for (const auto* a : Actions()) kinds += (kinds.empty() ? "" : ", ") + std::string(a->Kind());
        Problem(line, "step " + step.id + ": unknown action '" + step.action + "' (" + kinds + ")");
      }
      if (!ValidSelector(step.targets)) {
        std::string names;
        for (auto s : kSelectors) names += (names.empty() ? "" : ", ") + std::string(s);
        Problem(line, "step " + step.id + ": targets '" + step.targets + "' is not one of " + names);
      }
    }
    for (const auto& r : step.depends_on) {
      if (!earlier.contains(r)) Problem(line, "step " + step.id + " requires '" + r + "', which is not an earlier step");
    }
  }

  const std::string& file_;
  std::vector<PlaybookProblem>* problems_;
};

bool PublicAddress(const std::string& ip) {
  unsigned char b[16];
  if (inet_pton(AF_INET, ip.c_str(), b) == 1) {
    return !(b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
             (b[0] == 169 && b[1] == 254) || b[0] == 0 || b[0] >= 224 || (b[0] == 100 && (b[1] & 0xc0) == 64));
  }
  if (inet_pton(AF_INET6, ip.c_str(), b) == 1) {
    bool loopback = std::all_of(b, b + 15, [](unsigned char c) { return c == 0; }) && b[15] == 1;
    return !loopback && (b[0] & 0xfe) != 0xfc && !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
  }
  return false;  // "AWS Internal", service names
}

// "arn:aws:iam::1:role/x" -> {"role", "x"}; session ARNs name their role.
std::optional<PrincipalName> IamPrincipal(const std::string& actor) {
  if (!actor.starts_with("arn:")) return std::nullopt;
  auto p = ParsePrincipal(actor);
  if (!p || p->kind.empty()) return std::nullopt;
  // The root user and AWS service roles are not containable with an inline policy.
  if (p->kind == "role" && (actor.find(":role/aws-service-role/") != std::string::npos ||
                            p->name.starts_with("AWSServiceRole"))) {
    return std::nullopt;
  }
  return *p;
}

}  // namespace

const Playbook* PlaybookSet::Find(std::string_view id) const {
  for (const auto& p : playbooks) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::optional<Playbook> ParsePlaybook(std::string_view yaml, const std::string& file,
                                      std::vector<PlaybookProblem>* problems) {
  return Parser(file, problems).Parse(yaml);
}

PlaybookSet LoadPlaybooks(const std::vector<std::string>& paths, bool bundled) {
  PlaybookSet set;
  auto add = [&](std::string_view text, const std::string& file) {
    if (auto pb = ParsePlaybook(text, file, &set.problems)) {
      auto same = std::find_if(set.playbooks.begin(), set.playbooks.end(), [&](const auto& p) { return p.id == pb->id; });
      if (same != set.playbooks.end()) {
        *same = std::move(*pb);
      } else {
        set.playbooks.push_back(std::move(*pb));
      }
    }
  };
  if (bundled) {
    for (const auto& f : PlaybookFiles()) add(f.text(), std::string("embedded:playbooks/") + f.path);
  }
  for (const auto& path : paths) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path, ec)) {
      for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        auto ext = it->path().extension();
        if (it->is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());
    } else if (std::filesystem::exists(path, ec)) {
      files.push_back(path);
    } else {
      set.problems.push_back({path, 0, "no such file or folder"});
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in && !in.eof()) {
        set.problems.push_back({f.string(), 0, "cannot read"});
        continue;
      }
      add(text.str(), f.string());
    }
  }
  std::sort(set.playbooks.begin(), set.playbooks.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return set;
}

bool Triggers(const PlaybookTrigger& t, const store::Incident& incident) {
  if (incident.severity < t.min_severity) return false;
  if (!t.rules.empty()) {
    bool any = std::any_of(incident.rules.begin(), incident.rules.end(), [&](const store::RuleSummary& r) {
      return std::any_of(t.rules.begin(), t.rules.end(),
                         [&](const std::string& p) { return Glob(p, r.id) || Glob(p, r.title); });
    });
    if (!any) return false;
  }
  if (!t.techniques.empty()) {
    bool any = std::any_of(incident.techniques.begin(), incident.techniques.end(), [&](const std::string& have) {
      return std::any_of(t.techniques.begin(), t.techniques.end(), [&](const std::string& want) {
        std::string w = Lower(want), h = Lower(have);
        return h == w || h.starts_with(w + ".");
      });
    });
    if (!any) return false;
  }
  if (!t.tactics.empty()) {
    bool any = std::any_of(incident.tactics.begin(), incident.tactics.end(), [&](const std::string& have) {
      return std::any_of(t.tactics.begin(), t.tactics.end(), [&](const std::string& want) { return Lower(want) == Lower(have); });
    });
    if (!any) return false;
  }
  for (const auto& selector : t.involves) {
    if (SelectTargets(selector, incident).empty()) return false;
  }
  return true;
}

bool ValidSelector(std::string_view selector) {
  return std::find(std::begin(kSelectors), std::end(kSelectors), selector) != std::end(kSelectors);
}

std::vector<std::string> SelectTargets(std::string_view selector, const store::Incident& incident) {
  std::set<std::string> out;
  if (selector == "all") {  // the action's own "everything" target (e.g. every trail of the region)
    out.insert("all");
  } else if (selector == "incident.access_keys") {
    out.insert(incident.access_keys.begin(), incident.access_keys.end());
  } else if (selector == "incident.long_term_keys") {
    for (const auto& k : incident.access_keys) {
      if (k.starts_with("AKIA") && ValidAccessKeyId(k)) out.insert(k);
    }
  } else if (selector == "incident.source_ips") {
    for (const auto& ip : incident.source_ips) {
      if (PublicAddress(ip)) out.insert(ip);
    }
  } else if (selector == "incident.instances") {
    for (const auto& r : incident.resources) {
      std::string id = r.starts_with("arn:") ? r.substr(r.rfind('/') + 1) : r;
      if (ValidInstanceId(id) && (!r.starts_with("arn:") || r.find(":instance/") != std::string::npos)) out.insert(id);
    }
  } else if (selector == "incident.security_groups") {
    for (const auto& r : incident.resources) {
      std::string id = r.starts_with("arn:") ? r.substr(r.rfind('/') + 1) : r;
      if (id.starts_with("sg-") && (!r.starts_with("arn:") || r.find(":security-group/") != std::string::npos)) {
        out.insert(id);
      }
    }
  } else if (selector == "incident.buckets") {
    for (const auto& r : incident.resources) {
      if (!r.starts_with("arn:aws:s3:::")) continue;
      std::string bucket = r.substr(13, r.find('/', 13) == std::string::npos ? std::string::npos : r.find('/', 13) - 13);
      if (ValidBucketName(bucket)) out.insert(bucket);
    }
  } else if (selector == "incident.roles" || selector == "incident.users" || selector == "incident.principals") {
    for (const auto& actor : incident.actors) {
      auto p = IamPrincipal(actor);
      if (!p) continue;
      if (selector == "incident.principals" || (selector == "incident.roles") == (p->kind == "role")) {
        // Keep the ARN form for principals (contain resolves it), the name for roles and users.
        out.insert(selector == "incident.principals" ? actor : p->name);
      }
    }
  }
  return {out.begin(), out.end()};
}

json PlaybookPlan::ToJson() const {
  json steps_json = json::array();
  for (const auto& s : steps) {
    json step = {{"step", s.step_id}, {"phase", s.phase}, {"approval", s.approval}};
    if (!s.action.empty()) step["action"] = s.action;
    if (!s.target.empty()) step["target"] = s.target;
    if (!s.text.empty()) step["text"] = s.text;
    if (s.plan) step["plan"] = s.plan->ToJson();
    if (!s.error.empty()) step["error"] = s.error;
    steps_json.push_back(std::move(step));
  }
  return {{"playbook", playbook_id}, {"incident_id", incident_id}, {"steps", std::move(steps_json)}, {"notes", notes}};
}

PlaybookPlan PlanPlaybook(const Playbook& playbook, const store::Incident& incident, aws::AwsClient& aws,
                          store::IncidentStore* store) {
  PlaybookPlan out{playbook.id, incident.id, {}, {}};
  for (const auto& step : playbook.steps) {
    if (step.action.empty()) {
      out.steps.push_back({step.id, step.phase, "", "", step.approval, std::nullopt, "", step.text});
      continue;
    }
    auto targets = SelectTargets(step.targets, incident);
    if (targets.empty()) {
      out.notes.push_back("step " + step.id + ": " + step.targets + " picks nothing in this incident");
      continue;
    }
    const Action* action = FindAction(step.action);
    for (const auto& target : targets) {
      StepPlan sp{step.id, step.phase, step.action, target, step.approval, std::nullopt, "", ""};
      ActionRequest request{.target = target, .incident_id = incident.id, .options = step.options};
      if (auto loaded = store ? AddIncidentRecords(*store, *action, &request) : Ok(); !loaded) {
        sp.error = loaded.error().message;
      } else if (auto plan = action->MakePlan(aws, request)) {
        sp.plan = std::move(*plan);
      } else {
        sp.error = plan.error().message;
      }
      out.steps.push_back(std::move(sp));
    }
  }
  return out;
}

bool PlaybookRun::ok() const {
  return std::none_of(steps.begin(), steps.end(), [](const StepOutcome& s) { return s.status == "failed"; });
}

json PlaybookRun::ToJson() const {
  json steps_json = json::array();
  for (const auto& s : steps) {
    json step = {{"step", s.step_id}, {"status", s.status}};
    if (!s.target.empty()) step["target"] = s.target;
    if (!s.action_id.empty()) step["action_id"] = s.action_id;
    if (!s.message.empty()) step["message"] = s.message;
    steps_json.push_back(std::move(step));
  }
  return {{"playbook", playbook_id}, {"incident_id", incident_id}, {"ok", ok()}, {"steps", std::move(steps_json)}};
}

PlaybookRun RunPlaybook(const Playbook& playbook, const store::Incident& incident, Responder& responder,
                        RunApproval approval, const std::function<void(const StepPlan&)>& journal) {
  PlaybookRun run{playbook.id, incident.id, {}};
  // A step is complete when every target of it was applied or already in the desired state.
  std::map<std::string, std::string> incomplete;  // step id -> why
  for (const auto& step : playbook.steps) {
    std::string blocked;
    for (const auto& r : step.depends_on) {
      if (auto it = incomplete.find(r); it != incomplete.end()) {
        blocked = "requires " + r + ", which " + it->second;
        break;
      }
    }
    if (!blocked.empty()) {
      run.steps.push_back({step.id, "", "skipped", "", blocked});
      incomplete[step.id] = "was skipped";
      continue;
    }
    if (step.action.empty()) {
      StepPlan sp{step.id, step.phase, "", "", false, std::nullopt, "", step.text};
      if (journal) journal(sp);
      run.steps.push_back({step.id, "", step.phase == "notify" ? "notified" : "manual", "", step.text});
      continue;
    }
    auto targets = SelectTargets(step.targets, incident);
    for (const auto& target : targets) {
      ActionRequest request{.target = target, .incident_id = incident.id, .options = step.options};
      bool propose = approval == RunApproval::kProposeAll || (step.approval && approval == RunApproval::kGated);
      if (propose) {
        auto proposed = responder.Propose(step.action, request);
        if (proposed) {
          run.steps.push_back({step.id, target, "pending_approval", proposed->id,
                               "approve with `cloudward respond approve " + proposed->id + "` or the console"});
          incomplete[step.id] = "awaits approval";
        } else {
          run.steps.push_back({step.id, target, "failed", "", proposed.error().message});
          incomplete[step.id] = "failed";
        }
        continue;
      }
      auto report = responder.Apply(step.action, request);
      if (!report) {
        run.steps.push_back({step.id, target, "failed", "", report.error().message});
        incomplete[step.id] = "failed";
      } else if (!report->execution.ok()) {
        run.steps.push_back({step.id, target, "failed", report->action.id, report->execution.error->message});
        incomplete[step.id] = "failed";
      } else {
        run.steps.push_back({step.id, target, report->no_op ? "no_op" : "applied", report->action.id, report->plan.summary});
      }
    }
  }
  return run;
}

}  // namespace cloudward::respond
