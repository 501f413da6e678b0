#include "analyze/resource_context.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace cloudward::analyze {
namespace {

using nlohmann::json;

// The shape prepare::InventoryToJson writes: a web instance behind an interface, running as role
// "web" through a profile, reached from the internet on tcp/22 and tcp/443 (the latter through its
// interface); a function running as the same role; a bucket; a role with a path.
json Inventory() {
  return json::parse(R"({
    "account": "111122223333",
    "nodes": [
      {"id": "internet", "type": "internet", "name": "internet", "region": "global"},
      {"id": "vpc-1", "type": "vpc", "name": "prod", "region": "us-east-1", "vpc": "vpc-1"},
      {"id": "i-0abc", "type": "instance", "name": "web-1", "region": "us-east-1", "vpc": "vpc-1"},
      {"id": "eni-1", "type": "network-interface", "name": "eni-1", "region": "us-east-1", "vpc": "vpc-1"},
      {"id": "arn:aws:iam::111122223333:instance-profile/web", "type": "instance-profile", "name": "web", "region": "global"},
      {"id": "arn:aws:iam::111122223333:role/web", "type": "role", "name": "web", "region": "global"},
      {"id": "arn:aws:iam::111122223333:role/service/ops", "type": "role", "name": "ops", "region": "global"},
      {"id": "arn:aws:lambda:us-east-1:111122223333:function:thumbs", "type": "lambda-function", "name": "thumbs",
       "region": "us-east-1"},
      {"id": "arn:aws:s3:::media-prod", "type": "bucket", "name": "media-prod", "region": "us-east-1"},
      {"id": "sg-9", "type": "security-group", "name": "web-sg", "region": "us-east-1", "vpc": "vpc-1"}
    ],
    "edges": [
      {"from": "i-0abc", "to": "vpc-1", "kind": "in"},
      {"from": "eni-1", "to": "i-0abc", "kind": "interface-of"},
      {"from": "i-0abc", "to": "arn:aws:iam::111122223333:instance-profile/web", "kind": "profile"},
      {"from": "arn:aws:iam::111122223333:instance-profile/web", "to": "arn:aws:iam::111122223333:role/web", "kind": "assumes"},
      {"from": "arn:aws:lambda:us-east-1:111122223333:function:thumbs", "to": "arn:aws:iam::111122223333:role/web", "kind": "assumes"},
      {"from": "internet", "to": "i-0abc", "kind": "reaches", "label": "tcp/22"},
      {"from": "internet", "to": "eni-1", "kind": "reaches", "label": "tcp/443"},
      {"from": "internet", "to": "i-0abc", "kind": "reaches", "label": "tcp/22"}
    ]})");
}

TEST(ResourceContextTest, InstanceByIdAndArnWithExposureAndRole) {
  json context = ResourceContext(Inventory(), {"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", "i-0abc"}, {});
  ASSERT_EQ(context.size(), 1u);  // the same instance named twice is described once
  const json& web = context[0];
  EXPECT_EQ(web["ref"], "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc");
  EXPECT_EQ(web["type"], "instance");
  EXPECT_EQ(web["name"], "web-1");
  EXPECT_EQ(web["vpc"], "vpc-1");
  EXPECT_EQ(web["internet_reaches"], json::array({"tcp/22", "tcp/443"}));
  EXPECT_EQ(web["runs_as"], json::array({"arn:aws:iam::111122223333:role/web"}));
  EXPECT_TRUE(web["run_by"].empty());
}

TEST(ResourceContextTest, OneLineForPeople) {
  json context = ResourceContext(Inventory(), {"i-0abc", "sg-9"}, {"arn:aws:sts::111122223333:assumed-role/web/x"});
  ASSERT_EQ(context.size(), 3u);
  EXPECT_EQ(DescribeContextEntry(context[0]),
            "i-0abc instance web-1 (us-east-1, vpc-1): internet reaches tcp/22, tcp/443; runs as "
            "arn:aws:iam::111122223333:role/web");
  EXPECT_EQ(DescribeContextEntry(context[1]), "sg-9 security-group web-sg (us-east-1, vpc-1)");
  EXPECT_EQ(DescribeContextEntry(context[2]),
            "arn:aws:iam::111122223333:role/web role web (global): used by i-0abc, "
            "arn:aws:lambda:us-east-1:111122223333:function:thumbs");
  EXPECT_EQ(DescribeContextEntry(json::array()), " ");  // malformed: no crash
}

