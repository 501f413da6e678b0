// `cloudward blast-radius --iam SNAPSHOT PRINCIPAL`: what a compromised user or role can do and
// reach, from `aws iam get-account-authorization-details` output (analyze/blast_radius.h).
#include <fmt/core.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "analyze/blast_radius.h"
#include "cli/command.h"

namespace cloudward::cli {
namespace blast_radius_command {

struct BlastOptions {
  std::string iam_file;
  std::string principal;
  std::string format = "table";
};

std::string Join(const std::vector<std::string>& v, size_t max = 4) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max) out += fmt::format(" (+{})", v.size() - max);
  return out.empty() ? "-" : out;
}

void PrintTable(const analyze::BlastRadius& r) {
  fmt::print("Blast radius of {} ({}){}\n", r.principal_arn, r.kind, r.admin ? "  ** ADMINISTRATOR **" : "");
  fmt::print("  policies: {}\n", Join(r.policies, 8));
  if (!r.boundary.empty()) fmt::print("  permissions boundary: {}\n", r.boundary);
  fmt::print("  services: {}\n", Join(r.services, 20));
  fmt::print("\nSensitive actions it may perform ({}):\n", r.sensitive.size());
  for (const auto& s : r.sensitive) {
    fmt::print("  {:<40} {:<12} on {}  -- {}\n", s.action, s.conditional ? "conditional" : "", Join(s.resources, 3), s.why);
  }
  fmt::print("\nRoles it can assume ({}):\n", r.assumable_roles.size());
  for (const auto& h : r.assumable_roles) {
    fmt::print("  {}{}{}{}\n", h.role_arn, h.admin ? "  (admin)" : "", h.conditional ? "  (conditional)" : "",
               h.via.empty() ? "" : "  via " + Join(h.via, 5));
  }
  fmt::print("\nRoles it can pass to services ({}):\n", r.passable_roles.size());
  for (const auto& p : r.passable_roles) {
    fmt::print("  {} -> {}{}{}\n", p.role_arn, p.service, p.admin ? "  (admin)" : "",
               p.can_launch ? "  and may " + p.launch_action : "");
  }
  fmt::print("\nPrivilege-escalation paths open ({}):\n", r.escalation_paths.size());
  for (const auto& e : r.escalation_paths) {
    fmt::print("  {:<26} {}{}\n      needs {}; targets {}\n", e.name, e.description,
               e.conditional ? " (conditional)" : "", Join(e.actions, 4), Join(e.targets, 4));
  }
}

int Run(const BlastOptions& o) {
  std::ifstream in(o.iam_file, std::ios::binary);
  if (!in) return fmt::print(stderr, "blast-radius: cannot read {}\n", o.iam_file), kExitUsage;
  std::stringstream ss;
  ss << in.rdbuf();
  auto snap = analyze::IamSnapshot::Parse(ss.str());
  if (!snap) return fmt::print(stderr, "blast-radius: {}: {}\n", o.iam_file, snap.error().message), kExitUsage;
  for (const std::string& w : snap->warnings) fmt::print(stderr, "blast-radius: {}: warning: {}\n", o.iam_file, w);
  auto radius = analyze::ComputeBlastRadius(*snap, o.principal);
  if (!radius) return fmt::print(stderr, "blast-radius: {}\n", radius.error().message), kExitUsage;
  if (o.format == "json") {
    fmt::print("{}\n", analyze::BlastRadiusJson(*radius).dump(2));
  } else {
    PrintTable(*radius);
  }
  return kExitOk;
}

void SetUp(CLI::App& app, int* exit_code) {
  auto opt = std::make_shared<BlastOptions>();
  auto* cmd = app.add_subcommand(
      "blast-radius", "What a compromised user or role can do and reach, from an IAM snapshot");
  cmd->add_option("--iam", opt->iam_file,
                  "Output of `aws iam get-account-authorization-details` (JSON)")->required();
  cmd->add_option("principal", opt->principal,
                  "User or role: ARN, name, or an assumed-role session ARN")->required();
  cmd->add_option("--format", opt->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->footer(
      "Evaluates identity, group and managed policies, permission boundaries and role trust\n"
      "policies; not SCPs, resource policies or Condition values (Allows behind a Condition are\n"
      "shown as conditional).");
  cmd->callback([opt, exit_code] { *exit_code = Run(*opt); });
}

}  // namespace blast_radius_command
}  // namespace cloudward::cli

CW_REGISTER_COMMAND(blast_radius, 16, cloudward::cli::blast_radius_command::SetUp);
