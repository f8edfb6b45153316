"""A tenant's effective settings and limits: what viewer requests read from the tenant item.

Apart from `chalicelib/tenancy/tenants.py` (creation, plans, settings changes: the admin API and ops) so
a viewer request's cold start does not import the admin side (API keys, audit, cursors).
"""

from __future__ import annotations

from typing import Any

from chalicelib.storage.models import Tenant, plain
from chalicelib.tenancy import branding
from chalicelib.tenancy.plans import LIMIT_NAMES, Limits, normalise_limits

DEFAULT_SETTINGS: dict[str, Any] = {
    "default_expires_in": "7d",
    "max_expires_in": "never",
    "token_display": "recopyable",
    "require_password": False,
    "access_log_retention_days": 90,
    **branding.DEFAULTS,  # display_name, accent_color, logo: the viewer's page (chalicelib/tenancy/branding.py)
    # The usual secret names are redacted on every resource, on top of its own list (redaction.py).
    "default_redact": True,
    # Links may be created with a token the product brings from its own system (docs/platform.md).
    "allow_imported_tokens": False,
    # Every `url` Keyhole returns follows this template on the product's own host (share_urls.py).
    "share_url_template": None,
}
# `embed_origins` is a setting too, kept in an item of its own (chalicelib/tenancy/embedding.py).
SETTING_NAMES = (*DEFAULT_SETTINGS, "embed_origins")


def settings_of(tenant: Tenant) -> dict[str, Any]:
    merged = dict(DEFAULT_SETTINGS)
    merged.update({k: v for k, v in plain(tenant.settings).items() if k in DEFAULT_SETTINGS})
    return merged


def limits_of(tenant: Tenant) -> Limits:
    limits = normalise_limits(plain(tenant.limits))
    for name in LIMIT_NAMES:
        limits.setdefault(name, None)
    return limits
