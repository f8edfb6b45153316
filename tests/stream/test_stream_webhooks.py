"""Signed webhook deliveries: first attempt from the consumer, retries from the durable queue."""
from __future__ import annotations

from chalicelib.webhooks.dispatch import BACKOFF_BASE_SECONDS
from tests.stream.kit import open_link, register, share


def test_accessed_webhook_is_signed_retried_with_backoff_and_deduplicated(app_client, tenant, stream, receiver, svc):
    api, key = app_client, tenant["admin"]
    # GIVEN an endpoint for share.accessed that answers 500 twice before it recovers
    link = share(api, key)
    endpoint = register(api, key, receiver, events=["share.accessed"])
    stream.consume()
    receiver.plan = [500, 503]
    # WHEN the link is opened and the consumer processes the stream
    assert open_link(api, link["token"], ip="192.0.2.44", agent="Safari/17").status == 200
    records = stream.consume()

    # THEN the consumer's own first attempt was signed and failed, and a retry is queued
    assert len(receiver.requests) == 1 and receiver.requests[0].verified is not None
    log = api.get(f"/v1/webhooks/{endpoint['id']}/deliveries", key=key).json["items"]
    assert [(d["event"], d["status"], d["attempts"], d["response_status"]) for d in log] == [
        ("share.accessed", "retrying", 1, 500)]
    assert log[0]["next_retry_at"] is not None
    # AND a drain before the retry is due sends nothing
    assert api_drain(svc)["due"] == 0
    assert len(receiver.requests) == 1

    # WHEN time passes beyond the backoff and the drain runs (twice: the second attempt fails too)
    svc.clock.advance(BACKOFF_BASE_SECONDS + 1)
    assert api_drain(svc) == {"due": 1, "delivered": 0, "retrying": 1, "failed": 0, "cancelled": 0}
    svc.clock.advance(2 * BACKOFF_BASE_SECONDS + 1)
    assert api_drain(svc)["delivered"] == 1

    # THEN the receiver saw three signed requests with one webhook-id, and processed the event once
    assert len(receiver.requests) == 3
    assert all(r.verified is not None and r.error is None for r in receiver.requests)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    (payload,) = receiver.payloads("share.accessed")
    assert payload["data"]["link_id"] == link["id"]
    assert payload["data"]["ip"] == "192.0.2.44" and payload["data"]["user_agent"] == "Safari/17"
    assert payload["data"]["outcome"] == "viewed" and payload["data"]["status"] == 200
    assert all(link["token"] not in r.body for r in receiver.requests)
    # AND the delivery log shows every attempt
    (delivered,) = api.get(f"/v1/webhooks/{endpoint['id']}/deliveries", key=key).json["items"]
    assert delivered["status"] == "delivered" and delivered["attempts"] == 3
    assert [h.get("response_status") for h in delivered["history"]] == [500, 503, 204]
    assert delivered["next_retry_at"] is None

    # WHEN the same stream records are delivered to the consumer again (at-least-once)
    assert stream.handle(records) == {"batchItemFailures": []}
    # THEN nothing is sent or queued again
    assert len(receiver.requests) == 3
    assert len(api.get(f"/v1/webhooks/{endpoint['id']}/deliveries", key=key).json["items"]) == 1


def api_drain(svc):
    import app as app_module

    return app_module.webhook_drain({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
                                     "time": "2026-01-01T00:00:00Z", "resources": [], "region": "us-east-1",
                                     "account": "123456789012", "id": "x", "version": "0"}, None)


def test_a_deployed_stage_never_delivers_to_a_name_that_resolves_inside_the_network(
        app_client, tenant, stream, receiver, svc):
    api, key = app_client, tenant["admin"]
    # GIVEN an endpoint whose host name resolves to this machine (registered on the test stage,
    # which accepts local receivers; on a deployed stage only the DNS answer gives it away)
    receiver.url = receiver.url.replace("http://127.0.0.1", "https://localhost")
    endpoint = register(api, key, receiver, events=["share.accessed"])
    link = share(api, key)
    stream.consume()
    # WHEN the same data is served by a deployed stage and the link is opened
    svc.settings = svc.settings.with_overrides(stage="prod")
    assert open_link(api, link["token"]).status == 200
    stream.consume()
    # THEN nothing reached the receiver, and the delivery log says why
    assert receiver.requests == []
    (delivery,) = api.get(f"/v1/webhooks/{endpoint['id']}/deliveries", key=key).json["items"]
    assert delivery["status"] == "retrying" and delivery["response_status"] is None
    assert delivery["error"] == "refused: the host resolves to a non-public address"
