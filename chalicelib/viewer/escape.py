"""Escaping: the boundary between a tenant's data and a viewer's browser, in one small place that
unit tests attack directly. Every piece of data reaches markup through `text()` (element content)
or `attr()` (attribute values); nothing else interpolates data.
"""

from __future__ import annotations

import html
import re

# --- escaping ------------------------------------------------------------------------------

# Characters that are invisible or reorder text (bidi overrides and isolates, C0/C1 controls,
# line separators, BOM, lone surrogates that cannot even be encoded): shown as a visible marker
# so a document cannot spoof what a viewer reads. Tabs and newlines are kept.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def text(value: str) -> str:
    """Escape `value` for element content; invisible controls become visible `U+XXXX` markers."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _INVISIBLE.search(value) is None:  # the common case: one pass of html.escape
        return html.escape(value, quote=True)
    parts: list[str] = []
    last = 0
    for match in _INVISIBLE.finditer(value):
        parts.append(html.escape(value[last : match.start()], quote=True))
        parts.append(f'<span class="cc" title="Invisible character">U+{ord(match.group()):04X}</span>')
        last = match.end()
    parts.append(html.escape(value[last:], quote=True))
    return "".join(parts)


def attr(value: str) -> str:
    """Escape `value` for a double-quoted attribute; invisible controls become U+FFFD."""
    return html.escape(_INVISIBLE.sub("\ufffd", value), quote=True)
