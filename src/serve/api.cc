#include "serve/api.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>

#include "analyze/lifecycle.h"
#include "analyze/report.h"
#include "aws/curl_transport.h"
#include "core/finding_json.h"
#include "core/time.h"
#include "respond/action.h"
#include "respond/call_recorder.h"
#include "respond/playbook.h"
#include "respond/responder.h"
#include "store/incident_json.h"

namespace cloudward::serve {

using nlohmann::json;

bool NeedsApproval(const config::RespondConfig& respond, std::string_view kind, Level severity) {
  if (std::find(respond.approval_actions.begin(), respond.approval_actions.end(), kind) !=
      respond.approval_actions.end()) {
    return true;
  }
  return respond.approval_min_severity && severity >= *respond.approval_min_severity;
}

struct Api::Context {
  const ApiRequest& request;
  Caller caller;                     // empty name for unauthenticated routes
  std::vector<std::string> params;  // the {id} segments of the route, in order
};

namespace {

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

ApiResponse Json(int status, const json& body) { return {.status = status, .body = Dump(body) + "\n"}; }

ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return Json(status, {{"error", message}, {"code", code}});
}

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kUnsupported: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kAccessDenied: return 502;  // AWS refused the daemon's credentials
    case ErrorCode::kThrottled:
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout: return 503;
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

ApiResponse ErrorResponse(const Error& e) { return ErrorResponse(HttpStatus(e.code), ErrorCodeName(e.code), e.message); }

// The request body as a JSON object, or a 400 response.
std::optional<json> BodyObject(const ApiRequest& request, ApiResponse* error) {
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = ErrorResponse(400, "malformed", request.body.empty() ? "expected a JSON object body"
                                                                  : "the body is not a JSON object");
    return std::nullopt;
  }
  return j;
}

std::string Query(const ApiRequest& r, const std::string& key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? std::string() : it->second;
}

std::string ContentType(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > start) out.push_back(path.substr(start, i - start));
  }
  return out;
}

// A Responder with the AWS client it calls through; one per request (Responder is not
// thread-safe and its recorder collects one request's AWS calls).
class ResponderSession {
 public:
  ResponderSession(const aws::ClientConfig& base, store::IncidentStore& store, const Clock& clock, std::string who) {
    aws::ClientConfig config = base;
    std::shared_ptr<aws::Transport> inner = base.transport;
    if (!inner) inner = std::make_shared<aws::CurlTransport>();
    recorder_ = std::make_shared<respond::CallRecorder>(inner);
    config.transport = recorder_;
    aws_ = std::make_unique<aws::AwsClient>(std::move(config));
    responder_ = std::make_unique<respond::Responder>(*aws_, recorder_.get(), store, clock, std::move(who));
  }
  respond::Responder& responder() { return *responder_; }

 private:
  std::shared_ptr<respond::CallRecorder> recorder_;
  std::unique_ptr<aws::AwsClient> aws_;
  std::unique_ptr<respond::Responder> responder_;
};

// 200 with `out`, or 502 naming the AWS call that failed (the action is then marked failed).
ApiResponse ExecutionResponse(json out, const respond::Execution& execution) {
  if (execution.ok()) return Json(200, out);
  out["error"] = execution.error->message;
  out["code"] = ErrorCodeName(execution.error->code);
  return Json(502, out);
}

std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A playbook as the console shows it: trigger, the phases in the order they first appear, and the
// steps in order with their action, target selector, approval gate and `requires` conditions.
json PlaybookJson(const respond::Playbook& pb) {
  const respond::PlaybookTrigger& t = pb.trigger;
  json steps = json::array();
  std::vector<std::string> phases;
  for (const respond::PlaybookStep& s : pb.steps) {
    if (std::find(phases.begin(), phases.end(), s.phase) == phases.end()) phases.push_back(s.phase);
    json step = {{"id", s.id}, {"phase", s.phase}, {"approval", s.approval}, {"requires", s.depends_on}};
    if (!s.action.empty()) {
      step["action"] = s.action;
      if (const respond::Action* a = respond::FindAction(s.action)) step["action_description"] = a->Description();
      step["targets"] = s.targets;
      if (!s.options.empty()) step["options"] = s.options;
    }
    if (!s.text.empty()) step["text"] = TrimEnd(s.text);
    steps.push_back(std::move(step));
  }
  return {{"id", pb.id},
          {"title", pb.title},
          {"description", TrimEnd(pb.description)},
          {"file", pb.file},
          {"trigger", {{"min_severity", LevelName(t.min_severity)}, {"rules", t.rules}, {"techniques", t.techniques},
                       {"tactics", t.tactics}, {"involves", t.involves}}},
          {"phases", phases},
          {"step_count", pb.steps.size()},
          {"steps", std::move(steps)}};
}

