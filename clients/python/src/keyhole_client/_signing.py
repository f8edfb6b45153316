"""Standard Webhooks signatures (https://www.standardwebhooks.com/), which Keyhole uses for webhook
deliveries and for requests it forwards to origins: HMAC-SHA256 over `<id>.<timestamp>.<content>`
with the `whsec_` secret, sent as `v1,<base64>` entries (two during a secret's rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence


class SignatureError(ValueError):
    """The request or payload did not come from Keyhole as it claims (or came too late, or twice)."""


def _key(secret: str) -> bytes:
    text = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as error:
        raise ValueError("a Keyhole signing secret is whsec_ followed by base64") from error


def signature(secret: str, message_id: str, timestamp: int, content: bytes) -> str:
    mac = hmac.new(_key(secret), f"{message_id}.{timestamp}.".encode() + content, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def verify(
    content: bytes,
    headers: Mapping[str, str],
    secrets: str | Sequence[str],
    *,
    tolerance: float,
    now: float | None = None,
) -> tuple[str, int]:
    """(message id, timestamp) when a `v1` signature in `webhook-signature` matches one of the
    secrets and the timestamp is within `tolerance` seconds of now; SignatureError otherwise."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys:
        raise ValueError("no secret to verify with")
    message_id = header(headers, "webhook-id")
    stamp = header(headers, "webhook-timestamp")
    sent = header(headers, "webhook-signature")
    if not (message_id and stamp and sent):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp is not a number of seconds") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("webhook-timestamp is outside the tolerance window")
    given = [entry for entry in sent.split(" ") if entry.startswith("v1,")]
    for secret in keys:
        expected = signature(secret, message_id, timestamp, content)
        if any(hmac.compare_digest(expected, entry) for entry in given):
            return message_id, timestamp
    raise SignatureError("no signature matches")
