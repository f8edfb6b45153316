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

- `LINK#` REMOVE (whatever removed the record: a tenant's data aged out, ops) -> the link's counter
  item is deleted: a counter never outlives its link. A view of a link whose record is gone is not
  counted anywhere (no counter item is made for it) and is still announced (`share.accessed`): the
  view happened.
- `TENANT#<tenant>` / `WH#<endpoint>` (an endpoint registered or deleted) -> this container's cached
  endpoints of that tenant are dropped (`webhooks.forget_endpoints`).

Failures are reported per record (`batchItemFailures`, through Powertools' BatchProcessor): a
record that cannot be parsed (validated before anything is aggregated), a view whose counting
failed, or an event whose webhook deliveries could not be enqueued. Everything else in the batch
commits. When a link's aggregated counter write is refused (not throttled: that fails the link's
views for redelivery as they are), the views that cause it are found by halves in the same
invocation and only they fail. A failure is logged once per link (or record), in a bounded line.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
from chalicelib.storage.models import AccessEvent, AuditEvent, LinkRecord
from chalicelib.storage.store import error_code, is_unavailable
from chalicelib.webhooks import Event, fan_out, forget_endpoints

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


class ViewNotCounted(Exception):
    """A view whose counting failed in this batch (its link's failure was logged once)."""


class NotEnqueued(Exception):
    """A record whose events' webhook deliveries could not be enqueued (logged once per batch)."""


LOGGED_REASON_CHARS = 200  # a failure's reason in a log line is cut here: lines stay bounded


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
    return _key(record, "pk")


def _key(record: DynamoDBRecord, name: str) -> str:
    stream = _stream(record)
    try:
        value = stream.keys[name]
    except (KeyError, TypeError, ValueError) as error:
        raise PoisonRecord("record keys cannot be read") from error
    if not isinstance(value, str):
        raise PoisonRecord("record key is not a string")
    return value


def _bounded(error: BaseException) -> str:
    """`Type: message`, cut to one short line (an exception's text can be anything)."""
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return text if len(text) <= LOGGED_REASON_CHARS else text[: LOGGED_REASON_CHARS - 3] + "..."


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
        if not 0 <= int(matched.group(2)) < AccessEvent.SHARDS:
            raise PoisonRecord("access event partition is not one of its link's")
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


def count_views(svc: Keyhole, link_id: str, views: list[View]) -> list[str]:
    """Add `views` to the link's counters once each (one write); returns the sequence numbers of
    those that were new (never counted before: a replay of them returns none)."""
    unique = {view.sequence: view for view in views}.values()
    counted = [viewcounts.Counted(shard=v.shard, sequence=v.sequence, at_seconds=v.at_seconds) for v in unique]
    return [view.sequence for view in viewcounts.count_new(svc.store, link_id, counted)]


@dataclass
class LinkCount:
    """What counting one link's views of a batch came to: views newly counted (their sequence
    numbers), the views that failed (sequence number -> reason), whether the link's record is gone,
    and the writes made."""

    new: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    gone: bool = False
    writes: int = 0
    stopped: bool = False


def _transient(error: BaseException) -> bool:
    if isinstance(error, viewcounts.CountingFailed):
        return error.transient
    return is_unavailable(error)


def count_link(svc: Keyhole, link_id: str, views: list[View]) -> LinkCount:
    """Count a link's views of a batch: one write, or, when that write is refused for a reason that
    retrying will not cure, the views that cause it are found by halves (in stream order) and only
    they fail. A transient failure (throttling, an outage) fails the views from there on as they
    are, for redelivery: counting later ones first would move the partition's mark past them.

    Halving makes at most `2 log2(n) + 2` writes: one view that cannot be counted among n costs
    that many; a link whose every write is refused fails all its views within that budget."""
    ordered = sorted({view.sequence: view for view in views}.values(), key=lambda view: int(view.sequence))
    result = LinkCount()
    budget = 2 * math.ceil(math.log2(len(ordered))) + 2 if len(ordered) > 1 else 1
    _settle(svc, link_id, ordered, result, budget)
    return result


def _settle(svc: Keyhole, link_id: str, views: list[View], result: LinkCount, budget: int) -> None:
    """Count `views` (consecutive, in stream order) in one write; when it is refused, by halves."""
    if result.gone or not views:
        return
    if result.stopped or result.writes >= budget:
        result.failed.update((view.sequence, "an earlier view of this link failed in this batch") for view in views)
        result.stopped = True
        return
    result.writes += 1
    try:
        result.new += count_views(svc, link_id, views)
        return
    except viewcounts.LinkGone:
        result.gone = True
        return
    except Exception as error:  # any refusal: isolated below
        failure = error
    if _transient(failure):
        result.failed.update((view.sequence, _bounded(failure)) for view in views)
        result.stopped = True  # the later views wait for the redelivery too
        return
    if len(views) == 1:
        result.failed[views[0].sequence] = _bounded(failure)  # this view alone cannot be counted
        return
    half = len(views) // 2
    _settle(svc, link_id, views[:half], result, budget)
    _settle(svc, link_id, views[half:], result, budget)


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
    if name == "REMOVE":
        link_id = old.get("link_id") or _key(record, "pk").removeprefix("LINK#")
        viewcounts.forget(svc.store, link_id)  # the counters go with the record
        return []
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
            logger.info("capability of %s expired after its link's record was removed: nothing to free", link_id)
            return []
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
        # No logger for Powertools: `failure_handler` below logs each failure once, bounded.
        super().__init__(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False, logger=None)
        self.svc = svc
        self.views: dict[str, View] = {}
        self.poison: dict[str, str] = {}  # sequence number -> why the record cannot be read
        self.not_counted: dict[str, str] = {}  # sequence number -> why its view was not counted
        self.newly_counted: set[str] = set()  # sequence numbers of the views this batch counted first
        self.events: dict[str, list[Event]] = {}

    def _prepare(self) -> None:
        super()._prepare()
        self.views, self.poison, self.not_counted, self.events = {}, {}, {}, {}
        self.newly_counted = set()
        by_link: dict[str, list[View]] = {}
        for raw in self.records:  # every record is validated before anything is aggregated
            record = DynamoDBRecord(raw)
            try:
                if record.get("eventName") != "INSERT" or not _partition_key(record).startswith("ACCESS#"):
                    continue
                view = View.parse(record)
            except PoisonRecord as poison:
                self.poison[_sequence(raw)] = str(poison)
                continue
            self.views[view.sequence] = view
            if view.outcome == "viewed":
                by_link.setdefault(view.link_id, []).append(view)
        for link_id, views in by_link.items():
            counting = count_link(self.svc, link_id, views)
            self.newly_counted.update(counting.new)
            if counting.gone:
                logger.info("%d view(s) of %s not counted: its link's record no longer exists", len(views), link_id)
            if counting.failed:  # one bounded line per link, however many of its views failed
                logger.warning(
                    "%d of %d view(s) of %s not counted in this batch (%d counted, %d write(s)): %s",
                    len(counting.failed),
                    len(views),
                    link_id,
                    len(counting.new),
                    counting.writes,
                    next(iter(counting.failed.values())),
                )
                self.not_counted.update(counting.failed)

    def handle_record(self, record: DynamoDBRecord) -> list[Event]:
        sequence = _sequence(record.raw_event)
        if sequence in self.poison:
            raise PoisonRecord(self.poison[sequence])  # a new exception each time: tracebacks stay short
        if sequence in self.not_counted:
            raise ViewNotCounted(self.not_counted[sequence])
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
        if pk.startswith("TENANT#") and _key(record, "sk").startswith("WH#"):
            forget_endpoints(self.svc, pk.removeprefix("TENANT#"))  # an endpoint was registered or deleted
        return []

    def failure_handler(self, record: Any, exception: Any) -> Any:
        """Report the record; log it in one bounded line (a view's counting failure was logged
        once for its link, an enqueue failure once for the batch). Unexpected errors keep their
        traceback, which is short: each failure is a new exception, never one raised again."""
        error = exception[1]
        if isinstance(error, PoisonRecord):
            logger.warning("stream record %s failed: %s", _sequence(record), _bounded(error))
        elif not isinstance(error, (ViewNotCounted, NotEnqueued)):
            logger.warning("stream record %s failed: %s", _sequence(record), _bounded(error), exc_info=exception)
        return super().failure_handler(record, exception)

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
        logger.warning("webhook deliveries of %d event(s) could not be enqueued", len(not_enqueued))
        for sequence, batch in self.events.items():
            if any(event.event_id in not_enqueued for event in batch):
                self._fail_late(sequence, NotEnqueued("webhook deliveries could not be enqueued"))

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
    # Views and links per day; views only those counted first now (a redelivery adds none).
    usage.count_batch(svc, event["Records"], response.get("batchItemFailures", []), processor.newly_counted)
    failed = len(response.get("batchItemFailures", []))
    telemetry.add(telemetry.STREAM_RECORDS_FAILED, failed)  # 0 too: the alarm sees data, not silence
    if failed:
        logger.warning("stream batch: %d of %d records failed", failed, len(event["Records"]))
    return dict(response)


__all__ = [
    "LinkCount",
    "NotEnqueued",
    "PoisonRecord",
    "StreamProcessor",
    "View",
    "ViewNotCounted",
    "count_link",
    "count_views",
    "handle",
    "is_ttl_removal",
    "system_audit",
]
