"""One delivery attempt: sign per the Standard Webhooks spec and POST, with a hard timeout.

Headers: `webhook-id` (stable per endpoint and event, so receivers can deduplicate retries and
replays), `webhook-timestamp` (the send time, integer seconds) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), computed by the `standardwebhooks`
package. The POST goes through the vetted outbound transport (`chalicelib.outbound.transport`): one
attempt, no redirects followed (a 3xx is a failed attempt), no proxy from the environment.

On deployed stages (`public_only`) the host is resolved once, every answer must be a public
address (IPv4 carried in NAT64, 6to4 or mapped IPv6 judged by what it carries), and the connection
goes to that vetted address (TLS still verifies the certificate for the registered name).
Registration can only refuse names it can read as internal; this stops a public name that
resolves, or later re-resolves (DNS rebinding), to an address inside the network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.outbound import OutboundError, transport

USER_AGENT = "Keyhole-Webhooks/1.0"


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt: `ok`, the HTTP status (if any), latency and a short reason."""

    ok: bool
    status: int | None
    latency_ms: int
    error: str | None = None


def signed_headers(secret: str, delivery_id: str, body: str, *, sent_at: float | None = None) -> dict[str, str]:
    from standardwebhooks.webhooks import Webhook  # imported on first use: keeps cold starts short

    # The real wall clock, not Keyhole's injectable Clock: receivers check it against their own time.
    stamp = int(time.time() if sent_at is None else sent_at)
    signature = Webhook(secret).sign(delivery_id, datetime.fromtimestamp(stamp, tz=UTC), body)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature,
    }


def attempt(
    url: str,
    secret: str,
    delivery_id: str,
    body: str,
    *,
    timeout: float,
    public_only: bool = True,
    deadline: float | None = None,
) -> Attempt:
    """One signed attempt. `public_only` (every deployed stage) connects only to vetted public
    addresses; the local and test stages deliver to receivers on this machine. `deadline` (a
    `time.monotonic()` value): the answer's body must be read by then."""
    started = time.monotonic()
    try:
        headers = signed_headers(secret, delivery_id, body)
        answer = transport.send(
            "POST",
            url,
            body=body.encode("utf-8"),
            headers=headers,
            timeout=timeout,
            public_only=public_only,
            deadline=deadline,
        )
    except OutboundError as failed:
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=failed.reason)
    except Exception as error:  # never let one receiver break a batch
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=f"error ({type(error).__name__})")
    status = answer.status
    ok = 200 <= status < 300
    return Attempt(ok=ok, status=status, latency_ms=_since(started), error=None if ok else f"HTTP {status}")


def _since(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))
