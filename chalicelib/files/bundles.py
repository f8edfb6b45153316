""" "Download all": the zips a version offers, and how one is built with flat memory.

A link offers one zip of the files it shows when there are at least two (and together at most
`names.MAX_BUNDLE_BYTES`). Which files a link shows depends on its scope, so a version offers one zip
per distinct *set*: the whole resource's, and each scope's whose `file:` patterns select a
different set. A set is named by its digest (the files' ids, checksums and names), so a set that
does not change across versions (a document update, a file added to another scope) keeps its zip.

Publishing a version stages one `bundle` job naming (by digest) the sets that have no zip yet;
the worker (`build_all`) reads the version's files and scopes, builds each zip once, then records
it (digest -> size) on the resource head and on the viewer heads of that version, where a viewer
request finds it with the read it makes anyway.
Until then the page says "Preparing..." and the zip route answers 409 `preparing`.

A zip is streamed: each file is read from the bucket in 1 MiB chunks and written into a zip
(`zipfile`, entries stored: files are mostly PDFs, images and archives, which deflate cannot
shrink) whose bytes go to a multipart upload `PART_BYTES` at a time. Memory stays at about one
part whatever the size; each entry's SHA-256 is checked against the file's on the way.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.files import names, objects
from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import parse_rfc3339
from chalicelib.service import Keyhole
from chalicelib.storage import contents
from chalicelib.storage.models import ResourceHead, ViewerHead, plain
from chalicelib.storage.store import TxnCancelled

logger = logging.getLogger(__name__)

PART_BYTES = 8 * 1024 * 1024  # multipart part size (S3's minimum is 5 MiB; 10,000 parts at most)
CHUNK_BYTES = 1024 * 1024
BUNDLES_BUILT = "bundles_built"
BUNDLE_BYTES = "bundle_bytes"


def sets_of(files: Sequence[Mapping[str, Any]], scopes: Mapping[str, Sequence[str]]) -> dict[str, list[Any]]:
    """digest -> files, for every set a link to this version can show that comes with a zip."""
    found: dict[str, list[Any]] = {}
    for patterns in [None, *(names.file_patterns(fields) for fields in scopes.values())]:
        chosen = names.visible(files, patterns)
        if names.bundle_offered(chosen):
            found.setdefault(names.bundle_digest(chosen), [dict(f) for f in chosen])
    return found


def job_payload(
    *, tenant_id: str, resource_id: str, locator: str, version: int, digests: Sequence[str]
) -> dict[str, Any]:
    """What identifies a `bundle` job's work: the version and the digests of its missing sets.

    The files themselves are not copied in (a thousand files in a dozen sets would pass
    DynamoDB's 400 KB item limit); the worker recomputes the sets from the version's content."""
    return {
        "tenant_id": tenant_id,
        "resource_id": resource_id,
        "locator": locator,
        "version": version,
        "digests": sorted(digests),
    }


# --- building ------------------------------------------------------------------------------


class PartWriter(io.RawIOBase):
    """A write-only stream into an S3 multipart upload: `PART_BYTES` buffered, then sent."""

    def __init__(self, s3: Any, bucket: str, key: str, part_bytes: int = PART_BYTES) -> None:
        super().__init__()
        self._s3, self._bucket, self._key, self._part_bytes = s3, bucket, key, part_bytes
        self._upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/zip")["UploadId"]
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._written = 0
        self.peak_buffer = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._written

    def seek(self, *args: Any) -> int:
        raise io.UnsupportedOperation("a multipart upload is written front to back")

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._buffer += chunk
        self._written += len(chunk)
        self.peak_buffer = max(self.peak_buffer, len(self._buffer))
        while len(self._buffer) >= self._part_bytes:
            self._send(bytes(self._buffer[: self._part_bytes]))
            del self._buffer[: self._part_bytes]
        return len(chunk)

    def _send(self, body: bytes) -> None:
        number = len(self._parts) + 1
        answer = self._s3.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=body
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def finish(self) -> int:
        if self._buffer or not self._parts:
            self._send(bytes(self._buffer))
            self._buffer = bytearray()
        self._s3.complete_multipart_upload(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
        )
        return self._written

    def abort(self) -> None:
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
        except Exception:  # the bucket's lifecycle rule removes incomplete uploads after a day anyway
            logger.warning("could not abort the multipart upload of %s", self._key, exc_info=True)


def _zip_time(stamp: Any) -> tuple[int, int, int, int, int, int]:
    try:
        moment: datetime = parse_rfc3339(str(stamp))
    except (TypeError, ValueError):
        return (1980, 1, 1, 0, 0, 0)
    return (max(1980, moment.year), moment.month, moment.day, moment.hour, moment.minute, moment.second)


def write_zip(svc: Keyhole, *, tenant_id: str, locator: str, key: str, files: Sequence[Mapping[str, Any]]) -> int:
    """Stream the files into a zip at `key`; returns its size. Raises (and aborts the upload)
    if a stored file is not what the version says it is."""
    s3 = objects.client(svc)
    bucket = objects.bucket(svc.settings)
    writer = PartWriter(s3, bucket, key)
    try:
        with zipfile.ZipFile(writer, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for entry in files:
                info = zipfile.ZipInfo(str(entry["name"]), date_time=_zip_time(entry.get("published_at")))
                info.compress_type = zipfile.ZIP_STORED
                info.file_size = int(entry["size"])
                info.external_attr = 0o644 << 16
                source = s3.get_object(Bucket=bucket, Key=objects.file_key(tenant_id, locator, str(entry["id"])))
                body = source["Body"]
                seen = hashlib.sha256()
                copied = 0
                with archive.open(info, mode="w") as target:
                    for chunk in body.iter_chunks(CHUNK_BYTES):
                        seen.update(chunk)
                        copied += len(chunk)
                        target.write(chunk)
                body.close()
                if copied != int(entry["size"]) or seen.hexdigest() != str(entry["sha256"]).lower():
                    raise ValueError(f"stored file {entry['id']} does not match its checksum")
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


def _version_sets(
    svc: Keyhole, tenant_id: str, resource_id: str, locator: str
) -> tuple[ResourceHead, dict[str, list[Any]]] | None:
    """The resource's current head and the sets its version offers a zip of (None: gone)."""
    head = svc.store.get(ResourceHead, ResourceHead.key(tenant_id, resource_id))
    if head is None or head.deleting or head.locator != locator:
        return None
    if not int(head.file_count or 0):
        return head, {}
    stored = contents.read(svc.store, locator)
    if stored is None or int(stored[0].version) != int(head.version):
        return None  # replaced between the two reads: the newer version has a job of its own
    content = stored[1]
    return head, sets_of(list(content.get("files") or []), dict(content.get("scopes") or {}))


def build_all(svc: Keyhole, payload: Mapping[str, Any]) -> None:
    """The `bundle` job: build the zips of one version that do not exist yet, then record them.

    The job names the sets by digest only; their files come from the version's stored content."""
    tenant_id, resource_id = str(payload["tenant_id"]), str(payload["resource_id"])
    locator, version = str(payload["locator"]), int(payload["version"])
    current = _version_sets(svc, tenant_id, resource_id, locator)
    if current is None or int(current[0].version) != version:
        return  # deleted, or replaced by a newer version, which has a job of its own
    head, sets = current
    stored = plain(head.bundles) if head.bundles is not None else {}
    ready: dict[str, Any] = {str(k): int(v) for k, v in stored.items()}
    # A job staged before jobs carried digests only named them as the keys of "sets".
    wanted = [str(d) for d in (payload.get("digests") or list(dict(payload.get("sets") or {})))]
    for set_digest in wanted:
        files = sets.get(set_digest)
        if set_digest in ready or files is None:
            continue
        key = objects.bundle_key(tenant_id, locator, set_digest)
        found = objects.head(svc, key)
        written = found is None
        if found is None:
            size = write_zip(svc, tenant_id=tenant_id, locator=locator, key=key, files=files)
            telemetry.add(BUNDLES_BUILT)
            telemetry.add(BUNDLE_BYTES, size)
        else:
            size = int(found["size"])
        ready[set_digest] = size
        if not _record(svc, head, ready):
            if written:
                _drop_if_unused(svc, tenant_id, resource_id, locator, set_digest, key)
            return  # the version moved on meanwhile: the newer version's job carries on


def _drop_if_unused(svc: Keyhole, tenant_id: str, resource_id: str, locator: str, set_digest: str, key: str) -> None:
    """A zip built for a version that was replaced while it was built: no job of the new version
    knows of it, so unless the new version offers the same set, it would stay in the bucket
    (holding files that may have been deleted meanwhile)."""
    current = _version_sets(svc, tenant_id, resource_id, locator)
    if current is not None and set_digest in current[1]:
        return  # the newer version offers it too: its job finds the object and records it
    objects.delete(svc, [key])


def _record(svc: Keyhole, head: ResourceHead, ready: dict[str, Any]) -> bool:
    """Write the ready zips on the resource head and the version's viewer heads, together."""
    version = int(head.version)
    txn = svc.store.txn()
    txn.update(
        ResourceHead,
        ResourceHead.key(head.tenant_id, head.resource_id),
        [ResourceHead.bundles.set(ready)],
        condition=(ResourceHead.locator == head.locator)
        & ResourceHead.deleting.does_not_exist()
        & (ResourceHead.version == version),
        tag="head",
    )
    for replica in range(ViewerHead.REPLICAS):
        txn.update(
            ViewerHead,
            ViewerHead.key(head.locator, replica),
            [ViewerHead.bundles.set(ready)],
            condition=ViewerHead.version == version,
            tag=f"viewer{replica}",
        )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.only_conflicts:
            raise  # retried by the job
        return False
    return True
