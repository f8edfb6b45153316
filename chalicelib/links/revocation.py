"""Revoking links in bulk: every active link of a resource, of a tenant, the ones one API key
created (a leaked operator key may have minted links for an attacker), or a list of them.

`POST /v1/links/revoke` (`revoke_request`) takes up to 100 link ids, or a filter (`resource_id`,
`actor`, `created_before`), with per-link results. Each link is revoked by `links.revoke_link`,
exactly as `DELETE /v1/links/{id}` does it: capability deleted (the URL is dead at once), slot
freed, record kept with `revoked_at`/`revoked_by`, an audit event (the principal's actor, with the
reason given) and the `share.revoked` webhook. Links that are already revoked, expired or used up
are left as they are (their URLs open nothing); paused links are revoked (resuming would open them
again). Re-running is safe. The ops tool (`chalicelib/ops/revocation.py`) and tenant deletion
(`chalicelib/platform`) use it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from chalicelib.links import links
from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339
from chalicelib.runtime.errors import Collector
from chalicelib.runtime.validation import CHOSEN_ID_RE, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import ActorLink, LinkRecord
from chalicelib.tenancy.principals import MAX_ACTOR_CHARS, Principal, valid_actor

BATCH = 100


@dataclass
class Revocation:
    link_id: str
    resource_id: str
    created_by: str | None
    token_preview: str
    status: str  # revoked | already_revoked | planned (dry run)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def active_links(
    svc: Keyhole, tenant_id: str, *, resource_id: str | None = None, created_by: str | None = None
) -> Iterator[LinkRecord]:
    """The tenant's (or resource's) links whose URLs still open, optionally only those a key created.

    Reads the `live` state partition of the link index (gsi2 for a resource, gsi1 for the tenant),
    then the records themselves, consistently, a hundred at a time."""
    index, partition = (
        (LinkRecord.by_resource_state, f"T#{tenant_id}#R#{resource_id}#S#live")
        if resource_id
        else (LinkRecord.by_tenant_state, f"T#{tenant_id}#S#live")
    )
    now_s = to_rfc3339(svc.clock.now()) or ""
    keys: list[tuple[str, str]] = []

    def flush() -> Iterator[LinkRecord]:
        for record in svc.store.batch_get([(LinkRecord, key) for key in keys]):
            if not isinstance(record, LinkRecord) or links.status_of(record, now_s) not in links.CHANGEABLE:
                continue
            if created_by is None or record.created_by == created_by:
                yield record

    for key in index.query(partition):
        keys.append((key.pk, key.sk))
        if len(keys) == BATCH:
            yield from flush()
            keys = []
    yield from flush()


def named_links(svc: Keyhole, tenant_id: str, link_ids: list[str]) -> Iterator[LinkRecord]:
    """The named links of this tenant whose URLs still open (other tenants' ids match nothing)."""
    now_s = to_rfc3339(svc.clock.now()) or ""
    wanted = [LinkRecord.key(link_id) for link_id in link_ids if links.valid_link_id(link_id)]
    for start in range(0, len(wanted), BATCH):
        for record in svc.store.batch_get([(LinkRecord, key) for key in wanted[start : start + BATCH]]):
            if isinstance(record, LinkRecord) and record.tenant_id == tenant_id:
                if links.status_of(record, now_s) in links.CHANGEABLE:
                    yield record


def revoke_links(
    svc: Keyhole,
    principal: Principal,
    req: RequestInfo,
    *,
    resource_id: str | None = None,
    created_by: str | None = None,
    link_ids: list[str] | None = None,
    reason: str = "incident response",
    dry_run: bool = False,
    keep_going: Callable[[], bool] = lambda: True,
) -> Iterator[Revocation]:
    """Revoke every matching active link of the principal's tenant; one result per link as it is
    done. Stops early (before the next link) once `keep_going()` is false: run it again to finish."""
    tenant_id = principal.tenant_id
    records = (
        named_links(svc, tenant_id, link_ids)
        if link_ids
        else active_links(svc, tenant_id, resource_id=resource_id, created_by=created_by)
    )
    for record in records:
        if not keep_going():
            return
        if link_ids and (
            (resource_id and record.resource_id != resource_id) or (created_by and record.created_by != created_by)
        ):
            continue
        result = Revocation(
            link_id=record.link_id,
            resource_id=record.resource_id,
            created_by=record.created_by,
            token_preview=record.token_preview,
            status="planned",
        )
        if not dry_run:
            revoked = links.revoke_link(svc, principal, record, req, reason=reason)
            result.status = "revoked" if revoked else "already_revoked"
        yield result


# --- POST /v1/links/revoke ---------------------------------------------------------------------

MAX_LINK_IDS = 100
MAX_PER_CALL = 1000  # a filter's links per call; `complete: false` says to call again
TIME_BUDGET_SECONDS = 15.0  # API Gateway gives a request 29 s
FILTERS = ("resource_id", "actor", "created_before")
REQUEST_FIELDS = ("link_ids", *FILTERS, "reason")


_RESOURCE_ID = CHOSEN_ID_RE


def valid_resource_id(value: str) -> bool:
    return bool(_RESOURCE_ID.match(value))


def parse_timestamp(value: str) -> datetime | None:
    try:
        return parse_rfc3339(value)
    except ValueError:
        return None


def revoke_request(svc: Keyhole, principal: Principal, body: dict[str, Any], req: RequestInfo) -> dict[str, Any]:
    """`{link_ids}` or a filter -> `{results: [{link_id, resource_id, status}], revoked, complete}`.

    Named links answer one result each, in the order given: `revoked`, `already_revoked` (or
    expired, used up: nothing to do) or `not_found` (unknown, another tenant's, or outside the
    session's resource). A filter revokes the active and paused links it matches (at most
    `MAX_PER_CALL` a call, within `TIME_BUDGET_SECONDS`: `complete` is false when some are left)."""
    errors = Collector()
    unknown_fields(body, REQUEST_FIELDS, errors)
    link_ids = body.get("link_ids")
    filters = {name: body[name] for name in FILTERS if body.get(name) is not None}
    if link_ids is not None and filters:
        errors.add("link_ids", "give link_ids or a filter (resource_id, actor, created_before), not both")
    elif link_ids is None and not filters:
        errors.add("link_ids", "give link_ids (up to 100) or a filter: resource_id, actor, created_before")
    ids: list[str] = []
    if link_ids is not None:
        if not isinstance(link_ids, list) or not 0 < len(link_ids) <= MAX_LINK_IDS:
            errors.add("link_ids", f"must be a list of 1-{MAX_LINK_IDS} link ids")
        else:
            for index, link_id in enumerate(link_ids):
                if not isinstance(link_id, str) or not links.valid_link_id(link_id):
                    errors.add(f"link_ids[{index}]", "must be a link id (lnk_ and 24 hex digits)")
                elif link_id not in ids:
                    ids.append(link_id)
    resource_id = filters.get("resource_id")
    if resource_id is not None and not (isinstance(resource_id, str) and valid_resource_id(resource_id)):
        errors.add("resource_id", "must be a resource id: 1-128 characters of A-Za-z0-9._:-")
    actor = filters.get("actor")
    if actor is not None and not valid_actor(actor):
        errors.add("actor", f"must be 1-{MAX_ACTOR_CHARS} printable characters")
    before = filters.get("created_before")
    if before is not None and (not isinstance(before, str) or parse_timestamp(before) is None):
        errors.add("created_before", "must be an RFC 3339 timestamp, e.g. 2026-11-20T10:00:00Z")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or not 0 < len(reason) <= 200):
        errors.add("reason", "must be 1-200 characters")
    errors.raise_if_any()
    reason = reason or "bulk revocation"
    if link_ids is not None:
        return _revoke_named(svc, principal, req, ids, reason)
    if principal.resource_id is not None:  # a session limited to one resource revokes only there
        principal.check_resource(resource_id)
        resource_id = principal.resource_id
    cutoff = to_rfc3339(parse_timestamp(before)) if before is not None else None
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    complete = True

    def out_of_time() -> bool:
        return time.monotonic() - started > TIME_BUDGET_SECONDS

    try:
        for record in _matching(svc, principal, resource_id=resource_id, actor=actor, out_of_time=out_of_time):
            if cutoff is not None and not record.created_at < cutoff:
                continue
            if len(results) >= MAX_PER_CALL or out_of_time():
                complete = False
                break
            revoked = links.revoke_link(svc, principal, record, req, reason=reason)
            results.append(_result(record, "revoked" if revoked else "already_revoked"))
    except _OutOfTime:
        complete = False
    return {"results": results, "revoked": sum(r["status"] == "revoked" for r in results), "complete": complete}


