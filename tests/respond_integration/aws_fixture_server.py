"""A stand-in for the few AWS calls moto lacks, for the respond integration tests only.

  python3 aws_fixture_server.py PORT_FILE

Listens on 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves until killed:

  AWS Backup (REST-JSON)   GET  /backup-vaults/{vault}/recovery-points/{arn}                 DescribeRecoveryPoint
                           GET  /backup-vaults/{vault}/recovery-points/{arn}/restore-metadata GetRecoveryPointRestoreMetadata
                           PUT  /restore-jobs                                                 StartRestoreJob
                           GET  /restore-jobs/                                                ListRestoreJobs
                           GET  /restore-jobs/{id}                                            DescribeRestoreJob
  SSM (JSON 1.1)           DescribeInstanceInformation, SendCommand, ListCommands

Tests seed and inspect it without signing:

  POST /fixture/recovery-points   {"vault", "arn", "resource_arn", "resource_type", "status", "metadata": {}}
  POST /fixture/managed-instances {"InstanceId": "PingStatus", ...}
  GET  /fixture/state             {"restore_jobs": [...], "commands": [...], "start_restore_job_calls": n}

Requests are not authenticated: the client signs them, nothing here checks the signature.
"""

import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

STATE = {
    "recovery_points": {},  # (vault, arn) -> point
    "restore_jobs": [],
    "idempotency": {},  # token -> job id
    "start_restore_job_calls": 0,
    "managed": {},  # instance id -> ping status
    "commands": [],
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def _send(self, status, payload, content_type="application/json"):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status, code, message):
        self.send_response(status)
        data = json.dumps({"__type": code, "message": message}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-ErrorType", code)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _segments(self):
        # Split the wire path first, so that an ARN sent as one segment ("/" as %2F) stays one.
        path = urlsplit(self.path).path
        return [unquote(s) for s in path.split("/") if s != ""]

    # ---------------------------------------------------------------- dispatch
    def do_GET(self):
        seg = self._segments()
        if seg == ["fixture", "state"]:
            return self._send(200, {"restore_jobs": STATE["restore_jobs"], "commands": STATE["commands"],
                                    "start_restore_job_calls": STATE["start_restore_job_calls"]})
        if len(seg) in (4, 5) and seg[0] == "backup-vaults" and seg[2] == "recovery-points":
            point = STATE["recovery_points"].get((seg[1], seg[3]))
            if point is None:
                return self._error(404, "ResourceNotFoundException", "Recovery point not found: " + seg[3])
            if len(seg) == 5:
                if seg[4] != "restore-metadata":
                    return self._error(404, "UnknownOperationException", self.path)
                return self._send(200, {"BackupVaultArn": "arn:aws:backup:us-east-1:123456789012:backup-vault:" + seg[1],
                                        "RecoveryPointArn": seg[3], "RestoreMetadata": point["metadata"]})
            return self._send(200, {
                "RecoveryPointArn": seg[3], "BackupVaultName": seg[1], "ResourceArn": point["resource_arn"],
                "ResourceType": point["resource_type"], "Status": point["status"], "CreationDate": point["created"],
                "IamRoleArn": "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"})
        if seg == ["restore-jobs"]:
            return self._send(200, {"RestoreJobs": STATE["restore_jobs"]})
        if len(seg) == 2 and seg[0] == "restore-jobs":
            for job in STATE["restore_jobs"]:
                if job["RestoreJobId"] == seg[1]:
                    return self._send(200, job)
            return self._error(404, "ResourceNotFoundException", "Restore job not found: " + seg[1])
        return self._error(404, "UnknownOperationException", self.path)

    def do_PUT(self):
        seg = self._segments()
        body = self._body()
        if seg != ["restore-jobs"]:
            return self._error(404, "UnknownOperationException", self.path)
        if not isinstance(body, dict):
            return self._error(400, "InvalidParameterValueException", "body is not a JSON object")
        STATE["start_restore_job_calls"] += 1
        for field in ("RecoveryPointArn", "IamRoleArn", "Metadata"):
            if field not in body:
                return self._error(400, "MissingParameterValueException", field + " is required")
        token = body.get("IdempotencyToken")
        if token and token in STATE["idempotency"]:
            return self._send(200, {"RestoreJobId": STATE["idempotency"][token]})
        if not any(arn == body["RecoveryPointArn"] for (_, arn) in STATE["recovery_points"]):
            return self._error(400, "InvalidParameterValueException", "unknown recovery point")
        job_id = str(uuid.uuid4()).upper()
        STATE["restore_jobs"].append({
            "RestoreJobId": job_id, "RecoveryPointArn": body["RecoveryPointArn"], "Status": "RUNNING",
            "CreationDate": time.time(), "IamRoleArn": body["IamRoleArn"], "Metadata": body["Metadata"],
            "ResourceType": body.get("ResourceType", ""),
            "CreatedResourceArn": "arn:aws:ec2:us-east-1:123456789012:volume/vol-0restored" + job_id[:8].lower()})
        if token:
            STATE["idempotency"][token] = job_id
        return self._send(200, {"RestoreJobId": job_id})

    def do_POST(self):
        seg = self._segments()
        body = self._body()
        if body is None:
            return self._error(400, "SerializationException", "body is not JSON")
        if seg == ["fixture", "recovery-points"]:
            STATE["recovery_points"][(body["vault"], body["arn"])] = {
                "resource_arn": body["resource_arn"], "resource_type": body["resource_type"],
                "status": body.get("status", "COMPLETED"), "metadata": body.get("metadata", {}),
                "created": time.time() - 3600}
            return self._send(200, {})
        if seg == ["fixture", "managed-instances"]:
            STATE["managed"].update(body)
            return self._send(200, {})
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith("AmazonSSM."):
            return self._ssm(target[len("AmazonSSM."):], body)
        return self._error(404, "UnknownOperationException", self.path)

    # ---------------------------------------------------------------- SSM
    def _ssm(self, operation, body):
        if operation == "DescribeInstanceInformation":
            wanted = None
            for f in body.get("Filters", []):
                if f.get("Key") == "InstanceIds":
                    wanted = set(f.get("Values", []))
            out = [{"InstanceId": i, "PingStatus": ping, "PlatformName": "Amazon Linux", "AgentVersion": "3.3.0.0"}
                   for i, ping in sorted(STATE["managed"].items()) if wanted is None or i in wanted]
            return self._send(200, {"InstanceInformationList": out})
        if operation == "SendCommand":
            ids = body.get("InstanceIds") or []
            unmanaged = [i for i in ids if i not in STATE["managed"]]
            if unmanaged:
                return self._error(400, "InvalidInstanceId", "Instances " + str(unmanaged) + " not in a valid state")
            command = {"CommandId": str(uuid.uuid4()), "DocumentName": body.get("DocumentName", ""),
                       "Comment": body.get("Comment", ""), "InstanceIds": ids, "Parameters": body.get("Parameters", {}),
                       "Status": "Pending", "RequestedDateTime": time.time()}
            STATE["commands"].append(command)
            return self._send(200, {"Command": command})
        if operation == "ListCommands":
            instance = body.get("InstanceId")
            out = [c for c in STATE["commands"] if instance is None or instance in c["InstanceIds"]]
            return self._send(200, {"Commands": out})
        return self._error(400, "UnknownOperationException", operation)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
