"""Resources: the shareable thing (type, name, document, redaction rules, scopes).

The head item (admin side, with the slot counter) and what viewers read (`chalicelib/resources/documents.py`:
the viewer heads keyed by the locator share tokens carry, and the content) are always written
together in one transaction, conditional on the head's version as read: that is what makes
`If-Match` exact, and what makes the refusal of a replace that leaves out `redact` exact too (the
head says how many rules the version it names has; docs/design.md, "Resource updates"). PUT
replaces, PATCH merges (RFC 7396); neither can drop redaction rules or scopes by omission.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from chalicelib.credentials.tokens import new_key_hex, tenant_key_of
from chalicelib.resources import display as display_hints
from chalicelib.resources import documents, mergepatch
from chalicelib.resources.preconditions import Preconditions
from chalicelib.resources.redaction import depth
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, Conflict, NotFound, PayloadTooLarge, ValidationFailed
from chalicelib.runtime.pagination import partition_page
from chalicelib.runtime.validation import CHOSEN_ID_RE, json_size, string, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import FileRecord, ResourceHead, plain
from chalicelib.storage.store import Txn, TxnCancelled
from chalicelib.tenancy import audit
from chalicelib.tenancy.apikeys import Principal

RESOURCE_ID_RE = CHOSEN_ID_RE
SCOPE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_DEPTH = 64
MAX_REDACT = 100
MAX_SCOPES = 50
MAX_SCOPE_FIELDS = 200
# The document, redaction rules, scopes and display hints are one version's content, stored
# compressed in one DynamoDB item at most (400 KB): 256 KiB of document + 64 KiB of scopes + 100
# redacted names of 128 characters + 16 KiB of display hints stays inside it even incompressible.
MAX_SCOPES_BYTES = 64 * 1024
RESOURCE_FIELDS = ("type", "name", "document", "origin", "redact", "scopes", "display")
# A write that lost a race re-reads and decides again. Each loss means another writer won, so with
# up to this many concurrent writers of one resource every one of them lands (then 409 "retry").
WRITE_ATTEMPTS = 8
REDACT_REQUIRED = (
    'is required when replacing a resource that has redaction rules (send "redact": [] to remove them on purpose)'
)
SCOPES_REQUIRED = 'is required when replacing a resource that has scopes (send "scopes": {} to remove them on purpose)'


def valid_resource_id(resource_id: str) -> bool:
    return bool(RESOURCE_ID_RE.match(resource_id or ""))


def require_valid_id(resource_id: str) -> None:
    if not valid_resource_id(resource_id):
        raise ValidationFailed.field("resource_id", "must be 1-128 characters of A-Z a-z 0-9 . _ : -")


@dataclass(frozen=True)
class Fields:
    """A resource as a PUT (or a merged PATCH) states it, validated."""

    type: str
    name: str
    document: dict[str, Any]
    redact: list[str]
    scopes: dict[str, list[str]]
    # Whether the body says `redact` (a list, possibly empty). A replace that does not say it must
    # not find rules on the resource (`_validate`, against the head the write is conditional on).
    redact_given: bool = True
    # Display hints for the viewer's page (chalicelib/resources/display.py); {} when none.
    display: dict[str, Any] = field(default_factory=dict)
    # An origin resource (chalicelib/origin): the service links put a window in front of. Such a
    # resource has no document, redaction rules, scopes or display hints.
    origin: Any = None
    # The version's files (chalicelib/files: the entries `uploads.entry_of` makes). None: the files
    # of the version replaced stay (a PUT or PATCH never drops files; the file routes change them).
    files: list[dict[str, Any]] | None = None


def _validate_origin(body: dict[str, Any], *, local: bool) -> Fields:
    """A resource body with `origin` instead of `document` (docs/origins.md)."""
    from chalicelib.origin import spec as origin_spec

    errors = Collector()
    unknown_fields(body, RESOURCE_FIELDS, errors)
    rtype = string(body, "type", errors, required=True, min_len=1, max_len=64)
    name = string(body, "name", errors, required=True, min_len=1, max_len=200)
    if body.get("document") is not None:
        errors.add("document", "a resource has either a document or an origin, not both")
    for member, empty in (("redact", []), ("scopes", {}), ("display", {})):
        if body.get(member) not in (None, empty):
            errors.add(member, "an origin resource has no document, so no " + member)
    origin = origin_spec.parse_origin(body.get("origin"), errors, local=local)
    errors.raise_if_any()
    return Fields(type=rtype or "", name=name or "", document={}, redact=[], scopes={}, origin=origin)


def _validate(body: dict[str, Any], *, replacing: ResourceHead | None, local: bool = False) -> Fields:
    """Check a whole resource body. `replacing`: the resource it replaces (None on create)."""
    if body.get("origin") is not None:
        return _validate_origin(body, local=local)
    errors = Collector()
    unknown_fields(body, RESOURCE_FIELDS, errors)
    rtype = string(body, "type", errors, required=True, min_len=1, max_len=64)
    name = string(body, "name", errors, required=True, min_len=1, max_len=200)
    document = body.get("document")
    if "document" not in body:
        errors.add("document", "is required")
    elif not isinstance(document, dict):
        errors.add("document", "must be a JSON object")
    elif depth(document, MAX_DEPTH) > MAX_DEPTH:
        errors.add("document", f"must not nest deeper than {MAX_DEPTH} levels")
    redact = body.get("redact")
    redact_given = redact is not None  # null reads as omitted: serializers write null for "unset"
    if redact is None:
        # The head names the version this replace is conditional on, so the check is exact: rules
        # added by a concurrent update make the write fail and the replace be decided again.
        if replacing is not None and int(replacing.redact_rules or 0) > 0:
            errors.add("redact", REDACT_REQUIRED)
        redact = []
    if not isinstance(redact, list) or not all(isinstance(x, str) and 1 <= len(x) <= 128 for x in redact):
        errors.add("redact", "must be a list of field names (1-128 characters each)")
        redact = []
    elif len(redact) > MAX_REDACT:
        errors.add("redact", f"must list at most {MAX_REDACT} field names")
    scopes = body.get("scopes")
    if scopes is None:
        if replacing is not None and replacing.scope_names:
            errors.add("scopes", SCOPES_REQUIRED)
        scopes = {}
    if not isinstance(scopes, dict):
        errors.add("scopes", "must be an object: scope name -> list of top-level document fields")
        scopes = {}
    elif len(scopes) > MAX_SCOPES:
        errors.add("scopes", f"must define at most {MAX_SCOPES} scopes")
    else:
        for scope_name, fields in scopes.items():
            if not SCOPE_NAME_RE.match(scope_name):
                errors.add(f"scopes.{scope_name}", "scope names are 1-64 characters of A-Z a-z 0-9 _ . -")
            elif (
                not isinstance(fields, list)
                or not fields
                or len(fields) > MAX_SCOPE_FIELDS
                or not all(isinstance(f, str) and 1 <= len(f) <= 256 for f in fields)
            ):
                errors.add(
                    f"scopes.{scope_name}",
                    f"must be a non-empty list of at most {MAX_SCOPE_FIELDS} top-level field names",
                )
            else:
                _check_file_patterns(f"scopes.{scope_name}", fields, errors)
    display = display_hints.validate(body.get("display"), errors)
    errors.raise_if_any()
    document = cast(dict[str, Any], document)  # a JSON object: checked above
    if json_size(document) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(
            "document is larger than 256 KiB",
            details=[{"field": "document", "message": "must be at most 256 KiB as compact JSON"}],
        )
    if json_size(scopes) > MAX_SCOPES_BYTES:
        raise PayloadTooLarge(
            "scopes are larger than 64 KiB",
            details=[{"field": "scopes", "message": "must be at most 64 KiB as compact JSON"}],
        )
    return Fields(
        type=rtype or "",
        name=name or "",
        document=document,
        redact=list(dict.fromkeys(redact)),
        scopes={k: list(dict.fromkeys(v)) for k, v in scopes.items()},
        redact_given=redact_given,
        display=display,
    )


def _check_file_patterns(field_name: str, fields: list[str], errors: Collector) -> None:
    """Scope entries that name files (`file:report.pdf`, `file:audit/*`, `file:*`): docs/files.md."""
    from chalicelib.files import names as file_names

    for entry in fields:
        if file_names.is_file_entry(entry):
            problem = file_names.pattern_problem(entry[len(file_names.FILE_SCOPE_PREFIX) :])
            if problem:
                errors.add(field_name, f"{entry!r}: a file pattern {problem}")


def etag_of(head: ResourceHead) -> str:
    """The resource's entity tag: its version, and a hash of its incarnation (a resource deleted and
    created again starts at version 1 again; an ETag of the old one must not match the new one)."""
    incarnation = hashlib.sha256(f"keyhole-resource|{head.locator}".encode()).hexdigest()[:12]
    return f'"{int(head.version)}-{incarnation}"'


def head_to_json(head: ResourceHead) -> dict[str, Any]:
    return {
        "id": head.resource_id,
        "type": head.type,
        "name": head.name,
        "version": int(head.version),
        "etag": etag_of(head),
        "active_links": int(head.active_links or 0),
        "document_bytes": int(head.document_bytes or 0),
        "file_count": int(head.file_count or 0),
        "created_at": head.created_at,
        "updated_at": head.updated_at,
    }


def to_json(head: ResourceHead, content: dict[str, Any]) -> dict[str, Any]:
    if content.get("origin") is not None:
        return _origin_json(head, content)
    return {
        **head_to_json(head),
        "kind": "document",
        "document": content["document"],
        "redact": list(content.get("redact") or []),
        "scopes": dict(content.get("scopes") or {}),
        "display": dict(content.get("display") or {}),
        "files": [_file_json(entry) for entry in content.get("files") or []],
    }


def _file_json(entry: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.files.uploads import entry_json

    return entry_json(entry)


def files_of(svc: Keyhole, head: ResourceHead | None) -> list[dict[str, Any]]:
    """The files of the version `head` names (no read when it has none)."""
    if head is None or head.deleting or not int(head.file_count or 0):
        return []
    stored = documents.read(svc.store, head.locator)
    return list(stored[1].get("files") or []) if stored else []


def _origin_json(head: ResourceHead, content: dict[str, Any]) -> dict[str, Any]:
    """An origin resource: the origin and when its secret was made (never the secret itself)."""
    import time

    from chalicelib.origin import origin_secret

    stored = origin_secret.secrets_from_json(content.get("origin_secrets"))
    return {
        **head_to_json(head),
        "kind": "origin",
        "origin": content["origin"],
        **origin_secret.public_json(stored, now_epoch=time.time()),
    }


def _body_of(head: ResourceHead, content: dict[str, Any]) -> dict[str, Any]:
    """The resource as a PUT body would state it: what a merge patch applies to."""
    if content.get("origin") is not None:
        return {"type": head.type, "name": head.name, "origin": content["origin"]}
    return {
        "type": head.type,
        "name": head.name,
        "document": content["document"],
        "redact": list(content.get("redact") or []),
        "scopes": dict(content.get("scopes") or {}),
        "display": dict(content.get("display") or {}),
    }


def put_resource(
    svc: Keyhole,
    principal: Principal,
    resource_id: str,
    body: dict[str, Any],
    head: ResourceHead | None,
    req: RequestInfo,
    *,
    preconditions: Preconditions | None = None,
) -> tuple[int, dict[str, Any]]:
    """Create (201) or replace (200). `head` is the current head, read with authentication.

    Replacing never drops rules by omission: on a resource with redaction rules a body without
    `redact` is 422 (`"redact": []` clears them on purpose), and likewise `scopes` on one with scopes.
    """
    require_valid_id(resource_id)
    return _write(
        svc,
        principal,
        resource_id,
        head,
        req,
        lambda current: _validate(body, replacing=current, local=svc.settings.is_local_stage),
        preconditions=preconditions or Preconditions(),
        action="resource.replaced",
    )


def patch_resource(
    svc: Keyhole,
    principal: Principal,
    resource_id: str,
    patch: dict[str, Any],
    head: ResourceHead | None,
    req: RequestInfo,
    *,
    preconditions: Preconditions | None = None,
) -> tuple[int, dict[str, Any]]:
    """Apply a JSON Merge Patch (RFC 7396) to the resource: members not named stay as they are,
    `null` removes a member inside `document` (and a scope inside `scopes`), arrays are replaced."""
    require_valid_id(resource_id)
    _check_patch(patch)

    def merged(current: ResourceHead | None) -> Fields:
        if current is None or current.deleting:
            raise NotFound("No such resource")
        stored = documents.read(svc.store, current.locator)
        if stored is None:
            raise NotFound("No such resource")
        before = _body_of(current, stored[1])
        after = mergepatch.apply(before, patch)
        if after == before:
            raise _Unchanged(to_json(current, stored[1]))
        return _validate(after, replacing=current, local=svc.settings.is_local_stage)

    if head is None or head.deleting:
        raise NotFound("No such resource")
    try:
        return _write(
            svc,
            principal,
            resource_id,
            head,
            req,
            merged,
            preconditions=preconditions or Preconditions(),
            action="resource.updated",
        )
    except _Unchanged as unchanged:
        return 200, unchanged.current


class _Unchanged(Exception):
    """A patch that changes nothing: answered with the resource as it is, nothing written."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__("unchanged")
        self.current = current


