#!/usr/bin/env python3
"""posture, readiness (with --fix) and inventory through the CLI, against a real moto server.

Two phases on one moto server, reset in between (POST /moto-api/reset):
  bad  -- an account built with boto3 to fail every check it can: posture, readiness, then
          readiness --fix (dry run: boto3 sees nothing new), --fix --apply (boto3 sees the
          quarantine groups and the forensic bucket), readiness again (both now pass), a rollback,
          inventory (nodes, edges, "internet reaches" and an SVG), a malformed configuration;
  good -- the same kinds of resources, secured.
Then every check id is asserted to have been seen passing and failing, except where moto cannot
produce one side (listed in MOTO_LIMITS with the reason; the unit tests cover those sides).

Usage: check_prepare.py CLOUDWARD WORK_DIR. Exits 77 (ctest skip) without moto/boto3."""
import datetime
import io
import json
import os
import subprocess
import sys
import urllib.request
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import Checks, script_args  # noqa: E402
from moto_harness import MotoServer, require_moto  # noqa: E402

require_moto()
import boto3  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1"]
ACCOUNT = "123456789012"  # moto's default account
# What moto cannot show, and which side the unit tests prove instead.
POSTURE_LIMITS = {
    "iam.root-access-keys": "moto reports AccountAccessKeysPresent=0 always (only pass is reachable)",
    "iam.root-mfa": "moto reports AccountMFAEnabled=0 always (only fail is reachable)",
}
# Checks moto cannot evaluate at all: reported unknown with the reason (not a crash, not a pass).
POSTURE_NOT_EVALUATED = {
    "ec2.patch-compliance": "moto has no ssm:ListResourceComplianceSummaries (HTTP 500); the unit tests judge both sides",
}
READINESS_LIMITS = {
    "backup.recovery-points": "moto has no ListRecoveryPointsByBackupVault: fail without a vault, unknown with one",
    "accessanalyzer.enabled": "moto has no IAM Access Analyzer: always unknown",
    "support.plan": "moto has no support:DescribeSeverityLevels: always unknown",
}

checks = Checks(echo=False)
check = checks.check


class Cloudward:
    def __init__(self, binary, work, env):
        self.binary, self.work, self.env = binary, work, env

    def run(self, *args, ok=(0, 1)):
        p = subprocess.run([self.binary, *args], capture_output=True, text=True, env=self.env, timeout=600)
        if p.returncode not in ok:
            sys.exit("cloudward %s -> %d:\n%s\n%s" % (" ".join(args), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
        return p

    def json(self, *args, ok=(0, 1)):
        p = self.run(*args, ok=ok)
        try:
            return json.loads(p.stdout), p
        except ValueError:
            sys.exit("cloudward %s: not JSON: %s" % (" ".join(args), p.stdout[:500]))


def lambda_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 'ok'\n")
    return buf.getvalue()


def clients(endpoint, region):
    kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
    return lambda name: boto3.client(name, **kw)


def harden_default_network(c):
    """Default VPC: empty default group, admin ports denied by every network ACL."""
    ec2 = c("ec2")
    for g in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
        if g["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=g["GroupId"], IpPermissions=g["IpPermissionsEgress"])
        if g["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=g["GroupId"], IpPermissions=g["IpPermissions"])
    for acl in ec2.describe_network_acls()["NetworkAcls"]:
        for n, port in ((50, 22), (51, 3389)):
            ec2.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=n, Protocol="6", RuleAction="deny",
                                         Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": port, "To": port})
            ec2.create_network_acl_entry(NetworkAclId=acl["NetworkAclId"], RuleNumber=n + 10, Protocol="6",
                                         RuleAction="deny", Egress=False, Ipv6CidrBlock="::/0",
                                         PortRange={"From": port, "To": port})


def put_account_public_access_block(endpoint, account, settings):
    """S3 Control PutPublicAccessBlock by hand: boto3 puts the account in the host name even for a
    custom endpoint (and moto does not check signatures)."""
    body = ('<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">' +
            "".join("<%s>%s</%s>" % (k, str(v).lower(), k) for k, v in settings.items()) +
            "</PublicAccessBlockConfiguration>").encode()
    urllib.request.urlopen(urllib.request.Request(
        endpoint + "/v20180820/configuration/publicAccessBlock", data=body, method="PUT",
        headers={"x-amz-account-id": account, "Content-Type": "application/xml",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                                  "SignedHeaders=host, Signature=0"})).read()


def use_key(endpoint, key):
    """One call with the key, so that IAM records its last use."""
    boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                 aws_secret_access_key=key["SecretAccessKey"]).get_caller_identity()


def secure_bucket(s3, name, log_target):
    s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="log-delivery-write")
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": log_target or name, "TargetPrefix": name + "/"}})


def network(c, cidr, admin_open, imds_required, encrypted, profile):
    """A VPC with a public subnet routed to an internet gateway and one instance with an EIP."""
    ec2 = c("ec2")
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    base = cidr.split(".")
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="%s.%s.%d.0/24" % (base[0], base[1], i), AvailabilityZone=az)
               ["Subnet"]["SubnetId"] for i, az in enumerate(azs)]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for s in subnets:
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=s)
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    port = 22 if admin_open else 443
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    inst = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnets[0], SecurityGroupIds=[sg],
                             IamInstanceProfile={"Name": profile},
                             MetadataOptions={"HttpTokens": "required" if imds_required else "optional"},
                             BlockDeviceMappings=[{"DeviceName": "/dev/sda1",
                                                   "Ebs": {"VolumeSize": 8, "Encrypted": encrypted}}])
    instance = inst["Instances"][0]["InstanceId"]
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=alloc, InstanceId=instance)
    return {"vpc": vpc, "subnets": subnets, "igw": igw, "rtb": rtb, "sg": sg, "instance": instance}


