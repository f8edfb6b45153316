"""One proxied call against a real local origin (a threaded HTTP server on 127.0.0.1 that verifies
every signature): timeouts, unreachable origins, refused addresses, size limits, redirects."""

from __future__ import annotations

import hashlib
import time
from typing import Any, Iterator

import pytest

from chalicelib.origin import origin_secret
from chalicelib.origin.exceptions import OriginRedirectRefused, OriginTimedOut, OriginTooLarge, OriginUnreachable
from chalicelib.origin.forward import ProxyRequest, forward
from devstack.moto_server import free_port
from tests.origin.kit import start_origin

SECRET = "whsec_" + "Q" * 32


@pytest.fixture(scope="module")
def origin() -> Iterator[Any]:
    server = start_origin((SECRET,))
    yield server
    server.shutdown()


def call(origin_url: str, path: str, **kw: Any) -> Any:
    request = ProxyRequest(method=kw.pop("method", "GET"), path=path, query=kw.pop("query", ""), body=kw.pop("body", b""),
                           headers=kw.pop("headers", {}), viewer_ip="203.0.113.7", link_id="lnk_1",
                           link_label="For Globex", share_prefix="/share/T/o", scrub=("T" * 64,))
    return forward(origin_url, request, origin_secrets=kw.pop("secrets", [SECRET]), tenant_name="Acme",
                   banner=kw.pop("banner", False), public_only=kw.pop("public_only", False), **kw)


def test_a_signed_request_is_answered(origin: Any) -> None:
    answer = call(origin.url, "/api/status", query="a=1&b=2")
    assert answer.status == 200 and answer.origin_status == 200
    seen = origin.received[-1]
    assert seen["verified"] and seen["target"] == "/api/status?a=1&b=2"
    assert seen["headers"]["x-forwarded-for"] == "203.0.113.7"


def test_the_origin_refuses_a_request_signed_with_another_secret(origin: Any) -> None:
    answer = call(origin.url, "/api/status", secrets=["whsec_" + "Z" * 32])
    assert answer.status == 401 and not origin.received[-1]["verified"]


def test_a_slow_origin_is_cut_at_the_deadline(origin: Any) -> None:
    started = time.monotonic()
    with pytest.raises(OriginTimedOut):
        call(origin.url, "/slow", query="s=3", timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_an_unreachable_origin_is_a_502() -> None:
    with pytest.raises(OriginUnreachable):
        call(f"http://127.0.0.1:{free_port()}", "/")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "https://127.0.0.1:9", "https://localhost:9",
                                 "https://[::1]:9", "https://[64:ff9b::7f00:1]:9", "https://[2002:7f00:1::]:9"])
def test_deployed_stages_never_call_internal_addresses(url: str) -> None:
    with pytest.raises(OriginUnreachable) as refused:
        call(url, "/", public_only=True)
    assert "cannot be called" in refused.value.reason or "unreachable" in refused.value.reason


def test_an_answer_over_the_limit_is_a_502(origin: Any) -> None:
    assert len(call(origin.url, "/big", query="n=1000", max_body=1000).body) == 1000
    with pytest.raises(OriginTooLarge):
        call(origin.url, "/big", query="n=1001", max_body=1000)


def test_redirects_are_confined(origin: Any) -> None:
    inside = call(origin.url, "/redirect", query="to=/api/status")
    assert inside.status == 302 and inside.headers["Location"] == "/share/T/o/api/status"
    with pytest.raises(OriginRedirectRefused):
        call(origin.url, "/redirect", query="to=https://evil.example/")


def test_banner_and_head(origin: Any) -> None:
    page = call(origin.url, "/html", banner=True)
    assert b"Shared through a private link by Acme" in page.body
    assert call(origin.url, "/html", method="HEAD", banner=True).body == b""


def test_rotation_keeps_the_old_secret_signing_for_the_grace_period() -> None:
    first = origin_secret.SealedSecret(b"one", "2026-01-01T00:00:00Z")
    second = origin_secret.SealedSecret(b"two", "2026-01-02T00:00:00Z")
    now = 1_800_000_000.0
    after = origin_secret.rotated([first], second, now_epoch=now)
    assert [s.sealed for s in origin_secret.signing_set(after, now_epoch=now)] == [b"two", b"one"]
    later = now + origin_secret.ROTATION_GRACE_SECONDS + 1
    assert [s.sealed for s in origin_secret.signing_set(after, now_epoch=later)] == [b"two"]
    third = origin_secret.SealedSecret(b"three", "2026-01-03T00:00:00Z")
    again = origin_secret.rotated(after, third, now_epoch=now + 60)
    assert [s.sealed for s in again] == [b"three", b"two"]


def _canonical_as_an_origin_builds_it(method: str, raw_target: str, link_id: str, body: bytes) -> str:
    """docs/origins.md's recipe, written here from the document (not with Keyhole's own function)."""
    path, _, query = raw_target.partition("?")
    return "\n".join(["keyhole-origin-v1", method, path, query, link_id, hashlib.sha256(body).hexdigest()])


def test_the_signature_covers_the_body_for_an_independent_verifier(origin: Any) -> None:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    # GIVEN a POST with a body, proxied to a real origin
    body = b'{"amount": 100, "to": "acct_1"}'
    call(origin.url, "/echo/sig", method="POST", query="a=1", body=body, headers={"Content-Type": "application/json"})
    seen = origin.received[-1]
    assert seen["body"] == body
    signed = {name: seen["headers"][name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    link_id = seen["headers"]["x-keyhole-link-id"]
    # WHEN the origin verifies it with the Standard Webhooks library, rebuilding what was signed
    # THEN the request as received verifies
    Webhook(SECRET).verify(_canonical_as_an_origin_builds_it("POST", seen["target"], link_id, body), signed,
                           json_parse=False)
    # AND the same headers do not verify another body, an empty body, another method, path or query
    for method, target, other in [
        ("POST", seen["target"], b'{"amount": 999, "to": "acct_2"}'),
        ("POST", seen["target"], b""),
        ("PUT", seen["target"], body),
        ("POST", "/echo/other?a=1", body),
        ("POST", "/echo/sig?a=2", body),
    ]:
        with pytest.raises(WebhookVerificationError):
            Webhook(SECRET).verify(_canonical_as_an_origin_builds_it(method, target, link_id, other), signed,
                                   json_parse=False)
