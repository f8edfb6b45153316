"""Resolving a share token for a viewer request, and accounting for it: what every viewer route
(the JSON surface, the page flows) shares.

Budget (SPEC.md): at most 2 DynamoDB requests and no KMS call per viewer request.
1. One consistent BatchGetItem reads the capability (by SHA-256 of the token), the resource
   document and the tenant: the token's locator names the last two.
2. One TransactWriteItems does all the accounting at once: the per-IP and per-link rate-limit
   windows, the enumeration guard, the access event and (for view-limited links) the view use.
Only refusals that the transaction itself reports (a full window, a used-up link) cost one more
write, to record that refusal in the access log. A transaction cancelled only because another one
touched the same items (`TransactionConflict`: busy rate windows, a view-limited link) is sent
again, at most `CONFLICT_ATTEMPTS` times in all; then the viewer gets 503 `unavailable`.

ETags are `"<document version>.<32 hex>"`, so a conditional request can tell a page that last saw an
earlier version (a refresh after an update) from a made-up or replayed validator (docs/viewer.md,
"Live updates").

Every dead link (unknown, malformed, expired, revoked, exhausted, resource deleted) gets the
same 404: status, body and headers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import telemetry, unlock
from ..clock import parse_rfc3339, to_rfc3339, to_rfc3339_ms
from ..errors import Unavailable
from ..ratelimit import Window, add_guard, add_hit, window
from ..redaction import viewer_document
from ..service import Keyhole, RequestInfo
from ..storage.models import AccessEvent, Capability, RateWindow, ResourceDocument, Tenant, plain
from ..storage.store import Txn, TxnCancelled
from ..tenants import limits_of, settings_of
from ..tokens import ShareToken, new_id, parse_share_token

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

# TransactionConflict retries: attempts in all, and the base of the jittered pause between them.
CONFLICT_ATTEMPTS = 3
CONFLICT_PAUSE_SECONDS = 0.005

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
    """A live link, with everything a viewer response needs."""

    token: ShareToken
    cap: Capability
    doc: ResourceDocument
    tenant: Tenant

    @property
    def link_id(self) -> str:
        return self.cap.link_id

    def scope_fields(self) -> list | None:
        if not self.cap.scope:
            return None
        return list(plain(self.doc.scopes).get(self.cap.scope, []))

    @property
    def default_redact(self) -> bool:
        """The tenant's default secret names apply (setting `default_redact`, on by default)."""
        return bool(settings_of(self.tenant)["default_redact"])

    def document(self) -> dict[str, Any]:
        return viewer_document(
            json.loads(self.doc.document),
            scope_fields=self.scope_fields(),
            redact_names=list(self.doc.redact or []),
            default_secrets=self.default_redact,
        )

    def link_json(self) -> dict[str, Any]:
        return {
            "label": self.cap.label,
            "description": self.cap.description,
            "scope": self.cap.scope,
            "expires_at": self.cap.expires_at,
        }

    def data_body(self) -> dict[str, Any]:
        return {
            "resource": {"type": self.doc.type, "name": self.doc.name},
            "link": self.link_json(),
            "document": self.document(),
            "updated_at": self.doc.updated_at,
        }

    def info_body(self) -> dict[str, Any]:
        return {
            "label": self.cap.label,
            "description": self.cap.description,
            "expires_at": self.cap.expires_at,
            "has_password": self.cap.password_hash is not None,
            "tenant": {"name": self.tenant.name},
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


@dataclass
class Lookup:
    """Result of the single read: `resolved` for a live link; `dead_cap` for a known but dead one."""

    token: ShareToken | None
    resolved: Resolved | None = None
    dead_cap: Capability | None = None
    dead_reason: str = "unknown"
    tenant: Tenant | None = None
    # Password attempts already counted in the current window (read only when asked for).
    password_attempts: int = 0


def password_window(svc: Keyhole, token: ShareToken) -> Window:
    """The per-link password-attempt window. Keyed by the token's hash (one token per link, for
    life) rather than the link id, so `lookup` can read it in its one BatchGetItem before scrypt."""
    return window(f"PW#{token.hash}", svc.settings.password_attempts_per_min, svc.clock.time())


def lookup(svc: Keyhole, raw_token: str, *, with_password_attempts: bool = False) -> Lookup:
    token = parse_share_token(raw_token)
    if token is None:
        return Lookup(token=None, dead_reason="malformed")
    keys: list[tuple[Any, tuple[str, ...]]] = [
        (Capability, Capability.key(token.hash)),
        (ResourceDocument, ResourceDocument.key(token.locator)),
        (Tenant, Tenant.key(token.tenant_id)),
    ]
    if with_password_attempts:
        keys.append((RateWindow, (password_window(svc, token).key,)))
    cap, doc, tenant, *counters = svc.store.batch_get(keys)
    attempts = int(counters[0].n or 0) if counters and counters[0] is not None else 0
    if cap is None:
        # The tenant named by the token's own bytes (if any) sets the enumeration guard for every
        # dead token alike: an expired link whose capability TTL has not removed yet must not get
        # a different threshold from an unknown, revoked or exhausted one of the same tenant.
        return Lookup(token=token, dead_reason="unknown", tenant=tenant)
    now_s = to_rfc3339(svc.clock.now())
    reason = None
    if doc is None or tenant is None or doc.resource_id != cap.resource_id or cap.tenant_id != tenant.tenant_id:
        reason = "revoked"
    elif (
        isinstance(tenant, Tenant) and tenant.suspended
    ):  # ops suspended the tenant: its links are dead links, the one 404, the same work
        reason = "suspended"
    elif cap.expires_at is not None and cap.expires_at <= now_s:
        reason = "expired"
    elif cap.max_views is not None and int(cap.views_used or 0) >= int(cap.max_views):
        reason = "exhausted"
    if reason:
        return Lookup(token=token, dead_cap=cap, dead_reason=reason, tenant=tenant)
    return Lookup(
        token=token,
        resolved=Resolved(token=token, cap=cap, doc=doc, tenant=tenant),
        tenant=tenant,
        password_attempts=attempts,
    )


# --- accounting ----------------------------------------------------------------------------


def _event(
    svc: Keyhole, cap: Capability, req: RequestInfo, *, status: int, outcome: str, retention_days: int
) -> AccessEvent:
    now = svc.clock.now()
    event_id = new_id("acc", 10)
    return AccessEvent(
        pk=AccessEvent.partition(cap.link_id),
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
        ttl=int(svc.clock.time()) + retention_days * 86400,
    )


def _retention(tenant: Tenant | None) -> int:
    return int(settings_of(tenant)["access_log_retention_days"]) if tenant is not None else 90


def failed_limit(svc: Keyhole, tenant: Tenant | None) -> int | None:
    if tenant is None:
        return svc.settings.default_failed_resolves_per_min_per_ip
    return limits_of(tenant)["failed_resolves_per_min_per_ip"]


def account(
    svc: Keyhole,
    resolved: Resolved,
    req: RequestInfo,
    *,
    status: int,
    outcome: str | None,
    use_view: bool = False,
    count_link: bool = True,
    extra_windows: Sequence[Window] = (),
) -> ViewerResponse | None:
    """Count and record one request on a live link. Returns a refusal response, or None to proceed.

    `outcome` None means "not recorded" (a 304 poll); `count_link` False skips the per-link window
    (304 polls and refreshes are not views, so a page left open never trips a link's rate limit).
    `extra_windows` are counted in the same transaction (password attempts); a full one is a 429.
    Raises `Unavailable` when the transaction keeps conflicting with concurrent ones.
    """
    now = svc.clock.time()
    limits = limits_of(resolved.tenant)
    txn = svc.store.txn()
    add_hit(txn, f"VIP#{resolved.cap.tenant_id}#{req.ip}", limits["viewer_requests_per_min_per_ip"], now, tag="ip")
    add_guard(txn, f"FIP#{req.ip}", failed_limit(svc, resolved.tenant), now, tag="failed")
    if count_link and resolved.cap.rate_limit_per_min is not None:
        add_hit(txn, f"VL#{resolved.cap.link_id}", int(resolved.cap.rate_limit_per_min), now, tag="link")
    for index, extra in enumerate(extra_windows):
        txn.update(RateWindow, (extra.key,), extra.actions(), condition=extra.condition(), tag=f"extra{index}")
    if use_view:
        txn.update(
            Capability,
            Capability.key(resolved.token.hash),
            [Capability.views_used.add(1)],
            condition=Capability.pk.exists() & (Capability.views_used < Capability.max_views),
            tag="view",
        )
    if outcome is not None:
        txn.put(
            _event(svc, resolved.cap, req, status=status, outcome=outcome, retention_days=_retention(resolved.tenant)),
            tag="event",
        )
    try:
        _commit(txn)
        if outcome == "viewed":
            telemetry.view()
        return None
    except TxnCancelled as cancelled:
        extra_tags = tuple(f"extra{index}" for index in range(len(extra_windows)))
        refusal, refused_outcome, refused_status = _refusal(cancelled, now, extra_tags)
        if refusal is None:
            raise
        _record_refusal(svc, resolved.cap, req, refused_status, refused_outcome, resolved.tenant)
        return refusal


_LIMIT_OF_TAG = {
    "ip": telemetry.LIMIT_VIEWER_IP,
    "failed": telemetry.LIMIT_FAILED_RESOLVES,
    "link": telemetry.LIMIT_LINK,
}


def _refusal(
    cancelled: TxnCancelled, now: float, extra_tags: tuple[str, ...] = ()
) -> tuple[ViewerResponse | None, str, int]:
    if cancelled.failed("view"):
        return not_found(), "exhausted", 404
    for tag in ("ip", "failed", "link", *extra_tags):
        if cancelled.failed(tag):
            # The only extra windows are password attempts (page_flows.unlock).
            telemetry.note_rate_limit(_LIMIT_OF_TAG.get(tag, telemetry.LIMIT_UNLOCK_ATTEMPTS))
            retry = window("x", 1, now).retry_after
            return rate_limited(retry), "rate_limited", 429
    return None, "", 0


def _commit(txn: Txn) -> None:
    """Commit, retrying a transaction that lost only to conflicts (real DynamoDB cancels concurrent
    transactions on the same rate window or capability; an innocent viewer must not see 409).
    Other cancellations are raised for the caller to read; persistent conflicts are a 503."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            txn.commit()
            return
        except TxnCancelled as cancelled:
            if not cancelled.only_conflicts:
                raise
            if attempt == CONFLICT_ATTEMPTS:
                logger.warning("viewer transaction still conflicting after %d attempts: %s", attempt, cancelled.reasons)
                raise Unavailable("Too many concurrent requests; retry shortly") from cancelled
        time.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * attempt))


def _record_refusal(
    svc: Keyhole, cap: Capability, req: RequestInfo, status: int, outcome: str, tenant: Tenant | None
) -> None:
    try:
        _event(svc, cap, req, status=status, outcome=outcome, retention_days=_retention(tenant)).save()
    except Exception:  # the refusal stands even if its log line cannot be written
        logger.warning("could not record access event for a refused request", exc_info=True)


def account_dead(svc: Keyhole, found: Lookup, req: RequestInfo) -> ViewerResponse:
    """A dead or unknown token: count it against the IP's enumeration guard, then the one 404."""
    now = svc.clock.time()
    txn = svc.store.txn()
    limit = failed_limit(svc, found.tenant)
    add_hit(txn, f"FIP#{req.ip}", limit, now, tag="failed")
    if found.dead_cap is not None:
        txn.put(
            _event(
                svc, found.dead_cap, req, status=404, outcome=found.dead_reason, retention_days=_retention(found.tenant)
            ),
            tag="event",
        )
    try:
        _commit(txn)
    except TxnCancelled as cancelled:
        if not cancelled.failed("failed"):
            raise
        telemetry.note_rate_limit(telemetry.LIMIT_FAILED_RESOLVES)
        if found.dead_cap is not None:
            _record_refusal(svc, found.dead_cap, req, 429, "rate_limited", found.tenant)
        return rate_limited(window("x", 1, now).retry_after)
    return not_found()


def redacted_path(path: str, raw_token: str) -> str:
    """The request path with the token replaced by its 6-character preview (for access logs)."""
    preview = raw_token[:6] if parse_share_token(raw_token) else "invalid"
    return path.replace(raw_token, f"{preview}...") if raw_token else path
