#include "analyze/resource_context.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/time.h"

namespace cloudward::analyze {
namespace {

using nlohmann::json;

std::string Field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string_view AfterLast(std::string_view s, char c) {
  size_t at = s.rfind(c);
  return at == std::string_view::npos ? s : s.substr(at + 1);
}

// The inventory's nodes indexed the ways incidents name resources.
class NodeIndex {
 public:
  explicit NodeIndex(const json& inventory) {
    const json* nodes = Array(inventory, "nodes");
    if (nodes == nullptr) return;
    for (const json& node : *nodes) {
      if (!node.is_object()) continue;
      std::string id = Field(node, "id"), type = Field(node, "type"), name = Field(node, "name");
      if (id.empty() || type == "internet") continue;
      by_id_.emplace(id, &node);
      if (type == "bucket" || type == "role" || type == "lambda-function" || type == "db-instance") {
        by_name_.emplace(type + "\n" + name, &node);
      }
    }
  }

  // nullptr when the reference names no node.
  const json* Find(std::string_view ref) const {
    if (auto it = by_id_.find(std::string(ref)); it != by_id_.end()) return it->second;
    constexpr std::string_view kS3 = "arn:aws:s3:::";
    if (ref.starts_with(kS3)) {
      std::string_view rest = ref.substr(kS3.size());
      return Named("bucket", rest.substr(0, rest.find('/')));
    }
    if (ref.find(":assumed-role/") != std::string_view::npos) {
      std::string_view rest = ref.substr(ref.find(":assumed-role/") + 14);
      return Named("role", rest.substr(0, rest.find('/')));
    }
    if (ref.find(":role/") != std::string_view::npos) return Named("role", AfterLast(ref, '/'));
    if (ref.find(":function:") != std::string_view::npos) {
      std::string_view rest = ref.substr(ref.find(":function:") + 10);
      return Named("lambda-function", rest.substr(0, rest.find(':')));  // drop a version or alias
    }
    if (ref.starts_with("arn:")) {
      std::string_view tail = AfterLast(ref, '/');
      if (tail == ref) tail = AfterLast(ref, ':');
      if (auto it = by_id_.find(std::string(tail)); it != by_id_.end()) return it->second;
      return nullptr;
    }
    // A bare name: a bucket, role or function of that name.
    for (const char* type : {"bucket", "role", "lambda-function", "db-instance"}) {
      if (const json* node = Named(type, ref)) return node;
    }
    return nullptr;
  }

  static const json* Array(const json& object, const char* name) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(name);
    return it != object.end() && it->is_array() ? &*it : nullptr;
  }

 private:
  const json* Named(std::string_view type, std::string_view name) const {
    if (name.empty()) return nullptr;
    auto it = by_name_.find(std::string(type) + "\n" + std::string(name));
    return it == by_name_.end() ? nullptr : it->second;
  }

  std::map<std::string, const json*> by_id_;
  std::map<std::string, const json*> by_name_;
};

// Edges by kind, in both directions.
struct EdgeIndex {
  std::multimap<std::string, std::pair<std::string, std::string>> out;  // from -> (kind, to)
  std::multimap<std::string, std::pair<std::string, std::string>> in;   // to -> (kind, from)
  std::multimap<std::string, std::string> reaches;                      // to -> label

  explicit EdgeIndex(const json& inventory) {
    const json* edges = NodeIndex::Array(inventory, "edges");
    if (edges == nullptr) return;
    for (const json& e : *edges) {
      if (!e.is_object()) continue;
      std::string from = Field(e, "from"), to = Field(e, "to"), kind = Field(e, "kind");
      if (from.empty() || to.empty()) continue;
      if (kind == "reaches" && from == "internet") reaches.emplace(to, Field(e, "label"));
      out.emplace(from, std::make_pair(kind, to));
      in.emplace(to, std::make_pair(kind, from));
    }
  }

