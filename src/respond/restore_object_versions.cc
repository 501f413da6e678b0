// restore-object-versions (recovery after ransomware or defacement in a versioned bucket): every
// key whose current state was written inside a time window (options "since", required, and
// "until", ISO times; optional "prefix") gets back the newest version older than "since":
//   - a delete marker on top of that version: the marker is deleted (DeleteObject with its
//     version id), so that version is current again;
//   - otherwise (overwritten, or deleted after being overwritten): that version is copied onto the
//     key (CopyObject with ?versionId=), which makes a new current version with its content.
// Keys that did not exist before "since" are named in the notes and left alone (never deleted).
// A key whose current version already has the content (ETag) of the version to restore is skipped,
// which makes a second apply a no-op.
// Prior state: per key, the version id that was current and the one restored. Rollback deletes the
// versions the copies created (refusing, kConflict, when a key's current version is no longer the
// copy) and puts a delete marker back on keys whose marker was removed (refusing when the key
// changed since). The bucket must be versioned (or suspended); one never versioned is refused.
#include <algorithm>
#include <map>

#include "aws/services.h"
#include "aws/services_prepare.h"
#include "core/time.h"
#include "respond/action.h"
#include "respond/decisions.h"

namespace cloudward::respond {
namespace {

using nlohmann::json;

constexpr const char* kCopyOutput = "copy:";  // + key: the version id a CopyObject created

// Each key's versions and delete markers, newest first (the order S3 lists them in).
using VersionsByKey = std::map<std::string, std::vector<aws::s3::ObjectVersion>>;

Result<VersionsByKey> ReadVersions(aws::AwsClient& aws, const std::string& bucket, const std::string& prefix,
                                   ErrorCode gone) {
  auto versions = aws::s3::ListObjectVersions(aws, bucket, prefix);
  if (!versions && versions.error().code == ErrorCode::kNotFound) {
    return Fail(gone, "bucket " + bucket + " does not exist");
  }
  if (!versions) {
    return Fail(versions.error().code, "cannot list the object versions of " + bucket + ": " + versions.error().Describe());
  }
  VersionsByKey out;
  for (auto& v : *versions) out[v.key].push_back(std::move(v));
  // S3 lists each key newest first; the IsLatest entry goes first whatever the order.
  for (auto& [key, list] : out) {
    std::stable_partition(list.begin(), list.end(), [](const auto& v) { return v.is_latest; });
  }
  return out;
}

std::string Describe(const aws::s3::ObjectVersion& v) {
  return (v.delete_marker ? "delete marker " : "version ") + v.version_id + " (" + v.last_modified + ")";
}

class RestoreObjectVersionsAction final : public Action {
 public:
  std::string_view Kind() const override { return "restore-object-versions"; }
  std::string_view Description() const override {
    return "Restore the S3 object versions from before a time window (ransomware, defacement): "
           "--since TIME [--until TIME] [--prefix P]";
  }
  std::string_view TargetName() const override { return "bucket"; }

  Result<Plan> MakePlan(aws::AwsClient& aws, const ActionRequest& request) const override {
    const std::string& bucket = request.target;
    if (!ValidBucketName(bucket)) return Fail(ErrorCode::kInvalidArgument, "'" + bucket + "' is not a bucket name");
    auto option = [&](const char* name) {
      auto it = request.options.find(name);
      return it == request.options.end() ? std::string() : it->second;
    };
    const std::string since_text = option("since"), until_text = option("until"), prefix = option("prefix");
    if (since_text.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "restore-object-versions needs the start of the window: --since TIME (ISO 8601, e.g. 2026-11-28T22:00:00Z)");
    }
    auto since = ParseIsoTime(since_text);
    if (!since) return Fail(ErrorCode::kInvalidArgument, "since: '" + since_text + "' is not an ISO 8601 time");
    std::optional<int64_t> until;
    if (!until_text.empty()) {
      until = ParseIsoTime(until_text);
      if (!until) return Fail(ErrorCode::kInvalidArgument, "until: '" + until_text + "' is not an ISO 8601 time");
      if (*until < *since) return Fail(ErrorCode::kInvalidArgument, "until (" + until_text + ") is before since (" + since_text + ")");
    }

