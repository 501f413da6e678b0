#!/usr/bin/env python3
"""End-to-end check of IOC lists in `cloudward hunt` (detect/ioc.h).

Usage: check_ioc.py CLOUDWARD WORK_DIR

Runs hunt over input/ (CloudTrail, VPC flow, GuardDuty and S3 access logs) with the lists in lists/
and asserts exactly which events match which indicator, given by flags, by --config, by
$CLOUDWARD_CONFIG and by the default ~/.config/cloudward/cloudward.yaml; then malformed, missing and
badly configured lists, a run without lists, and the store. Every run gets its own HOME and no
$CLOUDWARD_CONFIG unless the case sets them. Exit 0 on success."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT = os.path.join(HERE, "input")
LISTS = os.path.join(HERE, "lists")

# (log type, event: eventID / GuardDuty id / S3 request id / flow srcport, rule id, title)
EXPECTED = {
    ("cloudtrail", "ct-01-exact-ip", "cloudward-ioc-ip",
     "IOC match: source IP 203.0.113.9 (list bad_ips.txt)"),
    ("cloudtrail", "ct-02-v6-cidr", "cloudward-ioc-ip",
     "IOC match: source IP 2001:db8:bad:17::5 in 2001:db8:bad::/48 (list bad_ips.txt)"),
    ("cloudtrail", "ct-03-key", "cloudward-ioc-access-key",
     "IOC match: access key AKIAIOSFODNN7BADKEY1 (list bad_keys.txt)"),
    ("cloudtrail", "ct-04-agent", "cloudward-ioc-user-agent",
     'IOC match: user agent containing "pacu/" (list bad_agents.txt)'),
    ("cloudtrail", "ct-05-endpoint", "cloudward-ioc-domain",
     "IOC match: domain Hooks.Exfil.Evil-C2.example under evil-c2.example in requestParameters.endpoint"
     " (list bad_domains.txt)"),
    ("cloudtrail", "ct-06-hostheader", "cloudward-ioc-domain",
     "IOC match: domain evil-c2.example in tlsDetails.clientProvidedHostHeader (list bad_domains.txt)"),
    ("cloudtrail", "ct-07-two-kinds", "cloudward-ioc-access-key",
     "IOC match: access key AKIAIOSFODNN7BADKEY1 (list bad_keys.txt)"),
    ("cloudtrail", "ct-07-two-kinds", "cloudward-ioc-ip",  # the /32 inside the /24 names the match
     "IOC match: source IP 198.51.100.200 (list bad_ips.txt)"),
    ("cloudtrail", "ct-11-ami-run", "cloudward-ioc-ami",  # request and response name it: one match
     "IOC match: AMI ami-0c7d9e2f4a6b81357 in requestParameters.*.imageId (list bad_amis.txt)"),
    ("cloudtrail", "ct-12-ami-template", "cloudward-ioc-ami",  # listed in upper case
     "IOC match: AMI ami-5e6f7a8b in requestParameters.*.ImageId (list bad_amis.txt)"),
    ("cloudtrail", "ct-13-ami-copy", "cloudward-ioc-ami",
     "IOC match: AMI ami-0c7d9e2f4a6b81357 in requestParameters.sourceImageId (list bad_amis.txt)"),
    ("cloudtrail", "ct-14-ami-asg", "cloudward-ioc-ami",  # launched from a template: the response
     "IOC match: AMI ami-5e6f7a8b in responseElements.*.imageId (list bad_amis.txt)"),
    ("vpcflow", "50001", "cloudward-ioc-ip",
     "IOC match: destination IP 198.51.100.23 in 198.51.100.0/24 (list bad_ips.txt)"),
    ("vpcflow", "50002", "cloudward-ioc-ip", "IOC match: source IP 203.0.113.9 (list bad_ips.txt)"),
    ("vpcflow", "50004", "cloudward-ioc-ip",  # both ends listed: one finding naming both
     "IOC match: source IP 198.51.100.5 in 198.51.100.0/24 (list bad_ips.txt); "
     "destination IP 203.0.113.9 (list bad_ips.txt)"),
    ("guardduty", "gd-01-dns", "cloudward-ioc-domain",
     "IOC match: domain beacon.evil-c2.example under evil-c2.example in service.action.dnsRequestAction.domain"
     " (list bad_domains.txt)"),
    ("guardduty", "gd-02-api", "cloudward-ioc-access-key",
     "IOC match: access key AKIAIOSFODNN7BADKEY1 (list bad_keys.txt)"),
    ("guardduty", "gd-02-api", "cloudward-ioc-ip", "IOC match: remote IP 203.0.113.9 (list bad_ips.txt)"),
    ("guardduty", "gd-03-probe", "cloudward-ioc-ip",  # the second port probe's address
     "IOC match: remote IP 198.51.100.77 in 198.51.100.0/24 (list bad_ips.txt)"),
    ("s3access", "S3REQ0000000001", "cloudward-ioc-ip", "IOC match: source IP 203.0.113.9 (list bad_ips.txt)"),
    ("s3access", "S3REQ0000000002", "cloudward-ioc-user-agent",
     'IOC match: user agent containing "pacu/" (list bad_agents.txt)'),
    ("s3access", "S3REQ0000000003", "cloudward-ioc-domain",
     "IOC match: domain www.evil-c2.example under evil-c2.example in referrer (list bad_domains.txt)"),
    ("s3access", "S3REQ0000000004", "cloudward-ioc-ip",
     "IOC match: source IP 2001:db8:bad::1 in 2001:db8:bad::/48 (list bad_ips.txt)"),
}
# Events that are near misses of every kind; none may produce a finding.
NEAR_MISSES = {"ct-08-near-miss", "ct-09-service", "ct-10-v6-outside", "ct-15-ami-lookup", "ct-16-ami-other",
               "gd-04-near-miss", "S3REQ0000000005", "50003", "50005"}

FLAGS = ["--ioc-ips", os.path.join(LISTS, "bad_ips.txt"), "--ioc-domains", os.path.join(LISTS, "bad_domains.txt"),
         "--ioc-access-keys", os.path.join(LISTS, "bad_keys.txt"),
         "--ioc-user-agents", os.path.join(LISTS, "bad_agents.txt"), "--ioc-amis", os.path.join(LISTS, "bad_amis.txt")]

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


class Run:
    def __init__(self, binary, work, name, args, env=None, store=None, cwd=None):
        home = os.path.join(work, "home-" + name)
        os.makedirs(home, exist_ok=True)
        environment = {k: v for k, v in os.environ.items() if k != "CLOUDWARD_CONFIG"}
        environment["HOME"] = home
        environment.update(env or {})
        self.summary_path = os.path.join(work, name + ".summary.json")
        cmd = [binary, "hunt", "--no-default-rules", "--format", "jsonl", "--summary", self.summary_path]
        cmd += ["--store", store] if store else ["--no-store"]
        proc = subprocess.run(cmd + args + [INPUT], capture_output=True, text=True, env=environment,
                              cwd=cwd or work)
        self.name, self.code, self.stderr = name, proc.returncode, proc.stderr
        self.findings = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        self.summary = json.load(open(self.summary_path)) if os.path.exists(self.summary_path) else None

    def keyed(self):
        out = set()
        for f in self.findings:
            event = f.get("event_id") or f["record"].split()[5]  # flow lines: srcport
            out.add((f["log_type"], event, f["rule"]["id"], f["rule"]["title"]))
        return out


def expect_all(run):
    check(run.code == 1, "%s: exit %d, expected 1\n%s" % (run.name, run.code, run.stderr))
    got = run.keyed()
    for missing in sorted(EXPECTED - got):
        failures.append("%s: missing %s" % (run.name, missing))
    for extra in sorted(got - EXPECTED):
        failures.append("%s: unexpected %s" % (run.name, extra))
    check(not any(k[1] in NEAR_MISSES for k in got), "%s: a near miss matched" % run.name)
    for f in run.findings:
        check(f["rule"]["level"] == "high", "%s: level %s" % (run.name, f["rule"]["level"]))
        check(f["rule"]["tags"], "%s: no tags on %s" % (run.name, f["rule"]["id"]))
    if run.summary is None:
        failures.append("%s: no summary" % run.name)
        return
    by_rule = {}
    for k in EXPECTED:
        by_rule[k[2]] = by_rule.get(k[2], 0) + 1
    check(run.summary["findings_by_rule"] == by_rule,
          "%s: findings_by_rule %s, expected %s" % (run.name, run.summary["findings_by_rule"], by_rule))
    check(run.summary.get("ioc") == {"lists": 5, "rejected": 0,
                                     "indicators": {"ip": 4, "domain": 1, "access-key": 1, "user-agent": 1,
                                                    "ami": 2}},
          "%s: summary ioc %s" % (run.name, run.summary.get("ioc")))
    check(run.summary["events_total"] == 30, "%s: %s events" % (run.name, run.summary["events_total"]))


def write_config(path, lists_dir, extra=""):
    rel = os.path.relpath(lists_dir, os.path.dirname(path))
    with open(path, "w") as f:
        f.write("detection:\n  ioc:\n")
        f.write("    ips: [%s/bad_ips.txt]\n" % rel)
        f.write("    domains: [%s/bad_domains.txt]\n" % rel)
        f.write("    access_keys: [%s/bad_keys.txt]\n" % rel)
        f.write("    user_agents: [%s/bad_agents.txt]\n" % rel)
        f.write("    amis: [%s/bad_amis.txt]\n" % rel)
        f.write(extra)


def main():
    binary, work = sys.argv[1], os.path.abspath(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # 1. Lists from flags.
    expect_all(Run(binary, work, "flags", FLAGS))

    # 2. Lists from --config; relative paths are taken from the configuration's folder, not the
    # working directory (the run happens in another folder).
    config = os.path.join(work, "conf", "cloudward.yaml")
    os.makedirs(os.path.dirname(config))
    write_config(config, LISTS)
    elsewhere = os.path.join(work, "elsewhere")
    os.makedirs(elsewhere)
    expect_all(Run(binary, work, "config", ["--config", config], cwd=elsewhere))

    # 3. ... from $CLOUDWARD_CONFIG, and from the default ~/.config/cloudward/cloudward.yaml.
    expect_all(Run(binary, work, "env", [], env={"CLOUDWARD_CONFIG": config}, cwd=elsewhere))
    home = os.path.join(work, "home-default")
    default = os.path.join(home, ".config", "cloudward", "cloudward.yaml")
    os.makedirs(os.path.dirname(default))
    write_config(default, LISTS)
    expect_all(Run(binary, work, "default", [], cwd=elsewhere))

    # 4. Configuration and flags add up: ips, keys and AMIs from the configuration, the rest by flag.
    partial = os.path.join(work, "conf", "partial.yaml")
    with open(partial, "w") as f:
        f.write("detection:\n  ioc:\n    ips: [%s]\n    access_keys: [%s]\n    amis: [%s]\n"
                % (os.path.join(LISTS, "bad_ips.txt"), os.path.join(LISTS, "bad_keys.txt"),
                   os.path.join(LISTS, "bad_amis.txt")))
    expect_all(Run(binary, work, "mixed", ["--config", partial, "--ioc-domains", os.path.join(LISTS, "bad_domains.txt"),
                                           "--ioc-user-agents", os.path.join(LISTS, "bad_agents.txt")]))

    # 5. No list: no IOC work, no IOC findings, no "ioc" in the summary.
    none = Run(binary, work, "none", [])
    check(none.code == 0, "none: exit %d\n%s" % (none.code, none.stderr))
    check(not none.findings, "none: %d findings" % len(none.findings))
    check(none.summary is not None and "ioc" not in none.summary, "none: summary has ioc")

    # 6. Malformed lines are reported with file:line and reason; the rest of the list still works.
    malformed = os.path.join(LISTS, "malformed_ips.txt")
    bad = Run(binary, work, "malformed", ["--ioc-ips", malformed])
    check(bad.code == 1, "malformed: exit %d\n%s" % (bad.code, bad.stderr))
    reported = [line for line in bad.stderr.splitlines() if "IOC line left out" in line]
    wanted = [
        "%s:3: ip \"10.1.2.3/8\": host bits set after the prefix; the network is 10.0.0.0/8" % malformed,
        "%s:4: ip \"2001:db8::/129\": prefix /129 is longer than 128 bits" % malformed,
        "%s:5: ip \"not-an-address\": not an IPv4 or IPv6 address or CIDR" % malformed,
        "%s:6: ip \"::/0\": prefix /0 would match every address" % malformed,
    ]
    check(reported == ["hunt: IOC line left out: " + w for w in wanted],
          "malformed: stderr lines\n  %s\nexpected\n  %s" % ("\n  ".join(reported), "\n  ".join(wanted)))
    matched = sorted(k[1] for k in bad.keyed())
    want_ids = sorted(["ct-01-exact-ip", "ct-07-two-kinds", "50001", "50002", "50004", "gd-02-api", "gd-03-probe",
                       "S3REQ0000000001"])
    check(matched == want_ids, "malformed: matched %s, expected %s" % (matched, want_ids))
    check(bad.summary and bad.summary["ioc"]["rejected"] == 4 and bad.summary["ioc"]["indicators"]["ip"] == 2,
          "malformed: summary ioc %s" % (bad.summary or {}).get("ioc"))

    # 7. A missing list is a usage error naming the file; so is a list named in the configuration.
    gone = os.path.join(LISTS, "does_not_exist.txt")
    missing = Run(binary, work, "missing", ["--ioc-domains", gone])
    check(missing.code == 2, "missing: exit %d" % missing.code)
    check("%s: cannot read domain list: No such file or directory" % gone in missing.stderr,
          "missing: stderr %r" % missing.stderr)
    check(not missing.findings, "missing: findings printed")
    broken_ref = os.path.join(work, "conf", "missing.yaml")
    with open(broken_ref, "w") as f:
        f.write("detection:\n  ioc:\n    user_agents: [nowhere/agents.txt]\n")
    missing_conf = Run(binary, work, "missing-config", ["--config", broken_ref])
    check(missing_conf.code == 2, "missing-config: exit %d" % missing_conf.code)
    check(os.path.join(work, "conf", "nowhere/agents.txt") in missing_conf.stderr,
          "missing-config: stderr %r" % missing_conf.stderr)

    # 8. A configuration with problems stops the hunt (exit 2) with file:line:column and reason.
    invalid = os.path.join(work, "conf", "invalid.yaml")
    with open(invalid, "w") as f:
        f.write("detection:\n  ioc:\n    ip: [x.txt]\n")
    inv = Run(binary, work, "invalid-config", ["--config", invalid])
    check(inv.code == 2, "invalid-config: exit %d" % inv.code)
    check("%s:3:" % invalid in inv.stderr and "ips" in inv.stderr, "invalid-config: stderr %r" % inv.stderr)

    # 9. Findings go to the store like any other; a second run adds nothing (stable identities).
    store = "sqlite://" + os.path.join(work, "store.db")
    first = Run(binary, work, "store1", FLAGS, store=store)
    check("(%d new findings, 0 already stored" % len(EXPECTED) in first.stderr, "store1: %r" % first.stderr)
    second = Run(binary, work, "store2", FLAGS, store=store)
    check("(0 new findings, %d already stored" % len(EXPECTED) in second.stderr, "store2: %r" % second.stderr)

    if failures:
        print("\n".join(failures))
        return 1
    print("ok: %d expected IOC findings, %d near misses, 9 cases" % (len(EXPECTED), len(NEAR_MISSES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
