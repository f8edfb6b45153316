"""The viewer JSON surface (`/share/{token}/data`, `/share/{token}/info`), as a viewer and as an
attacker sees it: scope projection and redaction at any depth, the viewer headers on every answer,
ETag revalidation, and ONE identical 404 for every dead link, however it died.
"""
from __future__ import annotations

import base64
import secrets
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from tests.conftest import Api, Reply
from tests.functional.conftest import Env
from tests.support import TenantKeys, fresh_ip, make_link, put_resource, random_token

SECRETS = [f"SECRET-{i}" for i in range(1, 9)]
DOCUMENT: Dict[str, Any] = {
    "title": "Checkout API",
    "status": "up",
    "auth": {"bearer_token": "SECRET-1", "user": "svc", "nested": {"Password": "SECRET-2"}},
    "history": [{"at": 1, "password": "SECRET-3"}, {"at": 2, "PASSWORD": {"deep": "SECRET-4"}}],
    "api_key": ["SECRET-5", "SECRET-6"],
    "matrix": [[{"Api_Key": "SECRET-7", "ok": 1}]],
    "webhook": {"url": "https://example.com", "secret": {"value": "SECRET-8", "rotated": True}},
    "note": "the word password in a value is not a field",
}
REDACT = ["bearer_token", "password", "API_KEY", "secret"]
SCOPES = {"summary": ["title", "status"], "auth_only": ["auth"], "ghost": ["missing", "title"]}
REDACTED_WHOLE = {
    "title": "Checkout API",
    "status": "up",
    "auth": {"bearer_token": "***", "user": "svc", "nested": {"Password": "***"}},
    "history": [{"at": 1, "password": "***"}, {"at": 2, "PASSWORD": "***"}],
    "api_key": "***",
    "matrix": [[{"Api_Key": "***", "ok": 1}]],
    "webhook": {"url": "https://example.com", "secret": "***"},
    "note": "the word password in a value is not a field",
}
VIEWER_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex, nofollow",
    "x-content-type-options": "nosniff",
}
NOT_FOUND = {"error": {"code": "not_found", "message": "Share link not found or has been revoked"}}


def view(api: Api, token: str, suffix: str = "/data", method: str = "GET", ip: Optional[str] = None,
         headers: Optional[Dict[str, str]] = None) -> Reply:
    """A viewer request from its own IP (per-IP windows and the enumeration guard stay out of the way)."""
    return api.call(method, f"/share/{token}{suffix}", headers={"x-forwarded-for": ip or fresh_ip(), **(headers or {})})


def assert_viewer_headers(reply: Reply) -> None:
    for name, value in VIEWER_HEADERS.items():
        assert reply.headers.get(name) == value, (name, reply.headers)
    csp = reply.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, csp
    assert reply.headers.get("x-request-id")


@pytest.fixture
def shared(env: Env, tenant: TenantKeys) -> TenantKeys:
    """The tenant's resource holds secrets at every depth, with redaction rules and scopes."""
    put_resource(env.api, tenant.operator, tenant.resource_id,
                 {"type": "monitor", "name": "Checkout", "document": DOCUMENT, "redact": REDACT, "scopes": SCOPES})
    return tenant


# --- what viewers see ----------------------------------------------------------------------

@pytest.mark.parametrize("scope,expected", [
    (None, REDACTED_WHOLE),
    ("summary", {"title": "Checkout API", "status": "up"}),
    ("auth_only", {"auth": REDACTED_WHOLE["auth"]}),
    ("ghost", {"title": "Checkout API"}),
])
def test_data_projects_the_scope_then_redacts_at_any_depth(env: Env, shared: TenantKeys, scope: Optional[str],
                                                           expected: Dict[str, Any]) -> None:
    # GIVEN a link (scoped or not) to a document with secrets in objects, arrays and arrays of arrays
    link = make_link(env.api, shared.operator, shared.resource_id, label="L", description="D", scope=scope)
    # WHEN a viewer fetches the data
    reply = view(env.api, link["token"])
    # THEN the body is SPEC's shape, the document is projected and redacted (names case-insensitive)
    assert reply.status == 200, reply
    assert set(reply.json) == {"resource", "link", "document", "updated_at"}
    assert reply.json["resource"] == {"type": "monitor", "name": "Checkout"}
    assert reply.json["link"] == {"label": "L", "description": "D", "scope": scope, "expires_at": link["expires_at"]}
    assert reply.json["document"] == expected
    # AND no secret value appears anywhere in the bytes sent, nor the token
    for secret in SECRETS:
        assert secret.encode() not in reply.body
    assert link["token"].encode() not in reply.body
    assert_viewer_headers(reply)


