"""The DynamoDB stream consumer: access events become counters and `share.accessed` webhooks;
link changes become audit events and `share.*` webhooks. Chalice-free: `app.py`'s
`@app.on_dynamodb_record` handler and the local pump (devstack/pump.py) both call `handle` with
the raw Lambda event.

What each record does (docs/stream.md has the table):

- `ACCESS#` INSERT with outcome `viewed`: +1 `view_count`, `last_accessed_at`, `share.accessed`.
  Events are pre-aggregated per link: one conditional update per link per batch of its counters
  item (`chalicelib/links/viewcounts.py`), which keeps a high-water mark of the stream sequence numbers
  counted from each of the link's access-event partitions, so a replayed record (duplicate batch,
  retry after a partial failure) is never counted twice, and no access event is rewritten.
- `LINK#` INSERT (live) -> `share.created`; MODIFY to revoked -> `share.revoked`; live ->
  exhausted -> `share.exhausted`; slot freed while live (expiry reclaim) -> `share.expired`.
- `CAP#` REMOVE by DynamoDB TTL (userIdentity `Service` / `dynamodb.amazonaws.com`) -> free the
  link's slot if still held (conditional, never twice) and `share.expired`. MODIFY reaching
  `max_views` -> mark the link exhausted at once (frees its slot).
- System-driven changes (expiry, exhaustion) are audited with a `system` actor under ids derived
  from the link, so they are recorded once however many records announce them. Admin actions
  were audited by the API in their own transactions and are not audited again.

Failures are reported per record (`batchItemFailures`, through Powertools' BatchProcessor):
a record that cannot be parsed, a view whose link aggregate could not be written, or an event
whose webhook deliveries could not be enqueued. Everything else in the batch commits.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
    StreamRecord,
)
from pynamodb.exceptions import PutError

from chalicelib.links import links, viewcounts
from chalicelib.platform import usage
from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339, to_rfc3339_ms
from chalicelib.service import Keyhole
from chalicelib.storage.models import AuditEvent, LinkRecord
from chalicelib.storage.store import error_code
from chalicelib.webhooks import Event, fan_out

logger = logging.getLogger(__name__)

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
SYSTEM_ACTOR = {"type": "system", "id": "stream-consumer", "name": "Keyhole"}
_ACCESS_KEY = re.compile(r"^ACCESS#(lnk_[0-9a-f]{24})#([0-9]+)$")
LINK_FIELDS = (
    "link_id",
    "resource_id",
    "label",
    "token_preview",
    "scope",
    "expires_at",
    "created_at",
    "created_by",
    "created_by_actor",
    "revoked_at",
    "revoked_by",
    "revoked_by_actor",
    "exhausted_at",
)


class PoisonRecord(Exception):
    """A stream record the consumer cannot interpret; it fails until Lambda gives up on it."""


class LinkMissing(Exception):
    """A change names a link whose record does not exist (link records are never deleted)."""


def is_ttl_removal(record: DynamoDBRecord) -> bool:
    identity = record.user_identity or {}
    return (
        record.get("eventName") == "REMOVE"
        and identity.get("type") == TTL_IDENTITY["type"]
        and identity.get("principalId") == TTL_IDENTITY["principalId"]
    )


def _sequence(raw: Mapping[str, Any]) -> str:
    return str((raw.get("dynamodb") or {}).get("SequenceNumber", ""))


def _stream(record: DynamoDBRecord) -> StreamRecord:
    stream = record.dynamodb
    if stream is None:
        raise PoisonRecord("record has no dynamodb section")
    return stream


def _partition_key(record: DynamoDBRecord) -> str:
    stream = _stream(record)
    try:
        pk = stream.keys["pk"]
    except (KeyError, TypeError, ValueError) as error:
        raise PoisonRecord("record keys cannot be read") from error
    if not isinstance(pk, str):
        raise PoisonRecord("record partition key is not a string")
    return pk


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray)):
        return None
    return value


@dataclass(frozen=True)
class View:
    """An access event from a stream record (everything but the token, which it never had)."""

    sequence: str
    key: tuple[str, str]
    shard: int
    event_id: str
    link_id: str
    tenant_id: str
    resource_id: str | None
    at: str
    ip: str | None
    user_agent: str | None
    method: str | None
    path: str | None
    status: int | None
    latency_ms: int | None
    outcome: str

    @classmethod
    def parse(cls, record: DynamoDBRecord) -> View:
        stream = _stream(record)
        try:
            image = stream.new_image
            keys = stream.keys
        except Exception as error:  # an attribute value the deserializer does not understand
            raise PoisonRecord("access event image cannot be read") from error
        missing = [
            name
            for name in ("link_id", "tenant_id", "event_id", "at", "outcome")
            if not isinstance(image.get(name), str) or not image.get(name)
        ]
        if missing:
            raise PoisonRecord(f"access event lacks {', '.join(missing)}")
        matched = _ACCESS_KEY.match(str(keys.get("pk")))
        if matched is None or matched.group(1) != image["link_id"]:
            raise PoisonRecord("access event key does not match its link")
        try:
            parse_rfc3339(image["at"])
        except ValueError as error:
            raise PoisonRecord("access event time is not RFC 3339") from error
        sequence = stream.sequence_number or ""
        try:
            viewcounts.mark(sequence)
        except ValueError as error:
            raise PoisonRecord("access event has no stream sequence number") from error
        return cls(
            sequence=sequence,
            key=(keys["pk"], keys["sk"]),
            shard=int(matched.group(2)),
            event_id=image["event_id"],
            link_id=image["link_id"],
            tenant_id=image["tenant_id"],
            resource_id=image.get("resource_id"),
            at=image["at"],
            ip=image.get("ip"),
            user_agent=image.get("user_agent"),
            method=image.get("method"),
            path=image.get("path"),
            status=_plain(image.get("status")),
            latency_ms=_plain(image.get("latency_ms")),
            outcome=image["outcome"],
        )

    @property
    def at_seconds(self) -> str:
        return to_rfc3339(parse_rfc3339(self.at))

    def event(self) -> Event:
        data = {
            "link_id": self.link_id,
            "resource_id": self.resource_id,
            "at": self.at,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "outcome": self.outcome,
        }
        return Event(
            event_id=f"share.accessed:{self.event_id}",
            type="share.accessed",
            tenant_id=self.tenant_id,
            at=self.at,
            data=data,
        )


# --- counting views ------------------------------------------------------------------------


def count_views(svc: Keyhole, link_id: str, views: list[View]) -> int:
    """Add `views` to the link's counters once each (one write); returns how many were new."""
    unique = {view.sequence: view for view in views}.values()
    counted = [viewcounts.Counted(shard=v.shard, sequence=v.sequence, at_seconds=v.at_seconds) for v in unique]
    return viewcounts.count(svc.store, link_id, counted)


