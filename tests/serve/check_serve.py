#!/usr/bin/env python3
"""`cloudward serve` as a team would run it, against a real moto server:

  events arrive through SQS (EventBridge envelopes) and POST /api/v1/events -> an incident appears
  in the API -> bad and viewer tokens get 401/403 -> a responder plans deactivate-access-key on
  the leaked key, cannot apply before approval, approves, applies (the key is Inactive, checked
  with boto3), rolls back (Active again) -> the queue is empty -> the daemon is killed with -9
  while messages are in flight, restarted, and no event is lost -> SIGTERM exits 0.

Usage: check_serve.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from checks import Checks, script_args  # noqa: E402
from moto_harness import MotoServer, free_port, require_moto  # noqa: E402
from serve_harness import ACCOUNT, WAIT, Api, eventbridge, record, wait_port  # noqa: E402

require_moto()

RESPONDER, VIEWER = "resp-token-7c1e", "view-token-91ab"
COMMANDER = "cw-test-commander-token-0123456789"


def main():
    binary, work = script_args()
    with MotoServer(work) as moto:
        return run(binary, work, moto)


def run(binary, work, moto):
    port = free_port()
    env = dict(moto.env, CW_TEST_RESPONDER_TOKEN=RESPONDER)
    checks = Checks()
    check = checks.check
    daemons = []

    def start_daemon(tag, config="cloudward.yaml", store="store.db"):
        log = open(os.path.join(work, "serve-%s.log" % tag), "w")
        p = subprocess.Popen([binary, "serve", "--config", os.path.join(work, config),
                              "--store", "sqlite://" + os.path.join(work, store),
                              "--listen", "127.0.0.1:%d" % port, "--sqs-wait", "1",
                              "--sqs-visibility-timeout", "4", "--log-format", "json"],
                             stdout=log, stderr=subprocess.STDOUT, env=env)
        daemons.append(p)
        deadline = time.time() + WAIT
        while time.time() < deadline and p.poll() is None and not wait_port(port, 0.5):
            pass
        if p.poll() is not None or not wait_port(port, 0.1):
            sys.exit("cloudward serve did not listen; see serve-%s.log" % tag)
        return p

    try:
        iam, sqs = moto.client("iam"), moto.client("sqs")
        iam.create_user(UserName="svc-backup")
        key = iam.create_access_key(UserName="svc-backup")["AccessKey"]["AccessKeyId"]
        queue = sqs.create_queue(QueueName="cloudward-intake")["QueueUrl"]

        def key_status():
            return iam.list_access_keys(UserName="svc-backup")["AccessKeyMetadata"][0]["Status"]

        def queue_left():
            a = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
            return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])

        with open(os.path.join(work, "cloudward.yaml"), "w") as f:
            f.write("""serve:
  tokens:
    - {name: oncall, token: env:CW_TEST_RESPONDER_TOKEN, role: responder}
    - {name: dashboard, sha256: %s, role: viewer}
    - {name: commander, sha256: %s, role: responder}
  sqs_queues: [%s]
respond:
  approvals:
    actions: [deactivate-access-key]
    separation_of_duties: true
