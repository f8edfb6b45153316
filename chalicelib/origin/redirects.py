"""Origin redirects, confined to the share's own prefix.

An origin's `Location` is resolved against the URL Keyhole requested from it. When the result is on
the origin (same scheme, host and port) and below the origin URL's own path, it is rewritten to the
same place under the share's prefix (`/share/<token>/o/...`, on the content origin the viewer is
already on); anything else (another host, another scheme, a path above the origin's base, an
unreadable value) is refused: not followed, not passed on (the viewer gets a 502 that says so).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from chalicelib.origin.exceptions import OriginRedirectRefused

REFUSED = "the origin redirected outside the shared service"


def _origin_of(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def confine(location: str, *, requested_url: str, origin_url: str, share_prefix: str) -> str:
    """The `Location` the viewer gets for an origin's `location`, or `OriginRedirectRefused`.

    `origin_url`: the resource's origin URL (its path is the base); `share_prefix`: the path the
    viewer reaches that base under (`/share/<token>/o`)."""
    if not location or any(ord(ch) < 32 or ord(ch) == 127 for ch in location) or "\\" in location:
        raise OriginRedirectRefused(REFUSED)
    try:
        target = urljoin(requested_url, location.strip())
        if _origin_of(target) != _origin_of(origin_url):
            raise OriginRedirectRefused(REFUSED)
        parts = urlsplit(target)
    except ValueError:
        raise OriginRedirectRefused(REFUSED) from None
    base = urlsplit(origin_url).path.rstrip("/")
    path = parts.path or "/"
    if base and not (path == base or path.startswith(base + "/")):
        raise OriginRedirectRefused(REFUSED)
    relative = path[len(base) :] or "/"
    rewritten = share_prefix.rstrip("/") + relative
    if parts.query:
        rewritten += "?" + parts.query
    if parts.fragment:
        rewritten += "#" + parts.fragment
    return rewritten
