"""The proxied surface of origin links: `/share/{token}/o/<path>` (docs/origins.md).

A proxied request goes through the same lookup and accounting as every viewer request
(`resolve.lookup`, `resolve.admit`, `resolve.record`): one read of capability and viewer head, the
address's window (with the enumeration guard), the link's own window, then one access event
recording the method, the path relative to the origin, the origin's status and the total latency,
which the stream consumer turns into `view_count`, `last_accessed_at` and `share.accessed` like any
view. A dead token is the one 404 with the same work.

Where it answers:
- on a *content host* (`chalicelib/origin/content_origin.py`), the link's own: the proxied
  content, after the password form (cookie set on the content host) when the link has one, and
  after the "open" button of a view-limited link (one view per visit: `visit`);
- on Keyhole's own host, `/share/{token}` and `/share/{token}/o/...` of an origin link redirect
  (302) to the link's content origin: proxied content is never served on Keyhole's origin.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..origin import content_origin
from ..service import Keyhole, RequestInfo
from . import pages as page
from .resolve import (
    Lookup,
    Resolved,
    ViewerResponse,
    account,
    account_dead,
    admit,
    lookup,
    record,
    viewer_headers,
)

VISIT_COOKIE = "kh_visit"
VISIT_SECONDS = 30 * 60
_EXPIRES = re.compile(r"^[0-9]{1,12}$")
FORBIDDEN_MESSAGE = "This share link does not give access to that path or method"


@dataclass
class ProxyCall:
    """One request on the proxied surface, as the route received it."""

    raw_token: str
    method: str
    raw_path: str  # below /share/{token}/o, as received ("" or "/..." )
    query: str
    body: bytes
    headers: Mapping[str, str]
    host: str  # the request's host, without port


def content_template(svc: Keyhole, host_header: str) -> str | None:
    return content_origin.template_for(svc.settings, host_header)


def is_content_request(svc: Keyhole, host_header: str) -> bool:
    return content_origin.is_content_request(svc.settings, host_header)


def _is_origin(resolved: Resolved) -> bool:
    return (resolved.doc.kind or "document") == "origin"


def _error(status: int, code: str, message: str, headers: Mapping[str, str]) -> ViewerResponse:
    if _wants_html(headers):
        body = page.error_html(status)
        return ViewerResponse(status, body, viewer_headers(page.STATIC_CSP, page.HTML_CONTENT_TYPE))
    return ViewerResponse(status, {"error": {"code": code, "message": message}})


def _wants_html(headers: Mapping[str, str]) -> bool:
    accept = _header(headers, "accept") or ""
    return "text/html" in accept


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _dead(svc: Keyhole, found: Lookup, req: RequestInfo, headers: Mapping[str, str]) -> ViewerResponse:
    from .page_flows import as_html

    refusal = account_dead(svc, found, req)
    return as_html(refusal) if _wants_html(headers) else refusal


# --- Keyhole's own host: hand the viewer over to the content origin ------------------------


def redirect_to_content(
    svc: Keyhole, raw_token: str, req: RequestInfo, headers: Mapping[str, str], *, rest: str = "/"
) -> ViewerResponse:
    """`/share/{token}/o/...` on Keyhole's own host: a 302 to the link's content origin; the one
    404 for dead tokens and for links that are not origin links."""
    found = lookup(svc, raw_token)
    resolved = found.resolved
    if resolved is None or not _is_origin(resolved):
        return _dead(svc, Lookup(token=found.token, tenant=found.tenant), req, headers)
    return hand_over(svc, resolved, raw_token, req, headers, rest=rest)


def hand_over(
    svc: Keyhole, resolved: Resolved, raw_token: str, req: RequestInfo, headers: Mapping[str, str], *, rest: str = "/"
) -> ViewerResponse:
    """A live origin link opened on Keyhole's host: a 302 to its content origin (counted in the
    address's window; the proxied request that follows is the view)."""
    template = content_template(svc, urlsplit(req.base_url).netloc)
    if template is None:
        return _error(502, "origin_unavailable", "This deployment serves no proxied content", headers)
    refusal = admit(svc, resolved, req, count_link=False)
    if refusal is not None:
        return _as_page(refusal, headers)
    target = content_origin.base_for(template, resolved.cap.link_id) + f"/share/{raw_token}/o" + (rest or "/")
    response = ViewerResponse(302, "", viewer_headers(page.STATIC_CSP, page.HTML_CONTENT_TYPE))
    response.headers["Location"] = target
    return response


