"""Token introspection (`POST /v1/introspect`): for products that keep their own viewer and use
Keyhole as the capability store (a dashboard backend, a monitor page).

The answer follows RFC 7662: `{"active": true, "link": {...}, "resource": {"id", "type",
"name"}, "scope", "expires_at", "exp", "token_type"}` for a live link of the caller's own tenant,
and exactly `{"active": false}` for everything else: unknown, malformed, expired, revoked, used up,
resource deleted, another tenant's. Those cost the same work too: the token's keys are read in
the authentication's own BatchGetItem whatever the token is.

With `view: {"ip", "user_agent"}` the introspection is a view of that viewer: the link's rate
limit, an access event (`method` INTROSPECT, the path `/introspect`), and from it `view_count`,
`last_accessed_at` and `share.accessed`, exactly like a viewer request. The address is the
caller's word, so it only ever counts in windows the caller owns: never in the per-address windows
that real viewers are judged by (else any tenant could lock an address out of every tenant's
links). A dead token with `view` counts against that address's failed resolves *in the caller's
tenant* (`IF#<tenant>#<address>`, the tenant's `failed_resolves_per_min_per_ip`).

Gated links are never opened by introspection alone. A live link of the caller's tenant with a
password answers `{"active": false, "requires": "password"}` until the caller passes the viewer's
`password` (checked like `/unlock`: 5 attempts a minute per link, then 429); a view-limited link
answers `{"active": false, "requires": "view_confirmation"}` until the caller sends `view` with
`"use_view": true` after the viewer pressed its own "show" button (one view used, never past
`max_views`). A caller can also send the viewer to the share URL, where Keyhole's page asks.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from chalicelib.credentials.passwords import verify_password
from chalicelib.credentials.tokens import PresentedToken, present_token
from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import parse_rfc3339
from chalicelib.runtime.errors import Collector, RateLimited
from chalicelib.runtime.validation import unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.ratelimit import hit_window, window
from chalicelib.tenancy.apikeys import Principal
from chalicelib.tenancy.tenant_settings import limits_of
from chalicelib.viewer.resolve import Resolved, account, lookup_from, password_window

FIELDS = ("token", "view", "password")
VIEW_FIELDS = ("ip", "user_agent", "use_view")
INACTIVE: dict[str, Any] = {"active": False}
MAX_TOKEN_CHARS = 512


def parse(body: dict[str, Any]) -> tuple[PresentedToken, dict[str, Any] | None, str | None]:
    """(token, view, password), or field errors (422)."""
    errors = Collector()
    unknown_fields(body, FIELDS, errors)
    token = body.get("token")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        errors.add("token", f"must be a share token (a string of 1-{MAX_TOKEN_CHARS} characters)")
    view = body.get("view")
    if view is not None:
        if not isinstance(view, dict):
            errors.add("view", "must be an object: {ip, user_agent?, use_view?}")
            view = None
        else:
            for name in view:
                if name not in VIEW_FIELDS:
                    errors.add(f"view.{name}", f"unknown field; known: {', '.join(VIEW_FIELDS)}")
            try:
                ipaddress.ip_address(str(view.get("ip")))
            except ValueError:
                errors.add("view.ip", "must be the viewer's IP address")
            agent = view.get("user_agent")
            if agent is not None and (not isinstance(agent, str) or len(agent) > 1024):
                errors.add("view.user_agent", "must be a string of at most 1024 characters")
            if view.get("use_view") not in (None, True, False):
                errors.add("view.use_view", "must be true or false")
    password = body.get("password")
    if password is not None and (not isinstance(password, str) or not 1 <= len(password) <= 1024):
        errors.add("password", "must be a string of 1-1024 characters")
    errors.raise_if_any()
    return present_token(str(token)), view, password


def introspect(
    svc: Keyhole,
    principal: Principal,
    token: PresentedToken,
    items: list[Any],
    req: RequestInfo,
    view: Any,
    password: Any,
) -> dict[str, Any]:
    """The answer for a token whose keys (`resolve.lookup_keys`) were read as `items`."""
    cap, head = items[0], items[1]
    found = lookup_from(svc, token, cap, head, principal.tenant, only_tenant=principal.tenant_id)
    resolved = found.resolved
    viewer = _viewer_request(req, view) if view is not None else None
    if resolved is None or resolved.cap.tenant_id != principal.tenant_id:
        if viewer is not None:
            count_failed(svc, principal, viewer.ip)
        return dict(INACTIVE)
    if resolved.needs_password and not _password_ok(svc, resolved, viewer or req, password):
        return {"active": False, "requires": "password"}
    use_view = bool(view and view.get("use_view"))
    if resolved.view_limited and not use_view:
        return {"active": False, "requires": "view_confirmation"}
    if viewer is not None or use_view:
        # A view of that viewer for the link (access log, counters, webhooks, the link's rate limit and
        # views), but not a request from the viewer's address: the tenant's backend sent it, and its
        # key's API window (counted before this) is what limits it. One write less than a page view's
        # address window plus the key's: docs/origins.md.
        refusal = account(
            svc,
            resolved,
            viewer or req,
            status=200,
            outcome="viewed",
            use_view=resolved.view_limited,
            count_address=False,
        )
        if refusal is not None:
            if refusal.status == 429:
                raise RateLimited(int(refusal.headers.get("Retry-After", "60")))
            return dict(INACTIVE)  # the last view went meanwhile
    return active_body(resolved)


def count_failed(svc: Keyhole, principal: Principal, address: str) -> None:
    """A dead token introspected with a view of `address`: one failed resolve in the caller's own
    window for that address (429 when it is full). Never in the global `IP#` window that viewers
    at that address are judged by: the caller chose the address."""
    limit = limits_of(principal.tenant)["failed_resolves_per_min_per_ip"]
    if limit is None:
        return
    try:
        hit_window(svc.store, window(f"IF#{principal.tenant_id}#{address}", int(limit), svc.clock.time()))
    except RateLimited:
        telemetry.note_rate_limit(telemetry.LIMIT_FAILED_RESOLVES)
        raise


def _password_ok(svc: Keyhole, resolved: Resolved, req: RequestInfo, password: Any) -> bool:
    if not password:
        return False
    attempts = password_window(svc, resolved.token)
    from chalicelib.storage.ratelimit import hit_window

    hit_window(svc.store, attempts)  # 429 past 5 attempts a minute, counted before scrypt runs
    return verify_password(password, resolved.cap.password_hash)


def _viewer_request(req: RequestInfo, view: dict[str, Any]) -> RequestInfo:
    return RequestInfo(
        request_id=req.request_id,
        ip=str(ipaddress.ip_address(str(view["ip"]))),
        user_agent=view.get("user_agent"),
        base_url=req.base_url,
        method="INTROSPECT",
        path="/introspect",
        started=req.started,
    )


def active_body(resolved: Resolved) -> dict[str, Any]:
    cap, head = resolved.cap, resolved.doc
    exp = int(parse_rfc3339(cap.expires_at).timestamp()) if cap.expires_at else None
    link = {
        "id": cap.link_id,
        "label": cap.label,
        "description": cap.description,
        "scope": cap.scope,
        "expires_at": cap.expires_at,
        "has_password": cap.password_hash is not None,
        "max_views": None if cap.max_views is None else int(cap.max_views),
        "rate_limit_per_min": None if cap.rate_limit_per_min is None else int(cap.rate_limit_per_min),
    }
    if cap.allowed_paths or cap.allowed_methods:
        link["allowed_paths"] = list(cap.allowed_paths or []) or None
        link["allowed_methods"] = list(cap.allowed_methods or []) or None
    body: dict[str, Any] = {
        "active": True,
        "token_type": "share_link",
        "link": link,
        "resource": {"id": cap.resource_id, "type": head.type, "name": head.name, "kind": head.kind or "document"},
        "scope": cap.scope,
        "expires_at": cap.expires_at,
    }
    if exp is not None:
        body["exp"] = exp
    return body
