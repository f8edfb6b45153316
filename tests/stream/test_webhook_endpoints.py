"""Registering webhook endpoints: validation, the secret shown once and sealed, limits, roles."""
from __future__ import annotations

import boto3
import pytest

from chalicelib.runtime.config import LOCAL_STAGES
from chalicelib.tenancy import tenants
from chalicelib.webhooks.endpoints import MAX_ENDPOINTS, url_problem
from tests.stream.kit import share


@pytest.mark.parametrize("url, stage, ok", [
    ("https://hooks.example.com/keyhole", "prod", True),
    ("http://hooks.example.com/keyhole", "prod", False),
    ("https://localhost/hook", "prod", False),
    ("https://10.1.2.3/hook", "prod", False),
    ("https://169.254.169.254/latest", "prod", False),
    ("https://[::1]/hook", "prod", False),
    ("https://intranet/hook", "prod", False),
    ("https://user:pw@hooks.example.com/", "prod", False),
    ("ftp://hooks.example.com/", "prod", False),
    ("http://127.0.0.1:9000/hook", "local", True),
    ("not a url", "local", False),
])
def test_endpoint_urls_are_https_and_public_outside_local_stages(url, stage, ok):
    assert (url_problem(url, local=stage in LOCAL_STAGES) is None) is ok


def test_register_list_and_delete_endpoints(app_client, tenant, svc, aws):
    api, key = app_client, tenant["admin"]
    # WHEN an admin registers an endpoint
    created = api.post("/v1/webhooks", key=key, body={"url": "https://hooks.localhost/k?sig=abc",
                                                      "events": ["share.accessed", "share.created"]})
    # THEN the secret is shown once, in the Standard Webhooks format
    assert created.status == 201, created
    secret = created.json["secret"]
    assert secret.startswith("whsec_") and len(secret) >= 32
    assert created.json["events"] == ["share.created", "share.accessed"]
    # AND it is stored only sealed, and never listed again
    raw = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=aws["TableName"], Key={"pk": {"S": f"TENANT#{tenant['id']}"}, "sk": {"S": f"WH#{created.json['id']}"}})
    assert secret.encode() not in raw["Item"]["sealed_secret"]["B"] and secret not in str(raw["Item"])
    listed = api.get("/v1/webhooks", key=key).json
    assert [e["id"] for e in listed["items"]] == [created.json["id"]] and "secret" not in listed["items"][0]
    # AND the audit log names the host, not the URL's path or query
    audit = [e for e in api.get("/v1/audit", key=key).json["items"] if e["action"] == "webhook.created"]
    assert audit[0]["details"]["url_host"] == "https://hooks.localhost" and "sig=abc" not in str(audit)
    # WHEN it is deleted
    assert api.delete(f"/v1/webhooks/{created.json['id']}", key=key).status == 204
    # THEN it is gone, and so is its delivery log
    assert api.get("/v1/webhooks", key=key).json["items"] == []
    assert api.get(f"/v1/webhooks/{created.json['id']}/deliveries", key=key).status == 404
    assert api.delete(f"/v1/webhooks/{created.json['id']}", key=key).status == 404


def test_endpoint_validation_limits_and_roles(app_client, tenant, svc):
    api, key = app_client, tenant["admin"]
    # WHEN an admin names an unknown event type or no URL THEN the fields are reported
    bad = api.post("/v1/webhooks", key=key, body={"url": "https://hooks.localhost/", "events": ["share.opened"]})
    assert bad.status == 422 and bad.json["error"]["details"][0]["field"] == "events"
    assert api.post("/v1/webhooks", key=key, body={"events": ["*"]}).status == 422
    # WHEN no events are given THEN the endpoint subscribes to every event type
    everything = api.post("/v1/webhooks", key=key, body={"url": "https://hooks.localhost/all"})
    assert everything.json["events"] == ["*"]
    # GIVEN the tenant's endpoint limit is used up WHEN one more is registered THEN 409 limit_reached
    for n in range(MAX_ENDPOINTS - 1):
        assert api.post("/v1/webhooks", key=key, body={"url": f"https://hooks.localhost/{n}"}).status == 201
    full = api.post("/v1/webhooks", key=key, body={"url": "https://hooks.localhost/one-more"})
    assert full.status == 409 and full.json["error"]["code"] == "limit_reached"
    # AND operators cannot manage endpoints
    operator = api.post("/v1/api-keys", key=key, body={"name": "ci", "role": "operator"}).json["key"]
    assert api.post("/v1/webhooks", key=operator, body={"url": "https://hooks.localhost/x"}).status == 403
    assert api.get("/v1/webhooks", key=operator).status == 403
    # AND another tenant's endpoint does not exist for this tenant
    _, other = tenants.create_tenant(svc, name="Other", plan="team")
    assert api.get(f"/v1/webhooks/{everything.json['id']}/deliveries", key=other).status == 404
    assert api.delete(f"/v1/webhooks/{everything.json['id']}", key=other).status == 404


def test_access_logs_are_paginated_and_tenant_scoped(app_client, tenant, svc):
    from tests.stream.kit import open_link

    api, key = app_client, tenant["admin"]
    # GIVEN a link opened from three addresses, and a viewer-role key
    link = share(api, key)
    for n in range(3):
        assert open_link(api, link["token"], ip=f"192.0.2.{n}").status == 200
    viewer = api.post("/v1/api-keys", key=key, body={"name": "ro", "role": "viewer"}).json["key"]
    # WHEN the access log is read two entries at a time THEN pages run newest first and end
    first = api.get(f"/v1/links/{link['id']}/access-logs?limit=2", key=viewer)
    assert first.status == 200 and [i["ip"] for i in first.json["items"]] == ["192.0.2.2", "192.0.2.1"]
    second = api.get(f"/v1/links/{link['id']}/access-logs?limit=2&cursor={first.json['next_cursor']}", key=viewer)
    assert [i["ip"] for i in second.json["items"]] == ["192.0.2.0"] and second.json["next_cursor"] is None
    # AND other tenants and unknown ids get 404
    _, other = tenants.create_tenant(svc, name="Other", plan="team")
    assert api.get(f"/v1/links/{link['id']}/access-logs", key=other).status == 404
    assert api.get("/v1/links/lnk_000000000000000000000000/access-logs", key=key).status == 404
