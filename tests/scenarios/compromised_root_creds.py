#!/usr/bin/env python3
"""Panther's "compromised AWS root credentials" story as delivered logs, hunted into one incident.

Usage: compromised_root_creds.py CLOUDWARD WORK_DIR [DATA_DIR]

../shared/data/panther-analysis/test_scenarios/compromised-root-creds holds one attack told across
CloudTrail (victim and attacker), VPC flow logs and S3 server access logs (YAML with the records).
They are written out the way AWS delivers them (CloudTrail {"Records": [...]} files, a flow-log file
in the default format, an S3 access-log file; every CloudTrail record gets its own eventID, since the
templates reuse "1"), hunted into a fresh SQLite store, and the incidents are checked:
  - one incident holds the attacker's activity (address 92.55.146.245): the root console logins,
    the persistence it built (user, access key), CloudTrail being stopped, and evidence from more
    than one log type;
  - the legitimate team's address (71.253.251.71) is in no incident with the attacker.
Exit 77 (ctest skip) when the shared data or PyYAML is absent."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import Checks  # noqa: E402

ATTACKER_IP = "92.55.146.245"
LEGIT_IP = "71.253.251.71"


def main():
    binary, work = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "..", "shared", "data")
    scenario = os.path.join(data, "panther-analysis", "test_scenarios", "compromised-root-creds")
    if not os.path.isdir(scenario):
        print("SKIPPED: %s not found (../shared/data is absent in this checkout)" % scenario)
        return 77
    try:
        import yaml
    except ImportError:
        print("SKIPPED: needs PyYAML")
        return 77

    shutil.rmtree(work, ignore_errors=True)
    logs = os.path.join(work, "logs")
    os.makedirs(logs)
    records, n = [], 0
    for name in ("victim_cloudtrail.yml", "attacker_cloudtrail.yml"):
        doc = yaml.safe_load(open(os.path.join(scenario, name)))
        for r in doc["Logs"]:
            n += 1
            r["eventID"] = "panther-root-%04d" % n
            records.append(r)
    with open(os.path.join(logs, "cloudtrail.json"), "w") as f:
        json.dump({"Records": records}, f, default=str)
    vpc = yaml.safe_load(open(os.path.join(scenario, "attacker_vpc.yml")))["Logs"]
    with open(os.path.join(logs, "vpcflow.log"), "w") as f:
        f.write("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
        f.write("\n".join(vpc) + "\n")
    s3 = yaml.safe_load(open(os.path.join(scenario, "attacker_s3_access.yml")))["Logs"]
    with open(os.path.join(logs, "s3access.log"), "w") as f:
        f.write("\n".join(s3) + "\n")

    store = ["--store", "sqlite://" + os.path.join(work, "store.db")]
    hunt = subprocess.run([binary, "hunt", "--quiet", "--format", "jsonl", "--summary", os.path.join(work, "summary.json")]
                          + store + [logs], capture_output=True, text=True)
    if hunt.returncode not in (0, 1):
        sys.exit("hunt failed (%d): %s" % (hunt.returncode, hunt.stderr))
    findings = [json.loads(line) for line in hunt.stdout.splitlines() if line.strip()]
    summary = json.load(open(os.path.join(work, "summary.json")))
    incidents = json.loads(subprocess.run([binary, "incidents", "list", "--format", "json"] + store,
                                          capture_output=True, text=True, check=True).stdout)
    checks = Checks(echo=False)
    check = checks.check

    check(summary["events"]["cloudtrail"] == len(records), "all %d CloudTrail records read" % len(records))
    check(summary["events"]["vpcflow"] == len(vpc) and summary["events"]["s3access"] == len(s3),
          "flow and S3 access records read: %s" % summary["events"])
    check(summary["malformed"] == 0, "no malformed input: %s" % summary.get("errors"))
    attacker = [i for i in incidents if ATTACKER_IP in i["source_ips"]]
    check(len(attacker) == 1, "exactly one incident holds the attacker's address (got %d)" % len(attacker))
    if attacker:
        inc = attacker[0]
        check(LEGIT_IP not in inc["source_ips"], "the legitimate team's address is not merged into the attack")
        check(len(inc["log_types"]) >= 2, "evidence from more than one log type: %s" % inc["log_types"])
        check(inc["severity"] in ("high", "critical"), "severity high or critical: %s" % inc["severity"])
        names = {f["event_name"] for f in findings if f.get("source_ip") == ATTACKER_IP}
        for wanted in ("ConsoleLogin", "CreateUser", "CreateAccessKey", "StopLogging"):
            check(wanted in names, "a finding on the attacker's %s" % wanted)
        check({"persistence", "defense-evasion"} <= set(inc["tactics"]), "ATT&CK tactics: %s" % inc["tactics"])
        print("incident %s: %s, severity %s, %d findings, log types %s, tactics %s" %
              (inc["id"], inc["title"], inc["severity"], inc["finding_count"], inc["log_types"], inc["tactics"]))
    return checks.finish("compromised-root-creds", "%d records (%d CloudTrail, %d flow, %d S3 access) -> %d findings, %d incidents" %
                         (len(records) + len(vpc) + len(s3), len(records), len(vpc), len(s3), len(findings), len(incidents)))


if __name__ == "__main__":
    sys.exit(main())
