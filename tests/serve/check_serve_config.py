#!/usr/bin/env python3
"""The tuning keys of `serve:` reach the daemon, and the serve flags win over them:

  max_body_bytes: 4096 -> a POST /api/v1/events body of 8 KiB is answered 413, a small one is read
  -> watch_interval: 100ms and watch_state -> the watcher logs that interval and state file, and a
  file dropped into the watched folder is read and remembered in that state file -> a restart with
  --watch-interval 300 polls every 300 ms (flag > file) -> a configuration with sqs_wait: 30s stops
  serve at start with exit 2, naming file, line and reason.

Usage: check_serve_config.py CLOUDWARD WORK_DIR. Needs no AWS endpoint."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_harness import Checks, Daemon, free_port, record, script_args, wait_until  # noqa: E402

RESPONDER = "cfg-token-77c1"


def stored_event_ids(api):
    status, incidents = api.call("GET", "/api/v1/incidents")
    out = set()
    for inc in incidents if status == 200 else []:
        s, findings = api.call("GET", "/api/v1/incidents/%s/findings" % inc["id"])
        out.update(f.get("event_id") for f in (findings if s == 200 else []))
    return out


def post(api, body):
    try:
        return api.call("POST", "/api/v1/events", body=body)
    except OSError as e:  # the server may close the connection before reading a refused body
        return None, str(e)


def watcher_interval(daemon):
    for r in daemon.log_records():
        if r.get("msg") == "watching folders":
            return r
    return None


def main():
    binary, work = script_args()
    checks = Checks()
    check = checks.check
    env = dict(os.environ, CW_TEST_RESPONDER_TOKEN=RESPONDER)
    watched = os.path.join(work, "watched")
    os.makedirs(watched)
    state = os.path.join(work, "from-config.state")
    config = """serve:
  tokens:
    - {name: oncall, token: env:CW_TEST_RESPONDER_TOKEN, role: responder}
  watch: [%s]
  watch_interval: 100ms
  watch_state: %s
  max_body_bytes: 4096
""" % (watched, state)

    with Daemon(binary, work, config, tag="config", env=env) as daemon:
        api = daemon.api(token=RESPONDER)
        status, posted = post(api, {"Records": [record("cfg-post-1")]})
        check(status == 200 and posted.get("events") == 1, "a small body is read: %s %s" % (status, posted))
        big = {"Records": [record("cfg-big-%d" % i) for i in range(30)]}
        check(len(json.dumps(big)) > 8192, "the large body is over 8 KiB")
        status, _ = post(api, big)
        check(status == 413, "a body over serve.max_body_bytes (4096) is refused with 413: %s" % status)

        watching = wait_until(lambda: watcher_interval(daemon), seconds=30)
        check(watching is not None and watching.get("interval_ms") == 100 and watching.get("state") == state,
              "the watcher polls every serve.watch_interval (100 ms) with serve.watch_state: %s" % watching)
        with open(os.path.join(watched, ".w1.tmp"), "w") as f:
            json.dump({"Records": [record("cfg-watch-1")]}, f)
        os.rename(os.path.join(watched, ".w1.tmp"), os.path.join(watched, "w1.json"))
        found = wait_until(lambda: "cfg-watch-1" in stored_event_ids(api))
        check(bool(found), "a file dropped into the watched folder is read")
        check(wait_until(lambda: os.path.exists(state) and "w1.json" in open(state).read(), seconds=10) is not None,
              "the file is remembered in serve.watch_state")
        check(daemon.stop() == 0, "SIGTERM stops the daemon with 0")

    with Daemon(binary, work, config, tag="config", env=env, args=["--watch-interval", "300"]) as daemon:
        watching = wait_until(lambda: watcher_interval(daemon), seconds=30)
        check(watching is not None and watching.get("interval_ms") == 300,
              "--watch-interval wins over serve.watch_interval: %s" % watching)
        daemon.stop()

    bad = os.path.join(work, "bad.yaml")
    with open(bad, "w") as f:
        f.write("serve:\n  watch_interval: 2s\n  sqs_wait: 30s\n")
    run = subprocess.run([binary, "serve", "--config", bad, "--store", "sqlite://" + os.path.join(work, "bad.db"),
                          "--listen", "127.0.0.1:%d" % free_port()],
                         capture_output=True, text=True, timeout=120, env=env)
    check(run.returncode == 2, "an out-of-range serve key stops serve with exit 2: %s" % run.returncode)
    check("bad.yaml:3:13: serve.sqs_wait: must be between 0s and 20s, got '30s'" in run.stderr,
          "the problem names file, line, column and reason: %s" % run.stderr.strip()[-300:])
    return checks.finish("serve config")


if __name__ == "__main__":
    sys.exit(main())
