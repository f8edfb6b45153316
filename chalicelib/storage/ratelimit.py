"""Fixed-window rate limits as conditional counters in the counters table.

Each (subject, minute) is one item: `ADD n 1` under the condition `n < limit`, with a TTL just
past the window. DynamoDB applies each update atomically, so concurrent requests can never push a
window past its limit. A refused update becomes 429 with `Retry-After` = seconds to the next
window. Windows are aligned to the minute, so a burst can straddle two windows (at most 2x the
limit over any 60 s); that is the documented trade-off of fixed windows.

Viewer requests count an address in one item per (address, minute), `IP#<ip>#<minute>`: `v_<tenant>`
counts the requests to each tenant's links (`viewer_requests_per_min_per_ip`) and `f` the failed
resolves of any tenant (the enumeration guard). A live link's request adds to its tenant's count
under a condition on both, so the guard is checked in the same single write; a dead token adds to
`f`. These are plain conditional updates, never part of a transaction: a crowd behind one address
is serialised by DynamoDB item by item and never cancelled by `TransactionConflict`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib.runtime.errors import RateLimited
from chalicelib.storage.models import RateWindow
from chalicelib.storage.store import Store, Txn, error_code

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Window:
    """The counter item for one subject in the current window."""

    key: str
    limit: int
    retry_after: int
    expires: int

    def actions(self) -> list:
        return [RateWindow.n.add(1), RateWindow.ttl.set(self.expires)]

    def condition(self) -> Condition:
        return RateWindow.n.does_not_exist() | (RateWindow.n < self.limit)

    def check_condition(self) -> Condition:
        """For a ConditionCheck that reads the window without counting (guards)."""
        return RateWindow.n.does_not_exist() | (RateWindow.n < self.limit)


def window(subject: str, limit: int, now: float, seconds: int = WINDOW_SECONDS) -> Window:
    index = int(now // seconds)
    window_end = (index + 1) * seconds
    return Window(
        key=f"{subject}#{index}",
        limit=limit,
        retry_after=max(1, math.ceil(window_end - now)),
        expires=window_end + seconds,
    )


def hit_window(store: Store, current: Window) -> None:
    """Count one request in `current`; raise RateLimited if it is full."""
    try:
        RateWindow(pk=current.key).update(actions=current.actions(), condition=current.condition())
    except UpdateError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            raise RateLimited(current.retry_after) from None
        raise store.translate(error) from error


def ip_window_key(ip: str, now: float, seconds: int = WINDOW_SECONDS) -> str:
    return f"IP#{ip}#{int(now // seconds)}"


def hit_ip(
    store: Store,
    ip: str,
    now: float,
    *,
    tenant_id: str | None,
    viewer_limit: int | None,
    failed_limit: int | None,
) -> None:
    """Count one viewer request from `ip` in its minute: against `tenant_id`'s viewer window (a
    live link) or as a failed resolve (`tenant_id` None: a dead token). Both limits are checked in
    the same conditional update; either one full raises RateLimited. None = unlimited."""
    current = window("IP", 1, now)  # for the window's end and expiry
    names = {"#ttl": "ttl"}
    values: dict[str, dict[str, str]] = {":one": {"N": "1"}, ":ttl": {"N": str(current.expires)}}
    conditions = []
    if tenant_id:
        names["#c"] = f"v_{tenant_id}"
        if viewer_limit is not None:
            conditions.append("(attribute_not_exists(#c) OR #c < :vlimit)")
            values[":vlimit"] = {"N": str(viewer_limit)}
    if failed_limit is not None or not tenant_id:
        names["#f"] = "f"
    if failed_limit is not None:
        conditions.append("(attribute_not_exists(#f) OR #f < :flimit)")
        values[":flimit"] = {"N": str(failed_limit)}
    request: dict[str, object] = {
        "TableName": RateWindow.Meta.table_name,
        "Key": {"pk": {"S": ip_window_key(ip, now)}},
        "UpdateExpression": f"ADD {'#c' if tenant_id else '#f'} :one SET #ttl = :ttl",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    if conditions:
        request["ConditionExpression"] = " AND ".join(conditions)
    try:
        store.client.update_item(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise RateLimited(current.retry_after) from None
        raise store.translate(error) from error
    except BotoCoreError as error:
        raise store.translate(error) from error


def add_hit(txn: Txn, subject: str, limit: int | None, now: float, *, tag: str) -> Window | None:
    """Add a counted hit to a transaction; returns the window (None when unlimited)."""
    if limit is None:
        return None
    current = window(subject, limit, now)
    txn.update(RateWindow, (current.key,), current.actions(), condition=current.condition(), tag=tag)
    return current


def add_guard(txn: Txn, subject: str, limit: int | None, now: float, *, tag: str) -> Window | None:
    """Add a check (no count) that `subject` is still under `limit` in this window."""
    if limit is None:
        return None
    current = window(subject, limit, now)
    txn.check(RateWindow, (current.key,), current.check_condition(), tag=tag)
    return current