def test_info_is_minimal_public_info_without_the_document(env: Env, shared: TenantKeys) -> None:
    link = make_link(env.api, shared.operator, shared.resource_id, label="L", description="D")
    reply = view(env.api, link["token"], "/info")
    assert reply.status == 200, reply
    assert {"label": "L", "description": "D", "expires_at": link["expires_at"], "tenant": {"name": shared.name},
            "resource": {"type": "monitor", "name": "Checkout"}}.items() <= reply.json.items()
    assert "document" not in reply.json and b"Checkout API" not in reply.body
    assert not any(secret.encode() in reply.body for secret in SECRETS)
    assert_viewer_headers(reply)


def test_redaction_rules_and_document_updates_apply_to_existing_links(env: Env, shared: TenantKeys) -> None:
    # GIVEN an open link WHEN the tenant pushes a new document with a new secret and a new rule
    link = make_link(env.api, shared.operator, shared.resource_id)
    put_resource(env.api, shared.operator, shared.resource_id,
                 {"type": "monitor", "name": "Checkout v2", "document": {"db": {"DSN": "SECRET-9", "host": "h"}},
                  "redact": ["dsn"], "scopes": {}})
    # THEN the very next fetch shows the new document, redacted by the new rule
    reply = view(env.api, link["token"])
    assert reply.json["document"] == {"db": {"DSN": "***", "host": "h"}}
    assert reply.json["resource"]["name"] == "Checkout v2" and b"SECRET-9" not in reply.body


