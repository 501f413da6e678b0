#include "prepare/inventory.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/time.h"
#include "prepare/rules.h"

namespace cloudward::prepare {

using nlohmann::json;

const aws::ec2::RouteTable* RouteTableOf(const RegionSnapshot& region, const aws::ec2::Subnet& subnet) {
  const aws::ec2::RouteTable* main = nullptr;
  for (const auto& t : region.route_tables) {
    if (std::find(t.subnet_ids.begin(), t.subnet_ids.end(), subnet.subnet_id) != t.subnet_ids.end()) return &t;
    if (t.main && t.vpc_id == subnet.vpc_id) main = &t;
  }
  return main;
}

const aws::ec2::NetworkAclRules* NetworkAclOf(const RegionSnapshot& region, const std::string& subnet_id,
                                              const std::string& vpc_id) {
  const aws::ec2::NetworkAclRules* fallback = nullptr;
  for (const auto& a : region.network_acls) {
    if (std::find(a.subnet_ids.begin(), a.subnet_ids.end(), subnet_id) != a.subnet_ids.end()) return &a;
    if (a.is_default && a.vpc_id == vpc_id) fallback = &a;
  }
  return fallback;
}

std::string DefaultRouteToInternet(const aws::ec2::RouteTable& table) {
  for (const auto& r : table.routes) {
    if ((r.destination == "0.0.0.0/0" || r.destination == "::/0") && r.target.starts_with("igw-") &&
        (r.state.empty() || r.state == "active")) {
      return r.target;
    }
  }
  return {};
}

namespace {

std::string NameTag(const aws::Tags& tags, const std::string& fallback) {
  auto name = TagValue(tags, "Name");
  return name && !name->empty() ? *name : fallback;
}

class Builder {
 public:
  explicit Builder(Inventory* inv) : inv_(inv) {}

  void Node(std::string id, std::string type, std::string name, std::string region, std::string vpc, json attrs = json::object()) {
    if (id.empty() || !ids_.insert(id).second) return;
    inv_->nodes.push_back({std::move(id), std::move(type), std::move(name), std::move(region), std::move(vpc), std::move(attrs)});
  }
  void Edge(const std::string& from, const std::string& to, std::string kind, std::string label = "") {
    if (from.empty() || to.empty()) return;
    std::string key = from + "\n" + to + "\n" + kind + "\n" + label;
    if (!edge_keys_.insert(key).second) return;
    inv_->edges.push_back({from, to, std::move(kind), std::move(label)});
  }
  bool Has(const std::string& id) const { return ids_.count(id) != 0; }

