"""Drives the emulator with Tencent's official Python SDK; exits non-zero on any surprise.

Usage: official_python_check.py http://HOST:PORT
       official_python_check.py https://HOST:PORT CA_FILE   (the emulator's certificate)
Credentials from TENCENTCLOUD_SECRET_ID/KEY.
"""

import json
import os
import sys
import time

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.hai.v20230812 import hai_client, models

failures = []


SCHEME = "http"
CA_FILE = None


def client(endpoint, secret_key=None, method="POST", unsigned=False, ca_file=None):
    # The SDK verifies https against certifi's roots unless given a CA file.
    http = HttpProfile(endpoint=endpoint, reqMethod=method, certification=ca_file or CA_FILE)
    http.scheme = SCHEME
    profile = ClientProfile(httpProfile=http)
    profile.unsignedPayload = unsigned
    cred = credential.Credential(
        os.environ["TENCENTCLOUD_SECRET_ID"],
        secret_key or os.environ["TENCENTCLOUD_SECRET_KEY"],
    )
    return hai_client.HaiClient(cred, "ap-guangzhou", profile)


def stop(c, label, params, expect):
    req = models.StopInstanceRequest()
    req.from_json_string(json.dumps(params))
    try:
        resp = c.StopInstance(req)
        got = "TaskId"
        print(f"{label:<44} -> TaskId={resp.TaskId} RequestId={resp.RequestId}")
    except TencentCloudSDKException as e:
        got = e.code
        print(f"{label:<44} -> {e.code} RequestId={e.requestId} ({e.message})")
    if got != expect:
        failures.append(f"{label}: expected {expect}, got {got}")


def main():
    global SCHEME, CA_FILE
    SCHEME, _, endpoint = sys.argv[1].partition("://")
    if SCHEME == "https":
        if len(sys.argv) < 3:
            sys.exit("an https endpoint needs the emulator's certificate (CA_FILE)")
        CA_FILE = sys.argv[2]
    c = client(endpoint)
    stop(c, "StopInstance hai-dunyfddn", {"InstanceId": "hai-dunyfddn", "StopMode": "STOP_CHARGE", "DryRun": False}, "TaskId")
    stop(c, "StopInstance hai-dunyfddn (at once)", {"InstanceId": "hai-dunyfddn"}, "OperationDenied.InstanceOperationInProgress")
    time.sleep(0.5)
    stop(c, "StopInstance hai-dunyfddn (again)", {"InstanceId": "hai-dunyfddn"}, "UnsupportedOperation.InstanceStateStoppedNoCharge")
    stop(c, "StopInstance hai-running2 DryRun", {"InstanceId": "hai-running2", "DryRun": True}, "DryRunOperation")
    stop(c, "StopInstance hai-nothere0 (unknown)", {"InstanceId": "hai-nothere0"}, "InvalidParameterValue.InstanceIdNotFound")
    stop(c, "StopInstance i-123 (malformed)", {"InstanceId": "i-123"}, "InvalidParameterValue.InvalidInstanceIdMalformed")
    stop(c, "StopInstance hai-pending1", {"InstanceId": "hai-pending1"}, "UnsupportedOperation.InstanceStatePending")
    stop(c, "StopInstance hai-termnatd", {"InstanceId": "hai-termnatd"}, "UnsupportedOperation.InstanceStateTerminated")
    stop(client(endpoint, method="GET"), "StopInstance hai-running2 via GET", {"InstanceId": "hai-running2"}, "TaskId")
    stop(client(endpoint, unsigned=True), "StopInstance hai-arrears1 unsigned payload", {"InstanceId": "hai-arrears1"}, "UnsupportedOperation.InstanceStateArrears")
    stop(client(endpoint, secret_key="wrong-key"), "StopInstance with a wrong SecretKey", {"InstanceId": "hai-stopped1"}, "AuthFailure.SignatureFailure")
    if SCHEME == "https":
        # certifi's roots do not include the emulator's self-signed certificate.
        import certifi
        stop(client(endpoint, ca_file=certifi.where()), "StopInstance not trusting the certificate", {"InstanceId": "hai-running2"}, "ClientNetworkError")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"official Python SDK over {SCHEME}: all answers as expected")


if __name__ == "__main__":
    main()