def test_unicode_and_markup_in_documents_come_back_as_data(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a document with markup, quotes and non-ASCII text
    document = {"html": "<script>alert('x')</script>", "name": "Zoë — 東京 🚀", "rtl": "\u202eevil"}
    put_resource(env.api, tenant.operator, tenant.resource_id,
                 {"type": "t", "name": "<b>n</b>", "document": document, "redact": [], "scopes": {}})
    link = make_link(env.api, tenant.operator, tenant.resource_id, label="ünïcödé 🔑")
    # WHEN fetched as JSON THEN it round-trips exactly, served as application/json (never HTML)
    reply = view(env.api, link["token"])
    assert reply.json["document"] == document and reply.json["link"]["label"] == "ünïcödé 🔑"
    assert reply.headers["content-type"].startswith("application/json")


# --- headers and revalidation --------------------------------------------------------------

def test_etag_and_if_none_match_give_304_until_the_document_changes(env: Env, shared: TenantKeys) -> None:
    # GIVEN a fetched link with its ETag
    link = make_link(env.api, shared.operator, shared.resource_id)
    first = view(env.api, link["token"])
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    # WHEN the viewer revalidates with If-None-Match THEN 304, no body, the viewer headers and the ETag
    again = view(env.api, link["token"], headers={"if-none-match": etag})
    assert again.status == 304 and not again.body and again.headers["etag"] == etag
    assert_viewer_headers(again)
    # AND a list of tags containing it also matches; another tag does not
    assert view(env.api, link["token"], headers={"if-none-match": f'"nope", {etag}'}).status == 304
    assert view(env.api, link["token"], headers={"if-none-match": '"nope"'}).status == 200
    # WHEN the document changes THEN the old tag gets a 200 with the new document and a new tag
    put_resource(env.api, shared.operator, shared.resource_id,
                 {"type": "monitor", "name": "Checkout", "document": {"status": "down"}, "redact": [], "scopes": {}})
    changed = view(env.api, link["token"], headers={"if-none-match": etag})
    assert changed.status == 200 and changed.json["document"] == {"status": "down"}
    assert changed.headers["etag"] != etag
    # AND once revoked, revalidation gets the dead-link 404
    env.api.delete(f"/v1/links/{link['id']}", key=shared.operator)
    gone = view(env.api, link["token"], headers={"if-none-match": changed.headers["etag"]})
    assert gone.status == 404 and gone.json == NOT_FOUND


def test_the_etag_changes_when_the_link_label_changes(env: Env, shared: TenantKeys) -> None:
    link = make_link(env.api, shared.operator, shared.resource_id, label="before")
    etag = view(env.api, link["token"]).headers["etag"]
    env.api.patch(f"/v1/links/{link['id']}", key=shared.operator, body={"label": "after"})
    reply = view(env.api, link["token"], headers={"if-none-match": etag})
    assert reply.status == 200 and reply.json["link"]["label"] == "after"


def _rate_limited(env: Env, t: TenantKeys) -> Reply:
    link = make_link(env.api, t.operator, t.resource_id, rate_limit_per_min=1)
    ip = fresh_ip()
    assert view(env.api, link["token"], ip=ip).status == 200
    return view(env.api, link["token"], ip=ip)


def _password(env: Env, t: TenantKeys) -> Reply:
    return view(env.api, make_link(env.api, t.operator, t.resource_id, password="open sesame")["token"])


def _confirm(env: Env, t: TenantKeys) -> Reply:
    return view(env.api, make_link(env.api, t.operator, t.resource_id, max_views=3)["token"])


def _not_modified(env: Env, t: TenantKeys) -> Reply:
    token = make_link(env.api, t.operator, t.resource_id)["token"]
    return view(env.api, token, headers={"if-none-match": view(env.api, token).headers["etag"]})


@pytest.mark.parametrize("make,status,code", [
    (lambda env, t: view(env.api, make_link(env.api, t.operator, t.resource_id)["token"]), 200, None),
    (lambda env, t: view(env.api, make_link(env.api, t.operator, t.resource_id)["token"], "/info"), 200, None),
    (lambda env, t: view(env.api, make_link(env.api, t.operator, t.resource_id, max_views=2)["token"],
                         method="POST"), 200, None),
    (_not_modified, 304, None),
    (lambda env, t: view(env.api, random_token()), 404, "not_found"),
    (lambda env, t: view(env.api, "short", "/info"), 404, "not_found"),
    (_rate_limited, 429, "rate_limited"),
    (_password, 401, "password_required"),
    (_confirm, 409, "confirm_required"),
], ids=["200 data", "200 info", "200 POST data", "304", "404", "404 info", "429", "401 password", "409 confirm"])
def test_every_viewer_response_carries_the_viewer_headers(env: Env, tenant: TenantKeys, make: Callable[..., Reply],
                                                          status: int, code: Optional[str]) -> None:
    # GIVEN / WHEN a viewer request of each outcome THEN the viewer headers are there
    reply = make(env, tenant)
    assert reply.status == status, reply
    assert_viewer_headers(reply)
    if code:
        assert reply.json["error"]["code"] == code
    if status == 429:
        assert int(reply.headers["retry-after"]) >= 1 and reply.json["error"]["retry_after"] >= 1


def test_robots_txt_disallows_share_urls(env: Env) -> None:
    reply = env.api.get("/robots.txt")
    assert reply.status == 200 and "Disallow: /share/" in reply.body.decode()


def test_a_view_limited_link_is_only_used_up_by_post(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a link with two views
    token = make_link(env.api, tenant.operator, tenant.resource_id, max_views=2)["token"]
    # WHEN it is unfurled (GET data, GET info) many times THEN no view is used
    for _ in range(3):
        assert view(env.api, token).status == 409
        assert view(env.api, token, "/info").status == 200
    # AND two POSTs show the content, the third finds a dead link
    assert [view(env.api, token, method="POST").status for _ in range(3)] == [200, 200, 404]


# --- one response for every dead link ------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


MALFORMED = {
    "short": "abc",
    "one char short": "A" * 63,
    "one char long": "A" * 65,
    "very long": "A" * 2000,
    "bad characters": "!" * 64,
    "plus and tilde": "+" * 32 + "~" * 32,
    "padding": "A" * 62 + "==",
    "base64 of 47 bytes": _b64(secrets.token_bytes(47)),
    "base64 of 49 bytes": _b64(secrets.token_bytes(49)),
    "dots": "..",
    "unicode": "ü" * 64,
    "percent-encoded": "%41" * 64,
    "sql": "' OR 1=1 --",
}


def _dead_tokens(env: Env, t: TenantKeys) -> Dict[str, str]:
    """One token per way a link can be dead (plus the malformed ones)."""
    api, op = env.api, t.operator
    tokens = {f"malformed: {name}": value for name, value in MALFORMED.items()}
    tokens["unknown"] = random_token()
    tokens["unknown, naming a real tenant and resource"] = _b64(
        secrets.token_bytes(32) + base64.urlsafe_b64decode(make_link(api, op, t.resource_id)["token"])[32:])
    revoked = make_link(api, op, t.resource_id)
    api.delete(f"/v1/links/{revoked['id']}", key=op)
    tokens["revoked"] = revoked["token"]
    exhausted = make_link(api, op, t.resource_id, max_views=1)
    assert view(api, exhausted["token"], method="POST").status == 200
    tokens["exhausted"] = exhausted["token"]
    put_resource(api, op, "doomed")
    tokens["resource deleted"] = make_link(api, op, "doomed")["token"]
    api.delete("/v1/resources/doomed", key=op)
    expiring = make_link(api, op, t.resource_id, expires_in="1m")
    tokens["expired"] = expiring["token"]
    env.clock.advance(61)
    return tokens


def _shape(reply: Reply) -> Tuple[int, bytes, Dict[str, str]]:
    headers = {k: v for k, v in reply.headers.items() if k != "x-request-id"}
    return reply.status, reply.body, headers


@pytest.mark.parametrize("suffix,method", [("/data", "GET"), ("/data", "POST"), ("/info", "GET"), ("", "GET"),
                                           ("", "POST"), ("/unlock", "POST")])
def test_every_dead_link_gets_the_same_404_byte_for_byte(env: Env, tenant: TenantKeys, suffix: str,
                                                         method: str) -> None:
    # GIVEN links dead in every way there is, and a well-formed token nobody ever had
    tokens = _dead_tokens(env, tenant)
    reference = view(env.api, random_token(), suffix, method)
    # THEN the reference is SPEC's 404 (JSON, or that sentence in HTML for the page) with the viewer headers
    assert reference.status == 404
    if suffix in ("/data", "/info"):
        assert reference.json == NOT_FOUND
    else:
        assert NOT_FOUND["error"]["message"].encode() in reference.body
    assert_viewer_headers(reference)
    # WHEN each dead token is requested THEN status, body bytes and headers are identical to it,
    # apart from the per-request id
    differing: List[str] = []
    for kind, token in tokens.items():
        reply = view(env.api, token, suffix, method)
        if _shape(reply) != _shape(reference):
            differing.append(f"{kind}: {reply.status} {reply.body[:120]!r}")
    assert not differing, differing


def test_a_dead_link_stays_dead_after_its_resource_is_recreated(env: Env, tenant: TenantKeys) -> None:
    token = make_link(env.api, tenant.operator, tenant.resource_id)["token"]
    env.api.delete(f"/v1/resources/{tenant.resource_id}", key=tenant.operator)
    put_resource(env.api, tenant.operator, tenant.resource_id)
    assert view(env.api, token).json == NOT_FOUND


def test_the_enumeration_guard_answers_429_after_30_dead_tokens_per_ip(env: Env, tenant: TenantKeys) -> None:
    # GIVEN one IP guessing tokens
    ip = fresh_ip()
    from tests.support import align_to_window

    align_to_window(env.clock)
    # WHEN it sends 30 unknown tokens THEN each gets the 404; the 31st is throttled
    assert {view(env.api, random_token(), ip=ip).status for _ in range(30)} == {404}
    throttled = view(env.api, random_token(), ip=ip)
    assert throttled.status == 429 and int(throttled.headers["retry-after"]) >= 1
    assert_viewer_headers(throttled)
    # AND a live link from that IP is throttled too (guessing can't be mixed with real traffic), while
    # another IP is unaffected
    token = make_link(env.api, tenant.operator, tenant.resource_id)["token"]
    assert view(env.api, token, ip=ip).status == 429
    assert view(env.api, token).status == 200
    # AND the next minute the IP may try again
    env.clock.advance(60)
    assert view(env.api, random_token(), ip=ip).status == 404
