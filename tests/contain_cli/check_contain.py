#!/usr/bin/env python3
"""The responder's 3 a.m. path through the CLI, against a real moto server:

  hunt (an incident appears) -> contain key (dry run: nothing changes) -> contain key --apply
  (the key is inactive, checked with boto3) -> contain key --apply again (no-op) -> actions list
  -> rollback --apply (the key is active again) -> incidents show (the journal holds every step).

Usage: check_contain.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time

try:
    import boto3
    import moto  # noqa: F401
except ImportError as e:
    print("SKIPPED: needs moto 5 and boto3 (%s); set CW_PYTHON" % e)
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=open(os.path.join(work, "moto.log"), "w"), stderr=subprocess.STDOUT)
    endpoint = "http://127.0.0.1:%d" % port
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint)
    env.pop("AWS_PROFILE", None)
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    def cw(*args, ok=(0,)):
        p = subprocess.run([binary, *args, "--store", "sqlite://" + os.path.join(work, "store.db")],
                           capture_output=True, text=True, env=env)
        if p.returncode not in ok:
            sys.exit("cloudward %s -> %d: %s%s" % (" ".join(args), p.returncode, p.stdout[-1500:], p.stderr[-1500:]))
        return p

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        iam.create_user(UserName="svc-backup")
        key = iam.create_access_key(UserName="svc-backup")["AccessKey"]["AccessKeyId"]

        def status():
            return iam.list_access_keys(UserName="svc-backup")["AccessKeyMetadata"][0]["Status"]

        # A leaked-key story in CloudTrail: the key creates a user for itself from an unknown address.
        logs = os.path.join(work, "trail.json")
        record = {"eventVersion": "1.09", "eventTime": "2026-11-20T09:00:00Z", "eventSource": "iam.amazonaws.com",
                  "eventName": "CreateUser", "awsRegion": "us-east-1", "sourceIPAddress": "185.220.101.47",
                  "userAgent": "aws-cli/2.15.30", "eventID": "contain-cli-1", "eventType": "AwsApiCall",
                  "recipientAccountId": "123456789012", "requestParameters": {"userName": "backup-admin"},
                  "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/svc-backup",
                                   "accountId": "123456789012", "accessKeyId": key, "userName": "svc-backup"}}
        with open(logs, "w") as f:
            json.dump({"Records": [record]}, f)
        cw("hunt", "--quiet", "--format", "jsonl", logs, ok=(1,))
        incidents = json.loads(cw("incidents", "list", "--format", "json").stdout)
        check(len(incidents) == 1, "the hunt made one incident (%d)" % len(incidents))
        inc = incidents[0]["id"]

        dry = cw("contain", "key", key, "--incident", inc)
        check(status() == "Active", "dry run leaves the key active")
        check("UpdateAccessKey" in dry.stdout and "dry run" in dry.stdout, "dry run prints the planned call")
        check(json.loads(cw("actions", "list", "--format", "json").stdout) == [], "dry run records nothing")

        cw("contain", "key", key, "--incident", inc, "--apply", "--as", "oncall")
        check(status() == "Inactive", "--apply deactivates the key")
        again = cw("contain", "key", key, "--incident", inc, "--apply", "--as", "oncall")
        check("no-op" in again.stdout, "a second apply is a no-op")
        actions = json.loads(cw("actions", "list", "--format", "json").stdout)
        check(len(actions) == 2 and actions[0]["prior_state"] != {}, "two actions recorded, prior state kept")
        applied = [a for a in actions if a["request_ids"]]
        check(len(applied) == 1, "only the first apply called AWS")

        if applied:
            cw("rollback", applied[0]["id"])  # dry run
            check(status() == "Inactive", "rollback without --apply changes nothing")
            cw("rollback", applied[0]["id"], "--apply", "--as", "oncall")
            check(status() == "Active", "rollback --apply restores the key")
            cw("rollback", applied[0]["id"], "--apply", ok=(4,))  # already rolled back
        shown = json.loads(cw("incidents", "show", inc, "--format", "json").stdout)
        journal = shown.get("journal") or shown.get("events") or []
        kinds = [e.get("kind") for e in journal]
        check(kinds.count("action") >= 3, "the journal holds the apply, no-op and rollback: %s" % kinds)
        check(cw("contain", "principal", "x", ok=(2,)).returncode == 2, "unsupported target kinds say so")
    finally:
        server.terminate()
        server.wait(timeout=10)
    for f in failures:
        print("FAIL:", f)
    print("contain/actions/rollback on moto: %d checks failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