    auto versioning = aws::s3::GetBucketVersioningState(aws, bucket);
    if (!versioning && versioning.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kNotFound, "bucket " + bucket + " does not exist");
    }
    if (!versioning) {
      return Fail(versioning.error().code, "cannot read versioning of " + bucket + ": " + versioning.error().Describe());
    }
    if (versioning->status.empty()) {
      return Fail(ErrorCode::kConflict, "bucket " + bucket + " has never had versioning enabled, so S3 kept no earlier "
                                        "versions to restore (look for AWS Backup recovery points or replicas)");
    }
    auto versions = ReadVersions(aws, bucket, prefix, ErrorCode::kNotFound);
    if (!versions) return tl::unexpected(versions.error());

    Plan plan{.kind = std::string(Kind()), .target = bucket, .incident_id = request.incident_id};
    json keys = json::object();
    std::vector<std::string> created, already, unparsed;
    auto in_window = [&](int64_t t) { return t >= *since && (!until || t <= *until); };
    for (const auto& [key, list] : *versions) {
      const auto& current = list.front();
      auto current_time = ParseIsoTime(current.last_modified);
      if (!current_time) {
        unparsed.push_back(key);
        continue;
      }
      if (!in_window(*current_time)) continue;
      // The newest entry older than the window: what the key was when it began.
      size_t prior = 0;
      for (; prior < list.size(); ++prior) {
        auto t = ParseIsoTime(list[prior].last_modified);
        if (t && *t < *since) break;
      }
      if (prior == list.size() || list[prior].delete_marker) {
        if (!current.delete_marker) created.push_back(key);
        continue;
      }
      const auto& restore = list[prior];
      if (!current.delete_marker && !current.etag.empty() && current.etag == restore.etag) {
        already.push_back(key);
        continue;
      }
      keys[key] = {{"current", current.version_id}, {"current_is_delete_marker", current.delete_marker},
                   {"restored", restore.version_id}};
      if (current.delete_marker && prior == 1) {
        plan.calls.push_back({"s3:DeleteObject", {{"Bucket", bucket}, {"Key", key}, {"VersionId", current.version_id}},
                              "s3://" + bucket + "/" + key + ": remove " + Describe(current) + "; " +
                                  Describe(restore) + " is current again",
                              ""});
      } else {
        plan.calls.push_back({"s3:CopyObject", {{"Bucket", bucket}, {"Key", key}, {"SourceVersionId", restore.version_id}},
                              "s3://" + bucket + "/" + key + ": " + Describe(current) + " -> copy of " + Describe(restore),
                              kCopyOutput + key});
      }
    }
    plan.prior_state = {{"bucket", bucket}, {"since", since_text}, {"until", until_text}, {"prefix", prefix},
                        {"versioning", versioning->status}, {"keys", keys}};

    auto list_of = [](const std::vector<std::string>& v) {
      std::string out;
      for (size_t i = 0; i < v.size() && i < 20; ++i) out += (i ? ", " : "") + v[i];
      if (v.size() > 20) out += " and " + std::to_string(v.size() - 20) + " more";
      return out;
    };
    std::string window = since_text + " .. " + (until_text.empty() ? "now" : until_text);
    if (!created.empty()) {
      plan.notes.push_back(std::to_string(created.size()) + " key(s) did not exist before " + since_text +
                           " and are left as they are (not deleted): " + list_of(created));
    }
    if (!already.empty()) {
      plan.notes.push_back(std::to_string(already.size()) + " key(s) changed in the window already have their earlier "
                           "content: " + list_of(already));
    }
    if (!unparsed.empty()) {
      plan.notes.push_back("LastModified unreadable, skipped: " + list_of(unparsed));
    }
    if (plan.no_op()) {
      plan.summary = "no object in bucket " + bucket + (prefix.empty() ? "" : " under " + prefix) +
                     " needs restoring for the window " + window + "; nothing to do";
      return plan;
    }
    plan.summary = "restore " + std::to_string(plan.calls.size()) + " object(s) of bucket " + bucket +
                   " to their versions from before " + since_text;
    plan.notes.push_back("the versions written in the window are kept as older versions (evidence); copies are new "
                         "versions with the earlier content, metadata and tags");
    if (versioning->status == "Suspended") {
      plan.notes.push_back("versioning is suspended: copies and delete markers get the version id \"null\" and "
                           "replace the null version; enable-bucket-versioning first to keep everything");
    }
    return plan;
  }

