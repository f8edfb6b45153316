"""A link's view counters (`view_count`, `last_accessed_at`): counted once per access event,
from the table stream, with one small write per link per batch.

The counters live in one `LinkViews` item per link in the counters table, which has no stream:
counting never wakes the consumer again and never rewrites the link record. Exactly-once counting
of at-least-once stream records rests on high-water marks: for each of a link's access-event
partitions (`ACCESS#<link>#<shard>`), the item keeps the highest stream sequence number it has
counted (`h0`..`h3`). DynamoDB Streams publishes the records of one partition key in the order
they were written, each with a sequence number that reflects that order, and Lambda hands a
shard's records over in order (retries start again from the lowest failed record). So a record
at or below the mark was counted before (a duplicate batch, or a retry after a partial failure),
and one above it was not. One conditional UpdateItem per link per batch adds the new views and
moves the marks; a condition that fails (a replay, or another shard's batch counting the same link
at the same moment) is answered by reading the item and counting exactly what lies above its marks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.storage.models import AccessEvent, LinkViews
from chalicelib.storage.store import Store

SEQUENCE_WIDTH = 40  # stream sequence numbers are decimal strings of up to 40 digits
MAX_ATTEMPTS = 8


class CountingFailed(Exception):
    """The counters of a link could not be written (after retries); its records must be retried."""


@dataclass(frozen=True)
class Counted:
    """One access event to count: its partition's shard, stream sequence number and time."""

    shard: int
    sequence: str
    at_seconds: str


def mark(sequence: str) -> str:
    """A sequence number as a fixed-width string, so marks compare in DynamoDB as numbers do."""
    digits = str(sequence).strip()
    if not digits.isdigit() or len(digits) > SEQUENCE_WIDTH:
        raise ValueError(f"not a stream sequence number: {sequence!r}")
    return digits.rjust(SEQUENCE_WIDTH, "0")


def _attribute(shard: int) -> str:
    if not 0 <= shard < AccessEvent.SHARDS:
        raise ValueError(f"no access-event shard {shard}")
    return f"h{shard}"


def count(store: Store, link_id: str, views: Sequence[Counted]) -> int:
    """Add the views not counted before to the link's counters. Returns how many were new."""
    if not views:
        return 0
    by_shard: dict[int, list[Counted]] = {}
    for view in views:
        by_shard.setdefault(view.shard, []).append(view)
    known: dict[str, Any] | None = None  # the stored item, once a condition has failed
    for attempt in range(MAX_ATTEMPTS):
        names: dict[str, str] = {}
        values: dict[str, dict[str, str]] = {}
        sets: list[str] = []
        conditions: list[str] = []
        new: list[Counted] = []
        for shard, shard_views in sorted(by_shard.items()):
            attribute = _attribute(shard)
            stored = known.get(attribute, {}).get("S") if known is not None else None
            fresh = [v for v in shard_views if stored is None or mark(v.sequence) > stored]
            if not fresh:
                continue  # every view of this shard was counted before
            names[f"#{attribute}"] = attribute
            new += fresh
            values[f":{attribute}"] = {"S": max(mark(v.sequence) for v in fresh)}
            sets.append(f"#{attribute} = :{attribute}")
            if known is None:  # first try: nothing at or above this batch's lowest record yet
                values[f":{attribute}min"] = {"S": min(mark(v.sequence) for v in fresh)}
                conditions.append(f"(attribute_not_exists(#{attribute}) OR #{attribute} < :{attribute}min)")
            elif stored is None:
                conditions.append(f"attribute_not_exists(#{attribute})")
            else:
                values[f":{attribute}was"] = {"S": stored}
                conditions.append(f"#{attribute} = :{attribute}was")
        if not new:
            return 0  # every view was counted before: a replay
        latest = max(v.at_seconds for v in new)
        names["#last"] = "last_accessed_at"
        values[":latest"] = {"S": latest}
        stored_last = known.get("last_accessed_at", {}).get("S") if known is not None else None
        if known is None:
            sets.append("#last = :latest")
            conditions.append("(attribute_not_exists(#last) OR #last <= :latest)")
        elif stored_last is None or stored_last <= latest:
            sets.append("#last = :latest")  # only ever moves forward
            conditions.append("(attribute_not_exists(#last) OR #last <= :latest)")
        else:
            del values[":latest"]
            values[":lastwas"] = {"S": stored_last}
            conditions.append("#last = :lastwas")
        names["#n"] = "view_count"
        values[":n"] = {"N": str(len(new))}
        try:
            store.client.update_item(
                TableName=LinkViews.Meta.table_name,
                Key={"pk": {"S": LinkViews.key(link_id)[0]}},
                UpdateExpression=f"ADD #n :n SET {', '.join(sets)}",
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
            return len(new)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in ("ConditionalCheckFailedException", "TransactionConflictException"):
                raise CountingFailed(f"counting views of {link_id}: {code}") from error
        except BotoCoreError as error:
            raise CountingFailed(f"counting views of {link_id}: {type(error).__name__}") from error
        known = _stored(store, link_id)
        if attempt:
            time.sleep(min(0.2, 0.01 * 2**attempt) * random.random())  # noqa: S311 (jitter, not a secret)
    raise CountingFailed(f"counting views of {link_id}: too many concurrent updates")


def _stored(store: Store, link_id: str) -> dict[str, Any]:
    try:
        got = store.client.get_item(
            TableName=LinkViews.Meta.table_name, Key={"pk": {"S": LinkViews.key(link_id)[0]}}, ConsistentRead=True
        )
    except (ClientError, BotoCoreError) as error:
        raise CountingFailed(f"reading the counters of {link_id}") from error
    return dict(got.get("Item") or {})


@dataclass(frozen=True)
class Views:
    view_count: int = 0
    last_accessed_at: str | None = None


def read(store: Store, link_ids: Iterable[str]) -> dict[str, Views]:
    """The counters of these links (zero for a link never viewed), in one BatchGetItem."""
    ids = list(dict.fromkeys(link_ids))
    items = store.batch_get([(LinkViews, LinkViews.key(link_id)) for link_id in ids])
    out: dict[str, Views] = {}
    for link_id, item in zip(ids, items, strict=True):
        if isinstance(item, LinkViews):
            out[link_id] = Views(int(item.view_count or 0), item.last_accessed_at)
        else:
            out[link_id] = Views()
    return out
