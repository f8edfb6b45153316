"""Typed objects for Keyhole's answers: frozen dataclasses, one per schema of the OpenAPI document.

Dataclasses rather than pydantic models: the package keeps to one dependency (httpx), and the
answers need no validation on the client side (Keyhole's contract tests hold every answer to the
document). Timestamps become timezone-aware `datetime`s, days `date`s. Members a newer Keyhole adds that this
version does not know are kept in `extra`, never dropped; `to_dict()` gives the JSON back.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar, Union

from .errors import KeyholeError, error_from_response

M = TypeVar("M", bound="Model")
JSON = dict[str, Any]
Day = date  # a `date` field's type (the field's own name would shadow the class)


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 (`2026-11-27T10:00:00Z`, with or without fractions) -> an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    return datetime.fromisoformat(text)


def _time_parser(hint: Any) -> Any:
    """How a field's JSON string becomes its value: a timestamp, a day, or as it is (None)."""
    origin = typing.get_origin(hint)
    union = origin is Union or (sys.version_info >= (3, 10) and origin is types.UnionType)
    args = typing.get_args(hint) if union else (hint,)
    if datetime in args:
        return parse_time
    if date in args:
        return lambda value: date.fromisoformat(value) if isinstance(value, str) else None
    return None


_FIELDS: dict[type, tuple[tuple[str, Any, type[Model] | None], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, Any, type[Model] | None], ...]:
    """(name, how a timestamp or day is parsed, nested model class) of each field but `extra`,
    per class, once."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        rows = []
        for f in dataclasses.fields(cls):
            if f.name == "extra":
                continue
            hint = hints[f.name]
            nested = next(
                (a for a in (hint, *typing.get_args(hint)) if isinstance(a, type) and issubclass(a, Model)), None
            )
            rows.append((f.name, _time_parser(hint), nested))
        found = _FIELDS[cls] = tuple(rows)
    return found


@dataclass(frozen=True, kw_only=True)
class Model:
    extra: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls: type[M], data: JSON) -> M:
        values: dict[str, Any] = {}
        known = set()
        for name, parse, nested in _fields(cls):
            known.add(name)
            if name not in data:
                continue
            value = data[name]
            if parse is not None:
                value = parse(value)
            elif nested is not None and isinstance(value, dict):
                value = nested.from_json(value)
            values[name] = value
        return cls(**values, extra={k: v for k, v in data.items() if k not in known})

    def to_dict(self) -> JSON:
        """The object as Keyhole's JSON (timestamps as RFC 3339), unknown members included."""
        out: JSON = {}
        for name, _, _ in _fields(type(self)):
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat().replace("+00:00", "Z")
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Model):
                value = value.to_dict()
            out[name] = value
        return {**out, **self.extra}


@dataclass(frozen=True, kw_only=True)
class Limits(Model):
    """Effective limits (None: unlimited)."""

    links_per_resource: int | None = None
    shared_resources: int | None = None
    api_requests_per_min: int | None = None
    viewer_requests_per_min_per_ip: int | None = None
    failed_resolves_per_min_per_ip: int | None = None


@dataclass(frozen=True, kw_only=True)
class TenantSettings(Model):
    default_expires_in: str | None = None
    max_expires_in: str | None = None
    token_display: str = "recopyable"  # noqa: S105  # a setting's name, not a password
    require_password: bool = False
    access_log_retention_days: int | None = None
    display_name: str | None = None
    accent_color: str | None = None
    logo: str | None = None
    default_redact: bool = True
    allow_imported_tokens: bool = False  # links may be created with `import_token`
    share_url_template: str | None = None  # `https://app.example.com/m/{token}`: every `url` follows it
    embed_origins: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Tenant(Model):
    id: str
    name: str
    plan: str
    limits: Limits
    overrides: JSON = field(default_factory=dict)
    usage: JSON = field(default_factory=dict)
    settings: TenantSettings
    created_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PlatformTenant(Model):
    """A tenant of a platform key's namespace: `id` is the product's own id for it (its
    organisation id), `keyhole_id` Keyhole's (`ten_...`, what its keys and `GET /v1/tenant` show)."""

    id: str
    name: str
    plan: str
    limits: Limits
    overrides: JSON = field(default_factory=dict)
    usage: JSON = field(default_factory=dict)
    settings: TenantSettings
    created_at: datetime | None = None
    keyhole_id: str
    status: str = "active"  # or "suspended": its keys and links stop until it is resumed
    suspended_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class TenantDeleting(Model):
    """A tenant deletion that ran out of time: the tenant is gone for every other route; DELETE again
    finishes it."""

    id: str
    status: str = "deleting"
    links_revoked: int = 0


@dataclass(frozen=True, kw_only=True)
class UsageDay(Model):
    date: Day
    views: int = 0
    links_created: int = 0


@dataclass(frozen=True, kw_only=True)
class TenantDailyUsage(Model):
    """Views and links created per UTC day, the last 90 days (oldest first), with totals."""

    id: str
    days: list[JSON] = field(default_factory=list)
    totals: JSON = field(default_factory=dict)

    @property
    def daily(self) -> list[UsageDay]:
        return [UsageDay.from_json(d) for d in self.days]


