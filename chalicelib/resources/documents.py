"""Where a resource's content is stored and how it is read back: the viewer heads and bodies.

A resource's *content* is what viewers are shown and how: the document, its redaction rules, its
scopes, and whatever else the admin API stores beside the document (e.g. display hints). It is
written as compressed JSON:

- in each of the resource's `ViewerHead` replicas when the head still fits one 4 KB read unit
  (a document of a few KB: one read serves the view);
- otherwise in a `DocumentBody` item for that version, immutable, which a container reads once per
  version (eventually consistent: an immutable item cannot be stale, only not yet visible) and
  keeps in its cache. A content larger than one item (a large document with a long file list)
  is split into parts of `BODY_PART_BYTES`: the first item says how many there are.

The heads carry version, type, name and update time, so a 304 poll and the ETag never need the
content. Writes go into the caller's transaction (with the admin-side `ResourceHead`), so viewers
see a version's head and its content together or not at all. This module is the one place that
knows the layout: the admin API calls `stage_write`, `stage_delete` and `read`, the viewer
`head_key` and `content_of`.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.runtime.caches import ContentCache
from chalicelib.storage.contents import ContentMissing as ContentMissing
from chalicelib.storage.contents import decode as decode
from chalicelib.storage.contents import read as read
from chalicelib.storage.contents import whole_payload
from chalicelib.storage.models import DocumentBody, ViewerHead
from chalicelib.storage.sizes import READ_UNIT, item_bytes
from chalicelib.storage.store import Store, Txn

logger = logging.getLogger(__name__)

COMPRESSION_LEVEL = 6
# A replaced version's body stays readable this long (then TTL removes it): a request holding the
# previous head can still finish with the content it names.
RETIRED_SECONDS = 3600
# One body item's share of the compressed content (DynamoDB's item limit is 400 KB).
BODY_PART_BYTES = 350_000


@dataclass(frozen=True)
class Written:
    """What `stage_write` put into the transaction."""

    content_bytes: int
    inline: bool
    parts: int = 1


def encode(content: Mapping[str, Any]) -> tuple[bytes, int]:
    """Compressed JSON of the content, and the size of the uncompressed JSON."""
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return zlib.compress(text, COMPRESSION_LEVEL), len(text)


def replica_of(token_hash: str) -> int:
    """Which head replica a token reads: fixed per token, spread across tokens."""
    return int(token_hash[:8], 16) % ViewerHead.REPLICAS


def head_key(locator: str, token_hash: str) -> tuple[str, str]:
    return ViewerHead.key(locator, replica_of(token_hash))


def stage_write(
    txn: Txn,
    *,
    tenant_id: str,
    resource_id: str,
    locator: str,
    version: int,
    type: str,
    name: str,
    updated_at: str,
    content: Mapping[str, Any],
    retire_body: int | None = None,
    retire_parts: int = 1,
    now: float = 0.0,
    kind: str = "document",
    bundles: Mapping[str, int] | None = None,
) -> Written:
    """Add the heads (and the body, when it does not fit a head) of `version` to `txn`. The body
    of `retire_body` (the version replaced, when its content had a body, in `retire_parts` parts)
    gets a TTL instead of being deleted at once: a request that read the old head a moment
    earlier still finds it. `bundles`: the zips this version already has (chalicelib/files)."""
    payload, content_bytes = encode(content)
    heads = []
    for replica in range(ViewerHead.REPLICAS):
        pk, sk = ViewerHead.key(locator, replica)
        heads.append(
            ViewerHead(
                pk=pk,
                sk=sk,
                tenant_id=tenant_id,
                resource_id=resource_id,
                kind=kind,
                type=type,
                name=name,
                version=version,
                updated_at=updated_at,
                content_bytes=content_bytes,
                payload=payload,
                bundles=dict(bundles) if bundles else None,
            )
        )
    inline = item_bytes(heads[0]) <= READ_UNIT
    chunks = [payload[at : at + BODY_PART_BYTES] for at in range(0, len(payload), BODY_PART_BYTES)] or [b""]
    if not inline:
        for part, chunk in enumerate(chunks):
            bk = DocumentBody.key(locator, version, part)
            body = DocumentBody(pk=bk[0], sk=bk[1], tenant_id=tenant_id, resource_id=resource_id, payload=chunk)
            if part == 0 and len(chunks) > 1:
                body.parts = len(chunks)
            txn.put(body, tag="body" if part == 0 else f"body{part}")
        for head in heads:
            head.payload = None
    for replica, head in enumerate(heads):
        txn.put(head, tag=f"head{replica}")
    if retire_body is not None and retire_body != version:
        for part in range(max(1, retire_parts)):
            txn.update(
                DocumentBody,
                DocumentBody.key(locator, retire_body, part),
                [DocumentBody.ttl.set(int(now) + RETIRED_SECONDS)],
                tag="old_body" if part == 0 else f"old_body{part}",
            )
    return Written(content_bytes=content_bytes, inline=inline, parts=1 if inline else len(chunks))


def stage_delete(txn: Txn, *, locator: str, body_version: int | None, body_parts: int = 1) -> None:
    """Viewers lose the resource at once: every head (and the current body) go in `txn`."""
    for replica in range(ViewerHead.REPLICAS):
        txn.delete(ViewerHead, ViewerHead.key(locator, replica), tag=f"head{replica}")
    if body_version is not None:
        for part in range(max(1, body_parts)):
            txn.delete(
                DocumentBody, DocumentBody.key(locator, body_version, part), tag="body" if not part else f"body{part}"
            )


def content_of(store: Store, cache: ContentCache, locator: str, head: ViewerHead) -> dict[str, Any]:
    """The content of the version `head` names: from the head itself, the container's cache, or
    one read of its body. Raises `ContentMissing` if that version has been replaced since."""
    version = int(head.version)
    cached = cache.get(locator, version)
    if cached is not None:
        return cached
    if head.payload is not None:
        content = decode(head.payload)
    else:
        key = DocumentBody.key(locator, version)
        body = store.get(DocumentBody, key, consistent=False)
        if body is None:  # written a moment ago and not visible to this read yet, or replaced
            body = store.get(DocumentBody, key)
        if body is None:
            raise ContentMissing(f"version {version} has no body")
        content = decode(whole_payload(store, locator, version, body, consistent=False))
    cache.put(locator, version, content, int(head.content_bytes or 0))
    return content
