#!/usr/bin/env python3
"""Multi-account scans of an AWS Organization through the CLI, against a real moto server.

moto holds an organization (the management account is moto's default account) with three members:
  m1 -- active: scanned through the member role, its own bucket reported under its own id;
  m2 -- active, but its role refuses sts:AssumeRole: reported for that account, the others still scanned;
  m3 -- closed (SUSPENDED): not scanned at all.
moto's STS lets any role be assumed, so a small proxy in front of moto answers AccessDenied to
AssumeRole into m2, and serves organizations:ListAccounts one account per page (MaxResults=1) so
that pagination is exercised. The proxy records the role ARNs cloudward asks for.

Usage: check_organization.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import http.client
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import Checks, script_args  # noqa: E402
from moto_harness import MotoServer, free_port, require_moto  # noqa: E402

require_moto()
import boto3  # noqa: E402

MANAGEMENT = "123456789012"  # moto's default account
checks = Checks(echo=False)
check = checks.check


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, upstream_port):
        self.upstream_port = upstream_port
        self.refused = set()       # account ids whose roles refuse AssumeRole
        self.assumed = []          # role ARNs asked for
        self.list_pages = 0        # organizations:ListAccounts calls
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".ListAccounts"):
            request = json.loads(body or b"{}")
            request.setdefault("MaxResults", 1)
            body = json.dumps(request).encode()
            with server.lock:
                server.list_pages += 1
        if body.startswith(b"Action=AssumeRole&") or b"&Action=AssumeRole&" in body or body.endswith(b"Action=AssumeRole"):
            form = urllib.parse.parse_qs(body.decode())
            arn = form.get("RoleArn", [""])[0]
            with server.lock:
                server.assumed.append(arn)
            if any(":iam::%s:" % a in arn for a in server.refused):
                err = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                       '<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on '
                       'resource: %s</Message></Error><RequestId>proxy-refusal</RequestId></ErrorResponse>' % arn).encode()
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(err)))
                self.end_headers()
                self.wfile.write(err)
                return
        conn = http.client.HTTPConnection("127.0.0.1", server.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("content-length", "connection")}
        headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward


def run(binary, env, *args, ok=(0, 1)):
    p = subprocess.run([binary, *args], capture_output=True, text=True, env=env, timeout=600)
    if p.returncode not in ok:
        sys.exit("cloudward %s -> %d:\n%s\n%s" % (" ".join(args), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def main():
    binary, work = script_args()
    with MotoServer(work) as moto:
        return run_checks(binary, work, moto)


def run_checks(binary, work, moto):
    proxy = Proxy(free_port(), moto.port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    moto_url, endpoint = moto.endpoint, "http://127.0.0.1:%d" % proxy.server_address[1]
    # cloudward talks to moto through the proxy; the setup below talks to moto directly.
    env = dict(moto.env, AWS_ENDPOINT_URL=endpoint, CLOUDWARD_STORE="sqlite://" + os.path.join(work, "store.db"))
    for k in ("CLOUDWARD_CONFIG", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    try:
        kw = dict(endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="testing",
                  aws_secret_access_key="testing")
        org = boto3.client("organizations", **kw)
        org.create_organization(FeatureSet="ALL")
        members = {}
        for name in ("m1", "m2", "m3"):
            members[name] = org.create_account(AccountName=name, Email=name + "@example.com")["CreateAccountStatus"]["AccountId"]
        org.close_account(AccountId=members["m3"])
        proxy.refused.add(members["m2"])
        # A bucket in m1, made with m1's own (assumed-role) credentials.
        creds = boto3.client("sts", **kw).assume_role(
            RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % members["m1"],
            RoleSessionName="setup")["Credentials"]
        boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                     aws_secret_access_key=creds["SecretAccessKey"],
                     aws_session_token=creds["SessionToken"]).create_bucket(Bucket="cw-member-m1")
        boto3.client("s3", **kw).create_bucket(Bucket="cw-management")

        # --organization: the management account with the current credentials, m1 through the
        # default role, m2 refused and reported, m3 skipped.
        p = run(binary, env, "posture", "--organization", "--regions", "us-east-1", "--quiet", "--format", "json",
                ok=(4,))
        out = json.loads(p.stdout)
        reports = {a["account"]: a for a in out.get("accounts", []) if "error" not in a}
        errors = {a.get("account"): a["error"] for a in out.get("accounts", []) if "error" in a}
        check(set(reports) == {MANAGEMENT, members["m1"]},
              "the active, reachable accounts are scanned: %s (errors %s)" % (sorted(reports), errors))
        check(set(errors) == {members["m2"]} and "AccessDenied" in errors.get(members["m2"], "")
              and "cannot assume arn:aws:iam::%s:role/OrganizationAccountAccessRole" % members["m2"] in errors[members["m2"]],
              "the refusing account is reported with its reason: %s" % errors)
        check(members["m3"] not in reports and members["m3"] not in errors, "the closed account is not scanned")
        check("m2" in p.stderr and "AccessDenied" in p.stderr, "the refusal is on stderr: %s" % p.stderr[-500:])
        if set(reports) == {MANAGEMENT, members["m1"]}:
            mine = {r["resource"] for r in reports[members["m1"]]["results"]}
            theirs = {r["resource"] for r in reports[MANAGEMENT]["results"]}
            check("arn:aws:s3:::cw-member-m1" in mine and "arn:aws:s3:::cw-member-m1" not in theirs and
                  "arn:aws:s3:::cw-management" in theirs, "each account reports its own buckets")
        wanted_roles = {"arn:aws:iam::%s:role/OrganizationAccountAccessRole" % members[m] for m in ("m1", "m2")}
        check(wanted_roles <= set(proxy.assumed), "the member role is assumed in each member: %s" % proxy.assumed)
        check(not any(members["m3"] in a or MANAGEMENT in a for a in proxy.assumed),
              "no role is assumed in the closed account or the caller's own: %s" % proxy.assumed)
        check(proxy.list_pages >= 4, "organizations:ListAccounts is followed page by page: %d call(s)" % proxy.list_pages)

        # The same from the configuration, with another role name and readiness.
        proxy.assumed.clear()
        config = os.path.join(work, "org.yaml")
        with open(config, "w") as f:
            f.write("accounts:\n  - organization: true\n    role_name: SecurityAudit\n    regions: [us-east-1]\n")
        p = run(binary, env, "readiness", "--config", config, "--quiet", "--format", "json", ok=(4,))
        out = json.loads(p.stdout)
        scanned = {a["account"] for a in out.get("accounts", []) if "error" not in a}
        refused = {a.get("account") for a in out.get("accounts", []) if "error" in a}
        check(scanned == {MANAGEMENT, members["m1"]} and refused == {members["m2"]},
              "readiness from accounts.organization: scanned %s, refused %s" % (scanned, refused))
        check(set(proxy.assumed) == {"arn:aws:iam::%s:role/SecurityAudit" % members[m] for m in ("m1", "m2")},
              "role_name is used for each member: %s" % proxy.assumed)
        p = run(binary, env, "posture", "--config", config, "--organization-role", "Other", "--quiet", "--format", "json",
                ok=(4,))
        check(any(a.endswith(":role/Other") for a in proxy.assumed), "--organization-role wins over role_name")

        # Everything refused but the caller's own account: still one report and the errors.
        proxy.refused.add(members["m1"])
        p = run(binary, env, "posture", "--organization", "--regions", "us-east-1", "--quiet", "--format", "json",
                ok=(4,))
        out = json.loads(p.stdout)
        check(len([a for a in out["accounts"] if "error" in a]) == 2 and
              [a["account"] for a in out["accounts"] if "error" not in a] == [MANAGEMENT],
              "with two refusals the caller's account is still scanned: %s" % [a.get("account") for a in out["accounts"]])

        # Bad input: flags that do not combine, a bad role name, a malformed organization entry.
        p = run(binary, env, "posture", "--organization", "--role-arn", "arn:aws:iam::%s:role/x" % MANAGEMENT, ok=(2,))
        check("do not combine" in p.stderr, "--organization with --role-arn is refused: %s" % p.stderr)
        p = run(binary, env, "posture", "--organization", "--organization-role", "no such/role", ok=(2,))
        check("not an IAM role name" in p.stderr, "a malformed --organization-role is refused: %s" % p.stderr)
        p = run(binary, env, "posture", "--organization-role", "Audit", ok=(2,))
        check("needs --organization" in p.stderr, "--organization-role alone is refused: %s" % p.stderr)
        with open(config, "w") as f:
            f.write("accounts:\n  - organization: true\n    id: '111111111111'\n    role_name: 'bad name'\n")
        p = run(binary, env, "posture", "--config", config, ok=(2,))
        check("org.yaml:4:16: accounts[0].role_name: expected an IAM role name" in p.stderr and
              "org.yaml:2:5: accounts[0]: an organization entry names its accounts itself" in p.stderr,
              "a malformed organization entry is reported with file:line: %s" % p.stderr)
        # No organization (AWS: AWSOrganizationsNotInUseException; moto: an empty list): exit 4, the reason.
        urllib_reset(moto_url)
        p = run(binary, env, "posture", "--organization", "--quiet", ok=(4,))
        check("organizations:ListAccounts" in p.stderr or "no active account" in p.stderr,
              "no organization: the reason is given: %s" % p.stderr)
    finally:
        proxy.shutdown()
    return checks.finish("organization scans on moto")


def urllib_reset(moto_url):
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST")).read()


if __name__ == "__main__":
    sys.exit(main())
