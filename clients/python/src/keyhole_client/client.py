"""`Keyhole`: the admin API as Python, one namespace per part of the API (`kh.tenant`,
`kh.api_keys`, `kh.resources`, `kh.links`, `kh.audit`, `kh.webhooks`), plus `kh.introspect()` and
`kh.viewer` (what a share URL answers); with a platform key, `kh.tenants` and `kh.plans`, and
`kh.for_tenant(...)` to act for one tenant. Every method is one request, except list iterators,
which ask for the next page as the loop reaches it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Final, Literal, TypedDict
from urllib.parse import urlsplit

import httpx

from . import models
from ._transport import RetryPolicy, Transport, path
from .errors import TransportError
from .pagination import Paginator


class _Unset(Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""A PATCH argument not given (None sends `null`, which clears the field)."""

LinkStatus = Literal["active", "paused", "revoked", "expired", "exhausted", "all"]
Role = Literal["admin", "operator", "viewer", "introspect"]


class _ImportLinkRequired(TypedDict):
    resource_id: str
    import_token: str


class ImportLink(_ImportLinkRequired, total=False):
    """One link of `kh.links.import_([...])`: a token the product already handed out."""

    label: str | None
    expires_at: datetime | str | None
    created_at: datetime | str | None  # when the product made it (not in the future); default now


def _time(value: datetime | str | None) -> str | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a datetime sent to Keyhole needs a timezone (RFC 3339 UTC)")
        return value.isoformat().replace("+00:00", "Z")
    return value


def _body(**fields: Any) -> dict[str, Any]:
    """The members given: UNSET ones left out, datetimes as RFC 3339."""
    return {k: _time(v) if isinstance(v, datetime) else v for k, v in fields.items() if v is not UNSET}


def _given(**fields: Any) -> dict[str, Any]:
    """The members given, None meaning "not given" (PUT and create bodies)."""
    return {k: _time(v) if isinstance(v, datetime) else v for k, v in fields.items() if v is not None}


class _Namespace:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _list(
        self, url_path: str, parse: Any, *, limit: int | None, cursor: str | None, **params: Any
    ) -> Paginator[Any]:
        def fetch(at: str | None) -> tuple[list[Any], str | None]:
            page, _ = self._t.request("GET", url_path, params={"limit": limit, "cursor": at, **params})
            return page["items"], page.get("next_cursor")

        return Paginator(fetch, parse, cursor)


class TenantApi(_Namespace):
    def get(self) -> models.Tenant:
        """The tenant: plan, effective limits, usage and settings (viewer role)."""
        return models.Tenant.from_json(self._t.request("GET", "/v1/tenant")[0])

    def update(self, **settings: Any) -> models.Tenant:
        """Change settings (admin): `default_expires_in`, `max_expires_in`, `token_display`,
        `require_password`, `access_log_retention_days`, `default_redact`, `display_name`,
        `accent_color`, `logo` (a data URI), `embed_origins`, `allow_imported_tokens` (links may be
        created with `import_token`), `share_url_template` (`https://app.example.com/m/{token}`:
        every `url` Keyhole returns follows it). None clears a nullable setting."""
        return models.Tenant.from_json(self._t.request("PATCH", "/v1/tenant", body=settings)[0])


class ApiKeysApi(_Namespace):
    def create(self, name: str, role: Role) -> models.NewApiKey:
        """A new key of this tenant (admin); `key` is in this answer only."""
        return models.NewApiKey.from_json(self._t.request("POST", "/v1/api-keys", body={"name": name, "role": role})[0])

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Paginator[models.ApiKey]:
        return self._list("/v1/api-keys", models.ApiKey.from_json, limit=limit, cursor=cursor)

    def delete(self, key_id: str) -> None:
        """The key stops working at once."""
        self._t.request("DELETE", path("/v1/api-keys/{key_id}", key_id=key_id))


