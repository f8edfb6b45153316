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
import json
import re
from collections.abc import Callable
from typing import Any

from .errors import Collector, ValidationFailed

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
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))  # type: ignore[operator]
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


_DIGITS = re.compile(r"^[0-9]{1,6}$")  # ASCII only: int() would also take "９", " 5" and "1_0"


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
