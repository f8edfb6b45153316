"""Issue 19: the defects an outside attack found in the proxy, introspection and outbound calls,
each replayed over real HTTP (`chalice local` + moto server + a real local origin), as the attacker
sent it. Each test failed before its fix."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List
from urllib.parse import quote, urlsplit

import boto3
import pytest

from chalicelib.tenancy import tenants
from chalicelib.storage.models import Capability
from chalicelib.credentials.tokens import sha256_hex
from chalicelib.viewer.resolve import NOT_FOUND_BODY
from tests.origin.kit import Http, OriginLink, request
from tests.origin.test_proxy_http import _OPERATORS, HttpApi, origin_link
from tests.support import fresh_ip, make_tenant, random_token

pytestmark = pytest.mark.usefixtures("http_stack")

VARYING = {"date", "x-request-id", "server"}


def _same_404(reply: Http, reference: Http) -> None:
    assert reply.status == reference.status == 404, reply.body
    assert reply.body == reference.body and json.loads(reply.body) == NOT_FOUND_BODY
    assert {k: v for k, v in reply.headers.items() if k not in VARYING} == {
        k: v for k, v in reference.headers.items() if k not in VARYING}


def _unknown_on(live: OriginLink) -> Http:
    return request(live.api_url, "GET", f"/share/{random_token()}/o/api/status", host=live.content_host,
                   headers={"X-Forwarded-For": fresh_ip()})


# --- 1. the admin API and Keyhole's pages never answer on a content host, fragment or not ------


@pytest.mark.parametrize("method, target", [
    ("GET", "/v1/tenant#/share/x/o"),
    ("POST", "/v1/api-keys#/share/x/o"),
    ("GET", "/v1/tenant#/share/x/o/y"),
    ("GET", "/v1/links?x=1#/share/x/unlock"),
    ("DELETE", "/v1/api-keys/key_00000000000000000000#/share/x/visit"),
])
def test_a_fragment_never_opens_the_admin_api_on_a_content_host(http_stack: Any, origin: Any, method: str,
                                                                target: str) -> None:
    live = origin_link(http_stack, origin)
    operator = _OPERATORS[live.link_id]
    body = json.dumps({"name": "planted", "role": "viewer"}).encode() if method == "POST" else None
    reply = request(http_stack.api_url, method, target, host=live.content_host, body=body,
                    headers={"Authorization": f"Bearer {operator}", "Content-Type": "application/json",
                             "X-Forwarded-For": fresh_ip()})
    _same_404(reply, _unknown_on(live))
    # and on Keyhole's own host the same key works (the 404 above is the content host's doing)
    assert request(http_stack.api_url, "GET", "/v1/tenant",
                   headers={"Authorization": f"Bearer {operator}"}).status == 200


def test_a_fragment_never_serves_a_document_page_on_a_content_host(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin)
    api = HttpApi(http_stack.api_url)
    keys = make_tenant(http_stack.svc, api, name="Docs")
    document = api.post(f"/v1/resources/{keys.resource_id}/links", key=keys.operator, body={}).json["token"]
    for target in (f"/share/{document}#/o", f"/share/{document}/data#/o/x", f"/share/{document}/info#/unlock"):
        reply = request(http_stack.api_url, "GET", target, host=live.content_host,
                        headers={"X-Forwarded-For": fresh_ip()})
        _same_404(reply, _unknown_on(live))


# --- 2. an address named by one tenant's introspection never locks other tenants out ----------


def test_introspection_views_of_dead_tokens_never_lock_an_address_out_of_other_tenants(http_stack: Any) -> None:
    api = HttpApi(http_stack.api_url)
    attacker = make_tenant(http_stack.svc, api, name="Attacker")
    victim = make_tenant(http_stack.svc, api, name="Victim")
    victim_link = api.post(f"/v1/resources/{victim.resource_id}/links", key=victim.operator, body={}).json
    introspect_key = api.post("/v1/api-keys", key=attacker.admin, body={"name": "i", "role": "introspect"}).json["key"]
    address = fresh_ip()
    # WHEN tenant A's key introspects 32 random tokens "viewed" from that address
    statuses = [api.post("/v1/introspect", key=introspect_key,
                         body={"token": random_token(), "view": {"ip": address}}).status for _ in range(32)]
    # THEN A's own window for that address fills (30 failed resolves a minute, then 429) ...
    assert statuses[:30] == [200] * 30 and statuses[-1] == 429, statuses
    # ... AND a real viewer at that address still opens tenant B's link, and A's failures never
    # counted against the address's own enumeration guard
    reply = request(http_stack.api_url, "GET", f"/share/{victim_link['token']}/data",
                    headers={"X-Forwarded-For": address})
    assert reply.status == 200, reply.body
    for _ in range(3):
        dead = request(http_stack.api_url, "GET", f"/share/{random_token()}/data", headers={"X-Forwarded-For": address})
        assert dead.status == 404
    # AND another tenant's introspection of that address is not limited by A's window either
    other_key = api.post("/v1/api-keys", key=victim.admin, body={"name": "i", "role": "introspect"}).json["key"]
    other = api.post("/v1/introspect", key=other_key, body={"token": random_token(), "view": {"ip": address}})
    assert other.status == 200 and other.json == {"active": False}


# --- 3. a visit opened with the last view lives its 30 minutes ---------------------------------


def test_a_visit_opened_with_the_last_view_outlives_the_consumers_run(http_stack: Any, origin: Any) -> None:
    import app as app_module
    from devstack.pump import Pump, StreamReader

    app_module.use_service(http_stack.svc)
    try:
        streams = boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=http_stack.aws_endpoint)
        reader = StreamReader(streams, http_stack.outputs["TableStreamArn"])
        reader.read_all()  # start after what other tests wrote (the stack is shared)
        pump = Pump(reader, app_module.stream_consumer, out=lambda line: None)
        live = origin_link(http_stack, origin, link={"max_views": 1})
        ip = fresh_ip()
        opened = request(http_stack.api_url, "POST", f"/share/{live.token}/visit", host=live.content_host,
                         headers={"X-Forwarded-For": ip})
        assert opened.status == 303
        visit = next(v for k, v in opened.all_headers if k.lower() == "set-cookie" and v.startswith("kh_visit="))
        cookie = {"Cookie": visit.split(";", 1)[0]}
        opened_at = time.time()
        assert live.get("/api/status", ip=ip, headers=cookie).status == 200
        # WHEN the stream consumer runs over the view (it marks the link exhausted, frees its slot)
        for _ in range(10):
            if not pump.poll():
                break
        operator = _OPERATORS[live.link_id]
        api = HttpApi(http_stack.api_url)
        assert api.get(f"/v1/links/{live.link_id}", key=operator).json["status"] == "exhausted"
        # THEN the visit goes on: its requests are served, and the capability stays until it ends
        for path in ("/", "/api/status", "/api/checks"):
            assert live.get(path, ip=ip, headers=cookie).status == 200, path
        cap = http_stack.svc.store.get(Capability, Capability.key(sha256_hex(live.token)))
        assert cap is not None and int(cap.ttl) >= opened_at + 30 * 60
        # AND nobody else gets in: no cookie, or a new visit, is the one 404
        _same_404(live.get("/api/status", ip=fresh_ip()), _unknown_on(live))
        again = request(http_stack.api_url, "POST", f"/share/{live.token}/visit", host=live.content_host,
                        headers={"X-Forwarded-For": fresh_ip()})
        assert again.status == 404
        # AND revoking the link ends the visit at once
        assert api.call("DELETE", f"/v1/links/{live.link_id}", key=operator).status == 204
        _same_404(live.get("/api/status", ip=ip, headers=cookie), _unknown_on(live))
    finally:
        app_module.use_service(None)


# --- 4. the link's own token never reaches the origin, the access log or the stream ------------


@pytest.mark.parametrize("method, rest", [
    ("GET", "/echo/{T}"),
    ("GET", "/echo/x?q={T}&r=1"),
    ("GET", "/echo/a{T}b/c?{T}"),
    ("HEAD", "/echo/{T}"),
    ("DELETE", "/echo/{T}?x={T}"),
])
def test_the_links_token_is_scrubbed_from_paths_queries_and_logs(http_stack: Any, origin: Any, method: str,
                                                                 rest: str) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_methods": ["GET", "HEAD", "DELETE"]})
    before = len(origin.received)
    reply = live.get(rest.replace("{T}", live.token), method=method, ip=fresh_ip(),
                     headers={"User-Agent": f"agent/{live.token}"})
    assert reply.status == 200, reply.body
    seen = origin.received[before:]
    assert len(seen) == 1 and seen[0]["verified"]
    assert live.token not in seen[0]["target"] and "(token)" in seen[0]["target"]
    assert all(live.token not in value for value in seen[0]["headers"].values())
    # the access log (and so the access event item and its stream record) shows the marker
    logs = HttpApi(http_stack.api_url).get(f"/v1/links/{live.link_id}/access-logs",
                                           key=_OPERATORS[live.link_id]).json["items"]
    assert logs and all(live.token not in json.dumps(entry) for entry in logs)
    if "{T}" in rest.split("?", 1)[0]:
        assert "(token)" in logs[0]["path"]
    assert logs[0]["user_agent"] == "agent/(token)"
    items = _access_items(http_stack, live.link_id)
    assert items and all(live.token not in json.dumps(item) for item in items)


def _access_items(stack: Any, link_id: str) -> List[Dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=stack.aws_endpoint)
    return [item for shard in range(4) for item in client.query(
        TableName=stack.outputs["TableName"], KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"ACCESS#{link_id}#{shard}"}})["Items"]]


# --- 5. path parameters and NFKC look-alikes never reach the origin --------------------------


@pytest.mark.parametrize("attack", [
    "/img/secret;.png", "/img/secret%3b.png", "/img/secret%3B.png", "/img/x;jsessionid=1/a.png",
])
def test_path_parameters_are_refused_before_matching(http_stack: Any, origin: Any, attack: str) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_paths": ["/img/*.png", "/img/*/a.png"]})
    assert live.get("/img/logo.png", ip=fresh_ip()).status == 200
    before = len(origin.received)
    reply = live.get(attack, ip=fresh_ip())
    assert reply.status == 403, (attack, reply.status)
    assert len(origin.received) == before


@pytest.mark.parametrize("attack", [
    "/img/%EF%BC%8E%EF%BC%8E/admin",      # fullwidth full stops: `..` under NFKC
    "/img/%E2%80%A5/admin",               # two dot leader: `..` under NFKC
    "/img/%EF%BC%8E%EF%BC%8E%EF%BC%8Fadmin",  # fullwidth dots and solidus: `../admin`
    "/img/a%EF%BC%BCb",                   # fullwidth reverse solidus: `\`
    "/img/%EF%BC%9B.png",                 # fullwidth semicolon: `;`
])
def test_nfkc_look_alikes_of_dots_and_separators_are_refused(http_stack: Any, origin: Any, attack: str) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_paths": ["/img/*"]})
    before = len(origin.received)
    reply = live.get(attack, ip=fresh_ip())
    assert reply.status == 403, (attack, reply.status)
    assert len(origin.received) == before


# --- 6. request headers: an allow-list ----------------------------------------------------------

FORGED = {
    "X_Forwarded_For": "6.6.6.6", "X_Shared_Access": "false", "True-Client-IP": "6.6.6.6",
    "CF-Connecting-IP": "6.6.6.6", "X-Client-IP": "6.6.6.6", "X-Original-Forwarded-For": "6.6.6.6",
    "X-HTTP-Method-Override": "DELETE", "X-Method-Override": "DELETE", "X-HTTP-Method": "DELETE",
    "X-Original-URL": "/admin", "X-Rewrite-URL": "/admin", "X-Share_Name": "forged", "X_Keyhole_Link_Id": "lnk_x",
    "Webhook_Signature": "v1,forged", "Origin": "https://evil.example", "X-Custom": "1",
    "Cache-Control": "no-cache", "Pragma": "no-cache", "DNT": "1", "Upgrade-Insecure-Requests": "1",
}
ALLOWED = {
    "Accept": "application/json", "Accept-Language": "de", "Accept-Charset": "utf-8",
    "If-None-Match": '"abc"', "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT", "If-Match": '"x"',
    "If-Unmodified-Since": "Wed, 21 Oct 2015 07:28:00 GMT", "If-Range": '"abc"', "Range": "bytes=0-10",
    "User-Agent": "Viewer/1.0", "Content-Type": "text/plain",
}


def test_only_allow_listed_request_headers_reach_the_origin(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_methods": ["GET", "HEAD", "POST"]})
    ip = fresh_ip()
    reply = live.get("/echo/h", method="POST", ip=ip, body=b"hello", headers={**FORGED, **ALLOWED})
    assert reply.status == 200, reply.body
    seen = origin.received[-1]
    assert seen["verified"]
    received = seen["headers"]
    keyhole_own = {"x-forwarded-for", "x-shared-access", "x-share-name", "x-keyhole-link-id", "webhook-id",
                   "webhook-timestamp", "webhook-signature", "accept-encoding", "host", "content-length"}
    assert set(received) <= {name.lower() for name in ALLOWED} | keyhole_own, set(received) - keyhole_own
    for name, value in ALLOWED.items():
        assert received[name.lower()] == value, name
    assert received["x-forwarded-for"] == ip and received["x-shared-access"] == "true"
    assert received["x-share-name"] == "contractor-access" and received["x-keyhole-link-id"] == live.link_id
    assert received["accept-encoding"] == "identity"
    assert "6.6.6.6" not in json.dumps(received) and "/admin" not in json.dumps(received)


# --- 7. an origin redirect never leaves the share's prefix -------------------------------------


class _Based:
    """The test origin behind a base path (`/w`): the origin URL's path is the share's root."""

    def __init__(self, origin: Any, base: str) -> None:
        self.url = origin.url + base
        self.secrets = origin.secrets


@pytest.mark.parametrize("location", [
    "/w/%2e%2e/%2e%2e/%2e%2e/v1/tenant", "/w/%2E%2E/v1/tenant", "/w/.%2e/x", "/w/%2e./x", "/w/a/../../v1/tenant",
    "/w/%2e%2e", "../../v1/tenant",
])
def test_a_redirect_that_climbs_out_of_the_share_is_refused(http_stack: Any, origin: Any, location: str) -> None:
    live = origin_link(http_stack, _Based(origin, "/w"))
    reply = live.get(f"/redirect?to={quote(location, safe='')}", ip=fresh_ip())
    assert reply.status == 502, (location, reply.status, reply.headers.get("location"))
    assert "location" not in reply.headers


@pytest.mark.parametrize("location, expected", [
    ("/w/a/%2e%2e/api/status", "/api/status"),
    ("/w/./api/%2E/status", "/api/status"),
    ("/w/", "/"),
])
def test_a_redirect_inside_the_share_is_normalised(http_stack: Any, origin: Any, location: str, expected: str) -> None:
    live = origin_link(http_stack, _Based(origin, "/w"))
    reply = live.get(f"/redirect?to={quote(location, safe='')}", ip=fresh_ip())
    assert reply.status == 302, reply.body
    assert reply.headers["location"] == f"/share/{live.token}/o{expected}"
    # what a browser makes of it stays below the prefix (WHATWG URL parsing reads %2e as a dot)
    assert "%2e" not in reply.headers["location"].lower() and "/../" not in reply.headers["location"]


# --- 8. the hand-over to the content host keeps the request ------------------------------------


@pytest.mark.parametrize("method, status", [("GET", 302), ("HEAD", 302), ("POST", 307), ("PUT", 307),
                                            ("DELETE", 307), ("PATCH", 307), ("OPTIONS", 307)])
def test_the_hand_over_keeps_the_query_and_the_method(http_stack: Any, origin: Any, method: str,
                                                      status: int) -> None:
    live = origin_link(http_stack, origin)
    reply = request(http_stack.api_url, method, f"/share/{live.token}/o/api/status?a=1&b=x%20y",
                    headers={"X-Forwarded-For": fresh_ip()}, body=b"{}" if method not in ("GET", "HEAD") else None)
    assert reply.status == status, reply.body
    assert reply.headers["location"] == f"http://{live.content_host}/share/{live.token}/o/api/status?a=1&b=x+y"


def test_the_followed_hand_over_reaches_the_origin_with_its_query_and_body(http_stack: Any, origin: Any) -> None:
    live = origin_link(http_stack, origin, origin_body={"allowed_methods": ["GET", "HEAD", "POST"]})
    ip = fresh_ip()
    first = request(http_stack.api_url, "POST", f"/share/{live.token}/o/echo/p?q=1",
                    headers={"X-Forwarded-For": ip}, body=b"payload")
    assert first.status == 307
    target = urlsplit(first.headers["location"])
    second = live.get(target.path.split("/o", 1)[1] + "?" + target.query, method="POST", ip=ip, body=b"payload")
    assert second.status == 200 and second.json["target"] == "/echo/p?q=1"
    assert second.json["method"] == "POST" and second.json["body_length"] == 7


# --- 9. outbound calls of the local and test stages reach loopback only -------------------------


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://10.0.0.1/x", "http://192.168.1.1/x",
    "http://172.16.0.1/x", "http://100.64.0.1/x", "https://example.com/hook", "http://[fd00::1]/x",
    "http://[::ffff:169.254.169.254]/x", "http://0.0.0.0/x", "http://metadata.google.internal/x",
    "http://2852039166/x", "http://0xa9.0xfe.0xa9.0xfe/x",
])
def test_local_stages_refuse_every_non_loopback_webhook_endpoint(http_stack: Any, url: str) -> None:
    api = HttpApi(http_stack.api_url)
    keys = make_tenant(http_stack.svc, api, name="Hooks", resource=False)
    reply = api.post("/v1/webhooks", key=keys.admin, body={"url": url, "events": ["share.created"]})
    assert reply.status == 422, (url, reply.json)
    assert reply.json["error"]["details"][0]["field"] == "url"
    assert api.get("/v1/webhooks", key=keys.admin).json["items"] == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://127.9.9.9:9/x", "http://localhost:9/x",
                                 "http://hooks.localhost:9/x", "http://[::1]:9/x"])
def test_local_stages_accept_loopback_webhook_endpoints(http_stack: Any, url: str) -> None:
    api = HttpApi(http_stack.api_url)
    keys = make_tenant(http_stack.svc, api, name="Hooks", resource=False)
    reply = api.post("/v1/webhooks", key=keys.admin, body={"url": url, "events": ["share.created"]})
    assert reply.status == 201, (url, reply.json)


# --- tests that let a change through: an invalid X-Forwarded-For, a forged API key ---------------


def test_an_invalid_forwarded_for_records_the_source_address(http_stack: Any) -> None:
    api = HttpApi(http_stack.api_url)
    keys = make_tenant(http_stack.svc, api, name="Forwarded")
    link = api.post(f"/v1/resources/{keys.resource_id}/links", key=keys.operator, body={}).json
    for forwarded in ("not-an-ip", "999.1.1.1", "", "10.0.0.1.2"):
        reply = request(http_stack.api_url, "GET", f"/share/{link['token']}/data",
                        headers={"X-Forwarded-For": forwarded})
        assert reply.status == 200, reply.body
    logs = api.get(f"/v1/links/{link['id']}/access-logs", key=keys.operator).json["items"]
    assert [entry["ip"] for entry in logs] == ["127.0.0.1"] * 4  # chalice local's sourceIp


def test_a_key_with_the_right_id_and_a_wrong_secret_is_the_unknown_keys_401(http_stack: Any) -> None:
    from chalicelib.storage.models import ApiKeyItem
    from chalicelib.credentials.tokens import new_api_key, parse_api_key

    tenant, admin = tenants.create_tenant(http_stack.svc, name="Forged", plan="team")
    real = parse_api_key(admin)
    assert real is not None
    forged = new_api_key(real.tenant_key)  # the same tenant, another secret
    # GIVEN a stored key whose id is the forged key's (as if its hash prefix collided) but whose
    # hash is the real key's
    item = http_stack.svc.store.get(ApiKeyItem, ApiKeyItem.key(tenant.tenant_id, real.key_id))
    pk, sk = ApiKeyItem.key(tenant.tenant_id, forged.key_id)
    ApiKeyItem(pk=pk, sk=sk, key_id=forged.key_id, tenant_id=tenant.tenant_id, name=item.name, role="admin",
               key_hash=item.key_hash, prefix=item.prefix, created_at=item.created_at).save()
    unknown = new_api_key(real.tenant_key)
    replies = [request(http_stack.api_url, "GET", "/v1/tenant", headers={"Authorization": f"Bearer {key.value}"})
               for key in (forged, unknown)]
    # THEN the forged key gets exactly the unknown key's 401
    assert [r.status for r in replies] == [401, 401], replies[0].body
    bodies = [json.loads(r.body) for r in replies]
    for body in bodies:
        body["error"].pop("request_id")
    assert bodies[0] == bodies[1]
    assert {k: v for k, v in replies[0].headers.items() if k not in VARYING} == {
        k: v for k, v in replies[1].headers.items() if k not in VARYING}
    assert request(http_stack.api_url, "GET", "/v1/tenant", headers={"Authorization": f"Bearer {admin}"}).status == 200
