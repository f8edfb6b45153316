"""Viewers whose writes DynamoDB refuses: a conflict with an admin transaction, or throttling.

The viewer path writes no transaction (`tests/functional/test_crowd.py` shows a crowd never meets
`TransactionConflict`), but a plain write to an item that an admin transaction holds at that
moment is refused with `TransactionConflictException`: a view use of a view-limited link while
the link is being edited. And a hot partition is throttled. moto does neither, so the service's
own botocore client is made to answer chosen requests as DynamoDB would over the wire (botocore
parses the answer and applies its retry rules as usual); every other call reaches moto.
"""
from __future__ import annotations

import io
import json
from typing import Any, Dict, Iterator, Optional

import pytest
from botocore.awsrequest import AWSResponse

from chalicelib.tenancy import tenants
from chalicelib.viewer import resolve as viewer_core
from tests.conftest import Api, Reply

VIEWER_HEADERS = {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex, nofollow",
    "x-content-type-options": "nosniff",
}
FORM = {"content-type": "application/x-www-form-urlencoded"}


class _Body(io.BytesIO):
    """A response body as botocore reads it from urllib3."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class Refusals:
    """Answers the next `pending` requests (None: all) of `operation` whose key starts with `prefix`
    with DynamoDB's error `code`, as DynamoDB sends it."""

    def __init__(self) -> None:
        self.operation = "UpdateItem"
        self.prefix = "CAP#"
        self.code = "TransactionConflictException"
        self.pending: Optional[int] = 0
        self.refused = 0

    def _matches(self, operation: str, body: Dict[str, Any]) -> bool:
        if operation != self.operation:
            return False
        if operation == "TransactWriteItems":
            return True
        return str((body.get("Key") or {}).get("pk", {}).get("S", "")).startswith(self.prefix)

    def __call__(self, request: Any, event_name: str, **_: Any) -> Optional[AWSResponse]:
        operation = event_name.rsplit(".", 1)[-1]
        if not self._matches(operation, json.loads(request.body or b"{}")):
            return None
        if self.pending is not None:
            if self.pending <= 0:
                return None
            self.pending -= 1
        self.refused += 1
        # botocore offers the request to every before-send handler and keeps the first answer, so
        # moto (registered after this one) would still run it: send it to a host moto does not
        # serve, so that, as on DynamoDB, a refused request writes nothing.
        url, request.url = request.url, "https://refused.invalid/"
        message = {"TransactionConflictException": "Transaction is ongoing for the item",
                   "ThrottlingException": "Throughput exceeds the current capacity for one or more partitions"}
        if operation == "TransactWriteItems":
            body = {"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    "message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
                    "CancellationReasons": [{"Code": "ThrottlingError", "Message": "Throughput exceeds capacity"}]}
        else:
            body = {"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}", "message": message[self.code]}
        return AWSResponse(url, 400, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "refused"},
                           _Body(json.dumps(body).encode("utf-8")))


@pytest.fixture
def refusals(svc: Any) -> Iterator[Refusals]:
    events = svc.store.client.meta.events
    handler = Refusals()
    events.register_first("before-send.dynamodb", handler)
    try:
        yield handler
    finally:
        events.unregister("before-send.dynamodb", handler)


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


def press(api: Api, token: str, ip: str) -> Reply:
    return api.call("POST", f"/share/{token}", raw=b"", headers={"x-forwarded-for": ip, **FORM})


def test_a_view_use_that_meets_an_admin_transaction_is_sent_again(app_client: Api, shared: Dict[str, Any],
                                                                  refusals: Refusals) -> None:
    # GIVEN a link with 2 views, and the first press's view use refused because an admin
    # transaction holds the link's capability at that moment
    limited = link(app_client, shared, max_views=2)
    refusals.pending = 1
    # WHEN the button is pressed
    first = press(app_client, limited["token"], "192.0.2.11")
    # THEN the write is sent again and the content is shown as view 1 of 2, and exactly one view remains
    assert refusals.refused == 1
    assert first.status == 200 and b"View 1 of 2" in first.body
    assert press(app_client, limited["token"], "192.0.2.11").status == 200
    assert press(app_client, limited["token"], "192.0.2.11").status == 404
    assert outcomes(app_client, shared, limited["id"]) == ["viewed", "viewed"]  # a dead link records nothing


@pytest.mark.parametrize("path, html", [("/data", False), ("", True)], ids=["data", "page"])
def test_persistent_conflicts_on_a_view_use_answer_503_with_the_viewer_headers(
        app_client: Api, shared: Dict[str, Any], refusals: Refusals, path: str, html: bool) -> None:
    # GIVEN a view-limited link whose capability stays held by transactions
    limited = link(app_client, shared, max_views=3)
    refusals.pending = None
    # WHEN a viewer uses a view
    if html:
        reply = press(app_client, limited["token"], "192.0.2.12")
    else:
        reply = app_client.post(f"/share/{limited['token']}/data", headers={"x-forwarded-for": "192.0.2.12"})
    # THEN a few attempts, then 503 `unavailable` (never 409 or 500), with the viewer headers
    assert reply.status == 503, reply
    assert refusals.refused == viewer_core.CONFLICT_ATTEMPTS
    assert_viewer_headers(reply)
    if html:
        assert reply.headers["content-type"].startswith("text/html") and b"Temporarily unavailable" in reply.body
    else:
        assert reply.json["error"]["code"] == "unavailable"
    # AND no view was used and nothing recorded; once the conflicts stop, the link works as before
    refusals.pending = 0
    assert outcomes(app_client, shared, limited["id"]) == []
    assert app_client.post(f"/share/{limited['token']}/data",
                           headers={"x-forwarded-for": "192.0.2.12"}).json["document"] == {"a": 1}


@pytest.mark.parametrize("dead", [False, True], ids=["live", "dead"])
def test_a_throttled_address_window_is_503_for_viewers(app_client: Api, shared: Dict[str, Any],
                                                       refusals: Refusals, dead: bool) -> None:
    # GIVEN a link (or a revoked one), and the partition of the address's window throttled
    made = link(app_client, shared)
    if dead:
        assert app_client.delete(f"/v1/links/{made['id']}", key=shared["admin"]).status == 204
    refusals.prefix, refusals.code, refusals.pending = "IP#", "ThrottlingException", None
    # WHEN a viewer asks for it
    reply = app_client.get(f"/share/{made['token']}/data", headers={"x-forwarded-for": "192.0.2.13"})
    # THEN 503 `unavailable` with the viewer headers: come back later, not "not found"
    assert reply.status == 503 and reply.json["error"]["code"] == "unavailable", reply
    assert_viewer_headers(reply)


def test_a_transaction_cancelled_by_throttling_is_503_not_409(app_client: Api, shared: Dict[str, Any],
                                                               refusals: Refusals) -> None:
    # GIVEN DynamoDB cancelling every transaction because a partition is throttled
    refusals.operation, refusals.pending = "TransactWriteItems", None
    # WHEN an admin creates a link
    created = app_client.post("/v1/resources/r/links", key=shared["admin"], body={})
    # THEN it is told to come back later (503 unavailable), not that it raced something (409)
    assert created.status == 503 and created.json["error"]["code"] == "unavailable", created
