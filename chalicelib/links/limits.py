"""Usage accounting around the slot counters: the expired-slot sweep and the ops recount.

The counters themselves are maintained transactionally by `links` (acquire and free). This module
is the safety net: it frees slots of links that expired (so usage drops at expiry time even
before anyone needs the slot, and before TTL removes the capability) and recomputes the counters
from the link records to prove, or repair, that they have not drifted.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.links import links
from chalicelib.runtime import telemetry
from chalicelib.service import Keyhole
from chalicelib.storage.models import LinkRecord, ResourceHead, Tenant
from chalicelib.storage.store import TxnCancelled


@dataclass
class ResourceUsage:
    resource_id: str
    counted: int  # active_links on the resource head
    actual: int  # link records holding a slot


@dataclass
class TenantUsage:
    tenant_id: str
    active_links: dict[str, int] = field(default_factory=dict)  # {"counted", "actual"}
    shared_resources: dict[str, int] = field(default_factory=dict)
    resources: list[ResourceUsage] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # links holding a slot on a resource that no longer exists
    repaired: bool = False

    @property
    def drifted(self) -> bool:
        return (
            self.active_links["counted"] != self.active_links["actual"]
            or self.shared_resources["counted"] != self.shared_resources["actual"]
            or any(r.counted != r.actual for r in self.resources)
            or bool(self.orphans)
        )

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["resources"] = [asdict(r) for r in self.resources if r.counted != r.actual]
        body["drifted"] = self.drifted
        return body


def sweep_expired_slots(svc: Keyhole, tenant_ids: list[str] | None = None) -> int:
    """Free the slots of every expired link (scheduled; also safe to run by hand). Returns how many."""
    from chalicelib.tenancy.tenants import list_tenant_ids

    started = time.monotonic()
    freed = 0
    for tenant_id in tenant_ids if tenant_ids is not None else list_tenant_ids(svc):
        while True:
            batch = links.reclaim_tenant(svc, tenant_id)
            freed += batch
            if batch < links.RECLAIM_BATCH:
                break
    telemetry.add(telemetry.SWEEP_DURATION_MS, (time.monotonic() - started) * 1000, unit=telemetry.MILLISECONDS)
    return freed


def _heads(tenant_id: str) -> list[ResourceHead]:
    return list(ResourceHead.query(f"TENANT#{tenant_id}", ResourceHead.sk.startswith("RES#"), consistent_read=True))


def _holding_records(svc: Keyhole, tenant_id: str) -> list[LinkRecord]:
    keys = list(LinkRecord.by_tenant.query(f"T#{tenant_id}#LINKS"))
    records: list[LinkRecord] = []
    for start in range(0, len(keys), 100):
        chunk = keys[start : start + 100]
        found = svc.store.batch_get([(LinkRecord, (k.pk, k.sk)) for k in chunk])
        records += [r for r in found if isinstance(r, LinkRecord)]
    return [r for r in records if r.slot_held]


def recount(svc: Keyhole, tenant_id: str, *, repair: bool = False) -> TenantUsage:
    """Compare the counters with the slots link records hold; with `repair`, set them right.

    Repairs are conditional on the counter still holding the value that was read, so a repair
    racing live traffic fails safe (run it again) instead of overwriting a concurrent change.
    """
    tenant = svc.store.get(Tenant, Tenant.key(tenant_id))
    if tenant is None:
        raise ValueError(f"no tenant {tenant_id}")
    heads = {h.resource_id: h for h in _heads(tenant_id)}
    held: dict[str, int] = {}
    usage = TenantUsage(tenant_id=tenant_id)
    for record in _holding_records(svc, tenant_id):
        if record.resource_id not in heads:
            usage.orphans.append(record.link_id)
            continue
        held[record.resource_id] = held.get(record.resource_id, 0) + 1
    for resource_id, head in heads.items():
        usage.resources.append(ResourceUsage(resource_id, int(head.active_links or 0), held.get(resource_id, 0)))
    actual_links = sum(held.values())
    actual_shared = sum(1 for n in held.values() if n > 0)
    usage.active_links = {"counted": int(tenant.active_links or 0), "actual": actual_links}
    usage.shared_resources = {"counted": int(tenant.shared_resources or 0), "actual": actual_shared}
    if repair and usage.drifted:
        _repair(svc, tenant, heads, usage)
        usage.repaired = True
    return usage


def _repair(svc: Keyhole, tenant: Tenant, heads: dict[str, ResourceHead], usage: TenantUsage) -> None:
    items: list[Any] = []
    for row in usage.resources:
        if row.counted != row.actual:
            items.append(
                (
                    ResourceHead,
                    ResourceHead.key(tenant.tenant_id, row.resource_id),
                    [ResourceHead.active_links.set(row.actual)],
                    ResourceHead.active_links == row.counted,
                )
            )
    for link_id in usage.orphans:
        # A slot on a resource that no longer exists can never be freed by traffic: release it.
        items.append(
            (
                LinkRecord,
                LinkRecord.key(link_id),
                [LinkRecord.slot_held.set(False), LinkRecord.gsi5pk.remove(), LinkRecord.gsi5sk.remove()],
                LinkRecord.slot_held == True,  # noqa: E712 (a PynamoDB condition, not a comparison)
            )
        )
    items.append(
        (
            Tenant,
            Tenant.key(tenant.tenant_id),
            [
                Tenant.active_links.set(usage.active_links["actual"]),
                Tenant.shared_resources.set(usage.shared_resources["actual"]),
            ],
            (Tenant.active_links == usage.active_links["counted"])
            & (Tenant.shared_resources == usage.shared_resources["counted"]),
        )
    )
    for start in range(0, len(items), 90):  # transactions take at most 100 items
        txn = svc.store.txn()
        for model, key, actions, condition in items[start : start + 90]:
            txn.update(model, key, actions, condition=condition)
        try:
            txn.commit()
        except TxnCancelled as cancelled:
            raise RuntimeError("counters changed while repairing (live traffic); run the recount again") from cancelled
