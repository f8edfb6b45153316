"""Console sessions: a key's one-time ticket, exchanged by the console page for a session token.

1. `mint` (`POST /v1/console/sessions`, operator or admin, or a platform key acting for a tenant):
   `{resource_id?, role?, actor?}` -> `{url, expires_at}`. The URL is the console page (or, with
   `resource_id`, the share dialog) with the ticket in its fragment, which browsers never send
   to a server or in a `Referer`. The ticket is good once, for `TICKET_SECONDS`.
2. `redeem` (`POST /v1/console/session {ticket}`, called by the page): the ticket becomes a
   session token (`khs_...`) the page keeps in memory and sends as `Authorization: Bearer`. The
   session lasts at most `SESSION_SECONDS` and ends after `IDLE_SECONDS` without a request. Its
   role is at most the minting key's; limited to a resource, it never acts as admin.
3. `authenticate`: every admin route accepts the token like a key. One BatchGetItem reads the
   session and the tenant (and what the route needs), as for a key; one conditional UpdateItem on
   the session item moves its idle deadline and counts the request in this minute's
   `api_requests_per_min`, as a key's request writes its window. A suspended or deleted tenant
   ends every session at once (the tenant item is read every time); deleting the key that minted
   it ends it before the deletion answers (`tenancy.console_grants`).
4. `end` (`DELETE /v1/console/session`): the page's "Sign out".

Every change made in a session is audited by the routes themselves, with the session's actor
(`Principal.actor()`: the session, the key that started it and the actor it names).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, cast

from pynamodb.exceptions import UpdateError

from chalicelib.credentials.tokens import (
    CONSOLE_SESSION_PREFIX,
    CONSOLE_TICKET_PREFIX,
    constant_time_equal,
    namespace_key_for,
    new_console_secret,
    parse_console_secret,
    tenant_key_of,
)
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, Forbidden, NotFound, RateLimited, Unauthorized
from chalicelib.runtime.validation import unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import (
    ApiKeyItem,
    ConsoleGrant,
    ConsoleSession,
    ConsoleTicket,
    PlatformKeyItem,
    ResourceHead,
    Tenant,
)
from chalicelib.storage.store import TxnCancelled, error_code
from chalicelib.tenancy import audit, embedding, tenants
from chalicelib.tenancy.plans import HOW_TO_FREE
from chalicelib.tenancy.principals import (
    CONSOLE_SESSION,
    KEY,
    MAX_ACTOR_CHARS,
    PLATFORM_KEY,
    ROLES,
    Credential,
    Principal,
    valid_actor,
)
from chalicelib.tenancy.tenant_settings import limits_of

TICKET_SECONDS = 5 * 60
SESSION_SECONDS = 12 * 60 * 60
IDLE_SECONDS = 30 * 60
MINUTE = 60
MINT_FIELDS = ("resource_id", "role", "actor")
SESSION_ROLES = ("viewer", "operator", "admin")
SCOPED_ROLE_CEILING = "operator"  # every admin route is tenant-wide
ENDED = (
    "This console session has ended (signed out, 12 hours old, idle for 30 minutes, its key deleted or "
    "the tenant suspended): open the console again from your product"
)
TICKET_GONE = "This console link was used already or has expired (links last 5 minutes): open the console again"
Keys = Sequence[tuple[type[Any], tuple[str, ...]]]


class SessionEnded(Unauthorized):
    default_message = ENDED


# --- minting -------------------------------------------------------------------------------


def _minting_key(kind: str, key_id: str, namespace: str | None, tenant_id: str) -> tuple[type[Any], tuple[str, str]]:
    """The item of the key that mints: the ticket and the session are written only while it exists."""
    if kind == PLATFORM_KEY:
        return PlatformKeyItem, PlatformKeyItem.key(namespace_key_for(namespace or ""), key_id)
    return ApiKeyItem, ApiKeyItem.key(tenant_id, key_id)


def mint(svc: Keyhole, principal: Principal, body: dict[str, Any], req: RequestInfo) -> dict[str, Any]:
    if principal.kind not in (KEY, PLATFORM_KEY) or principal.credential.id is None:
        raise Forbidden("A console session is started by an API key or a platform key, not by another session")
    errors = Collector()
    unknown_fields(body, MINT_FIELDS, errors)
    resource_id = body.get("resource_id")
    if resource_id is not None and not (isinstance(resource_id, str) and _valid_resource_id(resource_id)):
        errors.add("resource_id", "must be a resource id: 1-128 characters of A-Za-z0-9._:-")
        resource_id = None
    role = body.get("role")
    if role is not None and role not in SESSION_ROLES:
        errors.add("role", "must be one of viewer, operator, admin")
        role = None
    actor = body.get("actor", principal.actor_id)
    if actor is not None and not valid_actor(actor):
        errors.add("actor", f"must be 1-{MAX_ACTOR_CHARS} printable characters")
    if role == "admin" and resource_id is not None:
        errors.add("role", "a session limited to one resource acts as operator at most (admin routes are tenant-wide)")
    errors.raise_if_any()
    ceiling = principal.role
    if resource_id is not None and ROLES[ceiling] > ROLES[SCOPED_ROLE_CEILING]:
        ceiling = SCOPED_ROLE_CEILING
    role = role or ceiling
    if ROLES[role] > ROLES[principal.role]:
        raise Forbidden(f"A session's role is at most the key's: this key is {principal.role}")
    if resource_id is not None:
        head = svc.store.get(ResourceHead, ResourceHead.key(principal.tenant_id, resource_id))
        if head is None or head.deleting:
            raise NotFound("No such resource")
    tenant_key = tenant_key_of(principal.tenant_id)
    if tenant_key is None:  # tenant ids come from Keyhole's own records
        raise NotFound("No such tenant")
    now = svc.clock.now()
    epoch = svc.clock.time()
    ticket = new_console_secret(CONSOLE_TICKET_PREFIX, tenant_key)
    credential = principal.credential
    item = ConsoleTicket(
        pk=ConsoleTicket.key(ticket.hash)[0],
        tenant_id=principal.tenant_id,
        role=role,
        resource_id=resource_id,
        actor=actor,
        minted_by=credential.id,
        minted_kind=credential.kind,
        minted_name=credential.name,
        minted_namespace=credential.namespace,
        tenant_suspensions=int(principal.tenant.suspensions or 0),
        created_at=to_rfc3339(now),
        expires_at=int(epoch) + TICKET_SECONDS,
        ttl=int(epoch) + TICKET_SECONDS + 3600,
    )
    model, key = _minting_key(credential.kind, credential.id or "", credential.namespace, principal.tenant_id)
    txn = svc.store.txn()
    txn.put(item, condition=ConsoleTicket.pk.does_not_exist(), tag="ticket")
    txn.check(model, key, model.pk.exists(), tag="key")
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="console.ticket_created",
            at=now,
            target_type="console_session",
            details={"role": role, "resource_id": resource_id, "session_actor": actor},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit(when_failed={"key": Unauthorized()})
    return {
        "url": console_url(req.base_url, principal.tenant_id, resource_id, ticket.value),
        "expires_at": _iso(item.expires_at),
    }


def console_url(base_url: str, tenant_id: str, resource_id: str | None, ticket: str) -> str:
    """The page (the share dialog for a resource, else the console), the ticket in the fragment."""
    page = f"/console/{tenant_id}/share" if resource_id is not None else f"/console/{tenant_id}"
    return f"{base_url.rstrip('/')}{page}#ticket={ticket}"


def _valid_resource_id(resource_id: str) -> bool:
    from chalicelib.resources.resources import valid_resource_id

    return valid_resource_id(resource_id)


def _iso(epoch: Any) -> str:
    from datetime import UTC, datetime

    return to_rfc3339(datetime.fromtimestamp(int(epoch), tz=UTC)) or ""


# --- the ticket's exchange -----------------------------------------------------------------


def redeem(svc: Keyhole, body: dict[str, Any], req: RequestInfo) -> dict[str, Any]:
    errors = Collector()
    unknown_fields(body, ("ticket",), errors)
    raw = body.get("ticket")
    if not isinstance(raw, str) or not 0 < len(raw) <= 200:
        errors.add("ticket", "must be the ticket from the console URL (after #ticket=)")
    errors.raise_if_any()
    ticket = parse_console_secret(raw, CONSOLE_TICKET_PREFIX)
    if ticket is None:
        raise Unauthorized(TICKET_GONE)
    epoch = svc.clock.time()
    found, tenant, embed = svc.store.batch_get(
        [
            (ConsoleTicket, ConsoleTicket.key(ticket.hash)),
            (Tenant, Tenant.key(ticket.tenant_id)),
            embedding.item_key(ticket.tenant_id),
        ]
    )
    if (
        not isinstance(found, ConsoleTicket)
        or not isinstance(tenant, Tenant)
        or found.tenant_id != tenant.tenant_id
        or int(found.expires_at) <= epoch
        or not _tenant_live(tenant, found.tenant_suspensions)
    ):
        raise Unauthorized(TICKET_GONE)
    head = None
    if found.resource_id is not None:
        head = svc.store.get(ResourceHead, ResourceHead.key(tenant.tenant_id, found.resource_id))
        if head is None or head.deleting:
            raise NotFound("The resource of this console link was deleted")
    token = new_console_secret(CONSOLE_SESSION_PREFIX, ticket.tenant_key)
    expires = int(epoch) + SESSION_SECONDS
    session = ConsoleSession(
        pk=ConsoleSession.key(token.hash)[0],
        session_id=token.public_id,
        token_hash=token.hash,
        tenant_id=tenant.tenant_id,
        role=found.role,
        resource_id=found.resource_id,
        actor=found.actor,
        minted_by=found.minted_by,
        minted_kind=found.minted_kind,
        minted_name=found.minted_name,
        minted_namespace=found.minted_namespace,
        tenant_suspensions=found.tenant_suspensions,
        created_at=to_rfc3339(svc.clock.now()),
        expires_at=expires,
        active_until=int(epoch) + IDLE_SECONDS,
        r={},
        ttl=expires,
    )
    grant = ConsoleGrant(
        pk=ConsoleGrant.partition(found.minted_by),
        sk=token.public_id,
        session_key=session.pk,
        tenant_id=tenant.tenant_id,
        ttl=expires,
    )
    model, key = _minting_key(found.minted_kind, found.minted_by, found.minted_namespace, tenant.tenant_id)
    txn = svc.store.txn()
    txn.delete(ConsoleTicket, ConsoleTicket.key(ticket.hash), condition=ConsoleTicket.pk.exists(), tag="ticket")
    txn.put(session, condition=ConsoleSession.pk.does_not_exist(), tag="session")
    txn.put(grant, tag="grant")
    txn.check(model, key, model.pk.exists(), tag="key")
    txn.put(
        audit.new_event(
            tenant.tenant_id,
            actor=_principal(tenant, session).actor(),
            action="console.session_started",
            at=svc.clock.now(),
            target_type="console_session",
            target_id=session.session_id,
            details={"role": session.role, "resource_id": session.resource_id, "expires_at": _iso(expires)},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("ticket") or cancelled.failed("key"):
            raise Unauthorized(TICKET_GONE) from None  # used meanwhile, or its key deleted meanwhile
        raise
    return {
        "token": token.value,
        "session": session_json(session),
        "tenant": tenants.to_json(tenant, embedding.origins_of(cast(Any, embed))),
        "resource": resource_json(head) if head is not None else None,
        # What frees a slot when a plan limit is reached (the dialog's "Limit reached (N)").
        "how_to_free": {name: HOW_TO_FREE[name] for name in ("links_per_resource", "shared_resources")},
    }


def session_json(session: ConsoleSession) -> dict[str, Any]:
    return {
        "id": session.session_id,
        "role": session.role,
        "resource_id": session.resource_id,
        "actor": session.actor,
        "key": {"id": session.minted_by, "name": session.minted_name},
        "expires_at": _iso(session.expires_at),
        "idle_timeout_seconds": IDLE_SECONDS,
    }


def resource_json(head: ResourceHead) -> dict[str, Any]:
    """What the share dialog shows of its resource (never the document)."""
    origin = json.loads(head.origin) if head.origin else None
    return {
        "id": head.resource_id,
        "type": head.type,
        "name": head.name,
        "kind": "origin" if origin is not None else "document",
        "scopes": list(head.scope_names or []),
        "active_links": int(head.active_links or 0),
        "allowed_paths": list(origin.get("allowed_paths") or []) if origin else None,
        "allowed_methods": list(origin.get("allowed_methods") or []) if origin else None,
    }


# --- authentication ------------------------------------------------------------------------


def is_session_token(raw: str | None) -> bool:
    return (raw or "").startswith(CONSOLE_SESSION_PREFIX + "_")


def _tenant_live(tenant: Any, suspensions_then: Any) -> bool:
    """The tenant is live and was not suspended since the ticket or session was made (a suspension
    ends them for good: resuming brings the tenant's keys and links back, not them)."""
    return (
        isinstance(tenant, Tenant)
        and not tenant.suspended
        and tenant.deleted_at is None
        and int(tenant.suspensions or 0) == int(suspensions_then or 0)
    )


def _credential(session: ConsoleSession) -> Credential:
    return Credential(
        kind=CONSOLE_SESSION,
        id=session.session_id,
        name=session.minted_name,
        namespace=session.minted_namespace,
        minted_by=session.minted_by,
    )


def _principal(tenant: Tenant, session: ConsoleSession) -> Principal:
    return Principal(
        tenant=tenant,
        role=session.role,
        credential=_credential(session),
        actor_id=session.actor,
        resource_id=session.resource_id,
    )


def authenticate(svc: Keyhole, raw: str | None, extra: Keys = ()) -> tuple[Principal, list[Any]]:
    """The session's principal and the `extra` items, read in one BatchGetItem; 401 when it ended."""
    secret = parse_console_secret(raw, CONSOLE_SESSION_PREFIX)
    if secret is None:
        raise SessionEnded()
    items = svc.store.batch_get(
        [(ConsoleSession, ConsoleSession.key(secret.hash)), (Tenant, Tenant.key(secret.tenant_id)), *extra]
    )
    session, tenant = cast(Any, items[0]), cast(Any, items[1])
    epoch = svc.clock.time()
    if (
        not isinstance(session, ConsoleSession)
        or not constant_time_equal(session.token_hash, secret.hash)
        or not _tenant_live(tenant, session.tenant_suspensions)
        or session.tenant_id != tenant.tenant_id
        or int(session.expires_at) <= epoch
        or int(session.active_until) <= epoch
    ):
        raise SessionEnded()
    _touch(svc, session, tenant, epoch)
    return _principal(tenant, session), list(items[2:])


def _touch(svc: Keyhole, session: ConsoleSession, tenant: Tenant, epoch: float) -> None:
    """One conditional write: the idle deadline moves on, and this minute's count goes up (under
    the tenant's `api_requests_per_min`); earlier minutes' counts are dropped (a session idle for
    30 minutes has ended, so none older can be left)."""
    minute = int(epoch // MINUTE)
    count = ConsoleSession.r[f"m{minute}"]
    actions = [ConsoleSession.active_until.set(int(epoch) + IDLE_SECONDS), count.set((count | 0) + 1)]
    actions += [ConsoleSession.r[f"m{minute - back}"].remove() for back in range(1, IDLE_SECONDS // MINUTE + 2)]
    condition = (
        ConsoleSession.pk.exists()
        & (ConsoleSession.active_until > int(epoch))
        & (ConsoleSession.expires_at > int(epoch))
    )
    limit = limits_of(tenant)["api_requests_per_min"]
    if limit is not None:
        condition &= count.does_not_exist() | (count < limit)
    try:
        ConsoleSession(pk=session.pk).update(actions=actions, condition=condition)
    except UpdateError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise svc.store.translate(error) from error
        seen = svc.store.get(ConsoleSession, (session.pk,))
        if seen is None or int(seen.active_until) <= epoch or int(seen.expires_at) <= epoch:
            raise SessionEnded() from None
        raise RateLimited(max(1, math.ceil((minute + 1) * MINUTE - epoch))) from None


# --- the end -------------------------------------------------------------------------------


def end(svc: Keyhole, principal: Principal, req: RequestInfo) -> None:
    """The session ends itself (the page's "Sign out"): gone at once, audited."""
    if principal.kind != CONSOLE_SESSION or principal.key_id is None:
        raise Forbidden("Only a console session ends itself here (delete an API key with DELETE /v1/api-keys/{id})")
    grant_key = (ConsoleGrant.partition(principal.credential.minted_by or ""), principal.key_id)
    grant = svc.store.get(ConsoleGrant, grant_key)
    if grant is None:  # ended meanwhile
        raise SessionEnded()
    txn = svc.store.txn()
    txn.delete(ConsoleSession, (grant.session_key,), tag="session")
    txn.delete(ConsoleGrant, grant_key, tag="grant")
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="console.session_ended",
            at=svc.clock.now(),
            target_type="console_session",
            target_id=principal.key_id,
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit()