json ActionJson(const store::ResponseAction& action, const store::Incident* incident, const config::Config* config) {
  json j = store::ResponseActionToJson(action);
  if (incident != nullptr && config != nullptr) {
    j["needs_approval"] = NeedsApproval(config->respond, action.kind, incident->severity);
  }
  return j;
}

}  // namespace

Api::Api(ApiOptions options) : o_(std::move(options)) {
  if (!o_.playbooks) o_.playbooks = std::make_shared<const respond::PlaybookSet>(respond::LoadPlaybooks({}));
}

ApiResponse Api::Handle(const ApiRequest& request) {
  ApiResponse response;
  try {
    response = Route(request);
  } catch (const std::exception& e) {
    response = ErrorResponse(500, "internal", std::string("internal error: ") + e.what());
  } catch (...) {
    response = ErrorResponse(500, "internal", "internal error");
  }
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", "no-store");
  if (o_.metrics != nullptr) o_.metrics->CountHttp(response.status);
  return response;
}

std::span<const Api::RouteEntry> Api::Routes() {
  static const RouteEntry kRoutes[] = {
      {"GET", "/api/v1/health", Permission::kRead, false, &Api::Health},
      {"GET", "/metrics", Permission::kRead, true, &Api::MetricsText},
      {"GET", "/api/v1/incidents", Permission::kRead, true, &Api::ListIncidents},
      {"GET", "/api/v1/incidents/{}", Permission::kRead, true, &Api::GetIncident},
      {"PATCH", "/api/v1/incidents/{}", Permission::kRespond, true, &Api::PatchIncident},
      {"GET", "/api/v1/incidents/{}/findings", Permission::kRead, true, &Api::IncidentFindings},
      {"GET", "/api/v1/incidents/{}/timeline", Permission::kRead, true, &Api::IncidentTimeline},
      {"GET", "/api/v1/incidents/{}/report", Permission::kRead, true, &Api::IncidentReport},
      {"GET", "/api/v1/incidents/{}/actions", Permission::kRead, true, &Api::IncidentActions},
      {"POST", "/api/v1/incidents/{}/actions", Permission::kRespond, true, &Api::PlanAction},
      {"GET", "/api/v1/actions/{}", Permission::kRead, true, &Api::GetAction},
      {"POST", "/api/v1/actions/{}/approve", Permission::kRespond, true, &Api::ApproveAction},
      {"POST", "/api/v1/actions/{}/apply", Permission::kRespond, true, &Api::ApplyAction},
      {"POST", "/api/v1/actions/{}/rollback", Permission::kRespond, true, &Api::RollbackAction},
      {"GET", "/api/v1/action-kinds", Permission::kRead, true, &Api::ActionKinds},
      {"GET", "/api/v1/rules", Permission::kRead, true, &Api::Rules},
      {"GET", "/api/v1/playbooks", Permission::kRead, true, &Api::ListPlaybooks},
      {"GET", "/api/v1/playbooks/{}", Permission::kRead, true, &Api::GetPlaybook},
      {"GET", "/api/v1/incidents/{}/playbooks", Permission::kRead, true, &Api::IncidentPlaybooks},
      {"GET", "/api/v1/incidents/{}/playbooks/{}/plan", Permission::kRead, true, &Api::PlanIncidentPlaybook},
      {"POST", "/api/v1/events", Permission::kIntake, true, &Api::PostEvents},
  };
  return kRoutes;
}

