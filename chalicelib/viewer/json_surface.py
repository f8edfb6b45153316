"""The viewer's JSON surface: `GET|POST /share/{token}/data` and `GET /share/{token}/info`.

What each costs is in `resolve`. A conditional GET of `/data` (an open page's poll) reads
eventually consistently and, when its ETag still matches, answers 304 without the document and
without an access event; a poll that will send content reads again, strongly, first.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.credentials.tokens import PresentedToken
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.viewer.resolve import ViewerResponse, account, account_dead, lookup


def _json_refusal(status: int, code: str, message: str) -> ViewerResponse:
    return ViewerResponse(status, {"error": {"code": code, "message": message}})


def data(
    svc: Keyhole, token: PresentedToken, req: RequestInfo, headers: Mapping[str, str], *, method: str = "GET"
) -> ViewerResponse:
    """`GET|POST /share/{token}/data`."""
    lowered = {k.lower(): v for k, v in headers.items()}
    presented = [t.strip() for t in lowered["if-none-match"].split(",")] if "if-none-match" in lowered else []
    return _data(svc, token, req, lowered, presented, method=method, poll=bool(presented) and method == "GET")


def _data(
    svc: Keyhole,
    token: PresentedToken,
    req: RequestInfo,
    headers: Mapping[str, str],
    presented: list[str],
    *,
    method: str,
    poll: bool,
) -> ViewerResponse:
    found = lookup(svc, token, consistent=not poll)
    resolved = found.resolved
    if resolved is None:
        return account_dead(svc, found, req)
    if (resolved.doc.kind or "document") == "origin":
        # A live share of the tenant's own service has no document (docs/origins.md).
        refusal = account(svc, resolved, req, status=409, outcome="origin_link", count_link=False)
        return refusal or _json_refusal(
            409, "origin_link", "This link shares a live service, not a document: its content is under /o/"
        )
    now = svc.clock.time()
    if resolved.needs_password and not resolved.unlocked(headers, now):
        refusal = account(svc, resolved, req, status=401, outcome="password_required", count_link=False)
        return refusal or _json_refusal(
            401, "password_required", "This link is protected by a password: POST it to /unlock first"
        )
    if resolved.view_limited and method != "POST":
        refusal = account(svc, resolved, req, status=409, outcome="confirm_required", count_link=False)
        return refusal or _json_refusal(
            409, "confirm_required", "This link has a view limit: POST to /data to use one view"
        )
    etag = resolved.etag()
    conditional = not resolved.view_limited and bool(presented)
    if conditional and etag in presented:
        refusal = account(svc, resolved, req, status=304, outcome=None, count_link=False)
        if refusal:
            return refusal
        response = ViewerResponse(304, None)
        response.headers["ETag"] = etag
        return response
    if poll:  # about to send content: read again, strongly (a revocation is effective at once)
        return _data(svc, token, req, headers, presented, method=method, poll=False)
    # An open page whose poll finds a new version (it presents an earlier version's ETag, and that
    # version was written within the grace) gets a refresh: logged, but not a view and not counted
    # against the link's window, so a page left open never trips it. Any other validator (made up,
    # replayed, stale) is an ordinary fetch. The per-IP window still counts every request.
    refreshed = (
        conditional and any(resolved.is_earlier_etag(tag) for tag in presented) and resolved.recently_updated(now)
    )
    refusal = account(
        svc,
        resolved,
        req,
        status=200,
        outcome="refreshed" if refreshed else "viewed",
        use_view=resolved.view_limited,
        count_link=not refreshed,
    )
    if refusal:
        return refusal
    response = ViewerResponse(200, resolved.data_body(req.base_url))
    response.headers["ETag"] = etag
    return response


def info(svc: Keyhole, token: PresentedToken, req: RequestInfo) -> ViewerResponse:
    """`GET /share/{token}/info`: minimal public info, no document, no view used."""
    found = lookup(svc, token)
    if found.resolved is None:
        return account_dead(svc, found, req)
    refusal = account(svc, found.resolved, req, status=200, outcome="info", count_link=False)
    return refusal or ViewerResponse(200, found.resolved.info_body())
