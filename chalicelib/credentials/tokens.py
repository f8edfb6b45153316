"""Share tokens, API keys and their one-way hashes.

A share token is `base64url(secret[32] || tenant_key[8] || resource_key[8])`: 256 secret bits
from `secrets`, followed by a non-secret locator naming the tenant and the resource document, so
a viewer request can fetch capability, document and tenant in one BatchGetItem (docs/design.md).
Only the SHA-256 of a token or key is ever used as a storage key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import secrets
import string
from dataclasses import dataclass

from chalicelib.runtime.validation import CHOSEN_ID_RE

SECRET_BYTES = 32
KEY_BYTES = 8
TOKEN_BYTES = SECRET_BYTES + 2 * KEY_BYTES
TOKEN_LENGTH = 64  # base64url of 48 bytes, no padding needed
PREVIEW_LENGTH = 6

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{64}$")
# A token a product imports from its own system (`import_token`): 12-256 characters of this alphabet.
IMPORT_TOKEN_RE = re.compile(r"^[A-Za-z0-9_.~-]{12,256}$")
_API_KEY_RE = re.compile(r"^kh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_TENANT_ID_RE = re.compile(r"^ten_([0-9a-f]{16})$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_key_hex() -> str:
    """A random 8-byte key (16 hex chars) used for tenant keys and resource locators."""
    return secrets.token_hex(KEY_BYTES)


def tenant_id_for(tenant_key: str) -> str:
    return f"ten_{tenant_key}"


def tenant_key_of(tenant_id: str) -> str | None:
    match = _TENANT_ID_RE.match(tenant_id or "")
    return match.group(1) if match else None


def new_id(prefix: str, nbytes: int = 12) -> str:
    """Public ids (`lnk_...`, `wh_...`): random, unrelated to any secret."""
    return f"{prefix}_{secrets.token_hex(nbytes)}"


@dataclass(frozen=True)
class ShareToken:
    """A parsed share token. `value` is the secret: never log it or put it in an error."""

    value: str
    tenant_key: str
    resource_key: str

    @property
    def hash(self) -> str:
        return sha256_hex(self.value)

    @property
    def locator(self) -> str:
        return f"{self.tenant_key}{self.resource_key}"

    @property
    def tenant_id(self) -> str:
        return tenant_id_for(self.tenant_key)

    @property
    def preview(self) -> str:
        return self.value[:PREVIEW_LENGTH]

    def __repr__(self) -> str:  # keeps the secret out of tracebacks and debug output
        return f"ShareToken(preview={self.preview!r}...)"

    __str__ = __repr__


def new_share_token(locator: str) -> ShareToken:
    """Mint a token for the resource whose locator (tenant_key + resource_key, 32 hex) is given."""
    raw = secrets.token_bytes(SECRET_BYTES) + bytes.fromhex(locator)
    if len(raw) != TOKEN_BYTES:
        raise ValueError("locator must be 16 bytes of hex")
    return ShareToken(value=_b64(raw), tenant_key=locator[:16], resource_key=locator[16:])


def parse_share_token(value: str) -> ShareToken | None:
    """The parsed token, or None when it cannot be one of ours (malformed tokens are just dead)."""
    if not isinstance(value, str) or not _TOKEN_RE.match(value):
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != TOKEN_BYTES or _b64(raw) != value:
        return None
    locator = raw[SECRET_BYTES:].hex()
    return ShareToken(value=value, tenant_key=locator[:16], resource_key=locator[16:])


@dataclass(frozen=True)
class PresentedToken:
    """A share token as a request presented it, parsed once where it enters Keyhole (the viewer
    routes, introspection) and passed on in this form, so nothing parses it again.

    `parsed` is the `ShareToken` when the value has the shape of Keyhole's own tokens, else None:
    a malformed token is simply dead, and its lookup keys derive from its hash (which names
    nothing) so it costs what an unknown token costs. `value` is the secret: never log it."""

    value: str
    parsed: ShareToken | None

    @property
    def hash(self) -> str:
        return self.parsed.hash if self.parsed is not None else sha256_hex(self.value)

    @property
    def locator(self) -> str:
        """Where the resource's viewer head is: the token's own locator, or (malformed) a key
        derived from its hash that names nothing."""
        return self.parsed.locator if self.parsed is not None else self.hash[:32]

    @property
    def tenant_id(self) -> str | None:
        """The tenant the token's own bytes name (nothing is trusted from it)."""
        return self.parsed.tenant_id if self.parsed is not None else None

    @property
    def shown_as(self) -> str:
        """How logs and access events show it: its preview, or `invalid` when it can be no token
        (neither Keyhole's shape nor an imported token's)."""
        if self.parsed is not None or IMPORT_TOKEN_RE.match(self.value):
            return f"{self.value[:PREVIEW_LENGTH]}..."
        return "invalid..."

    def __repr__(self) -> str:  # keeps the secret out of tracebacks and debug output
        return f"PresentedToken({self.shown_as!r})"

    __str__ = __repr__


