"""What every check script shares: its command line with a fresh work folder, and the bookkeeping of
its checks (each failure is kept and printed at the end; the exit code says whether any failed).

    binary, work = script_args()          # CLOUDWARD WORK_DIR, WORK_DIR emptied
    checks = Checks()
    checks.check(status == 200, "health answers")
    sys.exit(checks.finish("alerts"))     # FAIL: ... lines, "alerts: 0 checks failed", 0 or 1"""
import os
import shutil
import sys


def fresh_dir(path):
    """Empties `path` (made when missing), so that every run starts from nothing."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)


def script_args(count=2):
    """The first `count` command-line arguments, CLOUDWARD WORK_DIR [MORE...], with WORK_DIR fresh."""
    if len(sys.argv) < count + 1:
        sys.exit("usage: %s CLOUDWARD WORK_DIR%s" % (os.path.basename(sys.argv[0]), " ..." if count > 2 else ""))
    args = sys.argv[1:count + 1]
    fresh_dir(args[1])
    return args


class Checks:
    """The failed checks, in order. With `echo`, every check is printed as it is made (ok / FAIL)."""

    def __init__(self, echo=True):
        self.echo = echo
        self.failures = []

    def check(self, cond, what):
        if self.echo:
            print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.failures.append(what)
        return cond

    def finish(self, name, summary=None):
        """Prints each failure, the summary line if any, and "NAME: N checks failed"; the exit code."""
        for f in self.failures:
            print("FAIL:", f)
        if summary:
            print(summary)
        print("%s: %d checks failed" % (name, len(self.failures)))
        return 1 if self.failures else 0
