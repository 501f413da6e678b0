"""What the `cloudward serve` integration scripts share: a daemon started on a free port (and
stopped with SIGTERM, or killed, at the end), an API client, bounded waits, check bookkeeping, and
an in-process HTTP receiver for alert webhooks. Checks and script_args come from tests/common.

    binary, work = script_args()
    checks = Checks()
    with Daemon(binary, work, config_text, env=env) as daemon:
        api = daemon.api(token=RESPONDER)
        status, body = api.call("GET", "/api/v1/health")
        checks.check(status == 200, "health answers")
    sys.exit(checks.finish("alerts"))
"""
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import Checks, script_args  # noqa: E402,F401  (for the serve scripts)
from moto_harness import free_port  # noqa: E402,F401

# Under ASan everything is slower: generous but bounded waits.
WAIT = float(os.environ.get("CW_SERVE_WAIT", "90"))
ACCOUNT = "123456789012"


def record(event_id, key="AKIAEXAMPLEKEY000001", name="CreateUser", when="2026-11-20T09:00:00Z", user="svc-backup"):
    """A CloudTrail record that the bundled rules flag (an IAM user created from a Tor exit)."""
    return {"eventVersion": "1.09", "eventTime": when, "eventSource": "iam.amazonaws.com",
            "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "185.220.101.47",
            "userAgent": "aws-cli/2.15.30", "eventID": event_id, "eventType": "AwsApiCall",
            "recipientAccountId": ACCOUNT, "requestParameters": {"userName": "backup-admin-" + event_id},
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, user),
                             "accountId": ACCOUNT, "accessKeyId": key, "userName": user}}


def eventbridge(rec):
    return {"version": "0", "id": "eb-" + rec["eventID"], "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.iam", "account": ACCOUNT, "time": rec["eventTime"], "region": "us-east-1",
            "resources": [], "detail": rec}


def wait_until(predicate, seconds=WAIT, interval=0.2):
    """predicate() until it returns something truthy (returned) or the time is up (None)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def wait_port(port, seconds=WAIT):
    """True once something listens on 127.0.0.1:port, False when the time is up."""
    return bool(wait_until(lambda: port_open(port), seconds, interval=0.1))


class Api:
    def __init__(self, base, token=None, cafile=None):
        self.base, self.token = base, token
        self.context = ssl.create_default_context(cafile=cafile) if cafile else None

    def call(self, method, path, body=None, token=None):
        token = token if token is not None else self.token
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60, context=self.context) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")


class Daemon:
    """`cloudward serve --config <work>/<tag>.yaml --store sqlite://<work>/<tag>.db` on a free port."""

    def __init__(self, binary, work, config_text, tag="serve", env=None, args=(), scheme="http", cafile=None):
        self.binary, self.work, self.tag = binary, work, tag
        self.env = dict(env if env is not None else os.environ)
        self.args, self.scheme, self.cafile = list(args), scheme, cafile
        self.port = free_port()
        self.config = os.path.join(work, tag + ".yaml")
        self.store = os.path.join(work, tag + ".db")
        self.log = os.path.join(work, tag + ".log")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", self.config, "--store", "sqlite://" + self.store,
             "--listen", "127.0.0.1:%d" % self.port, "--log-format", "json", *self.args],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, env=self.env)

        def listening():
            if self.process.poll() is not None:
                return "exited"
            return "up" if port_open(self.port) else None

        if wait_until(listening, interval=0.1) != "up":
            self.stop(kill=True)
            sys.exit("cloudward serve did not listen; see %s:\n%s" % (self.log, self.log_text()[-2000:]))
        return self

    def __exit__(self, *exc):
        self.stop(kill=True)

    def api(self, token=None):
        return Api("%s://127.0.0.1:%d" % (self.scheme, self.port), token, cafile=self.cafile)

    def log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def log_records(self):
        out = []
        for line in self.log_text().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def stop(self, kill=False):
        """SIGTERM (or SIGKILL) and the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST (path, headers, raw body, the status it
    answered). A path listed in `fail_first` answers 500 to its first request, then 200."""

    def __init__(self, fail_first=()):
        self.requests = []
        self.lock = threading.Lock()
        self.fail_first = set(fail_first)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = 200
                    if self.path in receiver.fail_first:
                        receiver.fail_first.discard(self.path)
                        status = 500
                    receiver.requests.append({"path": self.path, "status": status, "body": body, "time": time.time(),
                                              "headers": {k.lower(): v for k, v in self.headers.items()}})
                payload = b"ok" if status == 200 else b"receiver down for the test"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def on(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]
