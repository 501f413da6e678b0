// Automator runs the configured automation policies (config `automation`) on the incidents the
// daemon creates or updates, on its own thread: each policy that fits an incident runs its
// playbook once per incident, in the policy's mode —
//   plan     the playbook's plan is journaled (nothing changes, nothing is stored as an action);
//   approve  every action step is stored as a planned action awaiting approval (console/API);
//   run      steps run through the Responder like `playbook run --apply`: steps marked
//            `approval: true` still wait for a person, and each action must fit the rate limits
//            (else it is proposed instead).
// `automation.enabled: false` (the one switch) turns every mode into a journaled "would have".
// Every decision is journaled on the incident (kind "automation", author cloudward-automation).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "aws/aws_client.h"
#include "config/config.h"
#include "core/clock.h"
#include "respond/automation.h"
#include "respond/call_recorder.h"
#include "respond/playbook.h"
#include "serve/intake.h"
#include "store/incident_store.h"

namespace cloudward::serve {

class Automator {
 public:
  // Null when there are no policies. kInvalidArgument when a policy names an unknown playbook.
  static Result<std::unique_ptr<Automator>> Create(const config::Config& config, respond::PlaybookSet playbooks,
                                                   store::IncidentStore& store, const Clock& clock);
  ~Automator();

  void Start();
  void Stop();  // finishes what is queued, then joins
  void Enqueue(const BatchResult& batch);

 private:
  Automator(const config::Config& config, respond::PlaybookSet playbooks, store::IncidentStore& store,
            const Clock& clock);
  void Run();
  void Handle(const std::string& incident_id);
  void Journal(const std::string& incident_id, const std::string& text, nlohmann::json data);

  config::AutomationConfig automation_;
  respond::PlaybookSet playbooks_;
  store::IncidentStore& store_;
  const Clock& clock_;
  std::shared_ptr<respond::CallRecorder> recorder_;
  std::unique_ptr<aws::AwsClient> aws_;
  respond::ActionRateLimiter limiter_;
  std::set<std::pair<std::string, std::string>> done_;  // (incident, playbook) handled since start
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cloudward::serve
