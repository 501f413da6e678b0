#!/usr/bin/env python3
"""Golden end-to-end runner: runs `cloudward hunt` on tests/golden/<case>/input with the rules in
<case>/rules (and <case>/args.txt extra flags, if present) and compares a stable projection of its
findings and summary with <case>/expected.json.

  run_golden.py CLOUDWARD CASE_DIR [--update]

The projection keeps what must not drift (rule id, log type, event time and id, source file
relative to the case and offset, event counts, error files and reasons) and drops what may
(timings, absolute paths)."""
import json
import os
import subprocess
import sys
import tempfile


def project(case_dir, findings, summary):
    def rel(path):
        return os.path.relpath(path, case_dir) if os.path.isabs(path) else path

    items = sorted(
        (
            {
                "rule": f["rule"]["id"],
                "level": f["rule"]["level"],
                "log_type": f["log_type"],
                "time": f["time"],
                "event_id": f.get("event_id"),
                "account": f.get("account"),
                "actor": f["actor"].get("arn"),
                "source_ip": f.get("source_ip"),
                "source": "%s:%d" % (rel(f["source"]["file"]), f["source"]["offset"]),
            }
            for f in findings
        ),
        key=lambda x: (x["time"] or "", x["source"], x["rule"]),
    )
    summary_view = {
        k: summary[k]
        for k in ("files", "events", "duplicates", "malformed", "filtered", "skipped", "findings", "findings_by_rule")
        if k in summary
    }
    summary_view["errors"] = sorted("%s: %s" % (rel(e["file"]), e["reason"]) for e in summary.get("errors", []))
    return {"findings": items, "summary": summary_view}


def check_other_outputs(cmd, lines, findings, tmp, case_dir):
    """The same hunt through the other output paths: with a store (findings kept in memory, not
    spilled) the lines must be the same bytes; with --no-record, the same findings without
    "record", in the same order. Returns what differs, or None."""
    stored = cmd[:]
    stored[stored.index("--no-store")] = "--store=sqlite://" + os.path.join(tmp, "store.db")
    proc = subprocess.run(stored, capture_output=True, text=True, cwd=case_dir)
    if proc.stdout != lines:
        return "hunt with a store wrote other lines than hunt --no-store"
    proc = subprocess.run(cmd + ["--no-record"], capture_output=True, text=True, cwd=case_dir)
    bare = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    expected = [{k: v for k, v in f.items() if k != "record"} for f in findings]
    if bare != expected:
        return "hunt --no-record did not write the findings without their records"
    return None


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    binary, case_dir = sys.argv[1], os.path.abspath(sys.argv[2])
    update = "--update" in sys.argv[3:] or os.environ.get("CW_GOLDEN_UPDATE") == "1"
    args = []
    args_file = os.path.join(case_dir, "args.txt")
    if os.path.exists(args_file):
        args = open(args_file).read().split()
    with tempfile.TemporaryDirectory() as tmp:
        summary_path = os.path.join(tmp, "summary.json")
        cmd = [binary, "hunt", "--no-store", "--quiet", "--format", "jsonl", "--summary", summary_path]
        if os.path.isdir(os.path.join(case_dir, "rules")):
            cmd += ["--no-default-rules", "--rules", os.path.join(case_dir, "rules")]
        cmd += args + [os.path.join(case_dir, "input")]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=case_dir)
        if proc.returncode not in (0, 1, 3):
            print("cloudward failed with exit code %d\n%s" % (proc.returncode, proc.stderr))
            return 1
        findings = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        summary = json.load(open(summary_path))
        problem = check_other_outputs(cmd, proc.stdout, findings, tmp, case_dir)
        if problem:
            print("%s: %s" % (os.path.basename(case_dir), problem))
            return 1
    actual = project(case_dir, findings, summary)
    actual["exit_code"] = proc.returncode
    expected_path = os.path.join(case_dir, "expected.json")
    if update or not os.path.exists(expected_path):
        with open(expected_path, "w") as f:
            json.dump(actual, f, indent=2, sort_keys=True)
            f.write("\n")
        print("updated %s" % expected_path)
        return 0 if update else 1
    expected = json.load(open(expected_path))
    if expected != actual:
        print("golden mismatch for %s" % case_dir)
        for key in ("exit_code", "summary", "findings"):
            if expected.get(key) != actual.get(key):
                print("--- expected %s:\n%s" % (key, json.dumps(expected.get(key), indent=1, sort_keys=True)[:4000]))
                print("+++ actual %s:\n%s" % (key, json.dumps(actual.get(key), indent=1, sort_keys=True)[:4000]))
        print("(re-run with --update or CW_GOLDEN_UPDATE=1 after checking the change is right)")
        return 1
    print("golden ok: %s (%d findings)" % (os.path.basename(case_dir), len(actual["findings"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
