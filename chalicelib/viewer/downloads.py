"""`GET|POST /share/{token}/files/{file_id}`: a download, checked like a view and counted as one.

The request resolves the link exactly as `/data` does (one strongly consistent read of the
capability and the viewer head: expiry, revocation, suspension; the password cookie; the view
limit's deliberate step; the address's and the link's windows), records one access event (outcome
`viewed`, its path naming the file), and answers with a redirect to a presigned GET of the object,
valid `objects.DOWNLOAD_URL_SECONDS` (60 s), with `Content-Disposition: attachment` and the
file's name (RFC 6266) and a type that cannot run script. The handler never touches the bytes:
the viewer's browser fetches them from S3, Range requests included.

- A dead link, and a file that is not one the link shows (another resource's, outside the scope,
  deleted, made up), get the one 404 with the same work as a dead token (the read, then the
  address's failed-resolve window; no access event): guessing file ids is guessing tokens.
- A password link without the unlock cookie: 401 `password_required`, as `/data`.
- A view-limited link: a GET is 409 `confirm_required` (mail scanners and unfurlers GET every
  link); a POST uses one view and answers 303 to the file. The page's buttons POST.
- `bundle` instead of a file id: the zip of every file the link shows, once it is built (409
  `preparing` with `Retry-After` until then).
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.credentials.tokens import PresentedToken
from chalicelib.files import names, objects
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.viewer.resolve import Lookup, Resolved, ViewerResponse, account, account_dead, lookup

PREPARING_RETRY_SECONDS = 10


def _refusal(status: int, code: str, message: str) -> ViewerResponse:
    return ViewerResponse(status, {"error": {"code": code, "message": message}})


def download(
    svc: Keyhole,
    token: PresentedToken,
    req: RequestInfo,
    headers: Mapping[str, str],
    file_id: str,
    *,
    method: str = "GET",
) -> ViewerResponse:
    found = lookup(svc, token)
    resolved = found.resolved
    if resolved is None:
        return account_dead(svc, found, req)
    if (resolved.doc.kind or "document") == "origin":
        return _outside(svc, found, resolved, req)
    if resolved.needs_password and not resolved.unlocked(headers, svc.clock.time()):
        refusal = account(svc, resolved, req, status=401, outcome="password_required", count_link=False)
        return refusal or _refusal(
            401, "password_required", "This link is protected by a password: POST it to /unlock first"
        )
    if resolved.view_limited and method != "POST":
        refusal = account(svc, resolved, req, status=409, outcome="confirm_required", count_link=False)
        return refusal or _refusal(
            409, "confirm_required", "This link has a view limit: POST to this URL to use one view for the download"
        )
    if file_id == names.BUNDLE:
        return _bundle(svc, resolved, found, req, method=method)
    entry = next((f for f in resolved.files() if f["id"] == file_id), None) if names.valid_file_id(file_id) else None
    if entry is None:
        return _outside(svc, found, resolved, req)
    status = 303 if method == "POST" else 302
    refusal = account(svc, resolved, req, status=status, outcome="viewed", use_view=resolved.view_limited)
    if refusal:
        return refusal
    key = objects.file_key(resolved.cap.tenant_id, resolved.token.locator, str(entry["id"]))
    url = objects.presign_get(
        svc,
        key,
        content_type=names.served_type(str(entry["content_type"])),
        disposition=names.content_disposition(str(entry["name"])),
    )
    return _redirect(status, url)


def _bundle(svc: Keyhole, resolved: Resolved, found: Lookup, req: RequestInfo, *, method: str) -> ViewerResponse:
    bundle = resolved.bundle()
    if bundle is None:
        return _outside(svc, found, resolved, req)
    digest, size = bundle
    if size is None:
        refusal = account(svc, resolved, req, status=409, outcome="preparing", count_link=False)
        if refusal:
            return refusal
        response = _refusal(409, "preparing", "The zip of these files is being prepared; try again shortly")
        response.headers["Retry-After"] = str(PREPARING_RETRY_SECONDS)
        return response
    status = 303 if method == "POST" else 302
    refusal = account(svc, resolved, req, status=status, outcome="viewed", use_view=resolved.view_limited)
    if refusal:
        return refusal
    url = objects.presign_get(
        svc,
        objects.bundle_key(resolved.cap.tenant_id, resolved.token.locator, digest),
        content_type="application/zip",
        disposition=names.content_disposition(names.zip_name(resolved.doc.name)),
    )
    return _redirect(status, url)


def _outside(svc: Keyhole, found: Lookup, resolved: Resolved, req: RequestInfo) -> ViewerResponse:
    """A file the link does not show: the one 404, with exactly a dead token's work."""
    return account_dead(svc, Lookup(token=found.token, dead_reason="unknown", tenant=resolved.tenant), req)


def _redirect(status: int, url: str) -> ViewerResponse:
    response = ViewerResponse(status, "")
    response.headers["Location"] = url
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response
