"""Every PynamoDB model Keyhole stores, in one place (layout: docs/design.md).

Models carry no table name until `storage.store.bind` sets it from `Settings`; the name, region
and endpoint therefore come from explicit configuration, and rebinding drops PynamoDB's cached
connection (it caches `Model._connection` per class).
"""

from __future__ import annotations

import hashlib
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
    connect_timeout_seconds: float = 2
    read_timeout_seconds: float = 5


class _CountersMeta(_MainMeta):
    table_name: str | None = None


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

    class Meta(_MainMeta):
        """Bound by `storage.store.bind`, which sets `_MainMeta`'s values for every main-table model."""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Tenant(MainModel):
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    plan = UnicodeAttribute()
    overrides: MapAttribute[str, Any] = MapAttribute(default=dict)  # limit name -> int | None (None = unlimited)
    limits: MapAttribute[str, Any] = MapAttribute(default=dict)  # effective snapshot: plan + overrides
    settings: MapAttribute[str, Any] = MapAttribute(default=dict)
    active_links = NumberAttribute(default=0)
    shared_resources = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    # Set by ops (`opscli tenant suspend`): the tenant's keys answer 401 and its links the one 404.
    suspended = BooleanAttribute(null=True)
    suspended_at = UnicodeAttribute(null=True)
    # How many times it was suspended: a console session or ticket made before the last
    # suspension ended with it (chalicelib/console/sessions.py).
    suspensions = NumberAttribute(null=True)
    # Tenants a product made with its platform key (chalicelib/platform): the namespace they belong
    # to, the product's own id for them, and their deletion (flagged first, finished after).
    namespace = UnicodeAttribute(null=True)
    namespace_key = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    deletion_done = BooleanAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)  # `NS#<namespace key>` / external id: a namespace's tenants
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_created = Gsi1()
    by_namespace = Gsi2()
    by_plan = Gsi3()

    @staticmethod
    def key(tenant_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", "TENANT"


class Plan(MainModel):
    name = UnicodeAttribute()
    limits: MapAttribute[str, Any] = MapAttribute(default=dict)
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
    # Strings (written as a list of S, exactly as `of=UnicodeAttribute` would; PynamoDB's typing
    # would then call the elements attributes).
    scope_names: ListAttribute[str] = ListAttribute(default=list)
    active_links = NumberAttribute(default=0)
    deleting = BooleanAttribute(null=True)
    version = NumberAttribute(default=1)
    document_bytes = NumberAttribute(default=0)
    # How many redaction rules this version has: a replace that leaves out `redact` is refused
    # when there are any (chalicelib/resources/resources.py), without reading the content.
    redact_rules = NumberAttribute(default=0)
    # The version whose content is in a `DocumentBody` (None when it fits the viewer heads), and in
    # how many parts (None: one).
    body_version = NumberAttribute(null=True)
    body_parts = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Origin resources (chalicelib/origin): the origin as JSON (url, allow-lists, banner), and the
    # sealed signing secrets as JSON (chalicelib/origin/origin_secret.py). Both also travel in the
    # viewer heads' content; here they serve link creation and rotation without a content read.
    origin = UnicodeAttribute(null=True)
    origin_secrets = UnicodeAttribute(null=True)
    # Files (chalicelib/files): how many the current version publishes (the per-resource limit and
    # whether a replace must read the content to keep them), and the "download all" zips already
    # built for this incarnation: digest of a set of files -> the zip's size (written by the files
    # worker; a new version keeps the entries of the sets it still shows).
    file_count = NumberAttribute(default=0)
    bundles: MapAttribute[str, Any] = MapAttribute(default=dict)

    @staticmethod
    def key(tenant_id: str, resource_id: str) -> tuple[str, str]:
        return f"TENANT#{tenant_id}", f"RES#{resource_id}"


class ViewerHead(MainModel):
    """What a viewer request reads about a resource, keyed by the locator share tokens carry.

    Small on purpose (one read unit): kind, type, name, version and update time, which answer a
    304 poll and build the ETag without the document. The document itself (with its redaction
    rules, scopes and any display hints: the *content*) is stored zlib-compressed in `payload`
    when the whole head still fits one 4 KB read unit, else in the immutable `DocumentBody` of
    its version, which containers cache by version. `REPLICAS` identical copies under different
    partition keys spread a popular resource's reads (docs/capacity.md); each token always reads
    the same copy. `kind` is "document" today; other kinds (origins) carry their own settings in
    the same compressed content, so the viewer never needs a second read to learn what it serves.
    """

    REPLICAS = 2

    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    kind = UnicodeAttribute(default="document")
    type = UnicodeAttribute()
    name = UnicodeAttribute()
    version = NumberAttribute(default=1)
    updated_at = UnicodeAttribute()
    content_bytes = NumberAttribute(default=0)  # the uncompressed content's size
    payload = BinaryAttribute(null=True, legacy_encoding=False)  # inline compressed content
    # "Download all" zips of this version that exist: digest of the set of files -> size (the
    # files worker adds them; chalicelib/files/bundles.py). Read with the head: no extra read.
    bundles: MapAttribute[str, Any] = MapAttribute(null=True)

    @staticmethod
    def key(locator: str, replica: int = 0) -> tuple[str, str]:
        return f"HEAD#{locator}#{replica}", "HEAD"


class DocumentBody(MainModel):
    """The compressed content of one version of a resource, when it does not fit its head.
    Never changed once written, so containers cache it by version and read it eventually
    consistently. When a newer version replaces it, it is kept for `documents.RETIRED_SECONDS`
    (TTL), so a request that read the old head a moment before can still read its content."""

    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    payload = BinaryAttribute(legacy_encoding=False)
    ttl = NumberAttribute(null=True)  # set when a newer version replaces it
    # A content too large for one item (a document with a long file list) is split: this item
    # holds the first part and says how many there are; part n > 0 is `key(locator, version, n)`.
    parts = NumberAttribute(null=True)

    @staticmethod
    def key(locator: str, version: int, part: int = 0) -> tuple[str, str]:
        return f"BODY#{locator}", f"v{int(version):012d}" + (f"#{part}" if part else "")


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
    # Links to origin resources may narrow the resource's allow-lists (None: the resource's apply).
    allowed_paths = ListAttribute(of=UnicodeAttribute, null=True)
    allowed_methods = ListAttribute(of=UnicodeAttribute, null=True)
    paused = BooleanAttribute(null=True)  # PATCH /v1/links/{id} {"paused": true}: the one 404, slot kept
    embeddable = BooleanAttribute(null=True)  # the page may be framed by the tenant's embed_origins
    # Set while ops suspend the tenant: viewers cache the tenant item for a few seconds, the
    # capability is read on every request, so a suspension stops every link at once.
    suspended = BooleanAttribute(null=True)

    @staticmethod
    def key(token_hash: str) -> tuple[str, str]:
        return f"CAP#{token_hash}", "CAP"


class LinkRecord(MainModel):
    """The admin's view of a link and its audit trail; never deleted. Its view counters live in
    `LinkViews` (counters table): counting views never rewrites this item."""

    link_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    daily = BooleanAttribute(null=True)  # a platform tenant's link: its usage per day counts its creation
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
    allowed_paths = ListAttribute(of=UnicodeAttribute, null=True)  # origin links: the link's own lists
    allowed_methods = ListAttribute(of=UnicodeAttribute, null=True)
    state = UnicodeAttribute(default="live")  # live | revoked | exhausted
    slot_held = BooleanAttribute(default=False)
    # Imported links (docs/platform.md): a token the product brought from its own system, and
    # `legacy` when it holds fewer than 128 bits of its alphabet. None: Keyhole's own token.
    token_source = UnicodeAttribute(null=True)
    token_strength = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)  # the key id (or `ops`)
    created_by_actor = UnicodeAttribute(null=True)  # `Keyhole-Actor` of the creating request
    revoked_at = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    revoked_by_actor = UnicodeAttribute(null=True)
    exhausted_at = UnicodeAttribute(null=True)
    paused = BooleanAttribute(null=True)
    embeddable = BooleanAttribute(null=True)
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
    actor: MapAttribute[str, Any] = MapAttribute(default=dict)  # {type: key|ops|system, id, name}
    action = UnicodeAttribute()
    target_type = UnicodeAttribute(null=True)
    target_id = UnicodeAttribute(null=True)
    details: MapAttribute[str, Any] = MapAttribute(default=dict)
    request_id = UnicodeAttribute(null=True)

    @staticmethod
    def partition(tenant_id: str) -> str:
        return f"AUDIT#{tenant_id}"


