#!/usr/bin/env python3
"""`cloudward blast-radius` on an IAM snapshot produced by AWS's own API shape (moto 5 + boto3).

Usage: check_blast_radius.py CLOUDWARD WORK_DIR

Builds a small account in moto (users, a group, customer-managed policies with two versions, a role
chain, a role an EC2 instance can take), writes `get_account_authorization_details` exactly as
boto3 returns it (what `aws iam get-account-authorization-details` prints), runs blast-radius on a
few principals and checks what it reports. Exits 77 (ctest skip) without moto/boto3."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from checks import Checks  # noqa: E402
from moto_harness import require_moto  # noqa: E402

require_moto()
import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

ACCOUNT = "123456789012"  # moto's default account


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def build(iam):
    iam.create_group(GroupName="ops")
    iam.put_group_policy(GroupName="ops", PolicyName="ssm", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["ssm:SendCommand", "ssm:StartSession"], "Resource": "*"}))
    for user in ("leaked-ci", "auditor", "intern"):
        iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName="ops", UserName="leaked-ci")
    policy = iam.create_policy(PolicyName="ci-deploy", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "arn:aws:iam::%s:role/app-*" % ACCOUNT},
        {"Effect": "Allow", "Action": ["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::%s:role/deployer" % ACCOUNT}))
    arn = policy["Policy"]["Arn"]
    # A second, default version; the broad first one must no longer count.
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "arn:aws:iam::%s:role/app-*" % ACCOUNT},
        {"Effect": "Allow", "Action": ["ec2:RunInstances"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::%s:role/deployer" % ACCOUNT}))
    iam.attach_user_policy(UserName="leaked-ci", PolicyArn=arn)
    iam.put_user_policy(UserName="auditor", PolicyName="self-service", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["iam:CreatePolicyVersion", "iam:List*", "iam:Get*"], "Resource": "*"}))
    iam.put_user_policy(UserName="intern", PolicyName="read", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::public-site/*"}))

    account_trust = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=account_trust)
    iam.put_role_policy(RoleName="deployer", PolicyName="assume-break-glass", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::%s:role/break-glass" % ACCOUNT}))
    iam.create_role(RoleName="break-glass", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:role/deployer" % ACCOUNT}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="break-glass", PolicyName="all", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam.create_role(RoleName="app-worker", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="app-worker", PolicyName="all", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam.create_role(RoleName="other-worker", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))


def snapshot(iam):
    out = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key in out:
            out[key].extend(page.get(key, []))
    return out


def blast(binary, path, who):
    proc = subprocess.run([binary, "blast-radius", "--iam", path, who, "--format", "json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("blast-radius %s failed (%d): %s" % (who, proc.returncode, proc.stderr))
    return json.loads(proc.stdout)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    with mock_aws():
        iam = boto3.client("iam")
        build(iam)
        snap = snapshot(iam)
    path = os.path.join(work, "authorization-details.json")
    with open(path, "w") as f:
        json.dump(snap, f, default=str)

    checks = Checks(echo=False)
    check = checks.check

    ci = blast(binary, path, "leaked-ci")
    roles = {r["role"].split("/")[-1]: r for r in ci["assumable_roles"]}
    check(not ci["admin"], "leaked-ci is not admin itself")
    check(set(roles) == {"deployer", "break-glass"}, "leaked-ci assumes deployer and, through it, break-glass: %s" % sorted(roles))
    check(roles.get("break-glass", {}).get("admin") and roles["break-glass"]["via"][-1].endswith("role/deployer"),
          "break-glass is admin, reached via deployer")
    passable = {(p["role"].split("/")[-1], p["service"]) for p in ci["passable_roles"]}
    check(passable == {("app-worker", "ec2.amazonaws.com")}, "only app-* roles are passable: %s" % sorted(passable))
    paths = {p["name"] for p in ci["escalation_paths"]}
    check("PassRole+EC2" in paths, "PassRole+EC2 open (RunInstances + app-worker): %s" % sorted(paths))
    check("PassRole+Lambda" not in paths, "lambda:CreateFunction was only in the old policy version")
    check({"SSM SendCommand", "SSM StartSession"} <= paths, "group policy grants SSM paths")

    auditor = blast(binary, path, "arn:aws:iam::%s:user/auditor" % ACCOUNT)
    check([p["name"] for p in auditor["escalation_paths"]] == ["CreatePolicyVersion"],
          "auditor's only path is CreatePolicyVersion: %s" % [p["name"] for p in auditor["escalation_paths"]])

    intern = blast(binary, path, "intern")
    check(not intern["escalation_paths"] and not intern["assumable_roles"], "intern reaches nothing more")
    check([a["action"] for a in intern["sensitive_actions"]] == ["s3:GetObject"], "intern only reads objects")
    check(intern["sensitive_actions"] and intern["sensitive_actions"][0]["resources"] == ["arn:aws:s3:::public-site/*"],
          "intern's reach is one bucket")

    session = blast(binary, path, "arn:aws:sts::%s:assumed-role/deployer/ci-1234" % ACCOUNT)
    check(session["principal"].endswith(":role/deployer"), "a session resolves to its role")

    missing = subprocess.run([binary, "blast-radius", "--iam", path, "nobody"], capture_output=True, text=True)
    check(missing.returncode == 2 and "nobody" in missing.stderr, "unknown principal: exit 2 naming it")

    return checks.finish("blast-radius", "blast-radius: %d users, %d roles, %d policies in the moto snapshot; "
                         "leaked-ci: %d roles, %d paths"
                         % (len(snap["UserDetailList"]), len(snap["RoleDetailList"]), len(snap["Policies"]),
                            len(ci["assumable_roles"]), len(ci["escalation_paths"])))


if __name__ == "__main__":
    sys.exit(main())