def _as_page(refusal: ViewerResponse, headers: Mapping[str, str]) -> ViewerResponse:
    from .page_flows import as_html

    return as_html(refusal) if _wants_html(headers) else refusal


# --- the content host ------------------------------------------------------------------------


def proxy(svc: Keyhole, call: ProxyCall, req: RequestInfo) -> ViewerResponse:
    """A request on the proxied surface of a content host."""
    from ..origin import paths, spec

    # An exhausted view-limited link still resolves here: a visit opened with its last view may
    # finish (below, anything but an open visit on it is the one 404).
    found = lookup(svc, call.raw_token, allow_exhausted=True)
    resolved = found.resolved
    if resolved is not None and resolved.view_limited and _used_up(resolved):
        if not visit_open(resolved, call.headers, svc.clock.time()):
            resolved = None
    template = content_template(svc, call.host) if resolved is not None else None
    if (
        resolved is None
        or not _is_origin(resolved)
        or template is None
        or not content_origin.host_serves_link(template, call.host, resolved.cap.link_id)
    ):
        # Unknown, dead, a document link, or a token used on another link's content host.
        return _dead(svc, Lookup(token=found.token, tenant=found.tenant), req, call.headers)
    if call.raw_path == "":
        # The origin's root is `/o/`: relative URLs in its pages resolve below the share's prefix.
        response = ViewerResponse(301, "", viewer_headers(page.STATIC_CSP, page.HTML_CONTENT_TYPE))
        response.headers["Location"] = f"/share/{call.raw_token}/o/" + (f"?{call.query}" if call.query else "")
        return response
    if resolved.needs_password and not resolved.unlocked(call.headers, svc.clock.time()):
        from .page_flows import _password_form

        return _password_form(svc, resolved, req, action=f"/share/{call.raw_token}/unlock")
    if resolved.view_limited and not visit_open(resolved, call.headers, svc.clock.time()):
        return _visit_page(svc, resolved, req)
    content = resolved.content()
    origin = spec.Origin.from_json(content["origin"])
    path = paths.normalise(call.raw_path)
    req.path = path if path is not None else "(refused path)"
    if any(ch in call.query for ch in "\r\n\x00#") or len(call.query) > paths.MAX_PATH_LENGTH:
        path = None
    if path is None or not spec.request_allowed(
        origin,
        call.method,
        path,
        link_paths=[str(p) for p in resolved.cap.allowed_paths or []],
        link_methods=[str(m) for m in resolved.cap.allowed_methods or []],
    ):
        refusal = account(svc, resolved, req, status=403, outcome="forbidden")
        if refusal is not None:
            return _as_page(refusal, call.headers)
        return _error(403, "forbidden", FORBIDDEN_MESSAGE, call.headers)
    if len(call.body) > svc.settings.max_body_bytes:
        refusal = account(svc, resolved, req, status=413, outcome="too_large")
        if refusal is not None:
            return _as_page(refusal, call.headers)
        limit = svc.settings.max_body_bytes // 1024
        return _error(413, "payload_too_large", f"The request body is larger than {limit} KiB", call.headers)
    refusal = admit(svc, resolved, req)
    if refusal is not None:
        return _as_page(refusal, call.headers)
    return _forward(svc, resolved, req, call, origin, path, content)


def _forward(
    svc: Keyhole, resolved: Resolved, req: RequestInfo, call: ProxyCall, origin: Any, path: str, content: dict
) -> ViewerResponse:
    from ..origin import origin_secret
    from ..origin.exceptions import OriginError
    from ..origin.forward import ProxyRequest, forward

    now = svc.clock.time()
    stored = origin_secret.signing_set(origin_secret.secrets_from_json(content.get("origin_secrets")), now_epoch=now)
    secrets = [
        svc.origin_secrets.open(svc.sealer, s, tenant_id=resolved.cap.tenant_id, resource_id=resolved.cap.resource_id)
        for s in stored
    ]
    request = ProxyRequest(
        method=call.method,
        path=path,
        query=call.query,
        body=call.body,
        headers=call.headers,
        viewer_ip=req.ip,
        link_id=resolved.cap.link_id,
        link_label=resolved.cap.label,
        share_prefix=f"/share/{call.raw_token}/o",
        scrub=(call.raw_token,),
    )
    try:
        proxied = forward(
            origin.url,
            request,
            origin_secrets=secrets,
            tenant_name=resolved.tenant_name,
            banner=origin.banner,
            public_only=not svc.settings.is_local_stage,
            timeout=svc.settings.origin_timeout_seconds,
            max_body=svc.settings.origin_max_response_bytes,
        )
    except OriginError as failed:
        outcome = "origin_timeout" if failed.status == 504 else "origin_error"
        record(svc, resolved, req, status=failed.status, outcome=outcome)
        code = "origin_timeout" if failed.status == 504 else "bad_gateway"
        return _error(failed.status, code, failed.reason[:200], call.headers)
    record(svc, resolved, req, status=proxied.status, outcome="viewed")
    return ViewerResponse(proxied.status, proxied.body, proxied.headers)