TEST(ResourceContextTest, SessionActorLeadsToTheWorkloadsRunningAsItsRole) {
  json context = ResourceContext(Inventory(), {}, {"arn:aws:sts::111122223333:assumed-role/web/i-0abc"});
  ASSERT_EQ(context.size(), 1u);
  EXPECT_EQ(context[0]["id"], "arn:aws:iam::111122223333:role/web");
  EXPECT_EQ(context[0]["run_by"],
            json::array({"i-0abc", "arn:aws:lambda:us-east-1:111122223333:function:thumbs"}));
}

TEST(ResourceContextTest, BucketsFunctionsAndRolesByArnOrName) {
  json context = ResourceContext(Inventory(),
                                 {"arn:aws:s3:::media-prod/uploads/a.jpg", "thumbs", "sg-9",
                                  "arn:aws:lambda:us-east-1:111122223333:function:thumbs:PROD"},
                                 {"arn:aws:iam::111122223333:role/service/ops"});
  ASSERT_EQ(context.size(), 4u);
  EXPECT_EQ(context[0]["type"], "bucket");
  EXPECT_EQ(context[1]["type"], "lambda-function");
  EXPECT_EQ(context[1]["runs_as"], json::array({"arn:aws:iam::111122223333:role/web"}));
  EXPECT_EQ(context[2]["type"], "security-group");
  EXPECT_EQ(context[3]["name"], "ops");
}

TEST(ResourceContextTest, UnknownReferencesAndMalformedInventoriesGiveNothing) {
  EXPECT_TRUE(ResourceContext(Inventory(), {"i-0nothere", "arn:aws:ec2:us-east-1:1:instance/i-0nothere", "internet"},
                              {"arn:aws:iam::111122223333:user/alice"})
                  .empty());
  EXPECT_TRUE(ResourceContext(json::array({1, 2}), {"i-0abc"}, {}).empty());
  EXPECT_TRUE(ResourceContext(json::parse(R"({"nodes": 3, "edges": {}})"), {"i-0abc"}, {}).empty());
  EXPECT_TRUE(ResourceContext(json::parse(R"({"nodes": [null, {"id": 5}, {"id": "i-0abc", "type": "instance"}],
                                              "edges": [7, {"from": "internet"}]})"),
                              {"i-0abc"}, {})
                  .size() == 1);
}

TEST(ResourceContextTest, IncidentContextUsesTheStoredInventoryOfTheIncidentsAccount) {
  char dir[] = "/tmp/cw_context_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  {
    auto store = store::OpenStore(std::string("sqlite://") + dir + "/cw.db");
    ASSERT_TRUE(store) << store.error().message;
    store::Incident incident{.id = "INC-1", .title = "x"};
    incident.accounts = {"111122223333"};
    incident.resources = {"i-0abc"};
    incident.last_seen_ms = 1'700'000'000'000;
    EXPECT_TRUE(IncidentContext(**store, incident).is_null());  // nothing saved yet

    ASSERT_TRUE((*store)->SaveInventory({"INV-other", "999999999999", 1'600'000'000'000, Inventory().dump()}));
    EXPECT_TRUE(IncidentContext(**store, incident).is_null());  // another account's inventory is not used

    ASSERT_TRUE((*store)->SaveInventory({"INV-later", "111122223333", 1'800'000'000'000, Inventory().dump()}));
    json later = IncidentContext(**store, incident);
    ASSERT_FALSE(later.is_null());
    EXPECT_EQ(later["inventory"], "INV-later");  // only one taken after the incident: still used

    ASSERT_TRUE((*store)->SaveInventory({"INV-before", "111122223333", 1'650'000'000'000, Inventory().dump()}));
    json before = IncidentContext(**store, incident);
    EXPECT_EQ(before["inventory"], "INV-before");  // the architecture as it was during the incident
    EXPECT_EQ(before["resources"][0]["internet_reaches"], json::array({"tcp/22", "tcp/443"}));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cloudward::analyze
