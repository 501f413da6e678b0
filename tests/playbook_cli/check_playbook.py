#!/usr/bin/env python3
"""A leaked access key handled with the bundled playbook, through the CLI, against a real moto server:

  hunt (an incident) -> playbook list --incident (compromised-access-key fits) -> playbook plan
  (nothing changes) -> playbook run --apply (the key is deactivated; the approval-gated steps wait
  as planned actions; to-dos are journaled) -> actions apply before approval is refused ->
  actions approve + actions apply --apply (the user is denied everything; the address is denied in
  the network ACLs) -> rollback restores -> playbook run --apply --approve (everything done is a
  no-op) -> incidents verify (the journal's hash chain is intact; an edit made directly in the
  database is detected). A bad playbook folder is reported with file and line.

Usage: check_playbook.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import script_args  # noqa: E402
from moto_harness import Cloudward, MotoServer, require_moto  # noqa: E402

require_moto()

ATTACKER_IP = "185.220.101.47"


def main():
    binary, work = script_args()
    with MotoServer(work) as moto:
        cw = Cloudward(binary, moto.env, os.path.join(work, "store.db"))
        check = cw.check
        iam, ec2 = moto.client("iam"), moto.client("ec2")
        iam.create_user(UserName="svc-backup")
        key = iam.create_access_key(UserName="svc-backup")["AccessKey"]["AccessKeyId"]

        def key_status():
            return iam.list_access_keys(UserName="svc-backup")["AccessKeyMetadata"][0]["Status"]

        def denied_entries():
            return sorted((e["Egress"], e["RuleNumber"]) for a in ec2.describe_network_acls()["NetworkAcls"]
                          for e in a["Entries"] if e.get("CidrBlock") == ATTACKER_IP + "/32")

        # The leaked key enumerates and creates a user for itself from an anonymising address.
        records = []
        for i, (source, name, params) in enumerate([
                ("sts.amazonaws.com", "GetCallerIdentity", None),
                ("iam.amazonaws.com", "ListUsers", None),
                ("iam.amazonaws.com", "CreateUser", {"userName": "backup-admin"}),
                ("iam.amazonaws.com", "CreateAccessKey", {"userName": "backup-admin"}),
                ("iam.amazonaws.com", "AttachUserPolicy", {"userName": "backup-admin",
                                                           "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})]):
            records.append({"eventVersion": "1.09", "eventTime": "2026-11-20T09:00:%02dZ" % i, "eventSource": source,
                            "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": ATTACKER_IP,
                            "userAgent": "aws-cli/2.15.30", "eventID": "playbook-cli-%d" % i,
                            "eventType": "AwsApiCall", "recipientAccountId": "123456789012",
                            "requestParameters": params,
                            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/svc-backup",
                                             "accountId": "123456789012", "accessKeyId": key,
                                             "userName": "svc-backup"}})
        logs = os.path.join(work, "trail.json")
        with open(logs, "w") as f:
            json.dump({"Records": records}, f)
        cw("hunt", "--quiet", "--format", "jsonl", logs, ok=(1,))
        incidents = json.loads(cw("incidents", "list", "--format", "json").stdout)
        check(len(incidents) == 1, "the hunt made one incident (%d)" % len(incidents))
        inc = incidents[0]["id"]

        listed = json.loads(cw("playbook", "list", "--incident", inc, "--format", "json").stdout)
        fits = sorted(p["id"] for p in listed if p.get("matches"))
        check("compromised-access-key" in fits, "compromised-access-key fits the incident: %s" % fits)
        check(len(listed) >= 6, "the six bundled playbooks are listed")

        plan = json.loads(cw("playbook", "plan", "compromised-access-key", "--incident", inc,
                             "--format", "json").stdout)
        planned = {(s["step"], s.get("target")) for s in plan["steps"]}
        check(("deactivate-keys", key) in planned, "the plan deactivates the key: %s" % planned)
        check(("restrict-users", "svc-backup") in planned, "the plan restricts the user")
        check(("block-addresses", ATTACKER_IP) in planned, "the plan blocks the address")
        check(all("error" not in s for s in plan["steps"]), "every step could be planned: %s" % plan["steps"])
        check(key_status() == "Active" and denied_entries() == [], "planning changed nothing")
        check(json.loads(cw("actions", "list", "--format", "json").stdout) == [], "planning recorded nothing")
        dry = cw("playbook", "run", "compromised-access-key", "--incident", inc)
        check("dry run" in dry.stdout and key_status() == "Active", "run without --apply is a dry run")

        run = json.loads(cw("playbook", "run", "compromised-access-key", "--incident", inc, "--apply",
                            "--as", "oncall", "--format", "json", ok=(0,)).stdout)
        status = {s["step"]: s["status"] for s in run["steps"]}
        check(status.get("deactivate-keys") == "applied", "the key step applied: %s" % status)
        check(status.get("restrict-users") == "pending_approval", "the user step waits for approval")
        check(status.get("block-addresses") == "pending_approval", "the address step waits for approval")
        check(status.get("review-created-identities") == "manual" and status.get("tell-owner") == "notified",
              "to-dos are journaled: %s" % status)
        check(key_status() == "Inactive", "the key is inactive")
        check(iam.list_user_policies(UserName="svc-backup")["PolicyNames"] == [], "nothing done before approval")
        check(denied_entries() == [], "the address is not blocked before approval")

        pending = {s["step"]: s["action_id"] for s in run["steps"] if s["status"] == "pending_approval"}
        refused = cw("actions", "apply", pending.get("restrict-users", "ACT-none"), "--apply", ok=(4,))
        check("not approved" in refused.stderr, "an unapproved action is refused: %s" % refused.stderr.strip())
        # Separation of duties: whoever proposed a step (oncall ran the playbook) cannot approve it.
        sod = os.path.join(work, "sod.yaml")
        with open(sod, "w") as f:
            f.write("respond:\n  approvals:\n    separation_of_duties: true\n")
        own = cw("actions", "approve", pending["restrict-users"], "--as", "OnCall", "--config", sod, ok=(4,))
        check("separation of duties" in own.stderr, "the proposer cannot approve: %s" % own.stderr.strip())
        shown = json.loads(cw("incidents", "show", inc, "--format", "json").stdout)
        refusals = [e for e in shown.get("journal") or shown.get("events") or []
                    if e.get("kind") == "action" and (e.get("data") or {}).get("outcome") == "refused"]
        check(len(refusals) == 1, "the refused approval is journaled: %d" % len(refusals))
        self_approve = cw("playbook", "run", "compromised-access-key", "--incident", inc, "--apply", "--approve",
                          "--as", "oncall", "--config", sod, ok=(2,))
        check("separation of duties" in self_approve.stderr, "playbook run --approve is refused: %s"
              % self_approve.stderr.strip())
        broken = os.path.join(work, "broken.yaml")
        with open(broken, "w") as f:
            f.write("respond:\n  approvals:\n    separation_of_duties: maybe\n")
        bad = cw("actions", "approve", pending["restrict-users"], "--as", "incident-commander", "--config", broken,
                 ok=(2,))
        check("broken.yaml:3" in bad.stderr, "a broken configuration is not a silent 'off': %s" % bad.stderr.strip())
        for step in ("restrict-users", "block-addresses"):
            cw("actions", "approve", pending[step], "--as", "incident-commander", "--config", sod)
            cw("actions", "apply", pending[step], "--apply", "--as", "oncall")
        check(iam.list_user_policies(UserName="svc-backup")["PolicyNames"] == ["cloudward-deny-all"],
              "after approval the user is denied everything")
        check({e for e, _ in denied_entries()} == {False, True}, "after approval the address is denied both ways")

        cw("rollback", pending["block-addresses"], "--apply", "--as", "oncall")
        check(denied_entries() == [], "rollback removes the ACL entries")

        again = json.loads(cw("playbook", "run", "compromised-access-key", "--incident", inc, "--apply", "--approve",
                              "--as", "oncall", "--format", "json").stdout)
        status = {(s["step"], s.get("target")): s["status"] for s in again["steps"]}
        check(status.get(("deactivate-keys", key)) == "no_op", "a second run finds the key done: %s" % status)
        check(status.get(("restrict-users", "svc-backup")) == "no_op", "and the user done")
        check(status.get(("block-addresses", ATTACKER_IP)) == "applied", "--approve applies the gated step")
        check({e for e, _ in denied_entries()} == {False, True}, "the address is denied again")

        shown = json.loads(cw("incidents", "show", inc, "--format", "json").stdout)
        journal = shown.get("journal") or shown.get("events") or []
        texts = [e.get("text", "") for e in journal if e.get("kind") == "playbook"]
        check(any("started by oncall" in t for t in texts), "the run is journaled")
        check(any("review-created-identities" in t for t in texts), "to-dos are journaled: %s" % texts[:3])

        # The journal is hash-chained: intact now; an edit behind cloudward's back is detected.
        verified = json.loads(cw("incidents", "verify", inc, "--format", "json").stdout)
        check(verified["intact"] and verified["verified"] == len(journal), "the journal verifies: %s" % verified)
        db = sqlite3.connect(cw.store)
        db.executescript("DROP TRIGGER incident_events_no_update; "
                         "UPDATE incident_events SET author = 'nobody' WHERE kind = 'action';")
        db.close()
        tampered = json.loads(cw("incidents", "verify", inc, "--format", "json", ok=(1,)).stdout)
        check(not tampered["intact"] and "changed" in tampered.get("problem", ""), "an edit is detected: %s" % tampered)

        bad = os.path.join(work, "playbooks")
        os.makedirs(bad)
        with open(os.path.join(bad, "mine.yml"), "w") as f:
            f.write("id: mine\nsteps:\n  - id: a\n    phase: contain\n    action: isolate-instance\n"
                    "    targets: incident.computers\n")
        checked = cw("playbook", "check", bad, "--format", "json", ok=(2,), store=False)
        rejected = json.loads(checked.stdout)["rejected"]
        check(len(rejected) == 1 and rejected[0]["line"] == 3 and "incident.computers" in rejected[0]["reason"],
              "a bad playbook is reported with file and line: %s" % rejected)
        cw("playbook", "plan", "mine", "--incident", inc, "--playbooks", bad, ok=(2,))
    return cw.finish("playbooks on moto")


if __name__ == "__main__":
    sys.exit(main())
