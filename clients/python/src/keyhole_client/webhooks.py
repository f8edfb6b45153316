"""Receiving Keyhole's webhooks: `verify(payload, headers, secret)` checks the Standard Webhooks
signature and timestamp and gives the event.

    from keyhole_client.webhooks import verify, WebhookVerificationError

    @app.post("/keyhole")
    def keyhole_event():
        try:
            event = verify(request.get_data(), request.headers, WEBHOOK_SECRET)
        except WebhookVerificationError:
            abort(401)
        if event["type"] == "share.accessed": ...

Keyhole delivers at least once: the same event may arrive twice, with the same `webhook-id`
(`event["id"]` too); use it to ignore repeats, or pass a `ReplayCache`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ._signing import SignatureError
from ._signing import verify as _verify
from .replay import ReplayCache

DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(SignatureError):
    """Not a genuine, timely Keyhole delivery (or, with a replay cache, one seen before)."""


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    replay_cache: ReplayCache | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The event (`{"type", "id", "timestamp", "data"}`) of a genuine delivery. `payload` is the
    raw body as received; `secret` the endpoint's `whsec_...` (or several while you rotate)."""
    content = payload.encode("utf-8") if isinstance(payload, str) else payload
    try:
        message_id, timestamp = _verify(content, headers, secret, tolerance=tolerance, now=now)
    except SignatureError as error:
        raise WebhookVerificationError(str(error)) from None
    if replay_cache is not None and not replay_cache.first_time(message_id, timestamp, now=now):
        raise WebhookVerificationError("this webhook-id was seen before")
    try:
        event: dict[str, Any] = json.loads(content)
    except ValueError:
        raise WebhookVerificationError("the payload is not JSON") from None
    return event
