"""Revoking links in bulk: every active link of a resource, of a tenant, the ones one API key
created (a leaked operator key may have minted links for an attacker), or a list of them.

Each link is revoked by `links.revoke_link`, exactly as `DELETE /v1/links/{id}` does it: capability
deleted (the URL is dead at once), slot freed, record kept with `revoked_at`/`revoked_by`, an audit
event (the principal's actor, with the reason given) and the `share.revoked` webhook. Links that are
already revoked, expired or used up are left as they are (their URLs open nothing). Re-running is
safe. The ops tool (`chalicelib/ops/revocation.py`) and tenant deletion (`chalicelib/platform`) use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from chalicelib.links import links
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import LinkRecord
from chalicelib.tenancy.principals import Principal

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
            if not isinstance(record, LinkRecord) or links.status_of(record, now_s) != "active":
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
                if links.status_of(record, now_s) == "active":
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
