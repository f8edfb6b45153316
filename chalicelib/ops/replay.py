"""Replay the stream records named in the stream-failure queue through the consumer.

When Lambda gives up on stream records (retries exhausted, or older than the mapping's maximum
record age), it sends the on-failure destination (the `keyhole-<stage>-stream-failures` SQS queue)
a small JSON record that names the batch, not its contents:
`DDBStreamBatchInfo: {streamArn, shardId, startSequenceNumber, endSequenceNumber, batchSize, ...}`.

The records themselves are still in the table's stream for 24 hours. This tool reads each message,
reads that sequence-number range back from the stream (GetShardIterator AT_SEQUENCE_NUMBER, then
GetRecords until past the end), and hands the records to `consumer.handle`, the function the
Lambda runs, in the event shape Lambda uses. The consumer is idempotent per record (docs/stream.md,
"At-least-once safety"): a view already counted is not counted again, an audit event or webhook
delivery that exists is not written again. So replaying a message twice, or replaying records that
partly succeeded the first time, changes nothing more.

A message is deleted only when every record of its range was read and handled without failure.
Otherwise it stays on the queue (visible again after the visibility timeout) and the result says
why: records that still fail (their sequence numbers), or a range the stream no longer holds
(past the 24 h retention: see docs/operations.md for what to do then).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.ops.exceptions import BadFailureNotice
from chalicelib.ops.stream_records import lambda_event, sequence_of
from chalicelib.service import Keyhole, botocore_client

logger = logging.getLogger(__name__)

# GetRecords answers: how many empty pages in a row mean "nothing more in this range yet".
MAX_EMPTY_PAGES = 3
MAX_PAGES_PER_RANGE = 1000
# How long a received message stays invisible to other readers while it is replayed.
VISIBILITY_TIMEOUT_SECONDS = 300

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class FailureNotice:
    """One on-failure record from the queue: which stream records Lambda gave up on."""

    message_id: str
    receipt_handle: str
    stream_arn: str
    shard_id: str
    start_sequence: str
    end_sequence: str
    batch_size: int | None
    condition: str | None
    first_arrival: str | None

    @classmethod
    def parse(cls, message: dict[str, Any]) -> FailureNotice:
        try:
            body = json.loads(message.get("Body") or "")
        except ValueError as error:
            raise BadFailureNotice(f"message {message.get('MessageId')} is not JSON") from error
        info = body.get("DDBStreamBatchInfo") if isinstance(body, dict) else None
        if not isinstance(info, dict):
            raise BadFailureNotice(f"message {message.get('MessageId')} has no DDBStreamBatchInfo")
        missing = [
            name for name in ("streamArn", "shardId", "startSequenceNumber", "endSequenceNumber") if not info.get(name)
        ]
        if missing:
            raise BadFailureNotice(f"message {message.get('MessageId')} lacks {', '.join(missing)}")
        start, end = str(info["startSequenceNumber"]), str(info["endSequenceNumber"])
        if not (start.isdigit() and end.isdigit()) or int(start) > int(end):
            raise BadFailureNotice(f"message {message.get('MessageId')} names no valid sequence-number range")
        context = body.get("requestContext") or {}
        return cls(
            message_id=str(message.get("MessageId")),
            receipt_handle=str(message.get("ReceiptHandle")),
            stream_arn=str(info["streamArn"]),
            shard_id=str(info["shardId"]),
            start_sequence=start,
            end_sequence=end,
            batch_size=info.get("batchSize"),
            condition=context.get("condition"),
            first_arrival=info.get("approximateArrivalOfFirstRecord"),
        )

    def covers(self, sequence: str) -> bool:
        return int(self.start_sequence) <= int(sequence) <= int(self.end_sequence)


@dataclass
class ReplayResult:
    """What happened to one queue message. `status`: replayed (message deleted), failed (records
    still fail; kept), expired (the stream no longer holds the range; kept unless dropped),
    unreadable (not an on-failure record; kept), planned (dry run)."""

    message_id: str
    status: str
    shard_id: str | None = None
    start_sequence: str | None = None
    end_sequence: str | None = None
    records: int = 0
    failed_sequences: list[str] = field(default_factory=list)
    deleted: bool = False
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RangeExpired(Exception):
    """The stream no longer holds (part of) the range: past its 24 h retention, or a deleted stream."""


def read_range(streams: Any, notice: FailureNotice) -> list[dict[str, Any]]:
    """The records of `notice`'s range, read back from the stream (GetRecords shape)."""
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=notice.stream_arn,
            ShardId=notice.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=notice.start_sequence,
        )["ShardIterator"]
    except Exception as error:
        if _code(error) in ("TrimmedDataAccessException", "ResourceNotFoundException"):
            raise RangeExpired(_code(error)) from error
        raise
    found: list[dict[str, Any]] = []
    empty = 0
    for _ in range(MAX_PAGES_PER_RANGE):
        if not iterator:
            break  # a closed shard with nothing after
        try:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
        except Exception as error:
            if _code(error) == "TrimmedDataAccessException":
                raise RangeExpired(_code(error)) from error
            raise
        records = page.get("Records", [])
        iterator = page.get("NextShardIterator")
        if not records:
            empty += 1
            if empty >= MAX_EMPTY_PAGES:
                break
            continue
        empty = 0
        for record in records:
            if int(sequence_of(record)) > int(notice.end_sequence):
                return found
            if notice.covers(sequence_of(record)):
                found.append(record)
    return found


