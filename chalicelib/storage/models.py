"""Every PynamoDB model Keyhole stores, in one place (layout: docs/design.md).

Models carry no table name until `storage.store.bind` sets it from `Settings`; the name, region
and endpoint therefore come from explicit configuration, and rebinding drops PynamoDB's cached
connection (it caches `Model._connection` per class).
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class _MainMeta:
    table_name: str | None = None
    region: str | None = None
    host: str | None = None
    max_retry_attempts = 3
    connect_timeout_seconds = 2
    read_timeout_seconds = 5


class _CountersMeta(_MainMeta):
    table_name = None


def _gsi(number: int) -> type[GlobalSecondaryIndex]:
    """A KEYS_ONLY index `gsiN` over string attributes `gsiNpk`/`gsiNsk`."""

    class Meta:
        index_name = f"gsi{number}"
        projection = KeysOnlyProjection()
        read_capacity_units = None
        write_capacity_units = None

    attrs: dict[str, Any] = {
        "Meta": Meta,
        f"gsi{number}pk": UnicodeAttribute(hash_key=True),
        f"gsi{number}sk": UnicodeAttribute(range_key=True),
    }
    return type(f"Gsi{number}", (GlobalSecondaryIndex,), attrs)


Gsi1, Gsi2, Gsi3, Gsi4, Gsi5 = (_gsi(n) for n in range(1, 6))


class MainModel(Model):
    """Base of every item in the main table (`pk`, `sk`)."""

    Meta = _MainMeta
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Tenant(MainModel):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    plan = UnicodeAttribute()
    overrides = MapAttribute(default=dict)  # limit name -> int | None (None = unlimited)
    limits = MapAttribute(default=dict)  # effective snapshot: plan + overrides
    settings = MapAttribute(default=dict)
    active_links = NumberAttribute(default=0)
    shared_resources = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    # Set by ops (`opscli tenant suspend`): the tenant's keys answer 401 and its links the one 404.
    suspended = BooleanAttribute(null=True)
    suspended_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_created = Gsi1()
    by_plan = Gsi3()

    @staticmethod
    def key(tenant_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", "TENANT"


class Plan(MainModel):
    name = UnicodeAttribute()
    limits = MapAttribute(default=dict)
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(default="PLANS")
    gsi1sk = UnicodeAttribute(null=True)
    all_plans = Gsi1()

    @staticmethod
    def key(name: str) -> tuple[str, str]:
        return f"PLAN#{name}", "PLAN"


class ApiKeyItem(MainModel):
    key_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    key_hash = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)

    @staticmethod
    def key(tenant_id: str, key_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", f"KEY#{key_id}"


class ResourceHead(MainModel):
    """The admin-side resource: metadata and the slot counter. The document lives elsewhere."""

    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    type = UnicodeAttribute()
    name = UnicodeAttribute()
    locator = UnicodeAttribute()
    scope_names = ListAttribute(of=UnicodeAttribute, default=list)
    active_links = NumberAttribute(default=0)
    deleting = BooleanAttribute(null=True)
    version = NumberAttribute(default=1)
    document_bytes = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(tenant_id: str, resource_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", f"RES#{resource_id}"


class ResourceDocument(MainModel):
    """What viewers read: keyed by the locator that share tokens carry."""

    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    type = UnicodeAttribute()
    name = UnicodeAttribute()
    document = UnicodeAttribute()  # compact JSON text, <= 256 KiB
    redact = ListAttribute(of=UnicodeAttribute, default=list)
    scopes = MapAttribute(default=dict)  # scope name -> list of top-level fields
    display = UnicodeAttribute(null=True)  # display hints as compact JSON (chalicelib/display.py), <= 16 KiB
    version = NumberAttribute(default=1)
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(locator: str) -> tuple[str, str]:
        return f"DOC#{locator}", "DOC"


class Capability(MainModel):
    """The viewer's view of a link, keyed by SHA-256(token). Deleted on revoke; TTL at expiry."""

    link_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    locator = UnicodeAttribute()
    token_preview = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    scope = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    cookie_salt = UnicodeAttribute(null=True)
    max_views = NumberAttribute(null=True)
    views_used = NumberAttribute(default=0)
    rate_limit_per_min = NumberAttribute(null=True)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(token_hash: str) -> tuple[str, str]:
        return f"CAP#{token_hash}", "CAP"