class AccessEvent(MainModel):
    """One viewer request naming a known link; the access log serves these newest first.

    Written into one of `SHARDS` partitions of the link (`ACCESS#<link>#<shard>`, chosen at
    random) so that one busy link's events spread over several partitions, and kept under 1 KB
    (one write unit; the user agent and path are shortened when needed)."""

    SHARDS = 4
    MAX_BYTES = 1024

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
    # A view of a platform tenant's link: its usage per day counts it (chalicelib/platform/usage.py).
    daily = BooleanAttribute(null=True)
    ttl = NumberAttribute(null=True)

    @staticmethod
    def partition(link_id: str, shard: int) -> str:
        return f"ACCESS#{link_id}#{shard}"

    @classmethod
    def partitions(cls, link_id: str) -> list[str]:
        return [cls.partition(link_id, shard) for shard in range(cls.SHARDS)]


class CounterModel(Model):
    """Base of the counters table (`pk` only)."""

    class Meta(_CountersMeta):
        """Bound by `storage.store.bind`, which sets `_CountersMeta`'s values."""

    pk = UnicodeAttribute(hash_key=True)


class RateWindow(CounterModel):
    n = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)
    # Set on an API key's windows when the key is deleted (`apikeys.delete_key`): a container that
    # still holds the key in its cache meets it in the window every admin request writes.
    revoked = BooleanAttribute(null=True)


