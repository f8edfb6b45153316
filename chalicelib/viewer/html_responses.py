"""The viewer's HTML responses that more than one flow sends: the one 404 page, the 429 page, a
page with its nonce-bound CSP, and the password form. The page flows (`page_flows`) and the proxied
surface of origin links (`proxy`) both answer with them; neither imports the other for them.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from chalicelib.credentials.tokens import PresentedToken
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.tenancy import embedding
from chalicelib.tenancy.branding import brand_of
from chalicelib.tenancy.tenant_settings import settings_of
from chalicelib.viewer import pages as page
from chalicelib.viewer.resolve import Resolved, ViewerResponse, account, viewer_headers


def html_headers(csp: str) -> dict[str, str]:
    return viewer_headers(csp, page.HTML_CONTENT_TYPE)


def not_found_page() -> ViewerResponse:
    """The one HTML 404, byte-identical for every dead link."""
    return ViewerResponse(404, page.NOT_FOUND_HTML, html_headers(page.STATIC_CSP))


def too_many_page(retry_after: int) -> ViewerResponse:
    headers = html_headers(page.STATIC_CSP)
    headers["Retry-After"] = str(retry_after)
    return ViewerResponse(429, page.TOO_MANY_HTML, headers)


def as_html(refusal: ViewerResponse) -> ViewerResponse:
    """Turn a JSON refusal from the viewer core (404 or 429) into its page."""
    if refusal.status == 429:
        return too_many_page(int(refusal.headers.get("Retry-After", "60")))
    return not_found_page()


def live_page(
    status: int, body: str, nonce: str, frame_ancestors: str = "'none'", *, files_origin: str | None = None
) -> ViewerResponse:
    return ViewerResponse(status, body, html_headers(page.page_csp(nonce, files_origin, frame_ancestors)))


def frames_of(svc: Keyhole, resolved: Resolved) -> str:
    """`frame-ancestors` of a live link's pages: the tenant's embed origins for a link created with
    `embeddable: true` (read from the container's cache), else `'none'`. Dead links' pages (the one
    404) never vary: they keep `'none'`."""
    if not resolved.cap.embeddable:
        return "'none'"
    return embedding.frame_ancestors(embedding.cached_origins(svc, resolved.cap.tenant_id))


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def share_of(resolved: Resolved) -> page.Share:
    return page.Share(
        tenant_name=resolved.tenant.name,
        resource_type=resolved.doc.type,
        resource_name=resolved.doc.name,
        label=resolved.cap.label,
        description=resolved.cap.description,
        expires_at=resolved.cap.expires_at,
        updated_at=resolved.doc.updated_at,
        brand=brand_of(settings_of(resolved.tenant), resolved.tenant.name),
    )


def share_path(req: RequestInfo, token: PresentedToken) -> str:
    """The browser-visible path of the page (with any API Gateway stage prefix): cookie scope."""
    return urlsplit(req.base_url).path.rstrip("/") + f"/share/{token.value}"


# --- flows ---------------------------------------------------------------------------------


def password_form(svc: Keyhole, resolved: Resolved, req: RequestInfo, *, action: str) -> ViewerResponse:
    refusal = account(svc, resolved, req, status=200, outcome="password_required", count_link=False)
    if refusal:
        return as_html(refusal)
    nonce = new_nonce()
    return live_page(
        200, page.password_page(share_of(resolved), nonce=nonce, action=action), nonce, frames_of(svc, resolved)
    )
