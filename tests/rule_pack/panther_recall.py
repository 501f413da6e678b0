#!/usr/bin/env python3
"""Measures the cloudward rule pack against labelled third-party events and ATT&CK catalogues.

Usage:
  panther_recall.py CLOUDWARD_BINARY [--data DIR] [--rules DIR | --bundled] [--json FILE]
                    [--min-recall FRACTION] [--verbose]

What it measures (each with `cloudward hunt --no-store --format jsonl`):
  1. Panther CloudTrail events without mocks (panther-analysis/panther_aws_tests.jsonl):
     recall = share of expected_result=true events on which the pack raises any finding (goal >= 95%);
     false-finding share = share of expected_result=false events that raise a finding, per Panther rule
     (their near misses are not necessarily benign to us: a failed LeaveOrganization is still worth a
     finding, so read the per-rule table rather than the total).
  2. Panther GuardDuty findings (JSON), VPC flow and S3 server access events. The last two are stored
     parsed by Panther; they are written back as flow-log lines (custom-format header) and S3 access
     log lines with "-" for absent fields, which is what our readers accept. Reported separately: the
     Panther rules for these sources test Panther-specific allowlists.
  3. TrailDiscover (traildiscover/docs): share of its ATT&CK techniques and sub-techniques that our
     rule tags name, share of its attacker-used API names that appear in our detections, and share of
     its sample records (logExamples/) on which the pack raises a finding.

Each event is given a unique eventID (CloudTrail) or its own line (flow, S3) so that hunt's
duplicate-eventID filter cannot merge two test events, and findings are mapped back through that.
Exit status: 0, or 1 when --min-recall is given and CloudTrail recall is below it, 2 on setup errors.
"""
import argparse
import collections
import datetime
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def run_hunt(binary, inputs, rules_args, workdir, tag):
    out = os.path.join(workdir, f"{tag}.findings.jsonl")
    summary = os.path.join(workdir, f"{tag}.summary.json")
    # Inputs first: --rules takes several values and would swallow paths written after it.
    cmd = [binary, "hunt"] + inputs + ["--no-store", "--format", "jsonl", "--output", out, "--summary", summary, "-q"] + rules_args
    proc = subprocess.run(cmd, capture_output=True, text=True)
    # Exit codes: 0 nothing found, 1 findings, 3 some input malformed; 2 and 4 are failures.
    if proc.returncode not in (0, 1, 3):
        sys.stderr.write(f"hunt failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}\n")
        sys.exit(2)
    findings = []
    if os.path.exists(out):
        with open(out) as f:
            for line in f:
                line = line.strip()
                if line:
                    findings.append(json.loads(line))
    stats = {}
    if os.path.exists(summary):
        with open(summary) as f:
            stats = json.load(f)
    return findings, stats


def load_panther(data):
    path = os.path.join(data, "panther-analysis", "panther_aws_tests.jsonl")
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "  n/a"