""" % (hashlib.sha256(VIEWER.encode()).hexdigest(), hashlib.sha256(COMMANDER.encode()).hexdigest(), queue))

        daemon = start_daemon("1")
        api = Api("http://127.0.0.1:%d" % port, RESPONDER)
        status, health = api.call("GET", "/api/v1/health", token="")
        check(status == 200 and health.get("status") == "ok", "health answers without a token")

        # Intake 1: SQS, an EventBridge envelope of a CloudTrail API call.
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(eventbridge(record("sqs-1", key))))
        # Intake 2: HTTP, a CloudTrail record.
        status, posted = api.call("POST", "/api/v1/events", body={"Records": [record("http-1", key)]})
        check(status == 200 and posted.get("events") == 1 and posted.get("findings", 0) >= 1,
              "POST /api/v1/events reads the record and finds it (%s %s)" % (status, posted))
        per_event = posted.get("findings", 1)

        deadline, incident = time.time() + WAIT, None
        while time.time() < deadline:
            status, incidents = api.call("GET", "/api/v1/incidents", token=VIEWER)
            mine = [i for i in incidents if key in i.get("access_keys", [])] if status == 200 else []
            if mine and mine[0]["finding_count"] >= 2 * per_event:
                incident = mine[0]
                break
            time.sleep(0.3)
        check(incident is not None, "one incident holds the SQS and the HTTP events of the key")
        if incident is None:
            return 1
        inc = incident["id"]
        status, findings = api.call("GET", "/api/v1/incidents/%s/findings" % inc, token=VIEWER)
        ids = {f.get("event_id") for f in findings} if status == 200 else set()
        check({"sqs-1", "http-1"} <= ids, "its findings come from both intakes: %s" % sorted(ids))

        # Tokens and roles.
        check(api.call("GET", "/api/v1/incidents", token="")[0] == 401, "no token: 401")
        check(api.call("GET", "/api/v1/incidents", token="guess")[0] == 401, "unknown token: 401")
        status, body = api.call("POST", "/api/v1/incidents/%s/actions" % inc, token=VIEWER,
                                body={"kind": "deactivate-access-key", "target": key})
        check(status == 403 and "error" in body, "viewer token may not plan actions: 403 with a JSON error")
        check(api.call("POST", "/api/v1/events", token=VIEWER, body=record("v-1", key))[0] == 403,
              "viewer token may not post events: 403")
        check(api.call("POST", "/api/v1/events", body=b"{oops")[0] == 400, "malformed JSON: 400")

        # Plan, approve, apply, roll back.
        status, action = api.call("POST", "/api/v1/incidents/%s/actions" % inc,
                                  body={"kind": "deactivate-access-key", "target": key})
        check(status == 201 and action.get("status") == "planned" and action.get("needs_approval") is True,
              "a responder plans deactivate-access-key: %s %s" % (status, action.get("status")))
        act = action.get("id", "ACT-missing")
        check(key_status() == "Active", "planning changes nothing in AWS")
        status, body = api.call("POST", "/api/v1/actions/%s/apply" % act)
        check(status == 409, "apply before approval is refused: %s" % status)
        status, body = api.call("POST", "/api/v1/actions/%s/approve" % act)
        check(status == 403 and "separation of duties" in body.get("error", ""),
              "the responder who planned it cannot approve it (separation of duties): %s %s" % (status, body))
        status, body = api.call("POST", "/api/v1/actions/%s/approve" % act, token=COMMANDER)
        check(status == 200 and body.get("status") == "approved", "another responder approves: %s" % status)
        status, body = api.call("POST", "/api/v1/actions/%s/apply" % act)
        check(status == 200 and body.get("action", {}).get("status") == "applied", "apply: %s %s" % (status, body.get("action", {}).get("status")))
        check(key_status() == "Inactive", "the key is Inactive in AWS after apply")
        status, body = api.call("POST", "/api/v1/actions/%s/rollback" % act)
        check(status == 200 and body.get("rolled_back") is True, "rollback: %s" % status)
        check(key_status() == "Active", "the key is Active again after rollback")
        status, body = api.call("POST", "/api/v1/actions/%s/rollback" % act)
        check(status == 409, "a second rollback conflicts: %s" % status)
        status, journal = api.call("GET", "/api/v1/incidents/%s/timeline" % inc, token=VIEWER)
        authors = {(e["kind"], e["author"]) for e in journal} if status == 200 else set()
        check(("action", "oncall") in authors, "the journal records the actions with the token name")
        status, patched = api.call("PATCH", "/api/v1/incidents/" + inc,
                                   body={"status": "contained", "note": "key rotated"})
        check(status == 200 and patched.get("status") == "contained", "PATCH moves the incident to contained")
        status, report = api.call("GET", "/api/v1/incidents/%s/report?format=md" % inc, token=VIEWER)
        check(status == 200 and inc in str(report), "the Markdown report names the incident")

        deadline = time.time() + WAIT
        while time.time() < deadline and queue_left() > 0:
            time.sleep(0.3)
        check(queue_left() == 0, "the SQS queue is empty once its messages are committed")

        # kill -9 mid-stream: nothing is lost, redeliveries add nothing.
        _, health = api.call("GET", "/api/v1/health", token="")
        before = health["findings"]
        burst = 40
        for i in range(0, burst, 10):
            sqs.send_message_batch(QueueUrl=queue, Entries=[
                {"Id": str(j), "MessageBody": json.dumps(eventbridge(record("burst-%d" % (i + j), key)))}
                for j in range(10)])
        deadline = time.time() + WAIT
        while time.time() < deadline:
            _, health = api.call("GET", "/api/v1/health", token="")
            if health["findings"] > before:
                break
            time.sleep(0.05)
        daemon.send_signal(signal.SIGKILL)
        daemon.wait()
        daemon = start_daemon("2")
        expected = before + burst * per_event
        deadline = time.time() + WAIT
        while time.time() < deadline:
            _, health = api.call("GET", "/api/v1/health", token="")
            if health["findings"] >= expected and queue_left() == 0:
                break
            time.sleep(0.3)
        _, health = api.call("GET", "/api/v1/health", token="")
        check(health["findings"] == expected,
              "after kill -9 and restart every event is stored once: %d findings, expected %d"
              % (health["findings"], expected))
        check(queue_left() == 0, "and the queue is drained")
        status, metrics = api.call("GET", "/metrics", token=VIEWER)
        check(status == 200 and "cloudward_events_ingested_total" in str(metrics), "metrics in Prometheus text")

        daemon.send_signal(signal.SIGTERM)
        check(daemon.wait(timeout=60) == 0, "SIGTERM: clean shutdown, exit 0")

        # Automation: a policy runs the compromised-access-key playbook on the incident by itself;
        # the key is deactivated, the approval-gated steps wait, and a later batch does not rerun it.
        iam.create_user(UserName="ci-deployer")
        key2 = iam.create_access_key(UserName="ci-deployer")["AccessKey"]["AccessKeyId"]
        with open(os.path.join(work, "automation.yaml"), "w") as f:
            f.write("""serve:
  tokens:
    - {name: oncall, token: env:CW_TEST_RESPONDER_TOKEN, role: responder}
