"""A resource's stored content read back (the read side of `resources.documents`' layout).

Here, below `files` and `resources`, so that the files worker can read the version a job names
(its files and scopes) as the admin API does. `resources.documents` writes the layout and says
how it is made: the content in the `ViewerHead` replicas, or in `DocumentBody` parts.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from chalicelib.storage.models import DocumentBody, ViewerHead
from chalicelib.storage.store import Store


class ContentMissing(Exception):
    """A head names a version whose body is gone: a newer version replaced it meanwhile."""


def decode(payload: bytes) -> dict[str, Any]:
    value = json.loads(zlib.decompress(payload))
    if not isinstance(value, dict):
        raise ValueError("stored content is not an object")
    return value


def whole_payload(store: Store, locator: str, version: int, first: DocumentBody, *, consistent: bool) -> bytes:
    """The compressed content of a body item, with its further parts when it was split."""
    parts = int(first.parts or 1)
    if parts <= 1:
        return bytes(first.payload)
    keys = [(DocumentBody, DocumentBody.key(locator, version, part)) for part in range(1, parts)]
    rest = store.batch_get(keys, consistent=consistent)
    if any(item is None for item in rest) and not consistent:
        rest = store.batch_get(keys)
    if any(item is None for item in rest):
        raise ContentMissing(f"version {version} lost a part of its body")
    return bytes(first.payload) + b"".join(bytes(item.payload) for item in rest)  # type: ignore[union-attr]


def read(store: Store, locator: str) -> tuple[ViewerHead, dict[str, Any]] | None:
    """The current head and content, read consistently (the admin API's view)."""
    head = store.get(ViewerHead, ViewerHead.key(locator, 0))
    if head is None:
        return None
    if head.payload is not None:
        return head, decode(head.payload)
    body = store.get(DocumentBody, DocumentBody.key(locator, int(head.version)))
    if body is None:
        return None
    return head, decode(whole_payload(store, locator, int(head.version), body, consistent=True))
