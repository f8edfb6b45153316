"""One proxied request: the origin URL it goes to, the headers and signature the origin gets, the
call through the vetted outbound transport, and the answer the viewer gets (headers filtered,
redirects confined, banner injected, size bounded).

Pure of Keyhole's storage: the caller (`chalicelib/viewer/proxy.py`) has checked the link, the
allow-lists and the limits, and passes the origin secrets in clear.
"""

from __future__ import annotations

import secrets as random_source
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from chalicelib.origin import banner as banner_module
from chalicelib.origin import headers as header_rules
from chalicelib.origin import paths, redirects, signing
from chalicelib.origin.exceptions import OriginError, OriginTimedOut, OriginTooLarge, OriginUnreachable
from chalicelib.outbound import OutboundError, Refused, TimedOut

if TYPE_CHECKING:
    from chalicelib.outbound.transport import Answer

# A Lambda response is at most 6 MB of JSON, and binary bodies travel base64-encoded (4/3): 4 MiB
# of body leaves room for the encoding and the headers.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
# API Gateway's REST integrations end at 29 s; the api handler's Lambda timeout is 25 s. The
# origin gets 20 s in all (connect, answer and body), which leaves Keyhole time to answer 504.
DEFAULT_TIMEOUT_SECONDS = 20.0


class Sender(Protocol):
    def __call__(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: float,
        public_only: bool,
        max_body: int,
        deadline: float | None,
        reuse: bool,
    ) -> Answer: ...


@dataclass(frozen=True)
class ProxyRequest:
    """What the viewer asked for, after the link and allow-list checks.

    `path`: the normalised (decoded) path below the origin URL; `query`: the raw query string;
    `share_prefix`: the path the viewer reaches the origin's base under (`/share/<token>/o`);
    `scrub`: values that must never reach the origin (the share token)."""

    method: str
    path: str
    query: str
    body: bytes
    headers: Mapping[str, str]
    viewer_ip: str
    link_id: str
    link_label: str | None
    share_prefix: str
    scrub: Sequence[str] = ()


@dataclass
class Proxied:
    """The answer for the viewer. `origin_status` is None when the origin gave none (502/504)."""

    status: int
    headers: dict[str, str]
    body: bytes
    origin_status: int | None
    latency_ms: int = 0
    error: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def origin_target(origin_url: str, path: str, query: str) -> tuple[str, str, str]:
    """(full URL, path as the origin receives it, query) for a normalised `path`."""
    parts = urlsplit(origin_url)
    base = parts.path.rstrip("/")
    sent_path = base + paths.encode(path)
    url = f"{parts.scheme}://{parts.netloc}{sent_path}" + (f"?{query}" if query else "")
    return url, sent_path, query


def origin_headers(request: ProxyRequest, origin_secrets: Sequence[str], *, sent_path: str, now: int) -> dict[str, str]:
    headers = header_rules.forwarded_request_headers(request.headers, secret_values=request.scrub)
    headers.update(
        {
            "x-forwarded-for": request.viewer_ip,
            "x-shared-access": "true",
            "x-share-name": header_rules.share_name_value(request.link_label),
        }
    )
    headers.update(
        signing.signature_headers(
            origin_secrets,
            message_id="req_" + random_source.token_hex(12),
            timestamp=now,
            method=request.method,
            path=sent_path,
            query=request.query,
            link_id=request.link_id,
            body=request.body,
        )
    )
    return headers


def forward(
    origin_url: str,
    request: ProxyRequest,
    *,
    origin_secrets: Sequence[str],
    tenant_name: str,
    banner: bool,
    public_only: bool,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_body: int = MAX_RESPONSE_BYTES,
    send: Sender | None = None,
) -> Proxied:
    """Call the origin once and shape its answer for the viewer; raises an `OriginError`."""
    from chalicelib.outbound import transport

    sender = send or transport.send
    started = time.monotonic()
    deadline = started + timeout
    url, sent_path, _ = origin_target(origin_url, request.path, request.query)
    headers = origin_headers(request, origin_secrets, sent_path=sent_path, now=int(time.time()))
    try:
        answer = sender(
            request.method,
            url,
            body=request.body or None,
            headers=headers,
            timeout=timeout,
            public_only=public_only,
            max_body=max_body + 1,
            deadline=deadline,
            reuse=True,
        )
    except TimedOut as slow:
        raise OriginTimedOut("the origin did not answer in time") from slow
    except Refused as refused:
        raise OriginUnreachable(f"the origin cannot be called ({refused.reason})") from refused
    except OutboundError as failed:
        raise OriginUnreachable(f"the origin is unreachable ({failed.reason})") from failed
    status = int(answer.status)
    origin_response_headers: dict[str, str] = dict(answer.headers)
    body: bytes = answer.body
    if len(body) > max_body:
        raise OriginTooLarge(f"the origin's answer is larger than {max_body // (1024 * 1024)} MiB")
    shaped = header_rules.proxied_response_headers(origin_response_headers)
    location = origin_response_headers.get("location")
    if 300 <= status < 400 and location:
        shaped["Location"] = redirects.confine(
            location, requested_url=url, origin_url=origin_url, share_prefix=request.share_prefix
        )
    content_type = origin_response_headers.get("content-type")
    if request.method == "HEAD":
        body = b""
    elif banner and banner_module.is_html(content_type) and status not in (204, 304):
        body = banner_module.inject(body, tenant_name)
    if content_type is None and body:
        shaped["Content-Type"] = "application/octet-stream"
    return Proxied(
        status=status,
        headers=shaped,
        body=body,
        origin_status=status,
        latency_ms=max(0, int((time.monotonic() - started) * 1000)),
    )


__all__ = ["OriginError", "Proxied", "ProxyRequest", "forward", "origin_target"]
