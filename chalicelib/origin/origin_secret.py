"""An origin resource's signing secret: made, sealed, rotated, and opened once per container.

The secret is `whsec_` + base64 of 24 random bytes (the Standard Webhooks format), shown once when
the origin is first set and by each rotation. At rest it is sealed like webhook secrets
(`chalicelib/sealing`: AES-256-GCM under a KMS data key, bound to the tenant, the purpose
`origin-secret` and the resource id).

A resource keeps at most two: the current one, and during a rotation's grace period
(`ROTATION_GRACE_SECONDS`, 24 hours) the one it replaced, which keeps signing beside the new one so
an origin that still holds it keeps accepting. A second rotation within the grace period drops the
oldest at once (only the two most recent secrets ever sign).

Viewer requests open the sealed secrets through `SecretCache`: one KMS Decrypt the first time a
container meets a sealed value, none afterwards (the plaintext is kept, keyed by a hash of the
sealed bytes, so a rotation is picked up as soon as the stored value changes).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339
from chalicelib.sealing import Sealer

PURPOSE = "origin-secret"
SECRET_BYTES = 24
ROTATION_GRACE_SECONDS = 24 * 3600


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


@dataclass(frozen=True)
class SealedSecret:
    sealed: bytes
    created_at: str
    retires_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "sealed": base64.b64encode(self.sealed).decode("ascii"),
            "created_at": self.created_at,
            "retires_at": self.retires_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SealedSecret:
        return cls(base64.b64decode(data["sealed"]), str(data["created_at"]), data.get("retires_at"))


def seal(sealer: Sealer, secret: str, *, tenant_id: str, resource_id: str, now_epoch: float) -> SealedSecret:
    sealed = sealer.seal(secret.encode("ascii"), tenant_id=tenant_id, purpose=PURPOSE, object_id=resource_id)
    return SealedSecret(sealed, _stamp(now_epoch))


def _stamp(epoch: float) -> str:
    return str(to_rfc3339(datetime.fromtimestamp(epoch, tz=UTC)))


def rotated(current: Sequence[SealedSecret], new: SealedSecret, *, now_epoch: float) -> list[SealedSecret]:
    """The secrets after a rotation: the new one, and the one it replaces until the grace ends."""
    kept = [new]
    active = [s for s in current if s.retires_at is None]
    if active:
        replaced = active[0]
        kept.append(SealedSecret(replaced.sealed, replaced.created_at, _stamp(now_epoch + ROTATION_GRACE_SECONDS)))
    return kept


def signing_set(stored: Sequence[SealedSecret], *, now_epoch: float) -> list[SealedSecret]:
    """The secrets that sign now: the current one first, then one still in its grace period."""
    current = [s for s in stored if s.retires_at is None]
    grace = [s for s in stored if s.retires_at is not None and parse_rfc3339(s.retires_at).timestamp() > now_epoch]
    return current[:1] + grace[:1]


def secrets_json(stored: Sequence[SealedSecret]) -> list[dict[str, Any]]:
    return [s.to_json() for s in stored]


def secrets_from_json(data: Any) -> list[SealedSecret]:
    return [SealedSecret.from_json(d) for d in (data or [])]


def public_json(stored: Sequence[SealedSecret], *, now_epoch: float) -> dict[str, Any]:
    """What the admin API says about a resource's secrets (never the secrets)."""
    current = next((s for s in stored if s.retires_at is None), None)
    previous = [s for s in signing_set(stored, now_epoch=now_epoch) if s.retires_at is not None]
    return {
        "secret_created_at": current.created_at if current else None,
        "previous_secret_retires_at": previous[0].retires_at if previous else None,
    }


class SecretCache:
    """Opened origin secrets of this container, keyed by a hash of the sealed value (bounded)."""

    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[bytes, str] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def open(self, sealer: Sealer, stored: SealedSecret, *, tenant_id: str, resource_id: str) -> str:
        key = hashlib.sha256(b"%s|%s|" % (tenant_id.encode(), resource_id.encode()) + stored.sealed).digest()
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        plaintext = sealer.unseal(stored.sealed, tenant_id=tenant_id, purpose=PURPOSE, object_id=resource_id)
        secret = plaintext.decode("ascii")
        with self._lock:
            self._entries[key] = secret
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return secret


CACHE_KEY = "origin_secrets"


def opened_secrets(container_state: dict[str, Any]) -> SecretCache:
    """This container's `SecretCache`, kept in the service's per-container state (`Keyhole.cache`)
    and made on first use, so containers that serve no origin link never create it."""
    found = container_state.get(CACHE_KEY)
    if found is None:
        found = container_state.setdefault(CACHE_KEY, SecretCache())
    return cast(SecretCache, found)
