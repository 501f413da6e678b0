#!/usr/bin/env python3
"""Alerts from `cloudward serve` end to end, to receivers started by this script:

  events posted to the daemon create an incident -> the alerter sends the generic JSON webhook
  (HMAC-SHA256 signed), Slack, Teams MessageCard and Teams Adaptive Card messages -> the webhook
  receiver fails the first attempt with HTTP 500, the alert is retried after the configured backoff
  and delivered once -> the signature verifies with the configured secret, the payload names the
  incident and its severity -> every attempt is journaled on the incident (kind "alert") and
  counted in /metrics -> a second batch for the same incident inside the group window sends
  nothing new.

Usage: check_serve_alerts.py CLOUDWARD WORK_DIR."""
import hashlib
import hmac
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Checks, Daemon, Receiver, record, script_args, wait_until  # noqa: E402

RESPONDER = "resp-token-a1e7"
SECRET = "whsec-test-5b2f9c"


def main():
    binary, work = script_args()
    checks = Checks()
    check = checks.check
    env = dict(os.environ, CW_TEST_RESPONDER_TOKEN=RESPONDER, CW_TEST_WEBHOOK_SECRET=SECRET)
    with Receiver(fail_first={"/siem"}) as rx:
        config = """serve:
  tokens:
    - {name: oncall, token: env:CW_TEST_RESPONDER_TOKEN, role: responder}
alerts:
  channels:
    siem: {type: webhook, url: "%(rx)s/siem", secret: "env:CW_TEST_WEBHOOK_SECRET"}
    chat: {type: slack, webhook_url: "%(rx)s/slack"}
    bridge: {type: teams, webhook_url: "%(rx)s/teams"}
    bridge-adaptive: {type: teams, webhook_url: "%(rx)s/teams-adaptive", format: adaptive}
  routes:
    - match: {severity: low}
      channels: [siem, chat, bridge, bridge-adaptive]
  group_window: 5m
  retry: {attempts: 3, initial_backoff: 300ms, max_backoff: 1s}
""" % {"rx": rx.url}
        public_url = "https://cloudward.example.test"  # given with a trailing '/', which the flag drops
        with Daemon(binary, work, config, tag="alerts", env=env, args=["--public-url", public_url + "/"]) as daemon:
            api = daemon.api(token=RESPONDER)
            sent_at = time.time()
            status, posted = api.call("POST", "/api/v1/events", body={"Records": [record("alert-1")]})
            check(status == 200 and len(posted.get("incidents_created", [])) == 1,
                  "the posted events create one incident: %s %s" % (status, posted))
            if status != 200 or not posted.get("incidents_created"):
                print(daemon.log_text()[-3000:])
                return checks.finish("serve alerts")
            inc = posted["incidents_created"][0]
            _, incident = api.call("GET", "/api/v1/incidents/" + inc)

            # Webhook: one 500, then one delivery.
            siem = wait_until(lambda: len(rx.on("/siem")) >= 2 and rx.on("/siem"))
            siem = siem or rx.on("/siem")
            check([r["status"] for r in siem] == [500, 200],
                  "webhook: first attempt answered 500, the retry delivered: %s" % [r["status"] for r in siem])
            if len(siem) == 2:
                gap = siem[1]["time"] - siem[0]["time"]
                check(0.14 <= gap < 5, "the retry waited the configured backoff (300ms x [0.5, 1]): %.3f s" % gap)
            if siem:
                delivered = siem[-1]
                ts = delivered["headers"].get("x-cloudward-timestamp", "")
                signature = delivered["headers"].get("x-cloudward-signature", "")
                expected = "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + delivered["body"],
                                                hashlib.sha256).hexdigest()
                check(hmac.compare_digest(signature, expected),
                      "the HMAC-SHA256 signature over timestamp.body verifies with the configured secret")
                wrong = "sha256=" + hmac.new(b"not-the-secret", ts.encode() + b"." + delivered["body"],
                                             hashlib.sha256).hexdigest()
                check(signature != wrong, "and does not verify with another secret")
                check(ts.isdigit() and abs(int(ts) - sent_at) < 120, "the timestamp is the send time: %s" % ts)
                check(delivered["headers"].get("content-type", "").startswith("application/json"),
                      "webhook content type is JSON")
                body = json.loads(delivered["body"])
                check(body.get("incident_id") == inc, "webhook payload names the incident")
                check(body.get("severity") == incident.get("severity"),
                      "webhook payload has the incident's severity (%s)" % body.get("severity"))
                check(body.get("kind") == "new" and body.get("title") == incident.get("title"),
                      "webhook payload: kind new and the incident's title")
                check(body.get("accounts") == ["123456789012"] and body.get("rule_ids"),
                      "webhook payload: the account and the rules")
                check(body.get("link") == public_url + "/console/#/incidents/" + inc,
                      "webhook payload links the console page of the incident")
                first = siem[0]
                check(first["body"] == delivered["body"] or json.loads(first["body"])["incident_id"] == inc,
                      "the retry carries the same alert")

            # Slack and Teams shapes.
            slack = wait_until(lambda: rx.on("/slack")) or []
            check(len(slack) == 1, "slack: one message (%d)" % len(slack))
            if slack:
                s = json.loads(slack[0]["body"])
                blocks = s.get("blocks", [])
                types = [b.get("type") for b in blocks]
                check(isinstance(s.get("text"), str) and types[:1] == ["header"] and "actions" in types,
                      "slack: text fallback, header block first, an actions block: %s" % types)
                fields = [f.get("text", "") for b in blocks for f in b.get("fields", [])]
                check(any(inc in f for f in fields) and any(incident.get("severity", "?") in f for f in fields),
                      "slack: the fields show the incident id and severity")
                buttons = [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]
                check(buttons and buttons[0].get("url", "").endswith("/incidents/" + inc),
                      "slack: the button opens the incident")
            teams = wait_until(lambda: rx.on("/teams")) or []
            check(len(teams) == 1, "teams: one MessageCard (%d)" % len(teams))
            if teams:
                t = json.loads(teams[0]["body"])
                facts = {f["name"]: f["value"] for sec in t.get("sections", []) for f in sec.get("facts", [])}
                check(t.get("@type") == "MessageCard" and facts.get("Incident") == inc
                      and facts.get("Severity") == incident.get("severity"),
                      "teams: a MessageCard with Incident and Severity facts: %s" % facts)
                targets = [tg.get("uri") for a in t.get("potentialAction", []) for tg in a.get("targets", [])]
                check(any(u and u.endswith("/incidents/" + inc) for u in targets), "teams: OpenUri to the incident")
            adaptive = wait_until(lambda: rx.on("/teams-adaptive")) or []
            check(len(adaptive) == 1, "teams adaptive: one message (%d)" % len(adaptive))
            if adaptive:
                a = json.loads(adaptive[0]["body"])
                att = (a.get("attachments") or [{}])[0]
                card = att.get("content", {})
                facts = {f.get("title"): f.get("value") for b in card.get("body", []) if b.get("type") == "FactSet"
                         for f in b.get("facts", [])}
                check(a.get("type") == "message" and att.get("contentType") == "application/vnd.microsoft.card.adaptive"
                      and card.get("type") == "AdaptiveCard" and card.get("version") == "1.4",
                      "teams adaptive: a message with an Adaptive Card 1.4 attachment")
                check(facts.get("Incident") == inc, "teams adaptive: the Incident fact")

            # Every attempt is journaled on the incident.
            def alert_entries():
                s, journal = api.call("GET", "/api/v1/incidents/%s/timeline" % inc)
                entries = [e for e in journal if e.get("kind") == "alert"] if s == 200 else []
                return entries if len(entries) >= 5 else None

            entries = wait_until(alert_entries) or []
            data = [json.loads(e["data"]) if isinstance(e.get("data"), str) else e.get("data", {}) for e in entries]
            by_channel = {}
            for d in data:
                by_channel.setdefault(d.get("channel"), []).append((d.get("attempt"), d.get("status")))
            check(by_channel.get("siem") == [(1, "failed"), (2, "delivered")],
                  "the journal records the failed attempt and the delivery of the webhook: %s" % by_channel.get("siem"))
            for ch in ("chat", "bridge", "bridge-adaptive"):
                check(by_channel.get(ch) == [(1, "delivered")], "the journal records the %s delivery" % ch)
            check(all(e.get("author") == "cloudward" for e in entries), "alert entries are written by cloudward")
            failed = [e for e in entries if "failed" in e.get("text", "")]
            check(failed and "HTTP 500" in failed[0]["text"], "the failed attempt says why: %s" %
                  (failed[0]["text"] if failed else None))

            status, metrics = api.call("GET", "/metrics")
            check("cloudward_alerts_sent_total 4" in str(metrics) and "cloudward_alerts_failed_total 1" in str(metrics),
                  "metrics count 4 deliveries and 1 failed attempt")

            # The same incident again inside the group window: no new message.
            before = len(rx.requests)
            status, posted = api.call("POST", "/api/v1/events", body={"Records": [record("alert-2")]})
            check(status == 200 and inc in posted.get("incidents", []), "a second batch updates the incident")
            time.sleep(3)
            check(len(rx.requests) == before, "updates inside the group window are held back (%d new requests)"
                  % (len(rx.requests) - before))
            check(daemon.stop() == 0, "SIGTERM: clean shutdown")
    return checks.finish("serve alerts")


if __name__ == "__main__":
    sys.exit(main())
