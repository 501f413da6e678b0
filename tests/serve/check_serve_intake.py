#!/usr/bin/env python3
"""`cloudward serve` intake paths other than HTTP, against a real moto server:

  S3 -> SQS: a bucket notifies an SQS queue of new objects (moto sends the S3 event notification,
  key form-encoded, after its s3:TestEvent); a gzipped CloudTrail file is put -> the daemon fetches
  the object and its findings are stored, with the object as their source.
  S3 -> SNS -> SQS: another bucket notifies an SNS topic that the queue subscribes to (SNS
  Notification envelopes); an EventBridge CloudTrail event published to the topic is read too.
  Odd messages: an S3 record without a key is logged naming the record and deleted; a deletion
  notice fetches nothing.
  Watched folder: a .json and a .json.gz dropped into serve.watch are read once, a hidden file is
  not; after a restart only a new file is read.
  Every queue ends empty.

Usage: check_serve_intake.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import gzip
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from moto_harness import MotoServer, require_moto  # noqa: E402
from serve_harness import ACCOUNT, Checks, Daemon, eventbridge, record, script_args, wait_until  # noqa: E402

require_moto()

TOKEN = "intake-token-6f02"
DIRECT_KEY = "AWSLogs/%s/CloudTrail/us-east-1/2026/11/20/%s_CloudTrail_us-east-1_20261120T0910Z_a+b=c d.json.gz" % (
    ACCOUNT, ACCOUNT)
FANOUT_KEY = "AWSLogs/%s/CloudTrail/us-east-1/2026/11/20/fanout.json.gz" % ACCOUNT


def trail_file(*event_ids):
    return gzip.compress(json.dumps({"Records": [record(e) for e in event_ids]}).encode())


def main():
    binary, work = script_args()
    with MotoServer(work) as moto:
        return run(binary, work, moto)


def stored_findings(api):
    """event_id -> source file of every finding in the store."""
    status, incidents = api.call("GET", "/api/v1/incidents")
    out = {}
    for inc in incidents if status == 200 else []:
        s, findings = api.call("GET", "/api/v1/incidents/%s/findings" % inc["id"])
        for f in findings if s == 200 else []:
            out[f.get("event_id")] = (f.get("source") or {}).get("file")
    return out


def run(binary, work, moto):
    checks = Checks()
    check = checks.check
    s3, sqs, sns = moto.client("s3"), moto.client("sqs"), moto.client("sns")
    direct = sqs.create_queue(QueueName="cw-direct")["QueueUrl"]
    fanout = sqs.create_queue(QueueName="cw-fanout")["QueueUrl"]

    def arn(url):
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def queue_left(url):
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])

    topic = sns.create_topic(Name="cloudtrail-files")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn(fanout))
    s3.create_bucket(Bucket="trail-direct")
    s3.create_bucket(Bucket="trail-fanout")
    s3.put_bucket_notification_configuration(Bucket="trail-direct", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn(direct), "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_bucket_notification_configuration(Bucket="trail-fanout", NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})

    watched = os.path.join(work, "watched")
    os.makedirs(watched)
    config = """serve:
  tokens:
    - {name: oncall, token: env:CW_TEST_INTAKE_TOKEN, role: responder}
  sqs_queues: [%s, %s]
  watch: [%s]
