#include "analyze/blast_radius.h"

#include <algorithm>
#include <deque>
#include <set>

namespace cloudward::analyze {
namespace {

using nlohmann::json;

struct SensitiveAction {
  std::string_view action, why;
};

// What an intruder holding the principal would reach for first.
constexpr SensitiveAction kSensitive[] = {
    {"iam:CreateUser", "create a backdoor user"},
    {"iam:CreateAccessKey", "mint access keys (for other users too)"},
    {"iam:CreateLoginProfile", "give a user a console password"},
    {"iam:UpdateLoginProfile", "reset a user's console password"},
    {"iam:AttachUserPolicy", "attach any managed policy to a user"},
    {"iam:AttachRolePolicy", "attach any managed policy to a role"},
    {"iam:PutUserPolicy", "write inline policies on users"},
    {"iam:PutRolePolicy", "write inline policies on roles"},
    {"iam:CreatePolicyVersion", "rewrite a managed policy"},
    {"iam:UpdateAssumeRolePolicy", "open a role's trust to outside principals"},
    {"iam:PassRole", "hand roles to services that run code"},
    {"sts:AssumeRole", "assume other roles"},
    {"sts:GetFederationToken", "mint console sessions that outlive key rotation"},
    {"s3:GetObject", "read objects"},
    {"s3:PutBucketPolicy", "make buckets public or cross-account"},
    {"s3:DeleteObject", "delete objects"},
    {"secretsmanager:GetSecretValue", "read secrets"},
    {"ssm:GetParameter", "read parameters (often secrets)"},
    {"kms:Decrypt", "decrypt data"},
    {"ec2:RunInstances", "launch instances (mining, pivots)"},
    {"ec2:AuthorizeSecurityGroupIngress", "open network access"},
    {"ec2:CreateSnapshot", "copy disks"},
    {"ec2:ModifySnapshotAttribute", "share disk snapshots with other accounts"},
    {"ssm:SendCommand", "run commands on managed instances"},
    {"ssm:StartSession", "open shells on managed instances"},
    {"ec2-instance-connect:SendSSHPublicKey", "push SSH keys to instances"},
    {"lambda:CreateFunction", "deploy code"},
    {"lambda:UpdateFunctionCode", "replace the code of functions (and act as their roles)"},
    {"rds:ModifyDBInstance", "reset database master passwords, make databases public"},
    {"rds:CreateDBSnapshot", "copy databases"},
    {"dynamodb:Scan", "read whole tables"},
    {"cloudtrail:StopLogging", "blind the audit trail"},
    {"cloudtrail:DeleteTrail", "delete the audit trail"},
    {"guardduty:DeleteDetector", "turn off threat detection"},
    {"organizations:LeaveOrganization", "take the account out of the organization"},
};

struct PathSpec {
  std::string_view name, description;
  std::vector<std::string_view> actions;
  std::string_view pass_to_service;  // non-empty: needs iam:PassRole on a role this service trusts
};

// Known privilege-escalation paths in IAM (public research: Rhino Security Labs, Datadog
// pathfinding.cloud). Each needs all of its actions.
const std::vector<PathSpec>& EscalationPaths() {
  static const std::vector<PathSpec> paths = {
      {"CreatePolicyVersion", "write a new default version of a policy attached to itself", {"iam:CreatePolicyVersion"}, ""},
      {"SetDefaultPolicyVersion", "switch a policy to an older, broader version", {"iam:SetDefaultPolicyVersion"}, ""},
      {"CreateAccessKey", "create keys for a more privileged user", {"iam:CreateAccessKey"}, ""},
      {"CreateLoginProfile", "set a console password on a user that has none", {"iam:CreateLoginProfile"}, ""},
      {"UpdateLoginProfile", "reset another user's console password", {"iam:UpdateLoginProfile"}, ""},
      {"AttachUserPolicy", "attach AdministratorAccess to itself", {"iam:AttachUserPolicy"}, ""},
      {"AttachGroupPolicy", "attach AdministratorAccess to its group", {"iam:AttachGroupPolicy"}, ""},
      {"AttachRolePolicy", "attach AdministratorAccess to a role it can assume", {"iam:AttachRolePolicy", "sts:AssumeRole"}, ""},
      {"PutUserPolicy", "write an admin inline policy on itself", {"iam:PutUserPolicy"}, ""},
      {"PutGroupPolicy", "write an admin inline policy on its group", {"iam:PutGroupPolicy"}, ""},
      {"PutRolePolicy", "write an admin inline policy on a role it can assume", {"iam:PutRolePolicy", "sts:AssumeRole"}, ""},
      {"AddUserToGroup", "join a more privileged group", {"iam:AddUserToGroup"}, ""},
      {"UpdateAssumeRolePolicy", "trust itself in a privileged role, then assume it", {"iam:UpdateAssumeRolePolicy", "sts:AssumeRole"}, ""},
      {"PassRole+EC2", "launch an instance with a privileged role and read its credentials", {"iam:PassRole", "ec2:RunInstances"}, "ec2.amazonaws.com"},
      {"PassRole+Lambda", "create a function with a privileged role and invoke it", {"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"}, "lambda.amazonaws.com"},
      {"PassRole+Lambda trigger", "create a function with a privileged role behind an event source", {"iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"}, "lambda.amazonaws.com"},
      {"PassRole+CloudFormation", "create a stack that runs as a privileged role", {"iam:PassRole", "cloudformation:CreateStack"}, "cloudformation.amazonaws.com"},
      {"PassRole+Glue", "create a Glue dev endpoint with a privileged role", {"iam:PassRole", "glue:CreateDevEndpoint"}, "glue.amazonaws.com"},
      {"PassRole+CodeBuild", "run a build with a privileged role", {"iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"}, "codebuild.amazonaws.com"},
      {"PassRole+ECS", "run a task with a privileged task role", {"iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"}, "ecs-tasks.amazonaws.com"},
      {"PassRole+SageMaker", "open a notebook running as a privileged role", {"iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"}, "sagemaker.amazonaws.com"},
      {"UpdateFunctionCode", "replace a function's code and act as its role", {"lambda:UpdateFunctionCode"}, ""},
      {"UpdateDevEndpoint", "add an SSH key to a Glue endpoint and act as its role", {"glue:UpdateDevEndpoint"}, ""},
      {"SSM SendCommand", "run commands on instances and take their role credentials", {"ssm:SendCommand"}, ""},
      {"SSM StartSession", "open a shell on instances and take their role credentials", {"ssm:StartSession"}, ""},
      {"EC2 Instance Connect", "push an SSH key and take an instance's role credentials", {"ec2-instance-connect:SendSSHPublicKey"}, ""},
  };
  return paths;
}

// "arn:aws:iam::111122223333:user/x" -> "111122223333".
std::string AccountOf(std::string_view arn) {
  size_t a = 0;
  for (int i = 0; i < 4; ++i) {
    a = arn.find(':', a);
    if (a == std::string_view::npos) return {};
    ++a;
  }
  size_t b = arn.find(':', a);
  return b == std::string_view::npos ? std::string() : std::string(arn.substr(a, b - a));
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& List(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

// Managed policies AWS defines whose meaning is fixed; used when the snapshot was taken with a
// filter that left AWS-managed policies out.
std::optional<PolicyDocument> KnownAwsPolicy(std::string_view arn) {
  PolicyDocument d;
  d.name = std::string(arn);
  PolicyStatement s;
  s.resources = {"*"};
  if (arn == "arn:aws:iam::aws:policy/AdministratorAccess") {
    s.actions = {"*"};
  } else if (arn == "arn:aws:iam::aws:policy/IAMFullAccess") {
    s.actions = {"iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization",
                 "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
                 "organizations:ListChildren", "organizations:ListParents",
                 "organizations:ListPoliciesForTarget", "organizations:ListRoots",
                 "organizations:ListPolicies", "organizations:ListTargetsForPolicy"};
  } else {
    return std::nullopt;
  }
  d.statements.push_back(std::move(s));
  return d;
}

bool IsAdmin(const IamPrincipal& p) {
  bool allow = false;
  for (const PolicyDocument* doc : p.policies) {
    for (const PolicyStatement& s : doc->statements) {
      if (s.not_action || s.not_resource) continue;
      bool star_action = std::find(s.actions.begin(), s.actions.end(), "*") != s.actions.end();
      bool star_resource = std::find(s.resources.begin(), s.resources.end(), "*") != s.resources.end();
      if (!star_action || !star_resource) continue;
      if (!s.allow && !s.has_condition) return false;
      if (s.allow && !s.has_condition) allow = true;
    }
  }
  if (!allow) return false;
  // A boundary that lets through a sample of unrelated powerful actions keeps it admin.
  return p.boundary == nullptr || (Evaluate({p.boundary}, "iam:CreateUser", "*") == Decision::kAllow &&
                                   Evaluate({p.boundary}, "ec2:RunInstances", "*") == Decision::kAllow &&
                                   Evaluate({p.boundary}, "s3:GetObject", "*") == Decision::kAllow);
}

bool Allowed(Decision d) { return d == Decision::kAllow || d == Decision::kConditionalAllow; }

// Reach of `action` for a principal, through its boundary.
Reach PrincipalReach(const IamPrincipal& p, std::string_view action) {
  Reach r = ReachOf(p.policies, action);
  if (p.boundary != nullptr && r.effective()) {
    Reach b = ReachOf({p.boundary}, action);
    if (!b.effective()) return Reach{};
    r.conditional = r.conditional || b.conditional;
  }
  return r;
}

// Does `trust` let `who` call sts:AssumeRole? explicit: names `who` itself (no identity
// permission needed in the same account); otherwise the account or "*" (permission needed).
struct TrustAnswer {
  bool trusts = false, explicit_principal = false, conditional = false;
};
TrustAnswer TrustFor(const PolicyDocument& trust, const IamPrincipal& who) {
  TrustAnswer a;
  std::string session_arn;
  if (who.kind == IamPrincipal::Kind::kRole) {
    session_arn = "arn:aws:sts::" + who.account + ":assumed-role/" + who.name + "/session";
  }
  for (const PolicyStatement& s : trust.statements) {
    if (!ActionMatches(s, "sts:AssumeRole")) continue;
    for (const std::string& p : s.principal_aws) {
      bool explicit_match = p == who.arn || (!session_arn.empty() && WildcardMatch(p, session_arn, false));
      bool account_match = p == "*" || p == who.account || p == "arn:aws:iam::" + who.account + ":root";
      if (!explicit_match && !account_match) continue;
      if (!s.allow) {
        if (!s.has_condition) return TrustAnswer{};
        continue;
      }
      bool was = a.trusts;
      a.trusts = true;
      a.explicit_principal = a.explicit_principal || explicit_match;
      a.conditional = was ? a.conditional && s.has_condition : s.has_condition;
    }
  }
  return a;
}

std::string_view LaunchActionFor(std::string_view service) {
  for (const PathSpec& p : EscalationPaths()) {
    if (p.pass_to_service == service) return p.actions[1];
  }
  return {};
}

}  // namespace

Result<IamSnapshot> IamSnapshot::Parse(std::string_view text) {
  json root = json::parse(text, nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return Fail(ErrorCode::kMalformed, "not JSON: expected the output of `aws iam get-account-authorization-details`");
  }
  if (!root.contains("UserDetailList") && !root.contains("RoleDetailList")) {
    return Fail(ErrorCode::kMalformed,
                "no UserDetailList or RoleDetailList: expected `aws iam get-account-authorization-details` output");
  }
  IamSnapshot snap;
  auto keep = [&snap](PolicyDocument d) {
    snap.documents_.push_back(std::make_unique<PolicyDocument>(std::move(d)));
    return snap.documents_.back().get();
  };
  auto parse = [&snap, &keep](const json& value, std::string name) -> const PolicyDocument* {
    auto doc = ParsePolicyDocument(value, name);
    if (!doc) {
      snap.warnings.push_back(doc.error().message);
      return nullptr;
    }
    return keep(std::move(*doc));
  };

  std::map<std::string, const PolicyDocument*> managed;  // ARN -> default version
  for (const json& p : List(root, "Policies")) {
    std::string arn = Str(p, "Arn");
    std::string default_version = Str(p, "DefaultVersionId");
    for (const json& v : List(p, "PolicyVersionList")) {
      bool is_default = v.value("IsDefaultVersion", false) || Str(v, "VersionId") == default_version;
      if (is_default && v.contains("Document")) managed[arn] = parse(v["Document"], arn);
    }
  }
  auto attached = [&](const json& entity, std::vector<const PolicyDocument*>& out) {
    for (const json& a : List(entity, "AttachedManagedPolicies")) {
      std::string arn = Str(a, "PolicyArn");
      auto it = managed.find(arn);
      if (it == managed.end()) {
        if (auto known = KnownAwsPolicy(arn)) {
          it = managed.emplace(arn, keep(std::move(*known))).first;
        } else {
          snap.warnings.push_back("managed policy " + arn + " is not in the snapshot's Policies; its permissions are not counted");
          managed.emplace(arn, nullptr);
          continue;
        }
      }
      if (it->second != nullptr) out.push_back(it->second);
    }
  };
  auto inline_policies = [&](const json& entity, const char* key, const std::string& owner,
                             std::vector<const PolicyDocument*>& out) {
    for (const json& p : List(entity, key)) {
      if (const PolicyDocument* d = parse(p.value("PolicyDocument", json()), "inline " + owner + "/" + Str(p, "PolicyName")))
        out.push_back(d);
    }
  };
  auto boundary = [&](const json& entity) -> const PolicyDocument* {
    auto it = entity.find("PermissionsBoundary");
    if (it == entity.end() || !it->is_object()) return nullptr;
    std::string arn = Str(*it, "PermissionsBoundaryArn");
    auto m = managed.find(arn);
    if (m != managed.end() && m->second != nullptr) return m->second;
    if (auto known = KnownAwsPolicy(arn)) return keep(std::move(*known));
    snap.warnings.push_back("permissions boundary " + arn + " is not in the snapshot; treated as absent");
    return nullptr;
  };
  auto tags = [](const json& entity) {
    std::map<std::string, std::string> out;
    for (const json& t : List(entity, "Tags")) out[Str(t, "Key")] = Str(t, "Value");
    return out;
  };

  std::map<std::string, std::vector<const PolicyDocument*>> group_policies;
  for (const json& g : List(root, "GroupDetailList")) {
    std::string name = Str(g, "GroupName");
    auto& list = group_policies[name];
    inline_policies(g, "GroupPolicyList", "group " + name, list);
    attached(g, list);
  }
  // What users and roles share: identity, inline and attached policies, boundary, tags.
  auto principal = [&](const json& entity, IamPrincipal::Kind kind, const char* name_key, const char* policy_key) {
    IamPrincipal p;
    p.kind = kind;
    p.name = Str(entity, name_key);
    p.arn = Str(entity, "Arn");
    p.account = AccountOf(p.arn);
    inline_policies(entity, policy_key, p.name, p.policies);
    attached(entity, p.policies);
    p.boundary = boundary(entity);
    p.tags = tags(entity);
    return p;
  };
  for (const json& u : List(root, "UserDetailList")) {
    IamPrincipal p = principal(u, IamPrincipal::Kind::kUser, "UserName", "UserPolicyList");
    for (const json& g : List(u, "GroupList")) {
      if (!g.is_string()) continue;
      p.groups.push_back(g.get<std::string>());
      auto it = group_policies.find(p.groups.back());
      if (it != group_policies.end()) p.policies.insert(p.policies.end(), it->second.begin(), it->second.end());
    }
    snap.principals_.push_back(std::move(p));
  }
  for (const json& r : List(root, "RoleDetailList")) {
    IamPrincipal p = principal(r, IamPrincipal::Kind::kRole, "RoleName", "RolePolicyList");
    if (r.contains("AssumeRolePolicyDocument")) {
      auto trust = ParsePolicyDocument(r["AssumeRolePolicyDocument"], "trust " + p.name);
      if (trust) {
        p.trust = std::move(*trust);
      } else {
        snap.warnings.push_back(trust.error().message);
      }
    }
    for (const json& ip : List(r, "InstanceProfileList")) p.instance_profiles.push_back(Str(ip, "InstanceProfileName"));
    snap.principals_.push_back(std::move(p));
  }
  return snap;
}

const IamPrincipal* IamSnapshot::Find(std::string_view who) const {
  for (const IamPrincipal& p : principals_) {
    if (p.arn == who) return &p;
  }
  // arn:aws:sts::ACCT:assumed-role/Role/session -> the role
  if (size_t at = who.find(":assumed-role/"); at != std::string_view::npos) {
    std::string_view rest = who.substr(at + 14);
    who = rest.substr(0, rest.find('/'));
  }
  for (const IamPrincipal& p : principals_) {
    if (p.name == who) return &p;
  }
  return nullptr;
}

Result<BlastRadius> ComputeBlastRadius(const IamSnapshot& snap, std::string_view who) {
  const IamPrincipal* p = snap.Find(who);
  if (p == nullptr) {
    return Fail(ErrorCode::kNotFound, "no user or role '" + std::string(who) + "' in the IAM snapshot");
  }
  BlastRadius out;
  out.principal_arn = p->arn;
  out.kind = p->kind == IamPrincipal::Kind::kUser ? "user" : "role";
  out.admin = IsAdmin(*p);
  for (const PolicyDocument* d : p->policies) out.policies.push_back(d->name);
  if (p->boundary != nullptr) out.boundary = p->boundary->name;

  for (const SensitiveAction& s : kSensitive) {
    Reach r = PrincipalReach(*p, s.action);
    if (!r.effective()) continue;
    out.sensitive.push_back({std::string(s.action), std::string(s.why), r.resources, r.conditional, r.granted_by});
  }
  std::set<std::string> services;
  for (const PolicyDocument* d : p->policies) {
    for (const PolicyStatement& s : d->statements) {
      if (!s.allow) continue;
      for (const std::string& a : s.actions) {
        services.insert(s.not_action || a == "*" ? "*" : a.substr(0, a.find(':')));
      }
    }
  }
  out.services.assign(services.begin(), services.end());

  // Roles it can assume, breadth first (role chaining).
  std::deque<std::pair<const IamPrincipal*, std::vector<std::string>>> queue{{p, {}}};
  std::set<std::string> seen{p->arn};
  while (!queue.empty()) {
    auto [from, via] = queue.front();
    queue.pop_front();
    for (const IamPrincipal& role : snap.principals()) {
      if (role.kind != IamPrincipal::Kind::kRole || !role.trust || seen.count(role.arn)) continue;
      TrustAnswer t = TrustFor(*role.trust, *from);
      if (!t.trusts) continue;
      bool conditional = t.conditional;
      bool same_account = from->account == role.account;
      if (!(t.explicit_principal && same_account)) {
        Decision d = EvaluateWithBoundary(from->policies, from->boundary, "sts:AssumeRole", role.arn);
        if (!Allowed(d)) continue;
        conditional = conditional || d == Decision::kConditionalAllow;
      }
      seen.insert(role.arn);
      out.assumable_roles.push_back({role.arn, via, conditional, IsAdmin(role)});
      auto next = via;
      next.push_back(role.arn);
      queue.emplace_back(&role, std::move(next));
    }
  }

  // Roles it can hand to services.
  for (const IamPrincipal& role : snap.principals()) {
    if (role.kind != IamPrincipal::Kind::kRole || !role.trust) continue;
    if (!Allowed(EvaluateWithBoundary(p->policies, p->boundary, "iam:PassRole", role.arn))) continue;
    for (const PolicyStatement& s : role.trust->statements) {
      if (!s.allow || !ActionMatches(s, "sts:AssumeRole")) continue;
      for (const std::string& service : s.principal_service) {
        PassableRole pr{role.arn, service, IsAdmin(role), false, std::string(LaunchActionFor(service))};
        if (!pr.launch_action.empty()) pr.can_launch = PrincipalReach(*p, pr.launch_action).effective();
        out.passable_roles.push_back(std::move(pr));
      }
    }
  }

  for (const PathSpec& spec : EscalationPaths()) {
    EscalationPath path{std::string(spec.name), std::string(spec.description), {}, false, {}};
    bool open = true;
    for (std::string_view action : spec.actions) {
      Reach r = PrincipalReach(*p, action);
      if (!r.effective()) {
        open = false;
        break;
      }
      path.actions.emplace_back(action);
      path.conditional = path.conditional || r.conditional;
      if (action == spec.actions.front() && spec.pass_to_service.empty()) path.targets = r.resources;
    }
    if (!open) continue;
    if (!spec.pass_to_service.empty()) {
      for (const PassableRole& pr : out.passable_roles) {
        if (pr.service == spec.pass_to_service) path.targets.push_back(pr.role_arn + (pr.admin ? " (admin)" : ""));
      }
      if (path.targets.empty()) continue;  // nothing this service trusts can be passed
    }
    // Changing a role only escalates when the principal can then become that role.
    if ((spec.name == "AttachRolePolicy" || spec.name == "PutRolePolicy") && out.assumable_roles.empty()) continue;
    out.escalation_paths.push_back(std::move(path));
  }
  return out;
}

json BlastRadiusJson(const BlastRadius& r) {
  json sensitive = json::array(), roles = json::array(), passable = json::array(), paths = json::array();
  for (const auto& s : r.sensitive) {
    sensitive.push_back({{"action", s.action}, {"why", s.why}, {"resources", s.resources},
                         {"conditional", s.conditional}, {"granted_by", s.granted_by}});
  }
  for (const auto& h : r.assumable_roles) {
    roles.push_back({{"role", h.role_arn}, {"via", h.via}, {"conditional", h.conditional}, {"admin", h.admin}});
  }
  for (const auto& p : r.passable_roles) {
    passable.push_back({{"role", p.role_arn}, {"service", p.service}, {"admin", p.admin},
                        {"can_launch", p.can_launch}, {"launch_action", p.launch_action}});
  }
  for (const auto& e : r.escalation_paths) {
    paths.push_back({{"name", e.name}, {"description", e.description}, {"actions", e.actions},
                     {"conditional", e.conditional}, {"targets", e.targets}});
  }
  return {{"principal", r.principal_arn}, {"kind", r.kind}, {"admin", r.admin}, {"policies", r.policies},
          {"boundary", r.boundary.empty() ? json() : json(r.boundary)}, {"services", r.services},
          {"sensitive_actions", sensitive}, {"assumable_roles", roles}, {"passable_roles", passable},
          {"escalation_paths", paths}};
}

}  // namespace cloudward::analyze