# ---- CloudTrail ---------------------------------------------------------------------------------
def measure_cloudtrail(binary, rules_args, tests, workdir, verbose):
    cases = [t for t in tests if t["log_type"] == "AWS.CloudTrail" and not t["has_mocks"]]
    path = os.path.join(workdir, "panther_cloudtrail.jsonl")
    with open(path, "w") as f:
        for i, t in enumerate(cases):
            rec = dict(t["log"])
            rec["eventID"] = f"cwtest-{i:05d}"  # unique: hunt drops records with a repeated eventID
            f.write(json.dumps(rec) + "\n")
    findings, stats = run_hunt(binary, [path], rules_args, workdir, "cloudtrail")
    fired = collections.defaultdict(set)  # case index -> rule titles
    for fd in findings:
        rec = fd.get("record")
        eid = rec.get("eventID") if isinstance(rec, dict) else fd.get("event_id")
        if isinstance(eid, str) and eid.startswith("cwtest-"):
            fired[int(eid[7:])].add(fd["rule"]["title"])
    per_rule = collections.defaultdict(lambda: {"pos": 0, "pos_hit": 0, "neg": 0, "neg_hit": 0, "neg_rules": collections.Counter(), "missed": []})
    for i, t in enumerate(cases):
        r = per_rule[t["rule_id"]]
        hit = bool(fired.get(i))
        if t["expected_result"]:
            r["pos"] += 1
            r["pos_hit"] += hit
            if not hit:
                r["missed"].append(t.get("test_name", ""))
        else:
            r["neg"] += 1
            r["neg_hit"] += hit
            for title in fired.get(i, ()):
                r["neg_rules"][title] += 1
    pos = sum(r["pos"] for r in per_rule.values())
    pos_hit = sum(r["pos_hit"] for r in per_rule.values())
    neg = sum(r["neg"] for r in per_rule.values())
    neg_hit = sum(r["neg_hit"] for r in per_rule.values())
    read = stats.get("events", {}).get("cloudtrail")
    print(f"CloudTrail (Panther, no mocks): {len(cases)} events, {read} read by hunt, {len(findings)} findings")
    print(f"  recall on positives:        {pos_hit}/{pos} = {pct(pos_hit, pos)}")
    print(f"  negatives raising findings: {neg_hit}/{neg} = {pct(neg_hit, neg)}")
    print("  missed positives by Panther rule:")
    for rid, r in sorted(per_rule.items()):
        if r["missed"]:
            print(f"    {rid}: {r['pos'] - r['pos_hit']}/{r['pos']} missed" + (f" ({'; '.join(r['missed'])})" if verbose else ""))
    print("  negatives raising findings, by Panther rule (our rule titles):")
    for rid, r in sorted(per_rule.items()):
        if r["neg_hit"]:
            titles = ", ".join(f"{k} x{v}" for k, v in r["neg_rules"].most_common())
            print(f"    {rid}: {r['neg_hit']}/{r['neg']}  [{titles}]")
    return {"events": len(cases), "read": read, "positives": pos, "positives_hit": pos_hit,
            "recall": pos_hit / pos if pos else None, "negatives": neg, "negatives_hit": neg_hit,
            "false_finding_share": neg_hit / neg if neg else None,
            "per_rule": {k: {kk: (dict(vv) if isinstance(vv, collections.Counter) else vv) for kk, vv in v.items()} for k, v in per_rule.items()}}


# ---- line-based sources -------------------------------------------------------------------------
def line_offsets(path):
    offs = []
    pos = 0
    with open(path, "rb") as f:
        for line in f:
            offs.append(pos)
            pos += len(line)
    return offs


def map_by_line(findings, path):
    """Finding -> 0-based line index of its record in `path` (by byte offset)."""
    offs = line_offsets(path)
    index = {o: i for i, o in enumerate(offs)}
    hits = collections.defaultdict(set)
    for fd in findings:
        src = fd.get("source") or {}
        if os.path.basename(str(src.get("file", ""))) != os.path.basename(path):
            continue
        i = index.get(src.get("offset"))
        if i is not None:
            hits[i].add(fd["rule"]["title"])
    return hits


FLOW_FIELDS = ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
               "bytes", "start", "end", "action", "log-status", "vpc-id", "subnet-id", "instance-id", "flow-direction"]
FLOW_FROM_PANTHER = {"srcAddr": "srcaddr", "dstAddr": "dstaddr", "srcPort": "srcport", "dstPort": "dstport",
                     "status": "log-status", "logStatus": "log-status", "instanceId": "instance-id", "vpcId": "vpc-id",
                     "subNetId": "subnet-id", "subnetId": "subnet-id", "flowDirection": "flow-direction",
                     "interfaceId": "interface-id", "accountId": "account-id", "action": "action", "protocol": "protocol",
                     "packets": "packets", "bytes": "bytes", "start": "start", "end": "end", "version": "version"}


def flow_line(log):
    vals = {"version": "5"}
    for k, v in log.items():
        name = FLOW_FROM_PANTHER.get(k)
        if name and v not in (None, "", "null"):
            vals[name] = str(v)
    return " ".join(vals.get(f, "-") for f in FLOW_FIELDS)


S3_FIELDS = ["bucketowner", "bucket", "time", "remoteip", "requester", "requestid", "operation", "key", "requesturi",
             "httpstatus", "errorcode", "bytessent", "objectsize", "totaltime", "turnaroundtime", "referrer", "useragent",
             "versionid", "hostid", "signatureversion", "ciphersuite", "authenticationtype", "hostheader", "tlsversion"]
QUOTED = {"requesturi", "referrer", "useragent"}


def s3_time(value):
    if isinstance(value, str):
        m = re.match(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)", value)
        if m:
            dt = datetime.datetime(*map(int, m.groups()))
            return dt.strftime("[%d/%b/%Y:%H:%M:%S +0000]")
    return "[20/Nov/2026:09:00:00 +0000]"


