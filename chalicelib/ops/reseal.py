"""Re-seal every sealed token and webhook secret under a new KMS key (key replacement).

Every sealed value (`chalicelib/sealing`) carries its data key wrapped by the KMS key that issued
it. Automatic key rotation keeps the same key id, so it needs nothing from Keyhole; *replacing* the
key (a compromised or mis-configured key, a move to another account's key, a key that must be
deleted) means opening every value with the old key and sealing it again under the new one.

What is sealed, and where:

| kind | item | attribute | purpose | object id |
|---|---|---|---|---|
| share token | link record `LINK#<link>` | `sealed_token` | `share-token` | link id |
| webhook secret | webhook endpoint `TENANT#<t>` / `WH#<id>` | `sealed_secret` | `webhook-secret` | endpoint id |

The target key is the service's own (KEYHOLE_KMS_KEY_ID); the source key is named on the command
line. Per value: if the target key already opens it, it is skipped (one KMS Decrypt per distinct
data key, cached: many values share a data key); otherwise it is opened with the source key, sealed
under the target key and written back under the condition that the item still holds the old value.
So a run can be stopped and started again at any point: work already done is recognised, and a
state file records the tenants that are finished so a resumed run skips them without reading.
Values neither key opens are counted (`unopenable`) and listed, never changed.

Reads go tenant by tenant through the link index and the tenant's own partition: the table is never
scanned (access events, the bulk of it, are never read).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.links.links import TOKEN_PURPOSE
from chalicelib.ops.exceptions import OpsError, ResealStateError
from chalicelib.ops.viewcounts import links_of
from chalicelib.sealing import Sealer, UnsealError
from chalicelib.service import Keyhole, botocore_client
from chalicelib.storage.models import LinkRecord, WebhookEndpoint
from chalicelib.storage.store import error_code
from chalicelib.tenancy import audit
from chalicelib.tenancy.tenants import OPS_ACTOR, list_tenant_ids
from chalicelib.webhooks.endpoints import SECRET_PURPOSE

PROGRESS_EVERY = 500
MAX_LISTED = 20


@dataclass
class Counts:
    resealed: int = 0
    already: int = 0  # already under the target key
    unopenable: int = 0  # neither key opens it
    changed: int = 0  # the item changed while being re-sealed: the next run picks it up

    def add(self, other: Counts) -> None:
        for name in ("resealed", "already", "unopenable", "changed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class TenantReseal:
    tenant_id: str
    links: Counts = field(default_factory=Counts)
    webhooks: Counts = field(default_factory=Counts)
    unopenable_ids: list[str] = field(default_factory=list)
    skipped: bool = False  # finished by an earlier run (state file)

    @property
    def total(self) -> Counts:
        total = Counts()
        total.add(self.links)
        total.add(self.webhooks)
        return total

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ResealState:
    """What a run has finished, so that an interrupted run resumes instead of starting over."""

    path: Path
    source_key_id: str
    target_key_id: str
    table: str
    done: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, *, source_key_id: str, target_key_id: str, table: str) -> ResealState:
        state = cls(path=path, source_key_id=source_key_id, target_key_id=target_key_id, table=table)
        if not path.exists():
            return state
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise ResealStateError(f"cannot read the state file {path}: {error}") from error
        mine = {"source_key_id": source_key_id, "target_key_id": target_key_id, "table": table}
        theirs = {name: saved.get(name) for name in mine}
        if theirs != mine:
            raise ResealStateError(
                f"the state file {path} belongs to another run ({theirs}); pass another --state-file or delete it"
            )
        state.done = list(saved.get("done", []))
        return state

    def finish(self, tenant_id: str) -> None:
        self.done.append(tenant_id)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "source_key_id": self.source_key_id,
            "target_key_id": self.target_key_id,
            "table": self.table,
            "done": self.done,
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(body, indent=1))
        os.replace(temporary, self.path)  # atomic: a crash never leaves half a state file


class Resealer:
    """Moves sealed values from `source` (the old key) to `target` (the new one)."""

    def __init__(self, svc: Keyhole, source_key_id: str, *, dry_run: bool = False) -> None:
        if not source_key_id:
            raise OpsError("name the old key: --from <key id, ARN or alias>")
        if source_key_id == svc.settings.kms_key_id:
            raise OpsError(
                f"--from {source_key_id} is the key Keyhole seals with now (KEYHOLE_KMS_KEY_ID): "
                "point KEYHOLE_KMS_KEY_ID at the new key first"
            )
        self.svc = svc
        self.dry_run = dry_run
        kms = botocore_client(svc.settings, "kms")
        self.target = Sealer(lambda: kms, svc.settings.kms_key_id)
        self.source = Sealer(lambda: kms, source_key_id)

    def reseal_value(self, sealed: bytes, *, tenant_id: str, purpose: str, object_id: str) -> bytes | None:
        """The value sealed under the target key, or None if it already is. Raises UnsealError if
        neither key opens it."""
        if self.target.sealed_under_own_key(sealed, tenant_id=tenant_id, purpose=purpose):
            return None
        plaintext = self.source.unseal(sealed, tenant_id=tenant_id, purpose=purpose, object_id=object_id)
        # The new value must open with the target key before it replaces the old one.
        fresh = self.target.seal(plaintext, tenant_id=tenant_id, purpose=purpose, object_id=object_id)
        if self.target.unseal(fresh, tenant_id=tenant_id, purpose=purpose, object_id=object_id) != plaintext:
            raise OpsError("a re-sealed value did not open again; nothing was written")
        return fresh

    def _one(
        self,
        counts: Counts,
        item: Any,
        attribute: Any,
        sealed: bytes | None,
        *,
        purpose: str,
        object_id: str,
        report: TenantReseal,
    ) -> None:
        if sealed is None:
            return  # a link whose token was shown once: nothing stored
        try:
            fresh = self.reseal_value(bytes(sealed), tenant_id=report.tenant_id, purpose=purpose, object_id=object_id)
        except UnsealError:
            counts.unopenable += 1
            if len(report.unopenable_ids) < MAX_LISTED:
                report.unopenable_ids.append(object_id)
            return
        if fresh is None:
            counts.already += 1
            return
        if self.dry_run:
            counts.resealed += 1
            return
        try:
            item.update(actions=[attribute.set(fresh)], condition=attribute == bytes(sealed))
            counts.resealed += 1
        except UpdateError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise self.svc.store.translate(error) from error
            counts.changed += 1

    def reseal_tenant(self, tenant_id: str, progress: Callable[[str], None] = lambda line: None) -> TenantReseal:
        report = TenantReseal(tenant_id=tenant_id)
        for n, record in enumerate(links_of(self.svc, tenant_id), start=1):
            self._one(
                report.links,
                record,
                LinkRecord.sealed_token,
                record.sealed_token,
                purpose=TOKEN_PURPOSE,
                object_id=record.link_id,
                report=report,
            )
            if n % PROGRESS_EVERY == 0:
                progress(f"  {tenant_id}: {n} links read")
        for endpoint in WebhookEndpoint.query(
            f"TENANT#{tenant_id}", WebhookEndpoint.sk.startswith("WH#"), consistent_read=True
        ):
            self._one(
                report.webhooks,
                endpoint,
                WebhookEndpoint.sealed_secret,
                endpoint.sealed_secret,
                purpose=SECRET_PURPOSE,
                object_id=endpoint.endpoint_id,
                report=report,
            )
        if report.total.resealed and not self.dry_run:
            audit.new_event(
                tenant_id,
                actor=OPS_ACTOR,
                action="secrets.resealed",
                at=self.svc.clock.now(),
                target_type="tenant",
                target_id=tenant_id,
                details={"links": report.links.resealed, "webhook_endpoints": report.webhooks.resealed},
            ).save()
        return report


def reseal(
    svc: Keyhole,
    *,
    source_key_id: str,
    tenant_ids: list[str] | None = None,
    state_file: Path | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> Iterator[TenantReseal]:
    """Re-seal tenant by tenant (default: every tenant), one report per tenant as it finishes.

    With a `state_file` (not used by dry runs), finished tenants are recorded and skipped when
    the same re-seal (same keys, same table) runs again."""
    resealer = Resealer(svc, source_key_id, dry_run=dry_run)
    state = (
        ResealState.load(
            state_file,
            source_key_id=source_key_id,
            target_key_id=svc.settings.kms_key_id,
            table=svc.settings.table_name,
        )
        if state_file is not None and not dry_run
        else None
    )
    everyone = tenant_ids or list_tenant_ids(svc)
    progress(
        f"{'checking' if dry_run else 're-sealing'} {len(everyone)} tenant(s): "
        f"from {source_key_id} to {svc.settings.kms_key_id}"
    )
    for position, tenant_id in enumerate(everyone, start=1):
        if state is not None and tenant_id in state.done:
            progress(f"[{position}/{len(everyone)}] {tenant_id}: done in an earlier run, skipped")
            yield TenantReseal(tenant_id=tenant_id, skipped=True)
            continue
        report = resealer.reseal_tenant(tenant_id, progress)
        total = report.total
        progress(
            f"[{position}/{len(everyone)}] {tenant_id}: {total.resealed} "
            f"{'to re-seal' if dry_run else 're-sealed'}, {total.already} already under the new key, "
            f"{total.unopenable} unopenable, {total.changed} changed meanwhile"
        )
        if state is not None and not total.changed:
            state.finish(tenant_id)
        yield report
