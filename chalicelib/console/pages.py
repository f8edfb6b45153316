"""The console's and the share dialog's HTML pages: a shell whose CSS and JavaScript (files in
`assets/`) are inlined and allowed by their SHA-256 hashes, so the page is one request, the same
bytes for every tenant, and its policy is strict without a nonce. Only `frame-ancestors` varies:
the tenant's `embed_origins` (chalicelib/tenancy/embedding.py), or `'none'`.

The page holds no data and no secret: it reads its one-time ticket from the URL's fragment,
removes it from the address bar, and exchanges it for a session token (`POST /v1/console/session`)
that lives in the script's memory only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from chalicelib.service import Keyhole
from chalicelib.tenancy import embedding

ASSETS = Path(__file__).resolve().parent / "assets"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
_TENANT_ID = re.compile(r"^ten_[0-9a-f]{16}$")
# What each page inlines, in order (the vendored QR encoder first: the dialog draws QR codes).
SCRIPTS = {
    "dialog": ("vendor/qrcode-generator.js", "common.js", "links.js", "dialog.js"),
    "console": ("vendor/qrcode-generator.js", "common.js", "links.js", "dialog.js", "console.js"),
}
TITLES = {"dialog": "Share", "console": "Keyhole console"}
_FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Ccircle cx='12' "
    "cy='12' r='12' fill='%233b5bdb'/%3E%3Cpath fill='white' d='M12 5.5a3.5 3.5 0 0 0-1.6 6.6L9.5 18h5l-.9-"
    "5.9A3.5 3.5 0 0 0 12 5.5z'/%3E%3C/svg%3E"
)
HEADERS = {
    "Content-Type": HTML_CONTENT_TYPE,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8").strip()


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def shell(page: str) -> tuple[str, str]:
    """The page's HTML and its policy without `frame-ancestors` (built once per container)."""
    css = _asset("console.css")
    script = "\n;\n".join(_asset(name) for name in SCRIPTS[page])
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
        f'<meta name="color-scheme" content="light dark"><title>{TITLES[page]}</title>'
        f'<link rel="icon" href="{_FAVICON}"><style>{css}</style></head>'
        f'<body class="page-{page}"><div id="app" data-page="{page}" aria-live="polite">'
        '<main class="boot"><p class="muted">Opening&hellip;</p>'
        "<noscript><p>This page needs JavaScript.</p></noscript></main></div>"
        f"<script>{script}</script></body></html>"
    )
    policy = (
        f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(css)}; connect-src 'self'; "
        "img-src 'self' data:; form-action 'none'; base-uri 'none'"
    )
    return html, policy


def serve(svc: Keyhole, tenant_id: str, page: str) -> tuple[int, str, dict[str, str]]:
    """The page for `tenant_id`: framed only by that tenant's embed origins. An unknown or
    malformed tenant id gets the same page with `frame-ancestors 'none'` (nothing read for a
    malformed one): the ticket's exchange is what fails, so a page says nothing about a tenant."""
    html, policy = shell(page)
    origins = embedding.cached_origins(svc, tenant_id) if _TENANT_ID.match(tenant_id) else []
    csp = f"{policy}; frame-ancestors {embedding.frame_ancestors(origins)}"
    return 200, html, {**HEADERS, "Content-Security-Policy": csp}


FAILURE_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unavailable</title></head><body>'
    "<h1>Temporarily unavailable</h1><p>This page could not be loaded just now: try again in a moment.</p>"
    "</body></html>"
)


def failure(status: int) -> tuple[int, str, dict[str, str]]:
    """A static page when the page itself could not be served (an outage): no script, not framed."""
    csp = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    return status, FAILURE_HTML, {**HEADERS, "Content-Security-Policy": csp}
