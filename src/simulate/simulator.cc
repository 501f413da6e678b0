#include "simulate/simulator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "simulate/generator.h"
#include "simulate/output_sink.h"

namespace cloudward::simulate {
namespace {

enum class Stream { kCloudTrail, kFlow, kGuardDuty };

// Records of one (account, region) waiting to become a file.
struct Pending {
  std::string body;
  int64_t first = 0;
  int64_t last = 0;
  uint32_t count = 0;
  uint32_t target = 0;
};

// Cuts the records of each (account, region) into files the way the AWS delivery does: a file
// per few hundred to few thousand records, or per hour (CloudTrail, flow logs) or six hours
// (GuardDuty export) of activity, whichever comes first. Owns the pending buffers; not
// thread-safe.
class FileCutter {
 public:
  FileCutter(Stream stream, const World& world, const SimulateOptions& options, OutputSink& sink, Random rng)
      : stream_(stream), world_(world), options_(options), sink_(sink), rng_(rng),
        pending_(world.accounts.size() * kRegionCount) {}

  // Appends one serialized record (without separators) at `time`.
  void Add(int account, int region, int64_t time, std::string_view text) {
    Pending& p = pending_[static_cast<size_t>(account) * kRegionCount + region];
    if (p.count == 0) Open(p, account, time);
    else if (stream_ == Stream::kCloudTrail) p.body.push_back(',');
    p.body.append(text);
    Added(p, account, region, time);
  }

  // Lets the caller serialize straight into the buffer: returns it after the separator.
  std::string& Begin(int account, int region, int64_t time) {
    Pending& p = pending_[static_cast<size_t>(account) * kRegionCount + region];
    if (p.count == 0) Open(p, account, time);
    else if (stream_ == Stream::kCloudTrail) p.body.push_back(',');
    return p.body;
  }
  void End(int account, int region, int64_t time) {
    Added(pending_[static_cast<size_t>(account) * kRegionCount + region], account, region, time);
  }

  void FlushAll() {
    for (size_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i].count > 0) {
        Flush(pending_[i], static_cast<int>(i / kRegionCount), static_cast<int>(i % kRegionCount));
      }
    }
  }

  uint64_t records() const { return records_; }
  uint64_t files() const { return files_; }

 private:
  void Open(Pending& p, int account, int64_t time) {
    p.first = time;
    p.target = static_cast<uint32_t>(stream_ == Stream::kCloudTrail ? rng_.Between(300, 2500)
                                     : stream_ == Stream::kFlow     ? rng_.Between(1000, 5000)
                                                                    : rng_.Between(50, 500));
    p.body.reserve(stream_ == Stream::kCloudTrail ? p.target * 1400u : p.target * 160u);
    if (stream_ == Stream::kCloudTrail) p.body.append("{\"Records\":[");
    if (stream_ == Stream::kFlow) p.body.append(FlowHeader(world_.accounts[account]));
  }

  void Added(Pending& p, int account, int region, int64_t time) {
    p.last = std::max(p.last, time);
    ++p.count;
    ++records_;
    const int64_t window = stream_ == Stream::kGuardDuty ? 6 * kHour : kHour;
    if (p.count >= p.target || p.last - p.first >= window) Flush(p, account, region);
  }

