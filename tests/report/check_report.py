#!/usr/bin/env python3
"""`cloudward report` end to end: simulate -> hunt into a fresh SQLite store -> report every format.

Usage: check_report.py CLOUDWARD WORK_DIR

Checks that the HTML report is one self-contained, well-formed page (no external scripts, styles or
images; every finding of the incident accounted for; hostile text escaped), that Markdown carries the
same incident, that the OCSF export is an Incident Finding listing every finding, and that the ASFF
export is accepted by Security Hub's BatchImportFindings (moto 5 + boto3, skipped without them)."""
import html.parser
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import Checks, script_args  # noqa: E402


def run(cmd, ok=(0, 1)):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in ok:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), proc.returncode, proc.stderr[-2000:]))
    return proc


class Page(html.parser.HTMLParser):
    VOID = {"meta", "br", "img", "input", "link", "hr", "circle", "rect"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.external, self.rows, self.scripts = [], [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.external.append(value)
        if tag == "script":
            self.scripts += 1
        if tag == "tr":
            self.rows += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
            return
        self.stack.pop()


def main():
    binary, work = script_args()
    logs, db = os.path.join(work, "logs"), os.path.join(work, "store.db")
    store = ["--store", "sqlite://" + db]
    run([binary, "simulate", "--out", logs, "--seed", "5", "--events", "5000", "--days", "1",
         "--scenarios", "compromised-access-key", "-q"])
    run([binary, "hunt", "--quiet", "--format", "jsonl", "-o", os.path.join(work, "findings.jsonl")] + store + [logs],
        ok=(0, 1, 3))
    incidents = json.loads(run([binary, "incidents", "list", "--format", "json"] + store, ok=(0,)).stdout)
    if not incidents:
        sys.exit("FAIL: the hunt built no incident")
    inc = max(incidents, key=lambda i: i["finding_count"])
    iid, count = inc["id"], inc["finding_count"]
    # A note with markup must come out escaped.
    run([binary, "incidents", "update", iid, "--note", "<script>alert(1)</script> & check", "--as", "tester"] + store, ok=(0,))
    checks = Checks(echo=False)
    check = checks.check

    page_path = os.path.join(work, iid + ".html")
    run([binary, "report", iid, "-o", page_path] + store, ok=(0,))
    text = open(page_path, encoding="utf-8").read()
    page = Page()
    page.feed(text)
    page.close()
    check(not page.errors, "HTML well formed: %s" % page.errors[:3])
    check(not page.external, "HTML self-contained, found external references %s" % page.external[:3])
    check(page.scripts == 0, "HTML has no scripts")
    check(iid in text and "<svg" in text, "HTML names the incident and has the timeline chart")
    check("&lt;script&gt;alert(1)&lt;/script&gt; &amp; check" in text, "journal note escaped")
    shown = min(count, 500)
    check(page.rows >= shown, "HTML lists the findings (%d rows for %d findings)" % (page.rows, shown))

    md = run([binary, "report", iid, "--format", "markdown"] + store, ok=(0,)).stdout
    check(md.startswith("# " + iid) and "## Timeline (%d findings)" % count in md, "Markdown heading and timeline")

    ocsf = json.loads(run([binary, "report", iid, "--format", "ocsf"] + store, ok=(0,)).stdout)
    check(ocsf["class_uid"] == 2005 and ocsf["category_uid"] == 2, "OCSF Incident Finding class")
    check(len(ocsf["finding_info_list"]) == count, "OCSF lists every finding (%d of %d)" % (len(ocsf["finding_info_list"]), count))
    check(ocsf["severity_id"] in (2, 3, 4, 5) and ocsf["status_id"] == 1, "OCSF severity and status")

    asff = json.loads(run([binary, "report", iid, "--format", "asff", "--account", "123456789012"] + store, ok=(0,)).stdout)
    required = ["SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt",
                "UpdatedAt", "Severity", "Title", "Description", "Resources"]
    check(len(asff) == 1 and all(k in asff[0] for k in required), "ASFF has every required field")
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        print("note: moto/boto3 missing, ASFF not imported into Security Hub")
    else:
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        with mock_aws():
            hub = boto3.client("securityhub")
            result = hub.batch_import_findings(Findings=asff)
            check(result["FailedCount"] == 0, "Security Hub accepted the ASFF finding: %s" % result.get("FailedFindings"))
            got = hub.get_findings()["Findings"]
            check([f["Id"] for f in got] == ["cloudward/" + iid], "Security Hub returns the finding")

    missing = run([binary, "report", "INC-0000000000"] + store, ok=(2,))
    check("INC-0000000000" in missing.stderr, "unknown incident named in the error")

    return checks.finish("report", "report: %s with %d findings; HTML %d KB, %d table rows; Markdown %d lines" %
                         (iid, count, len(text) // 1024, page.rows, md.count("\n")))


if __name__ == "__main__":
    sys.exit(main())
