"""Resolving a share token for a viewer request, and accounting for it: what every viewer route
(the JSON surface, the page flows) shares.

What a request costs (docs/design.md, "What a view costs"; the budgets are in capacity
units and dollars):
1. One BatchGetItem reads the capability (by SHA-256 of the token) and the resource's viewer head
   (named by the token's locator; one of its replicas, chosen by the token). The tenant item comes
   from the container's cache (`chalicelib/runtime/caches.py`, at most `TENANT_TTL_SECONDS` old), or is
   added to that same read. A poll (a conditional `/data`) reads eventually consistently; anything
   that may send content reads strongly, so a revoked link is dead at once.
2. The content (the document) comes with the head when it is small, else from the container's
   cache of immutable versions (`chalicelib/resources/documents.py`). 304 polls and `/info` never need it.
3. Accounting is plain conditional writes, never a transaction: the address's minute window (which
   also checks the enumeration guard), the link's own window when it has one, a password attempt,
   a view use, then the access event (one of the link's write shards, under 1 KB). No item that
   many viewers share is ever in a transaction, so DynamoDB never cancels one viewer's request
   because of another's (`TransactionConflict`).

Every dead token (unknown, malformed, expired, revoked, exhausted, resource deleted) costs the
same work: that one read with the same keys, then one update of the address's window; no access
event. And it gets the same 404: status, body and headers.

ETags are `"<document version>.<32 hex>"`, so a conditional request can tell a page that last saw an
earlier version (a refresh after an update) from a made-up or replayed validator (docs/viewer.md,
"Live updates").
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from botocore.exceptions import ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib.credentials.tokens import PresentedToken, ShareToken, located_token, new_id
from chalicelib.links import unlock
from chalicelib.resources import documents
from chalicelib.resources.redaction import viewer_document
from chalicelib.runtime import telemetry
from chalicelib.runtime.caches import MISSING, SizedLru
from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339, to_rfc3339_ms
from chalicelib.runtime.errors import RateLimited, Unavailable
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import AccessEvent, Capability, Tenant, ViewerHead, plain
from chalicelib.storage.ratelimit import Window, hit_ip, hit_window, window
from chalicelib.storage.sizes import item_bytes
from chalicelib.storage.store import error_code
from chalicelib.tenancy.branding import shown_name
from chalicelib.tenancy.tenant_settings import limits_of, settings_of

logger = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = "Share link not found or has been revoked"
NOT_FOUND_BODY = {"error": {"code": "not_found", "message": NOT_FOUND_MESSAGE}}
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

# A conditional request that finds a new version is a free refresh only while that version is this
# recent. Open pages poll at most every 5 minutes (hidden tab, network back-off: page.SCRIPT, and
# config.MAX_PAGE_POLL_SECONDS), so a page always comes back well within it; past it the request is
# an ordinary, counted view. It bounds what a replayed validator gains: 15 minutes per update.
REFRESH_GRACE_SECONDS = 15 * 60
# An ETag we issued: the document version, then the hash of everything the response shows.
_ETAG = re.compile(r'"([1-9][0-9]{0,14})\.[0-9a-f]{32}"')

# A plain write that meets an admin transaction on the same item (a view use while the link is
# being edited) is refused with TransactionConflictException: attempts in all, and the base of the
# jittered pause between them; then 503.
CONFLICT_ATTEMPTS = 3
CONFLICT_PAUSE_SECONDS = 0.005

T = TypeVar("T")

VIEWER_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}


def viewer_headers(csp: str = JSON_CSP, content_type: str = "application/json") -> dict[str, str]:
    return {**VIEWER_HEADERS, "Content-Security-Policy": csp, "Content-Type": content_type}


@dataclass
class ViewerResponse:
    status: int
    body: Any = None  # dict (JSON), str (HTML) or None (304)
    headers: dict[str, str] = field(default_factory=viewer_headers)


def not_found() -> ViewerResponse:
    return ViewerResponse(404, NOT_FOUND_BODY)


def rate_limited(retry_after: int) -> ViewerResponse:
    headers = viewer_headers()
    headers["Retry-After"] = str(retry_after)
    return ViewerResponse(
        429,
        {"error": {"code": "rate_limited", "message": "Too many requests; slow down", "retry_after": retry_after}},
        headers,
    )


@dataclass
class Resolved:
    """A live link, with everything a viewer response needs. `doc` is the resource's viewer head
    (type, name, version, updated_at); the content behind it is loaded on first use."""

    token: ShareToken
    cap: Capability
    doc: ViewerHead
    tenant: Tenant
    load_content: Callable[[], dict[str, Any]] = field(repr=False, default=lambda: {})
    derived: SizedLru | None = field(default=None, repr=False)  # the container's per-version cache
    _content: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def link_id(self) -> str:
        return self.cap.link_id

    def content(self) -> dict[str, Any]:
        if self._content is None:
            self._content = self.load_content()
        return self._content

    def scope_fields(self) -> list | None:
        if not self.cap.scope:
            return None
        return list((self.content().get("scopes") or {}).get(self.cap.scope, []))

    def redact_names(self) -> list[str]:
        """Field names shown as `***` at any depth."""
        return list(self.content().get("redact") or [])

    def memo(self, what: str, compute: Callable[[], T]) -> T:
        """`compute()`, cached in the container for this version, scope and redaction list: what
        depends on nothing else (the viewer's document, its HTML) is computed once per version.
        Callers must not change what they get back."""
        if self.derived is None:
            return compute()
        key = (
            what,
            self.token.locator,
            int(self.doc.version),
            self.cap.scope,
            tuple(self.redact_names()),
            self.default_redact,
        )
        found = self.derived.lookup(key)
        if found is None:
            found = compute()
            self.derived.store(key, found, int(self.doc.content_bytes or 0))
        return found

    @property
    def default_redact(self) -> bool:
        """The tenant's default secret names apply (setting `default_redact`, on by default)."""
        return bool(settings_of(self.tenant)["default_redact"])

    def document(self) -> dict[str, Any]:
        return self.memo(
            "document",
            lambda: viewer_document(
                self.content()["document"],
                scope_fields=_document_fields(self.scope_fields()),
                redact_names=self.redact_names(),
                default_secrets=self.default_redact,
            ),
        )

    def link_json(self) -> dict[str, Any]:
        return {
            "label": self.cap.label,
            "description": self.cap.description,
            "scope": self.cap.scope,
            "expires_at": self.cap.expires_at,
        }

    @property
    def has_files(self) -> bool:
        return bool(self.content().get("files"))

    def files(self) -> list[dict[str, Any]]:
        """The files this link shows (its scope's `file:` patterns; every file without a scope)."""
        from chalicelib.files import names as file_names  # resources with files only: not on a cold import

        return self.memo(
            "files",
            lambda: [
                dict(f)
                for f in file_names.visible(
                    self.content().get("files") or [], file_names.file_patterns(self.scope_fields())
                )
            ],
        )

    def bundle(self) -> tuple[str, int | None] | None:
        """The "download all" zip of the files this link shows: (digest, size when built), or None
        when it offers none (fewer than two files, or too large)."""
        from chalicelib.files import names as file_names

        shown = self.files()
        if not file_names.bundle_offered(shown):
            return None
        digest = file_names.bundle_digest(shown)
        ready = plain(self.doc.bundles) if self.doc.bundles is not None else {}
        size = ready.get(digest)
        return digest, None if size is None else int(size)

    def data_body(self, base_url: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {
            "resource": {"type": self.doc.type, "name": self.doc.name},
            "link": self.link_json(),
            "document": self.document(),
            "updated_at": self.doc.updated_at,
        }
        if self.has_files:  # a resource with files lists the ones this link shows, and the zip
            from chalicelib.files import names as file_names

            share = f"{base_url}/share/{self.token.value}/files"
            body["files"] = [
                {
                    "id": f["id"],
                    "name": f["name"],
                    "content_type": f["content_type"],
                    "size": int(f["size"]),
                    "sha256": f["sha256"],
                    "download_url": f"{share}/{f['id']}",
                }
                for f in self.files()
            ]
            bundle = self.bundle()
            body["bundle"] = (
                None
                if bundle is None
                else {
                    "status": "preparing" if bundle[1] is None else "ready",
                    "size": bundle[1],
                    "download_url": f"{share}/{file_names.BUNDLE}",
                }
            )
        return body

    @property
    def tenant_name(self) -> str:
        """The tenant as viewers see it named: its display name (branding), else its name."""
        return shown_name(settings_of(self.tenant), self.tenant.name)

    def info_body(self) -> dict[str, Any]:
        return {
            "label": self.cap.label,
            "description": self.cap.description,
            "expires_at": self.cap.expires_at,
            "has_password": self.cap.password_hash is not None,
            "tenant": {"name": self.tenant_name},
            "resource": {"type": self.doc.type, "name": self.doc.name},
        }

    def etag(self) -> str:
        """`"<version>.<hash>"`: the version lets a conditional request say which version it saw."""
        material = json.dumps(
            [
                self.doc.version,
                self.doc.updated_at,
                self.link_json(),
                self.doc.type,
                self.doc.name,
                self.default_redact,
            ],
            sort_keys=True,
        )
        return f'"{int(self.doc.version)}.{hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]}"'

    def is_earlier_etag(self, tag: str) -> bool:
        """Whether `tag` is shaped like one of our ETags for an earlier version of this document.
        The hash of an old version cannot be recomputed, so only the version is checked."""
        match = _ETAG.fullmatch(tag.strip())
        return match is not None and int(match.group(1)) < int(self.doc.version)

    def recently_updated(self, now: float) -> bool:
        """The current version came from an update (not the first write) in the refresh grace."""
        if int(self.doc.version) <= 1:
            return False
        try:
            written = parse_rfc3339(self.doc.updated_at).timestamp()
        except (TypeError, ValueError):
            return False
        return now - written <= REFRESH_GRACE_SECONDS

    @property
    def needs_password(self) -> bool:
        return self.cap.password_hash is not None

    @property
    def view_limited(self) -> bool:
        return self.cap.max_views is not None

    def unlocked(self, headers: Mapping[str, str], now: float) -> bool:
        return unlock.verify(
            unlock.read_cookie(headers),
            link_id=self.cap.link_id,
            cookie_salt=self.cap.cookie_salt,
            password_hash=self.cap.password_hash,
            now=now,
        )


def _document_fields(scope_fields: list | None) -> list | None:
    """The document fields a scope shows: its entries but the `file:` ones (chalicelib/files/names.py)."""
    return None if scope_fields is None else [f for f in scope_fields if not str(f).startswith("file:")]


@dataclass
class Lookup:
    """Result of the single read: `resolved` for a live link, else why it is dead."""

    token: ShareToken | None
    resolved: Resolved | None = None
    dead_reason: str = "unknown"
    tenant: Tenant | None = None
    consistent: bool = True


def password_window(svc: Keyhole, token: ShareToken) -> Window:
    """The per-link password-attempt window. Keyed by the token's hash (one token per link, for
    life) rather than the link id; an attempt is counted in it before scrypt runs."""
    return window(f"PW#{token.hash}", svc.settings.password_attempts_per_min, svc.clock.time())


def lookup_keys(token: PresentedToken) -> list[tuple[Any, tuple[str, str]]]:
    """The capability and viewer-head keys a token names (keys derived from its hash when it is
    malformed, which name nothing): what every lookup reads, whatever the token is."""
    token_hash = token.hash
    return [(Capability, Capability.key(token_hash)), (ViewerHead, documents.head_key(token.locator, token_hash))]


def lookup(svc: Keyhole, token: PresentedToken, *, consistent: bool = True, allow_exhausted: bool = False) -> Lookup:
    """Read what the token names, in one BatchGetItem whatever the token is.

    A malformed token reads keys derived from its hash (which name nothing), so it costs what an
    unknown token costs; `consistent=False` is for polls (docs/viewer.md)."""
    keys = lookup_keys(token)
    now = svc.clock.time()
    tenant_id = token.tenant_id
    cached: Any = svc.tenant_cache.get(tenant_id, now) if tenant_id else None
    if tenant_id and cached is MISSING:
        keys.append((Tenant, Tenant.key(tenant_id)))
    found = svc.store.batch_get(keys, consistent=consistent)
    cap, head = found[0], found[1]
    tenant: Any = cached
    if tenant_id and cached is MISSING:
        tenant = found[2]
        svc.tenant_cache.put(tenant_id, tenant, now)
    return lookup_from(svc, token, cap, head, tenant, consistent=consistent, allow_exhausted=allow_exhausted)


def lookup_from(
    svc: Keyhole,
    presented: PresentedToken,
    cap: Any,
    head: Any,
    tenant: Any,
    *,
    consistent: bool = True,
    allow_exhausted: bool = False,
    only_tenant: str | None = None,
) -> Lookup:
    """A lookup from items already read (`lookup_keys`, batched with other reads: introspection).

    `allow_exhausted`: a view-limited link whose last view is used still resolves (the proxied
    surface lets a visit opened with that view finish; everything else treats it as dead).
    `only_tenant`: links of any other tenant are dead to this caller (introspection), so an
    imported token of another tenant stops before its second read, as an unknown token does."""
    token = presented.parsed
    if cap is not None and cap.locator != presented.locator:
        # An imported token (docs/platform.md): it names nothing itself, its capability names the
        # resource. A link dead by its capability alone costs what any dead token costs; a live one
        # reads its viewer head (and tenant) in a second read.
        reason = _capability_dead(svc, cap)
        if reason == "exhausted" and allow_exhausted:
            reason = None
        if reason is None and only_tenant is not None and cap.tenant_id != only_tenant:
            reason = "unknown"  # (to this caller: another tenant's link)
        if reason is not None:
            return Lookup(token=None, dead_reason=reason, tenant=None, consistent=consistent)
        token = located_token(presented.value, cap.locator)
        head, tenant = _imported_reads(svc, token, cap, tenant, consistent=consistent)
    reason = _dead_reason(svc, token, cap, head, tenant)
    if reason == "exhausted" and allow_exhausted:
        reason = None
    if reason is not None or token is None:
        # The tenant named by the token's own bytes (if any) sets the enumeration guard for every
        # dead token of it alike.
        return Lookup(token=token, dead_reason=reason or "malformed", tenant=tenant, consistent=consistent)
    resolved = Resolved(
        token=token,
        cap=cast(Capability, cap),
        doc=cast(ViewerHead, head),
        tenant=cast(Tenant, tenant),
        load_content=lambda: _content(svc, token, cast(ViewerHead, head)),
        derived=svc.derived,
    )
    return Lookup(token=token, resolved=resolved, tenant=tenant, consistent=consistent)


def _capability_dead(svc: Keyhole, cap: Capability) -> str | None:
    """Why a link is dead from its capability alone (None: it may be live). One predicate for
    `_dead_reason` and for imported tokens (which stop here, before their second read), so every
    link dead by its capability costs the same work whatever kind of token names it."""
    if cap.suspended:
        return "suspended"
    if cap.paused:
        return "paused"  # PATCH /v1/links/{id} {"paused": true}: dead until resumed, the same 404
    if cap.expires_at is not None and cap.expires_at <= to_rfc3339(svc.clock.now()):
        return "expired"
    if cap.max_views is not None and int(cap.views_used or 0) >= int(cap.max_views):
        return "exhausted"
    return None


def _imported_reads(
    svc: Keyhole, token: ShareToken, cap: Capability, tenant: Any, *, consistent: bool
) -> tuple[Any, Any]:
    """The viewer head an imported token's capability names, and its tenant (from the container's
    cache, or the caller's when it is the same tenant, else read with the head): one BatchGetItem."""
    now = svc.clock.time()
    known: Any = tenant if isinstance(tenant, Tenant) and tenant.tenant_id == cap.tenant_id else None
    if known is None:
        known = svc.tenant_cache.get(cap.tenant_id, now)
    keys: list[tuple[Any, tuple[str, str]]] = [(ViewerHead, documents.head_key(token.locator, token.hash))]
    if known is MISSING:
        keys.append((Tenant, Tenant.key(cap.tenant_id)))
    found = svc.store.batch_get(keys, consistent=consistent)
    if known is MISSING:
        known = found[1]
        svc.tenant_cache.put(cap.tenant_id, known, now)
    return found[0], known


def _dead_reason(svc: Keyhole, token: ShareToken | None, cap: Any, head: Any, tenant: Any) -> str | None:
    if token is None:
        return "malformed"
    if cap is None:
        return "unknown"
    if (
        head is None
        or tenant is None
        or head.resource_id != cap.resource_id
        or head.tenant_id != cap.tenant_id
        or cap.tenant_id != tenant.tenant_id
    ):
        return "revoked"
    if tenant.suspended:
        # Ops suspended the tenant: its links are dead links (the one 404, the same work). It
        # reaches viewers within caches.TENANT_TTL_SECONDS (the tenant item is cached that long).
        return "suspended"
    return _capability_dead(svc, cap)


def _content(svc: Keyhole, token: ShareToken, head: ViewerHead) -> dict[str, Any]:
    try:
        return documents.content_of(svc.store, svc.contents, token.locator, head)
    except documents.ContentMissing as missing:  # replaced and expired under an old head: retry
        raise Unavailable("The resource changed while it was being read; retry") from missing


# --- accounting ----------------------------------------------------------------------------


def _event(
    svc: Keyhole, cap: Capability, req: RequestInfo, *, status: int, outcome: str, retention_days: int, daily: bool
) -> AccessEvent:
    """`daily`: the tenant is a platform's (its usage per day counts views); only then is the flag
    written, so the stream consumer writes no usage item for other tenants' views."""
    now = svc.clock.now()
    event_id = new_id("acc", 10)
    event = AccessEvent(
        pk=AccessEvent.partition(cap.link_id, secrets.randbelow(AccessEvent.SHARDS)),
        sk=f"{to_rfc3339_ms(now)}#{event_id}",
        event_id=event_id,
        link_id=cap.link_id,
        tenant_id=cap.tenant_id,
        resource_id=cap.resource_id,
        at=to_rfc3339_ms(now),
        ip=req.ip,
        user_agent=(req.user_agent or "")[:512] or None,
        method=req.method,
        path=req.path,
        status=status,
        latency_ms=req.latency_ms(),
        outcome=outcome,
        daily=True if daily else None,
        ttl=int(svc.clock.time()) + retention_days * 86400,
    )
    _fit_one_write_unit(event)
    return event


def _fit_one_write_unit(event: AccessEvent) -> None:
    """Shorten the user agent, then the path, until the event is one write unit (1 KB)."""
    for name in ("user_agent", "path"):
        over = item_bytes(event) - AccessEvent.MAX_BYTES
        value = getattr(event, name)
        if over <= 0 or not value:
            return
        encoded = value.encode("utf-8")
        setattr(event, name, encoded[: max(0, len(encoded) - over)].decode("utf-8", "ignore") or None)


def _retention(tenant: Tenant | None) -> int:
    return int(settings_of(tenant)["access_log_retention_days"]) if tenant is not None else 90


def failed_limit(svc: Keyhole, tenant: Tenant | None) -> int | None:
    if tenant is None:
        return svc.settings.default_failed_resolves_per_min_per_ip
    return limits_of(tenant)["failed_resolves_per_min_per_ip"]


def _plain_write(write: Callable[[], T]) -> T:
    """Run a plain write, sending it again if it met an admin transaction on the same item
    (`TransactionConflictException`: nothing was written)."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return write()
        except (PynamoDBException, ClientError) as error:
            if error_code(error) != "TransactionConflictException":
                raise
            if attempt == CONFLICT_ATTEMPTS:
                logger.warning("viewer write still conflicting after %d attempts", attempt)
                raise Unavailable("Too many concurrent changes; retry shortly", cause=error) from error
        time.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * attempt))  # noqa: S311 (jitter, not a secret)
    raise AssertionError("unreachable")


def admit(
    svc: Keyhole,
    resolved: Resolved,
    req: RequestInfo,
    *,
    use_view: bool = False,
    count_link: bool = True,
    count_address: bool = True,
    extra_windows: Sequence[Window] = (),
) -> ViewerResponse | None:
    """Count one request on a live link against its windows (and use a view): the refusal (a 429,
    or the one 404 when the last view was used meanwhile), recorded in the access log, or None.

    `count_link` False skips the per-link window (304 polls, refreshes, /info and the password and
    view-limit steps are not views, so a page left open never trips a link's rate limit);
    `count_address` False skips the address's window (an introspection: the request comes from the
    tenant's backend, counted against its key, not from the viewer's address);
    `extra_windows` (password attempts) are counted too, before any password is checked."""
    now = svc.clock.time()
    limits = limits_of(resolved.tenant)
    limit_name = telemetry.LIMIT_VIEWER_IP  # the window being counted, for the rate_limited metric
    try:
        if count_address:
            hit_ip(
                svc.store,
                req.ip,
                now,
                tenant_id=resolved.cap.tenant_id,
                viewer_limit=limits["viewer_requests_per_min_per_ip"],
                failed_limit=failed_limit(svc, resolved.tenant),
            )
        if count_link and resolved.cap.rate_limit_per_min is not None:
            limit_name = telemetry.LIMIT_LINK
            hit_window(svc.store, window(f"VL#{resolved.cap.link_id}", int(resolved.cap.rate_limit_per_min), now))
        for extra in extra_windows:
            limit_name = telemetry.LIMIT_UNLOCK_ATTEMPTS  # the only extra windows: password attempts
            hit_window(svc.store, extra)
    except RateLimited as refused:
        telemetry.note_rate_limit(limit_name)
        record(svc, resolved, req, status=429, outcome="rate_limited")
        return rate_limited(refused.retry_after)
    if use_view and not _use_view(svc, resolved):
        record(svc, resolved, req, status=404, outcome="exhausted")
        return not_found()
    return None


def _use_view(svc: Keyhole, resolved: Resolved) -> bool:
    """One view of a view-limited link: a conditional update, never past `max_views`."""
    pk, sk = Capability.key(resolved.token.hash)

    def write() -> bool:
        try:
            Capability(pk, sk).update(
                actions=[Capability.views_used.add(1)],
                condition=Capability.pk.exists() & (Capability.views_used < Capability.max_views),
            )
            return True
        except PynamoDBException as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            if error_code(error) == "TransactionConflictException":
                raise
            raise svc.store.translate(error) from error

    return _plain_write(write)


def record(svc: Keyhole, resolved: Resolved, req: RequestInfo, *, status: int, outcome: str) -> None:
    """Write the request's access event (one of the link's shards, one write unit)."""
    event = _event(
        svc,
        resolved.cap,
        req,
        status=status,
        outcome=outcome,
        retention_days=_retention(resolved.tenant),
        daily=bool(resolved.tenant.namespace_key),
    )
    try:
        event.save()
    except PynamoDBException as error:
        raise svc.store.translate(error) from error


def account(
    svc: Keyhole,
    resolved: Resolved,
    req: RequestInfo,
    *,
    status: int,
    outcome: str | None,
    use_view: bool = False,
    count_link: bool = True,
    count_address: bool = True,
    extra_windows: Sequence[Window] = (),
) -> ViewerResponse | None:
    """Count and record one request on a live link. Returns a refusal response, or None to proceed.

    `outcome` None means "not recorded" (a 304 poll). See `admit` for the rest."""
    refusal = admit(
        svc,
        resolved,
        req,
        use_view=use_view,
        count_link=count_link,
        count_address=count_address,
        extra_windows=extra_windows,
    )
    if refusal is not None:
        return refusal
    if outcome is not None:
        record(svc, resolved, req, status=status, outcome=outcome)
        if outcome == "viewed":
            telemetry.view()
    return None


def account_dead(svc: Keyhole, found: Lookup, req: RequestInfo) -> ViewerResponse:
    """A dead or unknown token: count it against the address's enumeration guard, then the one
    404. The same single write for every kind of dead token, and no access event."""
    try:
        hit_ip(
            svc.store,
            req.ip,
            svc.clock.time(),
            tenant_id=None,
            viewer_limit=None,
            failed_limit=failed_limit(svc, found.tenant),
        )
    except RateLimited as refused:
        telemetry.note_rate_limit(telemetry.LIMIT_FAILED_RESOLVES)
        return rate_limited(refused.retry_after)
    return not_found()


def redacted_path(path: str, token: PresentedToken) -> str:
    """The request path with the token replaced by its 6-character preview (for access logs)."""
    return path.replace(token.value, token.shown_as) if token.value else path