@dataclass(frozen=True, kw_only=True)
class Plan(Model):
    """A built-in plan (`source` "builtin") or one of the namespace's own ("namespace")."""

    name: str
    source: str
    limits: Limits
    tenants_updated: int | None = None  # (put) tenants on the plan whose limits were refreshed


@dataclass(frozen=True, kw_only=True)
class ApiKey(Model):
    id: str
    name: str
    role: str
    prefix: str
    created_at: datetime | None = None
    created_by: Any = None


@dataclass(frozen=True, kw_only=True)
class NewApiKey(ApiKey):
    """A key just made: `key` is shown this once."""

    key: str


@dataclass(frozen=True, kw_only=True)
class ResourceSummary(Model):
    id: str
    type: str
    name: str
    version: int
    etag: str
    active_links: int = 0
    document_bytes: int = 0
    file_count: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Resource(ResourceSummary):
    """A resource: `kind` "document" (document, redact, scopes, display) or "origin" (origin)."""

    kind: str = "document"
    document: JSON | None = None
    redact: list[str] | None = None
    scopes: dict[str, list[str]] | None = None
    display: JSON | None = None
    origin: JSON | None = None
    secret_created_at: datetime | None = None
    previous_secret_retires_at: datetime | None = None
    origin_secret: str | None = None  # only in the answer that made or rotated it: shown once
    files: list[JSON] | None = None  # document resources: the published files


@dataclass(frozen=True, kw_only=True)
class File(Model):
    """A file of a resource: `pending` until its upload is completed, then `published`."""

    file_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    status: str = "published"
    published_at: datetime | None = None
    created_at: datetime | None = None
    resource_version: int | None = None  # after complete: the version that published it
    etag: str | None = None


@dataclass(frozen=True, kw_only=True)
class FileUploadStarted(Model):
    """An upload just started: PUT the bytes to `upload["url"]` with exactly `upload["headers"]`."""

    file_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    status: str = "pending"
    created_at: datetime | None = None
    upload: JSON = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ByRef(Model):
    """Who created or revoked a link: the key (`key_...`, a platform key's `pkey_...`, or `ops`) and
    the product's user its request named with `Keyhole-Actor` (informational: the key is the authority)."""

    key_id: str
    actor: str | None = None


@dataclass(frozen=True, kw_only=True)
class Link(Model):
    id: str
    resource_id: str
    label: str | None = None
    description: str | None = None
    scope: str | None = None
    token_preview: str = ""
    status: str = "active"
    expires_at: datetime | None = None
    created_at: datetime | None = None
    created_by: ByRef | None = None
    revoked_at: datetime | None = None
    revoked_by: ByRef | None = None
    view_count: int = 0
    last_accessed_at: datetime | None = None
    has_password: bool = False
    max_views: int | None = None
    rate_limit_per_min: int | None = None
    allowed_paths: list[str] | None = None
    allowed_methods: list[str] | None = None
    paused: bool = False
    embeddable: bool = False
    # where the token came from, not a secret: "keyhole", or "imported" (the product's `import_token`)
    token_source: str = "keyhole"  # noqa: S105
    # "strong", or "legacy": an imported token holding fewer than 128 bits of its alphabet
    token_strength: str = "strong"  # noqa: S105


@dataclass(frozen=True, kw_only=True)
class NewLink(Link):
    """A link just made: `token` and `url` (the capability) are in this answer."""

    token: str
    url: str


@dataclass(frozen=True, kw_only=True)
class RevealedLink(Model):
    id: str
    token: str
    url: str
    allowed_paths: list[str] | None = None
    allowed_methods: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class AccessLogEntry(Model):
    at: datetime | None
    ip: str
    user_agent: str | None = None
    method: str
    path: str
    status: int
    latency_ms: int
    outcome: str


@dataclass(frozen=True, kw_only=True)
class AuditEvent(Model):
    id: str
    at: datetime | None
    actor: JSON = field(default_factory=dict)
    action: str
    target_type: str | None = None
    target_id: str | None = None
    details: JSON = field(default_factory=dict)
    request_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class WebhookEndpoint(Model):
    id: str
    url: str
    events: list[str]
    description: str | None = None
    created_at: datetime | None = None
    created_by: Any = None


@dataclass(frozen=True, kw_only=True)
class NewWebhookEndpoint(WebhookEndpoint):
    """An endpoint just registered: `secret` (`whsec_...`) is shown this once."""

    secret: str


@dataclass(frozen=True, kw_only=True)
class DeliveryAttempt(Model):
    at: datetime | None
    latency_ms: int | None = None
    response_status: int | None = None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class WebhookDelivery(Model):
    id: str
    event: str
    event_id: str
    status: str
    attempts: int = 0
    response_status: int | None = None
    latency_ms: int | None = None
    error: str | None = None
    created_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_retry_at: datetime | None = None
    delivered_at: datetime | None = None
    history: list[JSON] = field(default_factory=list)

    @property
    def attempt_history(self) -> list[DeliveryAttempt]:
        return [DeliveryAttempt.from_json(h) for h in self.history]


