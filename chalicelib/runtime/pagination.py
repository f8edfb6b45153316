"""Opaque list cursors: the DynamoDB LastEvaluatedKey, checked on the way back in.

A cursor is base64url(JSON): the key attributes plus the name of the list that returned it. On
decode it must name the same list and be a flat map of exactly that list's string key attributes
whose partition value equals the partition being queried (and whose sort value lies in the
queried range, where the caller gives one), so a cursor edited, copied from another tenant's list, or from
another list over the same partition (API keys and resources share the tenant's partition; active
and expired links share an index partition) is a 422, never other data and never a 500.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from chalicelib.runtime.errors import Collector, ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


LIST_FIELD = "list"


def encode(last_evaluated_key: dict[str, Any] | None, *, list_id: str = "") -> str | None:
    """`list_id` names the list (and variant, e.g. a status filter) the cursor belongs to."""
    if not last_evaluated_key:
        return None
    flat = {name: value["S"] for name, value in last_evaluated_key.items()}
    flat[LIST_FIELD] = list_id
    data = json.dumps(flat, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode(
    cursor: str | None,
    *,
    partition_attr: str,
    partition_value: str,
    allowed_attrs: tuple[str, ...],
    list_id: str = "",
    sort_in_range: tuple[str, Callable[[str], bool]] | None = None,
) -> dict[str, Any] | None:
    """The start key of a cursor, or a 422. `sort_in_range` = (sort attribute, test): DynamoDB
    rejects a start key outside the query's key condition, so such a cursor is refused here."""
    if cursor in (None, ""):
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        flat = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned") from None
    if not isinstance(flat, dict) or flat.pop(LIST_FIELD, None) != list_id:
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    if (
        set(flat) != set(allowed_attrs)
        or partition_attr not in flat
        or not all(isinstance(v, str) for v in flat.values())
        or flat[partition_attr] != partition_value
    ):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    if sort_in_range is not None and not sort_in_range[1](flat[sort_in_range[0]]):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    return {name: {"S": value} for name, value in flat.items()}


_DIGITS = re.compile(r"^[0-9]{1,6}$")  # ASCII only: int() would also take fullwidth digits, " 5" and "1_0"


def parse_limit(query: dict[str, str], errors: Collector) -> int:
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not _DIGITS.match(raw):
        errors.add("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
        return DEFAULT_LIMIT
    value = int(raw)
    if not 1 <= value <= MAX_LIMIT:
        errors.add("limit", f"must be from 1 to {MAX_LIMIT}")
        return DEFAULT_LIMIT
    return value


def page(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}


def partition_page(
    model: type[Any],
    partition: str,
    query: dict[str, str],
    render: Callable[[Any], dict[str, Any]],
    *,
    list_id: str,
    sort_prefix: str = "",
    newest_first: bool = False,
    keep: Callable[[Any], bool] = lambda item: True,
) -> dict[str, Any]:
    """One page of the items in one table partition (`pk`): `?limit=` and `?cursor=` handled.

    Reads at most `limit` items with one consistent Query: cost proportional to the page.
    """
    errors = Collector()
    limit = parse_limit(query, errors)
    start = decode(
        query.get("cursor"),
        partition_attr="pk",
        partition_value=partition,
        allowed_attrs=("pk", "sk"),
        list_id=list_id,
        sort_in_range=("sk", lambda sk: sk.startswith(sort_prefix)),
    )
    errors.raise_if_any()
    sort_condition = model.sk.startswith(sort_prefix) if sort_prefix else None
    results = model.query(
        partition,
        sort_condition,
        scan_index_forward=not newest_first,
        limit=limit,
        last_evaluated_key=start,
        consistent_read=True,
    )
    items = [render(item) for item in results if keep(item)]
    return page(items, encode(results.last_evaluated_key, list_id=list_id))


def newest_first(model: type[Any], partitions: Sequence[str], before: str | None, limit: int | None) -> Iterator[Any]:
    """The items of several partitions of one logical list (a write-sharded one), merged by sort
    key, newest first, starting below `before`. Each partition is read for at most `limit` items."""
    streams = [
        model.query(
            partition,
            model.sk < before if before else None,
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
        )
        for partition in partitions
    ]
    return heapq.merge(*streams, key=lambda item: item.sk, reverse=True)


def sharded_page(
    model: type[Any],
    partitions: Sequence[str],
    query: dict[str, str],
    render: Callable[[Any], dict[str, Any]],
    *,
    list_id: str,
    owner: str,
    sort_key: re.Pattern[str],
    keep: Callable[[Any], bool] = lambda item: True,
) -> dict[str, Any]:
    """One page of a list whose items are spread over several partitions, newest first.

    Sort keys are unique across the partitions (they end with the item's id), so the cursor is the
    sort key of the page's last item, bound to the list and its owner: each partition is queried
    for at most `limit + 1` items below it, so a page reads at most `partitions x (limit + 1)`
    items whatever the list's length. A cursor of another list, another owner, or a sort key that
    is not this list's shape is a 422."""
    errors = Collector()
    limit = parse_limit(query, errors)
    before = _decode_sharded(query.get("cursor"), list_id, owner, sort_key)
    errors.raise_if_any()
    taken: list[Any] = []
    more = False
    for item in newest_first(model, partitions, before, limit + 1):
        if len(taken) == limit:
            more = True
            break
        taken.append(item)
    items = [render(item) for item in taken if keep(item)]
    cursor = _encode_sharded(list_id, owner, taken[-1].sk) if more and taken else None
    return page(items, cursor)


def _encode_sharded(list_id: str, owner: str, sort_key: str) -> str:
    data = json.dumps({LIST_FIELD: list_id, "owner": owner, "before": sort_key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_sharded(cursor: str | None, list_id: str, owner: str, sort_key: re.Pattern[str]) -> str | None:
    if not cursor:
        return None
    try:
        flat = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned") from None
    if (
        not isinstance(flat, dict)
        or set(flat) != {LIST_FIELD, "owner", "before"}
        or flat[LIST_FIELD] != list_id
        or flat["owner"] != owner
        or not isinstance(flat["before"], str)
        or not sort_key.fullmatch(flat["before"])
    ):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    return str(flat["before"])
