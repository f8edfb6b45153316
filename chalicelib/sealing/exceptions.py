"""Errors of the sealing capability. Messages never include plaintext or key material."""

from __future__ import annotations


class SealingError(Exception):
    """Base class."""


class UnsealError(SealingError):
    """A sealed value could not be opened: tampered, swapped to another item, or wrong key."""


class KeyServiceUnavailable(SealingError):
    """KMS refused or could not be reached (throttling, outage, disabled key)."""
