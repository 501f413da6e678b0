// What a saved architecture inventory (`cloudward inventory`, kept in the store) says about the
// resources and principals of an incident, without calling AWS during the incident: what each one
// is (type, name, region, VPC), what the internet reaches on it, the role it runs as, and for a
// role, the instances and functions that run as it (whose credentials the attacker may hold).
//
//   auto saved = store.LatestInventory(account, 0);
//   json context = ResourceContext(json::parse(saved->data), incident.resources, incident.actors);
//   for (const auto& r : context) ... r["internet_reaches"] ...
//
// The inventory JSON is prepare::InventoryToJson's: {"nodes": [{id, type, name, region, vpc,
// attributes}], "edges": [{from, to, kind, label}]}. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/incident.h"
#include "store/incident_store.h"

namespace cloudward::analyze {

// One entry per resource or actor found in the inventory, in input order, each once:
//   {"ref": as given, "id", "type", "name", "region", "vpc",
//    "internet_reaches": ["tcp/22", ...],      // edges internet -> node (or -> its interfaces)
//    "runs_as": ["arn:aws:iam::...:role/web"],  // instance -> profile -> role; function -> role
//    "run_by": ["i-0abc", ...]}                 // for a role: instances and functions using it
// A reference matches a node by exact id, by its last path segment (ARN of an instance, security
// group, volume...), a bucket ARN by bucket name, and an assumed-role session ARN by its role name.
// A malformed inventory (not an object, nodes not an array) gives an empty array.
nlohmann::json ResourceContext(const nlohmann::json& inventory, const std::vector<std::string>& resources,
                               const std::vector<std::string>& actors);

// One line for people: "i-0abc instance web-1 (us-east-1, vpc-1): internet reaches tcp/22,
// tcp/443; runs as arn:aws:iam::1:role/web".
std::string DescribeContextEntry(const nlohmann::json& entry);

// The newest saved inventory covering one of the incident's accounts taken at or before its last
// sighting (else the newest of that account), as {"inventory": id, "taken_ms", "taken", "resources":
// ResourceContext(...)}; null when the store holds none or it matches nothing.
nlohmann::json IncidentContext(store::IncidentStore& store, const store::Incident& incident);

}  // namespace cloudward::analyze
