// `cloudward report INCIDENT [--format html|markdown|ocsf|asff] [-o FILE]`: an incident as a
// self-contained HTML report, Markdown, or an OCSF / ASFF export (analyze/report.h).
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "analyze/report.h"
#include "cli/command.h"
#include "core/clock.h"
#include "store/incident_store.h"

namespace cloudward::cli {
namespace report_command {

struct ReportCommandOptions {
  std::string id;
  std::string store_url;
  std::string format = "html";
  std::string output;
  std::string region = "us-east-1";
  std::string account;
  size_t max_rows = 500;
  size_t max_evidence = 50;
};

int Fails(const Error& e) {
  fmt::print(stderr, "report: {}\n", e.message);
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int Run(const ReportCommandOptions& o) {
  const std::string url = store::ResolveStoreUrl(o.store_url);
  auto opened = store::OpenStore(url);
  if (!opened) return Fails({opened.error().code, "cannot open store " + url + ": " + opened.error().message});
  auto loaded = analyze::LoadReportData(**opened, o.id);
  if (!loaded) return Fails(loaded.error());
  const analyze::ReportData& data = *loaded;

  SystemClock clock;
  const int64_t now = clock.NowMs();
  std::string text;
  if (o.format == "html") {
    text = analyze::RenderHtml(data, {.max_rows = o.max_rows, .max_evidence = o.max_evidence, .generated_ms = now});
  } else if (o.format == "markdown") {
    text = analyze::RenderMarkdown(data, {.max_rows = o.max_rows, .max_evidence = o.max_evidence, .generated_ms = now});
  } else if (o.format == "ocsf") {
    text = analyze::IncidentToOcsf(data, now).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    text = nlohmann::json::array({analyze::IncidentToAsff(data, o.region, o.account, now)})
               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::FILE* out = stdout;
  if (!o.output.empty() && (out = std::fopen(o.output.c_str(), "wb")) == nullptr) {
    return Fails({ErrorCode::kIo, "cannot write " + o.output});
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (out != stdout) ok = std::fclose(out) == 0 && ok;
  if (!ok) return Fails({ErrorCode::kIo, "error writing " + (o.output.empty() ? std::string("stdout") : o.output)});
  if (!o.output.empty()) {
    fmt::print(stderr, "report: {} ({} findings, {} journal entries, {} actions) -> {}\n", o.id,
               data.findings.size(), data.journal.size(), data.actions.size(), o.output);
  }
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<ReportCommandOptions>();
  auto* cmd = app.add_subcommand("report", "Write an incident report (HTML, Markdown) or export it (OCSF, ASFF)");
  cmd->add_option("incident", opt->id, "Incident id (INC-...)")->required();
  cmd->add_option("--store", opt->store_url, "Store URL (default $CLOUDWARD_STORE, else the embedded store)");
  cmd->add_option("--format", opt->format,
                  "html (self-contained page), markdown, ocsf (OCSF 1.1 Incident Finding), asff (a list of one "
                  "AWS Security Finding, for securityhub batch-import-findings)")
      ->check(CLI::IsMember({"html", "markdown", "ocsf", "asff"}));
  cmd->add_option("-o,--output", opt->output, "Write to FILE instead of stdout");
  cmd->add_option("--region", opt->region, "ASFF: Security Hub region of the ProductArn (default us-east-1)");
  cmd->add_option("--account", opt->account, "ASFF: account of the ProductArn (default: the incident's first account)");
  cmd->add_option("--max-rows", opt->max_rows, "HTML/Markdown: findings listed (default 500)");
  cmd->add_option("--max-evidence", opt->max_evidence, "HTML: raw records included (default 50)");
  cmd->footer("Exit codes: 0 written, 2 unknown incident or bad flags, 4 store unavailable or write error.");
  cmd->callback([opt, exit_code] { *exit_code = Run(*opt); });
}

}  // namespace report_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(report, 45, cloudward::cli::report_command::SetUp);
