"""What a viewer may see of a document: the scope's projection, then redaction. Pure functions.

Two kinds of rules, applied together at any depth (inside objects and arrays):

- a resource's own `redact` list: field names matched case-insensitively and exactly; the whole
  value, whatever its type, becomes "***";
- the tenant's default secret names (setting `default_redact`, on unless an admin turns it off):
  `is_default_secret` below. Strings, numbers, objects and arrays under such a name become "***";
  `true`, `false` and `null` stay visible (a yes/no is not a credential: `has_password: true`).

The secret never leaves the service: redaction replaces values before a viewer body is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

MASK = "***"

# The usual secret names, as words (see `name_words`). A field is a default secret when its name
# *ends with* one of these (`x-api-key`, `aws_secret_access_key`, `sessionToken`), with or without
# separators (`APIKEY`, `apikey`), optionally followed by digits (`password2`, `api_key_1`); names
# marked plural here also match with a final "s" (`passwords`, `api_keys`, `refresh_tokens`).
# Bare `token` and `session` have no plural form: `tokens` and `sessions` are usually counts.
DEFAULT_SECRET_NAMES: tuple[str, ...] = (
    "password",
    "passwd",
    "passphrase",
    "password_hash",
    "secret",
    "secret_key",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "api_token",
    "bearer_token",
    "session_token",
    "api_key",
    "access_key",
    "private_key",
    "authorization",
    "cookie",
    "session",
    "session_id",
    "session_key",
)
_NO_PLURAL = frozenset({"token", "session"})


def _spellings() -> frozenset[str]:
    joined = set()
    for name in DEFAULT_SECRET_NAMES:
        compact = name.replace("_", "")
        joined.add(compact)
        if name not in _NO_PLURAL:
            joined.add(compact + "s")
    return frozenset(joined)


_SECRET_SPELLINGS = _spellings()
_LONGEST = max(len(name.split("_")) for name in DEFAULT_SECRET_NAMES)
# Words of a field name: runs of letters and digits, split where the case changes from lower to
# upper (`apiKey`) and before the last capital of an acronym followed by lower case (`APIKey`).
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")


def name_words(name: str) -> list[str]:
    """`x-API-KeyV2` -> ["x", "api", "key", "v2"]: separators and case changes split words."""
    return [word.lower() for word in _WORDS.findall(name)]


@lru_cache(maxsize=8192)
def is_default_secret(name: str) -> bool:
    """Whether a field name is one of the usual secret names in any common spelling.

    `apiKey`, `API-KEY`, `x-api-key`, `X-Amz-Security-Token`, `sessionToken`, `client_secret`,
    `Authorization`, `Set-Cookie`, `password2` are; `token_count`, `tokens_used`, `tokens`,
    `password_policy`, `secret_name`, `session_count`, `cookie_consent`, `access_key_id` are not.
    Words are only split at separators and case changes: `apikey` matches, `xapikey` does not.
    """
    words = name_words(name)
    while words and words[-1].isdigit():  # api_key_2
        words.pop()
    if not words:
        return False
    words[-1] = words[-1].rstrip("0123456789") or words[-1]  # password2
    return any("".join(words[-size:]) in _SECRET_SPELLINGS for size in range(1, min(_LONGEST, len(words)) + 1))


def project(document: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """Keep only the scope's top-level fields (in the document's order); None = whole document."""
    if fields is None:
        return dict(document)
    wanted = set(fields)
    return {name: value for name, value in document.items() if name in wanted}


def redact(value: Any, names: Iterable[str], *, default_secrets: bool = False) -> Any:
    """`value` with every listed field (and, with `default_secrets`, every default secret) masked."""
    lowered = {name.lower() for name in names}
    if not lowered and not default_secrets:
        return value
    return _redact(value, lowered, default_secrets)


def _masked(key: str, child: Any, names: set[str], default_secrets: bool) -> bool:
    if key.lower() in names:
        return True
    return default_secrets and not (child is None or isinstance(child, bool)) and is_default_secret(key)


def _redact(value: Any, names: set[str], default_secrets: bool) -> Any:
    if isinstance(value, dict):
        return {
            key: (MASK if _masked(key, child, names, default_secrets) else _redact(child, names, default_secrets))
            for key, child in value.items()
        }
    if isinstance(value, list):
        return [_redact(child, names, default_secrets) for child in value]
    return value


def viewer_document(
    document: dict[str, Any],
    *,
    scope_fields: Sequence[str] | None,
    redact_names: Iterable[str],
    default_secrets: bool = False,
) -> dict[str, Any]:
    return redact(project(document, scope_fields), redact_names, default_secrets=default_secrets)


def depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, stopping once it exceeds `limit` (no deep recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, level + 1) for child in children)
    return deepest
