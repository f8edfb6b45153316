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

A counter item never outlives its link: it is created with the link (`counter_item`, in the link's
creation transaction), counting only ever updates an item that exists, and the consumer deletes it
when the link's record is removed (`forget`). A link created before counters were made with it gets
its item on its first count, in a transaction that checks the link's record still exists; views of
a link whose record is gone are not counted anywhere (`LinkGone`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.storage.models import AccessEvent, LinkRecord, LinkViews
from chalicelib.storage.store import Store, is_unavailable

SEQUENCE_WIDTH = 40  # stream sequence numbers are decimal strings of up to 40 digits
MAX_ATTEMPTS = 8


class CountingFailed(Exception):
    """The counters of a link could not be written. `transient`: DynamoDB throttled, was unavailable
    or kept the item busy, so the same write may succeed later (the records are retried as they are);
    otherwise the write itself was refused and retrying it unchanged would fail again."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class LinkGone(Exception):
    """The link's record no longer exists: its views are not counted (no counter item is made)."""


def _failed(link_id: str, error: ClientError | BotoCoreError) -> CountingFailed:
    reason = error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None
    return CountingFailed(
        f"counting views of {link_id}: {reason or type(error).__name__}", transient=is_unavailable(error)
    )


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
    return len(count_new(store, link_id, views))


def count_new(store: Store, link_id: str, views: Sequence[Counted]) -> list[Counted]:
    """Add the views not counted before to the link's counters. Returns the new ones: what this
    call counted and no replay of the same records will count again (the tenant's daily usage)."""
    if not views:
        return []
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
            return []  # every view was counted before: a replay
        if known == {}:  # no counter item: only a link whose record exists may get one
            if _create(store, link_id, new):
                return new
            known = _stored(store, link_id)  # made at this moment by another shard's batch
            continue
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
        names["#pk"] = "pk"
        conditions.append("attribute_exists(#pk)")  # never makes a counter item (see the module docstring)
        try:
            store.client.update_item(
                TableName=LinkViews.Meta.table_name,
                Key={"pk": {"S": LinkViews.key(link_id)[0]}},
                UpdateExpression=f"ADD #n :n SET {', '.join(sets)}",
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
            return new
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in ("ConditionalCheckFailedException", "TransactionConflictException"):
                raise _failed(link_id, error) from error
        except BotoCoreError as error:
            raise _failed(link_id, error) from error
        known = _stored(store, link_id)
        if attempt:
            time.sleep(min(0.2, 0.01 * 2**attempt) * random.random())  # noqa: S311 (jitter, not a secret)
    # Two shards' batches race for one link at most: eight lost races in a row is contention, transient.
    raise CountingFailed(f"counting views of {link_id}: too many concurrent updates", transient=True)


def _create(store: Store, link_id: str, new: Sequence[Counted]) -> bool:
    """Make the counter item of a link that has none, with `new` counted, in one transaction that
    checks the link's record exists. False when another batch made the item first; raises
    `LinkGone` when the record does not exist."""
    names = {"#pk": "pk", "#n": "view_count", "#last": "last_accessed_at"}
    values = {":n": {"N": str(len(new))}, ":latest": {"S": max(v.at_seconds for v in new)}}
    sets = ["#n = :n", "#last = :latest"]
    for shard in sorted({v.shard for v in new}):
        attribute = _attribute(shard)
        names[f"#{attribute}"] = attribute
        values[f":{attribute}"] = {"S": max(mark(v.sequence) for v in new if v.shard == shard)}
        sets.append(f"#{attribute} = :{attribute}")
    link_pk, link_sk = LinkRecord.key(link_id)
    try:
        store.client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": LinkRecord.Meta.table_name,
                        "Key": {"pk": {"S": link_pk}, "sk": {"S": link_sk}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": LinkViews.Meta.table_name,
                        "Key": {"pk": {"S": LinkViews.key(link_id)[0]}},
                        "UpdateExpression": f"SET {', '.join(sets)}",
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                },
            ]
        )
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise _failed(link_id, error) from error
        reasons = [str(reason.get("Code")) for reason in error.response.get("CancellationReasons", [])]
        if reasons[:1] == ["ConditionalCheckFailed"]:
            raise LinkGone(link_id) from None
        if reasons[1:2] == ["ConditionalCheckFailed"]:
            return False
        busy = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
        raise CountingFailed(
            f"counting views of {link_id}: {', '.join(sorted(set(reasons) - {'None'}))}",
            transient=bool(busy & set(reasons)),
        ) from error
    except BotoCoreError as error:
        raise _failed(link_id, error) from error


def counter_item(link_id: str) -> LinkViews:
    """A new link's counter item, written in the link's creation transaction."""
    return LinkViews(pk=LinkViews.key(link_id)[0])


def forget(store: Store, link_id: str) -> None:
    """Delete a link's counter item (its record was removed); idempotent."""
    try:
        store.client.delete_item(TableName=LinkViews.Meta.table_name, Key={"pk": {"S": LinkViews.key(link_id)[0]}})
    except (ClientError, BotoCoreError) as error:
        raise _failed(link_id, error) from error


def _stored(store: Store, link_id: str) -> dict[str, Any]:
    try:
        got = store.client.get_item(
            TableName=LinkViews.Meta.table_name, Key={"pk": {"S": LinkViews.key(link_id)[0]}}, ConsistentRead=True
        )
    except (ClientError, BotoCoreError) as error:
        raise _failed(link_id, error) from error
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
