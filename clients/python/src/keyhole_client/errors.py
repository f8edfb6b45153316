"""Exceptions for every error Keyhole answers, one class per error code, each carrying the HTTP
status, the code, the message, the field `details`, the `request_id` (quote it to ops: the log line
with that id has the cause) and, for 429, `retry_after`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One field of a 422: `field` is a dotted path (`document`, `scopes.summary`, `events`)."""

    field: str
    message: str


class KeyholeError(Exception):
    """An error answer from Keyhole (any 4xx or 5xx), or a transport failure (`status` 0)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "",
        details: list[FieldError] | None = None,
        request_id: str | None = None,
        retry_after: int | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details = details or []
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body or {}

    def __str__(self) -> str:
        parts = [f"{self.status} {self.code}: {self.message}" if self.status else self.message]
        parts += [f"{d.field}: {d.message}" for d in self.details]
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, message={self.message!r})"


class TransportError(KeyholeError):
    """No answer: the connection failed or timed out (after the retries, for safe requests)."""


class BadRequest(KeyholeError):
    """400 `bad_request`: the body was not a JSON object."""


class TenantRequired(BadRequest):
    """400 `tenant_required`: a platform key called a tenant route without naming the tenant it
    acts for (`Keyhole(..., tenant=...)` or `kh.for_tenant(...)`)."""


class Unauthorized(KeyholeError):
    """401 `unauthorized`: no key, an unknown or deleted key."""


class Forbidden(KeyholeError):
    """403 `forbidden`: the key's role is too low."""


class NotFound(KeyholeError):
    """404 `not_found`: no such object in this tenant (another tenant's ids too)."""


class Conflict(KeyholeError):
    """409 `conflict`: the request conflicts with the current state; nothing was changed."""


class LimitReached(Conflict):
    """409 `limit_reached`: a plan limit; `body["error"]` names the limit and what frees a slot."""

    @property
    def limit(self) -> str | None:
        value = self.body.get("error", {}).get("limit")
        return value if isinstance(value, str) else None


class TokenTaken(Conflict):
    """409 `token_taken`: an imported token some link holds or held, in any tenant (tokens are never
    reused or re-pointed); each one counts against the tenant's collisions of the hour."""


class PreconditionFailed(KeyholeError):
    """412 `precondition_failed`: `If-Match`/`If-None-Match` did not hold; read the resource again."""


class PayloadTooLarge(KeyholeError):
    """413 `payload_too_large`: the body or the document is over its limit."""


class UnsupportedMediaType(KeyholeError):
    """415 `unsupported_media_type`."""


class ValidationError(KeyholeError):
    """422 `validation_error`: `details` names each field."""


class RateLimited(KeyholeError):
    """429 `rate_limited` (after the client's retries): `retry_after` seconds until the window ends."""


class InternalError(KeyholeError):
    """500 `internal`: unexpected; `request_id` finds the cause in Keyhole's logs."""


class Unavailable(KeyholeError):
    """503 `unavailable` (after the client's retries): DynamoDB or KMS; nothing was half-written."""


_BY_CODE: dict[str, type[KeyholeError]] = {
    "bad_request": BadRequest,
    "tenant_required": TenantRequired,
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "not_found": NotFound,
    "conflict": Conflict,
    "limit_reached": LimitReached,
    "token_taken": TokenTaken,
    "precondition_failed": PreconditionFailed,
    "payload_too_large": PayloadTooLarge,
    "unsupported_media_type": UnsupportedMediaType,
    "validation_error": ValidationError,
    "rate_limited": RateLimited,
    "internal": InternalError,
    "unavailable": Unavailable,
}
_BY_STATUS: dict[int, type[KeyholeError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationError,
    429: RateLimited,
    500: InternalError,
    503: Unavailable,
}


def error_from_response(status: int, body: Any, headers: Any) -> KeyholeError:
    """The exception for an error answer: by its code, else by its status."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status) or KeyholeError
    details = [
        FieldError(str(d.get("field", "")), str(d.get("message", "")))
        for d in error.get("details") or []
        if isinstance(d, dict)
    ]
    retry_after = error.get("retry_after")
    if not isinstance(retry_after, int):
        retry_after = parse_retry_after(headers.get("retry-after"))
    request_id = error.get("request_id") or headers.get("x-request-id")
    message = str(error.get("message") or f"HTTP {status}")
    return cls(
        message,
        status=status,
        code=code,
        details=details,
        request_id=request_id,
        retry_after=retry_after,
        body=body if isinstance(body, dict) else {},
    )


def parse_retry_after(value: str | None) -> int | None:
    """`Retry-After` in seconds (Keyhole sends seconds; an HTTP date is read too)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import time

    return max(0, int(when.timestamp() - time.time()))
