#!/usr/bin/env python3
"""Panther's correlation-rule tests as incident-grouping checks.

A Panther correlation rule joins the alerts of several rules on one value (an access key and its
address, a user, a bucket, an instance) within a time window, and its tests list, per rule, the
values and times of the alerts. cloudward has no such rule per story; it must reach the same
conclusion by grouping findings into incidents. For every test of every rule:

  - each alert becomes a CloudTrail record carrying the joined value where CloudTrail carries it
    (sourceIPAddress, userIdentity.accessKeyId / userName / arn, requestParameters.userName /
    roleName / bucketName / instanceId); every other identity in the record (actor, address) is
    unique to that record, so nothing but the joined value can link two records;
  - a Sigma rule per alert group (matching only that group's records) raises the findings, and
    `cloudward hunt` records them in a fresh store;
  - ExpectedResult true: all findings form one incident (Panther fires, so they belong together);
  - ExpectedResult false, when the groups' joined values share nothing: the findings of different
    groups are never in one incident (unrelated activity is never merged). When they do share a
    part (the same address with another key, the same user from another address), linking on that
    part is right for an incident and the test is counted as not applicable to grouping.
  - Absence groups ("sign-in NOT preceded by ...") describe a missing alert: not a grouping
    question; counted as not applicable.

Usage: check_grouping.py CLOUDWARD CORRELATION_RULES_DIR WORK_DIR. Exit 0 pass, 1 fail, 77 skip."""
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIPPED: needs PyYAML (python3-yaml)")
    sys.exit(77)

BASE = datetime.datetime(2026, 3, 2, 10, 0, 0, tzinfo=datetime.timezone.utc)
ACCOUNT = "123456789012"
IP = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3})-?(.*)$")


def parse_time(t):
    if isinstance(t, (int, float)):
        return BASE + datetime.timedelta(minutes=t)
    if isinstance(t, datetime.datetime):
        return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)
    return datetime.datetime.fromisoformat(str(t).replace("Z", "+00:00"))


def parts(field, value):
    """The entities a joined value stands for, as (kind, value) pairs."""
    value = str(value)
    if field.endswith("ip_accessKeyId"):
        m = IP.match(value)
        return {("ip", m.group(1)), ("key", m.group(2))} if m else {("key", value)}
    if field.endswith("ip_and_username"):
        m = IP.match(value)
        return {("ip", m.group(1)), ("user", m.group(2))} if m else {("user", value)}
    if field == "sourceIPAddress":
        return {("ip", value)}
    if field in ("userIdentity.userName", "p_alert_context.actor"):
        return {("user", value.rsplit("/", 1)[-1])}
    if field.endswith("request_username"):
        return {("target_user", value)}
    if field.endswith("request_rolename"):
        return {("target_role", value)}
    if field.endswith("bucketName"):
        return {("bucket", value)}
    if field.endswith("instance_ids"):
        return {("instance", value)}
    raise ValueError("no mapping for match field " + field)


class Records:
    def __init__(self):
        self.n = 0

    def make(self, group_name, entities, when):
        self.n += 1
        n = self.n
        # Unique per record unless the joined value says otherwise.
        ip = "198.51.%d.%d" % (n // 250, n % 250 + 1)
        user = "panther-actor-%d" % n
        key = "AKIAPANTHER%09d" % n
        params = {}
        for kind, value in entities:
            if kind == "ip":
                ip = value
            elif kind == "key":
                key = value
            elif kind == "user":
                user = value
            elif kind == "target_user":
                params["userName"] = value
            elif kind == "target_role":
                params["roleName"] = value
            elif kind == "bucket":
                params["bucketName"] = value
                params["key"] = "object-%d" % n
            elif kind == "instance":
                params["instanceId"] = value
                params["instancesSet"] = {"items": [{"instanceId": value}]}
        return {"eventVersion": "1.09", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": "iam.amazonaws.com", "eventName": group_name, "awsRegion": "us-east-1",
                "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.30", "eventID": "panther-%06d" % n,
                "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT, "requestParameters": params or None,
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, user),
                                 "accountId": ACCOUNT, "accessKeyId": key, "userName": user,
                                 "principalId": "AIDA" + user.upper().replace("-", "")[:16]}}


