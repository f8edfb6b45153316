"""The viewer's HTML surface: the page, the password unlock and the view-limit button.

Only the flows live here: resolving and accounting come from `resolve` (`lookup`, `account`,
`account_dead`), markup from `pages`. Each flow keeps the viewer budget of `resolve`: one read,
plain conditional writes (no transaction), no KMS call.

- `GET /share/{token}`: the page; a password form without the unlock cookie; the "show the
  content" button for view-limited links (a GET never uses a view: unfurlers and prefetchers GET).
- `POST /share/{token}`: the button: uses one view (conditional write, never past the limit).
- `POST /share/{token}/unlock`: a password (form or JSON). Attempts are throttled per link: each
  attempt is counted in the link's password window (a conditional update) before scrypt runs, so
  a full window is refused without that work and concurrent attempts never exceed the limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from chalicelib.credentials.passwords import verify_password
from chalicelib.credentials.tokens import PresentedToken
from chalicelib.links import unlock as unlock_cookie
from chalicelib.resources import display
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.viewer import pages as page
from chalicelib.viewer import render
from chalicelib.viewer.html_responses import (
    as_html,
    frames_of,
    html_headers,
    live_page,
    new_nonce,
    password_form,
    share_of,
    share_path,
)
from chalicelib.viewer.resolve import (
    Resolved,
    ViewerResponse,
    account,
    account_dead,
    admit,
    lookup,
    password_window,
    rate_limited,
    record,
)

REFRESH_HEADER = "x-keyhole-refresh"
MAX_UNLOCK_BODY_BYTES = 8 * 1024
MAX_PASSWORD_CHARS = 1024
WRONG_PASSWORD = "That password isn't right. Try again."  # noqa: S105 (a message, not a password)


def _gate(
    svc: Keyhole, token: PresentedToken, req: RequestInfo, headers: Mapping[str, str]
) -> ViewerResponse | Resolved:
    """The live link, or the response that stands in its way (the one 404, the password form)."""
    found = lookup(svc, token)
    resolved = found.resolved
    if resolved is None:
        return as_html(account_dead(svc, found, req))
    if (resolved.doc.kind or "document") == "origin":
        from chalicelib.viewer.proxy import hand_over  # origin links live on their content origin (docs/origins.md)

        return hand_over(svc, resolved, token, req, headers)
    if resolved.needs_password and not resolved.unlocked(headers, svc.clock.time()):
        return password_form(svc, resolved, req, action=f"./{token.value}/unlock")
    return resolved


def show(svc: Keyhole, token: PresentedToken, req: RequestInfo, headers: Mapping[str, str]) -> ViewerResponse:
    """`GET /share/{token}`: the page, the password form, or the view-limit button."""
    resolved = _gate(svc, token, req, headers)
    if isinstance(resolved, ViewerResponse):
        return resolved
    if resolved.view_limited:
        refusal = account(svc, resolved, req, status=200, outcome="confirm_required", count_link=False)
        if refusal:
            return as_html(refusal)
        nonce = new_nonce()
        left = int(resolved.cap.max_views) - int(resolved.cap.views_used or 0)
        return live_page(
            200,
            page.confirm_page(
                share_of(resolved),
                nonce=nonce,
                views_left=left,
                max_views=int(resolved.cap.max_views),
                now=svc.clock.now(),
            ),
            nonce,
            frames_of(svc, resolved),
        )
    return _content(svc, resolved, req, refresh_of=_header(headers, REFRESH_HEADER))


def use_view(svc: Keyhole, token: PresentedToken, req: RequestInfo, headers: Mapping[str, str]) -> ViewerResponse:
    """`POST /share/{token}`: the button of a view-limited link; uses one view, shows the content."""
    resolved = _gate(svc, token, req, headers)
    if isinstance(resolved, ViewerResponse):
        return resolved
    if not resolved.view_limited:  # the limit was lifted while the button was on screen
        return _content(svc, resolved, req)
    return _content(svc, resolved, req, use_view=True)


def _content(
    svc: Keyhole,
    resolved: Resolved,
    req: RequestInfo,
    *,
    use_view: bool = False,
    refresh_of: str | None = None,
    unlock_value: str | None = None,
) -> ViewerResponse:
    """The content page. A live page re-rendering the version its poll of `/data` just fetched
    names that version's ETag; while that version is a fresh update (`Resolved.recently_updated`)
    the request is logged as `refreshed`: not a view, not counted against the link's window. Any
    other value, or the current ETag replayed after the grace, is an ordinary, counted page open."""
    refreshed = (
        not use_view
        and refresh_of is not None
        and refresh_of == resolved.etag()
        and resolved.recently_updated(svc.clock.time())
    )
    refusal = account(
        svc,
        resolved,
        req,
        status=200,
        outcome="refreshed" if refreshed else "viewed",
        use_view=use_view,
        count_link=not refreshed,
    )
    if refusal:
        return as_html(refusal)
    nonce = new_nonce()
    view_note: tuple[int, int] | None = None
    if use_view:
        view_note = (int(resolved.cap.views_used or 0) + 1, int(resolved.cap.max_views))
    document = resolved.document()
    files_html, files_origin = _files_part(svc, resolved) if resolved.has_files else ("", None)
    body = page.content_page(
        share_of(resolved),
        document,
        now=svc.clock.now(),
        nonce=nonce,
        poll_seconds=0 if use_view else svc.settings.effective_page_poll_seconds,
        etag=resolved.etag(),
        view_note=view_note,
        # The document's HTML depends on the version (document and display hints), scope and
        # redaction alone: rendered once per container (a 200 KB document takes far longer to
        # render than to serve).
        rendered=resolved.memo(
            "html", lambda: render.render_document(document, display.parse(resolved.content().get("display")))
        ),
        unlock=unlock_value,
        files_html=files_html,
    )
    return live_page(200, body, nonce, frames_of(svc, resolved), files_origin=files_origin)


MAX_PREVIEWS = 50  # images previewed on one page (each is a GET of the whole image from the bucket)


def _files_part(svc: Keyhole, resolved: Resolved) -> tuple[str, str | None]:
    """The files section, with presigned URLs for the image previews (part of this view, which
    passed every check: they expire within a minute, like any download URL), and the bucket
    origin the page's CSP must allow for them."""
    from chalicelib.files import names, objects
    from chalicelib.viewer import file_list

    shown = resolved.files()
    if not shown:
        return "", None
    previews: dict[str, str] = {}
    for entry in shown:
        if len(previews) >= MAX_PREVIEWS:
            break
        if names.previewable(str(entry["content_type"]), int(entry["size"])):
            previews[str(entry["id"])] = objects.presign_get(
                svc,
                objects.file_key(resolved.cap.tenant_id, resolved.token.locator, str(entry["id"])),
                content_type=names.served_type(str(entry["content_type"])),
                disposition=names.content_disposition(str(entry["name"]), "inline"),
            )
    html = file_list.render(
        shown,
        token=resolved.token.value,
        previews=previews,
        bundle=resolved.bundle(),
        view_limited=resolved.view_limited,
    )
    return html, objects.presigned_origin(svc.settings)


