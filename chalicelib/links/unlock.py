"""Password unlock cookies: short-lived, signed, scoped to one link.

The signing key is derived from the link's random `cookie_salt` and its password hash, so no KMS
call is needed on the viewer path, a cookie for one link never opens another, and changing a
link's password (or revoking it) invalidates every cookie issued for it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

COOKIE_NAME = "kh_unlock"
COOKIE_TTL_SECONDS = 30 * 60
HEADER = "X-Keyhole-Unlock"


def _key(cookie_salt: str, password_hash: str) -> bytes:
    return hashlib.sha256(f"keyhole-unlock|{cookie_salt}|{password_hash}".encode()).digest()


def _signature(key: bytes, link_id: str, expires: int) -> str:
    return hmac.new(key, f"{link_id}|{expires}".encode(), hashlib.sha256).hexdigest()


def issue(*, link_id: str, cookie_salt: str, password_hash: str, now: float) -> str:
    expires = int(now) + COOKIE_TTL_SECONDS
    return f"{expires}.{_signature(_key(cookie_salt, password_hash), link_id, expires)}"


_EXPIRES = re.compile(r"^[0-9]{1,12}$")


def verify(value: str | None, *, link_id: str, cookie_salt: str | None, password_hash: str | None, now: float) -> bool:
    if not value or not cookie_salt or not password_hash or "." not in value:
        return False
    expires_text, signature = value.split(".", 1)
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses (a forged cookie is
    # "no cookie", never a 500).
    if not _EXPIRES.match(expires_text) or int(expires_text) < now:
        return False
    expected = _signature(_key(cookie_salt, password_hash), link_id, int(expires_text))
    # Bytes: compare_digest refuses str with non-ASCII characters.
    return hmac.compare_digest(expected.encode("utf-8"), signature.encode("utf-8", "surrogatepass"))


def read_cookie(headers: Mapping[str, str]) -> str | None:
    """The unlock value: the cookie, or (a page unlocked inside another site's frame, where no
    cookie is kept) the `X-Keyhole-Unlock` header its script sends. The same signed value either
    way; a header is never sent by a browser across sites without the page's own script."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw = lowered.get("cookie")
    if not raw:
        return lowered.get(HEADER.lower()) or None
    from http.cookies import SimpleCookie  # only password-protected links read cookies

    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is just "no cookie"
        return lowered.get(HEADER.lower()) or None
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else (lowered.get(HEADER.lower()) or None)


def set_cookie_header(value: str, *, path: str, secure: bool, same_site: str = "Strict") -> str:
    """`same_site` is Lax only on an origin link's own content origin (docs/origins.md)."""
    parts = [
        f"{COOKIE_NAME}={value}",
        f"Path={path}",
        f"Max-Age={COOKIE_TTL_SECONDS}",
        "HttpOnly",
        f"SameSite={same_site}",
    ]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