ApiResponse Api::Route(const ApiRequest& request) {
  const std::vector<std::string_view> segments = Segments(request.path);
  if (segments.empty() || segments[0] == "console") {
    if (request.method != "GET" && request.method != "HEAD") return ErrorResponse(405, "invalid_argument", "method not allowed");
    if (segments.empty()) {
      return {.status = 302, .content_type = "text/plain", .body = "see /console/\n", .headers = {{"Location", "/console/"}}};
    }
    Context ctx{request, {}, {}};
    for (size_t i = 1; i < segments.size(); ++i) ctx.params.emplace_back(segments[i]);
    return Console(ctx);
  }
  bool path_known = false;
  for (const RouteEntry& route : Routes()) {
    const std::vector<std::string_view> pattern = Segments(route.pattern);
    if (pattern.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (size_t i = 0; i < pattern.size() && match; ++i) {
      if (pattern[i] == "{}") {
        params.emplace_back(segments[i]);
      } else {
        match = pattern[i] == segments[i];
      }
    }
    if (!match) continue;
    path_known = true;
    if (request.method != route.method && !(request.method == "HEAD" && std::string_view(route.method) == "GET")) continue;
    Context ctx{request, {}, std::move(params)};
    if (route.authenticated) {
      std::optional<Caller> caller = o_.auth != nullptr ? o_.auth->Authenticate(request.authorization) : std::nullopt;
      if (!caller) {
        ApiResponse r = ErrorResponse(401, "unauthenticated", "a valid API token is required (Authorization: Bearer <token>)");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"cloudward\"");
        return r;
      }
      if (!Allows(caller->role, route.permission)) {
        return ErrorResponse(403, "forbidden", fmt::format("token '{}' has role {}, which may not {} {}", caller->name,
                                                           config::ApiRoleName(caller->role), request.method, request.path));
      }
      ctx.caller = std::move(*caller);
    }
    return (this->*route.handler)(ctx);
  }
  if (path_known) return ErrorResponse(405, "invalid_argument", "method " + request.method + " not allowed on " + request.path);
  return ErrorResponse(404, "not_found", "no such endpoint: " + request.path);
}

ApiResponse Api::Health(const Context&) {
  json j = {{"status", "ok"}, {"version", o_.version}, {"store", o_.store->Backend()}};
  auto findings = o_.store->CountFindings();
  if (!findings) {
    j["status"] = "degraded";
    j["store_error"] = findings.error().message;
    return Json(503, j);
  }
  j["findings"] = *findings;
  if (o_.metrics != nullptr && o_.clock != nullptr) {
    j["uptime_seconds"] = (o_.clock->NowMs() - o_.metrics->started_ms.load()) / 1000;
    j["intake_queue_depth"] = o_.metrics->intake_inflight.load();
  }
  return Json(200, j);
}

ApiResponse Api::MetricsText(const Context&) {
  std::string text = o_.metrics != nullptr ? o_.metrics->Render(o_.clock != nullptr ? o_.clock->NowMs() : 0) : "";
  if (auto findings = o_.store->CountFindings()) {
    text += fmt::format("# HELP cloudward_store_findings Findings in the store.\n# TYPE cloudward_store_findings gauge\n"
                        "cloudward_store_findings {}\n", *findings);
  }
  return {.status = 200, .content_type = "text/plain; version=0.0.4; charset=utf-8", .body = text};
}

ApiResponse Api::ListIncidents(const Context& ctx) {
  store::IncidentFilter filter;
  filter.limit = 500;
  if (const std::string status = Query(ctx.request, "status"); !status.empty()) {
    if (status == "active") {
      filter.open_only = true;
    } else if (auto s = store::IncidentStatusFromName(status)) {
      filter.status = *s;
    } else {
      return ErrorResponse(400, "invalid_argument", "unknown status '" + status +
                                                        "' (open, triaged, contained, eradicated, recovered, closed, active)");
    }
  }
  for (const char* key : {"severity", "min_severity"}) {
    const std::string severity = Query(ctx.request, key);
    if (severity.empty()) continue;
    const Level l = LevelFromName(severity);
    if (LevelName(l) != severity) {
      return ErrorResponse(400, "invalid_argument", "unknown " + std::string(key) + " '" + severity +
                                                        "' (informational, low, medium, high, critical)");
    }
    (std::string_view(key) == "severity" ? filter.severity : filter.min_severity) = l;
  }
  if (const std::string limit = Query(ctx.request, "limit"); !limit.empty()) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), n);
    if (ec != std::errc() || end != limit.data() + limit.size() || n == 0 || n > 10000) {
      return ErrorResponse(400, "invalid_argument", "limit must be a number from 1 to 10000");
    }
    filter.limit = n;
  }
  auto incidents = o_.store->ListIncidents(filter);
  if (!incidents) return ErrorResponse(incidents.error());
  json out = json::array();
  for (const auto& inc : *incidents) out.push_back(store::IncidentToJson(inc));
  return Json(200, out);
}

