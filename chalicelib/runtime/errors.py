"""API-facing errors. Each carries the HTTP status and the `code` of the API's error table (docs/api.md).

Capability modules raise these (or subclasses); `app.py` turns them into the error body
`{"error": {"code", "message", "details"?, "request_id"}}`. Messages never contain secrets.
"""

from __future__ import annotations

from typing import Any

# An error body never echoes more than a bounded amount of the request: a hostile body of 20,000
# unknown keys (or one 200 KB key) gets a 422 of a few KB that lists the first problems and counts them.
MAX_DETAILS = 20
MAX_FIELD_CHARS = 200
MAX_MESSAGE_CHARS = 500


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _bounded(details: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not details:
        return details
    return [
        {
            **detail,
            "field": clip(str(detail.get("field", "")), MAX_FIELD_CHARS),
            "message": clip(str(detail.get("message", "")), MAX_MESSAGE_CHARS),
        }
        for detail in details[:MAX_DETAILS]
    ]


class KeyholeError(Exception):
    status: int = 500
    code: str = "internal"
    default_message: str = "Internal error"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = clip(message or self.default_message, MAX_MESSAGE_CHARS)
        self.details = _bounded(details)
        self.headers = dict(headers or {})
        # Extra top-level fields of the error object (e.g. retry_after, limit).
        self.extra = dict(extra or {})
        super().__init__(self.message)

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        error.update(self.extra)
        error["request_id"] = request_id
        return {"error": error}


class BadRequest(KeyholeError):
    status, code, default_message = 400, "bad_request", "Request body must be a JSON object"


class Unauthorized(KeyholeError):
    status, code, default_message = 401, "unauthorized", "A valid API key is required"


class PasswordRequired(KeyholeError):
    status, code, default_message = 401, "password_required", "This link is protected by a password"


class Forbidden(KeyholeError):
    status, code, default_message = 403, "forbidden", "This API key's role does not allow this action"


class NotFound(KeyholeError):
    status, code, default_message = 404, "not_found", "Not found"


class Conflict(KeyholeError):
    status, code, default_message = 409, "conflict", "The request conflicts with the current state"


class LimitReached(Conflict):
    code = "limit_reached"

    def __init__(self, limit: str, value: int | None, message: str, *, frees: str) -> None:
        super().__init__(message, extra={"limit": limit, "limit_value": value, "how_to_free": frees})
        self.limit = limit
        self.value = value


class ConfirmRequired(Conflict):
    code = "confirm_required"
    default_message = "This link has a view limit: POST to use one view"


class PreconditionFailed(KeyholeError):
    status, code, default_message = 412, "precondition_failed", "The resource has changed; read it again and retry"


class PayloadTooLarge(KeyholeError):
    status, code, default_message = 413, "payload_too_large", "Request body is too large"


class ValidationFailed(KeyholeError):
    status, code, default_message = 422, "validation_error", "Some fields are invalid"

    def __init__(self, details: list[dict[str, Any]], message: str | None = None) -> None:
        if message is None and len(details) > MAX_DETAILS:
            message = f"{len(details):,} fields are invalid; the first {MAX_DETAILS} are listed"
        super().__init__(message, details=details)

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls([{"field": field, "message": message}])


class RateLimited(KeyholeError):
    status, code, default_message = 429, "rate_limited", "Too many requests"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(message, headers={"Retry-After": str(retry_after)}, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class Unavailable(KeyholeError):
    status, code, default_message = 503, "unavailable", "A backing service is unavailable; nothing was changed"

    def __init__(self, message: str | None = None, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.__cause__ = cause


class Collector:
    """Accumulates field errors so one 422 reports every bad field at once."""

    def __init__(self) -> None:
        self.details: list[dict[str, Any]] = []

    def add(self, field: str, message: str) -> None:
        self.details.append({"field": field, "message": message})

    def __bool__(self) -> bool:
        return bool(self.details)

    def raise_if_any(self) -> None:
        if self.details:
            raise ValidationFailed(self.details)