class LinkViews(CounterModel):
    """A link's view counters, kept by the stream consumer (`chalicelib/links/viewcounts.py`): one
    small item in the counters table (no stream), so counting neither wakes the consumer again
    nor rewrites the link record. `h0`..`h3` are the high-water marks of the stream sequence
    numbers counted from each of the link's access-event partitions (zero-padded strings)."""

    view_count = NumberAttribute(default=0)
    last_accessed_at = UnicodeAttribute(null=True)
    h0 = UnicodeAttribute(null=True)
    h1 = UnicodeAttribute(null=True)
    h2 = UnicodeAttribute(null=True)
    h3 = UnicodeAttribute(null=True)

    @staticmethod
    def key(link_id: str) -> tuple[str]:
        return (f"LV#{link_id}",)


MAIN_MODELS: list[type[MainModel]] = [
    Tenant,
    Plan,
    ApiKeyItem,
    ResourceHead,
    ViewerHead,
    DocumentBody,
    Capability,
    LinkRecord,
    AuditEvent,
    AccessEvent,
]
COUNTER_MODELS: list[type[CounterModel]] = [RateWindow, LinkViews]


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

    Keyed by endpoint (one of `SHARDS` partitions, chosen by the delivery id, so one endpoint's
    deliveries are not capped by one partition's writes) and event time; `delivery_id` (the
    `webhook-id` header) is derived from (endpoint, event), so a replayed stream record finds the
    same item and never enqueues twice.
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

    SHARDS = 8

    @classmethod
    def partition(cls, endpoint_id: str, delivery_id: str) -> str:
        return f"WH#{endpoint_id}#{int(delivery_id[-8:], 16) % cls.SHARDS}"

    @classmethod
    def partitions(cls, endpoint_id: str) -> list[str]:
        return [f"WH#{endpoint_id}#{shard}" for shard in range(cls.SHARDS)]


