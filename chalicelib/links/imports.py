"""Imported tokens: links whose token a product brings from its own system, so the URLs it has
already handed out keep working once Keyhole serves them (docs/platform.md, "Importing links").

With the tenant setting `allow_imported_tokens` (off by default; an admin turns it on), a link may
be created with `import_token` (12-256 characters of `A-Za-z0-9_-.~`), one by one
(`POST /v1/resources/{id}/links`) or up to 100 at a time (`POST /v1/links/import`, one result per
item). It is stored like Keyhole's own: the capability keyed by SHA-256 of the token (the viewer's
lookup stays a hash), the token sealed for re-copy; the link says `token_source: "imported"`, and
`token_strength: "legacy"` below 128 bits of its alphabet.

Token hashes are global, so a 409 `token_taken` tells the caller that some link holds (or held)
that token. Import must be neither an oracle nor a takeover:
- never a takeover: the link's transaction puts the capability and a permanent claim on the token
  (`TOKEN#<hash>`, kept after revocation) only if neither exists, so an import never replaces or
  re-points a live, revoked or expired link's token, in any tenant; a token with the shape of
  Keyhole's own whose locator names an existing tenant is refused too (it may be one Keyhole minted
  and revoked, whose capability is gone: Keyhole's own tokens carry no claim);
- never an oracle: every collision counts in the tenant's hourly window (`IC#<tenant>`), checked
  in the same transaction, and is audited (`link.import_refused`, never the token); past
  `COLLISIONS_PER_HOUR` every import of the tenant answers 429 until the hour ends, taken or not.
  A token the tenant itself imported before (a retried batch) is the same 409, with its own
  message, and counts nothing: it tells the caller only of its own links.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.credentials.tokens import IMPORT_TOKEN_RE, located_token, parse_share_token, sha256_hex
from chalicelib.links import links
from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339
from chalicelib.runtime.errors import Collector, Conflict, KeyholeError, NotFound, RateLimited, ValidationFailed
from chalicelib.runtime.validation import CHOSEN_ID_RE, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import RateWindow, ResourceHead, Tenant, TokenClaim
from chalicelib.storage.ratelimit import Window, window
from chalicelib.storage.store import TxnCancelled
from chalicelib.tenancy import audit
from chalicelib.tenancy.principals import Principal
from chalicelib.tenancy.tenant_settings import settings_of

RESOURCE_ID_RE = CHOSEN_ID_RE
COLLISIONS_PER_HOUR = 10
HOUR = 3600
MAX_ITEMS = 100
ITEM_FIELDS = ("resource_id", "import_token", "label", "expires_at", "created_at")
TOKEN_RULE = "must be 12-256 characters of A-Za-z0-9_-.~"  # noqa: S105 (a message, not a secret)
SETTING_OFF = "this tenant does not accept imported tokens: an admin turns on the setting allow_imported_tokens"


class TokenTaken(Conflict):
    code = "token_taken"
    default_message = "This token is taken (tokens are never reused): choose another"


def collision_window(tenant_id: str, now: float) -> Window:
    return window(f"IC#{tenant_id}", COLLISIONS_PER_HOUR, now, HOUR)


def token_problem(value: Any, tenant: Tenant) -> str | None:
    """Why `value` cannot be imported for this tenant (None: it can)."""
    if not isinstance(value, str) or not IMPORT_TOKEN_RE.match(value):
        return TOKEN_RULE
    if not settings_of(tenant)["allow_imported_tokens"]:
        return SETTING_OFF
    return None


def create_link(
    svc: Keyhole,
    principal: Principal,
    resource_id: str,
    body: dict[str, Any],
    head: ResourceHead | None,
    req: RequestInfo,
    *,
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """`POST /v1/resources/{id}/links`: a link with Keyhole's own token, or with `import_token`."""
    if "import_token" not in body:
        return links.create_link(svc, principal, resource_id, body, head, req)
    if head is None or head.deleting:
        raise NotFound("No such resource")
    problem = token_problem(body["import_token"], principal.tenant)
    try:
        links.validate_create(svc, principal, body, head, svc.clock.now())
    except ValidationFailed as failed:  # every bad field in one 422, the token's too
        extra = [{"field": "import_token", "message": problem}] if problem else []
        raise ValidationFailed([*(failed.details or []), *extra]) from None
    if problem:
        raise ValidationFailed.field("import_token", problem)
    value: str = body["import_token"]
    guard = _Guard(svc, principal, value, resource_id, req)
    guard.precheck()
    imported = links.Imported(
        token=located_token(value, head.locator),
        created_at=created_at,
        items=[("claim", guard.claim())],
        checks=[("collisions", RateWindow, (guard.window.key,), guard.window.condition())],
        on_cancelled=guard.cancelled,
    )
    return links.create_link(svc, principal, resource_id, body, head, req, imported=imported)


