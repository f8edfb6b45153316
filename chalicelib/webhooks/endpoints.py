"""Webhook endpoints: register, list, delete; the signing secret (shown once, sealed at rest).

An endpoint lives in its tenant's partition (`TENANT#<tenant_id>` / `WH#<endpoint_id>`). A tenant
has at most `MAX_ENDPOINTS` of them, enforced by a conditional counter item written in the same
transaction as the endpoint, so concurrent registrations can never exceed it.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from chalicelib.credentials.tokens import new_id
from chalicelib.outbound.urls import target_url_problem
from chalicelib.runtime.caches import MISSING
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, LimitReached, NotFound
from chalicelib.runtime.pagination import partition_page
from chalicelib.runtime.validation import string, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import WebhookEndpoint, WebhookQuota
from chalicelib.storage.store import TxnCancelled
from chalicelib.tenancy import audit
from chalicelib.tenancy.apikeys import Principal
from chalicelib.webhooks.exceptions import SecretUnavailable

EVENT_TYPES = ("share.created", "share.revoked", "share.expired", "share.exhausted", "share.accessed")
ALL_EVENTS = "*"
MAX_ENDPOINTS = 10
SECRET_PURPOSE = "webhook-secret"  # noqa: S105 (the sealing purpose's name, not a secret)
SECRET_BYTES = 24
ENDPOINT_ID_RE = re.compile(r"^wh_[0-9a-f]{24}$")
HOW_TO_FREE = "delete an endpoint you no longer use (DELETE /v1/webhooks/{id})"


def valid_endpoint_id(endpoint_id: str) -> bool:
    return bool(ENDPOINT_ID_RE.match(endpoint_id or ""))


def new_secret() -> str:
    """`whsec_` + base64 of 24 random bytes: the format the Standard Webhooks libraries read."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def url_problem(url: Any, *, local: bool) -> str | None:
    """Why `url` cannot be an endpoint, or None when it can. `local`: the stage's
    `settings.is_local_stage` (plain http to this machine), the one rule the proxy follows too."""
    problem = target_url_problem(url, local=local)
    if problem:
        return problem
    if urlsplit(url).fragment:
        return "must not have a #fragment"
    return None


def parse_events(body: dict[str, Any], errors: Collector) -> list[str]:
    """`events`: a list of event types; omitted, null or `["*"]` subscribes to every type."""
    events = body.get("events")
    if events is None:
        return [ALL_EVENTS]
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        errors.add("events", f'must be a non-empty list of event types ({", ".join(EVENT_TYPES)}) or ["*"]')
        return []
    if ALL_EVENTS in events:
        if len(events) > 1:
            errors.add("events", '"*" subscribes to every event type; list it alone')
        return [ALL_EVENTS]
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        errors.add("events", f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
        return []
    if len(set(events)) < len(events):  # the OpenAPI document says `uniqueItems`: a repeat is a mistake
        errors.add("events", "lists an event type more than once")
        return []
    return sorted(events, key=EVENT_TYPES.index)


def wants(endpoint: WebhookEndpoint, event_type: str) -> bool:
    subscribed = list(endpoint.events or [])
    return ALL_EVENTS in subscribed or event_type in subscribed


def to_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.endpoint_id,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "description": endpoint.description,
        "created_at": endpoint.created_at,
        "created_by": endpoint.created_by,
    }


