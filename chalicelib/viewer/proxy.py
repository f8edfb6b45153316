"""The proxied surface of origin links: `/share/{token}/o/<path>` (docs/origins.md).

A proxied request goes through the same lookup and accounting as every viewer request
(`resolve.lookup`, `resolve.admit`, `resolve.record`): one read of capability and viewer head, the
address's window (with the enumeration guard), the link's own window, then one access event
recording the method, the path relative to the origin, the origin's status and the total latency,
which the stream consumer turns into `view_count`, `last_accessed_at` and `share.accessed` like any
view. A dead token is the one 404 with the same work.

Where it answers:
- on a *content host* (`chalicelib/runtime/content_origin.py`), the link's own: the proxied
  content, after the password form (cookie set on the content host) when the link has one, and
  after the "open" button of a view-limited link (one view per visit: `visit`);
- on Keyhole's own host, `/share/{token}` and `/share/{token}/o/...` of an origin link redirect
  to the link's content origin, query kept (302; 307 for methods other than GET and HEAD, so a
  POST stays a POST): proxied content is never served on Keyhole's origin.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chalicelib.credentials.tokens import PresentedToken, without_token
from chalicelib.origin.visits import VISIT_SECONDS
from chalicelib.runtime import content_origin
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.viewer import pages as page
from chalicelib.viewer.resolve import (
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
_EXPIRES = re.compile(r"^[0-9]{1,12}$")
FORBIDDEN_MESSAGE = "This share link does not give access to that path or method"


@dataclass
class ProxyCall:
    """One request on the proxied surface, as the route received it."""

    token: PresentedToken
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
    from chalicelib.viewer.html_responses import as_html

    refusal = account_dead(svc, found, req)
    return as_html(refusal) if _wants_html(headers) else refusal


# --- Keyhole's own host: hand the viewer over to the content origin ------------------------


def redirect_to_content(
    svc: Keyhole,
    token: PresentedToken,
    req: RequestInfo,
    headers: Mapping[str, str],
    *,
    rest: str = "/",
    query: str = "",
    method: str = "GET",
) -> ViewerResponse:
    """`/share/{token}/o/...` on Keyhole's own host: a redirect to the same path and query on the
    link's content origin; the one 404 for dead tokens and for links that are not origin links."""
    found = lookup(svc, token)
    resolved = found.resolved
    if resolved is None or not _is_origin(resolved):
        return _dead(svc, Lookup(token=found.token, tenant=found.tenant), req, headers)
    return hand_over(svc, resolved, token, req, headers, rest=rest, query=query, method=method)


def hand_over(
    svc: Keyhole,
    resolved: Resolved,
    token: PresentedToken,
    req: RequestInfo,
    headers: Mapping[str, str],
    *,
    rest: str = "/",
    query: str = "",
    method: str = "GET",
) -> ViewerResponse:
    """A live origin link opened on Keyhole's host: a redirect to its content origin (counted in
    the address's window; the proxied request that follows is the view). The query goes along,
    and a request that is not a GET or HEAD gets a 307, which every client repeats with the same
    method and body (a 302 turns a POST into a GET)."""
    template = content_template(svc, urlsplit(req.base_url).netloc)
    if template is None:
        return _error(502, "origin_unavailable", "This deployment serves no proxied content", headers)
    refusal = admit(svc, resolved, req, count_link=False)
    if refusal is not None:
        return _as_page(refusal, headers)
    target = content_origin.base_for(template, resolved.cap.link_id) + f"/share/{token.value}/o" + (rest or "/")
    if query:
        target += f"?{query}"
    status = 302 if method.upper() in ("GET", "HEAD") else 307
    response = ViewerResponse(status, "", viewer_headers(page.STATIC_CSP, page.HTML_CONTENT_TYPE))
    response.headers["Location"] = target
    return response


def _as_page(refusal: ViewerResponse, headers: Mapping[str, str]) -> ViewerResponse:
    from chalicelib.viewer.html_responses import as_html

    return as_html(refusal) if _wants_html(headers) else refusal


# --- the content host ------------------------------------------------------------------------