class _Guard:
    """The collision rules of one import (module docstring)."""

    def __init__(self, svc: Keyhole, principal: Principal, value: str, resource_id: str, req: RequestInfo) -> None:
        self.svc, self.principal, self.value, self.resource_id, self.req = svc, principal, value, resource_id, req
        self.hash = sha256_hex(value)
        self.window = collision_window(principal.tenant_id, svc.clock.time())

    def precheck(self) -> None:
        """A token with the shape of Keyhole's own whose locator names a real tenant is a
        collision (one read: the tenant and the window, so a used-up window answers 429 first).
        Other tokens need no read: the link's transaction checks the window and the claim."""
        shaped = parse_share_token(self.value)
        if shaped is None:
            return
        seen, tenant = self.svc.store.batch_get(
            [(RateWindow, (self.window.key,)), (Tenant, Tenant.key(shaped.tenant_id))]
        )
        if isinstance(seen, RateWindow) and int(seen.n or 0) >= COLLISIONS_PER_HOUR:
            self.refuse()
        if tenant is not None:
            self.collided()

    def claim(self) -> TokenClaim:
        pk, sk = TokenClaim.key(self.hash)
        return TokenClaim(
            pk=pk, sk=sk, tenant_id=self.principal.tenant_id, created_at=to_rfc3339(self.svc.clock.now()) or ""
        )

    def cancelled(self, cancelled: TxnCancelled) -> None:
        if cancelled.failed("claim") and self.claimed_by_caller():
            # The caller's own earlier import (a retried batch): no guess about anyone else's
            # token, so nothing is counted against the tenant or audited as a refusal.
            raise TokenTaken("This token was already imported by this tenant (tokens are never reused)")
        if cancelled.failed("collisions"):
            self.refuse()
        if cancelled.failed("claim") or cancelled.failed("cap"):
            self.collided()

    def claimed_by_caller(self) -> bool:
        claim = self.svc.store.get(TokenClaim, TokenClaim.key(self.hash))
        return claim is not None and claim.tenant_id == self.principal.tenant_id

    def refuse(self) -> None:
        telemetry.note_rate_limit(telemetry.LIMIT_API)
        raise RateLimited(
            self.window.retry_after,
            f"Too many imported tokens were taken this hour ({COLLISIONS_PER_HOUR}); imports resume in an hour",
        )

    def collided(self) -> None:
        """Count the collision, audit it (never the token), and answer 409 token_taken."""
        try:
            RateWindow(pk=self.window.key).update(actions=self.window.actions())
        except UpdateError as error:
            raise self.svc.store.translate(error) from error
        audit.new_event(
            self.principal.tenant_id,
            actor=self.principal.actor(),
            action="link.import_refused",
            at=self.svc.clock.now(),
            target_type="resource",
            target_id=self.resource_id,
            details={"reason": "token_taken", "token_length": len(self.value)},
            request_id=self.req.request_id,
        ).save()
        raise TokenTaken()


# --- bulk ------------------------------------------------------------------------------------