ApiResponse Api::GetIncident(const Context& ctx) {
  auto inc = o_.store->GetIncident(ctx.params[0]);
  if (!inc) return ErrorResponse(inc.error());
  return Json(200, store::IncidentToJson(*inc));
}

ApiResponse Api::PatchIncident(const Context& ctx) {
  ApiResponse bad;
  auto body = BodyObject(ctx.request, &bad);
  if (!body) return bad;
  analyze::IncidentChange change;
  for (const auto& [key, value] : body->items()) {
    if (key == "status") {
      auto s = value.is_string() ? store::IncidentStatusFromName(value.get<std::string>()) : std::nullopt;
      if (!s) return ErrorResponse(400, "invalid_argument", "status: expected one of open, triaged, contained, eradicated, recovered, closed");
      change.status = *s;
    } else if (key == "assignee") {
      if (!value.is_string()) return ErrorResponse(400, "invalid_argument", "assignee: expected a string (\"\" unassigns)");
      change.assignee = value.get<std::string>();
    } else if (key == "note" || key == "notes") {
      if (!value.is_string()) return ErrorResponse(400, "invalid_argument", key + ": expected a string");
      change.note = value.get<std::string>();
    } else if (key != "version") {
      return ErrorResponse(400, "invalid_argument", "unknown field '" + key + "' (status, assignee, note, version)");
    }
  }
  if (body->contains("version")) {
    const json& v = (*body)["version"];
    if (!v.is_number_integer()) return ErrorResponse(400, "invalid_argument", "version: expected an integer");
    auto current = o_.store->GetIncident(ctx.params[0]);
    if (!current) return ErrorResponse(current.error());
    if (current->version != v.get<int64_t>()) {
      return Json(409, {{"error", fmt::format("incident {} is at version {}, not {}: reload and retry", current->id,
                                              current->version, v.get<int64_t>())},
                        {"code", "conflict"},
                        {"incident", store::IncidentToJson(*current)}});
    }
  }
  auto updated = analyze::ApplyIncidentChange(*o_.store, ctx.params[0], change, ctx.caller.name, o_.clock->NowMs());
  if (!updated) return ErrorResponse(updated.error());
  return Json(200, store::IncidentToJson(*updated));
}

ApiResponse Api::IncidentFindings(const Context& ctx) {
  if (auto inc = o_.store->GetIncident(ctx.params[0]); !inc) return ErrorResponse(inc.error());
  auto findings = o_.store->IncidentFindings(ctx.params[0]);
  if (!findings) return ErrorResponse(findings.error());
  json out = json::array();
  for (const auto& sf : *findings) {
    json f = FindingToJson(sf.finding);
    f["key"] = sf.key;
    out.push_back(std::move(f));
  }
  return Json(200, out);
}

ApiResponse Api::IncidentTimeline(const Context& ctx) {
  if (auto inc = o_.store->GetIncident(ctx.params[0]); !inc) return ErrorResponse(inc.error());
  auto events = o_.store->Events(ctx.params[0]);
  if (!events) return ErrorResponse(events.error());
  json out = json::array();
  for (const auto& e : *events) out.push_back(store::IncidentEventToJson(e));
  return Json(200, out);
}

ApiResponse Api::IncidentReport(const Context& ctx) {
  std::string format = Query(ctx.request, "format");
  if (format.empty()) format = "html";
  if (format != "html" && format != "md" && format != "markdown" && format != "ocsf" && format != "asff") {
    return ErrorResponse(400, "invalid_argument", "format must be html, md, ocsf or asff");
  }
  auto data = analyze::LoadReportData(*o_.store, ctx.params[0]);
  if (!data) return ErrorResponse(data.error());
  const int64_t now = o_.clock->NowMs();
  ApiResponse r;
  std::string extension;
  if (format == "html") {
    r.content_type = "text/html; charset=utf-8";
    r.body = analyze::RenderHtml(*data, {.generated_ms = now});
    extension = "html";
  } else if (format == "md" || format == "markdown") {
    r.content_type = "text/markdown; charset=utf-8";
    r.body = analyze::RenderMarkdown(*data, {.generated_ms = now});
    extension = "md";
  } else if (format == "ocsf") {
    r.body = Dump(analyze::IncidentToOcsf(*data, now)) + "\n";
    extension = "ocsf.json";
  } else {
    r.body = Dump(json::array({analyze::IncidentToAsff(*data, Query(ctx.request, "region"), Query(ctx.request, "account"), now)})) + "\n";
    extension = "asff.json";
  }
  if (!Query(ctx.request, "download").empty()) {
    r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}.{}\"", ctx.params[0], extension));
  }
  return r;
}

