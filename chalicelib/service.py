"""The service container: settings, clock, storage and sealing, created once per process.

Loose in `chalicelib/` because it is the composition root: it sits above storage and sealing
(which it builds) and below every capability (which receives it), so it belongs to no package.

`app.py` builds one lazily on the first request (nothing touches AWS at import time, which keeps
cold starts short); tests and the ops CLI build their own with explicit settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.runtime import awsclients
from chalicelib.runtime.caches import (
    DERIVED_BUDGET_BYTES,
    ApiKeyCache,
    ContentCache,
    EndpointCache,
    SizedLru,
    SlowEndpoints,
    TenantCache,
)
from chalicelib.runtime.clock import Clock
from chalicelib.runtime.config import Settings
from chalicelib.sealing import Sealer
from chalicelib.storage.store import Store

# The client address recorded when a request carries none (API Gateway always gives one).
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 (an address to record, never one to bind)


@dataclass
class RequestInfo:
    """What domain code may know about the HTTP request (never the token itself)."""

    request_id: str
    ip: str = UNKNOWN_IP
    user_agent: str | None = None
    base_url: str = ""
    method: str = "GET"
    path: str = "/"
    started: float = field(default_factory=time.monotonic)

    def latency_ms(self) -> int:
        return max(0, int((time.monotonic() - self.started) * 1000))


def botocore_client(settings: Settings, service: str) -> Any:
    """A botocore client from the process's one session (chalicelib/runtime/awsclients.py says why)."""
    return awsclients.client(settings, service)


class Keyhole:
    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, kms_client_factory: Callable[[], Any] | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.store = Store(settings)
        self.sealer = Sealer(
            kms_client_factory or (lambda: botocore_client(settings, "kms")),
            settings.kms_key_id,
            max_age_seconds=settings.data_key_max_age_seconds,
            max_uses=settings.data_key_max_uses,
            previous_key_ids=settings.kms_previous_key_ids,
        )
        # Per-container state of the capabilities above this layer, made on first use by them (the
        # origin package keeps its opened signing secrets here), so the service never imports them.
        self.cache: dict[str, Any] = {}
        # Per-container caches for viewer requests (chalicelib/runtime/caches.py says what they cost).
        self.contents = ContentCache()
        self.derived = SizedLru(DERIVED_BUDGET_BYTES)  # per version: viewer documents, rendered HTML
        self.tenant_cache = TenantCache()
        self.key_cache = ApiKeyCache()
        # The stream consumer's: tenants' webhook endpoints, and the receivers too slow to try inline.
        self.endpoint_cache = EndpointCache()
        self.slow_endpoints = SlowEndpoints()

    @classmethod
    def from_env(cls) -> Keyhole:
        return cls(Settings.from_env())
