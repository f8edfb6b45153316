"""Audit events: who did what, when, to which object. Written in the same transaction as the
change they describe, so an action and its audit entry exist together or not at all.
Details never carry secrets (tokens, keys, passwords): only ids, previews and changed fields.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from .clock import to_rfc3339, to_rfc3339_ms
from .errors import Collector
from .pagination import decode, encode, page, parse_limit
from .storage.models import AuditEvent, plain
from .tokens import new_id


def new_event(tenant_id: str, *, actor: Dict[str, Any], action: str, at: Any, target_type: Optional[str] = None,
              target_id: Optional[str] = None, details: Optional[Dict[str, Any]] = None,
              request_id: Optional[str] = None) -> AuditEvent:
    event_id = new_id("evt", 10)
    return AuditEvent(
        pk=AuditEvent.partition(tenant_id), sk=f"{to_rfc3339_ms(at)}#{event_id}", event_id=event_id,
        tenant_id=tenant_id, at=to_rfc3339(at), actor=actor, action=action, target_type=target_type,
        target_id=target_id, details=details or {}, request_id=request_id)


def to_json(event: AuditEvent) -> Dict[str, Any]:
    return {
        "id": event.event_id, "at": event.at, "actor": plain(event.actor),
        "action": event.action, "target_type": event.target_type, "target_id": event.target_id,
        "details": plain(event.details), "request_id": event.request_id,
    }


def list_events(tenant_id: str, query: Dict[str, str]) -> Dict[str, Any]:
    errors = Collector()
    limit = parse_limit(query, errors)
    partition = AuditEvent.partition(tenant_id)
    start = decode(query.get("cursor"), partition_attr="pk", partition_value=partition, allowed_attrs=("pk", "sk"),
                   list_id="audit")
    errors.raise_if_any()
    results = AuditEvent.query(partition, scan_index_forward=False, limit=limit, last_evaluated_key=start,
                               consistent_read=True)
    items = [to_json(event) for event in results]
    return page(items, encode(results.last_evaluated_key, list_id="audit"))
