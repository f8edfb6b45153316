"""Origin redirects, confined to the share's own prefix.

An origin's `Location` is resolved against the URL Keyhole requested from it, and its dot segments
are resolved the way a browser resolves them: `%2e` counts as a dot (WHATWG URL), so
`/w/%2e%2e/%2e%2e/v1/tenant` is `/v1/tenant`, never a path that merely starts with `/w/`. When the
result is on the origin (same scheme, host and port) and below the origin URL's own path, it is
rewritten to the same place under the share's prefix (`/share/<token>/o/...`, on the content
origin the viewer is already on), with no dot segments left; anything else (another host, another
scheme, a path above the origin's base, an unreadable value) is refused: not followed, not passed
on (the viewer gets a 502 that says so).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from chalicelib.origin.exceptions import OriginRedirectRefused

REFUSED = "the origin redirected outside the shared service"
_DOT_ESCAPE = re.compile(r"%2e", re.IGNORECASE)


def without_dot_segments(path: str) -> str:
    """`path` (absolute) with `.` and `..` segments resolved as a browser does (RFC 3986 5.2.4,
    WHATWG's `%2e` spellings included); other segments are kept as written."""
    segments = path.split("/")[1:]
    resolved: list[str] = []
    for index, segment in enumerate(segments):
        dots = _DOT_ESCAPE.sub(".", segment)
        if dots in (".", ".."):
            if dots == ".." and resolved:
                resolved.pop()
            if index == len(segments) - 1:
                resolved.append("")  # `/a/b/..` is the directory `/a/`
            continue
        resolved.append(segment)
    return "/" + "/".join(resolved)


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
    path = without_dot_segments(parts.path or "/")
    if base and not (path == base or path.startswith(base + "/")):
        raise OriginRedirectRefused(REFUSED)
    relative = path[len(base) :] or "/"
    rewritten = share_prefix.rstrip("/") + relative
    if parts.query:
        rewritten += "?" + parts.query
    if parts.fragment:
        rewritten += "#" + parts.fragment
    return rewritten