# --- view-limited origin links: one view per visit ---------------------------------------


def _used_up(resolved: Resolved) -> bool:
    return int(resolved.cap.views_used or 0) >= int(resolved.cap.max_views)


def _visit_key(resolved: Resolved) -> bytes:
    salt = resolved.cap.cookie_salt or resolved.cap.link_id
    return hashlib.sha256(f"keyhole-visit|{salt}|{resolved.token.hash}".encode()).digest()


def _visit_signature(resolved: Resolved, expires: int) -> str:
    return hmac.new(_visit_key(resolved), f"{resolved.cap.link_id}|{expires}".encode(), hashlib.sha256).hexdigest()


def visit_open(resolved: Resolved, headers: Mapping[str, str], now: float) -> bool:
    raw = _header(headers, "cookie")
    if not raw:
        return False
    from http.cookies import SimpleCookie  # only view-limited origin links read a cookie here

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return False
    morsel = jar.get(VISIT_COOKIE)
    if morsel is None or "." not in morsel.value:
        return False
    expires_text, signature = morsel.value.split(".", 1)
    if not _EXPIRES.match(expires_text) or int(expires_text) < now:
        return False
    expected = _visit_signature(resolved, int(expires_text))
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogatepass"))


def _visit_page(svc: Keyhole, resolved: Resolved, req: RequestInfo) -> ViewerResponse:
    """The "open" button of a view-limited origin link (a GET never uses a view)."""
    from .page_flows import _live, _nonce, _share, as_html

    refusal = account(svc, resolved, req, status=200, outcome="confirm_required", count_link=False)
    if refusal:
        return as_html(refusal)
    nonce = _nonce()
    left = int(resolved.cap.max_views) - int(resolved.cap.views_used or 0)
    body = page.confirm_page(
        _share(resolved), nonce=nonce, views_left=left, max_views=int(resolved.cap.max_views), now=svc.clock.now()
    )
    # The button posts to the page's own URL; on a content host that is the visit step.
    body = body.replace(
        '<form class="stack" method="post">',
        f'<form class="stack" method="post" action="/share/{resolved.token.value}/visit">',
    )
    return _live(200, body, nonce)


def visit(svc: Keyhole, raw_token: str, req: RequestInfo, headers: Mapping[str, str], host: str) -> ViewerResponse:
    """`POST /share/{token}/visit` on the content host: uses one view, opens a visit (a cookie for
    `VISIT_SECONDS` on this link's content origin), then the origin's app."""
    found = lookup(svc, raw_token)
    resolved = found.resolved
    template = content_template(svc, host) if resolved is not None else None
    if (
        resolved is None
        or not _is_origin(resolved)
        or template is None
        or not content_origin.host_serves_link(template, host, resolved.cap.link_id)
    ):
        return _dead(svc, Lookup(token=found.token, tenant=found.tenant), req, headers)
    if resolved.needs_password and not resolved.unlocked(headers, svc.clock.time()):
        from .page_flows import _password_form

        return _password_form(svc, resolved, req, action=f"/share/{raw_token}/unlock")
    target = f"/share/{raw_token}/o/"
    response = ViewerResponse(303, "", viewer_headers(page.STATIC_CSP, page.HTML_CONTENT_TYPE))
    response.headers["Location"] = target
    if not resolved.view_limited:
        return response
    refusal = account(svc, resolved, req, status=303, outcome="visit_opened", use_view=True, count_link=False)
    if refusal is not None:
        return _as_page(refusal, headers)
    expires = int(svc.clock.time()) + VISIT_SECONDS
    value = f"{expires}.{_visit_signature(resolved, expires)}"
    secure = "; Secure" if req.base_url.startswith("https://") else ""
    response.headers["Set-Cookie"] = (
        f"{VISIT_COOKIE}={value}; Path=/share/{raw_token}; Max-Age={VISIT_SECONDS}; HttpOnly; SameSite=Lax{secure}"
    )
    return response


__all__ = ["ProxyCall", "hand_over", "is_content_request", "proxy", "redirect_to_content", "visit"]
