"""Share URLs on the product's own host: the tenant setting `share_url_template` (pure).

A template is an `https://` URL holding `{token}` exactly once, in its path or query (never in the
host), without credentials, query-free of other braces: `https://app.example.com/m/{token}`. When a
tenant has one, every `url` Keyhole returns for its links (create, reveal, import) follows it;
Keyhole itself keeps serving `/share/{token}`, and the product's host sends `/m/{token}` there
(docs/platform.md, "Share URLs on your own host"). Tokens are URL-safe (`A-Za-z0-9_-.~`), so they
go into the template as they are.
"""

from __future__ import annotations

from urllib.parse import urlsplit

PLACEHOLDER = "{token}"
MAX_TEMPLATE_CHARS = 2048
RULE = "must be an https URL holding {token} once, in its path or query, without credentials"


def template_problem(value: object) -> str | None:
    """Why `value` is not a share URL template (None: it is one)."""
    if not isinstance(value, str) or not value or len(value) > MAX_TEMPLATE_CHARS:
        return f"{RULE} (at most {MAX_TEMPLATE_CHARS} characters)"
    if (
        value.count(PLACEHOLDER) != 1
        or value.replace(PLACEHOLDER, "").count("{")
        or "}" in value.replace(PLACEHOLDER, "")
    ):
        return RULE
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch in '"<>\\^`|' for ch in value):
        return RULE
    try:
        parts = urlsplit(value.replace(PLACEHOLDER, "T0KEN"))
        port = parts.port
    except ValueError:
        return RULE
    if parts.scheme != "https" or not parts.hostname or parts.username is not None or parts.password is not None:
        return RULE
    if port is not None and not 0 < port < 65536:
        return RULE
    if "T0KEN" in parts.netloc or "T0KEN" in parts.fragment or "@" in parts.netloc:
        return RULE
    return None


def share_url(base_url: str, token: str, template: str | None = None) -> str:
    """The URL a link's holder opens: the tenant's template, or Keyhole's own `/share/{token}`."""
    if template:
        return template.replace(PLACEHOLDER, token)
    return f"{base_url.rstrip('/')}/share/{token}"
