"""What a viewer may see of a document: the scope's projection, then redaction. Pure functions.

Redaction matches field names case-insensitively at any depth (inside objects and arrays) and
replaces the whole value, whatever its type, with "***": the secret never leaves the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

MASK = "***"


def project(document: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """Keep only the scope's top-level fields (in the document's order); None = whole document."""
    if fields is None:
        return dict(document)
    wanted = set(fields)
    return {name: value for name, value in document.items() if name in wanted}


def redact(value: Any, names: Iterable[str]) -> Any:
    lowered = {name.lower() for name in names}
    if not lowered:
        return value
    return _redact(value, lowered)


def _redact(value: Any, names: set) -> Any:
    if isinstance(value, dict):
        return {key: (MASK if key.lower() in names else _redact(child, names)) for key, child in value.items()}
    if isinstance(value, list):
        return [_redact(child, names) for child in value]
    return value


def viewer_document(
    document: dict[str, Any], *, scope_fields: Sequence[str] | None, redact_names: Iterable[str]
) -> dict[str, Any]:
    return redact(project(document, scope_fields), redact_names)


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