def s3_line(log):
    out = []
    for f in S3_FIELDS:
        v = log.get(f)
        if f == "time":
            out.append(s3_time(v))
        elif v in (None, ""):
            out.append("\"-\"" if f in QUOTED else "-")
        elif f in QUOTED:
            out.append("\"" + str(v).replace("\"", "\\\"") + "\"")
        else:
            out.append(str(v).replace(" ", "%20"))
    if out[0] == "-":
        out[0] = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    if out[1] == "-":
        out[1] = "example-bucket"
    return " ".join(out)


def measure_lines(binary, rules_args, tests, workdir, log_type, tag, header, render):
    cases = [t for t in tests if t["log_type"] == log_type]
    if not cases:
        return None
    path = os.path.join(workdir, f"panther_{tag}.log")
    with open(path, "w") as f:
        if header:
            f.write(header + "\n")
        for t in cases:
            f.write(render(t["log"]) + "\n")
    findings, stats = run_hunt(binary, [path], rules_args, workdir, tag)
    hits = map_by_line(findings, path)
    first = 1 if header else 0
    return summarise_cases(f"{log_type} (Panther, written as log lines)", cases, lambda i: hits.get(i + first), stats)


def measure_guardduty(binary, rules_args, tests, workdir):
    cases = [t for t in tests if t["log_type"] == "AWS.GuardDuty"]
    if not cases:
        return None
    path = os.path.join(workdir, "panther_guardduty.jsonl")
    with open(path, "w") as f:
        for t in cases:
            f.write(json.dumps(t["log"]) + "\n")
    findings, stats = run_hunt(binary, [path], rules_args, workdir, "guardduty")
    hits = map_by_line(findings, path)
    return summarise_cases("AWS.GuardDuty (Panther)", cases, lambda i: hits.get(i), stats)


def summarise_cases(label, cases, hits_of, stats):
    rows = collections.defaultdict(lambda: [0, 0, 0, 0])
    for i, t in enumerate(cases):
        r = rows[t["rule_id"]]
        hit = bool(hits_of(i))
        if t["expected_result"]:
            r[0] += 1
            r[1] += hit
        else:
            r[2] += 1
            r[3] += hit
    pos = sum(r[0] for r in rows.values())
    pos_hit = sum(r[1] for r in rows.values())
    neg = sum(r[2] for r in rows.values())
    neg_hit = sum(r[3] for r in rows.values())
    print(f"{label}: {len(cases)} events, events read {stats.get('events_total')}, malformed {stats.get('malformed')}")
    print(f"  recall {pos_hit}/{pos} = {pct(pos_hit, pos)}; negatives raising findings {neg_hit}/{neg} = {pct(neg_hit, neg)}")
    for rid, r in sorted(rows.items()):
        print(f"    {rid}: positives {r[1]}/{r[0]}, negatives with findings {r[3]}/{r[2]}")
    return {"events": len(cases), "positives": pos, "positives_hit": pos_hit, "negatives": neg, "negatives_hit": neg_hit,
            "per_rule": {k: {"pos": v[0], "pos_hit": v[1], "neg": v[2], "neg_hit": v[3]} for k, v in rows.items()}}


# ---- ATT&CK / TrailDiscover ---------------------------------------------------------------------
def rule_documents(rules_dir):
    import yaml  # PyYAML; only needed for this part
    docs = []
    for p in sorted(glob.glob(os.path.join(rules_dir, "**", "*.yml"), recursive=True)):
        with open(p) as f:
            for d in yaml.safe_load_all(f):
                if isinstance(d, dict):
                    docs.append(d)
    return docs


def strings_in(node, out):
    if isinstance(node, dict):
        for v in node.values():
            strings_in(v, out)
    elif isinstance(node, list):
        for v in node:
            strings_in(v, out)
    elif isinstance(node, str):
        out.add(node)


