"""Where proxied content is served: a web origin of its own, never Keyhole's.

A proxied page runs the origin's scripts. Served from the admin API's and the viewer pages' own
origin, those scripts could read Keyhole's pages and cookies; served from one origin for every
link, one shared service's scripts could read another's storage. So each link gets its own web
origin, named by a label derived from the *link id* (never the token):

- ops set `KEYHOLE_CONTENT_URL` to a URL template with `{label}` as the first host label, e.g.
  `https://{label}.content.example.com`, with a wildcard certificate and a wildcard custom domain
  `*.content.example.com` mapped to the same API (docs/origins.md, docs/operations.md). A template
  without `{label}` (`https://content.example.com`) is accepted too: content is then isolated from
  Keyhole's own origin, but links share one origin (their scripts could read each other's storage);
- the `local` and `test` stages default to `http://{label}.localhost:<the request's port>`
  (browsers resolve every `*.localhost` name to this machine), a different host than
  `127.0.0.1`/`localhost`, so a separate origin with separate cookies.

On a content host only the proxied routes, the unlock and view steps of origin links and
`/robots.txt` answer (`content_route_allowed`, decided on the *routed* resource path, never on the
request path as written, which may carry a fragment that routing ignores); everything else is the
one 404. A proxied request whose host label is not its link's is the one 404 too.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

LABEL_PLACEHOLDER = "{label}"
_LABEL = re.compile(r"^k[0-9a-z]{20}$")
# The routes a content host answers, as routed (API Gateway's `resourcePath`, Chalice's
# `request.path`): what runs is decided by the route, so the check is made on the route.
CONTENT_ROUTES = frozenset(
    {"/share/{token}/o", "/share/{token}/o/{proxy+}", "/share/{token}/unlock", "/share/{token}/visit", "/robots.txt"}
)


def template_for(settings: Any, host_header: str) -> str | None:
    """The content origin template of this deployment (`Settings.content_url`; on the local and
    test stages `http://{label}.localhost:<port>` by default), or None: no proxied content."""
    if settings.content_url:
        return str(settings.content_url)
    if settings.is_local_stage:
        return local_template(host_header)
    return None


def is_content_request(settings: Any, host_header: str) -> bool:
    """Whether a request was sent to a content host of this deployment."""
    template = template_for(settings, host_header)
    return template is not None and is_content_host(template, bare_host(host_header))


def label_for(link_id: str) -> str:
    """The DNS label of a link's content origin: `k` + 20 base-32 characters of a hash of the link
    id (lower case, valid in any DNS name and certificate, unrelated to the token)."""
    digest = hashlib.sha256(f"keyhole-content|{link_id}".encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuv"
    bits = int.from_bytes(digest[:13], "big")
    return "k" + "".join(alphabet[(bits >> (5 * i)) & 31] for i in range(20))


def template_problem(template: str) -> str | None:
    parts = urlsplit(template.replace(LABEL_PLACEHOLDER, "label"))
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be an absolute http(s) URL"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "must be a scheme and host only (no path, query or fragment)"
    if LABEL_PLACEHOLDER in template and not urlsplit(template).netloc.startswith(LABEL_PLACEHOLDER + "."):
        return "{label} must be the first label of the host"
    return None


def local_template(request_host: str) -> str:
    """The local stages' content origin: `http://{label}.localhost:<port of the request>`."""
    port = request_host.rsplit(":", 1)[1] if re.fullmatch(r"[^:]+:[0-9]{1,5}", request_host or "") else ""
    return f"http://{LABEL_PLACEHOLDER}.localhost" + (f":{port}" if port else "")


def base_for(template: str, link_id: str) -> str:
    """The content origin (scheme://host[:port]) of one link."""
    return template.replace(LABEL_PLACEHOLDER, label_for(link_id)).rstrip("/")


def host_of(template: str) -> str:
    """The template's host with the placeholder kept (lower case), port excluded."""
    return (urlsplit(template.replace(LABEL_PLACEHOLDER, "xlabelx")).hostname or "").replace(
        "xlabelx", LABEL_PLACEHOLDER
    )


def is_content_host(template: str, host: str) -> bool:
    """Whether a request's host (no port) is a content host of this template."""
    host = (host or "").lower().rstrip(".")
    pattern = host_of(template)
    if LABEL_PLACEHOLDER not in pattern:
        return host == pattern
    suffix = pattern.split(LABEL_PLACEHOLDER, 1)[1]
    return host.endswith(suffix) and bool(_LABEL.match(host[: -len(suffix)]))


def host_serves_link(template: str, host: str, link_id: str) -> bool:
    """Whether a content host is the one of this link."""
    host = (host or "").lower().rstrip(".")
    expected = (urlsplit(base_for(template, link_id)).hostname or "").lower()
    return host == expected


def content_route_allowed(resource_path: str, request_path: str) -> bool:
    """Whether a content host answers a request routed to `resource_path` (everything else there
    is the one 404). A request path with a `#` is refused too: no client sends a fragment, and one
    that does is probing for a part of the path that routing and other readers see differently."""
    return resource_path in CONTENT_ROUTES and "#" not in (request_path or "")


def bare_host(host_header: str) -> str:
    """`Host` without its port (`[::1]:80` -> `[::1]`)."""
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
