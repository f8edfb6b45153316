"""One delivery attempt: sign per the Standard Webhooks spec and POST, with a hard timeout.

Headers: `webhook-id` (stable per endpoint and event, so receivers can deduplicate retries and
replays), `webhook-timestamp` (the send time, integer seconds) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), computed by the `standardwebhooks`
package. The POST goes through urllib3 (botocore's own HTTP library): one attempt, no redirects
followed (a 3xx is a failed attempt), no proxy from the environment, so a delivery goes to the
registered URL and nowhere else.

On deployed stages (`public_only`) the host is resolved once, every answer must be a public
address, and the connection goes to that vetted address (TLS still verifies the certificate for
the registered name). Registration can only refuse names it can read as internal; this stops a
public name that resolves, or later re-resolves (DNS rebinding), to an address inside the network.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import urllib3

from .exceptions import DeliveryFailed

USER_AGENT = "Keyhole-Webhooks/1.0"
MAX_RESPONSE_BYTES = 4096


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


Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to for a TCP connection (the system resolver)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def is_public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def vetted_address(
    host: str, port: int, *, resolve: Resolver = resolve_host, allowed: Callable[[str], bool] = is_public
) -> str:
    """The address to connect to, after checking every answer for `host`; raises DeliveryFailed."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise DeliveryFailed("host not found") from None
    if not addresses:
        raise DeliveryFailed("host not found")
    if not all(allowed(address) for address in addresses):
        raise DeliveryFailed("refused: the host resolves to a non-public address")
    return addresses[0]


def post(
    url: str,
    body: str,
    headers: dict[str, str],
    *,
    timeout: float,
    address: str | None = None,
    context: ssl.SSLContext | None = None,
) -> int:
    """POST once and return the HTTP status (2xx or not); DeliveryFailed when there is no answer.

    `address`: connect there instead of resolving the host again; SNI, the certificate check and
    `Host` still use the URL's name. No redirects are followed, no proxy is used, nothing is retried.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address or host,
            port or 443,
            server_hostname=host,
            assert_hostname=host,
            ssl_context=context or ssl.create_default_context(),
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address or host, port or 80, retries=False, maxsize=1)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen(
            "POST",
            target,
            body=body.encode("utf-8"),
            headers={**headers, "host": parts.netloc.rsplit("@", 1)[-1]},
            redirect=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            preload_content=False,
        )
        response.read(MAX_RESPONSE_BYTES)
        response.release_conn()
        return int(response.status)
    except urllib3.exceptions.NewConnectionError:  # (a subclass of ConnectTimeoutError in urllib3)
        raise DeliveryFailed("connection failed (refused or unreachable)") from None
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        raise DeliveryFailed("timeout") from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise DeliveryFailed(f"connection failed ({type(reason).__name__})") from None
    finally:
        pool.close()


def post_public(
    url: str,
    body: str,
    headers: dict[str, str],
    *,
    timeout: float,
    resolve: Resolver = resolve_host,
    allowed: Callable[[str], bool] = is_public,
    context: ssl.SSLContext | None = None,
) -> int:
    """POST over HTTPS to a vetted address of the URL's host (deployed stages)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise DeliveryFailed("refused: not an https URL")
    address = vetted_address(parts.hostname, parts.port or 443, resolve=resolve, allowed=allowed)
    return post(url, body, headers, timeout=timeout, address=address, context=context)


def attempt(url: str, secret: str, delivery_id: str, body: str, *, timeout: float, public_only: bool = True) -> Attempt:
    """One signed attempt. `public_only` (every deployed stage) connects only to vetted public
    addresses; the local and test stages deliver to receivers on this machine."""
    started = time.monotonic()
    try:
        headers = signed_headers(secret, delivery_id, body)
        status = (
            post_public(url, body, headers, timeout=timeout)
            if public_only
            else post(url, body, headers, timeout=timeout)
        )
    except DeliveryFailed as failed:
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=failed.reason)
    except Exception as error:  # never let one receiver break a batch
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=f"error ({type(error).__name__})")
    ok = 200 <= status < 300
    return Attempt(ok=ok, status=status, latency_ms=_since(started), error=None if ok else f"HTTP {status}")


def _since(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))
