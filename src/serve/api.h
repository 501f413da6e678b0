// The daemon's REST API (docs/openapi.yaml) and web console, independent of the HTTP library:
// server.cc turns each HTTP request into an ApiRequest and the ApiResponse back, so routing,
// authentication, JSON and errors are tested without sockets (api_test.cc).
//
//   serve::Api api({.store = &store, .auth = &auth, .config = &config, .metrics = &metrics,
//                   .clock = &clock, .intake = &intake, .rules = rules});
//   serve::ApiResponse r = api.Handle({.method = "GET", .path = "/api/v1/incidents",
//                                      .authorization = "Bearer s3cret"});
//
// Every /api/v1 route but /api/v1/health needs a token (401 without, 403 when its role does not
// allow the route). Writes are journaled on the incident with the token's name as author. GETs
// change nothing: a playbook's plan for an incident only reads AWS (like `cloudward playbook
// plan`); its steps are applied through the action routes (plan, approve, apply).
// Errors are JSON: {"error": "<message>", "code": "<ErrorCodeName>"}.
//
// Thread-safe: Handle may run on many threads at once (the store serialises its calls; response
// actions run one at a time).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/embedded_file.h"
#include "detect/rule_set.h"
#include "respond/playbook.h"
#include "serve/auth.h"
#include "serve/intake.h"
#include "serve/metrics.h"
#include "store/incident_store.h"

namespace cloudward::serve {

struct ApiRequest {
  std::string method;  // GET, POST, PATCH, ...
  std::string path;    // decoded, without the query
  std::map<std::string, std::string> query;
  std::string authorization;  // the Authorization header
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiOptions {
  store::IncidentStore* store = nullptr;
  const TokenAuthenticator* auth = nullptr;
  const config::Config* config = nullptr;  // respond.approval_* decide which applies need approval
  Metrics* metrics = nullptr;
  const Clock* clock = nullptr;
  Intake* intake = nullptr;  // null: POST /api/v1/events answers 503
  std::shared_ptr<const detect::RuleSet> rules;
  // The playbooks shown and planned under /api/v1/playbooks; null: the bundled ones.
  std::shared_ptr<const respond::PlaybookSet> playbooks;
  // AWS client settings for response actions; a fresh client (and, when `transport` is null, a
  // fresh curl transport) is made per request.
  aws::ClientConfig aws;
  bool actions_enabled = true;
  std::span<const EmbeddedFile> console;  // web console files, served under /console/
  std::string version;
};

// Whether applying an action of `kind` on an incident of `severity` needs an approval first:
// the kind is listed in respond.approval_actions, or the severity is at or above
// respond.approval_min_severity.
bool NeedsApproval(const config::RespondConfig& respond, std::string_view kind, Level severity);

class Api {
 public:
  explicit Api(ApiOptions options);

  // Never throws: unexpected failures answer 500.
  ApiResponse Handle(const ApiRequest& request);

  struct Context;
  using Handler = ApiResponse (Api::*)(const Context&);
  struct RouteEntry {
    const char* method;
    const char* pattern;  // "/api/v1/incidents/{}": "{}" segments are parameters
    Permission permission;
    bool authenticated;
    Handler handler;
  };
  // Every API route (docs/openapi.yaml describes each; api_test.cc checks that it does).
  static std::span<const RouteEntry> Routes();

 private:
  ApiResponse Route(const ApiRequest& request);

  ApiResponse Health(const Context&);
  ApiResponse MetricsText(const Context&);
  ApiResponse ListIncidents(const Context&);
  ApiResponse GetIncident(const Context&);
  ApiResponse PatchIncident(const Context&);
  ApiResponse IncidentFindings(const Context&);
  ApiResponse IncidentTimeline(const Context&);
  ApiResponse IncidentReport(const Context&);
  ApiResponse IncidentActions(const Context&);
  ApiResponse PlanAction(const Context&);
  ApiResponse GetAction(const Context&);
  ApiResponse ApproveAction(const Context&);
  ApiResponse ApplyAction(const Context&);
  ApiResponse RollbackAction(const Context&);
  ApiResponse ActionKinds(const Context&);
  ApiResponse Rules(const Context&);
  ApiResponse ListPlaybooks(const Context&);
  ApiResponse GetPlaybook(const Context&);
  ApiResponse IncidentPlaybooks(const Context&);
  ApiResponse PlanIncidentPlaybook(const Context&);
  ApiResponse PostEvents(const Context&);
  ApiResponse Console(const Context&);
  nlohmann::json ActionWithIncident(const store::ResponseAction& action);

  ApiOptions o_;
  std::mutex actions_mu_;  // one response action at a time
};

}  // namespace cloudward::serve
