"""Uploads: `POST /v1/resources/{id}/files` starts one, `.../complete` checks what S3 stored.

An upload is a `FileRecord` in state `pending` and a presigned PUT signed with the file's size,
type, SHA-256 and a lifecycle tag: S3 refuses a PUT whose headers differ from the signed values
(a different size or type is a signature mismatch) or whose body does not hash to the checksum
(`BadDigest`), so the bucket never holds bytes other than the ones declared. Completing reads the
stored object's size, type and checksum back (`HeadObject`), and removes it on any mismatch.

The upload URL is valid for `objects.UPLOAD_URL_SECONDS`; a pending upload not completed within
a day is forgotten (TTL on its record; the bucket's lifecycle rule expires its object, which still
carries the pending tag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.credentials.tokens import new_id
from chalicelib.files import names, objects
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, Conflict, LimitReached, NotFound, PayloadTooLarge, ValidationFailed
from chalicelib.runtime.validation import unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import FileRecord, ResourceHead
from chalicelib.tenancy import audit
from chalicelib.tenancy.apikeys import Principal

UPLOAD_FIELDS = ("name", "content_type", "size", "sha256")
PENDING_SECONDS = 86400  # a pending upload is forgotten a day after it was started


@dataclass(frozen=True)
class UploadRequest:
    name: str
    content_type: str
    size: int
    sha256: str  # lower-case hex


def parse(body: dict[str, Any]) -> UploadRequest:
    """The upload's fields, or 422 naming each bad one (413 for a size over the limit)."""
    errors = Collector()
    unknown_fields(body, UPLOAD_FIELDS, errors)
    name = body.get("name")
    if "name" not in body:
        errors.add("name", "is required")
    else:
        problem = names.name_problem(name)
        if problem:
            errors.add("name", problem)
    content_type = names.normal_content_type(body.get("content_type"))
    if "content_type" not in body:
        errors.add("content_type", "is required")
    elif content_type is None:
        errors.add("content_type", "must be a media type such as application/pdf (optionally ; charset=...)")
    size = body.get("size")
    if "size" not in body:
        errors.add("size", "is required")
    elif isinstance(size, bool) or not isinstance(size, int) or size < 0:
        errors.add("size", "must be the file's size in bytes (a whole number, 0 or more)")
    sha256 = body.get("sha256")
    if "sha256" not in body:
        errors.add("sha256", "is required")
    elif not isinstance(sha256, str) or not names.SHA256_HEX_RE.match(sha256):
        errors.add("sha256", "must be the file's SHA-256 as 64 hexadecimal characters")
    errors.raise_if_any()
    if int(size) > names.MAX_FILE_BYTES:  # type: ignore[arg-type]
        raise PayloadTooLarge(
            f"A file is at most 5 GiB ({names.MAX_FILE_BYTES:,} bytes)",
            details=[{"field": "size", "message": f"must be at most {names.MAX_FILE_BYTES:,} bytes (5 GiB)"}],
        )
    return UploadRequest(name=str(name), content_type=str(content_type), size=int(size), sha256=str(sha256).lower())  # type: ignore[arg-type]


def require_file_resource(head: ResourceHead | None) -> ResourceHead:
    """The resource files are added to: it exists and shares a document, not an origin."""
    if head is None or head.deleting:
        raise NotFound("No such resource")
    if head.origin:
        raise Conflict("An origin resource shares a live service: it holds no files")
    return head