def _host_of(url: str) -> str:
    """Audit details name the receiving host only: paths and queries of webhook URLs often embed secrets."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def owned_endpoint(endpoint: WebhookEndpoint | None, principal: Principal) -> WebhookEndpoint:
    if endpoint is None or endpoint.tenant_id != principal.tenant_id:
        raise NotFound("No such webhook endpoint")
    return endpoint


# --- routes --------------------------------------------------------------------------------


def create_endpoint(svc: Keyhole, principal: Principal, body: dict[str, Any], req: RequestInfo) -> dict[str, Any]:
    errors = Collector()
    unknown_fields(body, ("url", "events", "description"), errors)
    problem = url_problem(body.get("url"), local=svc.settings.is_local_stage)
    if problem:
        errors.add("url", problem)
    events = parse_events(body, errors)
    description = string(body, "description", errors, max_len=500, nullable=True)
    errors.raise_if_any()
    tenant_id = principal.tenant_id
    endpoint_id = new_id("wh")
    secret = new_secret()
    sealed = svc.sealer.seal(secret.encode("ascii"), tenant_id=tenant_id, purpose=SECRET_PURPOSE, object_id=endpoint_id)
    now = svc.clock.now()
    pk, sk = WebhookEndpoint.key(tenant_id, endpoint_id)
    endpoint = WebhookEndpoint(
        pk=pk,
        sk=sk,
        endpoint_id=endpoint_id,
        tenant_id=tenant_id,
        url=body["url"],
        events=events,
        description=description,
        sealed_secret=sealed,
        created_at=to_rfc3339(now),
        created_by=principal.actor_label,
    )
    txn = svc.store.txn()
    txn.put(endpoint, condition=WebhookEndpoint.pk.does_not_exist(), tag="endpoint")
    txn.update(
        WebhookQuota,
        WebhookQuota.key(tenant_id),
        [WebhookQuota.n.add(1)],
        condition=WebhookQuota.n.does_not_exist() | (WebhookQuota.n < MAX_ENDPOINTS),
        tag="quota",
    )
    txn.put(
        audit.new_event(
            tenant_id,
            actor=principal.actor(),
            action="webhook.created",
            at=now,
            target_type="webhook",
            target_id=endpoint_id,
            details={"url_host": _host_of(endpoint.url), "events": events},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("quota"):
            raise LimitReached(
                "webhook_endpoints",
                MAX_ENDPOINTS,
                f"Limit reached: webhook_endpoints is {MAX_ENDPOINTS} per tenant; {HOW_TO_FREE}",
                frees=HOW_TO_FREE,
            ) from None
        raise
    return {**to_json(endpoint), "secret": secret}


def list_endpoints(svc: Keyhole, principal: Principal, query: dict[str, str]) -> dict[str, Any]:
    return partition_page(
        WebhookEndpoint, f"TENANT#{principal.tenant_id}", query, to_json, list_id="webhooks", sort_prefix="WH#"
    )


def delete_endpoint(svc: Keyhole, principal: Principal, endpoint: WebhookEndpoint | None, req: RequestInfo) -> None:
    """Stops deliveries at once: queued retries for it are cancelled when the drain reaches them."""
    endpoint = owned_endpoint(endpoint, principal)
    tenant_id = principal.tenant_id
    txn = svc.store.txn()
    txn.delete(
        WebhookEndpoint,
        WebhookEndpoint.key(tenant_id, endpoint.endpoint_id),
        condition=WebhookEndpoint.pk.exists(),
        tag="endpoint",
    )
    txn.update(
        WebhookQuota, WebhookQuota.key(tenant_id), [WebhookQuota.n.add(-1)], condition=WebhookQuota.n > 0, tag="quota"
    )
    txn.put(
        audit.new_event(
            tenant_id,
            actor=principal.actor(),
            action="webhook.deleted",
            at=svc.clock.now(),
            target_type="webhook",
            target_id=endpoint.endpoint_id,
            details={"url_host": _host_of(endpoint.url)},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit(when_failed={"endpoint": NotFound("No such webhook endpoint")})


# --- for the consumer and the drain --------------------------------------------------------


def endpoints_of(tenant_id: str) -> list[WebhookEndpoint]:
    """Every endpoint of a tenant (at most MAX_ENDPOINTS: one consistent Query)."""
    return list(
        WebhookEndpoint.query(f"TENANT#{tenant_id}", WebhookEndpoint.sk.startswith("WH#"), consistent_read=True)
    )


def cached_endpoints(svc: Keyhole, tenant_id: str) -> list[WebhookEndpoint]:
    """A tenant's endpoints as the stream consumer sees them: read once per container per
    `caches.WEBHOOK_ENDPOINTS_TTL_SECONDS`, like the tenant item (docs/stream.md says what it costs:
    a new or deleted endpoint reaches the consumer within that time)."""
    now = svc.clock.time()
    cached: Any = svc.endpoint_cache.get(tenant_id, now)
    if cached is not MISSING:
        return list(cached)
    endpoints = endpoints_of(tenant_id)
    svc.endpoint_cache.put(tenant_id, endpoints, now)
    return endpoints


def forget_endpoints(svc: Keyhole, tenant_id: str) -> None:
    """An endpoint of this tenant was registered or deleted: read them again next time."""
    svc.endpoint_cache.forget(tenant_id)


def secret_of(svc: Keyhole, endpoint: WebhookEndpoint) -> str:
    from chalicelib.sealing import KeyServiceUnavailable, UnsealError

    try:
        return svc.sealer.unseal(
            endpoint.sealed_secret, tenant_id=endpoint.tenant_id, purpose=SECRET_PURPOSE, object_id=endpoint.endpoint_id
        ).decode("ascii")
    except (UnsealError, KeyServiceUnavailable) as error:
        raise SecretUnavailable(f"secret of {endpoint.endpoint_id} cannot be opened: {error}") from error