def unlock(
    svc: Keyhole, token: PresentedToken, req: RequestInfo, headers: Mapping[str, str], raw_body: bytes | None
) -> ViewerResponse:
    """`POST /share/{token}/unlock`: check the password; on success a short-lived cookie scoped to
    this link, then the page (303 for forms, 200 JSON for scripts)."""
    wants_json = _is_json(headers)
    found = lookup(svc, token)
    resolved = found.resolved
    if resolved is None:
        dead = account_dead(svc, found, req)
        return dead if wants_json else as_html(dead)
    page_path = share_path(req, token)
    same_site = "Strict"
    if (resolved.doc.kind or "document") == "origin":
        # Origin links unlock on their content origin (chalicelib/viewer/proxy.py), which is
        # always served at its root; the viewer arrives there from Keyhole's host by a redirect,
        # a cross-site navigation on which only a Lax cookie is sent.
        page_path, same_site = f"/share/{token.value}", "Lax"
    landing = page_path + "/o/" if same_site == "Lax" else page_path
    if not resolved.needs_password:
        refusal = account(
            svc, resolved, req, status=200 if wants_json else 303, outcome="unlock_not_needed", count_link=False
        )
        if refusal:
            return refusal if wants_json else as_html(refusal)
        return _unlocked(wants_json, landing, cookie=None)
    password, malformed = _read_password(raw_body, wants_json)
    if malformed:
        refusal = account(svc, resolved, req, status=400, outcome="bad_request", count_link=False)
        return refusal or ViewerResponse(
            400, {"error": {"code": "bad_request", "message": 'Send a JSON object: {"password": "..."}'}}
        )
    attempts = password_window(svc, resolved.token)
    # The attempt is counted before scrypt runs: a full window costs no scrypt work, and
    # concurrent guesses can never get more verdicts than the window allows.
    refusal = admit(svc, resolved, req, count_link=False, extra_windows=[attempts])
    if refusal is not None:
        if refusal.status == 429:
            return _too_many_attempts(svc, resolved, wants_json, refusal, attempts.retry_after)
        return refusal if wants_json else as_html(refusal)
    correct = (
        password is not None
        and 0 < len(password) <= MAX_PASSWORD_CHARS
        and verify_password(password, resolved.cap.password_hash)
    )
    status = (200 if wants_json else 303) if correct else 401
    record(svc, resolved, req, status=status, outcome="unlocked" if correct else "wrong_password")
    if not correct:
        if wants_json:
            return ViewerResponse(401, {"error": {"code": "wrong_password", "message": WRONG_PASSWORD}})
        nonce = new_nonce()
        return live_page(
            401,
            page.password_page(share_of(resolved), nonce=nonce, action="unlock", error=WRONG_PASSWORD),
            nonce,
            frames_of(svc, resolved),
        )
    value = unlock_cookie.issue(
        link_id=resolved.cap.link_id,
        cookie_salt=resolved.cap.cookie_salt,
        password_hash=resolved.cap.password_hash,
        now=svc.clock.time(),
    )
    cookie = unlock_cookie.set_cookie_header(
        value, path=page_path, secure=req.base_url.startswith("https://"), same_site=same_site
    )
    if resolved.cap.embeddable and not wants_json and _in_frame(headers):
        # Inside another site's frame the browser neither keeps nor sends this cookie (third-party
        # cookies): the content comes in this response (what the redirect's GET would show; with
        # a view limit, the view the button would use: the viewer asked for it by unlocking), and
        # the page's script sends the unlock value itself (`X-Keyhole-Unlock`, kept in memory).
        return _content(svc, resolved, req, use_view=resolved.view_limited, unlock_value=value)
    return _unlocked(wants_json, landing, cookie=cookie)