def build(endpoint, good):
    """Builds the account; returns what the assertions need."""
    c = clients(endpoint, "us-east-1")
    s3, iam = c("s3"), c("iam")
    out = {}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}]})
    admin = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    scoped = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                 "Resource": "arn:aws:s3:::data/*"}]})
    role_arn = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.create_instance_profile(InstanceProfileName="app")
    iam.add_role_to_instance_profile(InstanceProfileName="app", RoleName="app")
    iam.put_role_policy(RoleName="app", PolicyName="app", PolicyDocument=scoped if good else admin)
    iam.create_policy(PolicyName="team", PolicyDocument=scoped if good else admin)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9!")
    alice_key = iam.create_access_key(UserName="alice")["AccessKey"]
    out["alice_key"] = alice_key["AccessKeyId"]
    if good:
        use_key(endpoint, alice_key)  # used today
    else:
        # bob's key is used today; alice's never: both are stale at --at + 200 days.
        iam.create_user(UserName="bob")
        bob_key = iam.create_access_key(UserName="bob")["AccessKey"]
        use_key(endpoint, bob_key)
        out["bob_key"] = bob_key["AccessKeyId"]
    all_four = {k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}
    put_account_public_access_block(endpoint, ACCOUNT, all_four if good else dict(all_four, IgnorePublicAcls=False))
    if good:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")
        iam.create_role(RoleName="break-glass", AssumeRolePolicyDocument=trust,
                        Tags=[{"Key": "cloudward:break-glass", "Value": "true"}])

    # S3.
    logs = "cw-%s-logs" % ("good" if good else "bad")
    data = "cw-%s-data" % ("good" if good else "bad")
    out.update(logs=logs, data=data)
    if good:
        secure_bucket(s3, logs, None)
        secure_bucket(s3, data, logs)
        secure_bucket(s3, "cw-good-forensics", logs)
        s3.put_bucket_tagging(Bucket=logs, Tagging={"TagSet": [{"Key": "Name", "Value": "logs"}]})
    else:
        s3.create_bucket(Bucket=logs)
        s3.create_bucket(Bucket=data)
        s3.put_bucket_acl(Bucket=data, ACL="public-read")
        s3.put_bucket_policy(Bucket=data, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % data},
            {"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % data}]}))
        # A tag suppression: the logs bucket's missing logging is accepted.
        s3.put_bucket_tagging(Bucket=logs, Tagging={"TagSet": [{"Key": "cloudward:suppress", "Value": "s3.logging"}]})

    # Network and compute in us-east-1.
    net = network(c, "10.20.0.0/16", admin_open=not good, imds_required=good, encrypted=good, profile="app")
    out["net"] = net
    ec2 = c("ec2")
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=4, Encrypted=good)
    if not good:
        # An instance left in its VPC's default security group.
        default_vpc = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]][0]
        sub = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"][0]["SubnetId"]
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=sub,
                          MetadataOptions={"HttpTokens": "required"},
                          BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "Encrypted": True}}])

    # Databases.
    c("rds").create_db_instance(DBInstanceIdentifier="orders", Engine="postgres", DBInstanceClass="db.t3.micro",
                                AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="Secret-12345",
                                PubliclyAccessible=not good, StorageEncrypted=good, BackupRetentionPeriod=7 if good else 0)
    ddb = c("dynamodb")
    ddb.create_table(TableName="sessions", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    if good:
        ddb.update_continuous_backups(TableName="sessions",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

    # Applications.
    lam = c("lambda")
    lam.create_function(FunctionName="hook", Runtime="python3.12" if good else "python3.7", Role=role_arn,
                        Handler="handler.handler", Code={"ZipFile": lambda_zip()})
    lam.create_function_url_config(FunctionName="hook", AuthType="AWS_IAM" if good else "NONE")
    elb = c("elbv2")
    lb = elb.create_load_balancer(Name="front", Subnets=net["subnets"], SecurityGroups=[net["sg"]], Scheme="internet-facing",
                                  Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=net["vpc"], TargetType="instance")
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": net["instance"]}])
    if good:
        action = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    else:
        action = {"Type": "forward", "TargetGroupArn": tg_arn}
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[action])
    out["lb"] = lb

    # Readiness, in every region.
    ct = c("cloudtrail")
    if good:
        ct.create_trail(Name="org", S3BucketName=logs, IsMultiRegionTrail=True, EnableLogFileValidation=True)
        ct.put_event_selectors(TrailName="org", EventSelectors=[{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    else:
        ct.create_trail(Name="org", S3BucketName=logs, IsMultiRegionTrail=False)
        ct.put_event_selectors(TrailName="org", EventSelectors=[{"ReadWriteType": "WriteOnly",
                                                                 "IncludeManagementEvents": True}])
    ct.start_logging(Name="org")
    for region in REGIONS:
        rc = clients(endpoint, region)
        if good:
            harden_default_network(rc)  # every VPC of the region, the custom one included
            rc("guardduty").create_detector(Enable=True, Features=[
                {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}, {"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"}])
            rc("securityhub").enable_security_hub()
            rec2 = rc("ec2")
            for v in rec2.describe_vpcs()["Vpcs"]:
                rec2.create_flow_logs(ResourceIds=[v["VpcId"]], ResourceType="VPC", TrafficType="ALL",
                                      LogDestinationType="s3", LogDestination="arn:aws:s3:::" + logs)
                q = rec2.create_security_group(GroupName="cloudward-quarantine", Description="quarantine",
                                               VpcId=v["VpcId"])["GroupId"]
                rec2.revoke_security_group_egress(GroupId=q, IpPermissions=[
                    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
            sns, sqs = rc("sns"), rc("sqs")
            topic = sns.create_topic(Name="security-alerts")["TopicArn"]
            queue = sqs.create_queue(QueueName="oncall")["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
            ev = rc("events")
            ev.put_rule(Name="guardduty-findings", EventPattern=json.dumps({"source": ["aws.guardduty"]}), State="ENABLED")
            ev.put_targets(Rule="guardduty-findings", Targets=[{"Id": "alerts", "Arn": topic}])
            bk = rc("backup")
            bk.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [
                {"RuleName": "daily", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 5 * * ? *)"}]})
            bk.create_backup_vault(BackupVaultName="Default")
        else:
            if region == "us-east-1":
                rc("guardduty").create_detector(Enable=False)
                sns = rc("sns")
                sns.create_topic(Name="security-alerts")  # nobody subscribed, nothing routed
    return out


def statuses(results, key="check"):
    seen = {}
    for r in results:
        seen.setdefault(r[key], set()).add(r["status"])
    return seen


def main():
    binary, work = script_args()
    moto = MotoServer(work)  # started below
    endpoint = moto.endpoint
    env = dict(moto.env, CLOUDWARD_STORE="sqlite://" + os.path.join(work, "store.db"))
    for k in ("CLOUDWARD_CONFIG", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    cw = Cloudward(binary, work, env)
    regions = ["--regions", ",".join(REGIONS), "--quiet"]
    posture_seen, readiness_seen = {}, {}

    def merge(into, seen):
        for k, v in seen.items():
            into.setdefault(k, set()).update(v)

    with moto:
        # ------------------------------------------------------------------ the bad account
        bad = build(endpoint, good=False)
        today = datetime.date.today()
        bad_config = os.path.join(work, "bad.yaml")
        with open(bad_config, "w") as f:
            f.write("respond:\n  forensic_bucket: cw-bad-forensics\n"
                    "posture:\n  suppressions:\n"
                    "    - check: rds.no-backups\n      resource: '*:db:orders'\n      reason: restored nightly elsewhere\n"
                    "      expires: %s\n"
                    "    - check: s3.versioning\n      resource: arn:aws:s3:::cw-bad-data\n      reason: old exception\n"
                    "      expires: %s\n"
                    "    - check: iam.unused-access-key\n      resource: %s\n      reason: yearly batch job\n"
                    "      expires: %s\n" % (today + datetime.timedelta(days=365), today - datetime.timedelta(days=1),
                                           bad["bob_key"], today + datetime.timedelta(days=365)))
        later = (datetime.datetime.utcnow() + datetime.timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
        posture, p = cw.json("posture", *regions, "--format", "json", "--config", bad_config, "--at", later)
        check(p.returncode == 1, "posture exits 1 on the bad account (%d)" % p.returncode)
        merge(posture_seen, statuses(posture["results"]))
        by = {(r["check"], r["resource"]): r for r in posture["results"]}
        r = by.get(("ec2.public-admin-port", bad["net"]["instance"]))
        check(r and r["status"] == "fail" and 22 in r["evidence"]["OpenGroups"][0]["OpenAdminPorts"],
              "the public instance with SSH open is reported with evidence: %s" % r)
        r = by.get(("s3.logging", "arn:aws:s3:::" + bad["logs"]))
        check(r and r["status"] == "fail" and r["suppressed"] and r["suppressed_by"] == "tag",
              "the tag suppresses s3.logging on the log bucket: %s" % r)
        r = next((x for x in posture["results"] if x["check"] == "rds.no-backups"), None)
        check(r and r["suppressed"] and r["suppressed_by"] == "config", "the configured suppression applies: %s" % r)
        r = by.get(("s3.versioning", "arn:aws:s3:::" + bad["data"]))
        check(r and r["status"] == "fail" and not r["suppressed"], "an expired suppression no longer suppresses: %s" % r)
        check(len(posture["expired_suppressions"]) == 1 and posture["expired_suppressions"][0]["check"] == "s3.versioning"
              and posture["expired_suppressions"][0]["where"].endswith("bad.yaml:9"),
              "the expired suppression is reported with its line: %s" % posture["expired_suppressions"])
        check("expired" in p.stderr, "the expired suppression is reported on stderr")
        r = next((x for x in posture["results"] if x["check"] == "iam.old-access-key"), None)
        check(r and r["status"] == "fail" and r["evidence"]["AgeDays"] >= 199, "a key 200 days old at --at fails: %s" % r)
        r = by.get(("iam.unused-access-key", bad["alice_key"]))
        check(r and r["status"] == "fail" and not r["suppressed"] and r["evidence"]["LastUsedDate"] is None
              and r["evidence"]["AgeDays"] >= 199 and "never used" in r["message"] and r["severity"] == "medium"
              and "deactivate-access-key" in r.get("remediation", ""),
              "a never-used key 200 days old fails: %s" % r)
        r = by.get(("iam.unused-access-key", bad["bob_key"]))
        check(r and r["status"] == "fail" and r["evidence"]["LastUsedDate"] and r["evidence"]["LastUsedService"] == "sts"
              and r["evidence"]["DaysSinceLastUse"] >= 199 and r["suppressed"] and r["suppressed_by"] == "config",
              "a key last used 200 days before --at fails, suppressed by the configuration: %s" % r)
        r = by.get(("s3.account-public-access-block", "arn:aws:iam::%s:root" % ACCOUNT))
        check(r and r["status"] == "fail" and r["evidence"]["IgnorePublicAcls"] is False and "IgnorePublicAcls" in r["message"],
              "the account-level Block Public Access with one setting off fails: %s" % r)
        r = [x for x in posture["results"] if x["check"] == "ec2.patch-compliance"]
        check(len(r) == 1 and r[0]["status"] == "unknown" and r[0]["region"] == "us-east-1" and
              "ssm:ListResourceComplianceSummaries" in r[0]["message"],
              "patch compliance is not evaluated where SSM does not answer (only where there are instances): %s" % r)
        # The other formats.
        ocsf, _ = cw.json("posture", *regions, "--format", "ocsf", "--config", bad_config)
        check(len(ocsf) > 20 and all(f["class_uid"] == 2003 for f in ocsf), "OCSF compliance findings")
        asff, _ = cw.json("posture", *regions, "--format", "asff", "--config", bad_config)
        check(any(f["Compliance"]["Status"] == "FAILED" for f in asff) and all(f["AwsAccountId"] == ACCOUNT for f in asff),
              "ASFF findings")
        table = cw.run("posture", *regions, "--config", bad_config)
        check("FAILED" in table.stdout and "How to fix" in table.stdout, "the table lists failures and fixes")

        team_playbooks = os.path.join(work, "team-playbooks")
        os.makedirs(team_playbooks, exist_ok=True)
        with open(os.path.join(team_playbooks, "key.yml"), "w") as f:
            f.write("id: compromised-access-key\ntitle: Our key runbook\nsteps:\n"
                    "  - id: deactivate\n    phase: contain\n    action: deactivate-access-key\n"
                    "    targets: incident.long_term_keys\n")
        readiness, p = cw.json("readiness", *regions, "--format", "json", "--config", bad_config,
                               "--playbooks", team_playbooks, "--no-bundled-playbooks")
        check(p.returncode == 1, "readiness exits 1 on the bad account")
        pb = next(c for c in readiness["checks"] if c["id"] == "respond.playbooks")
        missing = sorted(i["resource"] for i in pb["items"] if i["status"] == "fail")
        check(pb["status"] == "fail" and missing == ["compromised-ec2-instance", "exposed-s3-bucket", "logging-disabled",
                                                     "root-account-compromise", "unauthorized-network-change"]
              and "fix" in pb, "a playbook folder without five scenarios fails, naming them: %s" % missing)
        merge(readiness_seen, {c["id"]: {c["status"]} for c in readiness["checks"]})
        check(readiness["score"]["percent"] < 30, "the bad account scores low: %s" % readiness["score"])
        check(all("fix" in c for c in readiness["checks"] if c["status"] == "fail"), "every gap has its fix")

        # --fix: a dry run changes nothing.
        def quarantine_groups():
            out = {}
            for region in REGIONS:
                ec2 = clients(endpoint, region)("ec2")
                for g in ec2.describe_security_groups(
                        Filters=[{"Name": "group-name", "Values": ["cloudward-quarantine"]}])["SecurityGroups"]:
                    out[g["VpcId"]] = dict(g, Region=region)
            return out

        def vpcs():
            return {v["VpcId"] for region in REGIONS for v in clients(endpoint, region)("ec2").describe_vpcs()["Vpcs"]}

        s3 = clients(endpoint, "us-east-1")("s3")
        buckets = lambda: {b["Name"] for b in s3.list_buckets()["Buckets"]}  # noqa: E731
        dry, p = cw.json("readiness", *regions, "--format", "json", "--config", bad_config, "--fix")
        check(dry["fix_mode"] == "dry_run" and len(dry["fixes"]) == len(vpcs()) + 1,
              "the dry run plans one group per VPC and the bucket: %d" % len(dry["fixes"]))
        check(all(f.get("plan", {}).get("calls") for f in dry["fixes"]), "each planned fix lists its AWS calls")
        check(quarantine_groups() == {} and "cw-bad-forensics" not in buckets(), "the dry run changes nothing")

        applied, p = cw.json("readiness", *regions, "--format", "json", "--config", bad_config, "--fix", "--apply",
                             "--as", "prep-test")
        check(all(f.get("status") == "applied" for f in applied["fixes"]), "every fix applied: %s" %
              [(f["target"], f.get("status"), f.get("error")) for f in applied["fixes"]])
        groups = quarantine_groups()
        check(set(groups) == vpcs(), "a quarantine group in every VPC")
        check(all(not g["IpPermissions"] and not g["IpPermissionsEgress"] for g in groups.values()),
              "the quarantine groups have no rules")
        check("cw-bad-forensics" in buckets(), "the forensic bucket exists")
        if "cw-bad-forensics" in buckets():
            check(s3.get_bucket_versioning(Bucket="cw-bad-forensics").get("Status") == "Enabled", "forensic bucket versioned")
            pab = s3.get_public_access_block(Bucket="cw-bad-forensics")["PublicAccessBlockConfiguration"]
            check(all(pab.values()), "forensic bucket blocks public access")
            enc = s3.get_bucket_encryption(Bucket="cw-bad-forensics")["ServerSideEncryptionConfiguration"]
            check(enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", "forensic bucket encrypted")
        again, _ = cw.json("readiness", *regions, "--format", "json", "--config", bad_config, "--fix")
        check(again["fixes"] == [], "after --apply nothing is left to fix")
        after = {c["id"]: c["status"] for c in again["checks"]}
        check(after["respond.quarantine-sg"] == "pass" and after["respond.forensic-bucket"] == "pass",
              "a second run reports them present: %s" % {k: after[k] for k in ("respond.quarantine-sg", "respond.forensic-bucket")})
        check(again["score"]["percent"] > readiness["score"]["percent"], "the score went up")
        merge(readiness_seen, {c["id"]: {c["status"]} for c in again["checks"]})
        # The fixes are recorded like any response action and roll back.
        actions, _ = cw.json("actions", "list", "--format", "json")
        kinds = sorted(a["kind"] for a in actions)
        check(kinds.count("create-quarantine-sg") == len(groups) and kinds.count("create-forensic-bucket") == 1,
              "the fixes are recorded as actions: %s" % kinds)
        eu = next((a for a in actions if a["kind"] == "create-quarantine-sg"
                   and groups.get(a["target"], {}).get("Region") == "eu-west-1"), None)
        if check(eu is not None, "a fix in eu-west-1 was recorded"):
            p = cw.run("rollback", eu["id"], "--apply", ok=(2,))  # the client is in us-east-1
            check("was applied in eu-west-1" in p.stderr, "rollback refuses another region: %s" % p.stderr)
            cw.run("rollback", eu["id"], "--apply", "--as", "prep-test", "--region", "eu-west-1", ok=(0,))
            check(eu["target"] not in quarantine_groups(), "rollback deletes the group it created")

        # Inventory.
        svg = os.path.join(work, "inventory.svg")
        inv, _ = cw.json("inventory", *regions, "--format", "json", "--svg", svg, ok=(0,))
        nodes = {n["id"]: n for n in inv["nodes"]}
        edges = {(e["from"], e["to"], e["kind"]) for e in inv["edges"]}
        net = bad["net"]
        for node, kind in ((net["vpc"], "vpc"), (net["subnets"][0], "subnet"), (net["instance"], "instance"),
                           (net["sg"], "security-group"), (net["igw"], "internet-gateway"), (net["rtb"], "route-table"),
                           (bad["lb"], "load-balancer"), ("arn:aws:s3:::" + bad["data"], "bucket"),
                           ("arn:aws:iam::%s:role/app" % ACCOUNT, "role"), ("internet", "internet")):
            check(nodes.get(node, {}).get("type") == kind, "inventory has %s %s" % (kind, node))
        for t in ("network-acl", "network-interface", "elastic-ip", "instance-profile", "db-instance", "dynamodb-table",
                  "lambda-function"):
            check(inv["summary"].get(t, 0) >= 1, "inventory has a %s" % t)
        for e in ((net["instance"], net["subnets"][0], "in"), (net["subnets"][0], net["vpc"], "in"),
                  (net["instance"], net["sg"], "member-of"),
                  (net["instance"], "arn:aws:iam::%s:instance-profile/app" % ACCOUNT, "profile"),
                  ("arn:aws:iam::%s:instance-profile/app" % ACCOUNT, "arn:aws:iam::%s:role/app" % ACCOUNT, "assumes"),
                  (net["rtb"], net["igw"], "routes-to"), (bad["lb"], net["instance"], "targets")):
            check(e in edges, "inventory edge %s" % (e,))
        reaches = {(e["to"], e.get("label")) for e in inv["edges"] if e["kind"] == "reaches"}
        check((net["instance"], "tcp/22") in reaches, "the internet reaches the instance on tcp/22: %s" % reaches)
        check(any(t == bad["lb"] for t, _ in reaches), "the internet reaches the load balancer")
        check(os.path.exists(svg) and "<svg" in open(svg).read(), "--svg renders an SVG")
        dot = cw.run("inventory", *regions, "--format", "dot", ok=(0,)).stdout
        check(dot.startswith("digraph") and net["instance"] in dot, "--format dot")

        # The inventory is saved in the store; an incident about the instance's role then says what the
        # instance is, what the internet reaches on it and that it runs as the role.
        _, p = cw.json("inventory", "--regions", "us-east-1", "--format", "json", ok=(0,))
        check("saved as INV-" in p.stderr, "inventory is saved in the store: %s" % p.stderr[-200:])
        session = "arn:aws:sts::%s:assumed-role/app/%s" % (ACCOUNT, net["instance"])
        trail = os.path.join(work, "incident-trail.json")
        with open(trail, "w") as f:
            json.dump({"Records": [{
                "eventVersion": "1.09", "eventTime": "2026-11-20T09:00:0%dZ" % i, "eventSource": src,
                "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.23",
                "userAgent": "aws-cli/2.15.30", "eventID": "context-%d" % i, "eventType": "AwsApiCall",
                "recipientAccountId": ACCOUNT, "requestParameters": params,
                "userIdentity": {"type": "AssumedRole", "arn": session, "accountId": ACCOUNT,
                                 "accessKeyId": "ASIACONTEXT0000000001",
                                 "sessionContext": {"sessionIssuer": {
                                     "type": "Role", "arn": "arn:aws:iam::%s:role/app" % ACCOUNT, "userName": "app"}}}}
                for i, (src, name, params) in enumerate([
                    ("ec2.amazonaws.com", "GetPasswordData", {"instanceId": net["instance"]}),
                    ("cloudtrail.amazonaws.com", "StopLogging", {"name": "main"})])]}, f)
        cw.run("hunt", "--quiet", "--format", "jsonl", trail, ok=(1,))
        listed, _ = cw.json("incidents", "list", "--format", "json", ok=(0,))
        mine = [i for i in listed if session in i.get("actors", [])]
        if check(len(mine) == 1, "the hunt made an incident for the session: %s" % [i.get("actors") for i in listed]):
            shown, _ = cw.json("incidents", "show", mine[0]["id"], "--format", "json", ok=(0,))
            context = shown.get("context") or {}
            by_id = {r["id"]: r for r in context.get("resources", [])}
            role = by_id.get("arn:aws:iam::%s:role/app" % ACCOUNT, {})
            check(context.get("inventory", "").startswith("INV-"), "incidents show names the inventory: %s" % context)
            check(net["instance"] in role.get("run_by", []), "the role's context names the instance: %s" % role)
            instance = by_id.get(net["instance"], {})
            check("tcp/22" in instance.get("internet_reaches", []) and
                  "arn:aws:iam::%s:role/app" % ACCOUNT in instance.get("runs_as", []),
                  "the instance is reachable on tcp/22 and runs as the role: %s" % instance)
            text = cw.run("incidents", "show", mine[0]["id"], ok=(0,)).stdout
            check("Context (inventory INV-" in text and "used by " + net["instance"] in text,
                  "the text view shows the context: %s" % text[text.find("Context"):][:400])

        # Several accounts: moto maps assumed-role credentials to the role's account.
        other = "111111111111"
        sts = clients(endpoint, "us-east-1")("sts")
        creds = sts.assume_role(RoleArn="arn:aws:iam::%s:role/audit" % other, RoleSessionName="setup")["Credentials"]
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                     aws_secret_access_key=creds["SecretAccessKey"],
                     aws_session_token=creds["SessionToken"]).create_bucket(Bucket="cw-other-account")
        multi, p = cw.json("posture", "--regions", "us-east-1", "--format", "json", "--config", bad_config,
                           "--role-arn", "arn:aws:iam::%s:role/audit" % other,
                           "--role-arn", "arn:aws:iam::%s:role/audit" % ACCOUNT)
        accounts = {a.get("account"): a for a in multi.get("accounts", [])}
        check(set(accounts) == {other, ACCOUNT}, "posture --role-arn scans both accounts: %s" % list(accounts))
        if set(accounts) == {other, ACCOUNT}:
            mine = {r["resource"] for r in accounts[other]["results"]}
            theirs = {r["resource"] for r in accounts[ACCOUNT]["results"]}
            check("arn:aws:s3:::cw-other-account" in mine and "arn:aws:s3:::cw-other-account" not in theirs,
                  "each account reports its own buckets")
            pab = {a: next((r for r in accounts[a]["results"] if r["check"] == "s3.account-public-access-block"), None)
                   for a in (other, ACCOUNT)}
            check(pab[other] and pab[other]["status"] == "fail" and pab[other]["resource"] == "arn:aws:iam::%s:root" % other
                  and pab[other]["evidence"]["PublicAccessBlockConfiguration"] is None,
                  "an account without account-level Block Public Access fails: %s" % pab[other])
            check(pab[ACCOUNT] and pab[ACCOUNT]["evidence"].get("IgnorePublicAcls") is False,
                  "each account's own account-level settings are read: %s" % pab[ACCOUNT])
        check("account 2/2" in p.stderr, "a progress line per account on stderr: %s" % p.stderr[-300:])
        multi_inv, _ = cw.json("inventory", "--regions", "us-east-1", "--role-arn", "arn:aws:iam::%s:role/audit" % other,
                               "--role-arn", "arn:aws:iam::%s:role/audit" % ACCOUNT, ok=(0,))
        check(sorted(multi_inv["account"].split(",")) == sorted([other, ACCOUNT]) and
              {n["attributes"].get("Account") for n in multi_inv["nodes"] if n["type"] == "bucket"} == {other, ACCOUNT},
              "inventory merges both accounts")
        p = cw.run("posture", "--role-arn", "not-an-arn", ok=(2,))
        check("not an IAM role ARN" in p.stderr, "a malformed --role-arn is refused")

        # A malformed configuration: file, line, reason; exit 2.
        broken = os.path.join(work, "broken.yaml")
        with open(broken, "w") as f:
            f.write("posture:\n  suppressions:\n    - check: s3.logging\n      resource: x\n      reason: y\n"
                    "      expires: 31/01/2027\n    - check: s3.nosuch\n      resource: x\n      reason: y\n"
                    "      expires: 2027-01-31\n")
        p = cw.run("posture", *regions, "--config", broken, ok=(2,))
        check("broken.yaml:6:16: posture.suppressions[0].expires: expected a date YYYY-MM-DD" in p.stderr,
              "a malformed date is reported with file:line: %s" % p.stderr)
        os.remove(broken)
        with open(broken, "w") as f:
            f.write("posture:\n  suppressions:\n    - check: s3.nosuch\n      resource: x\n      reason: y\n"
                    "      expires: 2027-01-31\n")
        p = cw.run("posture", *regions, "--config", broken, ok=(2,))
        check("broken.yaml:3:7: posture.suppressions: unknown check id 's3.nosuch'" in p.stderr,
              "an unknown check id is reported with file:line: %s" % p.stderr)
        p = cw.run("posture", "--regions", "not a region", ok=(2,))

        # ------------------------------------------------------------------ the good account
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()
        good = build(endpoint, good=True)
        good_config = os.path.join(work, "good.yaml")
        with open(good_config, "w") as f:
            f.write("respond:\n  forensic_bucket: cw-good-forensics\n"
                    "people:\n  contacts:\n    ana: {email: ana@example.com}\n"
                    "  roles:\n" + "".join("    %s: [ana]\n" % r for r in
                                           ("incident_commander", "responders", "legal", "communications", "management")) +
                    "  escalation:\n" + "".join("    %s:\n      - after: 0m\n        notify: [incident_commander]\n" % s
                                                 for s in ("low", "medium", "high", "critical")) +
                    "posture:\n  suppressions:\n    - check: iam.root-mfa\n      resource: arn:aws:iam::%s:root\n"
                    "      reason: moto cannot enable root MFA\n      expires: %s\n"
                    % (ACCOUNT, today + datetime.timedelta(days=30)))
        posture, p = cw.json("posture", *regions, "--format", "json", "--config", good_config)
        merge(posture_seen, statuses(posture["results"]))
        unsuppressed = [(r["check"], r["resource"], r["message"]) for r in posture["results"]
                        if r["status"] != "pass" and not r["suppressed"] and r["check"] not in POSTURE_NOT_EVALUATED]
        by_check = {(x["check"], x["resource"]): x for x in posture["results"]}
        r = by_check.get(("iam.unused-access-key", good["alice_key"]))
        check(r and r["status"] == "pass" and r["evidence"]["DaysSinceLastUse"] == 0 and r["evidence"]["LastUsedService"] == "sts",
              "a key used today passes: %s" % r)
        r = by_check.get(("s3.account-public-access-block", "arn:aws:iam::%s:root" % ACCOUNT))
        check(r and r["status"] == "pass", "all four account-level settings on pass: %s" % r)
        check(p.returncode == 0 and not unsuppressed, "the good account passes posture (exit %d): %s" % (p.returncode, unsuppressed))
        readiness, p = cw.json("readiness", *regions, "--format", "json", "--config", good_config)
        merge(readiness_seen, {c["id"]: {c["status"]} for c in readiness["checks"]})
        not_passed = {c["id"]: [i["detail"] for i in c["items"] if i["status"] != "pass"]
                      for c in readiness["checks"] if c["status"] != "pass"}
        check(set(not_passed) == set(READINESS_LIMITS) - {"backup.recovery-points"} | {"backup.recovery-points"},
              "the good account passes every readiness check moto supports: %s" % not_passed)
        for cid in READINESS_LIMITS:
            c = next(c for c in readiness["checks"] if c["id"] == cid)
            check(c["status"] == "unknown" and all(i["detail"].startswith("not checked: ") for i in c["items"]),
                  "%s is unknown with its reason in the good account: %s" % (cid, c["items"]))
        check(readiness["score"]["percent"] == 100 and p.returncode == 0,
              "the good account scores 100%% of what could be judged: %s (exit %d)" % (readiness["score"], p.returncode))
        html = cw.run("readiness", *regions, "--format", "html", "--config", good_config).stdout
        check(html.startswith("<!doctype html>") and "cloudtrail.multi-region" in html, "--format html")

        # ------------------------------------------------------------------ every check, both ways
        catalog, _ = cw.json("posture", "--list-checks", "--format", "json", ok=(0,))
        for c in catalog:
            seen = posture_seen.get(c["id"], set())
            if c["id"] in POSTURE_LIMITS:
                check(seen & {"pass", "fail"}, "posture %s seen at all (%s)" % (c["id"], seen))
                continue
            if c["id"] in POSTURE_NOT_EVALUATED:
                check(seen == {"unknown"}, "posture %s is unknown on moto: %s" % (c["id"], sorted(seen)))
                continue
            check({"pass", "fail"} <= seen, "posture %s seen passing and failing: %s" % (c["id"], sorted(seen)))
        for c in readiness["checks"]:
            seen = readiness_seen.get(c["id"], set())
            if c["id"] in READINESS_LIMITS:
                continue
            check({"pass", "fail"} <= seen, "readiness %s seen passing and failing: %s" % (c["id"], sorted(seen)))
        check(readiness_seen.get("backup.recovery-points") == {"fail", "unknown"}, "backup.recovery-points fail and unknown")
    summary = ("posture: %d checks, readiness: %d checks; not reachable on moto: %s"
               % (len(posture_seen), len(readiness_seen),
                  ", ".join(sorted(POSTURE_LIMITS) + sorted(POSTURE_NOT_EVALUATED) + sorted(READINESS_LIMITS))))
    return checks.finish("posture/readiness/inventory on moto", summary)


if __name__ == "__main__":
    sys.exit(main())
