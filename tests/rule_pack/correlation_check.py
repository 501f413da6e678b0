#!/usr/bin/env python3
"""Runs the tests of correlation rule files through `cloudward hunt`.

Usage: correlation_check.py CLOUDWARD_BINARY RULES_DIR

For every X.yml that holds a Sigma correlation (multi-document: base rules, then the correlation) and
its X_tests.json {"should_match": [...], "should_not_match": [...]}:
  - the should_match events, written as log files in the format of the rule's log source and hunted
    together with only X.yml loaded, must raise at least one finding of the correlation rule;
  - the should_not_match events, hunted together the same way, must raise none.
Events are written the way AWS delivers them, so the readers, event times and duplicate filter of the
real pipeline are exercised: CloudTrail as {"Records": [...]}, GuardDuty findings as JSON, VPC flow
records as a flow-log file with a custom-format header, S3 access events as server access log lines.
Exit status: 0 all pass, 1 some fail, 2 setup error.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # PyYAML is needed to tell correlation files apart
    print("skipped: needs PyYAML")
    sys.exit(0)

S3_FIELDS = ["bucketowner", "bucket", "time", "remoteip", "requester", "requestid", "operation", "key", "requesturi",
             "httpstatus", "errorcode", "bytessent", "objectsize", "totaltime", "turnaroundtime", "referrer", "useragent",
             "versionid", "hostid", "signatureversion", "ciphersuite", "authenticationtype", "hostheader", "tlsversion"]
QUOTED = {"requesturi", "referrer", "useragent"}


def s3_line(event):
    out = []
    for f in S3_FIELDS:
        v = event.get(f)
        if v is None:
            out.append('"-"' if f in QUOTED else "-")
        elif f in QUOTED:
            out.append('"' + str(v).replace('"', '\\"') + '"')
        else:
            out.append(str(v))
    return " ".join(out)


def write_events(directory, service, events):
    if service == "cloudtrail":
        with open(os.path.join(directory, "cloudtrail.json"), "w") as f:
            json.dump({"Records": events}, f)
    elif service == "guardduty":
        with open(os.path.join(directory, "guardduty.jsonl"), "w") as f:
            for e in events:
                f.write(json.dumps(e) + "\n")
    elif service == "vpcflowlogs":
        fields = []
        for e in events:
            fields += [k for k in e if k not in fields]
        with open(os.path.join(directory, "flow.log"), "w") as f:
            f.write(" ".join(fields) + "\n")
            for e in events:
                f.write(" ".join(str(e.get(k, "-")) for k in fields) + "\n")
    elif service == "s3access":
        with open(os.path.join(directory, "access.log"), "w") as f:
            for e in events:
                f.write(s3_line(e) + "\n")
    else:
        raise ValueError(f"unknown log source service {service}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, root = sys.argv[1], sys.argv[2]
    checked = failed = 0
    for path in sorted(glob.glob(os.path.join(root, "**", "*.yml"), recursive=True)):
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if isinstance(d, dict)]
        correlations = [d for d in docs if "correlation" in d]
        tests_path = path[:-4] + "_tests.json"
        if not correlations or not os.path.exists(tests_path):
            continue
        checked += 1
        corr_id = correlations[-1].get("id")
        service = next((d.get("logsource", {}).get("service") for d in docs if "logsource" in d), None)
        with open(tests_path) as f:
            tests = json.load(f)
        problems = []
        for label, want in (("should_match", True), ("should_not_match", False)):
            events = tests.get(label, [])
            if not events:
                continue
            with tempfile.TemporaryDirectory(prefix="cw_corr_") as d:
                inputs = os.path.join(d, "in")
                os.mkdir(inputs)
                write_events(inputs, service, events)
                out = os.path.join(d, "findings.jsonl")
                # Inputs first: --rules takes several values and would swallow paths after it.
                cmd = [binary, "hunt", inputs, "--no-store", "--format", "jsonl", "-q", "--output", out,
                       "--no-default-rules", "--rules", path]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode not in (0, 1, 3):
                    problems.append(f"{label}: hunt exited {proc.returncode}: {proc.stderr.strip()[:300]}")
                    continue
                findings = []
                if os.path.exists(out):
                    with open(out) as f:
                        findings = [json.loads(line) for line in f if line.strip()]
                n = sum(1 for fd in findings if fd["rule"]["id"] == corr_id)
                if want and n == 0:
                    problems.append(f"{label}: the correlation did not fire on {len(events)} events")
                if not want and n > 0:
                    problems.append(f"{label}: the correlation fired {n} time(s)")
        rel = os.path.relpath(path, root)
        if problems:
            failed += 1
            print(f"FAIL {rel}")
            for p in problems:
                print(f"     {p}")
        else:
            print(f"PASS {rel}")
    print(f"{checked - failed} correlation rule files passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
