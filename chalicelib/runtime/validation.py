"""Small field validators shared by the admin API. They report into an `errors.Collector`."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from chalicelib.runtime.errors import BadRequest, Collector, PayloadTooLarge

_MISSING = object()
# Ids a tenant or product chooses (resource ids, a product's own tenant ids): 1-128 of A-Za-z0-9._:-
CHOSEN_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def parse_json_object(raw: bytes | None, *, max_bytes: int, allow_empty: bool = False) -> dict[str, Any]:
    """The request body as a dict: 413 over `max_bytes`, 400 if not JSON or not an object."""
    if raw is None or raw.strip() == b"":
        if allow_empty:
            return {}
        raise BadRequest("Request body must be a JSON object")
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"Request body is larger than {max_bytes // 1024} KiB")
    try:
        value = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
        # Lone surrogates (`"\ud800"`) parse, but cannot be stored or sent back as UTF-8.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise BadRequest("Request body is nested too deeply") from None
    except UnicodeEncodeError:
        raise BadRequest("Request body is not valid JSON: strings must be valid Unicode") from None
    except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise BadRequest("Request body must be a JSON object")
    return value


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (RFC 8259); accepted, they would be echoed back as invalid JSON."""
    raise ValueError(f"{name} is not allowed in JSON")


def _finite_float(text: str) -> float:
    """`1e400` overflows to infinity, which would be echoed back as the invalid token `Infinity`."""
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def unknown_fields(body: dict[str, Any], allowed: Iterable[str], errors: Collector) -> None:
    allowed_set = set(allowed)
    for name in body:
        if name not in allowed_set:
            errors.add(name, "unknown field")


def string(
    body: dict[str, Any],
    name: str,
    errors: Collector,
    *,
    required: bool = False,
    min_len: int = 0,
    max_len: int = 10_000,
    nullable: bool = False,
) -> str | None:
    value = body.get(name, _MISSING)
    if value is _MISSING or (value is None and nullable):
        if required:
            errors.add(name, "is required")
        return None
    if not isinstance(value, str):
        errors.add(name, "must be a string")
        return None
    if len(value) < min_len:
        errors.add(name, "must not be empty" if min_len == 1 else f"must be at least {min_len} characters")
        return None
    if min_len and not value.strip():
        errors.add(name, "must not be blank")
        return None
    if len(value) > max_len:
        errors.add(name, f"must be at most {max_len} characters")
        return None
    if any(_forbidden(ch) for ch in value):
        errors.add(name, "must not contain control or text-direction characters")
        return None
    return value


# Bidi embeddings, overrides and isolates can make a label read as something else on the viewer's
# page ("invoice_fdp.exe"); C0/C1 controls and DEL have no business in a name either.
_DIRECTION_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def _forbidden(ch: str) -> bool:
    code = ord(ch)
    return (code < 32 and ch not in "\n\t") or 0x7F <= code <= 0x9F or ch in _DIRECTION_CONTROLS


def integer(
    body: dict[str, Any], name: str, errors: Collector, *, minimum: int, maximum: int, nullable: bool = False
) -> int | None:
    value = body.get(name, _MISSING)
    if value is _MISSING or (value is None and nullable):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, f"must be a whole number from {minimum:,} to {maximum:,}")
        return None
    if not minimum <= value <= maximum:
        errors.add(name, f"must be from {minimum:,} to {maximum:,}")
        return None
    return value


def boolean(body: dict[str, Any], name: str, errors: Collector) -> bool | None:
    value = body.get(name, _MISSING)
    if value is _MISSING:
        return None
    if not isinstance(value, bool):
        errors.add(name, "must be true or false")
        return None
    return value


def json_size(value: Any) -> int:
    """Bytes of the compact JSON encoding (how documents are measured and stored)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