for _model in (WebhookEndpoint, WebhookQuota, WebhookDelivery):
    register_main_model(_model)


# --- the platform API (chalicelib/platform/) ---------------------------------------------------


class Namespace(MainModel):
    """A product's namespace of tenants, made with its first platform key (ops)."""

    name = UnicodeAttribute()
    namespace_key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(default="NAMESPACES")
    gsi1sk = UnicodeAttribute(null=True)
    all_namespaces = Gsi1()

    @staticmethod
    def key(namespace_key: str) -> tuple[str, str]:
        return f"NS#{namespace_key}", "NS"


class PlatformKeyItem(MainModel):
    """A platform key, stored only as its SHA-256 (the key is shown once). Deleted on revoke."""

    key_id = UnicodeAttribute()
    namespace = UnicodeAttribute()
    namespace_key = UnicodeAttribute()
    name = UnicodeAttribute()
    key_hash = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(default="PLATFORM_KEYS")
    gsi1sk = UnicodeAttribute(null=True)
    all_keys = Gsi1()

    @staticmethod
    def key(namespace_key: str, key_id: str) -> tuple[str, str]:
        return f"NS#{namespace_key}", f"PKEY#{key_id}"


class NamespacePlan(MainModel):
    """A plan a product defined for its own tenants (`PUT /v1/plans/{name}`), beside the built-in ones."""

    namespace_key = UnicodeAttribute()
    name = UnicodeAttribute()
    limits: MapAttribute[str, Any] = MapAttribute(default=dict)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(namespace_key: str, name: str) -> tuple[str, str]:
        return f"NS#{namespace_key}", f"PLAN#{name}"


class ActorLink(MainModel):
    """A link in the list of the actor whose request created it (`GET /v1/links?actor=`): written
    with the link, only when the request named an actor. The actor is hashed into the key."""

    link_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()

    @staticmethod
    def partition(tenant_id: str, actor: str) -> str:
        return f"ACTOR#{tenant_id}#{hashlib.sha256(actor.encode('utf-8')).hexdigest()[:32]}"


class TenantDay(CounterModel):
    """A tenant's usage on one UTC day (`GET /v1/tenants/{id}/usage`): views and links created,
    added by the stream consumer once per tenant per batch (chalicelib/platform/usage.py)."""

    views = NumberAttribute(default=0)
    links_created = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)

    @staticmethod
    def key(tenant_id: str, day: str) -> tuple[str]:
        return (f"UD#{tenant_id}#{day}",)


class TokenClaim(MainModel):
    """An imported token's hash, claimed for good: written with the imported link (in its
    transaction, only if absent), kept after revocation, so an imported token is never reused and
    never re-points an existing or past link (Keyhole's own tokens are 256 random bits)."""

    tenant_id = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(token_hash: str) -> tuple[str, str]:
        return f"TOKEN#{token_hash}", "TOKEN"


for _platform_model in (Namespace, PlatformKeyItem, NamespacePlan, ActorLink, TokenClaim):
    register_main_model(_platform_model)
COUNTER_MODELS.append(TenantDay)
# --- files (chalicelib/files/) ---------------------------------------------------------------


class FileRecord(MainModel):
    """One file of a resource incarnation (`FILES#<locator>`, sorted by file id): an upload until
    it is completed (`state` "pending", removed by TTL a day after its upload URL was made), then
    the published file, which the resource's content lists too. Its object is
    `files/<tenant>/<locator>/<file_id>` in the files bucket."""

    file_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()  # hex
    state = UnicodeAttribute(default="pending")  # pending | published
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    published_at = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)

    @staticmethod
    def key(locator: str, file_id: str) -> tuple[str, str]:
        return f"FILES#{locator}", file_id


