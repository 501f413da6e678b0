#!/usr/bin/env python3
"""The web console in a real browser: moto plays AWS, `cloudward serve` runs with two tokens,
events are posted, then console.mjs (playwright-core + Debian's chromium) signs in, browses the
rules and the playbooks (checked against playbooks/*.yml), opens the incident, plans the playbook
that fits it (a dry run), plans deactivate-access-key, approves and applies it, and moves the
incident to contained. boto3 then checks the key is Inactive.

Usage: check_console.py CLOUDWARD WORK_DIR NODE_DIR. Exits 77 (ctest skip) without node/npm,
/usr/bin/chromium, moto/boto3, or when playwright-core cannot be installed from npm.
CW_UPDATE_SCREENSHOTS=1 copies the screenshots to docs/console-*.png."""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "serve"))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from checks import Checks, fresh_dir  # noqa: E402
from moto_harness import MotoServer, free_port, require_moto  # noqa: E402
from serve_harness import Api, record, wait_port  # noqa: E402

require_moto()

PLAYWRIGHT = "playwright-core@1.65.1"
CHROMIUM = os.environ.get("CW_CHROMIUM", "/usr/bin/chromium")
TOKEN = "console-token-3f9d"


def skip(why):
    print("SKIPPED:", why)
    sys.exit(77)


def bundled_playbooks():
    """The bundled playbooks as the browser should show them, read from playbooks/*.yml with a line
    parser for their layout (top-level id and title; `  - id:` opens a step whose keys are
    indented four spaces)."""
    folder = os.path.join(HERE, "..", "..", "playbooks")
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".yml", ".yaml")):
            continue
        pb, in_steps = {"file": name, "steps": []}, False
        with open(os.path.join(folder, name)) as f:
            for line in f:
                line = re.sub(r"\s+#.*$", "", line.rstrip("\n"))
                top = re.match(r"^(id|title): (.+)$", line)
                if top:
                    pb[top.group(1)] = top.group(2).strip()
                    continue
                if re.match(r"^\S", line):
                    in_steps = line.startswith("steps:")
                    continue
                step = re.match(r"^  - id: (\S+)$", line) if in_steps else None
                if step:
                    pb["steps"].append({"id": step.group(1), "action": "", "targets": "", "approval": False,
                                        "requires": []})
                    continue
                key = re.match(r"^    (phase|action|targets|approval|requires): (.+)$", line) if in_steps else None
                if key and pb["steps"]:
                    k, v = key.group(1), key.group(2).strip()
                    if k == "approval":
                        v = v == "true"
                    elif k == "requires":
                        v = [r.strip() for r in v.strip("[]").split(",") if r.strip()]
                    pb["steps"][-1][k] = v
        out.append(pb)
    return out


def main():
    binary, work, node_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            skip("needs %s" % tool)
    if not os.access(CHROMIUM, os.X_OK):
        skip("needs %s (apt-get install chromium)" % CHROMIUM)
    if not os.path.isdir(os.path.join(node_dir, "node_modules", "playwright-core")):
        os.makedirs(node_dir, exist_ok=True)
        p = subprocess.run(["npm", "install", "--prefix", node_dir, "--no-audit", "--no-fund", PLAYWRIGHT],
                           capture_output=True, text=True)
        if p.returncode != 0:
            skip("npm install %s failed: %s" % (PLAYWRIGHT, p.stderr[-500:]))

    fresh_dir(work)
    with MotoServer(work) as moto:
        return run(binary, work, node_dir, moto)


def run(binary, work, node_dir, moto):
    port = free_port()
    env = moto.env
    daemon, checks = None, Checks(echo=False)
    try:
        iam = moto.client("iam")
        iam.create_user(UserName="svc-backup")
        key = iam.create_access_key(UserName="svc-backup")["AccessKey"]["AccessKeyId"]
        with open(os.path.join(work, "cloudward.yaml"), "w") as f:
            f.write("serve:\n  tokens:\n    - {name: console-e2e, sha256: %s, role: responder}\n"
                    "respond:\n  approvals:\n    actions: [deactivate-access-key]\n"
                    % hashlib.sha256(TOKEN.encode()).hexdigest())
        daemon = subprocess.Popen([binary, "serve", "--config", os.path.join(work, "cloudward.yaml"),
                                   "--store", "sqlite://" + os.path.join(work, "store.db"),
                                   "--listen", "127.0.0.1:%d" % port],
                                  stdout=open(os.path.join(work, "serve.log"), "w"), stderr=subprocess.STDOUT, env=env)
        if not wait_port(port):
            sys.exit("cloudward serve did not listen; see serve.log")
        api = Api("http://127.0.0.1:%d" % port, TOKEN)
        # A leaked key at work: a user created for persistence, then a second one.
        # ... and gives it a console password, which makes the incident medium: the playbook
        # compromised-access-key fits it.
        records = [record("console-1", key), record("console-2", key, when="2026-11-20T09:03:00Z"),
                   record("console-3", key, name="CreateLoginProfile", when="2026-11-20T09:04:00Z")]
        status, posted = api.call("POST", "/api/v1/events", token=TOKEN, body={"Records": records})
        if status != 200 or not posted.get("incidents"):
            sys.exit("posting events made no incident: %s %s" % (status, posted))
        incident = posted["incidents"][0]

        expected = os.path.join(work, "playbooks.json")
        with open(expected, "w") as f:
            json.dump(bundled_playbooks(), f)
        shots = os.path.join(work, "screenshots")
        p = subprocess.run(["node", os.path.join(HERE, "console.mjs"), "http://127.0.0.1:%d" % port, TOKEN, incident,
                            key, shots, CHROMIUM, expected],
                           env=dict(os.environ, NODE_PATH=os.path.join(node_dir, "node_modules")),
                           capture_output=True, text=True, timeout=300)
        print(p.stdout)
        print(p.stderr, file=sys.stderr)
        checks.check(p.returncode == 0, "the browser run failed (exit %d)" % p.returncode)
        status_now = iam.list_access_keys(UserName="svc-backup")["AccessKeyMetadata"][0]["Status"]
        checks.check(status_now == "Inactive", "the key applied from the console is %s, not Inactive" % status_now)
        _, inc = api.call("GET", "/api/v1/incidents/" + incident, token=TOKEN)
        checks.check(inc.get("status") == "contained", "the incident is %s, not contained" % inc.get("status"))
        if os.environ.get("CW_UPDATE_SCREENSHOTS") == "1" and os.path.isdir(shots):
            docs = os.path.join(HERE, "..", "..", "docs")
            for name in sorted(os.listdir(shots)):
                shutil.copy(os.path.join(shots, name), os.path.join(docs, name))
                print("updated docs/" + name)
    finally:
        if daemon and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
    return checks.finish("console in chromium")


if __name__ == "__main__":
    sys.exit(main())
