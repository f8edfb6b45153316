"""Rate limits: per API key, per viewer IP, the failed-resolve (enumeration) guard, per link.

Windows are fixed minutes; the clock is moved explicitly so edges are tested exactly.
"""
from __future__ import annotations

import math
import secrets
from typing import Any, Dict, List, Tuple

from chalicelib.tenancy import tenants
from chalicelib.viewer import resolve as viewer


def at_window_end(clock: Any, seconds_before: float) -> None:
    """Move the clock into a fresh minute window, `seconds_before` its end (nothing counted yet)."""
    now = clock.time()
    clock.advance((math.floor(now / 60) + 2) * 60 - seconds_before - now)


def shared_link(svc: Any, api: Any, **overrides: Any) -> Dict[str, Any]:
    tenant, admin = tenants.create_tenant(svc, name="rl", plan="team", overrides=overrides or None)
    api.put("/v1/resources/r", key=admin, body={"type": "t", "name": "n", "document": {"a": 1}})
    link = api.post("/v1/resources/r/links", key=admin, body={}).json
    return {"key": admin, "token": link["token"], "id": link["id"], "tenant": tenant.tenant_id}


def from_ip(ip: str) -> Dict[str, str]:
    return {"x-forwarded-for": ip}  # honoured only on the local/test stages


