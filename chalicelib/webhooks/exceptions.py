"""Errors of the webhooks capability. Messages never include a signing secret or a share token."""

from __future__ import annotations


class WebhookError(Exception):
    """Base class."""


class SecretUnavailable(WebhookError):
    """An endpoint's sealed secret could not be opened (tampered item, or KMS unavailable)."""
