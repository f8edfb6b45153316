"""DynamoDB item sizes, by the rules DynamoDB bills by (1 KB write units, 4 KB read units).

Keyhole keeps its hot items inside one unit on purpose: the access event under 1 KB, the viewer
head under 4 KB. These functions measure a PynamoDB item the way DynamoDB will.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from pynamodb.models import Model

WRITE_UNIT = 1024
READ_UNIT = 4096


def _number(text: str) -> int:
    """A number's size: about one byte per two significant digits, plus one (an exponent form is
    normalised first, so `1e5` counts one significant digit like `100000`)."""
    if "e" in text.lower():
        text = format(Decimal(text).normalize(), "f")
    digits = text.lstrip("-").replace(".", "").strip("0") or "0"
    return 1 + math.ceil(len(digits) / 2)


def value_bytes(value: dict[str, Any]) -> int:
    """One low-level attribute value (`{"S": ...}`, `{"N": ...}`, ...)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number(inner)
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in inner)
    if kind == "NS":
        return sum(_number(v) for v in inner)
    if kind == "BS":
        return sum(len(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_bytes(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_bytes(v) for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind}")


def raw_item_bytes(raw: dict[str, dict[str, Any]]) -> int:
    return sum(len(name.encode("utf-8")) + value_bytes(value) for name, value in raw.items())


def item_bytes(item: Model) -> int:
    """The stored size of a PynamoDB item (keys included)."""
    return raw_item_bytes(item.serialize())