def proxy(svc: Keyhole, call: ProxyCall, req: RequestInfo) -> ViewerResponse:
    """A request on the proxied surface of a content host."""
    from chalicelib.origin import paths, spec

    # An exhausted view-limited link still resolves here: a visit opened with its last view may
    # finish (below, anything but an open visit on it is the one 404).
    found = lookup(svc, call.token, allow_exhausted=True)
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
        response.headers["Location"] = f"/share/{call.token.value}/o/" + (f"?{call.query}" if call.query else "")
        return response
    if resolved.needs_password and not resolved.unlocked(call.headers, svc.clock.time()):
        from chalicelib.viewer.html_responses import password_form

        return password_form(svc, resolved, req, action=f"/share/{call.token.value}/unlock")
    if resolved.view_limited and not visit_open(resolved, call.headers, svc.clock.time()):
        return _visit_page(svc, resolved, req)
    content = resolved.content()
    origin = spec.Origin.from_json(content["origin"])
    # The link's own token never reaches the origin or a log: it is replaced by a fixed marker in
    # the path and query before they are matched, recorded and sent.
    path = paths.normalise(call.raw_path)
    if path is not None:
        path = without_token(path, call.token.value)
    query = without_token(call.query, call.token.value)
    req.path = path if path is not None else "(refused path)"
    if any(ch in query for ch in "\r\n\x00#") or len(query) > paths.MAX_PATH_LENGTH:
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
    return _forward(svc, resolved, req, call, origin, path, query, content)


def _forward(
    svc: Keyhole,
    resolved: Resolved,
    req: RequestInfo,
    call: ProxyCall,
    origin: Any,
    path: str,
    query: str,
    content: dict,
) -> ViewerResponse:
    from chalicelib.origin import origin_secret
    from chalicelib.origin.exceptions import OriginError
    from chalicelib.origin.forward import ProxyRequest, forward

    now = svc.clock.time()
    stored = origin_secret.signing_set(origin_secret.secrets_from_json(content.get("origin_secrets")), now_epoch=now)
    secrets = [
        origin_secret.opened_secrets(svc.cache).open(
            svc.sealer, s, tenant_id=resolved.cap.tenant_id, resource_id=resolved.cap.resource_id
        )
        for s in stored
    ]
    request = ProxyRequest(
        method=call.method,
        path=path,
        query=query,
        body=call.body,
        headers=call.headers,
        viewer_ip=req.ip,
        link_id=resolved.cap.link_id,
        link_label=resolved.cap.label,
        share_prefix=f"/share/{call.token.value}/o",
        scrub=(call.token.value,),
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
    from chalicelib.viewer.html_responses import as_html, live_page, new_nonce, share_of

    refusal = account(svc, resolved, req, status=200, outcome="confirm_required", count_link=False)
    if refusal:
        return as_html(refusal)
    nonce = new_nonce()
    left = int(resolved.cap.max_views) - int(resolved.cap.views_used or 0)
    body = page.confirm_page(
        share_of(resolved), nonce=nonce, views_left=left, max_views=int(resolved.cap.max_views), now=svc.clock.now()
    )
    # The button posts to the page's own URL; on a content host that is the visit step.
    body = body.replace(
        '<form class="stack" method="post">',
        f'<form class="stack" method="post" action="/share/{resolved.token.value}/visit">',
    )
    return live_page(200, body, nonce)


def visit(
    svc: Keyhole, token: PresentedToken, req: RequestInfo, headers: Mapping[str, str], host: str
) -> ViewerResponse:
    """`POST /share/{token}/visit` on the content host: uses one view, opens a visit (a cookie for
    `VISIT_SECONDS` on this link's content origin), then the origin's app."""
    found = lookup(svc, token)
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
        from chalicelib.viewer.html_responses import password_form

        return password_form(svc, resolved, req, action=f"/share/{token.value}/unlock")
    target = f"/share/{token.value}/o/"
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
        f"{VISIT_COOKIE}={value}; Path=/share/{token.value}; Max-Age={VISIT_SECONDS}; HttpOnly; SameSite=Lax{secure}"
    )
    return response


__all__ = ["ProxyCall", "hand_over", "is_content_request", "proxy", "redirect_to_content", "visit"]
