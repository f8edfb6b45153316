"""Errors of the webhooks capability. Messages never include a signing secret or a share token."""

from __future__ import annotations


class WebhookError(Exception):
    """Base class."""


class SecretUnavailable(WebhookError):
    """An endpoint's sealed secret could not be opened (tampered item, or KMS unavailable)."""


class DeliveryFailed(WebhookError):
    """One delivery attempt failed: a non-2xx answer, a timeout or a connection error."""

    def __init__(self, reason: str, *, status: int | None = None, latency_ms: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.latency_ms = latency_ms
