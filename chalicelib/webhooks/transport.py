"""One delivery attempt: sign per the Standard Webhooks spec and POST, with a hard timeout.

Headers: `webhook-id` (stable per endpoint and event, so receivers can deduplicate retries and
replays), `webhook-timestamp` (the send time, integer seconds) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), computed by the `standardwebhooks`
package. Redirects are not followed (a 3xx is a failed attempt) and proxies from the environment
are ignored, so a delivery goes to the registered URL and nowhere else.

On deployed stages (`public_only`) the host is resolved once, every answer must be a public
address, and the connection goes to that vetted address (TLS still verifies the certificate for
the registered name). Registration can only refuse names it can read as internal; this stops a
public name that resolves, or later re-resolves (DNS rebinding), to an address inside the network.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Dict, List, Optional
from urllib.parse import urlsplit

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


Resolver = Callable[[str, int], List[str]]


def resolve_host(host: str, port: int) -> List[str]:
    """Every address `host` resolves to for a TCP connection (the system resolver)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def is_public(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address chosen in advance; SNI, certificate check and Host use the name."""

    def __init__(self, host: str, port: Optional[int], *, address: str, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def vetted_address(host: str, port: int, *, resolve: Resolver = resolve_host,
                   allowed: Callable[[str], bool] = is_public) -> str:
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


def post_pinned(url: str, body: str, headers: Dict[str, str], *, timeout: float,
                resolve: Resolver = resolve_host, allowed: Callable[[str], bool] = is_public,
                context: Optional[ssl.SSLContext] = None) -> int:
    """POST over HTTPS to a vetted address of the URL's host; the HTTP status, or DeliveryFailed."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise DeliveryFailed("refused: not an https URL")
    port = parts.port or 443
    address = vetted_address(parts.hostname, port, resolve=resolve, allowed=allowed)
    connection = _PinnedHTTPSConnection(parts.hostname, port, address=address, timeout=timeout,
                                        context=context or ssl.create_default_context())
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body.encode("utf-8"), headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return int(response.status)
    except (socket.timeout, TimeoutError):
        raise DeliveryFailed("timeout") from None
    except (http.client.HTTPException, OSError) as error:
        raise DeliveryFailed(f"connection failed ({type(error).__name__})") from None
    finally:
        connection.close()


def post(url: str, body: str, headers: Dict[str, str], *, timeout: float) -> int:
    """POST and return the HTTP status (2xx or not). Raises DeliveryFailed when there is no answer.
    For the local and test stages, whose receivers are on this machine."""
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


def attempt(url: str, secret: str, delivery_id: str, body: str, *, timeout: float,
            public_only: bool = True) -> Attempt:
    """One signed attempt. `public_only` (every deployed stage) connects only to vetted public
    addresses; the local and test stages deliver to receivers on this machine."""
    started = time.monotonic()
    try:
        headers = signed_headers(secret, delivery_id, body)
        status = (post_pinned(url, body, headers, timeout=timeout) if public_only
                  else post(url, body, headers, timeout=timeout))
    except DeliveryFailed as failed:
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=failed.reason)
    except Exception as error:  # never let one receiver break a batch
        return Attempt(ok=False, status=None, latency_ms=_since(started), error=f"error ({type(error).__name__})")
    ok = 200 <= status < 300
    return Attempt(ok=ok, status=status, latency_ms=_since(started), error=None if ok else f"HTTP {status}")


def _since(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))
