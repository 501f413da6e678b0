"""What the CLI integration scripts share: a real moto server on a free port, the environment that
points cloudward and boto3 at it, and the `cloudward` runner with check bookkeeping.

    with MotoServer(work) as moto:
        iam = moto.client("iam")
        cw = Cloudward(binary, moto.env, store=os.path.join(work, "store.db"))
        cw("hunt", logs, ok=(1,))
        cw.check(iam.list_users()["Users"], "a user exists")
    sys.exit(cw.finish("playbooks on moto"))

Scripts exit 77 (a ctest skip) when moto or boto3 is missing: call require_moto() first."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402


def require_moto():
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        print("SKIPPED: needs moto 5 and boto3 (%s); set CW_PYTHON" % e)
        sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    def __init__(self, work, region="us-east-1"):
        self.work, self.region = work, region
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                        AWS_DEFAULT_REGION=region, AWS_REGION=region, AWS_ENDPOINT_URL=self.endpoint)
        self.env.pop("AWS_PROFILE", None)
        self.server = None

    def __enter__(self):
        self.server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                       stdout=open(os.path.join(self.work, "moto.log"), "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        sys.exit("moto server did not start on port %d (see %s/moto.log)" % (self.port, self.work))

    def __exit__(self, *exc):
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=10)

    def client(self, service):
        import boto3
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")


class Cloudward:
    """Runs the binary with --store; exits the script when an exit code is not in `ok`."""

    def __init__(self, binary, env, store):
        self.binary, self.env, self.store = binary, env, store
        self.checks = Checks(echo=False)
        self.check, self.finish = self.checks.check, self.checks.finish

    def __call__(self, *args, ok=(0,), store=True):
        p = subprocess.run([self.binary, *args, *(("--store", "sqlite://" + self.store) if store else ())],
                           capture_output=True, text=True, env=self.env)
        if p.returncode not in ok:
            sys.exit("cloudward %s -> %d: %s%s" % (" ".join(args), p.returncode, p.stdout[-1500:], p.stderr[-1500:]))
        return p
