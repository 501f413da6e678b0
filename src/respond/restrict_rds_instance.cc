// restrict-rds-instance: takes an RDS DB instance off the internet (PubliclyAccessible=false,
// applied immediately) after an evidence snapshot tagged with the incident. Prior state: the
// PubliclyAccessible flag. Rollback makes it publicly accessible again unless someone changed it
// since; the snapshot is evidence and is kept.
#include <algorithm>
#include <cctype>

#include "aws/services.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

// RDS identifiers: 1-63 letters, digits and hyphens, starting with a letter, without "--" or a
// trailing hyphen.
bool ValidDbInstanceId(std::string_view id) {
  if (id.empty() || id.size() > 63 || !std::isalpha(static_cast<unsigned char>(id.front())) || id.back() == '-') {
    return false;
  }
  if (id.find("--") != std::string_view::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

// "cloudward-inc-00000000a1-db1": an RDS snapshot identifier for this incident and instance.
std::string EvidenceSnapshotId(const std::string& incident, const std::string& instance) {
  std::string out = "cloudward-";
  for (char c : incident + "-" + instance) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool keep = std::isalnum(static_cast<unsigned char>(l));
    if (keep) {
      out += l;
    } else if (out.back() != '-') {
      out += '-';
    }
  }
  while (out.back() == '-') out.pop_back();
  return out.substr(0, 255);
}

// `gone` is the code for a missing instance (kNotFound when planning, kConflict when rolling back).
Result<aws::rds::DbInstanceAccess> ReadDbInstance(aws::AwsClient& aws, const std::string& id, ErrorCode gone) {
  auto db = aws::rds::DescribeDbInstance(aws, id);
  if (!db && db.error().code == ErrorCode::kNotFound) return Fail(gone, "no RDS DB instance " + id);
  if (!db) return Fail(db.error().code, "cannot read DB instance " + id + ": " + db.error().Describe());
  if (db->status == "deleting") return Fail(gone, "DB instance " + id + " is being deleted");
  return std::move(*db);
}

class RestrictRdsInstanceAction final : public Action {
 public:
  std::string_view Kind() const override { return "restrict-rds-instance"; }
  std::string_view Description() const override {
    return "Snapshot an RDS DB instance as evidence, then make it not publicly accessible";
  }
  std::string_view TargetName() const override { return "DB instance identifier"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& id = request.target;
    if (!ValidDbInstanceId(id)) {
      return Fail(ErrorCode::kInvalidArgument, "'" + id + "' is not an RDS DB instance identifier");
    }
    if (request.incident_id.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "restrict-rds-instance needs an incident (its snapshot is tagged with it)");
    }
    auto db = ReadDbInstance(aws, id, ErrorCode::kNotFound);
    if (!db) return tl::unexpected(db.error());
    const std::string snapshot = EvidenceSnapshotId(request.incident_id, id);
    auto existing = aws::rds::DescribeDbSnapshotStatus(aws, snapshot);
    if (!existing && existing.error().code != ErrorCode::kNotFound) {
      return Fail(existing.error().code, "cannot look up snapshot " + snapshot + ": " + existing.error().Describe());
    }
    Plan plan{.kind = std::string(Kind()), .target = id, .incident_id = request.incident_id};
    plan.prior_state = {{"db_instance_id", id}, {"publicly_accessible", db->publicly_accessible},
                        {"evidence_snapshot", existing ? json(snapshot) : json(nullptr)}};
    if (!db->publicly_accessible) {
      plan.summary = "DB instance " + id + " is already not publicly accessible; nothing to do";
      return plan;
    }
    if (!existing) {
      plan.calls.push_back({"rds:CreateDBSnapshot",
                            {{"DBInstanceIdentifier", id}, {"DBSnapshotIdentifier", snapshot},
                             {"Tags", {{std::string(kIncidentTag), request.incident_id}, {"cloudward:db-instance", id}}}},
                            "new snapshot " + snapshot + " of " + id + " tagged " + std::string(kIncidentTag) + "=" +
                                request.incident_id,
                            "snapshot"});
    }
    plan.calls.push_back({"rds:ModifyDBInstance",
                          {{"DBInstanceIdentifier", id}, {"PubliclyAccessible", false}, {"ApplyImmediately", true}},
                          "DB instance " + id + ": PubliclyAccessible true -> false (applied immediately)", ""});
    plan.summary = "snapshot DB instance " + id + " and take it off the internet";
    plan.notes.push_back("its endpoint resolves to a private address within minutes; clients outside the VPC lose "
                         "access, connections already open may persist until they close");
    plan.notes.push_back("database users and passwords are unchanged: rotate the credentials that may have leaked");
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string id = prior.value("db_instance_id", "");
    if (id.empty() || !prior.contains("publicly_accessible")) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the DB instance");
    }
    bool before = prior.value("publicly_accessible", false);
    auto db = ReadDbInstance(aws, id, ErrorCode::kConflict);
    if (!db) return tl::unexpected(db.error());
    Plan plan{.kind = action.kind, .target = id, .incident_id = action.incident_id};
    plan.prior_state = prior;
    std::string snapshot = EvidenceSnapshotId(action.incident_id, id);
    if (db->publicly_accessible == before) {
      plan.summary = "DB instance " + id + " already has PubliclyAccessible " + (before ? "true" : "false");
      return plan;
    }
    plan.calls.push_back({"rds:ModifyDBInstance",
                          {{"DBInstanceIdentifier", id}, {"PubliclyAccessible", before}, {"ApplyImmediately", true}},
                          "DB instance " + id + ": PubliclyAccessible false -> true (applied immediately)", ""});
    plan.summary = "make DB instance " + id + " publicly accessible again";
    plan.notes.push_back("the evidence snapshot " + snapshot + " is kept; delete it by hand when the case is closed");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRestrictRdsInstanceAction() { return std::make_unique<RestrictRdsInstanceAction>(); }

}  // namespace cloudward::respond