def _result(record: LinkRecord, status: str) -> dict[str, Any]:
    return {"link_id": record.link_id, "resource_id": record.resource_id, "status": status}


def _revoke_named(svc: Keyhole, principal: Principal, req: RequestInfo, ids: list[str], reason: str) -> dict[str, Any]:
    found = svc.store.batch_get([(LinkRecord, LinkRecord.key(link_id)) for link_id in ids])
    now_s = to_rfc3339(svc.clock.now()) or ""
    results: list[dict[str, Any]] = []
    for link_id, record in zip(ids, found, strict=True):
        if (
            not isinstance(record, LinkRecord)
            or record.tenant_id != principal.tenant_id
            or not principal.covers(record.resource_id)
        ):
            results.append({"link_id": link_id, "resource_id": None, "status": "not_found"})
        elif links.status_of(record, now_s) not in links.CHANGEABLE:
            results.append(_result(record, "already_revoked"))
        else:
            revoked = links.revoke_link(svc, principal, record, req, reason=reason)
            results.append(_result(record, "revoked" if revoked else "already_revoked"))
    return {"results": results, "revoked": sum(r["status"] == "revoked" for r in results), "complete": True}


class _OutOfTime(Exception):
    """The call's time budget ran out while reading (the answer says `complete: false`)."""


def _matching(
    svc: Keyhole,
    principal: Principal,
    *,
    resource_id: str | None,
    actor: str | None,
    out_of_time: Callable[[], bool],
) -> Iterator[LinkRecord]:
    """The active and paused links of the tenant (or resource), or those the actor's requests made.
    An actor's list holds every link it ever made: it is read a page at a time, within the budget."""
    if actor is None:
        yield from active_links(svc, principal.tenant_id, resource_id=resource_id)
        return
    now_s = to_rfc3339(svc.clock.now()) or ""
    entries = ActorLink.query(ActorLink.partition(principal.tenant_id, actor), consistent_read=True)
    while True:
        if out_of_time():
            raise _OutOfTime()
        keys = [LinkRecord.key(entry.link_id) for entry in itertools.islice(entries, BATCH)]
        if not keys:
            return
        for record in svc.store.batch_get([(LinkRecord, key) for key in keys]):
            if (
                isinstance(record, LinkRecord)
                and record.tenant_id == principal.tenant_id
                and (resource_id is None or record.resource_id == resource_id)
                and links.status_of(record, now_s) in links.CHANGEABLE
            ):
                yield record
