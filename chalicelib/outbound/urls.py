"""Whether a URL a tenant gives may be called by Keyhole (a webhook endpoint, an origin): the
checks both share. Each caller adds its own (an origin is a base that paths are appended to)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chalicelib.outbound.addresses import is_internal_host

MAX_URL_LENGTH = 2048


def target_url_problem(url: Any, *, local: bool) -> str | None:
    """Why `url` cannot be called, or None. `local`: the local and test stages, where http:// and
    internal addresses (the developer's own servers) are allowed."""
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
    if not local and is_internal_host(host):
        return "must be a public address (not localhost, a private network or a link-local address)"
    return None