# The alphabets a token may have been drawn from, smallest first: a token's strength is its length
# times the bits per character of the smallest one holding all its characters.
_ALPHABETS = (
    frozenset("0123456789"),
    frozenset("0123456789abcdef"),
    frozenset("0123456789ABCDEF"),
    frozenset("0123456789abcdefghijklmnopqrstuvwxyz"),
    frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    frozenset(string.ascii_letters + string.digits),
    frozenset(string.ascii_letters + string.digits + "-_"),
    frozenset(string.ascii_letters + string.digits + "-_.~"),
)
STRONG_TOKEN_BITS = 128


def token_bits(value: str) -> float:
    """The most entropy a token can hold: its length in the smallest alphabet it fits."""
    chars = set(value)
    size = next((len(alphabet) for alphabet in _ALPHABETS if chars <= alphabet), 66)
    return len(value) * math.log2(size)


def located_token(value: str, locator: str) -> ShareToken:
    """An imported token (which names nothing itself) with the locator its capability stores: from
    there on the viewer treats it as it treats Keyhole's own tokens."""
    return ShareToken(value=value, tenant_key=locator[: 2 * KEY_BYTES], resource_key=locator[2 * KEY_BYTES :])


def present_token(value: str) -> PresentedToken:
    """A token from a request, parsed once."""
    return PresentedToken(value=value if isinstance(value, str) else "", parsed=parse_share_token(value))


def token_preview(value: str) -> str:
    return value[:PREVIEW_LENGTH]


# What a link's own token is replaced by wherever a viewer wrote it into a request (a proxied path
# or query, a user agent): origins, access logs and stream records see this instead.
TOKEN_MARKER = "(token)"  # noqa: S105 (a placeholder, not a secret)


def without_token(text: str, token: str) -> str:
    """`text` with every occurrence of `token` replaced by `TOKEN_MARKER`."""
    return text.replace(token, TOKEN_MARKER) if token else text


@dataclass(frozen=True)
class ApiKey:
    """A parsed API key. `value` is the secret."""

    value: str
    tenant_key: str

    @property
    def hash(self) -> str:
        return sha256_hex(self.value)

    @property
    def key_id(self) -> str:
        return key_id_for_hash(self.hash)

    @property
    def tenant_id(self) -> str:
        return tenant_id_for(self.tenant_key)

    @property
    def prefix(self) -> str:
        return self.value[:24]

    def __repr__(self) -> str:
        return f"ApiKey(key_id={self.key_id!r})"

    __str__ = __repr__


def key_id_for_hash(key_hash: str) -> str:
    return f"key_{key_hash[:20]}"


def new_api_key(tenant_key: str) -> ApiKey:
    return ApiKey(value=f"kh_{tenant_key}_{_b64(secrets.token_bytes(32))}", tenant_key=tenant_key)


