#include "serve/automator.h"

#include <fmt/core.h>

#include <algorithm>

#include "aws/curl_transport.h"
#include "respond/responder.h"
#include "serve/log.h"

namespace cloudward::serve {
namespace {

using nlohmann::json;
constexpr const char* kAuthor = "cloudward-automation";

// The GuardDuty finding types among an incident's findings (policy `finding_types`).
std::vector<std::string> FindingTypes(store::IncidentStore& store, const std::string& incident_id) {
  std::vector<std::string> types;
  auto findings = store.IncidentFindings(incident_id);
  if (!findings) return types;
  for (const auto& f : *findings) {
    if (f.finding.log_type == LogType::kGuardDuty && !f.finding.context.event_name.empty()) {
      types.push_back(f.finding.context.event_name);
    }
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

// (incident, playbook) pairs already handled, from the journal: a restarted daemon does not run
// a playbook twice on one incident.
bool AlreadyHandled(store::IncidentStore& store, const std::string& incident_id, const std::string& playbook) {
  auto events = store.Events(incident_id);
  if (!events) return false;
  return std::any_of(events->begin(), events->end(), [&](const store::IncidentEvent& e) {
    if (e.kind != "automation") return false;
    auto data = json::parse(e.data, nullptr, false);
    return data.is_object() && data.value("playbook", "") == playbook && data.value("final", false);
  });
}

}  // namespace

Automator::Automator(const config::Config& config, respond::PlaybookSet playbooks, store::IncidentStore& store,
                     const Clock& clock)
    : automation_(config.automation),
      playbooks_(std::move(playbooks)),
      store_(store),
      clock_(clock),
      recorder_(std::make_shared<respond::CallRecorder>(std::make_shared<aws::CurlTransport>())),
      limiter_(config.automation.max_actions_per_hour, config.automation.max_actions_per_resource_per_hour) {
  aws::ClientConfig client;
  client.transport = recorder_;
  aws_ = std::make_unique<aws::AwsClient>(std::move(client));
}

Result<std::unique_ptr<Automator>> Automator::Create(const config::Config& config, respond::PlaybookSet playbooks,
                                                     store::IncidentStore& store, const Clock& clock) {
  if (config.automation.policies.empty()) return std::unique_ptr<Automator>();
  auto problems = respond::CheckPolicies(config.automation, playbooks, config.path.empty() ? "config" : config.path);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "; ") + p.Describe();
    return Fail(ErrorCode::kInvalidArgument, message);
  }
  return std::unique_ptr<Automator>(new Automator(config, std::move(playbooks), store, clock));
}

Automator::~Automator() { Stop(); }

void Automator::Start() { thread_ = std::thread([this] { Run(); }); }

void Automator::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Automator::Enqueue(const BatchResult& batch) {
  {
    std::lock_guard lock(mu_);
    for (const std::string& id : batch.recorded.incident_ids) queue_.push_back(id);
  }
  cv_.notify_all();
}

void Automator::Journal(const std::string& incident_id, const std::string& text, json data) {
  store::IncidentEvent e{.incident_id = incident_id, .time_ms = clock_.NowMs(), .author = kAuthor,
                         .kind = "automation", .text = text, .data = data.dump()};
  if (auto s = store_.AppendEvent(e); !s) {
    Log(LogLevel::kWarn, "cannot journal an automation decision", {{"incident", incident_id}, {"error", s.error().message}});
  }
}

void Automator::Handle(const std::string& incident_id) {
  auto incident = store_.GetIncident(incident_id);
  if (!incident || incident->status == store::IncidentStatus::kClosed) return;
  auto decisions = respond::MatchPolicies(automation_, playbooks_, *incident, FindingTypes(store_, incident_id));
  for (const auto& d : decisions) {
    if (!d.playbook) continue;  // refused at start
    const std::string& pb = d.playbook->id;
    if (done_.contains({incident_id, pb}) || AlreadyHandled(store_, incident_id, pb)) continue;
    done_.insert({incident_id, pb});
    const std::string mode(config::AutomationModeName(d.mode));
    json data = {{"playbook", pb}, {"mode", mode}, {"final", true}};
    if (!automation_.enabled) {
      Journal(incident_id, fmt::format("automation is off: a policy would {} playbook {}", mode, pb), data);
      continue;
    }
    if (d.mode == config::AutomationMode::kPlan) {
      auto plan = respond::PlanPlaybook(*d.playbook, *incident, *aws_, &store_);
      size_t calls = 0;
      for (const auto& s : plan.steps) calls += s.plan ? s.plan->calls.size() : 0;
      data["plan"] = plan.ToJson();
      Journal(incident_id, fmt::format("playbook {} planned by policy: {} steps, {} AWS calls; nothing changed", pb,
                                       plan.steps.size(), calls),
              data);
      continue;
    }
    respond::Responder responder(*aws_, recorder_.get(), store_, clock_, kAuthor);
    respond::RunApproval approval = respond::RunApproval::kProposeAll;
    if (d.mode == config::AutomationMode::kRun) {
      // Every action target must fit the rate limits, or nothing of this run is applied.
      std::vector<std::string> targets;
      for (const auto& step : d.playbook->steps) {
        if (step.action.empty() || step.approval) continue;
        for (auto& target : respond::SelectTargets(step.targets, *incident)) targets.push_back(std::move(target));
      }
      if (limiter_.AllowAll(targets, clock_.NowMs())) {
        approval = respond::RunApproval::kGated;
      } else {
        Journal(incident_id, fmt::format("rate limit reached: playbook {} is proposed for approval instead of run", pb),
                {{"playbook", pb}, {"mode", mode}, {"rate_limited", true}});
      }
    }
    auto journal = [&](const respond::StepPlan& step) {
      Journal(incident_id, fmt::format("playbook {} step {} ({}): {}", pb, step.step_id, step.phase, step.text),
              {{"playbook", pb}, {"step", step.step_id}, {"todo", step.text}});
    };
    auto run = respond::RunPlaybook(*d.playbook, *incident, responder, approval, journal);
    data["run"] = run.ToJson();
    size_t applied = 0, pending = 0, failed = 0;
    for (const auto& s : run.steps) {
      applied += s.status == "applied";
      pending += s.status == "pending_approval";
      failed += s.status == "failed";
    }
    Journal(incident_id, fmt::format("playbook {} run by policy ({}): {} applied, {} awaiting approval, {} failed", pb,
                                     mode, applied, pending, failed),
            data);
    Log(failed ? LogLevel::kWarn : LogLevel::kInfo, "automation",
        {{"incident", incident_id}, {"playbook", pb}, {"mode", mode}, {"applied", applied}, {"pending", pending},
         {"failed", failed}});
  }
}

void Automator::Run() {
  try {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || !queue_.empty(); });
      auto work = std::exchange(queue_, {});
      const bool stopping = stop_;
      lock.unlock();
      std::sort(work.begin(), work.end());
      work.erase(std::unique(work.begin(), work.end()), work.end());
      for (const auto& id : work) Handle(id);
      lock.lock();
      if (stopping && queue_.empty()) break;
    }
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "automator failed", {{"error", e.what()}});
  }
}

}  // namespace cloudward::serve
