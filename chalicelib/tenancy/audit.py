"""Audit events: who did what, when, to which object. Written in the same transaction as the
change they describe, so an action and its audit entry exist together or not at all.
Details never carry secrets (tokens, keys, passwords): only ids, previews and changed fields.
"""

from __future__ import annotations

from typing import Any

from chalicelib.credentials.tokens import new_id
from chalicelib.runtime.clock import to_rfc3339, to_rfc3339_ms
from chalicelib.runtime.pagination import partition_page
from chalicelib.storage.models import AuditEvent, plain


def new_event(
    tenant_id: str,
    *,
    actor: dict[str, Any],
    action: str,
    at: Any,
    target_type: str | None = None,
    target_id: str | None = None,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    event_id = new_id("evt", 10)
    return AuditEvent(
        pk=AuditEvent.partition(tenant_id),
        sk=f"{to_rfc3339_ms(at)}#{event_id}",
        event_id=event_id,
        tenant_id=tenant_id,
        at=to_rfc3339(at),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details or {},
        request_id=request_id,
    )


def to_json(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "at": event.at,
        "actor": plain(event.actor),
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "details": plain(event.details),
        "request_id": event.request_id,
    }


def list_events(tenant_id: str, query: dict[str, str]) -> dict[str, Any]:
    return partition_page(
        AuditEvent, AuditEvent.partition(tenant_id), query, to_json, list_id="audit", newest_first=True
    )
