"""Whether a URL a tenant gives may be called by Keyhole (a webhook endpoint, an origin): the
checks both share. Each caller adds its own (an origin is a base that paths are appended to).

Deployed stages: `https` to a host that is not internal in any spelling (the addresses it
resolves to are checked again on every call, `transport.send`). The local and test stages: `http`
or `https` to this machine only (`127.0.0.0/8`, `[::1]`, `localhost`, `*.localhost`), never a
link-local, private, metadata or any other address. On every stage a host is judged in the form a
resolver reads (IDNA): a non-ASCII digit, or an IDNA form that is an IP address, is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chalicelib.outbound.addresses import ascii_host, is_internal_host, is_loopback_host

MAX_URL_LENGTH = 2048


def target_url_problem(url: Any, *, local: bool) -> str | None:
    """Why `url` cannot be called, or None. `local`: the local and test stages, where http:// is
    allowed and only this machine may be named (the developer's own servers, the tests')."""
    if not isinstance(url, str) or not url.strip():
        return "is required"
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    if any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return "is not a valid URL"
    schemes = ("https", "http") if local else ("https",)
    if parts.scheme not in schemes:
        return "must be an https:// URL" if not local else "must be an http:// or https:// URL"
    host = (parts.hostname or "").lower()
    if not host:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials (user:password@)"
    readable = ascii_host(host)
    if readable is None:
        return "must name a host in ASCII digits and letters or a plain international name (no look-alike address)"
    if local and not is_loopback_host(readable):
        return "must be this machine on the local and test stages (127.0.0.1, [::1], localhost or *.localhost)"
    if not local and is_internal_host(readable):
        return "must be a public address (not localhost, a private network or a link-local address)"
    return None