@dataclass(frozen=True, kw_only=True)
class IntrospectedLink(Model):
    id: str
    label: str | None = None
    description: str | None = None
    scope: str | None = None
    expires_at: datetime | None = None
    has_password: bool = False
    max_views: int | None = None
    rate_limit_per_min: int | None = None
    allowed_paths: list[str] | None = None
    allowed_methods: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class IntrospectedResource(Model):
    id: str
    type: str
    name: str
    kind: str = "document"


@dataclass(frozen=True, kw_only=True)
class Introspection(Model):
    """`active` False for every dead or foreign token alike; `requires` for gated links of yours."""

    active: bool
    requires: str | None = None
    token_type: str | None = None
    link: IntrospectedLink | None = None
    resource: IntrospectedResource | None = None
    scope: str | None = None
    expires_at: datetime | None = None
    exp: int | None = None


@dataclass(frozen=True, kw_only=True)
class ShareData(Model):
    """What a viewer's `GET /share/{token}/data` answers: the scoped, redacted document."""

    resource: JSON
    link: JSON
    document: JSON
    updated_at: datetime | None = None
    files: list[JSON] | None = None  # a resource with files: the ones this link shows
    bundle: JSON | None = None  # their zip: status, size, download_url


@dataclass(frozen=True, kw_only=True)
class ShareInfo(Model):
    label: str | None = None
    description: str | None = None
    expires_at: datetime | None = None
    has_password: bool = False
    tenant: JSON = field(default_factory=dict)
    resource: JSON = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LinkRevocation(Model):
    """One link of a bulk revocation: `revoked`, `already_revoked` or `not_found`."""

    link_id: str
    resource_id: str | None = None
    status: str


@dataclass(frozen=True, kw_only=True)
class LinksRevoked(Model):
    """`POST /v1/links/revoke`: per-link results; `complete` False when a filter left some to do."""

    results: list[JSON] = field(default_factory=list)
    revoked: int = 0
    complete: bool = True

    @property
    def links(self) -> list[LinkRevocation]:
        return [LinkRevocation.from_json(r) for r in self.results]


@dataclass(frozen=True, kw_only=True)
class ImportedLink(Model):
    """One item of a bulk import, by its `index` in the request: `status` 201 with the `link`, or
    the item's own `error` (404, 409 `token_taken` or `limit_reached`, 422, 429)."""

    index: int
    status: int
    link: NewLink | None = None
    error: JSON | None = None

    @property
    def exception(self) -> KeyholeError | None:
        """The item's error as the exception a single create would raise (`TokenTaken`, ...)."""
        if self.error is None:
            return None
        return error_from_response(self.status, {"error": self.error}, {})


@dataclass(frozen=True, kw_only=True)
class ImportResult(Model):
    """`POST /v1/links/import`: one result per item, in order; `created` and `failed` count them."""

    items: list[JSON] = field(default_factory=list)
    created: int = 0
    failed: int = 0

    @property
    def results(self) -> list[ImportedLink]:
        return [ImportedLink.from_json(item) for item in self.items]


@dataclass(frozen=True, kw_only=True)
class ConsoleTicket(Model):
    """A one-time URL to Keyhole's console or share dialog (open it, or frame it, within 5 minutes)."""

    url: str
    expires_at: datetime | None = None


# The OpenAPI schema each model follows (tests/clients check their fields against the document).
SCHEMAS: dict[str, type[Model]] = {
    "Limits": Limits,
    "TenantSettings": TenantSettings,
    "Tenant": Tenant,
    "ApiKey": ApiKey,
    "NewApiKey": NewApiKey,
    "ResourceSummary": ResourceSummary,
    "Resource": Resource,
    "Link": Link,
    "NewLink": NewLink,
    "RevealedLink": RevealedLink,
    "AccessLogEntry": AccessLogEntry,
    "AuditEvent": AuditEvent,
    "WebhookEndpoint": WebhookEndpoint,
    "NewWebhookEndpoint": NewWebhookEndpoint,
    "DeliveryAttempt": DeliveryAttempt,
    "WebhookDelivery": WebhookDelivery,
    "IntrospectedLink": IntrospectedLink,
    "IntrospectedResource": IntrospectedResource,
    "Introspection": Introspection,
    "ShareData": ShareData,
    "ShareInfo": ShareInfo,
    "File": File,
    "FileUploadStarted": FileUploadStarted,
    "LinkRevocation": LinkRevocation,
    "LinksRevoked": LinksRevoked,
    "ConsoleTicket": ConsoleTicket,
    "ByRef": ByRef,
    "PlatformTenant": PlatformTenant,
    "TenantDeleting": TenantDeleting,
    "TenantDailyUsage": TenantDailyUsage,
    "Plan": Plan,
    "ImportResult": ImportResult,
}
