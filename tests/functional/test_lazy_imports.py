"""The viewer and consumer paths import only what they use: a fresh process that imports `app`
and serves viewer requests (or a stream batch) never executes the admin API's modules, nor the
encryption or webhook-signing libraries.

Each check runs in a new interpreter (a cold Lambda container) against a moto server, so the only
modules in it are the app's and the standard library's; the link it views is made by this test
process beforehand.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import boto3
import pytest

from chalicelib.links import links
from chalicelib.resources import resources
from chalicelib.tenancy import tenants
from chalicelib.tenancy.apikeys import authenticate
from chalicelib.runtime.config import Settings
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import ResourceHead
from devstack import infra
from devstack.moto_server import moto_process

pytestmark = pytest.mark.http
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
import app
from chalice.test import Client

token, mode = sys.argv[1], sys.argv[2]
if mode == "consumer":
    import os
    import boto3
    from devstack.pump import StreamReader, lambda_event

    reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1",
                                       endpoint_url=os.environ["KEYHOLE_AWS_ENDPOINT"]), os.environ["KEYHOLE_STREAM_ARN"])
    records = reader.read_all()
    before = set(sys.modules)
    response = app.stream_consumer(lambda_event(records, os.environ["KEYHOLE_STREAM_ARN"]), None)
    assert response == {"batchItemFailures": []}, response
else:
    client = Client(app.app, stage_name="local")
    for path in ("/data", "", "/info"):
        reply = client.http.request("GET", f"/share/{token}{path}", headers={"x-forwarded-for": "192.0.2.1"}, body=b"")
        assert reply.status_code == 200, (path, reply.status_code, reply.body[:300])
    assert client.http.request("GET", "/share/" + "A" * 64 + "/data", headers={}, body=b"").status_code == 404
print(json.dumps([m for m, module in sys.modules.items() if type(module).__name__ != "_LazyModule"]))
"""

ADMIN_ONLY = ("chalicelib.links.links", "chalicelib.resources.resources", "chalicelib.access.accesslog", "chalicelib.links.limits",
              "chalicelib.webhooks", "chalicelib.access.consumer", "chalicelib.links.viewcounts", "chalicelib.tenancy.apikeys",
              "chalicelib.tenancy.audit", "chalicelib.tenancy.tenants", "chalicelib.runtime.pagination", "chalicelib.tenancy.expiry",
              "chalicelib.resources.preconditions")
NEVER = ("cryptography", "standardwebhooks", "chalicelib.resources.resources", "chalicelib.access.accesslog", "chalicelib.links.limits")
# A viewer request that is not a download, on a resource without files, never touches the bucket:
# the S3 client is made in chalicelib.files.objects only.
FILES_ONLY = ("chalicelib.files.names", "chalicelib.files.objects", "chalicelib.files.bundles", "chalicelib.files.jobs",
              "chalicelib.files.uploads", "chalicelib.viewer.downloads", "chalicelib.viewer.file_list")


@pytest.fixture(scope="module")
def shared() -> Iterator[Dict[str, Any]]:
    with moto_process() as endpoint:
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="local", endpoint_url=endpoint)
        env = {"KEYHOLE_TABLE": outputs["TableName"], "KEYHOLE_COUNTERS_TABLE": outputs["CountersTableName"],
               "KEYHOLE_KMS_KEY_ID": outputs["KmsKeyAlias"], "KEYHOLE_STREAM_ARN": outputs["TableStreamArn"],
               "KEYHOLE_AWS_ENDPOINT": endpoint, "KEYHOLE_STAGE": "test", "KEYHOLE_TRUST_FORWARDED_FOR": "1",
               "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}
        svc = Keyhole(Settings.from_env(env))
        tenant, admin = tenants.create_tenant(svc, name="Cold Co", plan="team")
        principal, _ = authenticate(svc, admin)
        req = RequestInfo(request_id="t", base_url="http://local")
        resources.put_resource(svc, principal, "r", {"type": "doc", "name": "R", "document": {"a": 1}}, None, req)
        head = svc.store.get(ResourceHead, ResourceHead.key(tenant.tenant_id, "r"))
        link = links.create_link(svc, principal, "r", {}, head, req)
        from devstack.pump import StreamReader

        StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=endpoint),
                     outputs["TableStreamArn"]).read_all()  # the set-up's records are not the batch under test
        yield {"env": env, "token": link["token"]}


def run(shared: Dict[str, Any], mode: str) -> list:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEYHOLE_", "AWS_"))}
    env.update(shared["env"])
    out = subprocess.run([sys.executable, "-c", SCRIPT, shared["token"], mode], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def loaded(modules: list, prefixes: tuple) -> list:
    return sorted(m for m in modules if m.startswith(prefixes))


def test_a_viewer_request_imports_no_admin_module(shared: Dict[str, Any]) -> None:
    # GIVEN a cold process WHEN it imports app and serves page, data, info and a dead token
    modules = run(shared, "viewer")
    # THEN none of the admin API's modules, nor the encryption and webhook libraries, was executed
    assert loaded(modules, ADMIN_ONLY + NEVER) == []
    # AND nothing of the files bucket (no S3 client) was imported
    assert loaded(modules, FILES_ONLY) == []
    # AND a link without a password reads no cookie (the standard library's cookie parser is not loaded)
    assert "http.cookies" not in modules
    # AND it did run the viewer's own path (the check is not vacuous)
    assert loaded(modules, ("chalicelib.viewer.resolve", "chalicelib.resources.documents")) == [
        "chalicelib.resources.documents", "chalicelib.viewer.resolve"]


def test_a_stream_batch_imports_what_counting_and_webhooks_need_only(shared: Dict[str, Any]) -> None:
    # GIVEN the views of the previous test on the stream WHEN a cold process hands them to the consumer
    modules = run(shared, "consumer")
    # THEN the consumer's own modules ran, the admin API's resources, access log and limits did
    # not, and no encryption or signing library was loaded (nothing was sent or unsealed)
    assert loaded(modules, ("chalicelib.access.consumer", "chalicelib.links.viewcounts")) == [
        "chalicelib.access.consumer", "chalicelib.links.viewcounts"]
    assert loaded(modules, NEVER) == []