ApiResponse Api::IncidentActions(const Context& ctx) {
  auto inc = o_.store->GetIncident(ctx.params[0]);
  if (!inc) return ErrorResponse(inc.error());
  auto actions = o_.store->ListActions(ctx.params[0]);
  if (!actions) return ErrorResponse(actions.error());
  json out = json::array();
  for (const auto& a : *actions) out.push_back(ActionJson(a, &*inc, o_.config));
  return Json(200, out);
}

ApiResponse Api::PlanAction(const Context& ctx) {
  if (!o_.actions_enabled) return ErrorResponse(503, "unavailable", "response actions are disabled on this daemon");
  ApiResponse bad;
  auto body = BodyObject(ctx.request, &bad);
  if (!body) return bad;
  const json& kind = (*body)["kind"];
  const json& target = (*body)["target"];
  if (!kind.is_string() || !target.is_string() || target.get<std::string>().empty()) {
    return ErrorResponse(400, "invalid_argument", "expected {\"kind\": \"<action>\", \"target\": \"<resource id>\"}");
  }
  auto incident = o_.store->GetIncident(ctx.params[0]);
  if (!incident) return ErrorResponse(incident.error());
  respond::ActionRequest request{.target = target.get<std::string>(), .incident_id = ctx.params[0]};
  if (body->contains("options")) {
    const json& options = (*body)["options"];
    if (!options.is_object()) return ErrorResponse(400, "invalid_argument", "options: expected an object of strings");
    for (const auto& [k, v] : options.items()) {
      if (!v.is_string()) return ErrorResponse(400, "invalid_argument", "options." + k + ": expected a string");
      request.options[k] = v.get<std::string>();
    }
  }
  std::lock_guard lock(actions_mu_);
  ResponderSession session(o_.aws, *o_.store, *o_.clock, ctx.caller.name);
  auto action = session.responder().Propose(kind.get<std::string>(), request);
  if (!action) return ErrorResponse(action.error());
  return Json(201, ActionJson(*action, &*incident, o_.config));
}

// The action as JSON, with needs_approval decided from its incident's severity.
json Api::ActionWithIncident(const store::ResponseAction& action) {
  auto incident = o_.store->GetIncident(action.incident_id);
  return ActionJson(action, incident ? &*incident : nullptr, o_.config);
}

ApiResponse Api::GetAction(const Context& ctx) {
  auto action = o_.store->GetAction(ctx.params[0]);
  if (!action) return ErrorResponse(action.error());
  return Json(200, ActionWithIncident(*action));
}

ApiResponse Api::ApproveAction(const Context& ctx) {
  if (!o_.actions_enabled) return ErrorResponse(503, "unavailable", "response actions are disabled on this daemon");
  std::lock_guard lock(actions_mu_);
  ResponderSession session(o_.aws, *o_.store, *o_.clock, ctx.caller.name);
  session.responder().RequireSeparateApprover(o_.config != nullptr && o_.config->respond.separation_of_duties);
  auto action = session.responder().Approve(ctx.params[0]);
  // Approve makes no AWS call: kAccessDenied here is the separation-of-duties refusal.
  if (!action && action.error().code == ErrorCode::kAccessDenied) {
    return ErrorResponse(403, "forbidden", action.error().message);
  }
  if (!action) return ErrorResponse(action.error());
  return Json(200, ActionWithIncident(*action));
}

ApiResponse Api::ApplyAction(const Context& ctx) {
  if (!o_.actions_enabled) return ErrorResponse(503, "unavailable", "response actions are disabled on this daemon");
  std::lock_guard lock(actions_mu_);
  auto stored = o_.store->GetAction(ctx.params[0]);
  if (!stored) return ErrorResponse(stored.error());
  auto incident = o_.store->GetIncident(stored->incident_id);
  if (!incident) return ErrorResponse(incident.error());
  if (stored->status == "planned" && o_.config != nullptr &&
      NeedsApproval(o_.config->respond, stored->kind, incident->severity)) {
    return ErrorResponse(409, "conflict", fmt::format("action {} ({} on a {} incident) needs approval before it is applied: "
                                                      "POST /api/v1/actions/{}/approve",
                                                      stored->id, stored->kind, LevelName(incident->severity), stored->id));
  }
  ResponderSession session(o_.aws, *o_.store, *o_.clock, ctx.caller.name);
  auto report = session.responder().ApplyStored(ctx.params[0]);
  if (!report) return ErrorResponse(report.error());
  json out = {{"action", ActionJson(report->action, &*incident, o_.config)},
              {"no_op", report->no_op},
              {"principal", report->principal},
              {"execution", report->execution.ToJson()}};
  return ExecutionResponse(std::move(out), report->execution);
}

