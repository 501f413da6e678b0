// Incident reports: a self-contained HTML page (no external assets, safe to mail or attach to a
// ticket), Markdown for chat and wikis, and machine exports: OCSF 1.1 Incident Finding and AWS
// Security Finding Format (ready for securityhub:BatchImportFindings).
//
//   ReportData data{incident, findings, journal, actions};
//   std::string html = RenderHtml(data, now_ms);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/text.h"
#include "store/incident.h"
#include "store/incident_store.h"

namespace cloudward::analyze {

struct ReportData {
  store::Incident incident;
  std::vector<store::StoredFinding> findings;  // any order; reports sort by time
  std::vector<store::IncidentEvent> journal;
  std::vector<store::ResponseAction> actions;
  // What the saved inventory says about the incident's resources (analyze::IncidentContext), or
  // null when the store holds no inventory that names them.
  nlohmann::json context;
};

// Reads an incident with its findings, journal, actions and inventory context (kNotFound for an
// unknown id).
Result<ReportData> LoadReportData(store::IncidentStore& store, const std::string& incident_id);

struct ReportOptions {
  size_t max_rows = 500;      // findings listed in the timeline table
  size_t max_evidence = 50;   // raw records included
  int64_t generated_ms = 0;   // "generated at"
};

std::string RenderHtml(const ReportData& data, const ReportOptions& options);
std::string RenderMarkdown(const ReportData& data, const ReportOptions& options);

// OCSF 1.1 Incident Finding (class_uid 2005).
nlohmann::json IncidentToOcsf(const ReportData& data, int64_t now_ms);

// One ASFF finding for the incident. `region` and `account` place it in Security Hub (the
// incident's first account when `account` is empty).
nlohmann::json IncidentToAsff(const ReportData& data, const std::string& region, std::string account,
                              int64_t now_ms);

// Escapes &, <, >, " and ' for HTML text and attribute values.
using cloudward::HtmlEscape;  // core/text.h

}  // namespace cloudward::analyze