class FileJob(MainModel):
    """Work the files worker does after a request has answered (chalicelib/files/jobs.py): build
    the zips of a published version, delete objects. Written in the transaction of the change that
    needs it, so no change is committed without its job. While due, gsi1 (`FJQ#<shard>`,
    `<due>#<job_id>`) makes it visible to the worker; a job that keeps failing stays, without
    those keys, as `failed` for ops (`FJFAILED`)."""

    job_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # bundle | delete_objects | delete_prefix
    tenant_id = UnicodeAttribute()
    payload = BinaryAttribute(legacy_encoding=False)  # zlib-compressed JSON
    status = UnicodeAttribute(default="queued")  # queued | failed
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    lease_until = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    queue = Gsi1()

    SHARDS = 4

    @staticmethod
    def key(job_id: str) -> tuple[str, str]:
        return f"FJOB#{job_id}", "JOB"


register_main_model(FileRecord)
register_main_model(FileJob)


# --- console sessions (chalicelib/console/) ---------------------------------------------------


class ConsoleTicket(CounterModel):
    """The one-time ticket of `POST /v1/console/sessions` (in the console URL's fragment): kept
    by its SHA-256, five minutes at most (`expires_at`, and `ttl` to clean up), deleted when
    redeemed. In the counters table: no stream record for a ticket."""

    tenant_id = UnicodeAttribute()
    role = UnicodeAttribute()
    resource_id = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)
    minted_by = UnicodeAttribute()  # the credential's id: an API key (`key_...`) or platform key (`pkey_...`)
    minted_kind = UnicodeAttribute()
    minted_name = UnicodeAttribute()
    minted_namespace = UnicodeAttribute(null=True)
    tenant_suspensions = NumberAttribute(null=True)  # the tenant's `suspensions` when it was made
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds
    ttl = NumberAttribute(null=True)

    @staticmethod
    def key(ticket_hash: str) -> tuple[str]:
        return (f"CT#{ticket_hash}",)


class ConsoleSession(CounterModel):
    """A console session, keyed by the SHA-256 of its token; read with the tenant item in one
    BatchGetItem, as an API key is. Every request writes it once (the idle deadline and this
    minute's request count, `r.m<minute>`), as an API key's request writes its window: in the
    counters table, so neither wakes the stream consumer."""

    session_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    role = UnicodeAttribute()
    resource_id = UnicodeAttribute(null=True)
    actor = UnicodeAttribute(null=True)
    minted_by = UnicodeAttribute()
    minted_kind = UnicodeAttribute()
    minted_name = UnicodeAttribute()
    minted_namespace = UnicodeAttribute(null=True)
    tenant_suspensions = NumberAttribute(null=True)  # the tenant's `suspensions` when it started
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds: at most 12 hours after it started
    active_until = NumberAttribute()  # epoch seconds: the idle deadline, moved on by every request
    # Requests per minute: `m<minute>` -> count (the current minute only).
    r: MapAttribute[str, Any] = MapAttribute(default=dict)
    ttl = NumberAttribute(null=True)

    @staticmethod
    def key(token_hash: str) -> tuple[str]:
        return (f"CS#{token_hash}",)


class ConsoleGrant(MainModel):
    """A console session in the list of the credential that minted it (`CSKEY#<key id>`), so
    deleting that key (or platform key) finds and ends every session it started, at once."""

    session_key = UnicodeAttribute()  # the session item's pk
    tenant_id = UnicodeAttribute()
    ttl = NumberAttribute(null=True)

    @staticmethod
    def partition(credential_id: str) -> str:
        return f"CSKEY#{credential_id}"


class TenantEmbedding(MainModel):
    """The tenant's `embed_origins` (up to 10), apart from the tenant item: that one must stay in
    one 4 KB read unit with the largest logo, and only the console, the share dialog and
    `embeddable` links' pages need these (chalicelib/tenancy/embedding.py)."""

    tenant_id = UnicodeAttribute()
    origins: ListAttribute[str] = ListAttribute(default=list)  # strings (written as a list of S)

    @staticmethod
    def key(tenant_id: str) -> tuple[str, str]:
        return (f"TENANT#{tenant_id}", "EMBED")


register_main_model(ConsoleGrant)
register_main_model(TenantEmbedding)
COUNTER_MODELS.extend([ConsoleTicket, ConsoleSession])