# --- link changes --------------------------------------------------------------------------


def _link_data(image: Mapping[str, Any]) -> dict[str, Any]:
    return links.with_by_refs({name: _plain(image.get(name)) for name in LINK_FIELDS if image.get(name) is not None})


def _record_data(record: LinkRecord) -> dict[str, Any]:
    return links.with_by_refs(
        {name: getattr(record, name) for name in LINK_FIELDS if getattr(record, name, None) is not None}
    )


def system_audit(
    svc: Keyhole, tenant_id: str, action: str, link_id: str, at: str, details: dict[str, Any] | None = None
) -> bool:
    """Audit a system-driven change once: the id and sort key derive from (action, link)."""
    event_id = "evt_" + hashlib.sha256(f"{action}|{link_id}".encode()).hexdigest()[:20]
    moment = parse_rfc3339(at)
    event = AuditEvent(
        pk=AuditEvent.partition(tenant_id),
        sk=f"{to_rfc3339_ms(moment)}#{event_id}",
        event_id=event_id,
        tenant_id=tenant_id,
        at=to_rfc3339(moment),
        actor=dict(SYSTEM_ACTOR),
        action=action,
        target_type="link",
        target_id=link_id,
        details=details or {},
    )
    try:
        event.save(condition=AuditEvent.pk.does_not_exist())
        return True
    except PutError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            return False
        raise svc.store.translate(error) from error


