"""Viewers whose accounting transaction loses a race on real DynamoDB.

DynamoDB cancels a transaction with `TransactionConflict` when another one is writing the same
item (a busy per-IP or per-link window, a view-limited link). moto never does, so the service's own
botocore client is made to answer the next N `TransactWriteItems` with DynamoDB's cancellation,
as the real service sends it over the wire (botocore parses it, checks it for retries and raises
it as usual); every other call reaches moto.
"""
from __future__ import annotations

import io
import json
from typing import Any, Dict, Iterator, Optional

import pytest
from botocore.awsrequest import AWSResponse

from chalicelib import tenants
from tests.conftest import Api, Reply

EVENT = "before-send.dynamodb.TransactWriteItems"
VIEWER_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex, nofollow",
    "x-content-type-options": "nosniff",
}


class _Body(io.BytesIO):
    """A response body as botocore reads it from urllib3."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class Conflicts:
    """Cancels the next `pending` transactions (None: all of them) with TransactionConflict."""

    def __init__(self) -> None:
        self.pending: Optional[int] = 0
        self.sent = 0  # TransactWriteItems calls that left the client
        self.code = "TransactionConflict"  # the reason given for the first item

    def __call__(self, request: Any, **_: Any) -> Optional[AWSResponse]:
        self.sent += 1
        if self.pending is not None:
            if self.pending <= 0:
                return None  # on to moto
            self.pending -= 1
        # botocore offers the request to every before-send handler and keeps the first answer, so
        # moto (registered after this one) would still run the transaction: send it to a host moto
        # does not serve, so that, as on DynamoDB, a cancelled transaction writes nothing.
        url, request.url = request.url, "https://conflict.invalid/"
        items = json.loads(request.body)["TransactItems"]
        reasons = [{"Code": self.code, "Message": "Transaction is ongoing for the item"}] + [
            {"Code": "None"} for _ in items[1:]]
        listed = ", ".join(r["Code"] for r in reasons)
        body = {"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": f"Transaction cancelled, please refer cancellation reasons for specific reasons [{listed}]",
                "CancellationReasons": reasons}
        return AWSResponse(url, 400, {"Content-Type": "application/x-amz-json-1.0",
                                              "x-amzn-RequestId": "conflict-test"},
                           _Body(json.dumps(body).encode("utf-8")))


@pytest.fixture
def conflicts(svc: Any) -> Iterator[Conflicts]:
    events = svc.store.client.meta.events
    handler = Conflicts()
    events.register_first(EVENT, handler)
    try:
        yield handler
    finally:
        events.unregister(EVENT, handler)


@pytest.fixture
def shared(svc: Any, app_client: Api) -> Dict[str, Any]:
    _, admin = tenants.create_tenant(svc, name="Busy Co", plan="team")
    reply = app_client.put("/v1/resources/r", key=admin, body={"type": "t", "name": "n", "document": {"a": 1}})
    assert reply.status == 201, reply
    return {"admin": admin}


def link(api: Api, shared: Dict[str, Any], **body: Any) -> Dict[str, Any]:
    reply = api.post("/v1/resources/r/links", key=shared["admin"], body=body)
    assert reply.status == 201, reply
    return reply.json


def outcomes(api: Api, shared: Dict[str, Any], link_id: str) -> list:
    return [e["outcome"] for e in api.get(f"/v1/links/{link_id}/access-logs", key=shared["admin"]).json["items"]]


def assert_viewer_headers(reply: Reply) -> None:
    for name, value in VIEWER_HEADERS.items():
        assert reply.headers.get(name) == value, (name, reply)
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]


def test_one_conflict_is_retried_and_the_viewer_never_notices(app_client: Api, shared: Dict[str, Any],
                                                              conflicts: Conflicts) -> None:
    # GIVEN a link, and DynamoDB cancelling the next transaction because another one holds an item
    shared_link = link(app_client, shared)
    conflicts.pending, conflicts.sent = 1, 0
    # WHEN a viewer fetches it
    reply = app_client.get(f"/share/{shared_link['token']}/data", headers={"x-forwarded-for": "192.0.2.10"})
    # THEN the transaction is sent again, the viewer gets the document, and one access event is recorded
    assert reply.status == 200 and reply.json["document"] == {"a": 1}
    assert conflicts.sent == 2
    assert outcomes(app_client, shared, shared_link["id"]) == ["viewed"]


def test_a_retried_view_of_a_view_limited_link_uses_one_view(app_client: Api, shared: Dict[str, Any],
                                                             conflicts: Conflicts) -> None:
    # GIVEN a link with 2 views, and the first press's transaction cancelled by a conflict
    limited = link(app_client, shared, max_views=2)
    conflicts.pending = 1
    viewer = {"x-forwarded-for": "192.0.2.11", "content-type": "application/x-www-form-urlencoded"}
    # WHEN the button is pressed
    first = app_client.call("POST", f"/share/{limited['token']}", raw=b"", headers=viewer)
    # THEN the content is shown as view 1 of 2, and exactly one view remains
    assert first.status == 200 and b"View 1 of 2" in first.body
    assert app_client.call("POST", f"/share/{limited['token']}", raw=b"", headers=viewer).status == 200
    assert app_client.call("POST", f"/share/{limited['token']}", raw=b"", headers=viewer).status == 404


@pytest.mark.parametrize("path", ["/data", "/info", ""], ids=["data", "info", "page"])
def test_persistent_conflicts_answer_503_with_the_viewer_headers(app_client: Api, shared: Dict[str, Any],
                                                                 conflicts: Conflicts, path: str) -> None:
    # GIVEN a link whose every accounting transaction is cancelled by conflicts
    shared_link = link(app_client, shared)
    conflicts.pending, conflicts.sent = None, 0
    # WHEN a viewer asks for it
    reply = app_client.get(f"/share/{shared_link['token']}{path}", headers={"x-forwarded-for": "192.0.2.12"})
    # THEN a few attempts are made, then 503 `unavailable` (never 409 or 500), with the viewer headers
    assert reply.status == 503, reply
    assert 1 < conflicts.sent <= 3
    assert_viewer_headers(reply)
    if path:
        assert reply.json["error"]["code"] == "unavailable"
    else:
        assert reply.headers["content-type"].startswith("text/html") and b"Temporarily unavailable" in reply.body
    # AND nothing was recorded; once the conflicts stop, the link works as before
    conflicts.pending = 0
    assert outcomes(app_client, shared, shared_link["id"]) == []
    assert app_client.get(f"/share/{shared_link['token']}/data",
                          headers={"x-forwarded-for": "192.0.2.12"}).status == 200


def test_a_dead_link_under_persistent_conflicts_answers_503_not_409(app_client: Api, shared: Dict[str, Any],
                                                                   conflicts: Conflicts) -> None:
    # GIVEN a revoked link, and the enumeration guard's window under constant contention
    revoked = link(app_client, shared)
    assert app_client.delete(f"/v1/links/{revoked['id']}", key=shared["admin"]).status in (200, 204)
    conflicts.pending = None
    # WHEN a viewer asks for it THEN 503 with the viewer headers
    reply = app_client.get(f"/share/{revoked['token']}/data", headers={"x-forwarded-for": "192.0.2.13"})
    assert reply.status == 503 and reply.json["error"]["code"] == "unavailable"
    assert_viewer_headers(reply)
    # AND with one conflict only, the one 404
    conflicts.pending = 1
    assert app_client.get(f"/share/{revoked['token']}/data", headers={"x-forwarded-for": "192.0.2.13"}).status == 404


def test_a_transaction_cancelled_by_throttling_is_503_not_409(app_client: Api, shared: Dict[str, Any],
                                                               conflicts: Conflicts) -> None:
    # GIVEN a link, then DynamoDB cancelling every transaction because a partition is throttled
    existing = link(app_client, shared)
    conflicts.code, conflicts.pending = "ThrottlingError", None
    # WHEN an admin creates a link and a viewer opens the existing one
    created = app_client.post("/v1/resources/r/links", key=shared["admin"], body={})
    opened = app_client.get(f"/share/{existing['token']}/data")
    # THEN both are told to come back later (503 unavailable), not that they raced something (409)
    assert created.status == 503 and created.json["error"]["code"] == "unavailable", created
    assert opened.status == 503 and opened.json["error"]["code"] == "unavailable", opened
    assert all(opened.headers[name] == value for name, value in VIEWER_HEADERS.items())
