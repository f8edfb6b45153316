"""Webhooks: endpoints admins register, signed deliveries (Standard Webhooks), a durable retry queue.

- `endpoints`: register/list/delete, URL rules, the signing secret (shown once, sealed at rest);
- `transport`: one signed HTTP attempt (`webhook-id`, `webhook-timestamp`, `webhook-signature`);
- `dispatch`: fan-out from the stream consumer, the retry queue and its scheduled drain, the
  per-endpoint delivery log;
- `lanes`: sending in per-endpoint lanes within a time budget, so one slow receiver delays only
  its own deliveries.

Importing this package is cheap (no HTTP or signing libraries): `app.py` imports it at cold start.
May import `tenancy`, `outbound`, `sealing` and everything below them.
"""

from __future__ import annotations

from chalicelib.webhooks.dispatch import Event, delivery_id, drain, fan_out, list_deliveries
from chalicelib.webhooks.endpoints import (
    EVENT_TYPES,
    create_endpoint,
    delete_endpoint,
    forget_endpoints,
    list_endpoints,
    owned_endpoint,
    valid_endpoint_id,
)
from chalicelib.webhooks.exceptions import SecretUnavailable, WebhookError

__all__ = [
    "EVENT_TYPES",
    "Event",
    "SecretUnavailable",
    "WebhookError",
    "create_endpoint",
    "delete_endpoint",
    "delivery_id",
    "drain",
    "fan_out",
    "forget_endpoints",
    "list_deliveries",
    "list_endpoints",
    "owned_endpoint",
    "valid_endpoint_id",
]