automation:
  enabled: true
  policies:
    - match: {severity: low, rules: ["*user*", "*key*"]}
      playbook: compromised-access-key
      mode: run
""")
        daemon = start_daemon("auto", config="automation.yaml", store="auto.db")
        leaked = dict(record("auto-1", key2), userIdentity={
            "type": "IAMUser", "arn": "arn:aws:iam::%s:user/ci-deployer" % ACCOUNT, "accountId": ACCOUNT,
            "accessKeyId": key2, "userName": "ci-deployer"})
        status, _ = api.call("POST", "/api/v1/events", body={"Records": [leaked]})
        check(status == 200, "events posted to the automated daemon")

        def automation_entries(incident_id):
            _, journal = api.call("GET", "/api/v1/incidents/%s/timeline" % incident_id)
            return [e for e in journal if e.get("kind") == "automation"] if isinstance(journal, list) else []

        deadline, auto_inc, entries = time.time() + WAIT, None, []
        while time.time() < deadline:
            _, incidents = api.call("GET", "/api/v1/incidents")
            mine = [i for i in incidents if key2 in i.get("access_keys", [])] if isinstance(incidents, list) else []
            if mine:
                auto_inc = mine[0]["id"]
                entries = [e for e in automation_entries(auto_inc) if "run by policy" in e.get("text", "")]
                if entries:
                    break
            time.sleep(0.3)
        check(len(entries) == 1, "the policy ran the playbook once: %s" % [e.get("text") for e in entries])
        status2 = iam.list_access_keys(UserName="ci-deployer")["AccessKeyMetadata"][0]["Status"]
        check(status2 == "Inactive", "automation deactivated the leaked key")
        if auto_inc:
            _, acts = api.call("GET", "/api/v1/incidents/%s/actions" % auto_inc)
            kinds = {(a.get("kind"), a.get("status")) for a in acts} if isinstance(acts, list) else set()
            check(("restrict-user", "planned") in kinds, "the approval-gated step waits as a planned action: %s" % kinds)
            check(iam.list_user_policies(UserName="ci-deployer")["PolicyNames"] == [],
                  "nothing gated was applied without approval")
            api.call("POST", "/api/v1/events", body={"Records": [dict(leaked, eventID="auto-2", eventName="ListUsers")]})
            time.sleep(3)
            runs = [e for e in automation_entries(auto_inc) if "run by policy" in e.get("text", "")]
            check(len(runs) == 1, "a later batch on the same incident does not run the playbook again (%d)" % len(runs))
        daemon.send_signal(signal.SIGTERM)
        check(daemon.wait(timeout=60) == 0, "the automated daemon shuts down cleanly")
    finally:
        for d in daemons:
            if d.poll() is None:
                d.kill()
                d.wait()
    return checks.finish("serve on moto")


if __name__ == "__main__":
    sys.exit(main())