def parse_api_key(value: str) -> ApiKey | None:
    match = _API_KEY_RE.match((value or "").strip())
    if not match:
        return None
    return ApiKey(value=match.group(0), tenant_key=match.group(1))


# --- platform keys (docs/platform.md) ---------------------------------------------------------
# A platform key belongs to a product's backend and owns a namespace of tenants. It names its
# namespace (`khp_<namespace key>_<secret>`), so the key and the tenant it acts for (whose id
# derives from the namespace and the product's organisation id) are read in one BatchGetItem.

_PLATFORM_KEY_RE = re.compile(r"^khp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
NAMESPACE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
EXTERNAL_TENANT_ID_RE = CHOSEN_ID_RE


def namespace_key_for(namespace: str) -> str:
    """The 16 hex a namespace is known by in keys and item keys (its name is stored, not parsed)."""
    return sha256_hex(f"keyhole/namespace|{namespace}")[: 2 * KEY_BYTES]


def platform_tenant_key(namespace_key: str, external_id: str) -> str:
    """The tenant key of the product's organisation `external_id` in that namespace: derived, so
    acting for a tenant needs no lookup of its id; two namespaces' `org-1` are different tenants."""
    return sha256_hex(f"keyhole/tenant|{namespace_key}|{external_id}")[: 2 * KEY_BYTES]


@dataclass(frozen=True)
class PlatformKey:
    """A parsed platform key. `value` is the secret."""

    value: str
    namespace_key: str

    @property
    def hash(self) -> str:
        return sha256_hex(self.value)

    @property
    def key_id(self) -> str:
        return f"pkey_{self.hash[:20]}"

    @property
    def prefix(self) -> str:
        return self.value[:25]

    def __repr__(self) -> str:
        return f"PlatformKey(key_id={self.key_id!r})"

    __str__ = __repr__


def new_platform_key(namespace_key: str) -> PlatformKey:
    return PlatformKey(value=f"khp_{namespace_key}_{_b64(secrets.token_bytes(32))}", namespace_key=namespace_key)


def parse_platform_key(value: str) -> PlatformKey | None:
    match = _PLATFORM_KEY_RE.match((value or "").strip())
    if not match:
        return None
    return PlatformKey(value=match.group(0), namespace_key=match.group(1))


# --- console sessions and their tickets (chalicelib/console/) ---------------------------------
# Both name their tenant (`khs_<tenant key>_<secret>`, `kht_<tenant key>_<secret>`), so the item
# they open (kept by its SHA-256) and the tenant are read in one BatchGetItem.

_CONSOLE_RE = re.compile(r"^(khs|kht)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
CONSOLE_SESSION_PREFIX = "khs"
CONSOLE_TICKET_PREFIX = "kht"


@dataclass(frozen=True)
class ConsoleSecret:
    """A console session token (`khs_`) or a one-time console ticket (`kht_`). `value` is the secret."""

    value: str
    kind: str
    tenant_key: str

    @property
    def hash(self) -> str:
        return sha256_hex(self.value)

    @property
    def tenant_id(self) -> str:
        return tenant_id_for(self.tenant_key)

    @property
    def public_id(self) -> str:
        """The id audit events name a session by (never enough to use it)."""
        return f"cs_{self.hash[:20]}"

    def __repr__(self) -> str:
        return f"ConsoleSecret(kind={self.kind!r}, id={self.public_id!r})"

    __str__ = __repr__


def new_console_secret(kind: str, tenant_key: str) -> ConsoleSecret:
    return ConsoleSecret(value=f"{kind}_{tenant_key}_{_b64(secrets.token_bytes(32))}", kind=kind, tenant_key=tenant_key)


def parse_console_secret(value: str | None, kind: str) -> ConsoleSecret | None:
    match = _CONSOLE_RE.match((value or "").strip())
    if not match or match.group(1) != kind:
        return None
    return ConsoleSecret(value=match.group(0), kind=kind, tenant_key=match.group(2))
