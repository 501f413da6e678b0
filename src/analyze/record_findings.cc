#include "analyze/record_findings.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/clock.h"

namespace cloudward::analyze {
namespace {

using store::Incident;

// Creates `inc` under "INC-" + a prefix of `seed` (a finding key), lengthening it on a clash.
Status CreateWithStableId(store::IncidentStore& store, Incident& inc, const std::string& seed) {
  for (size_t digits : {10, 14, 20, 32}) {
    inc.id = "INC-" + seed.substr(0, std::min(digits, seed.size()));
    auto st = store.CreateIncident(inc);
    if (st || st.error().code != ErrorCode::kAlreadyExists) return st;
  }
  return Fail(ErrorCode::kAlreadyExists, "no free incident id for finding " + seed);
}

std::string Json(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

Result<RecordResult> RecordFindings(store::IncidentStore& store, const std::vector<Finding>& findings,
                                    const IncidentPolicy& policy) {
  RecordResult result;
  SystemClock clock;

  // 1. Store the findings, batch by batch, skipping known ones.
  std::unordered_map<std::string, size_t> input_by_key;
  std::vector<store::StoredFinding> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Ok();
    auto inserted = store.AddFindings(batch);
    if (!inserted) return tl::unexpected(inserted.error());
    for (bool added : *inserted) ++(added ? result.findings_added : result.findings_duplicate);
    batch.clear();
    return Ok();
  };
  for (size_t i = 0; i < findings.size(); ++i) {
    std::string key = store::FindingKey(findings[i]);
    if (!input_by_key.emplace(key, i).second) {
      ++result.findings_duplicate;
      continue;
    }
    batch.push_back({std::move(key), findings[i], ""});
    if (batch.size() >= store::kFindingBatch) {
      if (auto st = flush(); !st) return tl::unexpected(st.error());
    }
  }
  if (auto st = flush(); !st) return tl::unexpected(st.error());

  // 2. Everything not yet in an incident: this call's new findings and leftovers of an
  //    interrupted earlier run.
  auto pending_keys = store.UnassignedFindingKeys();
  if (!pending_keys) return tl::unexpected(pending_keys.error());
  if (pending_keys->empty()) return result;
  std::vector<std::string> to_load;
  for (const auto& key : *pending_keys) {
    if (!input_by_key.count(key)) to_load.push_back(key);
  }
  auto loaded = store.GetFindings(to_load);
  if (!loaded) return tl::unexpected(loaded.error());
  std::vector<const Finding*> pending;
  std::vector<const std::string*> pending_key;
  for (const auto& key : *pending_keys) {
    auto it = input_by_key.find(key);
    if (it != input_by_key.end()) {
      pending.push_back(&findings[it->second]);
      pending_key.push_back(&key);
    }
  }
  for (const auto& sf : *loaded) {
    pending.push_back(&sf.finding);
    pending_key.push_back(&sf.key);
  }

  // 3. Group them with each other and with open incidents; save in one transaction.
  IncidentBuilder builder(policy);
  Status saved;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto open = store.ListIncidents({.open_only = true});
    if (!open) return tl::unexpected(open.error());
    const auto groups = builder.GroupFindings(pending, *open);
    const int64_t now = clock.NowMs();
    size_t created = 0, updated = 0;
    std::vector<std::string> ids;
    saved = store.Transaction([&]() -> Status {
      for (const auto& group : groups) {
        std::vector<std::string> keys;
        keys.reserve(group.findings.size());
        for (size_t i : group.findings) keys.push_back(*pending_key[i]);
        if (group.incidents.empty()) {
          Incident inc;
          for (size_t i : group.findings) builder.Absorb(inc, *pending[i]);
          builder.Finish(inc);
          inc.created_ms = inc.updated_ms = now;
          if (auto st = CreateWithStableId(store, inc, *std::min_element(keys.begin(), keys.end())); !st) return st;
          if (auto st = store.LinkFindings(inc.id, keys); !st) return st;
          auto ev = store.AppendEvent({0, inc.id, now, "cloudward", "created",
                                       "created from " + std::to_string(keys.size()) + " findings, severity " +
                                           std::string(LevelName(inc.severity)),
                                       Json({{"findings", keys.size()}, {"severity", LevelName(inc.severity)}})});
          if (!ev) return tl::unexpected(ev.error());
          ++created;
          ids.push_back(inc.id);
          continue;
        }
        // The oldest incident survives; the others are folded into it and closed.
        std::vector<size_t> members = group.incidents;
        std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
          const Incident& x = (*open)[a];
          const Incident& y = (*open)[b];
          return x.created_ms != y.created_ms ? x.created_ms < y.created_ms : x.id < y.id;
        });
        Incident inc = (*open)[members[0]];
        const Level before = inc.severity;
        for (size_t m = 1; m < members.size(); ++m) {
          Incident absorbed = (*open)[members[m]];
          builder.Merge(inc, absorbed);
          absorbed.status = store::IncidentStatus::kClosed;
          absorbed.merged_into = inc.id;
          absorbed.updated_ms = now;
          if (auto st = store.UpdateIncident(absorbed); !st) return st;
          if (auto st = store.MoveFindings(absorbed.id, inc.id); !st) return st;
          for (const auto& [on, text] : {std::pair{absorbed.id, "merged into " + inc.id},
                                         std::pair{inc.id, "merged " + absorbed.id + " into this incident"}}) {
            auto ev = store.AppendEvent({0, on, now, "cloudward", "merged", text,
                                         Json({{"survivor", inc.id}, {"absorbed", absorbed.id}})});
            if (!ev) return tl::unexpected(ev.error());
          }
          ids.push_back(absorbed.id);
        }
        for (size_t i : group.findings) builder.Absorb(inc, *pending[i]);
        builder.Finish(inc);
        inc.updated_ms = now;
        if (auto st = store.UpdateIncident(inc); !st) return st;
        if (auto st = store.LinkFindings(inc.id, keys); !st) return st;
        std::string text = std::to_string(keys.size()) + " new findings";
        if (inc.severity != before) {
          text += ", severity " + std::string(LevelName(before)) + " -> " + std::string(LevelName(inc.severity));
        }
        auto ev = store.AppendEvent({0, inc.id, now, "cloudward", "findings", text,
                                     Json({{"findings", keys.size()}, {"severity", LevelName(inc.severity)}})});
        if (!ev) return tl::unexpected(ev.error());
        ++updated;
        ids.push_back(inc.id);
      }
      return Ok();
    });
    if (saved) {
      result.incidents_created = created;
      result.incidents_updated = updated;
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      result.incident_ids = std::move(ids);
      return result;
    }
    if (saved.error().code != ErrorCode::kConflict) break;
  }
  return tl::unexpected(saved.error());
}

}  // namespace cloudward::analyze
