#include "analyze/report.h"

#include <gtest/gtest.h>

namespace cloudward::analyze {
namespace {

ReportData Sample() {
  ReportData d;
  store::Incident& inc = d.incident;
  inc.id = "INC-00000000aa";
  inc.title = "Access key <AKIA> used from 203.0.113.9";
  inc.severity = Level::kHigh;
  inc.status = store::IncidentStatus::kContained;
  inc.first_seen_ms = 1'700'000'000'000;
  inc.last_seen_ms = 1'700'000'600'000;
  inc.finding_count = 2;
  inc.accounts = {"111122223333"};
  inc.tactics = {"persistence", "exfiltration"};
  inc.techniques = {"T1098.001"};
  inc.resources = {"arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::payroll", "i-0abc", "AKIAEXAMPLE"};
  inc.rules = {{"r1", "Access Key Created", Level::kHigh, 1}, {"r2", "Bucket | Read", Level::kMedium, 1}};
  for (int i = 0; i < 2; ++i) {
    store::StoredFinding f;
    f.key = "k" + std::to_string(i);
    f.finding.rule = {i ? "r2" : "r1", inc.rules[i].title, inc.rules[i].level, {}};
    f.finding.context.time_ms = inc.first_seen_ms + (1 - i) * 1000;  // out of order on purpose
    f.finding.record = R"({"eventName":"<img src=x onerror=alert(1)>"})";
    d.findings.push_back(f);
  }
  return d;
}

TEST(Report, HtmlEscapesEverythingFromLogs) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x">'&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  std::string html = RenderHtml(Sample(), {.generated_ms = 1'700'001'000'000});
  EXPECT_EQ(html.find("<img"), std::string::npos) << "record text must be escaped";
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("Access key &lt;AKIA&gt;"), std::string::npos);
  EXPECT_LT(html.find("Bucket | Read</td>"), html.find("Access Key Created</td><td><code>")) << "findings in time order";
}

TEST(Report, MarkdownEscapesTableCells) {
  std::string md = RenderMarkdown(Sample(), {});
  EXPECT_NE(md.find("Bucket \\| Read"), std::string::npos);
}

TEST(Report, ResourceContextFromTheInventoryIsShownEscaped) {
  ReportData d = Sample();
  EXPECT_EQ(RenderHtml(d, {}).find("Resource context"), std::string::npos) << "no inventory, no section";
  d.context = nlohmann::json::parse(R"({"inventory": "INV-1", "taken": "2026-11-20T09:00:00Z", "resources": [
      {"id": "i-0abc", "type": "instance", "name": "<b>web</b>", "region": "us-east-1", "vpc": "vpc-1",
       "internet_reaches": ["tcp/22"], "runs_as": ["arn:aws:iam::111122223333:role/web"], "run_by": []}]})");
  std::string html = RenderHtml(d, {});
  EXPECT_NE(html.find("<h2>Resource context</h2>"), std::string::npos);
  EXPECT_NE(html.find("From inventory INV-1 taken 2026-11-20T09:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("i-0abc instance &lt;b&gt;web&lt;/b&gt; (us-east-1, vpc-1): internet reaches tcp/22; runs as "
                      "arn:aws:iam::111122223333:role/web"),
            std::string::npos);
  std::string md = RenderMarkdown(d, {});
  EXPECT_NE(md.find("## Resource context"), std::string::npos);
  EXPECT_NE(md.find("internet reaches tcp/22"), std::string::npos);
}

TEST(Report, OcsfIncidentFinding) {
  auto j = IncidentToOcsf(Sample(), 1'700'001'000'000);
  EXPECT_EQ(j["class_uid"], 2005);
  EXPECT_EQ(j["type_uid"], 200501);
  EXPECT_EQ(j["severity_id"], 4);
  EXPECT_EQ(j["status_id"], 2) << "contained is in progress";
  EXPECT_EQ(j["finding_info_list"].size(), 2u);
  EXPECT_EQ(j["finding_info_list"][0]["uid"], "k1") << "time order";
  EXPECT_EQ(j["start_time"], 1'700'000'000'000);
}

TEST(Report, AsffMapsTypesResourcesAndWorkflow) {
  auto j = IncidentToAsff(Sample(), "eu-west-1", "", 1'700'001'000'000);
  EXPECT_EQ(j["AwsAccountId"], "111122223333");
  EXPECT_EQ(j["ProductArn"], "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default");
  EXPECT_EQ(j["Types"], nlohmann::json({"TTPs/Persistence", "Effects/Data Exfiltration"}));
  EXPECT_EQ(j["Severity"]["Label"], "HIGH");
  EXPECT_EQ(j["Workflow"]["Status"], "NOTIFIED");
  ASSERT_EQ(j["Resources"].size(), 4u);
  EXPECT_EQ(j["Resources"][0]["Type"], "AwsIamUser");
  EXPECT_EQ(j["Resources"][1]["Type"], "AwsS3Bucket");
  EXPECT_EQ(j["Resources"][2]["Type"], "AwsEc2Instance");
  EXPECT_EQ(j["Resources"][3]["Type"], "AwsIamAccessKey");
  EXPECT_EQ(j["FirstObservedAt"], "2023-11-14T22:13:20Z");
}

}  // namespace
}  // namespace cloudward::analyze
