#include "prepare/snapshot.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace cloudward::prepare {

aws::AwsClient& RegionClients::For(const std::string& region) {
  std::lock_guard lock(mu_);
  auto& slot = clients_[region];
  if (!slot) {
    aws::ClientConfig config = base_;
    config.region = region;
    slot = std::make_unique<aws::AwsClient>(std::move(config));
  }
  return *slot;
}

aws::AwsClient& RegionClients::Probe(const std::string& region) {
  std::lock_guard lock(mu_);
  auto& slot = probes_[region];
  if (!slot) {
    aws::ClientConfig config = base_;
    config.region = region;
    config.retry.max_attempts = 1;
    slot = std::make_unique<aws::AwsClient>(std::move(config));
  }
  return *slot;
}

aws::AwsClient& RegionClients::Home() {
  std::lock_guard lock(mu_);
  if (!home_) home_ = std::make_unique<aws::AwsClient>(base_);
  return *home_;
}

namespace {
bool ValidRegionName(const std::string& r) {
  if (r.size() < 4 || r.size() > 32 || r.find('-') == std::string::npos) return false;
  return std::all_of(r.begin(), r.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}
}  // namespace

Result<std::vector<std::string>> ResolveRegions(RegionClients& clients, const std::vector<std::string>& requested) {
  if (!requested.empty()) {
    for (const auto& r : requested) {
      if (!ValidRegionName(r)) return Fail(ErrorCode::kInvalidArgument, "'" + r + "' is not an AWS region name");
    }
    std::vector<std::string> out = requested;
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  auto regions = aws::ec2::DescribeRegions(clients.Home());
  if (!regions) return Fail(regions.error().code, "cannot list the enabled regions: " + regions.error().Describe());
  std::sort(regions->begin(), regions->end());
  return *regions;
}

const Gap* AccountSnapshot::FindGap(std::string_view region, std::string_view section_prefix) const {
  for (const auto& g : gaps) {
    if (g.region == region && std::string_view(g.section).starts_with(section_prefix)) return &g;
  }
  return nullptr;
}

namespace {

// Collects gaps from worker threads.
class GapLog {
 public:
  void Add(Gap g) {
    std::lock_guard lock(mu_);
    gaps_.push_back(std::move(g));
  }
  std::vector<Gap> Take() {
    std::lock_guard lock(mu_);
    return std::move(gaps_);
  }

 private:
  std::mutex mu_;
  std::vector<Gap> gaps_;
};

// Stores the value of `result` in `out`, or records the gap.
template <class T>
void Keep(aws::AwsResult<T> result, T* out, GapLog& log, const std::string& region, const std::string& section) {
  if (result) {
    *out = std::move(*result);
  } else {
    log.Add({region, section, result.error().Describe()});
  }
}

// `probe` tries once, for the APIs a region or endpoint may not offer at all (as readiness does
// for Access Analyzer): a refusal or a server error leaves the gap at once, without backoff.
RegionSnapshot CollectRegion(aws::AwsClient& aws, aws::AwsClient& probe, const std::string& region, GapLog& log) {
  RegionSnapshot r;
  r.region = region;
  Keep(aws::ec2::DescribeVpcs(aws), &r.vpcs, log, region, "ec2:DescribeVpcs");
  Keep(aws::ec2::DescribeSubnets(aws), &r.subnets, log, region, "ec2:DescribeSubnets");
  Keep(aws::ec2::DescribeRouteTables(aws), &r.route_tables, log, region, "ec2:DescribeRouteTables");
  Keep(aws::ec2::DescribeInternetGateways(aws), &r.internet_gateways, log, region, "ec2:DescribeInternetGateways");
  Keep(aws::ec2::DescribeNatGateways(aws), &r.nat_gateways, log, region, "ec2:DescribeNatGateways");
  Keep(aws::ec2::DescribeSecurityGroupRules(aws), &r.security_groups, log, region, "ec2:DescribeSecurityGroups");
  Keep(aws::ec2::DescribeNetworkAclRules(aws), &r.network_acls, log, region, "ec2:DescribeNetworkAcls");
  Keep(aws::ec2::DescribeInstances(aws, {}), &r.instances, log, region, "ec2:DescribeInstances");
  Keep(aws::ec2::DescribeVolumes(aws), &r.volumes, log, region, "ec2:DescribeVolumes");
  Keep(aws::ec2::DescribeNetworkInterfaceDetails(aws), &r.network_interfaces, log, region,
       "ec2:DescribeNetworkInterfaces");
  Keep(aws::ec2::DescribeAddresses(aws), &r.addresses, log, region, "ec2:DescribeAddresses");
  Keep(aws::rds::DescribeDbInstances(aws), &r.databases, log, region, "rds:DescribeDBInstances");

  std::vector<std::string> tables;
  Keep(aws::dynamodb::ListTables(aws), &tables, log, region, "dynamodb:ListTables");
  for (const auto& name : tables) {
    TableInfo t{.name = name};
    if (auto arn = aws::dynamodb::DescribeTableArn(aws, name)) t.arn = *arn;
    if (auto pitr = aws::dynamodb::GetPointInTimeRecovery(aws, name)) {
      t.pitr = *pitr;
    } else {
      log.Add({region, "dynamodb:DescribeContinuousBackups " + name, pitr.error().Describe()});
    }
    r.tables.push_back(std::move(t));
  }

  std::vector<aws::lambda::Function> functions;
  Keep(aws::lambda::ListFunctions(aws), &functions, log, region, "lambda:ListFunctions");
  for (auto& fn : functions) {
    FunctionInfo info{.function = std::move(fn)};
    auto url = aws::lambda::GetFunctionUrlAuthType(aws, info.function.name);
    if (url) {
      info.url_auth = *url;
    } else if (url.error().code != ErrorCode::kNotFound) {
      log.Add({region, "lambda:GetFunctionUrlConfig " + info.function.name, url.error().Describe()});
    }
    r.functions.push_back(std::move(info));
  }

  std::vector<aws::elbv2::LoadBalancer> lbs;
  Keep(aws::elbv2::DescribeLoadBalancers(aws), &lbs, log, region, "elbv2:DescribeLoadBalancers");
  for (auto& lb : lbs) {
    LoadBalancerInfo info{.lb = std::move(lb)};
    Keep(aws::elbv2::DescribeListeners(aws, info.lb.arn), &info.listeners, log, region,
         "elbv2:DescribeListeners " + info.lb.name);
    Keep(aws::elbv2::DescribeTargets(aws, info.lb.arn), &info.targets, log, region,
         "elbv2:DescribeTargetHealth " + info.lb.name);
    r.load_balancers.push_back(std::move(info));
  }

  if (!r.instances.empty()) {
    Keep(aws::ssm::ListResourceComplianceSummaries(probe, "Patch"), &r.patch_compliance, log, region,
         "ssm:ListResourceComplianceSummaries");
  }
  return r;
}

BucketInfo CollectBucket(RegionClients& clients, const std::string& name, GapLog& log) {
  BucketInfo b{.name = name, .region = "us-east-1"};
  auto region = aws::s3::GetBucketLocation(clients.Home(), name);
  if (region) {
    b.region = *region;
  } else {
    log.Add({"global", "s3:GetBucketLocation " + name, region.error().Describe()});
  }
  aws::AwsClient& aws = clients.For(b.region);
  auto note = [&](const char* section, const aws::AwsError& e) {
    b.unread.push_back(section);
    log.Add({b.region, std::string(section) + " " + name, e.Describe()});
  };
  if (auto pab = aws::s3::GetPublicAccessBlock(aws, name)) {
    b.public_access_block = *pab;
  } else if (pab.error().code != ErrorCode::kNotFound) {
    note("s3:GetPublicAccessBlock", pab.error());
  }
  if (auto policy = aws::s3::GetBucketPolicy(aws, name)) {
    b.policy = *policy;
  } else if (policy.error().code != ErrorCode::kNotFound) {
    note("s3:GetBucketPolicy", policy.error());
  }
  if (auto acl = aws::s3::GetBucketAcl(aws, name)) {
    b.acl = *acl;
  } else {
    note("s3:GetBucketAcl", acl.error());
  }
  if (auto enc = aws::s3::GetBucketEncryption(aws, name)) {
    b.encryption = *enc;
  } else if (enc.error().code != ErrorCode::kNotFound) {
    note("s3:GetBucketEncryption", enc.error());
  }
  if (auto logging = aws::s3::GetBucketLoggingTarget(aws, name)) {
    b.logging_target = *logging;
  } else {
    note("s3:GetBucketLogging", logging.error());
  }
  if (auto versioning = aws::s3::GetBucketVersioningState(aws, name)) {
    b.versioning = *versioning;
  } else {
    note("s3:GetBucketVersioning", versioning.error());
  }
  if (auto lock = aws::s3::GetObjectLockEnabled(aws, name)) {
    b.object_lock = *lock;
  } else {
    note("s3:GetObjectLockConfiguration", lock.error());
  }
  if (auto tags = aws::s3::GetBucketTagging(aws, name)) {
    b.tags = *tags;
  } else {
    note("s3:GetBucketTagging", tags.error());
  }
  return b;
}

void CollectIam(aws::AwsClient& aws, AccountSnapshot& snap, GapLog& log) {
  Keep(aws::iam::GetAccountSummary(aws), &snap.account_summary, log, "global", "iam:GetAccountSummary");
  aws::iam::AuthorizationDetails details;
  Keep(aws::iam::GetAccountAuthorizationDetails(aws), &details, log, "global", "iam:GetAccountAuthorizationDetails");
  snap.roles = std::move(details.roles);
  snap.policies = std::move(details.policies);
  for (auto& user : details.users) {
    UserInfo info{.user = std::move(user)};
    const std::string& name = info.user.user_name;
    if (auto console = aws::iam::HasLoginProfile(aws, name)) {
      info.console_access = *console;
    } else {
      log.Add({"global", "iam:GetLoginProfile " + name, console.error().Describe()});
    }
    if (auto mfa = aws::iam::CountMfaDevices(aws, name)) {
      info.mfa_devices = *mfa;
    } else {
      log.Add({"global", "iam:ListMFADevices " + name, mfa.error().Describe()});
    }
    Keep(aws::iam::ListAccessKeys(aws, name), &info.access_keys, log, "global", "iam:ListAccessKeys " + name);
    for (const auto& k : info.access_keys) {
      if (k.status != "Active") continue;
      if (auto used = aws::iam::GetAccessKeyLastUsed(aws, k.access_key_id)) {
        info.key_last_used[k.access_key_id] = std::move(*used);
      } else {
        log.Add({"global", "iam:GetAccessKeyLastUsed " + k.access_key_id, used.error().Describe()});
      }
    }
    snap.users.push_back(std::move(info));
  }
}

}  // namespace

AccountSnapshot CollectSnapshot(RegionClients& clients, const std::vector<std::string>& regions,
                                const CollectOptions& options, int64_t now_ms) {
  AccountSnapshot snap;
  snap.taken_ms = now_ms;
  GapLog log;
  if (auto who = aws::sts::GetCallerIdentity(clients.Home())) {
    snap.account_id = who->account;
  } else {
    log.Add({"global", "sts:GetCallerIdentity", who.error().Describe()});
  }

  snap.regions.resize(regions.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mu;
  auto worker = [&] {
    for (size_t i = next++; i < regions.size(); i = next++) {
      snap.regions[i] = CollectRegion(clients.For(regions[i]), clients.Probe(regions[i]), regions[i], log);
      size_t n = ++done;
      if (options.progress) {
        std::lock_guard lock(progress_mu);
        options.progress("region " + std::to_string(n) + "/" + std::to_string(regions.size()) + ": " + regions[i] +
                         " read");
      }
    }
  };
  size_t threads = std::min<size_t>(static_cast<size_t>(std::max(1, options.parallelism)),
                                    std::max<size_t>(1, regions.size()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  if (options.buckets) {
    std::vector<aws::s3::Bucket> buckets;
    Keep(aws::s3::ListBuckets(clients.Home()), &buckets, log, "global", "s3:ListBuckets");
    for (const auto& b : buckets) snap.buckets.push_back(CollectBucket(clients, b.name, log));
    if (snap.account_id.empty()) {
      log.Add({"global", "s3control:GetPublicAccessBlock", "the account id is not known (sts:GetCallerIdentity failed)"});
    } else {
      auto pab = aws::s3control::GetPublicAccessBlock(clients.Home(), snap.account_id);
      if (pab) {
        snap.account_public_access_block = *pab;
      } else if (pab.error().code != ErrorCode::kNotFound) {
        log.Add({"global", "s3control:GetPublicAccessBlock", pab.error().Describe()});
      }
    }
    if (options.progress && !buckets.empty()) options.progress(std::to_string(buckets.size()) + " bucket(s) read");
  }
  if (options.iam) {
    CollectIam(clients.Home(), snap, log);
    if (options.progress) options.progress("IAM read");
  }
  snap.gaps = log.Take();
  return snap;
}

}  // namespace cloudward::prepare
