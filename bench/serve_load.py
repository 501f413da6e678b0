#!/usr/bin/env python3
"""Load test of `cloudward serve` on loopback (not in ctest): posts CloudTrail records to
POST /api/v1/events from a few client threads for a bounded count and time, and reports the
sustained events/s and the event-to-incident latency (the time from sending a batch until its
request returned, by which point its findings and incidents are committed), p50 and p99.

    python3 bench/serve_load.py build/release/src/cli/cloudward [--events 20000] [--batch 50]
        [--clients 4] [--seconds 60]

Every request goes to 127.0.0.1 only; the run stops at --events or --seconds, whichever first.
Then the daemon is killed with -9 mid-stream on a second burst, restarted, and the findings in the
store are compared with the events acknowledged (nothing acknowledged may be lost)."""
import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TOKEN = "bench-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record(i, run):
    # Every tenth event is a finding (a new IAM user from an odd address); the rest are routine reads.
    name = "CreateUser" if i % 10 == 0 else "GetUser"
    return {"eventVersion": "1.09", "eventTime": "2026-11-20T09:%02d:%02dZ" % (i // 60 % 60, i % 60),
            "eventSource": "iam.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
            "sourceIPAddress": "185.220.101.%d" % (i % 200), "userAgent": "aws-cli/2.15.30",
            "eventID": "%s-%d" % (run, i), "eventType": "AwsApiCall", "recipientAccountId": "123456789012",
            "requestParameters": {"userName": "u%d" % i},
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/svc%d" % (i % 7),
                             "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLE%09d" % (i % 7),
                             "userName": "svc%d" % (i % 7)}}


def post(base, body):
    req = urllib.request.Request(base + "/api/v1/events", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def health(base):
    with urllib.request.urlopen(base + "/api/v1/health", timeout=10) as r:
        return json.loads(r.read())


def start(binary, work, port):
    p = subprocess.Popen([binary, "serve", "--config", os.path.join(work, "cw.yaml"), "--listen",
                          "127.0.0.1:%d" % port, "--store", "sqlite://" + os.path.join(work, "store.db")],
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "a"))
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            time.sleep(0.1)
    sys.exit("daemon did not start")


def burst(base, run, events, batch, clients, seconds, stop_after=None):
    """Posts `events` records in batches from `clients` threads; returns (acknowledged events,
    findings acknowledged, latencies, elapsed)."""
    lock = threading.Lock()
    state = {"next": 0, "acked": 0, "findings": 0, "lat": []}
    deadline = time.time() + seconds

    def worker():
        while time.time() < deadline:
            with lock:
                start_i = state["next"]
                if start_i >= events or (stop_after and stop_after.is_set()):
                    return
                state["next"] += batch
            body = json.dumps({"Records": [record(i, run) for i in range(start_i, min(events, start_i + batch))]}).encode()
            t0 = time.perf_counter()
            try:
                r = post(base, body)
            except Exception:
                return  # the daemon went away (kill test)
            dt = time.perf_counter() - t0
            with lock:
                state["acked"] += r["events"]
                state["findings"] += r["findings"]
                state["lat"].append(dt)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["acked"], state["findings"], sorted(state["lat"]), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cw-serve-load-")
    with open(os.path.join(work, "cw.yaml"), "w") as f:
        f.write("serve:\n  tokens:\n    - {name: bench, sha256: %s, role: responder}\n"
                % hashlib.sha256(TOKEN.encode()).hexdigest())
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    daemon = start(a.binary, work, port)
    try:
        acked, findings, lat, elapsed = burst(base, "load", a.events, a.batch, a.clients, a.seconds)
        pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
        print("sustained: %d events in %.1f s = %.0f events/s (%d findings, batches of %d, %d clients)"
              % (acked, elapsed, acked / elapsed, findings, a.batch, a.clients))
        print("event -> committed incident latency: p50 %.1f ms, p99 %.1f ms (%d batches)"
              % (pct(0.50), pct(0.99), len(lat)))

        # kill -9 mid-stream, restart: every acknowledged finding is in the store.
        before = health(base)["findings"]
        stop = threading.Event()
        killer = threading.Timer(1.0, lambda: (daemon.send_signal(signal.SIGKILL), stop.set()))
        killer.start()
        acked2, findings2, _, _ = burst(base, "kill", a.events, a.batch, a.clients, a.seconds, stop)
        killer.join()
        daemon.wait()
        daemon = start(a.binary, work, port)
        after = health(base)["findings"]
        print("kill -9 mid-stream: %d events acknowledged before the kill (%d findings); store has %d new "
              "findings after restart -> %s" % (acked2, findings2, after - before,
                                                  "nothing lost" if after - before >= findings2 else "LOST FINDINGS"))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
