#!/usr/bin/env python3
"""End-to-end check of `cloudward timeline` on a simulated breach.

Usage: check_timeline.py CLOUDWARD WORK_DIR

`cloudward simulate` writes a day of organisation logs with the compromised-access-key scenario and its
ground truth (scenarios.json: the attacker's key, address and the eventIDs of every attacker call).
The timeline of the attacker's access key must hold every one of those calls, only calls made with that
key, in time order, and its persistence summary must name the user, access keys and policies the
attacker created. The timeline of the attacker's address must hold the same calls. Exit 0 on success."""
import json
import os
import shutil
import subprocess
import sys


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, proc.stderr))
    return proc.stdout


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    logs = os.path.join(work, "logs")
    run([binary, "simulate", "--out", logs, "--seed", "11", "--events", "20000", "--days", "2",
         "--scenarios", "compromised-access-key", "-q"])
    truth = json.load(open(os.path.join(logs, "scenarios.json")))["scenarios"][0]
    key, ip = truth["attacker"]["access_key_id"], truth["attacker"]["ip"]
    expected_ids = set(truth["cloudtrail_event_ids"])
    failures = []

    doc = json.loads(run([binary, "timeline", "--access-key", key, "--format", "json", "-q",
                          logs]))
    events, summary = doc["events"], doc["summary"]
    ids = {e["event_id"] for e in events}
    if not expected_ids <= ids:
        failures.append("attacker calls missing from the key's timeline: %s" % sorted(expected_ids - ids)[:5])
    strangers = [e for e in events if e["actor"]["access_key_id"] != key]
    if strangers:
        failures.append("%d events of other keys in the timeline" % len(strangers))
    times = [e["time"] for e in events]
    if times != sorted(times):
        failures.append("timeline not in time order")
    kinds = {p["kind"] for p in summary["persistence"]}
    for wanted in ("IAM user", "access key", "attached policy"):
        if wanted not in kinds:
            failures.append("persistence summary lacks %r (has %s)" % (wanted, sorted(kinds)))
    if summary["events"] != len(events):
        failures.append("summary counts %d events, listed %d" % (summary["events"], len(events)))
    if summary["source_ips"].get(ip, 0) < len(expected_ids):
        failures.append("attacker address counted %s times, expected >= %d" % (summary["source_ips"].get(ip), len(expected_ids)))

    by_ip = [json.loads(line) for line in run([binary, "timeline", "--ip", ip, "--format", "jsonl", "-q",
                                                   logs]).splitlines()]
    ip_ids = {e["event_id"] for e in by_ip}
    if not expected_ids <= ip_ids:
        failures.append("attacker calls missing from the address timeline: %d" % len(expected_ids - ip_ids))
    if any(e["source_ip"] != ip for e in by_ip):
        failures.append("address timeline holds calls from other addresses")

    for f in failures:
        print("FAIL:", f)
    print("timeline: %d events for key %s (%d attacker calls in the ground truth), %d persistence calls, %d for %s"
          % (len(events), key, len(expected_ids), len(summary["persistence"]), len(by_ip), ip))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
