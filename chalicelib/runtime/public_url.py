"""Where Keyhole's own public URLs point: share URLs, the unlock redirect and unlock cookie paths.

On deployed stages they never come from the request's `Host` or `X-Forwarded-*` headers (a client
writes those, and `Host: evil.example//x` once made the unlock redirect `//x/share/<token>`):
`KEYHOLE_PUBLIC_URL` when it is set, else API Gateway's own request context: `https://<domainName>`,
plus `/<stage>` on an `execute-api` domain (a custom domain's base path mapping is not in the
context: set `KEYHOLE_PUBLIC_URL` for one). Local and test stages have no gateway and keep using
`Host`, but only a well-formed `host[:port]`, and `X-Forwarded-Proto` only when it says http or https.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.runtime.config import Settings

logger = logging.getLogger(__name__)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NAME = rf"{_LABEL}(?:\.{_LABEL})*\.?"
_PORT = r"(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3}))?"
_HOST = re.compile(rf"(?:{_NAME}|\[[0-9A-Fa-f:.]+\]){_PORT}")
_DOMAIN = re.compile(_NAME)
_STAGE = re.compile(r"[A-Za-z0-9_-]{1,128}")
LOCAL_FALLBACK_HOST = "localhost"  # no Host, or one that is not a host[:port]


def base_url(settings: Settings, headers: Mapping[str, str], context: Mapping[str, Any]) -> str:
    """The URL that `/share/<token>` is appended to (no trailing slash); "" when none can be
    trusted (the links then carry a path only; a deployed API Gateway always names its domain)."""
    if settings.public_url:
        return settings.public_url
    if settings.is_local_stage:
        return _from_host(headers)
    return _from_gateway(context)


def _from_gateway(context: Mapping[str, Any]) -> str:
    domain = str(context.get("domainName") or "")
    if not _DOMAIN.fullmatch(domain):
        logger.warning("no API Gateway domainName in the request context; set KEYHOLE_PUBLIC_URL")
        return ""
    stage = str(context.get("stage") or "")
    if ".execute-api." in domain and _STAGE.fullmatch(stage):
        return f"https://{domain.rstrip('.')}/{stage}"
    return f"https://{domain.rstrip('.')}"


def _from_host(headers: Mapping[str, str]) -> str:
    host = headers.get("host") or ""
    if not _HOST.fullmatch(host):
        host = LOCAL_FALLBACK_HOST
    proto = (headers.get("x-forwarded-proto") or "").strip().lower()
    return f"{proto if proto in ('http', 'https') else 'http'}://{host}"