  Result<Plan> PlanRollback(aws::AwsClient& aws, const store::ResponseAction& action,
                            const Plan& applied) const override {
    const json& prior = applied.prior_state;
    std::string bucket = prior.value("bucket", ""), prefix = prior.value("prefix", "");
    if (bucket.empty() || !prior.contains("keys") || !prior["keys"].is_object()) {
      return Fail(ErrorCode::kMalformed, "action " + action.id + ": prior state lacks the bucket or its keys");
    }
    json outputs = json::object();
    json stored = json::parse(action.plan, nullptr, false);
    if (stored.is_object()) outputs = stored.value(json::json_pointer("/result/outputs"), json::object());
    auto versions = ReadVersions(aws, bucket, prefix, ErrorCode::kConflict);
    if (!versions) return tl::unexpected(versions.error());

    Plan plan{.kind = action.kind, .target = bucket, .incident_id = action.incident_id};
    plan.prior_state = prior;
    for (const auto& call : applied.calls) {
      std::string key = call.parameters.value("Key", "");
      const json& recorded = prior["keys"].value(key, json::object());
      std::string restored = recorded.value("restored", "");
      auto it = versions->find(key);
      const aws::s3::ObjectVersion* current = it == versions->end() ? nullptr : &it->second.front();
      std::string where = "s3://" + bucket + "/" + key;
      if (call.operation == "s3:CopyObject") {
        auto copy = outputs.find(kCopyOutput + key);
        if (copy == outputs.end() || !copy->is_string()) continue;  // the copy was never made
        std::string copied = copy->get<std::string>();
        if (!current || current->version_id != copied) {
          return Fail(ErrorCode::kConflict, where + " changed since it was restored: its current version is " +
                                                (current ? Describe(*current) : std::string("gone")) +
                                                ", not the restored copy " + copied);
        }
        plan.calls.push_back({"s3:DeleteObject", {{"Bucket", bucket}, {"Key", key}, {"VersionId", copied}},
                              where + ": delete the restored copy " + copied + "; " +
                                  (recorded.value("current_is_delete_marker", false) ? "delete marker " : "version ") +
                                  recorded.value("current", "") + " is current again",
                              ""});
      } else if (call.operation == "s3:DeleteObject") {
        std::string marker = call.parameters.value("VersionId", "");
        if (current && current->version_id == marker) continue;  // the marker was never removed
        if (!current || current->delete_marker || current->version_id != restored) {
          return Fail(ErrorCode::kConflict, where + " changed since it was restored: its current version is " +
                                                (current ? Describe(*current) : std::string("gone")) +
                                                ", not the restored version " + restored);
        }
        plan.calls.push_back({"s3:DeleteObject", {{"Bucket", bucket}, {"Key", key}},
                              where + ": put a delete marker back on top of version " + restored, ""});
      }
    }
    if (plan.no_op()) {
      plan.summary = "nothing restored in bucket " + bucket + " is left to undo";
      return plan;
    }
    plan.summary = "undo the restore of " + std::to_string(plan.calls.size()) + " object(s) of bucket " + bucket;
    plan.notes.push_back("the objects are again as the window left them (overwritten or deleted); the earlier "
                         "versions stay in the bucket's history");
    return plan;
  }
};

}  // namespace

std::unique_ptr<Action> MakeRestoreObjectVersionsAction() { return std::make_unique<RestoreObjectVersionsAction>(); }

}  // namespace cloudward::respond