def create_upload(
    svc: Keyhole, principal: Principal, head: ResourceHead | None, body: dict[str, Any], req: RequestInfo
) -> dict[str, Any]:
    """201 `{file_id, upload: {method, url, headers}, expires_at, ...}`."""
    request = parse(body)
    head = require_file_resource(head)
    objects.bucket(svc.settings)  # 409 files_unavailable before anything is written
    if int(head.file_count or 0) >= names.MAX_FILES_PER_RESOURCE:
        raise LimitReached(
            "files_per_resource",
            names.MAX_FILES_PER_RESOURCE,
            f"A resource holds at most {names.MAX_FILES_PER_RESOURCE:,} files",
            frees="delete a file of this resource",
        )
    now = svc.clock.now()
    file_id = new_id("fil", 10)
    pk, sk = FileRecord.key(head.locator, file_id)
    record = FileRecord(
        pk=pk,
        sk=sk,
        file_id=file_id,
        tenant_id=principal.tenant_id,
        resource_id=head.resource_id,
        name=request.name,
        content_type=request.content_type,
        size=request.size,
        sha256=request.sha256,
        state="pending",
        created_at=to_rfc3339(now),
        created_by=principal.key_id,
        ttl=int(now.timestamp()) + PENDING_SECONDS,
    )
    key = objects.file_key(principal.tenant_id, head.locator, file_id)
    url = objects.presign_put(svc, key, size=request.size, sha256_hex=request.sha256, content_type=request.content_type)
    txn = svc.store.txn()
    txn.put(record, condition=FileRecord.pk.does_not_exist(), tag="file")
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="file.upload_started",
            at=now,
            target_type="resource",
            target_id=head.resource_id,
            details={"file_id": file_id, "name": request.name, "size": request.size},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit()
    return {
        **record_json(record),
        "upload": {
            "method": "PUT",
            "url": url,
            "headers": objects.upload_headers(
                size=request.size, sha256_hex=request.sha256, content_type=request.content_type
            ),
        },
        "expires_at": to_rfc3339(now + timedelta(seconds=objects.UPLOAD_URL_SECONDS)),
    }


def pending_record(svc: Keyhole, head: ResourceHead, file_id: str) -> FileRecord | None:
    if not names.valid_file_id(file_id):
        return None
    return svc.store.get(FileRecord, FileRecord.key(head.locator, file_id))


def check_uploaded(svc: Keyhole, record: FileRecord) -> None:
    """The stored object is the declared one: 409 before the upload, 422 (object removed) on a
    mismatch of size, type or checksum."""
    key = objects.file_key(record.tenant_id, record.pk.removeprefix("FILES#"), record.file_id)
    stored = objects.head(svc, key)
    if stored is None:
        raise Conflict("The file has not been uploaded yet: PUT it to the upload URL first")
    problems = []
    if stored["size"] != int(record.size):
        problems.append({"field": "size", "message": f"the stored object has {stored['size']:,} bytes"})
    if names.normal_content_type(stored.get("content_type")) != record.content_type:
        problems.append({"field": "content_type", "message": "the stored object has another content type"})
    if stored.get("sha256") != objects.sha256_base64(record.sha256):
        problems.append({"field": "sha256", "message": "the stored object has another SHA-256 checksum"})
    if problems:
        objects.delete(svc, [key])
        raise ValidationFailed(problems, "The uploaded object does not match the declared file; it was removed")


def keep(svc: Keyhole, record: FileRecord) -> None:
    """The file is published: its object loses the lifecycle tag that removes abandoned uploads.
    Called only once the version listing it is committed (a failed publish leaves the tag, so the
    object is cleaned up), and again when a complete is repeated (which repairs a lost clear)."""
    objects.clear_pending_tag(svc, objects.file_key(record.tenant_id, record.pk.removeprefix("FILES#"), record.file_id))


def entry_of(record: FileRecord, published_at: str) -> dict[str, Any]:
    """The file as the resource's content lists it."""
    return {
        "id": record.file_id,
        "name": record.name,
        "content_type": record.content_type,
        "size": int(record.size),
        "sha256": record.sha256,
        "published_at": published_at,
    }


def record_json(record: FileRecord) -> dict[str, Any]:
    return {
        "file_id": record.file_id,
        "name": record.name,
        "content_type": record.content_type,
        "size": int(record.size),
        "sha256": record.sha256,
        "status": record.state,
        "created_at": record.created_at,
    }


def entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    """A published file in admin answers."""
    return {
        "file_id": entry["id"],
        "name": entry["name"],
        "content_type": entry["content_type"],
        "size": int(entry["size"]),
        "sha256": entry["sha256"],
        "status": "published",
        "published_at": entry.get("published_at"),
    }