def _in_frame(headers: Mapping[str, str]) -> bool:
    """The browser loads this into a frame (`Sec-Fetch-Dest`: every current browser sends it)."""
    return (_header(headers, "sec-fetch-dest") or "").lower() == "iframe"


def _unlocked(wants_json: bool, page_path: str, *, cookie: str | None) -> ViewerResponse:
    if wants_json:
        response = ViewerResponse(
            200, {"unlocked": True, "expires_in": unlock_cookie.COOKIE_TTL_SECONDS if cookie else None}
        )
    else:  # Post/Redirect/Get: a reload of the page never re-posts the password
        response = ViewerResponse(303, "", html_headers(page.STATIC_CSP))
        response.headers["Location"] = page_path
    if cookie:
        response.headers["Set-Cookie"] = cookie
    return response


def _too_many_attempts(
    svc: Keyhole, resolved: Resolved, wants_json: bool, refusal: ViewerResponse | None, retry_after: int
) -> ViewerResponse:
    if refusal is not None and refusal.status != 429:
        return refusal if wants_json else as_html(refusal)
    if wants_json:
        return rate_limited(retry_after)
    nonce = new_nonce()
    response = live_page(
        429,
        page.password_page(
            share_of(resolved),
            nonce=nonce,
            action="unlock",
            error=f"Too many attempts. Wait {retry_after} seconds, then try again.",
        ),
        nonce,
        frames_of(svc, resolved),
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _is_json(headers: Mapping[str, str]) -> bool:
    return (_header(headers, "content-type") or "").split(";")[0].strip().lower() == "application/json"


def _read_password(raw_body: bytes | None, wants_json: bool) -> tuple[str | None, bool]:
    """The submitted password (None if absent or oversized) and whether a JSON body was malformed."""
    raw = raw_body or b""
    if len(raw) > MAX_UNLOCK_BODY_BYTES:
        return None, False
    text = raw.decode("utf-8", errors="replace")
    if wants_json:
        try:
            body: Any = json.loads(text) if text.strip() else {}
        except (ValueError, RecursionError):  # RecursionError: a few KiB of nested brackets
            return None, True
        if not isinstance(body, dict):
            return None, True
        password = body.get("password")
        return (password if isinstance(password, str) else None), False
    values = parse_qs(text, keep_blank_values=True).get("password")
    return (values[0] if values else None), False
