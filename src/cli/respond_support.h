// What the commands that change AWS (respond, contain, actions, rollback, playbook) share: the AWS
// client with a call recorder (so request ids are journaled), the operator's name, the store, and
// how plans and executions are printed.
#pragma once

#include <memory>
#include <string>

#include "aws/aws_client.h"
#include "respond/action.h"
#include "respond/call_executor.h"
#include "respond/call_recorder.h"
#include "store/incident_store.h"

namespace cloudward::cli {

struct RecordedAws {
  std::shared_ptr<respond::CallRecorder> recorder;
  std::unique_ptr<aws::AwsClient> client;
};
// `region` "" -> the AWS environment and profile files decide.
RecordedAws MakeRecordedAws(const std::string& region);

// --as, else $USER, else "unknown".
std::string OperatorName(const std::string& as);

// store::ResolveStoreUrl(flag), opened; the error names the URL.
Result<std::unique_ptr<store::IncidentStore>> OpenResolvedStore(const std::string& flag);

// respond.approvals.separation_of_duties from the configuration (--config, $CLOUDWARD_CONFIG, the
// user's file; false with none). A configuration with problems is an error naming each one:
// a broken file must not silently switch the safeguard off.
Result<bool> SeparationOfDuties(const std::string& config_flag);

// "<heading> KIND TARGET", the summary, each AWS call with its change, prior state and notes.
void PrintPlan(const respond::Plan& plan, const char* heading);
// One line per call made: done/FAILED, operation, result, request ids.
void PrintExecution(const respond::Execution& run);

}  // namespace cloudward::cli