def replay_notice(
    notice: FailureNotice, records: list[dict[str, Any]], handler: Handler, *, region: str
) -> tuple[int, list[str]]:
    """Hand the records to the consumer as one Lambda event; returns (records, failed sequence numbers)."""
    if not records:
        return 0, []
    response = handler(lambda_event(records, notice.stream_arn, region))
    failed = [str(item["itemIdentifier"]) for item in (response or {}).get("batchItemFailures", [])]
    return len(records), sorted(failed, key=int)


def consumer_handler(svc: Keyhole) -> Handler:
    """The stream consumer Lambda runs (`consumer.handle`), bound to this service."""
    from chalicelib.access import consumer

    return lambda event: consumer.handle(svc, event)


def queue_url(sqs: Any, queue: str) -> str:
    """A queue URL from a URL or a queue name."""
    if queue.startswith(("https://", "http://")):
        return queue
    return str(sqs.get_queue_url(QueueName=queue)["QueueUrl"])


def default_queue_name(svc: Keyhole) -> str:
    """The infra stack names the queue after the stage like the table: `<table>-stream-failures`."""
    return f"{svc.settings.table_name}-stream-failures"


def replay_queue(
    svc: Keyhole,
    *,
    queue: str | None = None,
    max_messages: int = 100,
    dry_run: bool = False,
    drop_expired: bool = False,
    handler: Handler | None = None,
    sqs: Any = None,
    streams: Any = None,
) -> Iterator[ReplayResult]:
    """Replay up to `max_messages` queue messages, one result per message, as they are done.

    Messages that stay on the queue (still failing, expired, unreadable, or a dry run) are made
    visible again when the run ends, so the queue then holds exactly what still needs attention."""
    sqs = sqs or botocore_client(svc.settings, "sqs")
    streams = streams or botocore_client(svc.settings, "dynamodbstreams")
    handler = handler or consumer_handler(svc)
    url = queue_url(sqs, queue or default_queue_name(svc))
    seen: set[str] = set()
    kept: list[str] = []
    try:
        while len(seen) < max_messages:
            batch = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(10, max_messages - len(seen)),
                VisibilityTimeout=VISIBILITY_TIMEOUT_SECONDS,
                WaitTimeSeconds=0,
            ).get("Messages", [])
            fresh = [m for m in batch if m.get("MessageId") not in seen]
            if not fresh:
                return
            for message in fresh:
                seen.add(str(message.get("MessageId")))
                result = _replay_message(
                    svc, sqs, streams, url, message, handler, dry_run=dry_run, drop_expired=drop_expired
                )
                if not result.deleted:
                    kept.append(str(message.get("ReceiptHandle")))
                yield result
    finally:
        for receipt in kept:
            _release(sqs, url, receipt)


def _replay_message(
    svc: Keyhole,
    sqs: Any,
    streams: Any,
    url: str,
    message: dict[str, Any],
    handler: Handler,
    *,
    dry_run: bool,
    drop_expired: bool,
) -> ReplayResult:
    try:
        notice = FailureNotice.parse(message)
    except BadFailureNotice as error:
        return ReplayResult(message_id=str(message.get("MessageId")), status="unreadable", detail=str(error))
    result = ReplayResult(
        message_id=notice.message_id,
        status="planned",
        shard_id=notice.shard_id,
        start_sequence=notice.start_sequence,
        end_sequence=notice.end_sequence,
    )
    try:
        records = read_range(streams, notice)
    except RangeExpired as expired:
        result.status = "expired"
        result.detail = (
            f"the stream no longer holds this range ({expired}): past its 24 h retention; "
            "recount view counts (`views recount`) and check the audit log instead"
        )
        if drop_expired and not dry_run:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=notice.receipt_handle)
            result.deleted = True
        return result
    result.records = len(records)
    if not records:
        result.status = "expired"
        result.detail = "no record of this range is left in the stream (past its 24 h retention?)"
        if drop_expired and not dry_run:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=notice.receipt_handle)
            result.deleted = True
        return result
    if dry_run:
        result.detail = f"{len(records)} record(s) would be replayed"
        return result
    count, failed = replay_notice(notice, records, handler, region=svc.settings.region)
    result.records, result.failed_sequences = count, failed
    if failed:
        result.status = "failed"
        result.detail = f"{len(failed)} of {count} record(s) still fail; the message stays on the queue"
        return result
    sqs.delete_message(QueueUrl=url, ReceiptHandle=notice.receipt_handle)
    result.status, result.deleted = "replayed", True
    return result


def _release(sqs: Any, url: str, receipt_handle: str) -> None:
    """Make a kept message visible again now rather than when its visibility timeout ends."""
    try:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt_handle, VisibilityTimeout=0)
    except Exception:  # it becomes visible again when the timeout ends anyway
        logger.info("could not make a kept message visible again")


def _code(error: BaseException) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))
