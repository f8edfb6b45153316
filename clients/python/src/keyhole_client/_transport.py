"""One place that sends requests: headers (key, tenant, actor, user agent), JSON in and out,
error mapping, and retries of 429 and 503 with backoff honouring `Retry-After`, bounded in count
and in total time."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from ._version import __version__
from .errors import KeyholeError, TransportError, error_from_response

RETRIED_STATUSES = (429, 503)
JSON_TYPES = ("application/json", "application/merge-patch+json")


@dataclass(frozen=True)
class RetryPolicy:
    """429 and 503 are retried: after `Retry-After` when Keyhole sends it (a rate-limit window's
    end), else after an exponential backoff with full jitter. A retry whose wait would end past
    `max_total_seconds` from the first attempt is not made: the error is raised at once."""

    max_retries: int = 3
    max_total_seconds: float = 65.0  # outwaits any per-minute window (Retry-After is at most 60 s)
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0

    def wait(self, attempt: int, retry_after: int | None) -> float:
        if retry_after is not None:
            return float(retry_after) + random.uniform(0, 0.25)  # noqa: S311  # spreading retries, not a secret
        ceiling = min(self.max_backoff_seconds, self.backoff_seconds * 2**attempt)
        return random.uniform(0, ceiling)  # noqa: S311


def path(template: str, **params: str) -> str:
    """A path with its parameters percent-encoded (every reserved character, `/` included)."""
    return template.format(**{name: quote(str(value), safe="") for name, value in params.items()})


class Transport:
    def __init__(
        self,
        api_url: str,
        api_key: str | None,
        *,
        tenant: str | None = None,
        actor: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        headers = {"User-Agent": f"keyhole-client-python/{__version__}", "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        if tenant:
            headers["Keyhole-Tenant"] = tenant
        if actor:
            headers["Keyhole-Actor"] = actor
        self.headers = headers
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def request(
        self,
        method: str,
        url_path: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
        absolute_url: str | None = None,
        anonymous: bool = False,
    ) -> tuple[Any, httpx.Response]:
        """Send, retrying 429/503; the decoded JSON body (None for 204) and the response.
        `anonymous`: without the key, tenant and actor (a viewer's request)."""
        url = absolute_url or self.api_url + url_path
        own = {k: v for k, v in self.headers.items() if k in ("User-Agent", "Accept")} if anonymous else self.headers
        sent = {**own, **(headers or {})}
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            sent["Content-Type"] = content_type
        query = {k: v for k, v in (params or {}).items() if v is not None}
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                response = self.http.request(method, url, content=data, params=query, headers=sent)
            except httpx.HTTPError as error:
                raise TransportError(f"{method} {url_path or url}: {type(error).__name__}: {error}") from error
            if response.status_code < 400:
                return (response.json() if response.content else None), response
            failure = self._error(response)
            if response.status_code not in RETRIED_STATUSES or attempt >= self.retry.max_retries:
                raise failure
            wait = self.retry.wait(attempt, failure.retry_after)
            if time.monotonic() - started + wait > self.retry.max_total_seconds:
                raise failure
            self._sleep(wait)
            attempt += 1

    @staticmethod
    def _error(response: httpx.Response) -> KeyholeError:
        try:
            body = response.json()
        except ValueError:
            body = None
        return error_from_response(response.status_code, body, response.headers)
