"""Tenant branding for the viewer's page: display name, accent colour, small raster logo. Pure:
validation for `PATCH /v1/tenant` and the `Brand` the page shells read.

Everything a tenant sends is re-made before it reaches a page, so nothing it typed is ever
interpolated: the colour is parsed to three integers and printed back as `#rrggbb`; the logo's
base64 is decoded, its bytes must be a PNG, JPEG or WebP (magic bytes and a readable size header)
no larger than `MAX_LOGO_BYTES` and `MAX_LOGO_SIDE` pixels, and the data URI is rebuilt from
the bytes with the type they prove. SVG (a document that can carry script and remote loads) and
remote URLs (a tracking pixel in every viewer's browser) are refused.

The logo lives in the tenant item, which every viewer request reads: the caps keep that item
inside one 4 KB read unit, so branding costs viewers nothing (tests/unit/test_branding.py).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.runtime.errors import Collector
from chalicelib.runtime.validation import string

DEFAULTS: dict[str, Any] = {"display_name": None, "accent_color": None, "logo": None}
NAMES = tuple(DEFAULTS)
MAX_DISPLAY_NAME = 100
MAX_LOGO_BYTES = 2048
MAX_LOGO_SIDE = 512

_COLOR = re.compile(r"#([0-9a-f]{6}|[0-9a-f]{3})", re.IGNORECASE)
_DATA_URI = re.compile(r"data:image/(png|jpeg|webp);base64,([A-Za-z0-9+/]+={0,2})")
_LOGO_RULE = (
    f"must be a data URI (data:image/png|jpeg|webp;base64,...) of a PNG, JPEG or WebP image of at most "
    f"{MAX_LOGO_BYTES} bytes and {MAX_LOGO_SIDE}x{MAX_LOGO_SIDE} pixels; SVG and links are not accepted"
)


# --- validation (admin API) ----------------------------------------------------------------


def validate(body: Mapping[str, Any], errors: Collector) -> dict[str, Any]:
    """The branding settings present in `body`, normalised; `None` clears a setting."""
    changes: dict[str, Any] = {}
    if "display_name" in body:
        if body["display_name"] is None:
            changes["display_name"] = None
        else:
            name = string(dict(body), "display_name", errors, min_len=1, max_len=MAX_DISPLAY_NAME)
            if name is not None:
                changes["display_name"] = name.strip()
    if "accent_color" in body:
        value = body["accent_color"]
        if value is None:
            changes["accent_color"] = None
        else:
            color = parse_color(value)
            if color is None:
                errors.add("accent_color", "must be a colour as #rrggbb (or #rgb)")
            else:
                changes["accent_color"] = color
    if "logo" in body:
        value = body["logo"]
        if value is None:
            changes["logo"] = None
        else:
            logo = parse_logo(value)
            if logo is None:
                errors.add("logo", _LOGO_RULE)
            else:
                changes["logo"] = logo
    return changes


def parse_color(value: Any) -> str | None:
    """`#RGB` or `#RRGGBB` -> `#rrggbb`; anything else (names, functions, CSS) -> None."""
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def parse_logo(value: Any) -> str | None:
    """A canonical `data:image/<type>;base64,...` URI rebuilt from validated bytes, or None."""
    if not isinstance(value, str) or len(value) > 4 * MAX_LOGO_BYTES:
        return None
    match = _DATA_URI.fullmatch(value)
    if match is None:
        return None
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not 0 < len(data) <= MAX_LOGO_BYTES:
        return None
    found = image_type_and_size(data)
    if found is None:
        return None
    kind, width, height = found
    if kind != match.group(1) or not (0 < width <= MAX_LOGO_SIDE and 0 < height <= MAX_LOGO_SIDE):
        return None
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def image_type_and_size(data: bytes) -> tuple[str, int, int] | None:
    """`(png|jpeg|webp, width, height)` read from the image's own header, or None."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return "png", width, height
        if data.startswith(b"\xff\xd8\xff"):
            return _jpeg_size(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
    except struct.error:
        return None
    return None


# Start-of-frame markers carry the size: SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[str, int, int] | None:
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return "jpeg", width, height
        if length < 2:
            return None
        index += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[str, int, int] | None:
    chunk = data[12:16]
    body = data[20:]
    if chunk == b"VP8 " and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return "webp", width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and body[:1] == b"\x2f":
        (bits,) = struct.unpack("<I", body[1:5])
        return "webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(body) >= 10:
        width = int.from_bytes(body[4:7], "little") + 1
        height = int.from_bytes(body[7:10], "little") + 1
        return "webp", width, height
    return None


# --- the page's view -----------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    """What the page shows of a tenant: the name (display name or tenant name), colour, logo."""

    name: str
    accent: str | None = None
    logo: str | None = None

    def css(self) -> str:
        """Custom properties for the accent, readable on the light and the dark card. Built only
        from the parsed colour's integers: nothing the tenant typed reaches the style sheet."""
        rgb = _rgb(self.accent) if self.accent else None
        if rgb is None:
            return ""
        light = _readable(rgb, (255, 255, 255))
        dark = _readable(rgb, (22, 26, 34))
        return (
            f":root{{--accent:{_hex(light)};--on-accent:{_hex(_ink_on(light))};--focus:{_hex(light)}55}}"
            f"@media (prefers-color-scheme:dark){{:root{{--accent:{_hex(dark)};--on-accent:{_hex(_ink_on(dark))};"
            f"--focus:{_hex(dark)}66}}}}"
        )

    def favicon(self) -> str | None:
        """The logo, else a keyhole disc in the accent colour; None keeps the default icon."""
        if self.logo:
            return self.logo
        rgb = _rgb(self.accent) if self.accent else None
        if rgb is None:
            return None
        disc, ink = _hex(rgb)[1:], _hex(_ink_on(rgb))[1:]
        return (
            "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Ccircle cx='12' "
            f"cy='12' r='12' fill='%23{disc}'/%3E%3Cpath fill='%23{ink}' d='M12 5.5a3.5 3.5 0 0 0-1.6 6.6L9.5 18h5"
            "l-.9-5.9A3.5 3.5 0 0 0 12 5.5z'/%3E%3C/svg%3E"
        )


def shown_name(settings: Mapping[str, Any], tenant_name: str) -> str:
    """The name viewers see wherever the tenant is named (page, `/info`, the origin banner): the
    display name when the tenant set one, else its name."""
    name = settings.get("display_name")
    return name if isinstance(name, str) and name.strip() else tenant_name


def brand_of(settings: Mapping[str, Any], tenant_name: str) -> Brand:
    """The tenant's brand from its settings; values are re-checked, so a bad stored one is dropped."""
    return Brand(
        name=shown_name(settings, tenant_name),
        accent=parse_color(settings.get("accent_color")),
        logo=parse_logo(settings.get("logo")),
    )


def _rgb(color: str) -> tuple[int, int, int] | None:
    parsed = parse_color(color)
    if parsed is None:
        return None
    return int(parsed[1:3], 16), int(parsed[3:5], 16), int(parsed[5:7], 16)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(rgb: tuple[int, int, int], target: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    r, g, b = (round(c + (t - c) * share) for c, t in zip(rgb, target, strict=True))
    return r, g, b


def _readable(rgb: tuple[int, int, int], background: tuple[int, int, int]) -> tuple[int, int, int]:
    """The accent, moved towards black or white (away from the background) until links and
    icons in it read on that background (WCAG AA, 4.5:1)."""
    target = (0, 0, 0) if _luminance(background) > 0.5 else (255, 255, 255)
    for step in range(21):
        mixed = _mix(rgb, target, step / 20)
        if contrast(mixed, background) >= 4.5:
            return mixed
    return target


def _ink_on(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black text on the accent, whichever reads better."""
    white, black = (255, 255, 255), (14, 17, 23)
    return white if contrast(white, rgb) >= contrast(black, rgb) else black