ApiResponse Api::RollbackAction(const Context& ctx) {
  if (!o_.actions_enabled) return ErrorResponse(503, "unavailable", "response actions are disabled on this daemon");
  std::lock_guard lock(actions_mu_);
  ResponderSession session(o_.aws, *o_.store, *o_.clock, ctx.caller.name);
  auto report = session.responder().Rollback(ctx.params[0]);
  if (!report) return ErrorResponse(report.error());
  json out = {{"action", ActionWithIncident(report->action)},
              {"rolled_back", report->rolled_back},
              {"plan", report->plan.ToJson()},
              {"execution", report->execution.ToJson()}};
  return ExecutionResponse(std::move(out), report->execution);
}

ApiResponse Api::ActionKinds(const Context&) {
  json out = json::array();
  for (const respond::Action* a : respond::Actions()) {
    out.push_back({{"kind", a->Kind()}, {"description", a->Description()}, {"target", a->TargetName()}});
  }
  return Json(200, out);
}

ApiResponse Api::Rules(const Context& ctx) {
  json out = json::array();
  if (!o_.rules) return Json(200, out);
  const std::string level = Query(ctx.request, "level");
  for (size_t i = 0; i < o_.rules->size(); ++i) {
    const detect::Rule& r = o_.rules->at(i);
    if (!level.empty() && LevelName(r.ref.level) != level) continue;
    json j = {{"id", r.ref.id},         {"title", r.ref.title},   {"level", LevelName(r.ref.level)},
              {"tags", r.ref.tags},     {"status", r.status},     {"description", r.description},
              {"standalone", r.standalone},
              {"logsource", {{"product", r.product}, {"service", r.service}, {"category", r.category}}},
              {"file", r.file}};
    if (r.log_type) j["log_type"] = LogTypeName(*r.log_type);
    if (r.correlation) j["correlation"] = CorrelationTypeName(r.correlation->type);
    out.push_back(std::move(j));
  }
  return Json(200, out);
}

ApiResponse Api::ListPlaybooks(const Context&) {
  json out = json::array();
  for (const respond::Playbook& pb : o_.playbooks->playbooks) out.push_back(PlaybookJson(pb));
  return Json(200, out);
}

ApiResponse Api::GetPlaybook(const Context& ctx) {
  const respond::Playbook* pb = o_.playbooks->Find(ctx.params[0]);
  if (pb == nullptr) return ErrorResponse(404, "not_found", "no playbook '" + ctx.params[0] + "'");
  return Json(200, PlaybookJson(*pb));
}

// The playbooks whose trigger fits the incident (all of them, each with `matches`, when
// ?all=true), each action step with the targets its selector picks in this incident. No AWS call.
ApiResponse Api::IncidentPlaybooks(const Context& ctx) {
  auto incident = o_.store->GetIncident(ctx.params[0]);
  if (!incident) return ErrorResponse(incident.error());
  const std::string all = Query(ctx.request, "all");
  if (!all.empty() && all != "true" && all != "false") return ErrorResponse(400, "invalid_argument", "all must be true or false");
  json out = json::array();
  for (const respond::Playbook& pb : o_.playbooks->playbooks) {
    const bool matches = respond::Triggers(pb.trigger, *incident);
    if (!matches && all != "true") continue;
    json j = PlaybookJson(pb);
    j["matches"] = matches;
    for (size_t i = 0; i < pb.steps.size(); ++i) {
      if (!pb.steps[i].action.empty()) j["steps"][i]["picks"] = respond::SelectTargets(pb.steps[i].targets, *incident);
    }
    out.push_back(std::move(j));
  }
  return Json(200, out);
}

