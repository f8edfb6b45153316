"""The local pump against moto in server mode and `chalice local`, as `make run` runs them."""
from __future__ import annotations

import boto3
import pytest
import requests

from chalicelib.tenancy import tenants
from devstack.pump import Pump, StreamReader

pytestmark = pytest.mark.http


def test_pump_turns_views_over_http_into_counts_logs_and_signed_webhooks(http_stack, receiver):
    import app as app_module

    # The pump calls the Lambda handler in this process: give the app the stack's service
    # (`http_stack.svc` also re-binds the process-wide PynamoDB models to the stack's moto).
    app_module.use_service(http_stack.svc)
    api = http_stack.api_url
    _, admin = tenants.create_tenant(http_stack.svc, name="Pump Co", plan="team")
    auth = {"Authorization": f"Bearer {admin}"}
    # GIVEN a shared link and a webhook receiver registered over HTTP
    assert requests.put(f"{api}/v1/resources/r1", json={"type": "doc", "name": "R1", "document": {"a": 1}},
                        headers=auth).status_code == 201
    link = requests.post(f"{api}/v1/resources/r1/links", json={}, headers=auth).json()
    hook = requests.post(f"{api}/v1/webhooks", json={"url": receiver.url, "events": ["share.accessed"]},
                         headers=auth).json()
    receiver.secret = hook["secret"]
    streams = boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=http_stack.aws_endpoint)
    reader = StreamReader(streams, http_stack.outputs["TableStreamArn"])
    reader.read_all()  # start after what other tests wrote (the stack is shared)
    lines = []
    pump = Pump(reader, app_module.stream_consumer, out=lines.append)
    # WHEN the link is opened three times and the pump runs until the stream is drained
    for agent in ("A/1", "B/2", "C/3"):
        assert requests.get(f"{link['url']}/data", headers={"User-Agent": agent}).status_code == 200
    for _ in range(10):
        if not pump.poll():
            break
    # THEN the link counts three views, the access log lists them, and three signed deliveries arrived
    shown = requests.get(f"{api}/v1/links/{link['id']}", headers=auth).json()
    assert shown["view_count"] == 3
    logs = requests.get(f"{api}/v1/links/{link['id']}/access-logs", headers=auth).json()["items"]
    assert [e["user_agent"] for e in logs] == ["C/3", "B/2", "A/1"]
    assert sorted(p["data"]["user_agent"] for p in receiver.payloads("share.accessed")) == ["A/1", "B/2", "C/3"]
    assert all(r.verified is not None for r in receiver.requests)
    deliveries = requests.get(f"{api}/v1/webhooks/{hook['id']}/deliveries", headers=auth).json()["items"]
    assert [d["status"] for d in deliveries] == ["delivered"] * 3
    assert lines and all(link["token"] not in line for line in lines)
    app_module.use_service(None)
