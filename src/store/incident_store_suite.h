// The behaviour every IncidentStore backend must show. Compiled into one test binary per backend:
// the binary defines NewStoreUrl(), which returns the URL of a fresh, empty store (or "" with
// *skip_reason set when the backend is unavailable, e.g. no PostgreSQL binaries).
#pragma once

#include <string>

#include "core/finding.h"

namespace cloudward::store::testing {

std::string NewStoreUrl(std::string* skip_reason);

// A CloudTrail-like finding; `n` varies event id, time and actor.
Finding SampleFinding(int n, std::string rule_id = "rule-a");

}  // namespace cloudward::store::testing