class LinkRecord(MainModel):
    """The admin's view of a link and its audit trail; never deleted."""

    link_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    token_preview = UnicodeAttribute()
    sealed_token = BinaryAttribute(null=True, legacy_encoding=False)
    label = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    scope = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    has_password = BooleanAttribute(default=False)
    max_views = NumberAttribute(null=True)
    rate_limit_per_min = NumberAttribute(null=True)
    state = UnicodeAttribute(default="live")  # live | revoked | exhausted
    slot_held = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    exhausted_at = UnicodeAttribute(null=True)
    view_count = NumberAttribute(default=0)
    last_accessed_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    gsi5sk = UnicodeAttribute(null=True)
    by_tenant_state = Gsi1()
    by_resource_state = Gsi2()
    by_tenant = Gsi3()
    by_resource = Gsi4()
    held_slots = Gsi5()

    @staticmethod
    def key(link_id: str) -> tuple[str, str]:
        return f"LINK#{link_id}", "LINK"


class AuditEvent(MainModel):
    event_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = MapAttribute(default=dict)  # {type: key|ops|system, id, name}
    action = UnicodeAttribute()
    target_type = UnicodeAttribute(null=True)
    target_id = UnicodeAttribute(null=True)
    details = MapAttribute(default=dict)
    request_id = UnicodeAttribute(null=True)

    @staticmethod
    def partition(tenant_id: str) -> str:
        return f"AUDIT#{tenant_id}"


class AccessEvent(MainModel):
    """One viewer request naming a known link; the access log serves these newest first."""

    event_id = UnicodeAttribute()
    link_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    at = UnicodeAttribute()
    ip = UnicodeAttribute()
    user_agent = UnicodeAttribute(null=True)
    method = UnicodeAttribute()
    path = UnicodeAttribute()
    status = NumberAttribute()
    latency_ms = NumberAttribute()
    outcome = UnicodeAttribute()
    ttl = NumberAttribute(null=True)
    # Set by the stream consumer in the same transaction that adds this view to the link's
    # view_count, so a replayed stream record never counts twice (chalicelib/consumer.py).
    counted = BooleanAttribute(null=True)

    @staticmethod
    def partition(link_id: str) -> str:
        return f"ACCESS#{link_id}"


class CounterModel(Model):
    """Base of the counters table (`pk` only)."""

    Meta = _CountersMeta
    pk = UnicodeAttribute(hash_key=True)


class RateWindow(CounterModel):
    n = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)


MAIN_MODELS: list[type[MainModel]] = [
    Tenant,
    Plan,
    ApiKeyItem,
    ResourceHead,
    ResourceDocument,
    Capability,
    LinkRecord,
    AuditEvent,
    AccessEvent,
]
COUNTER_MODELS: list[type[CounterModel]] = [RateWindow]


def register_main_model(model: type[MainModel]) -> type[MainModel]:
    """Later capabilities (webhooks, consumer bookkeeping) add their models here."""
    if model not in MAIN_MODELS:
        MAIN_MODELS.append(model)
    return model


def plain(value: Any) -> Any:
    """Raw MapAttribute / nested values -> plain dicts, lists and ints for JSON output."""
    if isinstance(value, MapAttribute):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- webhooks (chalicelib/webhooks/) ---------------------------------------------------------


class WebhookEndpoint(MainModel):
    """An admin-registered receiver. The signing secret is stored only sealed (purpose webhook-secret)."""

    endpoint_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute, default=list)  # event types, or ["*"] for all
    description = UnicodeAttribute(null=True)
    sealed_secret = BinaryAttribute(legacy_encoding=False)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)

    @staticmethod
    def key(tenant_id: str, endpoint_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", f"WH#{endpoint_id}"


class WebhookQuota(MainModel):
    """How many endpoints a tenant has: a conditional counter that enforces the per-tenant cap."""

    n = NumberAttribute(default=0)

    @staticmethod
    def key(tenant_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", "WHCOUNT"


class WebhookDelivery(MainModel):
    """One event for one endpoint: the delivery log entry and, while due, the retry queue entry.

    Keyed by endpoint and event time; `delivery_id` (the `webhook-id` header) is derived from
    (endpoint, event), so a replayed stream record finds the same item and never enqueues twice.
    While a retry is pending, gsi1 (`WHQ#<shard>`, `<next attempt>#<delivery_id>`) makes it
    visible to the scheduled drain; the keys are removed once delivered or given up.
    """

    delivery_id = UnicodeAttribute()
    endpoint_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    event_id = UnicodeAttribute()
    payload = UnicodeAttribute()  # the exact JSON body sent (never a token)
    status = UnicodeAttribute()  # pending | retrying | delivered | failed | cancelled
    attempts = NumberAttribute(default=0)
    response_status = NumberAttribute(null=True)
    latency_ms = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    history = ListAttribute(of=MapAttribute, default=list)  # [{at, response_status, latency_ms, error}]
    created_at = UnicodeAttribute()
    last_attempt_at = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due = Gsi1()

    @staticmethod
    def partition(endpoint_id: str) -> str:
        return f"WH#{endpoint_id}"


for _model in (WebhookEndpoint, WebhookQuota, WebhookDelivery):
    register_main_model(_model)
