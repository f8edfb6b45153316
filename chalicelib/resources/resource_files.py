"""A resource's files through the admin API: start an upload, complete it, delete a file.

Completing an upload and deleting a file each publish a new version of the resource (the file
list is part of its content, `content["files"]`): viewers see the change with the version, an
open page refreshes, and the version's zips and the removed objects are handled by the files
worker (`resources._stage_file_work`). The bucket, the name rules and the checks of what S3
stored are `chalicelib/files`'.
"""

from __future__ import annotations

from typing import Any

from chalicelib.files import names, uploads
from chalicelib.resources import documents
from chalicelib.resources.preconditions import Preconditions
from chalicelib.resources.resources import Fields, _write, etag_of, files_of
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import LimitReached, NotFound
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import FileRecord, ResourceHead
from chalicelib.storage.store import Txn
from chalicelib.tenancy.apikeys import Principal


def start_upload(
    svc: Keyhole, principal: Principal, head: ResourceHead | None, body: dict[str, Any], req: RequestInfo
) -> dict[str, Any]:
    """`POST /v1/resources/{id}/files` -> 201 with the presigned PUT."""
    return uploads.create_upload(svc, principal, head, body, req)


def _current(svc: Keyhole, current: ResourceHead | None, locator: str) -> tuple[ResourceHead, dict[str, Any]]:
    """The head (the same incarnation) and the content a file change is decided on."""
    if current is None or current.deleting or current.locator != locator:
        raise NotFound("No such resource")
    stored = documents.read(svc.store, current.locator)
    if stored is None:
        raise NotFound("No such resource")
    return current, stored[1]


def _fields(current: ResourceHead, content: dict[str, Any], files: list[dict[str, Any]]) -> Fields:
    return Fields(
        type=current.type,
        name=current.name,
        document=content["document"],
        redact=list(content.get("redact") or []),
        scopes=dict(content.get("scopes") or {}),
        display=dict(content.get("display") or {}),
        files=files,
    )


def complete(
    svc: Keyhole, principal: Principal, head: ResourceHead | None, file_id: str, req: RequestInfo
) -> dict[str, Any]:
    """`POST .../files/{file_id}/complete`: check the stored object, then publish it as a new
    version (replacing a published file of the same name). 409 before the upload, 422 (object
    removed) when it is not the declared file; completing a published file again answers it."""
    head = uploads.require_file_resource(head)
    record = uploads.pending_record(svc, head, file_id)
    if record is None:
        raise NotFound("No such file")
    if record.state == "published":
        for entry in files_of(svc, head):
            if entry["id"] == file_id:
                uploads.keep(svc, record)
                return _answer(entry, head)
        raise NotFound("No such file")
    uploads.check_uploaded(svc, record)
    published_at = to_rfc3339(svc.clock.now())
    entry = uploads.entry_of(record, published_at)

    def publishing(current: ResourceHead | None) -> Fields:
        found, content = _current(svc, current, head.locator)
        files = [f for f in content.get("files") or [] if f["name"] != record.name and f["id"] != file_id]
        if len(files) >= names.MAX_FILES_PER_RESOURCE:
            raise LimitReached(
                "files_per_resource",
                names.MAX_FILES_PER_RESOURCE,
                f"A resource holds at most {names.MAX_FILES_PER_RESOURCE:,} files",
                frees="delete a file of this resource",
            )
        return _fields(found, content, [*files, entry])

    def mark_published(txn: Txn, new_head: ResourceHead) -> None:
        txn.update(
            FileRecord,
            FileRecord.key(head.locator, file_id),
            [
                FileRecord.state.set("published"),
                FileRecord.published_at.set(published_at),
                FileRecord.ttl.remove(),
            ],
            condition=FileRecord.state == "pending",
            tag="file",
        )

    _, answer = _write(
        svc,
        principal,
        head.resource_id,
        head,
        req,
        publishing,
        preconditions=Preconditions(),
        action="file.published",
        stage_extra=mark_published,
        audit_details={"file_id": file_id, "file_name": record.name, "file_size": int(record.size)},
    )
    uploads.keep(svc, record)
    return {**uploads.entry_json(entry), "resource_version": answer["version"], "etag": answer["etag"]}


def _answer(entry: dict[str, Any], head: ResourceHead) -> dict[str, Any]:
    return {**uploads.entry_json(entry), "resource_version": int(head.version), "etag": etag_of(head)}


def delete_file(svc: Keyhole, principal: Principal, head: ResourceHead | None, file_id: str, req: RequestInfo) -> None:
    """`DELETE .../files/{file_id}`: a published file leaves with a new version (its object is
    removed by the files worker); a pending upload is forgotten (and its object, if any, removed)."""
    from chalicelib.files import jobs, objects
    from chalicelib.tenancy import audit

    head = uploads.require_file_resource(head)
    if not names.valid_file_id(file_id):
        raise NotFound("No such file")
    if any(entry["id"] == file_id for entry in files_of(svc, head)):

        def without(current: ResourceHead | None) -> Fields:
            found, content = _current(svc, current, head.locator)
            files = [f for f in content.get("files") or [] if f["id"] != file_id]
            if len(files) == len(content.get("files") or []):
                raise NotFound("No such file")
            return _fields(found, content, files)

        _write(
            svc,
            principal,
            head.resource_id,
            head,
            req,
            without,
            preconditions=Preconditions(),
            action="file.deleted",
            audit_details={"file_id": file_id},
        )
        return
    record = uploads.pending_record(svc, head, file_id)
    if record is None or record.state != "pending":
        raise NotFound("No such file")
    now = svc.clock.now()
    txn = svc.store.txn()
    txn.delete(FileRecord, FileRecord.key(head.locator, file_id), condition=FileRecord.state == "pending", tag="file")
    jobs.stage_delete_objects(
        txn, principal.tenant_id, [objects.file_key(principal.tenant_id, head.locator, file_id)], now=now.timestamp()
    )
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="file.upload_cancelled",
            at=now,
            target_type="resource",
            target_id=head.resource_id,
            details={"file_id": file_id},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit(when_failed={"file": NotFound("No such file")})