  void Flush(Pending& p, int account, int region) {
    if (stream_ == Stream::kCloudTrail) p.body.append("]}");
    const Account& a = world_.accounts[account];
    const std::string_view rname = kRegions[region];
    // Delivery time: the end of the five-minute period of the last record.
    const int64_t delivered = (p.last / (5 * kMinute) + 1) * (5 * kMinute);
    char iso[20];
    FormatDateTime19(delivered, iso);
    const std::string date_dir = std::string(iso, 4) + "/" + std::string(iso + 5, 2) + "/" + std::string(iso + 8, 2);
    const std::string stamp = std::string(iso, 4) + std::string(iso + 5, 2) + std::string(iso + 8, 2) + "T" +
                              std::string(iso + 11, 2) + std::string(iso + 14, 2) + "Z";
    const bool s3 = options_.layout == Layout::kS3;
    const std::string gz = options_.gzip ? ".gz" : "";
    std::filesystem::path dir = options_.out_dir;
    std::string name;
    switch (stream_) {
      case Stream::kCloudTrail:
        dir /= s3 ? "AWSLogs/" + a.id + "/CloudTrail/" + std::string(rname) + "/" + date_dir : std::string("cloudtrail");
        name = a.id + "_CloudTrail_" + std::string(rname) + "_" + stamp + "_" + rng_.Chars(kAlnum, 16) + ".json" + gz;
        break;
      case Stream::kFlow:
        dir /= s3 ? "AWSLogs/" + a.id + "/vpcflowlogs/" + std::string(rname) + "/" + date_dir : std::string("vpcflowlogs");
        name = a.id + "_vpcflowlogs_" + std::string(rname) + "_" + a.flow_log_id[region] + "_" + stamp + "_" +
               rng_.Chars(kLowerHex, 8) + ".log" + gz;
        break;
      case Stream::kGuardDuty: {
        dir /= s3 ? "AWSLogs/" + a.id + "/GuardDuty/" + std::string(rname) + "/" + date_dir : std::string("guardduty");
        std::string uuid;
        AppendUuid(uuid, rng_);
        name = (s3 ? "" : a.id + "_" + std::string(rname) + "_") + uuid + ".jsonl" + gz;
        break;
      }
    }
    sink_.Write(dir / name, std::move(p.body));
    p.body = std::string();
    p.count = 0;
    p.last = 0;
    ++files_;
  }

  Stream stream_;
  const World& world_;
  const SimulateOptions& options_;
  OutputSink& sink_;
  Random rng_;
  std::vector<Pending> pending_;
  uint64_t records_ = 0;
  uint64_t files_ = 0;
};

// Merges the scenario records (sorted by time) into a background stream as time passes.
class ScenarioMerge {
 public:
  ScenarioMerge(const std::vector<PendingRecord>& records, FileCutter& cutter)
      : records_(records), cutter_(cutter) {}
  void Until(int64_t time) {
    while (next_ < records_.size() && records_[next_].time <= time) {
      const PendingRecord& r = records_[next_++];
      cutter_.Add(r.account, r.region, r.time, r.text);
    }
  }
  void Rest() { Until(INT64_MAX); }

 private:
  const std::vector<PendingRecord>& records_;
  FileCutter& cutter_;
  size_t next_ = 0;
};

// Time of the i-th of n records spread evenly over [start, start + span), with jitter inside its slot.
int64_t SlotTime(int64_t start, int64_t span, uint64_t i, uint64_t n, Random& rng) {
  const int64_t slot = span / static_cast<int64_t>(n);
  const int64_t base = start + static_cast<int64_t>((static_cast<Uint128>(span) * i) / n);
  return slot > 1 ? base + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(slot))) : base;
}

