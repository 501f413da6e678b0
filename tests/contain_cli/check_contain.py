#!/usr/bin/env python3
"""The responder's 3 a.m. path through the CLI, against a real moto server:

  hunt (an incident appears) -> contain key (dry run: nothing changes) -> contain key --apply
  (the key is inactive, checked with boto3) -> contain key --apply again (no-op) -> actions list
  -> rollback --apply (the key is active again) -> incidents show (the journal holds every step);
  then contain principal, ip, snapshot (shared publicly: private), function and db (bad input).

Usage: check_contain.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import script_args  # noqa: E402
from moto_harness import Cloudward, MotoServer, require_moto  # noqa: E402

require_moto()


def main():
    binary, work = script_args()
    with MotoServer(work) as moto:
        cw = Cloudward(binary, moto.env, os.path.join(work, "store.db"))
        check = cw.check
        iam = moto.client("iam")
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
        # The principal that used the key: a bare user name resolves to restrict-user (deny-all).
        cw("contain", "principal", "svc-backup", "--incident", inc, "--apply", "--as", "oncall")
        names = iam.list_user_policies(UserName="svc-backup")["PolicyNames"]
        check(names == ["cloudward-deny-all"], "contain principal USER adds the deny-all policy: %s" % names)
        role_arn = iam.create_role(RoleName="web-app", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        plan = json.loads(cw("contain", "principal", "arn:aws:sts::123456789012:assumed-role/web-app/i-0abc",
                             "--format", "json").stdout)
        check(plan.get("kind") == "revoke-role-sessions" and plan.get("target") == "web-app",
              "a session ARN plans revoking its role's sessions: %s" % plan.get("kind"))
        check(iam.list_role_policies(RoleName="web-app")["PolicyNames"] == [], "the plan changed nothing")
        cw("contain", "principal", role_arn, "--incident", inc, "--apply", "--as", "oncall")
        check(iam.list_role_policies(RoleName="web-app")["PolicyNames"] == ["cloudward-revoke-older-sessions"],
              "contain principal ROLE denies older sessions")
        check(cw("contain", "principal", "nobody-by-that-name", ok=(4,)).returncode == 4, "unknown principal fails")
        # The attacker's address, denied in the network ACLs of the default VPC.
        ec2 = moto.client("ec2")

        def denied():
            return sorted((e["Egress"], e["RuleNumber"]) for a in ec2.describe_network_acls()["NetworkAcls"]
                          for e in a["Entries"] if e.get("CidrBlock") == "185.220.101.47/32")
        cw("contain", "ip", "185.220.101.47", "--incident", inc, "--apply", "--as", "oncall")
        check(len(denied()) >= 2 and {d[0] for d in denied()} == {False, True},
              "contain ip adds inbound and outbound denies: %s" % denied())
        check(cw("contain", "ip", "0.0.0.0/0", ok=(2,)).returncode == 2, "blocking everything is refused")
        # A snapshot shared with everyone and another account: contain snapshot stops sharing it.
        volume = ec2.create_volume(Size=1, AvailabilityZone="us-east-1a")["VolumeId"]
        snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
        ec2.modify_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission", OperationType="add",
                                      GroupNames=["all"], UserIds=["111122223333"])
        cw("contain", "snapshot", snapshot, "--incident", inc, "--apply", "--as", "oncall")
        shared = ec2.describe_snapshot_attribute(SnapshotId=snapshot,
                                                 Attribute="createVolumePermission")["CreateVolumePermissions"]
        check(shared == [], "contain snapshot stops sharing it: %s" % shared)
        check(cw("contain", "function", "bad name!", ok=(2,)).returncode == 2, "a malformed function name is refused")
        check(cw("contain", "db", "no-such-db", "--incident", inc, ok=(4,)).returncode == 4,
              "an unknown DB instance fails")
    return cw.finish("contain/actions/rollback on moto")


if __name__ == "__main__":
    sys.exit(main())