def _check_patch(patch: dict[str, Any]) -> None:
    """What a merge patch may say at the top level: members of a resource, none removed with null
    (a resource always has a type, a name, a document, rules and scopes), nothing nested too deep."""
    errors = Collector()
    unknown_fields(patch, RESOURCE_FIELDS, errors)
    for name in ("type", "name", "document"):
        if name in patch and patch[name] is None:
            errors.add(name, "cannot be removed (null); send a new value")
    if "redact" in patch and patch["redact"] is None:
        errors.add("redact", 'cannot be removed with null; send "redact": [] to remove every rule on purpose')
    if "scopes" in patch and patch["scopes"] is None:
        errors.add("scopes", 'cannot be removed with null; send "scopes": {} to remove every scope on purpose')
    if depth(patch, MAX_DEPTH + 2) > MAX_DEPTH + 1:
        errors.add("document", f"must not nest deeper than {MAX_DEPTH} levels")
    errors.raise_if_any()


def _write(
    svc: Keyhole,
    principal: Principal,
    resource_id: str,
    head: ResourceHead | None,
    req: RequestInfo,
    fields_for: Callable[[ResourceHead | None], Fields],
    *,
    preconditions: Preconditions,
    action: str,
    rotate_secret: bool = False,
    stage_extra: Callable[[Txn, ResourceHead], None] | None = None,
    audit_details: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Write the head and the document in one transaction, conditional on the head's version as
    read (and so on the version an If-Match named); a lost race re-reads and decides again.

    An origin resource keeps its signing secrets across writes; it gets a new one when the origin
    is first set, or rotated (`rotate_secret`); the new secret is in the answer, once.
    Files stay from version to version unless `fields_for` says otherwise; the jobs their objects
    need (zips to build, objects to delete) go into the same transaction (`_stage_file_work`), and
    `stage_extra` adds the caller's own items (a completed upload's record)."""
    tenant_id = principal.tenant_id
    hk = ResourceHead.key(tenant_id, resource_id)
    for _attempt in range(WRITE_ATTEMPTS):
        preconditions.check(etag_of(head) if head is not None and not head.deleting else None)
        if head is not None and head.deleting:
            raise Conflict("This resource is being deleted; retry the DELETE, then PUT it again")
        fields = fields_for(head)
        rtype, name, document, redact, scopes = fields.type, fields.name, fields.document, fields.redact, fields.scopes
        previous_files = files_of(svc, head)
        files = previous_files if fields.files is None else fields.files
        if fields.origin is not None and files:
            raise Conflict("This resource holds files: delete them before it shares an origin")
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        now = svc.clock.now()
        stamp = to_rfc3339(now)
        if head is not None:
            _refuse_removing_used_scopes(svc, tenant_id, resource_id, head, scopes, now)
        creating = head is None
        locator = head.locator if head else f"{tenant_key_of(tenant_id)}{new_key_hex()}"
        version = 1 if head is None else int(head.version) + 1
        new_head = ResourceHead(
            pk=hk[0],
            sk=hk[1],
            tenant_id=tenant_id,
            resource_id=resource_id,
            type=rtype,
            name=name,
            locator=locator,
            scope_names=sorted(scopes),
            active_links=0 if head is None else int(head.active_links or 0),
            version=version,
            document_bytes=len(text.encode("utf-8")),
            redact_rules=len(redact),
            created_at=stamp if head is None else head.created_at,
            updated_at=stamp,
        )
        content: dict[str, Any] = {"document": document, "redact": redact, "scopes": scopes}
        if fields.display:
            content["display"] = fields.display
        if files:
            content["files"] = files
        origin_text, secrets_text, shown_secret = _origin_parts(
            svc, tenant_id, resource_id, head, fields, rotate=rotate_secret, now=now.timestamp()
        )
        if origin_text is not None:
            content["origin"] = json.loads(origin_text)
            content["origin_secrets"] = json.loads(secrets_text or "[]")
        new_head.origin, new_head.origin_secrets = origin_text, secrets_text
        new_head.file_count = len(files)
        txn = svc.store.txn()
        ready = _stage_file_work(
            svc, txn, tenant_id, resource_id, locator, version, head, previous_files, files, scopes, now.timestamp()
        )
        new_head.bundles = ready
        written = documents.stage_write(
            txn,
            tenant_id=tenant_id,
            resource_id=resource_id,
            locator=locator,
            version=version,
            type=rtype,
            name=name,
            updated_at=new_head.updated_at,
            content=content,
            retire_body=None if head is None or head.body_version is None else int(head.body_version),
            retire_parts=int(head.body_parts or 1) if head is not None else 1,
            now=now.timestamp(),
            kind="origin" if origin_text is not None else "document",
            bundles=ready,
        )
        new_head.body_version = None if written.inline else version
        new_head.body_parts = written.parts if written.parts > 1 else None
        if head is None:
            txn.put(new_head, condition=ResourceHead.pk.does_not_exist(), tag="head")
        else:
            # Replace only the incarnation and version we read; counters are kept by updating.
            txn.update(
                ResourceHead,
                hk,
                [
                    ResourceHead.type.set(rtype),
                    ResourceHead.name.set(name),
                    ResourceHead.scope_names.set(sorted(scopes)),
                    ResourceHead.version.set(version),
                    ResourceHead.document_bytes.set(new_head.document_bytes),
                    ResourceHead.redact_rules.set(len(redact)),
                    ResourceHead.updated_at.set(stamp),
                    ResourceHead.body_version.remove() if written.inline else ResourceHead.body_version.set(version),
                    ResourceHead.body_parts.set(written.parts)
                    if written.parts > 1
                    else ResourceHead.body_parts.remove(),
                    ResourceHead.file_count.set(len(files)),
                    ResourceHead.bundles.set(ready),
                    ResourceHead.origin.set(origin_text) if origin_text else ResourceHead.origin.remove(),
                    ResourceHead.origin_secrets.set(secrets_text)
                    if secrets_text
                    else ResourceHead.origin_secrets.remove(),
                ],
                condition=(ResourceHead.locator == locator)
                & ResourceHead.deleting.does_not_exist()
                & (ResourceHead.version == int(head.version)),
                tag="head",
            )
        txn.put(
            audit.new_event(
                tenant_id,
                actor=principal.actor(),
                action="resource.created" if creating else action,
                at=now,
                target_type="resource",
                target_id=resource_id,
                details={
                    "type": rtype,
                    "name": name,
                    "version": version,
                    "document_bytes": new_head.document_bytes,
                    **(audit_details or {}),
                },
                request_id=req.request_id,
            ),
            tag="audit",
        )
        if stage_extra is not None:
            stage_extra(txn, new_head)
        try:
            txn.commit()
        except TxnCancelled as cancelled:
            if cancelled.failed("head") or cancelled.conflict:
                head = svc.store.get(ResourceHead, hk)  # someone else created/replaced/deleted it: re-decide
                continue
            raise
        answer = to_json(new_head if head is None else _merged(head, new_head), content)
        if shown_secret is not None:
            answer["origin_secret"] = shown_secret
        return (201 if creating else 200), answer
    raise Conflict("The resource changed while it was being written; retry")


def _stage_file_work(
    svc: Keyhole,
    txn: Txn,
    tenant_id: str,
    resource_id: str,
    locator: str,
    version: int,
    head: ResourceHead | None,
    previous_files: list[dict[str, Any]],
    files: list[dict[str, Any]],
    scopes: dict[str, list[str]],
    now: float,
) -> dict[str, int]:
    """What a new version needs in the bucket, staged as files jobs in its own transaction: the
    zips it offers that do not exist yet, the deletion of files it no longer lists and of zips no
    set of it needs (after the longest a download URL lives). Returns the zips it keeps."""
    stored = plain(head.bundles) if head is not None and head.bundles is not None else {}
    previous_ready = {str(k): int(v) for k, v in stored.items()}
    if not files and not previous_files and not previous_ready:
        return {}
    from chalicelib.files import bundles, jobs, objects

    sets = bundles.sets_of(files, scopes) if files else {}
    ready = {d: size for d, size in previous_ready.items() if d in sets}
    missing = [d for d in sets if d not in ready]
    if missing:
        payload = bundles.job_payload(
            tenant_id=tenant_id, resource_id=resource_id, locator=locator, version=version, digests=missing
        )
        jobs.stage(txn, "bundle", tenant_id, payload, now=now)
    kept_ids = {str(f["id"]) for f in files}
    removed = [str(f["id"]) for f in previous_files if str(f["id"]) not in kept_ids]
    jobs.stage_delete_objects(
        txn,
        tenant_id,
        [objects.file_key(tenant_id, locator, file_id) for file_id in removed],
        now=now,
        records=[list(FileRecord.key(locator, file_id)) for file_id in removed],
    )
    jobs.stage_delete_objects(
        txn,
        tenant_id,
        [objects.bundle_key(tenant_id, locator, d) for d in previous_ready if d not in sets],
        now=now,
        delay_seconds=objects.DOWNLOAD_URL_SECONDS * 5,
    )
    return ready


def _origin_parts(
    svc: Keyhole,
    tenant_id: str,
    resource_id: str,
    head: ResourceHead | None,
    fields: Fields,
    *,
    rotate: bool,
    now: float,
) -> tuple[str | None, str | None, str | None]:
    """(origin JSON, sealed secrets JSON, a new secret to show once) for the head being written."""
    if fields.origin is None:
        return None, None, None
    from chalicelib.origin import origin_secret

    stored = origin_secret.secrets_from_json(json.loads(head.origin_secrets)) if head and head.origin_secrets else []
    shown = None
    if not stored or rotate:
        shown = origin_secret.new_secret()
        sealed = origin_secret.seal(svc.sealer, shown, tenant_id=tenant_id, resource_id=resource_id, now_epoch=now)
        stored = origin_secret.rotated(stored, sealed, now_epoch=now)
    origin_json = json.dumps(fields.origin.to_json(), separators=(",", ":"))
    return origin_json, json.dumps(origin_secret.secrets_json(stored), separators=(",", ":")), shown


def rotate_origin_secret(
    svc: Keyhole, principal: Principal, resource_id: str, head: ResourceHead | None, req: RequestInfo
) -> dict[str, Any]:
    """`POST /v1/resources/{id}/origin-secret`: a new signing secret, shown once; the replaced one
    keeps signing beside it for `origin_secret.ROTATION_GRACE_SECONDS`."""
    from chalicelib.origin import spec as origin_spec

    require_valid_id(resource_id)
    if head is None or head.deleting:
        raise NotFound("No such resource")

    def same(current: ResourceHead | None) -> Fields:
        if current is None or current.deleting:
            raise NotFound("No such resource")
        if not current.origin:
            raise Conflict("This resource has a document, not an origin: it has no origin secret")
        origin = origin_spec.Origin.from_json(json.loads(current.origin))
        return Fields(type=current.type, name=current.name, document={}, redact=[], scopes={}, origin=origin)

    _, answer = _write(
        svc,
        principal,
        resource_id,
        head,
        req,
        same,
        preconditions=Preconditions(),
        action="resource.origin_secret_rotated",
        rotate_secret=True,
    )
    return answer


def _merged(old: ResourceHead, new: ResourceHead) -> ResourceHead:
    new.active_links = old.active_links
    return new


def _refuse_removing_used_scopes(
    svc: Keyhole, tenant_id: str, resource_id: str, head: ResourceHead, scopes: dict[str, list[str]], now: Any
) -> None:
    removed = set(head.scope_names or []) - set(scopes)
    if not removed or not head.active_links:
        return
    from chalicelib.links.links import (
        live_records,  # links builds on resources; import here to keep the layering one-way
    )

    in_use = sorted({r.scope for r in live_records(svc, tenant_id, resource_id, now) if r.scope in removed})
    if in_use:
        raise Conflict(
            f"Active links use scope(s) {', '.join(in_use)}; revoke them before removing the scope",
            details=[{"field": f"scopes.{name}", "message": "used by an active link"} for name in in_use],
        )


def get_resource(svc: Keyhole, head: ResourceHead | None) -> dict[str, Any]:
    if head is None or head.deleting:
        raise NotFound("No such resource")
    stored = documents.read(svc.store, head.locator)
    if stored is None:
        raise NotFound("No such resource")
    return to_json(head, stored[1])


def list_resources(svc: Keyhole, principal: Principal, query: dict[str, str]) -> dict[str, Any]:
    if principal.resource_id is not None:  # a session limited to one resource lists that one
        from chalicelib.runtime.pagination import page

        head = svc.store.get(ResourceHead, ResourceHead.key(principal.tenant_id, principal.resource_id))
        return page([head_to_json(head)] if head is not None and not head.deleting else [], None)
    return partition_page(
        ResourceHead,
        f"TENANT#{principal.tenant_id}",
        query,
        head_to_json,
        list_id="resources",
        sort_prefix="RES#",
        keep=lambda head: not head.deleting,
    )


def delete_resource(
    svc: Keyhole, principal: Principal, resource_id: str, head: ResourceHead | None, req: RequestInfo
) -> None:
    """Viewers lose access at once (the document goes first), then every live link is revoked."""
    from chalicelib.links.links import revoke_all_for_resource

    if head is None:
        raise NotFound("No such resource")
    tenant_id = principal.tenant_id
    hk = ResourceHead.key(tenant_id, resource_id)
    now = svc.clock.now()
    if not head.deleting:
        txn = svc.store.txn()
        txn.update(
            ResourceHead,
            hk,
            [ResourceHead.deleting.set(True)],
            condition=ResourceHead.locator == head.locator,
            tag="head",
        )
        documents.stage_delete(
            txn,
            locator=head.locator,
            body_version=None if head.body_version is None else int(head.body_version),
            body_parts=int(head.body_parts or 1),
        )
        if svc.settings.files_bucket and not head.origin:
            # Its files, zips and upload records go too, after the answer (chalicelib/files/jobs.py).
            from chalicelib.files import jobs

            jobs.stage_resource_purge(txn, tenant_id, head.locator, now=now.timestamp())
        txn.commit(when_failed={"head": NotFound("No such resource")})
    revoked = revoke_all_for_resource(svc, principal, resource_id, req)
    txn = svc.store.txn()
    txn.delete(
        ResourceHead, hk, condition=ResourceHead.deleting.exists() & (ResourceHead.active_links <= 0), tag="head"
    )
    txn.put(
        audit.new_event(
            tenant_id,
            actor=principal.actor(),
            action="resource.deleted",
            at=now,
            target_type="resource",
            target_id=resource_id,
            details={"links_revoked": revoked},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("head"):
            current = svc.store.get(ResourceHead, hk)
            if current is None:
                return  # a concurrent DELETE finished first
            raise Conflict("Links were still being released; retry the DELETE") from None
        raise