def import_links(svc: Keyhole, principal: Principal, body: dict[str, Any], req: RequestInfo) -> dict[str, Any]:
    """`POST /v1/links/import` `{links: [{resource_id, import_token, label?, expires_at?,
    created_at?}]}` (1-100): each item created, or refused with its own error, in order."""
    errors = Collector()
    unknown_fields(body, ("links",), errors)
    items = body.get("links")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        errors.add("links", f"must be a list of 1-{MAX_ITEMS} links to import")
    errors.raise_if_any()
    assert isinstance(items, list)  # noqa: S101 (narrowed by the check above)
    # A caller limited to one resource (a share dialog's session) reads only that one: any other is
    # the usual 404, item by item, exactly as for an unknown resource.
    wanted = sorted(
        {
            i["resource_id"]
            for i in items
            if isinstance(i, dict) and _resource_id_ok(i.get("resource_id")) and principal.covers(i["resource_id"])
        }
    )
    heads = dict(
        zip(
            wanted,
            svc.store.batch_get([(ResourceHead, ResourceHead.key(principal.tenant_id, rid)) for rid in wanted]),
            strict=True,
        )
    )
    seen: set[str] = set()
    results: list[dict[str, Any]] = []
    stop: RateLimited | None = None
    for index, item in enumerate(items):
        if stop is not None:
            results.append(_failed(index, stop, req))
            continue
        try:
            link = _import_one(svc, principal, item, heads, seen, req)
            results.append({"index": index, "status": 201, "link": link})
        except RateLimited as limited:  # the tenant's collisions are used up: so is the rest
            stop = limited
            results.append(_failed(index, limited, req))
        except KeyholeError as error:
            results.append(_failed(index, error, req))
    created = sum(1 for r in results if r["status"] == 201)
    return {"items": results, "created": created, "failed": len(results) - created}


def _resource_id_ok(value: Any) -> bool:
    return isinstance(value, str) and bool(RESOURCE_ID_RE.match(value))


def _import_one(
    svc: Keyhole,
    principal: Principal,
    item: Any,
    heads: dict[str, Any],
    seen: set[str],
    req: RequestInfo,
) -> dict[str, Any]:
    errors = Collector()
    if not isinstance(item, dict):
        raise ValidationFailed.field("link", "must be an object")
    unknown_fields(item, ITEM_FIELDS, errors)
    resource_id = item.get("resource_id")
    if not isinstance(resource_id, str) or resource_id not in heads:
        if not isinstance(resource_id, str) or not _resource_id_ok(resource_id):
            errors.add("resource_id", "is required: 1-128 characters of A-Za-z0-9._:-")
    token = item.get("import_token")
    if token is None:
        errors.add("import_token", f"is required: {TOKEN_RULE}")
    elif isinstance(token, str) and token in seen:
        errors.add("import_token", "appears twice in this request")
    created_at = _created_at(item, svc.clock.now(), errors)
    errors.raise_if_any()
    assert isinstance(resource_id, str)  # noqa: S101 (narrowed by the checks above)
    body = {name: item[name] for name in ("import_token", "label", "expires_at") if name in item}
    link = create_link(svc, principal, resource_id, body, heads.get(resource_id), req, created_at=created_at)
    seen.add(str(token))
    return link


def _created_at(item: dict[str, Any], now: datetime, errors: Collector) -> datetime | None:
    """The link's own creation time in the product (history), never in the future."""
    value = item.get("created_at")
    if value is None:
        return None
    try:
        moment = parse_rfc3339(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        errors.add("created_at", "must be an RFC 3339 time, such as 2024-05-01T10:00:00Z")
        return None
    if moment > now:
        errors.add("created_at", "must not be in the future")
        return None
    return moment


def _failed(index: int, error: KeyholeError, req: RequestInfo) -> dict[str, Any]:
    return {"index": index, "status": error.status, "error": error.body(req.request_id)["error"]}