 private:
  Inventory* inv_;
  std::set<std::string> ids_;
  std::set<std::string> edge_keys_;
};

std::string PortLabel(int from, int to) {
  return from == to ? fmt::format("tcp/{}", from) : fmt::format("tcp/{}-{}", from, to);
}

// The "reaches" labels for a resource behind `groups` in `subnet_id`: the world-open TCP ranges of
// its security groups that the subnet's network ACL also admits.
std::vector<std::string> ReachLabels(const RegionSnapshot& r, const std::map<std::string, const aws::ec2::SecurityGroupRules*>& sgs,
                                     const std::vector<std::string>& groups, const std::string& subnet_id,
                                     const std::string& vpc_id, const std::vector<int>& only_ports = {}) {
  std::vector<aws::ec2::IpPermission> ingress;
  for (const auto& g : groups) {
    if (auto it = sgs.find(g); it != sgs.end()) ingress.insert(ingress.end(), it->second->ingress.begin(), it->second->ingress.end());
  }
  const aws::ec2::NetworkAclRules* acl = NetworkAclOf(r, subnet_id, vpc_id);
  std::vector<std::string> labels;
  for (auto [from, to] : WorldIngressRanges(ingress)) {
    std::vector<int> candidates;
    if (!only_ports.empty()) {
      for (int p : only_ports) {
        if (from <= p && p <= to) candidates.push_back(p);
      }
    } else if (to - from <= 32) {
      for (int p = from; p <= to; ++p) candidates.push_back(p);
    } else {
      candidates.push_back(from);
      for (int p : {22, 80, 443, 3389}) {
        if (from < p && p <= to) candidates.push_back(p);
      }
      candidates.push_back(to);
    }
    std::vector<int> admitted = acl ? AclOpenPorts(*acl, candidates) : candidates;
    if (only_ports.empty() && admitted.size() == candidates.size() && !candidates.empty()) {
      labels.push_back(PortLabel(from, to));
    } else {
      for (int p : admitted) labels.push_back(PortLabel(p, p));
    }
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return labels;
}

}  // namespace

Inventory BuildInventory(const AccountSnapshot& snap) {
  Inventory inv;
  inv.account_id = snap.account_id;
  inv.taken_ms = snap.taken_ms;
  inv.gaps = snap.gaps;
  Builder b(&inv);

  std::map<std::string, std::string> profile_by_arn;  // instance profile ARN -> node id
  for (const auto& role : snap.roles) {
    b.Node(role.arn, "role", role.role_name, "global", "",
           {{"InlinePolicies", role.inline_policies.size()}, {"AttachedPolicies", role.attached_policy_arns}});
    for (const auto& p : role.instance_profiles) {
      b.Node(p.arn, "instance-profile", p.name, "global", "");
      b.Edge(p.arn, role.arn, "assumes");
    }
  }
  for (const auto& bucket : snap.buckets) {
    b.Node(bucket.Arn(), "bucket", bucket.name, bucket.region, "",
           {{"Versioning", bucket.versioning.status}, {"Encryption", bucket.encryption},
            {"PublicPolicy", BucketPolicyExposure(bucket.policy, snap.account_id).is_public}});
  }

  bool internet = false;
  for (const auto& r : snap.regions) {
    inv.regions.push_back(r.region);
    const std::string& region = r.region;
    std::map<std::string, const aws::ec2::SecurityGroupRules*> sgs;
    for (const auto& g : r.security_groups) sgs[g.group_id] = &g;
    std::map<std::string, const aws::ec2::Subnet*> subnets;
    for (const auto& s : r.subnets) subnets[s.subnet_id] = &s;

    for (const auto& v : r.vpcs) {
      b.Node(v.vpc_id, "vpc", NameTag(v.tags, v.vpc_id), region, v.vpc_id, {{"CidrBlock", v.cidr}, {"IsDefault", v.is_default}});
    }
    for (const auto& s : r.subnets) {
      b.Node(s.subnet_id, "subnet", NameTag(s.tags, s.subnet_id), region, s.vpc_id,
             {{"CidrBlock", s.cidr}, {"AvailabilityZone", s.availability_zone}, {"MapPublicIpOnLaunch", s.map_public_ip_on_launch}});
      b.Edge(s.subnet_id, s.vpc_id, "in");
      if (const auto* t = RouteTableOf(r, s)) b.Edge(s.subnet_id, t->route_table_id, "uses");
    }
    for (const auto& g : r.internet_gateways) {
      b.Node(g.internet_gateway_id, "internet-gateway", g.internet_gateway_id, region, g.vpc_ids.empty() ? "" : g.vpc_ids.front());
      for (const auto& v : g.vpc_ids) b.Edge(g.internet_gateway_id, v, "attached-to");
    }
    for (const auto& n : r.nat_gateways) {
      if (n.state == "deleted") continue;
      b.Node(n.nat_gateway_id, "nat-gateway", n.nat_gateway_id, region, n.vpc_id, {{"PublicIp", n.public_ip}, {"State", n.state}});
      b.Edge(n.nat_gateway_id, n.subnet_id, "in");
    }
    for (const auto& t : r.route_tables) {
      json routes = json::array();
      for (const auto& rt : t.routes) routes.push_back({{"Destination", rt.destination}, {"Target", rt.target}, {"State", rt.state}});
      b.Node(t.route_table_id, "route-table", NameTag(t.tags, t.route_table_id), region, t.vpc_id,
             {{"Main", t.main}, {"Routes", routes}});
      b.Edge(t.route_table_id, t.vpc_id, "in");
      for (const auto& rt : t.routes) {
        if (rt.target.starts_with("igw-") || rt.target.starts_with("nat-")) b.Edge(t.route_table_id, rt.target, "routes-to", rt.destination);
      }
    }
    for (const auto& g : r.security_groups) {
      b.Node(g.group_id, "security-group", g.group_name, region, g.vpc_id,
             {{"Inbound", g.ingress.size()}, {"Outbound", g.egress.size()}, {"OpenAdminPorts", OpenAdminPorts(g.ingress)}});
      b.Edge(g.group_id, g.vpc_id, "in");
    }
    for (const auto& a : r.network_acls) {
      b.Node(a.network_acl_id, "network-acl", a.network_acl_id, region, a.vpc_id, {{"IsDefault", a.is_default}, {"Entries", a.entries.size()}});
      b.Edge(a.network_acl_id, a.vpc_id, "in");
      for (const auto& s : a.subnet_ids) b.Edge(a.network_acl_id, s, "filters");
    }

    std::map<std::string, std::string> eip_by_instance;
    for (const auto& i : r.instances) {
      if (i.state == "terminated") continue;
      b.Node(i.instance_id, "instance", NameTag(i.tags, i.instance_id), region, i.vpc_id,
             {{"State", i.state}, {"InstanceType", i.instance_type}, {"PrivateIp", i.private_ip}, {"PublicIp", i.public_ip},
              {"HttpTokens", i.http_tokens}});
      b.Edge(i.instance_id, i.subnet_id, "in");
      for (const auto& g : i.security_group_ids) b.Edge(i.instance_id, g, "member-of");
      if (!i.instance_profile_arn.empty()) {
        b.Node(i.instance_profile_arn, "instance-profile", i.instance_profile_arn.substr(i.instance_profile_arn.rfind('/') + 1),
               "global", "");
        b.Edge(i.instance_id, i.instance_profile_arn, "profile");
      }
    }
    for (const auto& e : r.network_interfaces) {
      b.Node(e.network_interface_id, "network-interface", e.network_interface_id, region, e.vpc_id,
             {{"PrivateIp", e.private_ip}, {"PublicIp", e.public_ip}, {"InterfaceType", e.interface_type}});
      if (!e.instance_id.empty()) b.Edge(e.network_interface_id, e.instance_id, "interface-of");
      b.Edge(e.network_interface_id, e.subnet_id, "in");
    }
    for (const auto& a : r.addresses) {
      std::string id = a.allocation_id.empty() ? a.public_ip : a.allocation_id;
      b.Node(id, "elastic-ip", a.public_ip, region, "", {{"PublicIp", a.public_ip}});
      if (!a.instance_id.empty()) {
        b.Edge(id, a.instance_id, "address-of");
        eip_by_instance[a.instance_id] = a.public_ip;
      } else if (!a.network_interface_id.empty()) {
        b.Edge(id, a.network_interface_id, "address-of");
      }
    }
    for (const auto& d : r.databases) {
      std::string id = d.arn.empty() ? d.id : d.arn;
      b.Node(id, "db-instance", d.id, region, d.vpc_id,
             {{"Engine", d.engine}, {"PubliclyAccessible", d.publicly_accessible}, {"StorageEncrypted", d.storage_encrypted}});
      if (!d.vpc_id.empty()) b.Edge(id, d.vpc_id, "in");
      for (const auto& g : d.security_group_ids) b.Edge(id, g, "member-of");
    }
    for (const auto& t : r.tables) {
      b.Node(t.arn.empty() ? t.name : t.arn, "dynamodb-table", t.name, region, "",
             {{"PointInTimeRecovery", t.pitr ? json(*t.pitr) : json(nullptr)}});
    }
    for (const auto& f : r.functions) {
      b.Node(f.function.arn, "lambda-function", f.function.name, region, f.function.vpc_id,
             {{"Runtime", f.function.runtime}, {"FunctionUrlAuthType", f.url_auth}});
      for (const auto& s : f.function.subnet_ids) b.Edge(f.function.arn, s, "in");
      for (const auto& g : f.function.security_group_ids) b.Edge(f.function.arn, g, "member-of");
      if (!f.function.role.empty() && b.Has(f.function.role)) b.Edge(f.function.arn, f.function.role, "assumes");
      if (f.url_auth == "NONE") {
        internet = true;
        b.Edge("internet", f.function.arn, "reaches", "https (function URL, no auth)");
      }
    }
    for (const auto& lb : r.load_balancers) {
      json listeners = json::array();
      std::vector<int> ports;
      for (const auto& l : lb.listeners) {
        listeners.push_back({{"Protocol", l.protocol}, {"Port", l.port}});
        ports.push_back(l.port);
      }
      b.Node(lb.lb.arn, "load-balancer", lb.lb.name, region, lb.lb.vpc_id,
             {{"Scheme", lb.lb.scheme}, {"Type", lb.lb.type}, {"DNSName", lb.lb.dns_name}, {"Listeners", listeners}});
      if (!lb.lb.vpc_id.empty()) b.Edge(lb.lb.arn, lb.lb.vpc_id, "in");
      for (const auto& g : lb.lb.security_group_ids) b.Edge(lb.lb.arn, g, "member-of");
      for (const auto& t : lb.targets) b.Edge(lb.lb.arn, t, "targets");
      if (lb.lb.scheme == "internet-facing" && !ports.empty()) {
        std::vector<std::string> labels;
        if (lb.lb.type == "network" && lb.lb.security_group_ids.empty()) {
          for (int p : ports) labels.push_back(PortLabel(p, p));
        } else {
          std::string subnet = lb.lb.subnet_ids.empty() ? "" : lb.lb.subnet_ids.front();
          labels = ReachLabels(r, sgs, lb.lb.security_group_ids, subnet, lb.lb.vpc_id, ports);
        }
        for (const auto& l : labels) {
          internet = true;
          b.Edge("internet", lb.lb.arn, "reaches", l);
        }
      }
    }

    // The internet reaches an instance with a public address in a subnet routed to an internet
    // gateway, on the ports its security groups and the subnet's network ACL both admit.
    for (const auto& i : r.instances) {
      if (i.state != "running" && i.state != "pending") continue;
      std::string public_ip = i.public_ip;
      if (auto it = eip_by_instance.find(i.instance_id); public_ip.empty() && it != eip_by_instance.end()) public_ip = it->second;
      if (public_ip.empty()) continue;
      auto s = subnets.find(i.subnet_id);
      if (s == subnets.end()) continue;
      const aws::ec2::RouteTable* table = RouteTableOf(r, *s->second);
      if (table == nullptr || DefaultRouteToInternet(*table).empty()) continue;
      for (const auto& label : ReachLabels(r, sgs, i.security_group_ids, i.subnet_id, i.vpc_id)) {
        internet = true;
        b.Edge("internet", i.instance_id, "reaches", label);
      }
    }
  }
  if (internet) b.Node("internet", "internet", "internet", "global", "");
  return inv;
}

Inventory MergeInventories(const std::vector<Inventory>& parts) {
  if (parts.size() == 1) return parts.front();
  Inventory out;
  std::set<std::string> ids, edges, regions;
  for (const auto& part : parts) {
    out.account_id += (out.account_id.empty() ? "" : ",") + part.account_id;
    out.taken_ms = std::max(out.taken_ms, part.taken_ms);
    regions.insert(part.regions.begin(), part.regions.end());
    for (const auto& n : part.nodes) {
      if (!ids.insert(n.id).second) continue;
      InventoryNode node = n;
      if (n.type != "internet") node.attributes["Account"] = part.account_id;
      out.nodes.push_back(std::move(node));
    }
    for (const auto& e : part.edges) {
      if (edges.insert(e.from + "\n" + e.to + "\n" + e.kind + "\n" + e.label).second) out.edges.push_back(e);
    }
    out.gaps.insert(out.gaps.end(), part.gaps.begin(), part.gaps.end());
  }
  out.regions.assign(regions.begin(), regions.end());
  return out;
}

json InventoryToJson(const Inventory& inv) {
  json nodes = json::array();
  std::map<std::string, int> counts;
  for (const auto& n : inv.nodes) {
    ++counts[n.type];
    json node = {{"id", n.id}, {"type", n.type}, {"name", n.name}, {"region", n.region}, {"attributes", n.attributes}};
    if (!n.vpc_id.empty()) node["vpc"] = n.vpc_id;
    nodes.push_back(std::move(node));
  }
  json edges = json::array();
  for (const auto& e : inv.edges) {
    json edge = {{"from", e.from}, {"to", e.to}, {"kind", e.kind}};
    if (!e.label.empty()) edge["label"] = e.label;
    edges.push_back(std::move(edge));
  }
  json gaps = json::array();
  for (const auto& g : inv.gaps) gaps.push_back({{"region", g.region}, {"section", g.section}, {"error", g.error}});
  return {{"account", inv.account_id}, {"taken", FormatIsoTime(inv.taken_ms)}, {"regions", inv.regions},
          {"summary", counts},         {"nodes", nodes},                        {"edges", edges},
          {"gaps", gaps}};
}

namespace {
std::string DotString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

const char* Shape(const std::string& type) {
  if (type == "internet") return "doublecircle";
  if (type == "instance" || type == "db-instance" || type == "lambda-function") return "box3d";
  if (type == "bucket" || type == "dynamodb-table") return "cylinder";
  if (type == "security-group" || type == "network-acl") return "octagon";
  if (type == "role" || type == "instance-profile") return "component";
  if (type == "internet-gateway" || type == "nat-gateway" || type == "load-balancer") return "cds";
  return "box";
}
}  // namespace

std::string InventoryToDot(const Inventory& inv) {
  std::string out = "digraph cloudward_inventory {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#888888\"];\n";
  out += "  label=" + DotString("cloudward inventory of " + inv.account_id + " " + FormatIsoTime(inv.taken_ms)) + ";\n";
  std::map<std::string, std::vector<const InventoryNode*>> by_vpc;
  for (const auto& n : inv.nodes) by_vpc[n.type == "vpc" ? n.id : n.vpc_id].push_back(&n);
  int cluster = 0;
  for (const auto& [vpc, nodes] : by_vpc) {
    std::string indent = "  ";
    if (!vpc.empty()) {
      out += fmt::format("  subgraph cluster_{} {{\n    label={};\n    style=rounded;\n", cluster++, DotString(vpc));
      indent = "    ";
    }
    for (const InventoryNode* n : nodes) {
      std::string label = n->type + "\n" + n->name;
      if (n->name != n->id && n->type != "role" && n->type != "instance-profile" && n->type != "bucket") label += "\n" + n->id;
      std::string color = n->type == "internet" ? ", color=red, fontcolor=red" : "";
      out += indent + DotString(n->id) + " [label=" + DotString(label) + ", shape=" + Shape(n->type) + color + "];\n";
    }
    if (!vpc.empty()) out += "  }\n";
  }
  for (const auto& e : inv.edges) {
    std::string attrs = e.kind == "reaches" ? "color=red, fontcolor=red, penwidth=2" : "style=solid";
    std::string label = e.kind == "reaches" ? e.label : (e.label.empty() ? e.kind : e.kind + " " + e.label);
    out += "  " + DotString(e.from) + " -> " + DotString(e.to) + " [label=" + DotString(label) + ", " + attrs + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace cloudward::prepare
