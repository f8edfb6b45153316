"""The viewer's page shells: content, password form, view-limit button, not found, too many
requests; the CSP that goes with each. Pure functions over `render`.

CSS and JS are real files (`assets/`), inlined (no external resources). Live pages allow them by
a per-response nonce; the not-found and too-many-requests pages carry no nonce (their CSS is
allowed by its hash), so their bytes never vary and one dead link is indistinguishable from another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.resources.display import NO_HINTS, DisplayHints
from chalicelib.tenancy.branding import Brand
from chalicelib.viewer.assets import csp_hash, load_asset
from chalicelib.viewer.escape import attr, text
from chalicelib.viewer.render import render_document
from chalicelib.viewer.values import ago_words, expires_in_words, format_datetime
from chalicelib.viewer.values import parse_datetime as _parse_datetime

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
NOT_FOUND_MESSAGE = "Share link not found or has been revoked"

# --- page shells ---------------------------------------------------------------------------

_KEYHOLE_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="11" '
    'fill="currentColor" opacity=".14"/><path fill="currentColor" d="M12 5.5a3.5 3.5 0 0 0-1.6 6.6'
    'L9.5 18h5l-.9-5.9A3.5 3.5 0 0 0 12 5.5z"/></svg>'
)
_LOCK_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" d="M7 11V8a5 5 0 0 1 10 0v3"/><rect x="4.5" y="11" width="15" '
    'height="10" rx="2.5" fill="currentColor"/></svg>'
)
_CLOCK_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="9" '
    'fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 7v5l3 2" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>'
)
_EYE_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" '
    'stroke-width="2" d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3" '
    'fill="currentColor"/></svg>'
)
_BROKEN_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><g fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M10 13a5 5 0 0 0 7.5.5l3-3'
    'a5 5 0 0 0-7-7l-1.7 1.7"/><path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7"/>'
    '<path d="M3 3l18 18"/></g></svg>'
)
_FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Ccircle cx='12' "
    "cy='12' r='12' fill='%233b5bdb'/%3E%3Cpath fill='white' d='M12 5.5a3.5 3.5 0 0 0-1.6 6.6L9.5 18h5l-.9-"
    "5.9A3.5 3.5 0 0 0 12 5.5z'/%3E%3C/svg%3E"
)

CSS = load_asset("page.css")


def page_csp(nonce: str, files_origin: str | None = None, frame_ancestors: str = "'none'") -> str:
    """The live page's policy: only this response's inline CSS/JS, fetches to this origin.

    `files_origin`: a page that lists files also allows images from the files bucket's presigned
    host (the previews) and lets a download form's POST be redirected there (view-limited links);
    nothing else from it (no script, style, frame or fetch). `frame_ancestors`: the tenant's embed
    origins for an `embeddable` link, else `'none'`."""
    extra = f" {files_origin}" if files_origin else ""
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; connect-src 'self'; "
        f"img-src 'self' data:{extra}; form-action 'self'{extra}; base-uri 'none'; frame-ancestors {frame_ancestors}"
    )


STATIC_CSP = (
    f"default-src 'none'; style-src {csp_hash(CSS)}; img-src data:; form-action 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)

# Polls `<page>/data` with If-None-Match, refetches the page's own markup when the data changed
# (one renderer, on the server), switches to the not-found state on 404, backs off while hidden.
SCRIPT = load_asset("page.js")


def _head(title: str, style_open: str, *, favicon: str = _FAVICON, brand_css: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
        f'<title>{text(title)}</title><link rel="icon" href="{attr(favicon)}">{style_open}{CSS}{brand_css}</style>'
        "</head>"
    )


def _static_page(title: str, fragment: str) -> str:
    return _head(title, "<style>") + f"<body>{fragment}</body></html>"


GONE_FRAGMENT = (
    f'<div class="page" id="share"><main class="card narrow gone"><div class="gate-icon">{_BROKEN_SVG}'
    f'</div><h1>{NOT_FOUND_MESSAGE}</h1><p class="lede">The link may have expired, been revoked by '
    "the person who shared it, or used up its views. If you still need access, ask them for a new "
    "link.</p></main></div>"
)

# Byte-identical for every dead link: no nonce, no request id, nothing about the token.
NOT_FOUND_HTML = _static_page("Link not available", GONE_FRAGMENT)

TOO_MANY_HTML = _static_page(
    "Too many requests",
    (
        f'<div class="page"><main class="card narrow"><div class="gate-icon">{_CLOCK_SVG}</div>'
        '<h1>Too many requests</h1><p class="lede">This page was asked for too often in the last minute. '
        "Wait a minute, then reload it.</p></main></div>"
    ),
)

UNAVAILABLE_HTML = _static_page(
    "Temporarily unavailable",
    (
        f'<div class="page"><main class="card narrow"><div class="gate-icon">{_CLOCK_SVG}</div>'
        '<h1>Temporarily unavailable</h1><p class="lede">This page could not be loaded just now. '
        "Nothing is wrong with the link: try again in a moment.</p></main></div>"
    ),
)

ERROR_HTML = _static_page(
    "Something went wrong",
    (
        f'<div class="page"><main class="card narrow"><div class="gate-icon">{_BROKEN_SVG}</div>'
        '<h1>Something went wrong</h1><p class="lede">This page could not be shown. Try again in a moment; '
        "if it keeps happening, tell the person who shared the link.</p></main></div>"
    ),
)


def error_html(status: int) -> str:
    """The static page for a viewer error that is not about the link (no nonce, no details)."""
    return UNAVAILABLE_HTML if status == 503 else ERROR_HTML


@dataclass(frozen=True)
class Share:
    """What the page shows about a live link (never the token, never operator data)."""

    tenant_name: str
    resource_type: str
    resource_name: str
    label: str | None
    description: str | None
    expires_at: str | None
    updated_at: str | None
    # The tenant's branding (display name, accent colour, logo); None shows the tenant's name plainly.
    brand: Brand | None = None

    @property
    def shown_by(self) -> str:
        return self.brand.name if self.brand else self.tenant_name


def _hero(share: Share, now: datetime, *, extra_meta: Sequence[str] = (), notice: str = "") -> str:
    expiry = expires_in_words(share.expires_at, now)
    expires_at = _parse_datetime(share.expires_at) if share.expires_at else None
    expiry_title = f' title="{attr(format_datetime(expires_at))}"' if expires_at else ""
    meta = [
        f'<li class="badge readonly">{_LOCK_SVG}Read-only</li>',
        f"<li>{_CLOCK_SVG}<span{expiry_title}>This link {text(expiry)}</span></li>",
    ]
    if share.updated_at:
        meta.append(
            f'<li><span>Updated <time datetime="{attr(share.updated_at)}">'
            f"{text(ago_words(share.updated_at, now))}</time></span></li>"
        )
    meta.extend(extra_meta)
    parts = [
        '<div class="hero">',
        f'<p class="kind">{text(share.resource_type)}</p>',
        f"<h1>{text(share.resource_name)}</h1>",
    ]
    if share.label:
        parts.append(f'<p class="label">{text(share.label)}</p>')
    if share.description:
        parts.append(f'<p class="description">{text(share.description)}</p>')
    parts.append(f'<ul class="meta">{"".join(meta)}</ul>')
    if notice:
        parts.append(f'<p class="notice">{notice}</p>')
    parts.append("</div>")
    return "".join(parts)


def _brand(share: Share) -> str:
    logo = share.brand.logo if share.brand else None
    mark = f'<img class="logo" src="{attr(logo)}" alt="" width="28" height="28">' if logo else _KEYHOLE_SVG
    return (
        f'<header class="brand">{mark}<span>Shared with you by <strong>{text(share.shown_by)}</strong>'
        '</span><span class="live" title="This page updates itself when the shared data changes">Live</span>'
        "</header>"
    )


_FOOT = (
    '<p class="foot">A read-only page shared through a private link. Anyone with the link can see it, '
    "so please don't forward it.</p>"
)


def _title(share: Share) -> str:
    return f"{share.resource_name} · shared by {share.shown_by}"


def _live_page(
    share: Share,
    nonce: str,
    inner: str,
    *,
    poll_seconds: int = 0,
    etag: str = "",
    script: bool = False,
    gate: bool = False,
    unlock: str | None = None,
) -> str:
    live_attrs = f' data-poll-seconds="{int(poll_seconds)}" data-etag="{attr(etag)}"' if poll_seconds > 0 else ""
    if unlock and poll_seconds > 0:  # an embeddable link unlocked inside a frame: no cookie there
        live_attrs += f' data-unlock="{attr(unlock)}"'
    tail = f'<template id="gone">{GONE_FRAGMENT}</template>' if poll_seconds > 0 else ""
    if script:
        tail += f'<script nonce="{attr(nonce)}">{SCRIPT}</script>'
    brand = share.brand
    return (
        _head(
            _title(share),
            f'<style nonce="{attr(nonce)}">',
            favicon=(brand.favicon() if brand else None) or _FAVICON,
            brand_css=brand.css() if brand else "",
        )
        + f'<body><div class="page{" gated" if gate else ""}" id="share"{live_attrs}>'
        + f"{_brand(share)}{inner}{_FOOT}</div>{tail}</body></html>"
    )


def content_page(
    share: Share,
    document: Any,
    *,
    now: datetime,
    nonce: str,
    poll_seconds: int,
    etag: str,
    view_note: tuple[int, int] | None = None,
    hints: DisplayHints = NO_HINTS,
    rendered: str | None = None,
    files_html: str = "",
    unlock: str | None = None,
) -> str:
    """The shared document, read-only. `poll_seconds` 0 = no live updates (view-limited pages);
    the script still runs for charts and tables. `rendered`: `render_document(document, hints)`
    when the caller already has it (cached per version). `files_html`: the files the link shows
    (`file_list.render`), above the document (which is left out when the link shows files only).
    `unlock`: the unlock value the page's script sends with its requests (`X-Keyhole-Unlock`), for
    a page unlocked inside a frame."""
    extra: list[str] = []
    notice = ""
    if view_note is not None:
        used, limit = view_note
        extra.append(f"<li>{_EYE_SVG}View {used} of {limit}</li>")
        notice = "This link has a view limit: reloading this page uses another view."
    paused = (
        ('<p class="notice" id="paused" hidden>This page stopped updating. Reload it to see the latest version.</p>')
        if poll_seconds
        else ""
    )
    doc = (
        ""
        if files_html and not document
        else f'<div class="doc">{render_document(document, hints) if rendered is None else rendered}</div>'
    )
    inner = f'<main class="card">{_hero(share, now, extra_meta=extra, notice=notice)}{paused}{files_html}{doc}</main>'

    return _live_page(share, nonce, inner, poll_seconds=poll_seconds, etag=etag, script=True, unlock=unlock)


def password_page(share: Share, *, nonce: str, action: str, error: str | None = None) -> str:
    """The password form. `action` is relative to the page URL, so stage prefixes need no care."""
    problem = f'<p class="error" role="alert">{text(error)}</p>' if error else ""
    label = f'<p class="label">{text(share.label)}</p>' if share.label else ""
    inner = (
        f'<main class="card narrow"><div class="gate-icon">{_LOCK_SVG}</div>'
        f'<p class="kind">{text(share.resource_type)}</p><h1>{text(share.resource_name)}</h1>{label}'
        '<p class="lede">This page is protected with a password. Enter it to see what was shared.</p>'
        f'{problem}<form class="stack" method="post" action="{attr(action)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required '
        'autofocus maxlength="256"><button class="button" type="submit">Unlock</button></form>'
        '<p class="fine">After a few wrong attempts the form pauses for a minute.</p></main>'
    )
    return _live_page(share, nonce, inner, gate=True)


def confirm_page(share: Share, *, nonce: str, views_left: int, max_views: int, now: datetime) -> str:
    """The view-limit gate: a GET shows this button and uses nothing; pressing it POSTs."""
    label = f'<p class="label">{text(share.label)}</p>' if share.label else ""
    left = "1 view left" if views_left == 1 else f"{views_left} views left"
    inner = (
        f'<main class="card narrow"><div class="gate-icon">{_EYE_SVG}</div>'
        f'<p class="kind">{text(share.resource_type)}</p><h1>{text(share.resource_name)}</h1>{label}'
        f'<p class="lede">This link can be opened a limited number of times: <strong>{left}</strong> '
        f"of {max_views}. It {text(expires_in_words(share.expires_at, now))}.</p>"
        '<form class="stack" method="post"><button class="button" type="submit" id="use-view">'
        f"{_EYE_SVG}Show the content</button></form>"
        '<p class="fine">Showing it uses one view. Link previews and chat unfurlers never do.</p></main>'
    )
    return _live_page(share, nonce, inner, gate=True)
