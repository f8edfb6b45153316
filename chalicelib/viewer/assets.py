"""The viewer's static assets (CSS, JavaScript): real files beside this module, read once per
container and inlined into pages; their CSP hashes are computed from the same bytes."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

ASSET_DIR = Path(__file__).resolve().parent / "assets"


@cache
def load_asset(name: str) -> str:
    """The asset's text, without surrounding whitespace (what goes between the inline tags)."""
    return (ASSET_DIR / name).read_text(encoding="utf-8").strip()


def csp_hash(source: str) -> str:
    """The CSP source expression (`'sha256-...'`) that allows exactly this inline text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"