""" % (direct, fanout, watched)
    env = dict(moto.env, CW_TEST_INTAKE_TOKEN=TOKEN)
    args = ["--sqs-wait", "1", "--sqs-visibility-timeout", "5", "--watch-interval", "200",
            "--watch-state", os.path.join(work, "watch.state")]

    with Daemon(binary, work, config, tag="intake", env=env, args=args) as daemon:
        api = daemon.api(token=TOKEN)

        # S3 -> SQS, and S3 -> SNS -> SQS, with real bucket notifications.
        s3.put_object(Bucket="trail-direct", Key=DIRECT_KEY, Body=trail_file("s3-direct-1", "s3-direct-2"))
        s3.put_object(Bucket="trail-fanout", Key=FANOUT_KEY, Body=trail_file("s3-fanout-1"))
        # An EventBridge CloudTrail event fanned out through SNS.
        sns.publish(TopicArn=topic, Message=json.dumps(eventbridge(record("sns-eb-1"))))
        # Odd messages: a record without a key; a deletion notice.
        sqs.send_message(QueueUrl=direct, MessageBody=json.dumps({"Records": [
            {"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
             "s3": {"bucket": {"name": "trail-direct"}, "object": {"size": 3}}}]}))
        sqs.send_message(QueueUrl=direct, MessageBody=json.dumps({"Records": [
            {"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectRemoved:Delete",
             "s3": {"bucket": {"name": "trail-direct"}, "object": {"key": "AWSLogs/deleted.json.gz"}}}]}))

        # Watched folder: written under a hidden name, then renamed (as log shippers do).
        with open(os.path.join(watched, ".partial"), "w") as f:
            json.dump({"Records": [record("watch-hidden")]}, f)
        with open(os.path.join(watched, ".w1.tmp"), "w") as f:
            json.dump({"Records": [record("watch-1")]}, f)
        os.rename(os.path.join(watched, ".w1.tmp"), os.path.join(watched, "w1.json"))
        with open(os.path.join(watched, ".w2.tmp"), "wb") as f:
            f.write(trail_file("watch-gz-1"))
        os.rename(os.path.join(watched, ".w2.tmp"), os.path.join(watched, "w2.json.gz"))

        expected = {"s3-direct-1", "s3-direct-2", "s3-fanout-1", "sns-eb-1", "watch-1", "watch-gz-1"}
        found = wait_until(lambda: (lambda f: f if expected <= set(f) else None)(stored_findings(api))) \
            or stored_findings(api)
        check(expected <= set(found), "findings from every intake path are stored: missing %s"
              % sorted(expected - set(found)))
        check(found.get("s3-direct-1") == "s3://trail-direct/" + DIRECT_KEY,
              "S3 -> SQS: the object was fetched by its decoded key: %s" % found.get("s3-direct-1"))
        check(found.get("s3-fanout-1") == "s3://trail-fanout/" + FANOUT_KEY,
              "S3 -> SNS -> SQS: the object named inside the SNS envelope was fetched: %s" % found.get("s3-fanout-1"))
        check((found.get("sns-eb-1") or "").startswith("sqs:cw-fanout/"),
              "an EventBridge event inside an SNS envelope is read from the message: %s" % found.get("sns-eb-1"))
        check(found.get("watch-1") == os.path.join(watched, "w1.json")
              and found.get("watch-gz-1") == os.path.join(watched, "w2.json.gz"),
              "watched folder: both files read, the gzip one too")
        check("watch-hidden" not in found, "a hidden file in the watched folder is not read")

        drained = wait_until(lambda: queue_left(direct) == 0 and queue_left(fanout) == 0)
        check(bool(drained), "both queues end empty (direct %d, fanout %d)" % (queue_left(direct), queue_left(fanout)))
        logs = daemon.log_records()
        skipped = [r for r in logs if r.get("msg") == "part of an sqs message skipped"]
        check(any("Records[0]" in r.get("error", "") and "s3.object.key" in r.get("error", "") for r in skipped),
              "the record without a key is logged naming the record: %s" % [r.get("error") for r in skipped])
        check(not any("deleted.json.gz" in json.dumps(r) for r in logs),
              "a deletion notice fetches nothing")
        s3_errors = [r for r in logs if r.get("msg", "").startswith("s3 fetch failed")]
        check(not s3_errors, "no S3 fetch failed: %s" % s3_errors[:1])
        read_once = [r for r in logs if r.get("msg") == "sqs message committed" and r.get("source", "").startswith("s3://")]
        check(sorted(r["source"] for r in read_once) == sorted(["s3://trail-direct/" + DIRECT_KEY,
                                                                "s3://trail-fanout/" + FANOUT_KEY]),
              "each object is read once: %s" % [r["source"] for r in read_once])
        _, health = api.call("GET", "/api/v1/health")
        findings_before = health.get("findings")
        check(daemon.stop() == 0, "SIGTERM: clean shutdown")

    # After a restart the watcher reads only what is new.
    with open(os.path.join(watched, "w3.json"), "w") as f:
        json.dump({"Records": [record("watch-2")]}, f)
    with Daemon(binary, work, config, tag="intake", env=env, args=args) as daemon:
        api = daemon.api(token=TOKEN)
        found = wait_until(lambda: (lambda f: f if "watch-2" in f else None)(stored_findings(api))) or {}
        check("watch-2" in found, "after a restart the new file is read")
        time.sleep(1)
        _, health = api.call("GET", "/api/v1/health")
        check(health.get("findings") == findings_before + 1,
              "and only the new file: %s findings, %s before" % (health.get("findings"), findings_before))
        watch_reads = [r for r in daemon.log_records() if "w1.json" in json.dumps(r) or "w2.json.gz" in json.dumps(r)]
        check(not watch_reads, "files read before the restart are not read again: %s" % watch_reads[:1])
        check(daemon.stop() == 0, "SIGTERM: clean shutdown after the restart")
    return checks.finish("serve intake on moto")


if __name__ == "__main__":
    sys.exit(main())
