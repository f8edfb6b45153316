"""Keyhole's Python client: the admin API (`Keyhole`), typed answers (`keyhole_client.models`),
errors (`keyhole_client.errors`), and the receivers for what Keyhole sends you: webhook deliveries
(`keyhole_client.webhooks.verify`) and forwarded origin requests (`keyhole_client.origin`: WSGI and
ASGI middleware)."""

from ._transport import RetryPolicy
from ._version import API_VERSION, __version__
from .client import UNSET, ImportLink, Keyhole
from .errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    InternalError,
    KeyholeError,
    LimitReached,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RateLimited,
    TenantRequired,
    TokenTaken,
    TransportError,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    ValidationError,
)
from .origin import KeyholeOriginASGI, KeyholeOriginWSGI, OriginRequest, OriginVerificationError, verify_request
from .pagination import Page, Paginator
from .replay import ReplayCache
from .webhooks import WebhookVerificationError

__all__ = [
    "API_VERSION",
    "UNSET",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "ImportLink",
    "InternalError",
    "Keyhole",
    "KeyholeError",
    "KeyholeOriginASGI",
    "KeyholeOriginWSGI",
    "LimitReached",
    "NotFound",
    "OriginRequest",
    "OriginVerificationError",
    "Page",
    "Paginator",
    "PayloadTooLarge",
    "PreconditionFailed",
    "RateLimited",
    "ReplayCache",
    "RetryPolicy",
    "TenantRequired",
    "TokenTaken",
    "TransportError",
    "Unauthorized",
    "Unavailable",
    "UnsupportedMediaType",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "verify_request",
]
