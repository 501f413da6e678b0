// The step from findings to incidents, called by `cloudward hunt` after detection (once per
// hunt) and by the daemon (once per batch).
//
//   auto store = store::OpenStore(store::DefaultStoreUrl());
//   auto result = analyze::RecordFindings(**store, findings);
//   // result->incidents_created, result->incident_ids, ...
//
// Findings already stored (same store::FindingKey) are skipped, so re-running a hunt over the
// same logs adds nothing. Stored findings that belong to no incident (a hunt killed between its
// findings and its incidents) are grouped again, so an interrupted hunt heals on the next run.
#pragma once

#include <string>
#include <vector>

#include "analyze/incident_builder.h"
#include "core/finding.h"
#include "core/result.h"
#include "store/incident_store.h"

namespace cloudward::analyze {

struct RecordResult {
  size_t findings_added = 0, findings_duplicate = 0, incidents_created = 0, incidents_updated = 0;
  std::vector<std::string> incident_ids;  // created or updated, sorted
};

// Adds the findings (skipping ones already stored), groups them with each other and with open
// incidents in the store, saves incidents. One call per hunt; also usable per batch by the daemon.
// Findings are committed in batches of store::kFindingBatch, then all incident changes in one
// transaction (retried on kConflict). Incidents merged into another are closed with merged_into
// set and journaled on both sides; nothing is deleted.
Result<RecordResult> RecordFindings(store::IncidentStore& store, const std::vector<Finding>& findings,
                                    const IncidentPolicy& policy = {});

}  // namespace cloudward::analyze