def _expired(svc: Keyhole, tenant_id: str, data: dict[str, Any], how: str) -> list[Event]:
    link_id, at = data["link_id"], data.get("expires_at")
    if not at:
        return []
    system_audit(
        svc,
        tenant_id,
        "link.expired",
        link_id,
        at,
        {"resource_id": data.get("resource_id"), "token_preview": data.get("token_preview"), "via": how},
    )
    return [Event(event_id=f"share.expired:{link_id}", type="share.expired", tenant_id=tenant_id, at=at, data=data)]


def link_changed(svc: Keyhole, record: DynamoDBRecord) -> list[Event]:
    stream = _stream(record)
    old, new = stream.old_image, stream.new_image
    name = record.get("eventName")
    if name == "INSERT":
        if new.get("state", "live") != "live":
            return []
        return [
            Event(
                event_id=f"share.created:{new['link_id']}",
                type="share.created",
                tenant_id=new["tenant_id"],
                at=new["created_at"],
                data=_link_data(new),
            )
        ]
    if name != "MODIFY":
        return []
    was, now_state = old.get("state"), new.get("state")
    tenant_id, link_id = new["tenant_id"], new["link_id"]
    if was != "revoked" and now_state == "revoked":
        return [
            Event(
                event_id=f"share.revoked:{link_id}",
                type="share.revoked",
                tenant_id=tenant_id,
                at=new.get("revoked_at") or new["created_at"],
                data=_link_data(new),
            )
        ]
    if was == "live" and now_state == "exhausted":
        at = new.get("exhausted_at") or to_rfc3339(svc.clock.now())
        system_audit(
            svc,
            tenant_id,
            "link.exhausted",
            link_id,
            at,
            {
                "resource_id": new.get("resource_id"),
                "token_preview": new.get("token_preview"),
                "max_views": _plain(new.get("max_views")),
            },
        )
        return [
            Event(
                event_id=f"share.exhausted:{link_id}",
                type="share.exhausted",
                tenant_id=tenant_id,
                at=at,
                data=_link_data(new),
            )
        ]
    if was == "live" and now_state == "live" and old.get("slot_held") and not new.get("slot_held"):
        # A live link gives up its slot only when it expired (revocation and exhaustion change state).
        return _expired(svc, tenant_id, _link_data(new), "reclaim")
    return []


def capability_changed(svc: Keyhole, record: DynamoDBRecord) -> list[Event]:
    stream = _stream(record)
    name = record.get("eventName")
    if name == "REMOVE" and is_ttl_removal(record):
        link_id = stream.old_image.get("link_id")
        if not link_id:
            raise PoisonRecord("capability image has no link_id")
        link = svc.store.get(LinkRecord, LinkRecord.key(link_id))
        if link is None:
            raise LinkMissing(f"link {link_id} has no record")
        if link.state != "live":
            return []  # revoked or used up before it expired: nothing expired
        if link.slot_held:
            links.reclaim_expired(svc, link, to_rfc3339(svc.clock.now()))  # conditional: frees at most once
        return _expired(svc, link.tenant_id, _record_data(link), "ttl")
    if name == "MODIFY":
        old, new = stream.old_image, stream.new_image
        max_views, used = new.get("max_views"), new.get("views_used") or 0
        if max_views is not None and used >= max_views and (old.get("views_used") or 0) < max_views:
            link = svc.store.get(LinkRecord, LinkRecord.key(new["link_id"]))
            if link is not None and link.state == "live" and link.slot_held:
                links.mark_exhausted(svc, link, to_rfc3339(svc.clock.now()))
    return []


# --- the batch processor -------------------------------------------------------------------