  std::vector<std::string> Targets(const std::string& from, std::string_view kind) const {
    std::vector<std::string> found;
    auto [b, e] = out.equal_range(from);
    for (auto it = b; it != e; ++it)
      if (it->second.first == kind) found.push_back(it->second.second);
    return found;
  }
  std::vector<std::string> Sources(const std::string& to, std::string_view kind) const {
    std::vector<std::string> found;
    auto [b, e] = in.equal_range(to);
    for (auto it = b; it != e; ++it)
      if (it->second.first == kind) found.push_back(it->second.second);
    return found;
  }
};

void AddUnique(json& array, const std::string& value) {
  if (std::find(array.begin(), array.end(), value) == array.end()) array.push_back(value);
}

json Describe(const json& node, const std::string& ref, const EdgeIndex& edges) {
  const std::string id = Field(node, "id"), type = Field(node, "type");
  json out = {{"ref", ref},         {"id", id}, {"type", type}, {"name", Field(node, "name")},
              {"region", Field(node, "region")}, {"vpc", Field(node, "vpc")}};
  json reaches = json::array();
  std::vector<std::string> exposed = {id};
  // An instance is also reached through its network interfaces and load balancers in front.
  for (const auto& eni : edges.Sources(id, "interface-of")) exposed.push_back(eni);
  for (const auto& target : exposed) {
    auto [b, e] = edges.reaches.equal_range(target);
    for (auto it = b; it != e; ++it) AddUnique(reaches, it->second);
  }
  out["internet_reaches"] = std::move(reaches);

  json runs_as = json::array();
  if (type == "instance") {
    for (const auto& profile : edges.Targets(id, "profile"))
      for (const auto& role : edges.Targets(profile, "assumes")) AddUnique(runs_as, role);
  } else if (type == "lambda-function") {
    for (const auto& role : edges.Targets(id, "assumes")) AddUnique(runs_as, role);
  }
  out["runs_as"] = std::move(runs_as);

  json run_by = json::array();
  if (type == "role") {
    for (const auto& user : edges.Sources(id, "assumes")) {
      if (user.find(":instance-profile/") != std::string::npos) {
        for (const auto& instance : edges.Sources(user, "profile")) AddUnique(run_by, instance);
      } else {
        AddUnique(run_by, user);
      }
    }
  }
  out["run_by"] = std::move(run_by);
  return out;
}

}  // namespace

json ResourceContext(const json& inventory, const std::vector<std::string>& resources,
                     const std::vector<std::string>& actors) {
  json out = json::array();
  NodeIndex nodes(inventory);
  EdgeIndex edges(inventory);
  std::set<std::string> seen;
  for (const auto* refs : {&resources, &actors}) {
    for (const auto& ref : *refs) {
      const json* node = nodes.Find(ref);
      if (node == nullptr) continue;
      std::string id = Field(*node, "id");
      if (!seen.insert(id).second) continue;
      out.push_back(Describe(*node, ref, edges));
    }
  }
  return out;
}

std::string DescribeContextEntry(const json& entry) {
  auto list = [&](const char* name) {
    std::string out;
    if (!entry.contains(name) || !entry[name].is_array()) return out;
    for (const auto& v : entry[name])
      if (v.is_string()) out += (out.empty() ? "" : ", ") + v.get<std::string>();
    return out;
  };
  std::string id = Field(entry, "id"), type = Field(entry, "type"), name = Field(entry, "name");
  std::string line = id + " " + type;
  if (!name.empty() && name != id) line += " " + name;
  std::string where = Field(entry, "region");
  if (std::string vpc = Field(entry, "vpc"); !vpc.empty()) where += (where.empty() ? "" : ", ") + vpc;
  if (!where.empty()) line += " (" + where + ")";
  std::vector<std::string> facts;
  if (auto r = list("internet_reaches"); !r.empty()) facts.push_back("internet reaches " + r);
  if (auto r = list("runs_as"); !r.empty()) facts.push_back("runs as " + r);
  if (auto r = list("run_by"); !r.empty()) facts.push_back("used by " + r);
  // Reachability is derived for network-attached compute only (see prepare/inventory.h).
  if (facts.empty() && (type == "instance" || type == "network-interface" || type == "db-instance" ||
                        type == "load-balancer" || type == "lambda-function")) {
    facts.push_back("not reachable from the internet");
  }
  if (facts.empty()) return line;
  line += ": ";
  for (size_t i = 0; i < facts.size(); ++i) line += (i ? "; " : "") + facts[i];
  return line;
}

json IncidentContext(store::IncidentStore& store, const store::Incident& incident) {
  std::vector<std::string> accounts = incident.accounts;
  if (accounts.empty()) accounts.push_back("");
  for (const auto& account : accounts) {
    const int64_t at = incident.last_seen_ms > 0 ? incident.last_seen_ms : 0;
    auto saved = store.LatestInventory(account, at);
    if (!saved && at != 0) saved = store.LatestInventory(account, 0);  // taken after the incident: still useful
    if (!saved) continue;
    json inventory = json::parse(saved->data, nullptr, false);
    json resources = ResourceContext(inventory, incident.resources, incident.actors);
    if (resources.empty()) continue;
    return {{"inventory", saved->id},
            {"taken_ms", saved->taken_ms},
            {"taken", FormatIsoTime(saved->taken_ms)},
            {"resources", std::move(resources)}};
  }
  return nullptr;
}

}  // namespace cloudward::analyze