def rule_yaml(title, event_name, n):
    return ("title: %s\nid: 00000000-0000-4000-8000-%012d\nstatus: test\nlevel: high\n"
            "logsource:\n  product: aws\n  service: cloudtrail\n"
            "detection:\n  selection:\n    eventName: '%s'\n  condition: selection\n"
            "tags:\n  - attack.persistence\n" % (title, n, event_name))


def run_test(binary, work, rule_file, rule, test, match_fields, counter):
    """Returns (status, detail): pass, fail or n/a."""
    if any(g.get("Absence") for g in rule["Detection"][0]["Group"]):
        return "n/a", "absence group"
    outputs = test.get("RuleOutputs") or []
    groups = {}  # group id -> [(event name, entities, time)]
    records = Records()
    events = []
    for i, out in enumerate(outputs):
        gid = out["ID"]
        event_name = "CwPantherGroup%d" % i
        for field, values in (out.get("Matches") or {}).items():
            for value, times in values.items():
                ents = parts(field, value)
                for t in times:
                    events.append(records.make(event_name, ents, parse_time(t)))
                    groups.setdefault(gid, []).append(ents)
    if len(groups) < 2:
        if test["ExpectedResult"]:
            return "fail", "a firing test with fewer than two groups"
        return "n/a", "one group only"

    case = os.path.join(work, "case%d" % counter)
    os.makedirs(os.path.join(case, "rules"))
    for i, out in enumerate(outputs):
        with open(os.path.join(case, "rules", "g%d.yml" % i), "w") as f:
            f.write(rule_yaml("Panther group %s" % out["ID"], "CwPantherGroup%d" % i, counter * 100 + i))
    with open(os.path.join(case, "trail.json"), "w") as f:
        json.dump({"Records": events}, f)
    store = "sqlite://" + os.path.join(case, "store.db")
    p = subprocess.run([binary, "hunt", "--quiet", "--no-default-rules", "--rules", os.path.join(case, "rules"),
                        "--format", "jsonl", "--output", os.path.join(case, "findings.jsonl"), "--store", store,
                        os.path.join(case, "trail.json")], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return "fail", "hunt exited %d: %s" % (p.returncode, p.stderr[-500:])
    p = subprocess.run([binary, "incidents", "list", "--format", "json", "--store", store],
                       capture_output=True, text=True)
    incidents = json.loads(p.stdout)
    per_incident = []
    for inc in incidents:
        shown = json.loads(subprocess.run([binary, "incidents", "show", inc["id"], "--format", "json", "--store", store],
                                          capture_output=True, text=True).stdout)
        per_incident.append({r["title"] for r in shown.get("rules", [])} or
                            {f.get("rule", {}).get("title", "") for f in shown.get("findings", [])})
    titles = {"Panther group %s" % g for g in groups}
    found = set().union(*per_incident) if per_incident else set()
    if found != titles:
        return "fail", "findings of %s were not raised (got %s)" % (sorted(titles - found), sorted(found))
    if test["ExpectedResult"]:
        ok = len(incidents) == 1
        return ("pass" if ok else "fail"), "%d incidents for a firing test" % len(incidents)
    shared = set.intersection(*[set().union(*ents) for ents in groups.values()])
    if shared:
        return "n/a", "the groups share %s" % sorted(shared)
    mixed = [t for t in per_incident if len(t) > 1]
    return ("fail" if mixed else "pass"), ("unrelated groups merged: %s" % mixed if mixed else "kept apart")


def main():
    binary, rules_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]
    if not os.path.isdir(rules_dir):
        print("SKIPPED: %s is absent (the shared data set)" % rules_dir)
        return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    results = {"pass": [], "fail": [], "n/a": []}
    counter = 0
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.yml"))):
        with open(path) as f:
            rule = yaml.safe_load(f)
        fields = [m["Match"] for d in rule["Detection"] for m in d.get("MatchCriteria", {}).get("field_name", [])]
        for test in rule.get("Tests", []):
            counter += 1
            status, detail = run_test(binary, work, path, rule, test, fields, counter)
            line = "%-4s %s / %s (expected %s): %s" % (status, os.path.basename(path), test["Name"],
                                                        test["ExpectedResult"], detail)
            results[status].append(line)
            print(line)
    print("\nPanther correlation tests as grouping checks: %d pass, %d fail, %d not applicable"
          % (len(results["pass"]), len(results["fail"]), len(results["n/a"])))
    return 1 if results["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