def test_api_key_limit_refuses_with_retry_after_and_resets_next_window(svc, app_client, clock):
    # GIVEN a key allowed 5 requests a minute, 3 seconds before the window ends
    t = shared_link(svc, app_client, api_requests_per_min=5)
    at_window_end(clock, 3)
    calls = [app_client.get("/v1/tenant", key=t["key"]).status for _ in range(7)]
    # THEN the 6th request in the window is refused with Retry-After and retry_after
    assert calls == [200] * 5 + [429] * 2
    refused = app_client.get("/v1/tenant", key=t["key"])
    assert refused.json["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 3
    assert refused.json["error"]["retry_after"] == int(refused.headers["retry-after"])
    # WHEN the window turns THEN requests pass again
    clock.advance(3.5)
    assert app_client.get("/v1/tenant", key=t["key"]).status == 200


def test_api_key_limit_is_per_key(svc, app_client, clock):
    t = shared_link(svc, app_client, api_requests_per_min=4)
    other = app_client.post("/v1/api-keys", key=t["key"], body={"name": "b", "role": "viewer"}).json["key"]
    at_window_end(clock, 5)
    while app_client.get("/v1/tenant", key=t["key"]).status != 429:
        pass
    assert app_client.get("/v1/tenant", key=other).status == 200


def test_viewer_limit_per_ip(svc, app_client, clock):
    t = shared_link(svc, app_client, viewer_requests_per_min_per_ip=3)
    at_window_end(clock, 5)
    path = f"/share/{t['token']}/data"
    assert [app_client.get(path, headers=from_ip("198.51.100.7")).status for _ in range(4)] == [200, 200, 200, 429]
    assert app_client.get(path, headers=from_ip("198.51.100.8")).status == 200
    refused = app_client.get(path, headers=from_ip("198.51.100.7"))
    assert refused.headers["retry-after"] and refused.json["error"]["retry_after"] >= 1
    for name in ("cache-control", "referrer-policy", "x-robots-tag", "x-content-type-options",
                 "content-security-policy"):
        assert name in refused.headers  # viewer headers on 429s too
    clock.advance(6)
    assert app_client.get(path, headers=from_ip("198.51.100.7")).status == 200


def test_failed_resolves_guard_blocks_enumeration_without_revealing_anything(svc, app_client, clock):
    # GIVEN an attacker IP probing random tokens, and a real link
    t = shared_link(svc, app_client)
    at_window_end(clock, 20)
    attacker = from_ip("203.0.113.66")
    statuses = [app_client.get(f"/share/{secrets.token_urlsafe(48)}/data", headers=attacker).status
                for _ in range(31)]
    # THEN after 30 failed resolves a minute the IP gets 429 ...
    assert statuses == [404] * 30 + [429]
    # ... for unknown tokens and for the real one alike: the 429 says nothing about the token
    unknown = app_client.get(f"/share/{secrets.token_urlsafe(48)}/data", headers=attacker)
    real = app_client.get(f"/share/{t['token']}/data", headers=attacker)
    assert unknown.status == real.status == 429
    assert unknown.body == real.body
    assert {k: v for k, v in unknown.headers.items() if k != "x-request-id"} == \
        {k: v for k, v in real.headers.items() if k != "x-request-id"}
    # AND other viewers are unaffected
    assert app_client.get(f"/share/{t['token']}/data", headers=from_ip("203.0.113.67")).status == 200


def test_malformed_tokens_count_as_failed_resolves(svc, app_client, clock):
    at_window_end(clock, 20)
    attacker = from_ip("203.0.113.90")
    statuses = [app_client.get(f"/share/x{i}/data", headers=attacker).status for i in range(31)]
    assert statuses == [404] * 30 + [429]


def _limited_link(svc: Any, api: Any, *, per_min: int, document: Dict[str, Any]) -> Tuple[str, Dict[str, Any]]:
    """A team tenant's admin key and a link to resource `r` limited to `per_min` views a minute."""
    _, admin = tenants.create_tenant(svc, name="rl", plan="team")
    api.put("/v1/resources/r", key=admin, body={"type": "t", "name": "n", "document": document})
    return admin, api.post("/v1/resources/r/links", key=admin, body={"rate_limit_per_min": per_min}).json


def test_link_rate_limit_counts_views_not_conditional_polls(svc, app_client, clock):
    admin, link = _limited_link(svc, app_client, per_min=2, document={"a": 1})
    token = link["token"]
    at_window_end(clock, 20)
    path = f"/share/{token}/data"
    first = app_client.get(path, headers=from_ip("192.0.2.1"))
    etag = first.headers["etag"]
    # a page left open polls with If-None-Match: 304s are not views and never trip the link limit
    polls = [app_client.get(path, headers={**from_ip("192.0.2.1"), "if-none-match": etag}).status for _ in range(5)]
    assert polls == [304] * 5
    assert app_client.get(path, headers=from_ip("192.0.2.2")).status == 200
    assert app_client.get(path, headers=from_ip("192.0.2.3")).status == 429  # third view this minute, any IP
    clock.advance(21)
    assert app_client.get(path, headers=from_ip("192.0.2.3")).status == 200


def test_a_page_left_open_never_trips_the_link_limit_even_when_the_document_keeps_changing(svc, app_client, clock):
    # GIVEN a link allowed 1 view a minute, opened once by a page that then polls with If-None-Match
    admin, link = _limited_link(svc, app_client, per_min=1, document={"v": 0})
    at_window_end(clock, 50)
    path, viewer = f"/share/{link['token']}/data", from_ip("192.0.2.50")
    etag = app_client.get(path, headers=viewer).headers["etag"]
    # WHEN the document changes before each of five polls in the same minute
    statuses = []
    for version in range(1, 6):
        app_client.put("/v1/resources/r", key=admin, body={"type": "t", "name": "n", "document": {"v": version}})
        reply = app_client.get(path, headers={**viewer, "if-none-match": etag})
        statuses.append(reply.status)
        etag = reply.headers.get("etag", etag)
    # THEN every poll gets the new document, and the refreshes are logged but are not views
    assert statuses == [200] * 5
    outcomes = [e["outcome"] for e in app_client.get(f"/v1/links/{link['id']}/access-logs", key=admin).json["items"]]
    assert outcomes == ["refreshed"] * 5 + ["viewed"]
    # AND a second, unconditional view in that minute is still refused by the link's limit
    assert app_client.get(path, headers=from_ip("192.0.2.51")).status == 429


def _outcomes(api: Any, key: str, link_id: str) -> List[str]:
    """The link's access log, oldest first."""
    return [e["outcome"] for e in reversed(api.get(f"/v1/links/{link_id}/access-logs", key=key).json["items"])]


def test_a_made_up_validator_does_not_escape_the_link_limit(svc, app_client, clock):
    # GIVEN a link allowed 3 views a minute, whose window is full
    admin, link = _limited_link(svc, app_client, per_min=3, document={"a": 1})
    at_window_end(clock, 30)
    path = f"/share/{link['token']}/data"
    plain = [app_client.get(path, headers=from_ip(f"192.0.2.{60 + i}")) for i in range(5)]
    assert [r.status for r in plain] == [200, 200, 200, 429, 429]
    current = plain[0].headers["etag"]
    version, digest = current.strip('"').split(".")
    # WHEN clients send validators that are not an earlier version's ETag: made up, the current
    # version with another hash, a future version
    made_up = ['"junk"', f'"{version}.{"0" * 32}"', f'"{int(version) + 1}.{digest}"', f'"junk", "{version}.x"']
    replies = [app_client.get(path, headers={**from_ip(f"192.0.2.{70 + i}"), "if-none-match": tag})
               for i, tag in enumerate(made_up * 3)]
    # THEN each is an ordinary fetch, refused like any other once the window is full
    assert [r.status for r in replies] == [429] * 12
    # AND the current ETag still gets a 304, which is never counted or refused by the link's window
    assert app_client.get(path, headers={**from_ip("192.0.2.90"), "if-none-match": current}).status == 304
    # WHEN the window turns THEN a made-up validator gets the document, logged as a view, and counts
    clock.advance(31)
    fetched = [app_client.get(path, headers={**from_ip(f"192.0.2.{91 + i}"), "if-none-match": '"junk"'}).status
               for i in range(4)]
    assert fetched == [200, 200, 200, 429]
    assert _outcomes(app_client, admin, link["id"]) == ["viewed"] * 3 + ["rate_limited"] * 14 + ["viewed"] * 3 + [
        "rate_limited"]


def test_an_earlier_etag_is_a_free_refresh_only_within_the_grace_after_an_update(svc, app_client, clock):
    # GIVEN a link allowed 1 view a minute, viewed once (its window is full), whose document is then updated
    admin, link = _limited_link(svc, app_client, per_min=1, document={"v": 1})
    at_window_end(clock, 50)
    path, page = f"/share/{link['token']}/data", from_ip("192.0.2.40")
    old = app_client.get(path, headers=page).headers["etag"]
    app_client.put("/v1/resources/r", key=admin, body={"type": "t", "name": "n", "document": {"v": 2}})
    # WHEN an open page polls with the ETag of the version it shows
    refreshed = app_client.get(path, headers={**page, "if-none-match": old})
    # THEN it gets the new version, not counted against the full window
    assert refreshed.status == 200 and refreshed.json["document"] == {"v": 2}
    assert refreshed.headers["etag"] != old
    # WHEN the same old ETag comes back after the grace (in a fresh window)
    clock.advance(viewer.REFRESH_GRACE_SECONDS + 1)
    at_window_end(clock, 50)
    late = app_client.get(path, headers={**page, "if-none-match": old})
    # THEN it is an ordinary view: the document, counted, so the window is full again
    assert late.status == 200 and late.json["document"] == {"v": 2}
    assert app_client.get(path, headers={**page, "if-none-match": old}).status == 429
    assert app_client.get(path, headers=from_ip("192.0.2.41")).status == 429
    assert _outcomes(app_client, admin, link["id"]) == ["viewed", "refreshed", "viewed", "rate_limited",
                                                        "rate_limited"]
