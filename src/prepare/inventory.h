// The architecture inventory: the resources of an AccountSnapshot as a graph of nodes and edges
// (what is in what, what is attached to what, what routes where) plus the derived edges "the
// internet can reach X on port P", from a public address, a route to an internet gateway, the
// security groups and the subnet's network ACL. Exported as JSON and as Graphviz DOT.
//
//   Inventory inv = BuildInventory(snapshot);
//   std::string dot = InventoryToDot(inv);           // `dot -Tsvg` renders it
//   for (const auto& e : inv.edges) if (e.kind == "reaches") ...;
//
// Node ids are the AWS ids or ARNs (the internet is "internet"). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prepare/snapshot.h"

namespace cloudward::prepare {

struct InventoryNode {
  std::string id;
  std::string type;    // vpc, subnet, route-table, internet-gateway, nat-gateway, security-group,
                       // network-acl, instance, network-interface, elastic-ip, role, instance-profile,
                       // bucket, db-instance, dynamodb-table, lambda-function, load-balancer, internet
  std::string name;    // Name tag or the resource's name
  std::string region;  // "global" for IAM and S3
  std::string vpc_id;  // for drawing; "" outside a VPC
  nlohmann::json attributes = nlohmann::json::object();
};

struct InventoryEdge {
  std::string from;
  std::string to;
  std::string kind;   // in, attached-to, uses, routes-to, member-of, filters, profile, assumes,
                      // address-of, interface-of, targets, reaches
  std::string label;  // "tcp/22" for reaches; "0.0.0.0/0" for routes-to
};

struct Inventory {
  std::string account_id;
  int64_t taken_ms = 0;
  std::vector<std::string> regions;
  std::vector<InventoryNode> nodes;
  std::vector<InventoryEdge> edges;
  std::vector<Gap> gaps;
};

Inventory BuildInventory(const AccountSnapshot& snapshot);
// Several accounts in one graph: nodes (tagged with their account) and edges of every part, the
// internet node shared; account_id lists the accounts.
Inventory MergeInventories(const std::vector<Inventory>& parts);

// The route table a subnet uses: its explicit association, else the VPC's main table.
const aws::ec2::RouteTable* RouteTableOf(const RegionSnapshot& region, const aws::ec2::Subnet& subnet);
// The network ACL of a subnet: its association, else the VPC's default ACL.
const aws::ec2::NetworkAclRules* NetworkAclOf(const RegionSnapshot& region, const std::string& subnet_id,
                                              const std::string& vpc_id);
// The internet gateway a route table sends 0.0.0.0/0 (or ::/0) to, or "".
std::string DefaultRouteToInternet(const aws::ec2::RouteTable& table);

nlohmann::json InventoryToJson(const Inventory& inventory);
std::string InventoryToDot(const Inventory& inventory);

}  // namespace cloudward::prepare