def measure_attack(binary, rules_args, rules_dir, data, workdir):
    events_path = os.path.join(data, "traildiscover", "docs", "events.json")
    if not os.path.exists(events_path):
        return None
    try:
        docs = rule_documents(rules_dir)
    except ImportError:
        print("ATT&CK coverage: skipped (PyYAML not installed)")
        return None
    tags = set()
    names = set()
    for d in docs:
        for t in d.get("tags", []) or []:
            m = re.fullmatch(r"attack\.(t\d{4}(?:\.\d{3})?)", str(t).lower())
            if m:
                tags.add(m.group(1).upper())
        det = d.get("detection")
        if det:
            strings_in(det, names)
    with open(events_path) as f:
        events = json.load(f)
    techniques, subtechniques = set(), set()
    api_covered = 0
    for e in events:
        for t in e.get("mitreAttackTechniques", []) or []:
            techniques.add(t.split(" ")[0].upper())
        for t in e.get("mitreAttackSubTechniques", []) or []:
            subtechniques.add(t.split(" ")[0].upper())
        name = e.get("eventName", "")
        # Exact name, or a prefix we match with |startswith that only leaves an API version
        # suffix (Lambda's AddPermission20150331v2 and the like).
        if name in names or any(re.fullmatch(re.escape(n) + r"\d{8}(v\d)?", name) for n in names):
            api_covered += 1
    parents = {t.split(".")[0] for t in tags}
    tech_cov = sorted(t for t in techniques if t in tags or t in parents)
    sub_cov = sorted(t for t in subtechniques if t in tags)
    print(f"ATT&CK (TrailDiscover events.json, {len(events)} APIs):")
    print(f"  techniques covered by our tags:     {len(tech_cov)}/{len(techniques)} = {pct(len(tech_cov), len(techniques))}")
    print(f"  sub-techniques covered by our tags: {len(sub_cov)}/{len(subtechniques)} = {pct(len(sub_cov), len(subtechniques))}")
    print(f"  uncovered techniques: {', '.join(sorted(techniques - set(tech_cov)))}")
    print(f"  attacker APIs named in our detections: {api_covered}/{len(events)} = {pct(api_covered, len(events))}")
    result = {"techniques": len(techniques), "techniques_covered": tech_cov, "subtechniques": len(subtechniques),
              "subtechniques_covered": sub_cov, "apis": len(events), "apis_named": api_covered}
    # Sample records: does the pack raise anything on TrailDiscover's one-record-per-API examples?
    examples = sorted(glob.glob(os.path.join(data, "traildiscover", "docs", "logExamples", "*")))
    if examples:
        path = os.path.join(workdir, "traildiscover_examples.jsonl")
        count = 0
        with open(path, "w") as out:
            for p in examples:
                try:
                    with open(p) as f:
                        recs = json.load(f)
                except (ValueError, OSError):
                    continue
                if isinstance(recs, dict):
                    recs = recs.get("Records", [recs])
                for rec in recs:
                    if isinstance(rec, dict):
                        rec = dict(rec, eventID=f"cwtd-{count:05d}")
                        out.write(json.dumps(rec) + "\n")
                        count += 1
        findings, _ = run_hunt(binary, [path], rules_args, workdir, "traildiscover")
        hit = {fd["record"]["eventID"] for fd in findings if isinstance(fd.get("record"), dict) and "eventID" in fd["record"]}
        print(f"  TrailDiscover sample records raising a finding: {len(hit)}/{count} = {pct(len(hit), count)}")
        result.update({"examples": count, "examples_hit": len(hit)})
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(REPO), "shared", "data"))
    ap.add_argument("--rules", default=os.path.join(REPO, "rules"), help="rule folder to measure (default: the tree's rules/)")
    ap.add_argument("--bundled", action="store_true", help="measure the pack embedded in the binary instead of --rules")
    ap.add_argument("--json", help="write the measurements as JSON to this file")
    ap.add_argument("--min-recall", type=float, help="exit 1 if CloudTrail recall is below this fraction")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.data, "panther-analysis", "panther_aws_tests.jsonl")):
        print(f"skipped: needs {args.data}/panther-analysis (../shared/data)")
        return 0
    rules_args = [] if args.bundled else ["--no-default-rules", "--rules", args.rules]
    tests = load_panther(args.data)
    with tempfile.TemporaryDirectory(prefix="cw_recall_") as workdir:
        result = {"cloudtrail": measure_cloudtrail(args.binary, rules_args, tests, workdir, args.verbose)}
        result["guardduty"] = measure_guardduty(args.binary, rules_args, tests, workdir)
        result["vpcflow"] = measure_lines(args.binary, rules_args, tests, workdir, "AWS.VPCFlow", "vpcflow",
                                          " ".join(FLOW_FIELDS), flow_line)
        result["s3access"] = measure_lines(args.binary, rules_args, tests, workdir, "AWS.S3ServerAccess", "s3access",
                                           None, s3_line)
        result["attack"] = measure_attack(args.binary, rules_args, args.rules, args.data, workdir)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    recall = result["cloudtrail"]["recall"]
    if args.min_recall is not None and (recall is None or recall < args.min_recall):
        print(f"FAIL: CloudTrail recall {recall} below {args.min_recall}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