std::string WriteScenariosJson(const SimulateOptions& options, const World& world,
                               const std::vector<ScenarioTruth>& truths) {
  std::string out;
  JsonText j(out);
  auto strings = [&](const std::vector<std::string>& v) {
    j.Char('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) j.Char(',');
      j.Str(v[i]);
    }
    j.Char(']');
  };
  j.Raw("{\n  \"generator\": \"cloudward simulate\",\n  \"seed\": ");
  j.Int(static_cast<int64_t>(options.seed));
  j.Raw(",\n  \"start\": ");
  j.Time(options.start_ms);
  j.Raw(",\n  \"end\": ");
  j.Time(options.start_ms + options.days * kDay);
  j.Raw(",\n  \"accounts\": [");
  for (size_t i = 0; i < world.accounts.size(); ++i) {
    j.Raw(i > 0 ? ", {\"id\": " : "{\"id\": ");
    j.Str(world.accounts[i].id);
    j.Raw(", \"name\": ");
    j.Str(world.accounts[i].name);
    j.Char('}');
  }
  j.Raw("],\n  \"scenarios\": [");
  for (size_t i = 0; i < truths.size(); ++i) {
    const ScenarioTruth& t = truths[i];
    j.Raw(i > 0 ? ",\n    {" : "\n    {");
    j.Raw("\"name\": ");
    j.Str(t.name);
    j.Raw(",\n     \"description\": ");
    j.Str(t.description);
    j.Raw(",\n     \"attacker\": {\"access_key_id\": ");
    j.Str(t.access_key_id);
    j.Raw(", \"arn\": ");
    j.Str(t.arn);
    j.Raw(", \"ip\": ");
    j.Str(t.ip);
    j.Raw(", \"user_agent\": ");
    j.Str(t.user_agent);
    j.Raw(", \"other_ips\": ");
    strings(t.other_ips);
    j.Raw("},\n     \"accounts\": [");
    for (size_t k = 0; k < t.accounts.size(); ++k) {
      if (k > 0) j.Char(',');
      j.Str(world.accounts[t.accounts[k]].id);
    }
    j.Raw("], \"regions\": [");
    for (size_t k = 0; k < t.regions.size(); ++k) {
      if (k > 0) j.Char(',');
      j.Str(kRegions[t.regions[k]]);
    }
    j.Raw("],\n     \"start\": ");
    j.Time(t.start_ms);
    j.Raw(", \"end\": ");
    j.Time(t.end_ms);
    j.Raw(",\n     \"flow_records\": ");
    j.Int(static_cast<int64_t>(t.flow_records));
    j.Raw(", \"flow_interfaces\": ");
    strings(t.flow_interfaces);
    j.Raw(",\n     \"guardduty_finding_ids\": ");
    strings(t.finding_ids);
    j.Raw(",\n     \"cloudtrail_event_ids\": ");
    strings(t.event_ids);
    j.Char('}');
  }
  j.Raw("\n  ]\n}\n");
  return out;
}

}  // namespace

const std::vector<std::string>& AllScenarioNames() { return ScenarioNamesInternal(); }

Result<std::vector<std::string>> ParseScenarioList(std::string_view list) {
  if (list == "all") return AllScenarioNames();
  std::vector<std::string> names;
  if (list == "none" || list.empty()) return names;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string name(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    const auto& all = AllScenarioNames();
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      std::string known;
      for (const auto& n : all) known += (known.empty() ? "" : ", ") + n;
      return Fail(ErrorCode::kInvalidArgument, "unknown scenario '" + name + "' (known: " + known + ")");
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  }
  return names;
}

