"""The "Shared through a private link by <tenant>" banner injected into proxied HTML (`banner: true`).

The banner goes right after the opening `<body>` tag (else after `<html>`, else after the doctype,
else at the very start).
The tenant's name is HTML-escaped and non-ASCII characters become character references, so the
banner reads right in any page encoding. It is styled by a `style` attribute only: an origin whose
CSP forbids inline styles still shows the sentence, unstyled; its CSP is never loosened for it.
"""

from __future__ import annotations

import html
import re

HTML_TYPES = ("text/html", "application/xhtml+xml")
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)
_HTML = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!doctype\b[^>]*>", re.IGNORECASE)
MARKER = "keyhole-share-banner"
_STYLE = (
    "all:initial;display:block;box-sizing:border-box;width:100%;padding:6px 12px;"
    "font:13px/1.4 system-ui,sans-serif;background:#1f2937;color:#f9fafb;text-align:center"
)


def is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() in HTML_TYPES


def banner_html(tenant_name: str) -> bytes:
    name = html.escape(tenant_name or "", quote=True)
    text = f"Shared through a private link by {name}"
    element = f'<div id="{MARKER}" role="note" style="{_STYLE}">{text}</div>'
    return element.encode("ascii", "xmlcharrefreplace")


def inject(body: bytes, tenant_name: str) -> bytes:
    """`body` with the banner after its `<body>` tag."""
    banner = banner_html(tenant_name)
    for anchor in (_BODY, _HTML, _DOCTYPE):  # never before a doctype: that would change the page's mode
        match = anchor.search(body)
        if match is not None:
            return body[: match.end()] + banner + body[match.end() :]
    return banner + body
