"""One delivery attempt: sign per the Standard Webhooks spec and POST, with a hard timeout.

Headers: `webhook-id` (stable per endpoint and event, so receivers can deduplicate retries and
replays), `webhook-timestamp` (the send time, integer seconds) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), computed by the `standardwebhooks`
package. Redirects are not followed (a 3xx is a failed attempt) and proxies from the environment
are ignored, so a delivery goes to the registered URL and nowhere else.
"""
from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, Optional

from .exceptions import DeliveryFailed

USER_AGENT = "Keyhole-Webhooks/1.0"
MAX_RESPONSE_BYTES = 4096


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass(frozen=True)
class Attempt:
    """The outcome of one attempt: `ok`, the HTTP status (if any), latency and a short reason."""

    ok: bool
    status: Optional[int]
    latency_ms: int
    error: Optional[str] = None


def signed_headers(secret: str, delivery_id: str, body: str, *, sent_at: Optional[float] = None) -> Dict[str, str]:
    from standardwebhooks.webhooks import Webhook  # imported on first use: keeps cold starts short

    # The real wall clock, not Keyhole's injectable Clock: receivers check it against their own time.
    stamp = int(time.time() if sent_at is None else sent_at)
    signature = Webhook(secret).sign(delivery_id, datetime.fromtimestamp(stamp, tz=timezone.utc), body)
    return {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": delivery_id,
            "webhook-timestamp": str(stamp), "webhook-signature": signature}


def post(url: str, body: str, headers: Dict[str, str], *, timeout: float) -> int:
    """POST and return the HTTP status (2xx or not). Raises DeliveryFailed when there is no answer."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(MAX_RESPONSE_BYTES)
            return int(response.status)
    except urllib.error.HTTPError as error:  # non-2xx answers (and unfollowed redirects)
        error.close()
        return int(error.code)
    except (socket.timeout, TimeoutError):
        raise DeliveryFailed("timeout") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise DeliveryFailed("timeout") from None
        raise DeliveryFailed(f"connection failed ({type(reason).__name__})") from None
    except (http.client.HTTPException, OSError) as error:
        raise DeliveryFailed(f"connection failed ({type(error).__name__})") from None


def attempt(url: str, secret: str, delivery_id: str, body: str, *, timeout: float) -> Attempt:
    started = time.monotonic()
    try:
        status = post(url, body, signed_headers(secret, delivery_id, body), timeout=timeout)
    except DeliveryFailed as failed:
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=failed.reason)
    except Exception as error:  # never let one receiver break a batch
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=f"error ({type(error).__name__})")
    ok = 200 <= status < 300
    return Attempt(ok=ok, status=status, latency_ms=_since(started), error=None if ok else f"HTTP {status}")


def _since(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))
