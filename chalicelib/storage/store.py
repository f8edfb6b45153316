"""The storage interface domain modules use: binding, batch reads, transactions, pages.

It stays small on purpose: PynamoDB models do single-item work; this module adds what they lack
(multi-model BatchGetItem, transactions whose cancellation reasons are mapped back to the items
that caused them, and translation of throttling/outages into `Unavailable`).
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.connection import Connection
from pynamodb.connection.base import MetaTable
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from chalicelib.runtime import awsclients
from chalicelib.runtime.config import Settings
from chalicelib.runtime.errors import Unavailable
from chalicelib.runtime.stack_headroom import call_with_headroom
from chalicelib.storage import models as m

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)

# Error codes that mean "the service could not serve this now": 503, never 500.
_UNAVAILABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
    "TransactionInProgressException",  # a retry that overtook its own in-flight first attempt
}


def bind(settings: Settings) -> None:
    """Point every model at the configured tables/endpoint and drop cached connections."""
    m._MainMeta.table_name = settings.table_name
    m._MainMeta.region = settings.region
    m._MainMeta.host = settings.aws_endpoint
    m._MainMeta.connect_timeout_seconds = settings.aws_connect_timeout_seconds
    m._MainMeta.read_timeout_seconds = settings.aws_read_timeout_seconds
    m._CountersMeta.table_name = settings.counters_table_name
    m._CountersMeta.region = settings.region
    m._CountersMeta.host = settings.aws_endpoint
    m._CountersMeta.connect_timeout_seconds = settings.aws_connect_timeout_seconds
    m._CountersMeta.read_timeout_seconds = settings.aws_read_timeout_seconds
    for model in [*m.MAIN_MODELS, *m.COUNTER_MODELS]:
        model._connection = None


def is_unavailable(error: BaseException) -> bool:
    """Whether the service could not serve the request now (503), rather than refused it.

    Any 5xx counts, whatever its body says: after the SDK's retries a server error is an outage,
    and an emulator (moto) that hits a bug of its own answers an HTML 500 with no AWS error code."""
    cause = error.cause if isinstance(error, PynamoDBException) else error
    if isinstance(cause, ClientError):
        if cause.response.get("Error", {}).get("Code") in _UNAVAILABLE_CODES:
            return True
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return isinstance(status, int) and status >= 500
    return isinstance(cause, BotoCoreError)


def error_code(error: BaseException) -> str | None:
    cause = error.cause if isinstance(error, PynamoDBException) else error
    if isinstance(cause, ClientError):
        return cause.response.get("Error", {}).get("Code")
    return None


class TxnCancelled(Exception):
    """A transaction was cancelled. `reasons` maps each item's tag to its cancellation code."""

    def __init__(self, reasons: dict[str, str]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons

    def failed(self, tag: str) -> bool:
        return self.reasons.get(tag) == "ConditionalCheckFailed"

    @property
    def throttled(self) -> bool:
        """DynamoDB refused an item for capacity: the request may succeed later (503, not 409)."""
        return any(
            code in ("ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded")
            for code in self.reasons.values()
        )

    @property
    def conflict(self) -> bool:
        """Another transaction touched one of the items: safe to re-read and retry."""
        return any(code == "TransactionConflict" for code in self.reasons.values())

    @property
    def only_conflicts(self) -> bool:
        """Cancelled only because concurrent transactions touched the same items: nothing was
        written and no condition failed, so sending the very same transaction again is safe."""
        return self.conflict and all(code in ("TransactionConflict", "None") for code in self.reasons.values())


@dataclass
class Txn:
    """Builder for one TransactWriteItems call; each item gets a tag for cancellation reasons.

    PynamoDB sends items grouped by kind (checks, deletes, puts, updates) and DynamoDB reports
    cancellation reasons in request order, so tags are kept per kind and re-assembled the same way.
    """

    store: Store
    checks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    deletes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    puts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def put(self, item: Model, *, condition: Condition | None = None, tag: str = "") -> Txn:
        self.puts.append((tag or f"put{len(self.puts)}", item.get_save_kwargs_from_instance(condition=condition)))
        return self

    def update(
        self,
        model: type[Model],
        key: tuple[str, ...],
        actions: Sequence[Action],
        *,
        condition: Condition | None = None,
        tag: str = "",
    ) -> Txn:
        self.updates.append(
            (tag or f"update{len(self.updates)}", _key_kwargs(model, key, actions=list(actions), condition=condition))
        )
        return self

    def delete(
        self, model: type[Model], key: tuple[str, ...], *, condition: Condition | None = None, tag: str = ""
    ) -> Txn:
        self.deletes.append((tag or f"delete{len(self.deletes)}", _key_kwargs(model, key, condition=condition)))
        return self

    def check(self, model: type[Model], key: tuple[str, ...], condition: Condition, *, tag: str = "") -> Txn:
        self.checks.append((tag or f"check{len(self.checks)}", _key_kwargs(model, key, condition=condition)))
        return self

    def __len__(self) -> int:
        return len(self.checks) + len(self.deletes) + len(self.puts) + len(self.updates)

    def commit(
        self, client_request_token: str | None = None, *, when_failed: dict[str, Exception] | None = None
    ) -> None:
        """Write every item or none. `when_failed` maps an item's tag to the error to raise
        when that item's condition failed (e.g. the item to delete no longer exists).

        Every commit carries an idempotency token (a fresh one unless given; botocore would fill
        one in too, this keeps it explicit): when the SDK retries after a timeout or a 5xx whose
        request had in fact committed, DynamoDB answers the retry with success instead of failing
        its conditions, so a refused-looking request never leaves a write behind (a link whose
        token nobody saw, a view spent twice). moto ignores the token."""
        if not len(self):
            return
        try:
            self._commit(client_request_token or secrets.token_hex(16))
        except TxnCancelled as cancelled:
            if cancelled.throttled:  # capacity, not state: nothing was written, come back later (503)
                logger.warning("dynamodb transaction throttled: %s", cancelled.reasons)
                raise Unavailable(cause=cancelled) from cancelled
            for tag, error in (when_failed or {}).items():
                if cancelled.failed(tag):
                    raise error from None
            raise

    def _commit(self, client_request_token: str | None) -> None:
        tags = [t for t, _ in self.checks + self.deletes + self.puts + self.updates]
        try:
            self.store.connection.transact_write_items(
                condition_check_items=[k for _, k in self.checks],
                delete_items=[k for _, k in self.deletes],
                put_items=[k for _, k in self.puts],
                update_items=[k for _, k in self.updates],
                client_request_token=client_request_token,
            )
        except PynamoDBException as error:
            if error_code(error) == "TransactionCanceledException":
                reasons = getattr(error, "cancellation_reasons", None) or []
                mapped = {
                    tag: (reason.code if reason is not None else "None")
                    for tag, reason in zip(tags, reasons, strict=False)  # reasons may be absent
                }
                raise TxnCancelled(mapped) from error
            raise self.store.translate(error) from error


class Store:
    """One per process: owns the one PynamoDB connection (and botocore client) every model uses.

    PynamoDB gives each model class its own connection, each with its own botocore session and
    client; a viewer request would create four of them (capability, access event, windows, ...),
    each loading the service model again. Here every model's table connection is pointed at one
    shared connection that knows both tables (with every index of the main table), so a container
    creates one client, lazily, on its first request.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        bind(settings)
        self._connection: Connection | None = None
        self.share_connection()

    def share_connection(self) -> None:
        shared = self.connection
        for model in [*m.MAIN_MODELS, *m.COUNTER_MODELS]:
            model._get_connection().connection = shared

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            shared = SharedSessionConnection(
                region=self.settings.region,
                host=self.settings.aws_endpoint,
                connect_timeout_seconds=self.settings.aws_connect_timeout_seconds,
                read_timeout_seconds=self.settings.aws_read_timeout_seconds,
                max_retry_attempts=m._MainMeta.max_retry_attempts,
            )
            shared.add_meta_table(_meta_table(m.MAIN_MODELS))
            shared.add_meta_table(_meta_table(m.COUNTER_MODELS))
            self._connection = shared
        return self._connection

    @property
    def client(self) -> Any:
        return self.connection.client

    def translate(self, error: BaseException) -> BaseException:
        """Throttling and outages become 503 `Unavailable`; anything else is re-raised as is."""
        if is_unavailable(error):
            logger.warning("dynamodb unavailable: %s", error_code(error) or type(error).__name__)
            return Unavailable(cause=error)
        return error

    def txn(self) -> Txn:
        return Txn(self)

    def batch_get(
        self, keys: Sequence[tuple[type[Model], tuple[str, ...]]], *, consistent: bool = True
    ) -> list[Model | None]:
        """Read items in one BatchGetItem (retrying unprocessed keys), from either table.

        Keys are `(pk, sk)` for main-table models and `(pk,)` for counter models, so a viewer
        request can read a rate-limit window in the same request as its capability.
        Returns one entry per requested key, in order: the model instance, or None if absent.
        """
        if not keys:
            return []
        wanted = [(model.Meta.table_name, _raw_key(key)) for model, key in keys]
        found: dict[tuple[str, str, str | None], dict[str, Any]] = {}
        pending: list[tuple[str, dict[str, Any]]] = _unique(wanted)
        attempt = 0
        while pending:
            request: dict[str, dict[str, Any]] = {}
            for table, raw_key in pending[:100]:
                request.setdefault(table, {"Keys": [], "ConsistentRead": consistent})["Keys"].append(raw_key)
            try:
                response = self.client.batch_get_item(RequestItems=request)
            except (ClientError, BotoCoreError) as error:
                raise self.translate(error) from error
            for table, items in response.get("Responses", {}).items():
                for raw in items:
                    found[_marker(table, raw)] = raw
            unprocessed = [
                (table, raw_key)
                for table, entry in response.get("UnprocessedKeys", {}).items()
                for raw_key in entry.get("Keys", [])
            ]
            pending = unprocessed + pending[100:]
            if unprocessed:
                attempt += 1
                if attempt > 5:
                    raise Unavailable("DynamoDB kept returning unprocessed keys")
                time.sleep(min(1.0, 0.05 * 2**attempt) * random.random())  # noqa: S311 (jitter, not a secret)
        results: list[Model | None] = []
        for (model, _), (table, raw_key) in zip(keys, wanted, strict=True):
            raw = found.get(_marker(table, raw_key))
            results.append(model.from_raw_data(raw) if raw is not None else None)
        return results

    def get(self, model: type[M], key: tuple[str, ...], *, consistent: bool = True) -> M | None:
        try:
            return model.get(key[0], key[1] if len(key) > 1 else None, consistent_read=consistent)
        except model.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise self.translate(error) from error


class SharedSessionConnection(Connection):
    """PynamoDB's connection, creating its client from the process's one botocore session
    (PynamoDB would make a session of its own per thread: the endpoint data read again)."""

    @property
    def session(self) -> Any:
        return awsclients.session()

    @property
    def client(self) -> Any:
        with awsclients.creation_lock():
            if self._client is None:
                # The first client parses botocore's data, deep recursion: see stack_headroom.py.
                return call_with_headroom(lambda: Connection.client.fget(self))  # type: ignore[attr-defined]
            return super().client


def _meta_table(models: Sequence[type[Model]]) -> MetaTable:
    """One table's metadata, with the indexes every model stored in it declares."""
    indexes: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    key_schema: list[Any] = []
    for model in models:
        schema = model._get_schema()
        key_schema = schema["key_schema"]
        for definition in schema["attribute_definitions"]:
            attributes[definition["AttributeName"]] = definition
        for index in schema["global_secondary_indexes"]:
            indexes[index["index_name"]] = {"IndexName": index["index_name"], "KeySchema": index["key_schema"]}
    return MetaTable(
        {
            "TableName": models[0].Meta.table_name,
            "KeySchema": key_schema,
            "AttributeDefinitions": list(attributes.values()),
            "GlobalSecondaryIndexes": list(indexes.values()),
            "LocalSecondaryIndexes": [],
        }
    )


def _key_kwargs(
    model: type[Model], key: tuple[str, ...], *, actions: list[Action] | None = None, condition: Condition | None = None
) -> dict[str, Any]:
    """Operation kwargs for a keyed item (PynamoDB's class-level helper takes no actions)."""
    hash_key, range_key = model._serialize_keys(key[0], key[1] if len(key) > 1 else None)
    return model._get_connection().get_operation_kwargs(
        hash_key, range_key=range_key, key="Key", actions=actions, condition=condition
    )


def _raw_key(key: tuple[str, ...]) -> dict[str, Any]:
    raw: dict[str, Any] = {"pk": {"S": key[0]}}
    if len(key) > 1:
        raw["sk"] = {"S": key[1]}
    return raw


def _marker(table: str, raw: dict[str, Any]) -> tuple[str, str, str | None]:
    return table, raw["pk"]["S"], raw["sk"]["S"] if "sk" in raw else None


def _unique(keys: Iterable[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    seen = set()
    out = []
    for table, raw_key in keys:
        marker = _marker(table, raw_key)
        if marker not in seen:
            seen.add(marker)
            out.append((table, raw_key))
    return out