Result<SimulateSummary> Simulate(const SimulateOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.out_dir.empty()) return Fail(ErrorCode::kInvalidArgument, "no output folder given");
  if (options.accounts < 1 || options.accounts > 8) {
    return Fail(ErrorCode::kInvalidArgument, "--accounts must be between 1 and 8");
  }
  if (options.events < 0) return Fail(ErrorCode::kInvalidArgument, "--events must not be negative");
  if (options.days < 1 || options.days > 3660) return Fail(ErrorCode::kInvalidArgument, "--days must be 1..3660");
  for (const std::string& name : options.scenarios) {
    if (auto parsed = ParseScenarioList(name); !parsed) return tl::unexpected(parsed.error());
  }
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return Fail(ErrorCode::kIo, options.out_dir.string() + ": " + ec.message());

  Random root(options.seed);
  Random world_rng = root.Fork(1);
  const World world = BuildWorld(world_rng, options.accounts);
  const int64_t span = options.days * kDay;
  ScenarioOutput scenarios = BuildScenarios(world, root.Fork(2), options.scenarios, options.start_ms, span);

  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  OutputSink sink({.gzip = options.gzip, .compression_level = 1, .threads = std::max(1, threads)});
  SimulateSummary summary;

  // CloudTrail: the requested total, scenario records included.
  {
    FileCutter cutter(Stream::kCloudTrail, world, options, sink, root.Fork(3));
    ScenarioMerge merge(scenarios.cloudtrail, cutter);
    BackgroundActivity background(world, root.Fork(4));
    Random ids = root.Fork(5);
    Random times = root.Fork(6);
    const uint64_t n = static_cast<uint64_t>(
        std::max<int64_t>(0, options.events - static_cast<int64_t>(scenarios.cloudtrail.size())));
    for (uint64_t i = 0; i < n; ++i) {
      const int64_t t = SlotTime(options.start_ms, span, i, n, times);
      merge.Until(t);
      const ApiCall& call = background.NextCall(t);
      const int account = call.who->account;
      std::string& out = cutter.Begin(account, call.region, t);
      WriteRecord(out, call, ids, nullptr);
      cutter.End(account, call.region, t);
    }
    merge.Rest();
    cutter.FlushAll();
    summary.cloudtrail_events = cutter.records();
    summary.cloudtrail_files = cutter.files();
  }
  // VPC flow logs: half as many records as CloudTrail events.
  {
    FileCutter cutter(Stream::kFlow, world, options, sink, root.Fork(7));
    ScenarioMerge merge(scenarios.flows, cutter);
    BackgroundActivity background(world, root.Fork(8));
    Random times = root.Fork(9);
    const uint64_t n = static_cast<uint64_t>(options.events / 2);
    for (uint64_t i = 0; i < n; ++i) {
      const int64_t t = SlotTime(options.start_ms, span, i, n, times);
      merge.Until(t);
      int account = 0, region = 0;
      const Flow& flow = background.NextFlow(t, account, region);
      std::string& out = cutter.Begin(account, region, t);
      WriteFlow(out, world.accounts[account], flow);
      cutter.End(account, region, t);
    }
    merge.Rest();
    cutter.FlushAll();
    summary.flow_records = cutter.records();
    summary.flow_files = cutter.files();
  }
  // GuardDuty: a low, steady rate of low-severity findings besides the scenarios'.
  {
    FileCutter cutter(Stream::kGuardDuty, world, options, sink, root.Fork(10));
    ScenarioMerge merge(scenarios.findings, cutter);
    BackgroundActivity background(world, root.Fork(11));
    Random ids = root.Fork(12);
    Random times = root.Fork(13);
    const uint64_t n = static_cast<uint64_t>(std::max<int64_t>(2 * options.accounts, options.events / 20000));
    for (uint64_t i = 0; i < n; ++i) {
      const int64_t t = SlotTime(options.start_ms, span, i, n, times);
      merge.Until(t);
      const FindingSpec& spec = background.NextFinding(t);
      std::string& out = cutter.Begin(spec.account, spec.region, t);
      WriteFinding(out, world, spec, ids, nullptr);
      cutter.End(spec.account, spec.region, t);
    }
    merge.Rest();
    cutter.FlushAll();
    summary.guardduty_findings = cutter.records();
    summary.guardduty_files = cutter.files();
  }
  if (Status s = sink.Finish(); !s) return tl::unexpected(s.error());

  const std::string truth = WriteScenariosJson(options, world, scenarios.truths);
  const std::filesystem::path truth_path = options.out_dir / "scenarios.json";
  if (FILE* f = std::fopen(truth_path.c_str(), "wb"); f != nullptr) {
    const bool ok = std::fwrite(truth.data(), 1, truth.size(), f) == truth.size();
    if (std::fclose(f) != 0 || !ok) return Fail(ErrorCode::kIo, truth_path.string() + ": write failed");
  } else {
    return Fail(ErrorCode::kIo, truth_path.string() + ": cannot create");
  }
  summary.raw_bytes = sink.raw_bytes() + truth.size();
  summary.written_bytes = sink.written_bytes() + truth.size();
  for (const ScenarioTruth& t : scenarios.truths) {
    summary.scenarios.push_back({t.name, t.event_ids.size(), t.flow_records, t.finding_ids.size()});
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace cloudward::simulate
