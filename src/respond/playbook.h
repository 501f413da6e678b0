// Playbooks: the response to one kind of incident as ordered, reviewable steps over the actions of
// action.h, written in YAML (playbooks/*.yml are compiled in; more come from --playbooks DIR).
//
//   id: compromised-access-key
//   title: Compromised IAM access key
//   trigger:                       # when the playbook applies to an incident (all given must hold)
//     min_severity: medium
//     rules: ["*access key*", "AWS GuardDuty CredentialAccess Finding"]   # id or title, * wildcard
//     techniques: [T1078.004]      # ATT&CK id or a parent of it
//     involves: [incident.long_term_keys]   # selectors that must pick something
//   steps:
//     - id: deactivate-keys
//       phase: contain             # evidence | contain | eradicate | recover | notify | manual
//       action: deactivate-access-key
//       targets: incident.long_term_keys
//     - id: restrict-users
//       phase: contain
//       action: restrict-user
//       targets: incident.users
//       approval: true             # never applied without a recorded approval
//       requires: [deactivate-keys]  # skipped when a step it requires failed or waits
//     - id: tell-legal
//       phase: notify              # a step with text and no action is a to-do for people,
//       text: Tell legal whether customer data was read.   # journaled on the incident
//
// Target selectors (from the incident): incident.access_keys, incident.long_term_keys (AKIA),
// incident.source_ips (public addresses only), incident.instances, incident.buckets,
// incident.security_groups, incident.roles, incident.users, incident.principals (roles and
// users); `all` passes the target
// "all" to actions that take it (start-cloudtrail-logging: every trail of the region).
//
// Plan reads AWS only (each action's MakePlan); Run applies the steps in order through the
// Responder, so every change has its prior state, journal entry and rollback like `contain`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "core/finding.h"
#include "core/result.h"
#include "respond/action.h"
#include "store/incident.h"

namespace cloudward::respond {

class Responder;

struct PlaybookStep {
  std::string id;
  std::string phase;    // evidence, contain, eradicate, recover, notify, manual
  std::string action;   // an action kind; empty for a to-do (text) step
  std::string targets;  // a selector; empty for a to-do step
  std::map<std::string, std::string> options;  // passed to the action (ActionRequest::options)
  bool approval = false;
  std::vector<std::string> depends_on;  // YAML key: requires
  std::string text;  // to-do steps: what to say or do
  int line = 0;
};

struct PlaybookTrigger {
  Level min_severity = Level::kLow;
  std::vector<std::string> rules;       // rule ids or titles, '*' wildcards, case-insensitive
  std::vector<std::string> techniques;  // ATT&CK ids; T1078 also matches T1078.004
  std::vector<std::string> tactics;     // ATT&CK tactic short names
  std::vector<std::string> involves;    // selectors that must each pick something
};

struct Playbook {
  std::string id;
  std::string title;
  std::string description;
  std::string file;  // where it was loaded from ("embedded:..." for the bundled ones)
  PlaybookTrigger trigger;
  std::vector<PlaybookStep> steps;
};

struct PlaybookProblem {
  std::string file;
  int line = 0;
  std::string reason;
  std::string Describe() const { return file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + reason; }
};

struct PlaybookSet {
  std::vector<Playbook> playbooks;        // sorted by id
  std::vector<PlaybookProblem> problems;  // every problem found; bad playbooks are left out

  const Playbook* Find(std::string_view id) const;
};

// Parses one YAML document. Problems (unknown keys, actions, selectors, phases, duplicate or
// forward `requires`) are appended; nullopt when the playbook cannot be used.
std::optional<Playbook> ParsePlaybook(std::string_view yaml, const std::string& file,
                                      std::vector<PlaybookProblem>* problems);
// The bundled playbooks, then every *.yml / *.yaml under `paths` (files or folders). A later
// playbook with the id of an earlier one replaces it (a team's own version of a bundled one).
PlaybookSet LoadPlaybooks(const std::vector<std::string>& paths, bool bundled = true);

// True when the incident meets every condition of the trigger (each list: any of its items).
bool Triggers(const PlaybookTrigger& trigger, const store::Incident& incident);
// The values a selector picks from an incident (sorted, unique). Unknown selectors pick nothing.
std::vector<std::string> SelectTargets(std::string_view selector, const store::Incident& incident);
bool ValidSelector(std::string_view selector);

// One step for one target, planned.
struct StepPlan {
  std::string step_id;
  std::string phase;
  std::string action;  // "" for notify/manual
  std::string target;
  bool approval = false;
  std::optional<Plan> plan;  // when the action could be planned
  std::string error;         // why it could not
  std::string text;          // notify/manual text
};

struct PlaybookPlan {
  std::string playbook_id;
  std::string incident_id;
  std::vector<StepPlan> steps;
  std::vector<std::string> notes;  // e.g. a step whose selector picked nothing
  nlohmann::json ToJson() const;
};

// Reads only. A step whose selector picks nothing is noted, not an error. With `store`, actions
// that decide from the incident's records get them (AddIncidentRecords).
PlaybookPlan PlanPlaybook(const Playbook& playbook, const store::Incident& incident, aws::AwsClient& aws,
                          store::IncidentStore* store = nullptr);

struct StepOutcome {
  std::string step_id;
  std::string target;
  // applied, no_op, failed, skipped (a required step did not complete), pending_approval
  // (proposed for approval, see Responder::Propose), manual (a to-do, journaled), notified (a
  // notify to-do, journaled and alerted where alerts are configured).
  std::string status;
  std::string action_id;
  std::string message;
};

struct PlaybookRun {
  std::string playbook_id;
  std::string incident_id;
  std::vector<StepOutcome> steps;
  bool ok() const;
  nlohmann::json ToJson() const;
};

// How a run treats the steps that change AWS.
enum class RunApproval : unsigned char {
  kGated,        // apply, but propose the steps marked `approval: true` (stored as planned actions)
  kApproved,     // the operator approved the whole run: apply every step
  kProposeAll,   // apply nothing: propose every action step for approval (automation mode "approve")
};

// Runs the steps in order. A step whose required step failed, was skipped or awaits approval is
// skipped, with the reason. To-do (text) steps are journaled on the incident by `journal`.
PlaybookRun RunPlaybook(const Playbook& playbook, const store::Incident& incident, Responder& responder,
                        RunApproval approval, const std::function<void(const StepPlan&)>& journal);

}  // namespace cloudward::respond