class ResourcesApi(_Namespace):
    def put(
        self,
        resource_id: str,
        *,
        type: str,
        name: str,
        document: Mapping[str, Any] | None = None,
        origin: Mapping[str, Any] | None = None,
        redact: Sequence[str] | None = None,
        scopes: Mapping[str, Sequence[str]] | None = None,
        display: Mapping[str, Any] | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> models.Resource:
        """Create or replace (operator) a resource with a `document` or an `origin`. On a resource
        with redaction rules, `redact` is required (`[]` removes them on purpose): a replace never
        drops a rule by omission. `if_match` (an ETag) makes it conditional (PreconditionFailed);
        `if_none_match="*"` creates only."""
        body = _given(
            type=type, name=name, document=document, origin=origin, redact=redact, scopes=scopes, display=display
        )
        headers = _given(**{"If-Match": if_match, "If-None-Match": if_none_match})
        result, _ = self._t.request("PUT", path("/v1/resources/{id}", id=resource_id), body=body, headers=headers)
        return models.Resource.from_json(result)

    def patch(
        self,
        resource_id: str,
        *,
        document: Mapping[str, Any] | _Unset = UNSET,
        name: str | _Unset = UNSET,
        type: str | _Unset = UNSET,
        redact: Sequence[str] | _Unset = UNSET,
        scopes: Mapping[str, Sequence[str] | None] | _Unset = UNSET,
        display: Mapping[str, Any] | _Unset | None = UNSET,
        origin: Mapping[str, Any] | _Unset | None = UNSET,
        if_match: str | None = None,
    ) -> models.Resource:
        """A JSON Merge Patch (RFC 7396): only what is given changes; inside `document`, a None
        member removes it. Redaction rules stay unless `redact` is given."""
        body = _body(
            document=document, name=name, type=type, redact=redact, scopes=scopes, display=display, origin=origin
        )
        headers = _given(**{"If-Match": if_match})
        result, _ = self._t.request(
            "PATCH",
            path("/v1/resources/{id}", id=resource_id),
            body=body,
            headers=headers,
            content_type="application/merge-patch+json",
        )
        return models.Resource.from_json(result)

    def get(self, resource_id: str) -> models.Resource:
        return models.Resource.from_json(self._t.request("GET", path("/v1/resources/{id}", id=resource_id))[0])

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Paginator[models.ResourceSummary]:
        return self._list("/v1/resources", models.ResourceSummary.from_json, limit=limit, cursor=cursor)

    def delete(self, resource_id: str) -> None:
        """Delete the resource and revoke every link to it."""
        self._t.request("DELETE", path("/v1/resources/{id}", id=resource_id))

    def rotate_origin_secret(self, resource_id: str) -> models.Resource:
        """A new signing secret for an origin resource (`origin_secret`, shown once); the replaced
        one signs beside it for 24 hours."""
        result, _ = self._t.request("POST", path("/v1/resources/{id}/origin-secret", id=resource_id))
        return models.Resource.from_json(result)


class FilesApi(_Namespace):
    """A resource's files (docs/files.md): bytes go straight to the files bucket through a
    presigned PUT that the bucket refuses unless their size and SHA-256 are the declared ones."""

    def start(
        self, resource_id: str, *, name: str, content_type: str, size: int, sha256: str
    ) -> models.FileUploadStarted:
        body = {"name": name, "content_type": content_type, "size": size, "sha256": sha256}
        result, _ = self._t.request("POST", path("/v1/resources/{id}/files", id=resource_id), body=body)
        return models.FileUploadStarted.from_json(result)

    def complete(self, resource_id: str, file_id: str) -> models.File:
        """Check what the bucket stored and publish the file as a new version of the resource."""
        url = path("/v1/resources/{id}/files/{file}/complete", id=resource_id, file=file_id)
        return models.File.from_json(self._t.request("POST", url)[0])

    def delete(self, resource_id: str, file_id: str) -> None:
        self._t.request("DELETE", path("/v1/resources/{id}/files/{file}", id=resource_id, file=file_id))

    def upload(
        self, resource_id: str, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> models.File:
        """start, PUT the bytes (no Keyhole header goes to the bucket), complete."""
        import hashlib

        started = self.start(
            resource_id, name=name, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest()
        )
        sent = self._t.http.put(str(started.upload["url"]), content=data, headers=dict(started.upload["headers"]))
        if sent.status_code >= 300:
            raise TransportError(f"the files bucket refused the upload of {name!r}: HTTP {sent.status_code}")
        return self.complete(resource_id, started.file_id)


class LinksApi(_Namespace):
    def create(
        self,
        resource_id: str,
        *,
        label: str | None = None,
        description: str | None = None,
        scope: str | None = None,
        expires_in: str | None = None,
        expires_at: datetime | str | None = None,
        password: str | None = None,
        max_views: int | None = None,
        rate_limit_per_min: int | None = None,
        allowed_paths: Sequence[str] | None = None,
        allowed_methods: Sequence[str] | None = None,
        embeddable: bool | None = None,
        import_token: str | None = None,
    ) -> models.NewLink:
        """A share link (operator): `token` and `url` are in the answer. `expires_in` is `1h`,
        `24h`, `7d`, `30d`, `never` or any `<n>m|h|d`; or give `expires_at`. `embeddable`: its
        page may be framed by the tenant's `embed_origins`. `import_token`: the token of a link
        your product already handed out, so its URL keeps working (tenant setting
        `allow_imported_tokens`; TokenTaken when any link holds or held it)."""
        body = _given(
            label=label,
            description=description,
            scope=scope,
            expires_in=expires_in,
            expires_at=expires_at,
            password=password,
            max_views=max_views,
            rate_limit_per_min=rate_limit_per_min,
            allowed_paths=allowed_paths,
            allowed_methods=allowed_methods,
            embeddable=embeddable,
            import_token=import_token,
        )
        result, _ = self._t.request("POST", path("/v1/resources/{id}/links", id=resource_id), body=body)
        return models.NewLink.from_json(result)

    def import_(self, links: Sequence[ImportLink]) -> models.ImportResult:
        """Up to 100 links with the tokens your product already handed out (operator; tenant setting
        `allow_imported_tokens`), one result per item in order (`.results`: the link, or the item's
        error and `.exception`). Items are created one by one: those before a failure stay."""
        body = {"links": [_given(**item) for item in links]}
        return models.ImportResult.from_json(self._t.request("POST", "/v1/links/import", body=body)[0])

    def list(
        self,
        resource_id: str | None = None,
        *,
        status: LinkStatus | None = None,
        actor: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[models.Link]:
        """The tenant's links, or one resource's; `status` active (default), revoked, expired, all.
        `actor`: the tenant's links that requests naming this `Keyhole-Actor` created, newest first
        (a page may hold fewer than `limit`)."""
        if resource_id is not None and actor is not None:
            raise ValueError("actor= filters the tenant's links (kh.links.list(actor=...)), not one resource's")
        url_path = path("/v1/resources/{id}/links", id=resource_id) if resource_id is not None else "/v1/links"
        return self._list(url_path, models.Link.from_json, limit=limit, cursor=cursor, status=status, actor=actor)

    def get(self, link_id: str) -> models.Link:
        return models.Link.from_json(self._t.request("GET", path("/v1/links/{id}", id=link_id))[0])

    def update(
        self,
        link_id: str,
        *,
        label: str | _Unset | None = UNSET,
        description: str | _Unset | None = UNSET,
        expires_in: str | _Unset = UNSET,
        expires_at: datetime | str | _Unset | None = UNSET,
        max_views: int | _Unset | None = UNSET,
        rate_limit_per_min: int | _Unset | None = UNSET,
        paused: bool | _Unset = UNSET,
        password: str | _Unset | None = UNSET,
    ) -> models.Link:
        """Change what is given (operator); None clears a nullable field. `paused=True`: the URL
        answers 404 and the link keeps its slot until `paused=False`; `password` sets a new one
        (unlocked viewers unlock again), None removes it."""
        body = _body(
            label=label,
            description=description,
            expires_in=expires_in,
            expires_at=expires_at,
            max_views=max_views,
            rate_limit_per_min=rate_limit_per_min,
            paused=paused,
            password=password,
        )
        return models.Link.from_json(self._t.request("PATCH", path("/v1/links/{id}", id=link_id), body=body)[0])

    def reveal(self, link_id: str) -> models.RevealedLink:
        """The token and URL again (Conflict when the tenant shows tokens once)."""
        return models.RevealedLink.from_json(self._t.request("POST", path("/v1/links/{id}/reveal", id=link_id))[0])

    def revoke(self, link_id: str) -> None:
        """Revoked at once and for ever; the record stays for the audit trail."""
        self._t.request("DELETE", path("/v1/links/{id}", id=link_id))

    def revoke_many(
        self,
        link_ids: Sequence[str] | None = None,
        *,
        resource_id: str | None = None,
        actor: str | None = None,
        created_before: datetime | str | None = None,
        reason: str | None = None,
    ) -> models.LinksRevoked:
        """Revoke up to 100 links by id, or every active and paused link a filter matches (the
        actor's, a resource's, those made before a time), in one call with per-link results (a
        filter's `complete` is False when more are left: call again)."""
        body = _given(
            link_ids=list(link_ids) if link_ids is not None else None,
            resource_id=resource_id,
            actor=actor,
            created_before=created_before,
            reason=reason,
        )
        return models.LinksRevoked.from_json(self._t.request("POST", "/v1/links/revoke", body=body)[0])

    def access_logs(
        self, link_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Paginator[models.AccessLogEntry]:
        """Viewer requests on the link, newest first."""
        return self._list(
            path("/v1/links/{id}/access-logs", id=link_id), models.AccessLogEntry.from_json, limit=limit, cursor=cursor
        )


class TenantsApi(_Namespace):
    """The platform API (a platform key, `khp_...`): the tenants of the key's namespace, named by
    your product's own ids (1-128 characters of `A-Za-z0-9._:-`). Act for one with
    `kh.for_tenant(tenant_id)`. A tenant's own key gets Forbidden here."""

    def put(
        self,
        tenant_id: str,
        *,
        name: str,
        plan: str,
        overrides: Mapping[str, int | None] | None = None,
        settings: Mapping[str, Any] | None = None,
        branding: Mapping[str, Any] | None = None,
    ) -> models.PlatformTenant:
        """Create or update (idempotent: the same call again changes nothing). `overrides`, when
        given, replaces the tenant's limit overrides (None: unlimited); `settings` and `branding`
        change only the settings they name, so a sync never undoes what the tenant's admins set."""
        body = _given(name=name, plan=plan, overrides=overrides, settings=settings, branding=branding)
        result, _ = self._t.request("PUT", path("/v1/tenants/{id}", id=tenant_id), body=body)
        return models.PlatformTenant.from_json(result)

    def get(self, tenant_id: str) -> models.PlatformTenant:
        return models.PlatformTenant.from_json(self._t.request("GET", path("/v1/tenants/{id}", id=tenant_id))[0])

    def update(
        self,
        tenant_id: str,
        *,
        name: str | _Unset = UNSET,
        plan: str | _Unset = UNSET,
        overrides: Mapping[str, int | None] | _Unset = UNSET,
        settings: Mapping[str, Any] | _Unset = UNSET,
        branding: Mapping[str, Any] | _Unset = UNSET,
    ) -> models.PlatformTenant:
        """Change what is given (at least one); as in `put`, `overrides` replaces, `settings` and
        `branding` change what they name."""
        body = _body(name=name, plan=plan, overrides=overrides, settings=settings, branding=branding)
        result, _ = self._t.request("PATCH", path("/v1/tenants/{id}", id=tenant_id), body=body)
        return models.PlatformTenant.from_json(result)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Paginator[models.PlatformTenant]:
        """The namespace's tenants, by id."""
        return self._list("/v1/tenants", models.PlatformTenant.from_json, limit=limit, cursor=cursor)

    def delete(self, tenant_id: str) -> models.TenantDeleting | None:
        """Keys stop at once, every link is revoked, keys deleted; records are kept for their
        retention, and the id is not reused. None when done; a `TenantDeleting` when time ran out
        first (the tenant is gone for every other route): call again to finish."""
        result, _ = self._t.request("DELETE", path("/v1/tenants/{id}", id=tenant_id))
        return models.TenantDeleting.from_json(result) if result else None

    def suspend(self, tenant_id: str) -> models.PlatformTenant:
        """The tenant's keys and links stop at once (nothing is deleted) until `resume`."""
        result, _ = self._t.request("POST", path("/v1/tenants/{id}/suspend", id=tenant_id))
        return models.PlatformTenant.from_json(result)

    def resume(self, tenant_id: str) -> models.PlatformTenant:
        result, _ = self._t.request("POST", path("/v1/tenants/{id}/resume", id=tenant_id))
        return models.PlatformTenant.from_json(result)

    def create_key(self, tenant_id: str, *, name: str | None = None, role: Role | None = None) -> models.NewApiKey:
        """A key of the tenant (an admin key named "admin key" unless told otherwise); `key` is in
        this answer only."""
        body = _given(name=name, role=role)
        result, _ = self._t.request("POST", path("/v1/tenants/{id}/api-keys", id=tenant_id), body=body)
        return models.NewApiKey.from_json(result)

    def usage(self, tenant_id: str) -> models.TenantDailyUsage:
        """Views and links created per UTC day, the last 90 days (counted by the stream consumer)."""
        result, _ = self._t.request("GET", path("/v1/tenants/{id}/usage", id=tenant_id))
        return models.TenantDailyUsage.from_json(result)


class PlansApi(_Namespace):
    """The built-in plans and the platform key's namespace's own (a platform key)."""

    def list(self) -> Paginator[models.Plan]:
        return self._list("/v1/plans", models.Plan.from_json, limit=None, cursor=None)

    def put(self, name: str, limits: Mapping[str, int | None]) -> models.Plan:
        """Create or change one of the namespace's plans (not a built-in name): limit name -> whole
        number, or None for unlimited; a limit left out takes the free plan's value. Tenants on
        the plan get its new limits at once (`tenants_updated`)."""
        result, _ = self._t.request("PUT", path("/v1/plans/{name}", name=name), body={"limits": dict(limits)})
        return models.Plan.from_json(result)


class ConsoleApi(_Namespace):
    def create_session(
        self, *, resource_id: str | None = None, role: str | None = None, actor: str | None = None
    ) -> models.ConsoleTicket:
        """A one-time URL (5 minutes) to Keyhole's console, or with `resource_id` to that
        resource's share dialog: give it to the browser (an iframe's `src` on a page of one of the
        tenant's `embed_origins`). The role is at most the key's; `actor` is who uses it."""
        body = _given(resource_id=resource_id, role=role, actor=actor)
        return models.ConsoleTicket.from_json(self._t.request("POST", "/v1/console/sessions", body=body)[0])


class AuditApi(_Namespace):
    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Paginator[models.AuditEvent]:
        """Audit events, newest first (admin)."""
        return self._list("/v1/audit", models.AuditEvent.from_json, limit=limit, cursor=cursor)


class WebhooksApi(_Namespace):
    def create(
        self, url: str, events: Sequence[str] | None = None, *, description: str | None = None
    ) -> models.NewWebhookEndpoint:
        """Register an endpoint (admin); `secret` (`whsec_...`) is in this answer only. `events`
        each at most once, or None/`["*"]` for every type."""
        body = _given(url=url, events=events, description=description)
        return models.NewWebhookEndpoint.from_json(self._t.request("POST", "/v1/webhooks", body=body)[0])

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Paginator[models.WebhookEndpoint]:
        return self._list("/v1/webhooks", models.WebhookEndpoint.from_json, limit=limit, cursor=cursor)

    def delete(self, webhook_id: str) -> None:
        self._t.request("DELETE", path("/v1/webhooks/{id}", id=webhook_id))

    def deliveries(
        self, webhook_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Paginator[models.WebhookDelivery]:
        """The endpoint's delivery log, newest first."""
        return self._list(
            path("/v1/webhooks/{id}/deliveries", id=webhook_id),
            models.WebhookDelivery.from_json,
            limit=limit,
            cursor=cursor,
        )


class ViewerApi(_Namespace):
    """What a share link answers a viewer (no key is sent): its JSON, its public info."""

    def _share(self, url_or_token: str, suffix: str) -> str:
        if "://" in url_or_token:
            parts = urlsplit(url_or_token)
            return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{suffix}"
        return f"{self._t.api_url}/share/{url_or_token}{suffix}"

    def data(self, url_or_token: str, *, use_view: bool = False) -> models.ShareData:
        """The scoped, redacted document. A link with `max_views` needs `use_view=True` (a POST,
        which uses one view); a GET of one is Conflict `confirm_required`."""
        result, _ = self._t.request(
            "POST" if use_view else "GET",
            "",
            absolute_url=self._share(url_or_token, "/data"),
            anonymous=True,
        )
        return models.ShareData.from_json(result)

    def info(self, url_or_token: str) -> models.ShareInfo:
        result, _ = self._t.request("GET", "", absolute_url=self._share(url_or_token, "/info"), anonymous=True)
        return models.ShareInfo.from_json(result)

    def download(self, url_or_token: str, file_id: str, *, use_view: bool = False) -> bytes:
        """A file the link shows (or `bundle`: the zip of all of them): checked and counted like a
        view, then fetched from the presigned URL Keyhole redirects to (valid 60 seconds). A link
        with `max_views` needs `use_view=True` (a POST, which uses one view)."""
        _, answer = self._t.request(
            "POST" if use_view else "GET",
            "",
            absolute_url=self._share(url_or_token, f"/files/{file_id}"),
            anonymous=True,
        )
        location = answer.headers.get("location")
        if not location:
            raise TransportError(f"no redirect to the file (HTTP {answer.status_code})")
        fetched = self._t.http.get(location)  # the bucket: no Keyhole header is sent there
        if fetched.status_code != 200:
            raise TransportError(f"the files bucket answered HTTP {fetched.status_code}")
        return fetched.content


class Keyhole:
    """Keyhole's admin API.

    >>> kh = Keyhole(api_url="https://keyhole.example.com", api_key="kh_...")
    >>> kh.resources.put("invoice-42", type="invoice", name="Invoice #42", document={"total": 12})
    >>> link = kh.links.create("invoice-42", expires_in="7d")

    `tenant` and `actor` are sent as `Keyhole-Tenant` (a platform key acting for one of its
    tenants; or `kh.for_tenant(tenant_id)`) and `Keyhole-Actor` (who, in your product, asked:
    recorded on links and audit events). With a platform key, `kh.tenants` and `kh.plans` manage
    the tenants of its namespace.
    429 and 503 are retried (`retry`: count, total time); errors raise `keyhole_client.errors`.
    Use it as a context manager, or `close()` it, to release its connections.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str | None = None,
        *,
        tenant: str | None = None,
        actor: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self._transport = Transport(
            api_url, api_key, tenant=tenant, actor=actor, timeout=timeout, retry=retry, http=http
        )
        self.tenant = TenantApi(self._transport)
        self.api_keys = ApiKeysApi(self._transport)
        self.resources = ResourcesApi(self._transport)
        self.links = LinksApi(self._transport)
        self.files = FilesApi(self._transport)
        self.audit = AuditApi(self._transport)
        self.webhooks = WebhooksApi(self._transport)
        self.viewer = ViewerApi(self._transport)
        self.console = ConsoleApi(self._transport)
        self.tenants = TenantsApi(self._transport)
        self.plans = PlansApi(self._transport)
        self._options: dict[str, Any] = {"api_key": api_key, "timeout": timeout, "retry": retry}

    def for_tenant(self, tenant: str, *, actor: str | None = None) -> Keyhole:
        """A client acting for one tenant of this platform key's namespace (`Keyhole-Tenant`), as its
        admin, for `actor` (default: this client's), on this client's connections: no request is
        sent, and closing it leaves this client open."""
        actor = actor if actor is not None else self._transport.headers.get("Keyhole-Actor")
        return Keyhole(self._transport.api_url, tenant=tenant, actor=actor, http=self._transport.http, **self._options)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Keyhole:
        """A client from `KEYHOLE_API_URL` and `KEYHOLE_API_KEY` (and `KEYHOLE_TENANT`,
        `KEYHOLE_ACTOR` when set), so no key is written into code."""
        import os

        env = os.environ if environ is None else environ
        url, key = env.get("KEYHOLE_API_URL"), env.get("KEYHOLE_API_KEY")
        if not url or not key:
            raise ValueError("set KEYHOLE_API_URL and KEYHOLE_API_KEY")
        return cls(
            url, key, tenant=env.get("KEYHOLE_TENANT") or None, actor=env.get("KEYHOLE_ACTOR") or None, **options
        )

    def introspect(
        self, token: str, *, view: Mapping[str, Any] | None = None, password: str | None = None
    ) -> models.Introspection:
        """Is this token a live link of your tenant? `view={"ip": ..., "user_agent": ...}` counts a
        view (add `"use_view": True` for a view-limited link); `password` for a password link."""
        body = _given(token=token, view=view, password=password)
        return models.Introspection.from_json(self._transport.request("POST", "/v1/introspect", body=body)[0])

    def openapi(self) -> dict[str, Any]:
        """The API's OpenAPI document, as this deployment serves it."""
        result: dict[str, Any] = self._transport.request("GET", "/v1/openapi.json")[0]
        return result

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Keyhole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Every operation of the OpenAPI document and the method that calls it; the viewer's HTML routes are
# for browsers (tests/clients checks this table against the document: a new route fails until it is here).
OPERATIONS: dict[str, str] = {
    "getTenant": "tenant.get",
    "patchTenant": "tenant.update",
    "createApiKey": "api_keys.create",
    "listApiKeys": "api_keys.list",
    "deleteApiKey": "api_keys.delete",
    "putResource": "resources.put",
    "patchResource": "resources.patch",
    "getResource": "resources.get",
    "listResources": "resources.list",
    "deleteResource": "resources.delete",
    "rotateOriginSecret": "resources.rotate_origin_secret",
    "startFileUpload": "files.start",
    "completeFileUpload": "files.complete",
    "deleteFile": "files.delete",
    "shareFile": "viewer.download",
    "shareFilePost": "viewer.download",
    "createLink": "links.create",
    "listResourceLinks": "links.list",
    "listLinks": "links.list",
    "getLink": "links.get",
    "patchLink": "links.update",
    "revealLink": "links.reveal",
    "revokeLink": "links.revoke",
    "listAccessLogs": "links.access_logs",
    "revokeLinks": "links.revoke_many",
    "importLinks": "links.import_",
    "createConsoleSession": "console.create_session",
    "listAudit": "audit.list",
    "createWebhook": "webhooks.create",
    "listWebhooks": "webhooks.list",
    "deleteWebhook": "webhooks.delete",
    "listWebhookDeliveries": "webhooks.deliveries",
    "introspect": "introspect",
    "getOpenApi": "openapi",
    "listPlatformTenants": "tenants.list",
    "putPlatformTenant": "tenants.put",
    "getPlatformTenant": "tenants.get",
    "patchPlatformTenant": "tenants.update",
    "deletePlatformTenant": "tenants.delete",
    "suspendPlatformTenant": "tenants.suspend",
    "resumePlatformTenant": "tenants.resume",
    "createPlatformTenantKey": "tenants.create_key",
    "getPlatformTenantUsage": "tenants.usage",
    "listPlatformPlans": "plans.list",
    "putPlatformPlan": "plans.put",
    "shareData": "viewer.data",
    "shareDataPost": "viewer.data",
    "shareInfo": "viewer.info",
}
# The console page exchanges its ticket and signs out itself; the pages are a browser's.
FOR_BROWSERS = frozenset(
    {
        "sharePage",
        "sharePageView",
        "shareUnlock",
        "shareVisit",
        "robots",
        "consolePage",
        "shareDialogPage",
        "startConsoleSession",
        "endConsoleSession",
    }
)