// The playbook's dry run on the incident: every action step planned per target from the current
// AWS state (reads only; nothing is stored, journaled or changed), like `cloudward playbook plan`.
// Each step says whether applying it needs an approval: marked in the playbook, or by
// respond.approvals for its kind and the incident's severity.
ApiResponse Api::PlanIncidentPlaybook(const Context& ctx) {
  if (!o_.actions_enabled) return ErrorResponse(503, "unavailable", "response actions are disabled on this daemon");
  auto incident = o_.store->GetIncident(ctx.params[0]);
  if (!incident) return ErrorResponse(incident.error());
  const respond::Playbook* pb = o_.playbooks->Find(ctx.params[1]);
  if (pb == nullptr) return ErrorResponse(404, "not_found", "no playbook '" + ctx.params[1] + "'");
  aws::AwsClient aws(o_.aws);
  const respond::PlaybookPlan plan = respond::PlanPlaybook(*pb, *incident, aws, o_.store);
  json out = plan.ToJson();
  out["title"] = pb->title;
  out["matches"] = respond::Triggers(pb->trigger, *incident);
  out["dry_run"] = true;
  if (!out["matches"].get<bool>()) {
    out["notes"].push_back("the playbook's trigger does not match this incident (planned anyway, as asked)");
  }
  size_t calls = 0, errors = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const respond::StepPlan& s = plan.steps[i];
    json& step = out["steps"][i];
    for (const respond::PlaybookStep& ps : pb->steps) {
      if (ps.id == s.step_id) step["requires"] = ps.depends_on;
    }
    if (s.action.empty()) continue;
    const bool by_policy = o_.config != nullptr && NeedsApproval(o_.config->respond, s.action, incident->severity);
    step["needs_approval"] = s.approval || by_policy;
    if (s.approval || by_policy) step["approval_by"] = s.approval ? "playbook" : "policy";
    if (s.plan) calls += s.plan->calls.size();
    if (!s.error.empty()) ++errors;
  }
  out["calls"] = calls;
  out["errors"] = errors;
  return Json(200, out);
}

ApiResponse Api::PostEvents(const Context& ctx) {
  if (o_.intake == nullptr) return ErrorResponse(503, "unavailable", "intake is not running");
  if (ctx.request.body.empty()) return ErrorResponse(400, "malformed", "empty body: expected CloudTrail, GuardDuty or EventBridge JSON");
  auto batch = o_.intake->Ingest("api:" + ctx.caller.name, ctx.request.body);
  if (!batch) return ErrorResponse(batch.error());
  json errors = json::array();
  for (const auto& e : batch->errors) {
    json err = {{"offset", e.offset}, {"reason", e.reason}};
    if (e.line) err["line"] = e.line;
    errors.push_back(std::move(err));
  }
  // Audit: the incidents this request touched say who sent the events.
  for (const std::string& id : batch->recorded.incident_ids) {
    store::IncidentEvent audit{.incident_id = id, .time_ms = o_.clock->NowMs(), .author = ctx.caller.name,
                               .kind = "intake",
                               .text = fmt::format("{} events received through POST /api/v1/events by {}", batch->events,
                                                   ctx.caller.name),
                               .data = Dump({{"events", batch->events}, {"findings", batch->findings}, {"token", ctx.caller.name}})};
    (void)o_.store->AppendEvent(audit);
  }
  json out = {{"events", batch->events},
              {"malformed", batch->malformed},
              {"duplicates", batch->duplicates},
              {"findings", batch->findings},
              {"findings_new", batch->recorded.findings_added},
              {"incidents", batch->recorded.incident_ids},
              {"incidents_created", batch->created},
              {"errors", errors}};
  if (batch->events == 0 && batch->duplicates == 0) {
    out["error"] = "no events could be read from the body";
    out["code"] = "malformed";
    return Json(400, out);
  }
  return Json(200, out);
}

ApiResponse Api::Console(const Context& ctx) {
  std::string path;
  for (const std::string& p : ctx.params) {
    if (p == ".." || p == ".") return ErrorResponse(404, "not_found", "no such file");
    path += (path.empty() ? "" : "/") + p;
  }
  if (path.empty()) path = "index.html";
  for (const EmbeddedFile& f : o_.console) {
    if (path == f.path) {
      ApiResponse r{.status = 200, .content_type = ContentType(path), .body = std::string(f.text())};
      r.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                             "frame-ancestors 'none'");
      return r;
    }
  }
  return ErrorResponse(404, "not_found", "no such console file: " + path);
}

}  // namespace cloudward::serve