class StreamProcessor(BatchProcessor):
    """Powertools' BatchProcessor for DynamoDB streams with two batch-wide phases around the
    per-record handler: views are counted per link before it (`_prepare`), and webhook
    deliveries are enqueued for every successful record's events after it (`_clean`). A record
    fails if its own handling failed, its link aggregate failed, or its deliveries were not enqueued."""

    def __init__(self, svc: Keyhole) -> None:
        super().__init__(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False, logger=logger)
        self.svc = svc
        self.views: dict[str, View] = {}
        self.early_failures: dict[str, BaseException] = {}
        self.events: dict[str, list[Event]] = {}

    def _prepare(self) -> None:
        super()._prepare()
        self.views, self.early_failures, self.events = {}, {}, {}
        by_link: dict[str, list[View]] = {}
        for raw in self.records:
            record = DynamoDBRecord(raw)
            try:
                if record.get("eventName") != "INSERT" or not _partition_key(record).startswith("ACCESS#"):
                    continue
                view = View.parse(record)
            except PoisonRecord as poison:
                self.early_failures[_sequence(raw)] = poison
                continue
            self.views[view.sequence] = view
            if view.outcome == "viewed":
                by_link.setdefault(view.link_id, []).append(view)
        for link_id, views in by_link.items():
            try:
                count_views(self.svc, link_id, views)
            except Exception as error:  # only this link's records fail; the rest of the batch commits
                logger.warning("counting %d views of %s failed: %s", len(views), link_id, type(error).__name__)
                for view in views:
                    self.early_failures[view.sequence] = error

    def handle_record(self, record: DynamoDBRecord) -> list[Event]:
        sequence = _sequence(record.raw_event)
        if sequence in self.early_failures:
            raise self.early_failures[sequence]
        name = record.get("eventName")
        if name not in DynamoDBRecordEventName.__members__:
            raise PoisonRecord(f"unknown eventName {name!r}")
        pk = _partition_key(record)
        if pk.startswith("ACCESS#"):
            view = self.views.get(sequence) if name == "INSERT" else None
            return [view.event()] if view is not None and view.outcome == "viewed" else []
        if pk.startswith("LINK#"):
            return link_changed(self.svc, record)
        if pk.startswith("CAP#"):
            return capability_changed(self.svc, record)
        return []

    def success_handler(self, record: Any, result: Any) -> Any:
        if result:
            self.events[_sequence(record)] = list(result)
        return super().success_handler(record, result)

    def _clean(self) -> None:
        self._deliver()
        super()._clean()

    def _deliver(self) -> None:
        events = [event for batch in self.events.values() for event in batch]
        if not events:
            return
        try:
            not_enqueued = fan_out(self.svc, events)
        except Exception as error:
            logger.warning("webhook fan-out failed: %s", type(error).__name__, exc_info=True)
            not_enqueued = {event.event_id for event in events}
        if not not_enqueued:
            return
        for sequence, batch in self.events.items():
            if any(event.event_id in not_enqueued for event in batch):
                self._fail_late(sequence, RuntimeError("webhook deliveries could not be enqueued"))

    def _fail_late(self, sequence: str, error: BaseException) -> None:
        for raw in list(self.success_messages):
            if isinstance(raw, Mapping) and _sequence(raw) == sequence:
                self.success_messages.remove(raw)
                self.failure_handler(DynamoDBRecord(dict(raw)), (type(error), error, None))


def handle(svc: Keyhole, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Process one Lambda stream event; returns `{"batchItemFailures": [{"itemIdentifier": seq}]}`."""
    processor = StreamProcessor(svc)
    if not event.get("Records"):
        return {"batchItemFailures": []}
    response = process_partial_response(
        event=event, record_handler=processor.handle_record, processor=processor, context=context
    )
    usage.count_batch(svc, event["Records"], response.get("batchItemFailures", []))  # views and links per day
    failed = len(response.get("batchItemFailures", []))
    telemetry.add(telemetry.STREAM_RECORDS_FAILED, failed)  # 0 too: the alarm sees data, not silence
    if failed:
        logger.warning("stream batch: %d of %d records failed", failed, len(event["Records"]))
    return dict(response)


__all__ = [
    "LinkMissing",
    "PoisonRecord",
    "StreamProcessor",
    "View",
    "count_views",
    "handle",
    "is_ttl_removal",
    "system_audit",
]
