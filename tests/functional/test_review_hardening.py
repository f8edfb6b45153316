"""Gaps an outside review of the running stack found, each pinned by what a client or an attacker sees:
admin responses that a cache could keep, share URLs and redirects built from the request's `Host`,
and 422s that echo the whole of a hostile body back.

Deployed stages are driven through the Lambda handler itself, with the API Gateway proxy event
API Gateway sends (request context with `domainName` and `stage`), since `chalice local` has none.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Iterator, Optional
from urllib.parse import urlsplit

import pytest

from chalicelib.service import Keyhole
from tests.conftest import Reply, settings_for
from tests.functional.conftest import Env
from tests.support import TenantKeys, assert_error, fresh_ip, make_link

GATEWAY_DOMAIN = "abc123defg.execute-api.us-east-1.amazonaws.com"
GATEWAY_STAGE = "api"


# --- Cache-Control on admin responses ----------------------------------------------------------

def test_every_admin_response_forbids_caching(env: Env, tenant: TenantKeys) -> None:
    """Keys, revealed tokens and webhook secrets are in admin bodies: no cache may keep one."""
    api = env.api
    link = make_link(api, tenant.operator, tenant.resource_id)
    replies = {
        "tenant": api.get("/v1/tenant", key=tenant.viewer),
        "new key": api.post("/v1/api-keys", key=tenant.admin, body={"name": "k", "role": "viewer"}),
        "reveal": api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator),
        "webhook": api.post("/v1/webhooks", key=tenant.admin, body={"url": "https://hooks.localhost/k"}),
        "resource": api.get(f"/v1/resources/{tenant.resource_id}", key=tenant.viewer),
        "revoke (204)": api.delete(f"/v1/links/{link['id']}", key=tenant.operator),
        "401": api.get("/v1/tenant"),
        "403": api.post("/v1/api-keys", key=tenant.viewer, body={"name": "k", "role": "viewer"}),
        "404": api.get("/v1/links/lnk_000000000000000000000000", key=tenant.viewer),
        "422": api.post("/v1/api-keys", key=tenant.admin, body={"name": "", "role": "god"}),
        "400": api.post("/v1/api-keys", key=tenant.admin, raw=b"{"),
        "405": api.call("PATCH", "/v1/api-keys", key=tenant.admin, body={}),
    }
    for what, reply in replies.items():
        assert reply.status < 500, (what, reply)
        assert reply.headers.get("cache-control") == "no-store", (what, reply.status, reply.headers)


# --- bounded 422s ------------------------------------------------------------------------------

def test_a_422_for_twenty_thousand_unknown_keys_stays_small(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a 317 KB body with 20,000 unknown keys
    body = {"name": "k", "role": "viewer", **{f"unknown_field_{i:05d}": 1 for i in range(20_000)}}
    raw = json.dumps(body).encode()
    assert len(raw) > 300_000
    # WHEN it is sent
    reply = env.api.post("/v1/api-keys", key=tenant.admin, raw=raw)
    # THEN a 422 that names the first few fields and says how many there were, in a few KB
    error = assert_error(reply, 422, "validation_error")
    assert len(reply.body) < 8 * 1024, len(reply.body)
    assert 1 <= len(error["details"]) <= 20
    assert error["details"][0] == {"field": "unknown_field_00000", "message": "unknown field"}
    assert "20,000" in error["message"]


def test_a_422_never_echoes_a_huge_value_or_field_name(env: Env, tenant: TenantKeys) -> None:
    huge = "A" * 200_000
    cases = [
        ("field name", env.api.post, "/v1/api-keys", {"name": "k", "role": "viewer", huge: 1}),
        ("value in a message", env.api.post, "/v1/webhooks", {"url": "https://hooks.localhost/k", "events": [huge]}),
        ("scope name", env.api.put, f"/v1/resources/{tenant.resource_id}",
         {"type": "t", "name": "n", "document": {}, "redact": [], "scopes": {"B" * 200_000: ["a"]}}),
    ]
    for what, send, path, body in cases:
        reply = send(path, key=tenant.admin, body=body)
        assert_error(reply, 422, "validation_error")
        assert len(reply.body) < 4 * 1024, (what, len(reply.body))


# --- share URLs, redirects and cookie paths on deployed stages ---------------------------------

@pytest.fixture
def deployed(env: Env) -> Iterator[Any]:
    """The app as a deployed stage (`prod`) sees it, over the same tables; invoked like Lambda."""
    import app as app_module

    def use(**overrides: Any) -> Keyhole:
        svc = Keyhole(settings_for(_outputs(env.svc), stage="prod", trust_forwarded_for=False, **overrides),
                      clock=env.clock)
        app_module.use_service(svc)
        return svc

    use()
    try:
        yield use
    finally:
        app_module.use_service(env.svc)


def _outputs(svc: Keyhole) -> Dict[str, str]:
    s = svc.settings
    return {"TableName": s.table_name, "CountersTableName": s.counters_table_name, "KmsKeyAlias": s.kms_key_id,
            "TableStreamArn": s.stream_arn}


def gateway(method: str, resource: str, path: str, *, headers: Dict[str, str], body: Optional[str] = None,
            params: Optional[Dict[str, str]] = None, domain: str = GATEWAY_DOMAIN,
            stage: str = GATEWAY_STAGE) -> Reply:
    """Invoke the Lambda handler with an API Gateway REST proxy event for `path`."""
    import app as app_module

    lowered = {k.lower(): v for k, v in headers.items()}
    event = {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": lowered, "multiValueHeaders": {k: [v] for k, v in lowered.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": params or {}, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": f"/{stage}{path}",
                           "stage": stage, "domainName": domain, "requestId": str(uuid.uuid4()),
                           "identity": {"sourceIp": "203.0.113.7"}},
        "body": body, "isBase64Encoded": False,
    }
    raw = app_module.app(event, None)

    class _Raw:
        status_code = raw["statusCode"]
        headers = {**raw.get("headers", {}), **{k: v[0] for k, v in (raw.get("multiValueHeaders") or {}).items()}}
        body = raw.get("body") or ""

    return Reply(_Raw())


HOSTILE = {"Host": "evil.example//x", "X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "evil.example"}


def _create_link(tenant: TenantKeys, **body: Any) -> Reply:
    return gateway("POST", "/v1/resources/{resource_id}/links", f"/v1/resources/{tenant.resource_id}/links",
                   headers={**HOSTILE, "Authorization": f"Bearer {tenant.operator}",
                            "Content-Type": "application/json"},
                   body=json.dumps(body), params={"resource_id": tenant.resource_id})


def test_share_urls_on_a_deployed_stage_come_from_api_gateway_not_from_host(deployed: Any,
                                                                            tenant: TenantKeys) -> None:
    # WHEN an operator creates a link with hostile Host and X-Forwarded-* headers
    reply = _create_link(tenant)
    # THEN the URL is API Gateway's own domain and stage
    assert reply.status == 201, reply
    assert reply.json["url"] == f"https://{GATEWAY_DOMAIN}/{GATEWAY_STAGE}/share/{reply.json['token']}"
    # AND a reveal says the same
    revealed = gateway("POST", "/v1/links/{link_id}/reveal", f"/v1/links/{reply.json['id']}/reveal",
                       headers={**HOSTILE, "Authorization": f"Bearer {tenant.operator}"},
                       params={"link_id": reply.json["id"]})
    assert revealed.json["url"] == reply.json["url"]


def test_keyhole_public_url_wins_on_a_deployed_stage(deployed: Any, tenant: TenantKeys) -> None:
    deployed(public_url="https://share.example.com")
    reply = _create_link(tenant)
    assert reply.json["url"] == f"https://share.example.com/share/{reply.json['token']}"


def test_a_custom_domain_without_keyhole_public_url_has_no_stage_prefix(deployed: Any, tenant: TenantKeys) -> None:
    reply = gateway("POST", "/v1/resources/{resource_id}/links", f"/v1/resources/{tenant.resource_id}/links",
                    headers={**HOSTILE, "Authorization": f"Bearer {tenant.operator}"}, body="{}",
                    params={"resource_id": tenant.resource_id}, domain="links.example.com")
    assert reply.json["url"] == f"https://links.example.com/share/{reply.json['token']}"


def test_unlock_on_a_deployed_stage_redirects_inside_the_stage_whatever_the_host(deployed: Any,
                                                                                 tenant: TenantKeys) -> None:
    # GIVEN a password link
    token = _create_link(tenant, password="correct horse").json["token"]
    # WHEN the password is posted with `Host: evil.example//x`
    reply = gateway("POST", "/share/{token}/unlock", f"/share/{token}/unlock",
                    headers={**HOSTILE, "Content-Type": "application/x-www-form-urlencoded"},
                    body="password=correct+horse", params={"token": token})
    # THEN the redirect and the cookie stay on API Gateway's stage path, and the cookie is Secure
    assert reply.status == 303, reply
    assert reply.headers["location"] == f"/{GATEWAY_STAGE}/share/{token}"
    cookie = reply.headers["set-cookie"]
    assert f"Path=/{GATEWAY_STAGE}/share/{token}" in cookie and "Secure" in cookie


@pytest.mark.parametrize("host", ["evil.example//x", "evil.example/x", "evil.example\\x", "a b", "",
                                  "evil.example:99999x", "user@evil.example"])
def test_a_malformed_host_on_a_local_stage_never_becomes_a_path_or_another_origin(env: Env, tenant: TenantKeys,
                                                                                   host: str) -> None:
    """Local and test stages keep building URLs from Host (there is no gateway), but only from a
    well-formed one: a redirect to `//x/share/...` would leave the site."""
    link = make_link(env.api, tenant.operator, tenant.resource_id, password="correct horse")
    ip = {"x-forwarded-for": fresh_ip()}
    reply = env.api.call("POST", f"/share/{link['token']}/unlock", raw=b"password=correct+horse",
                         headers={**ip, "host": host, "x-forwarded-proto": "javascript",
                                  "content-type": "application/x-www-form-urlencoded"})
    assert reply.status == 303, reply
    assert reply.headers["location"] == f"/share/{link['token']}"
    created = env.api.call("POST", f"/v1/resources/{tenant.resource_id}/links", key=tenant.operator, body={},
                           headers={"host": host, "x-forwarded-proto": "javascript"})
    url = urlsplit(created.json["url"])
    assert url.scheme in ("http", "https") and url.path == f"/share/{created.json['token']}", created.json["url"]
    assert url.hostname not in ("evil.example", "x")
