"""The files worker's queue: work done after a request has answered, with retries.

A change that needs work in the bucket (a version whose zips must be built, a file, resource or
tenant whose objects must go) stages a `FileJob` item in its own transaction (`stage`): the change
and its job are committed together or not at all. The job is visible to the worker through gsi1
(`FJQ#<shard>`, `<due>#<job_id>`) while it is due.

The worker (`drain`: the `files_worker` function, every minute on AWS; `devstack.pump` runs it
every few seconds locally) claims a due job with a conditional lease (two workers never run one
job at once), runs it, and deletes it; a failure is retried with exponential backoff up to
`MAX_ATTEMPTS`, then the job stays as `failed` (gsi1 `FJFAILED`) for ops, and the
`file_jobs_failed` metric (an alarm) says so. Every job is idempotent: deleting what is gone,
or building a zip that exists, is done at once.

Metrics (namespace Keyhole, dimension stage): `file_jobs_done`, `file_job_retries`,
`file_jobs_failed`, `file_objects_deleted`, `bundles_built`, `bundle_bytes`, `file_jobs_due`.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib.credentials.tokens import new_id
from chalicelib.files import bundles, objects
from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.service import Keyhole
from chalicelib.storage.models import FileJob, FileRecord
from chalicelib.storage.store import Txn, error_code

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
LEASE_SECONDS = 900  # longer than one worker run (the function's timeout)
DRAIN_BATCH = 50
FAILED_QUEUE = "FJFAILED"

FILE_JOBS_DONE = "file_jobs_done"
FILE_JOB_RETRIES = "file_job_retries"
FILE_JOBS_FAILED = "file_jobs_failed"
FILE_JOBS_DUE = "file_jobs_due"
FILE_OBJECTS_DELETED = "file_objects_deleted"


def encode(payload: Mapping[str, Any]) -> bytes:
    return zlib.compress(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 6)


def decode(raw: bytes) -> dict[str, Any]:
    value = json.loads(zlib.decompress(raw))
    if not isinstance(value, dict):
        raise ValueError("job payload is not an object")
    return value


def _queue_keys(job: FileJob, due_at: str) -> None:
    shard = int(job.job_id[-8:], 16) % FileJob.SHARDS
    job.due_at = due_at
    job.gsi1pk, job.gsi1sk = f"FJQ#{shard}", f"{due_at}#{job.job_id}"


def new_job(kind: str, tenant_id: str, payload: Mapping[str, Any], *, now: float, delay_seconds: float = 0) -> FileJob:
    from chalicelib.runtime.clock import from_epoch

    job_id = new_id("fjob", 12)
    pk, sk = FileJob.key(job_id)
    job = FileJob(
        pk=pk,
        sk=sk,
        job_id=job_id,
        kind=kind,
        tenant_id=tenant_id,
        payload=encode(payload),
        created_at=to_rfc3339(from_epoch(now)),
        due_at="",
    )
    _queue_keys(job, to_rfc3339(from_epoch(now + delay_seconds)))
    return job


def stage(
    txn: Txn, kind: str, tenant_id: str, payload: Mapping[str, Any], *, now: float, delay_seconds: float = 0
) -> str:
    """Add a job to the caller's transaction; returns its id."""
    job = new_job(kind, tenant_id, payload, now=now, delay_seconds=delay_seconds)
    txn.put(job, condition=FileJob.pk.does_not_exist(), tag=f"job_{kind}_{len(txn)}")
    return str(job.job_id)


def stage_delete_objects(
    txn: Txn,
    tenant_id: str,
    keys: list[str],
    *,
    now: float,
    delay_seconds: float = 0,
    records: Sequence[Sequence[str]] = (),
) -> str | None:
    """Objects to delete (and `FileRecord` keys `[pk, sk]` to remove with them)."""
    if not keys and not records:
        return None
    return stage(
        txn,
        "delete_objects",
        tenant_id,
        {"keys": keys, "records": [list(r) for r in records]},
        now=now,
        delay_seconds=delay_seconds,
    )


def stage_resource_purge(txn: Txn, tenant_id: str, locator: str, *, now: float) -> str:
    """Everything a deleted resource kept in the bucket, and its file records."""
    return stage(
        txn,
        "delete_prefix",
        tenant_id,
        {"prefixes": objects.resource_prefixes(tenant_id, locator), "locators": [locator]},
        now=now,
    )


def stage_tenant_purge(txn: Txn, tenant_id: str, *, now: float, locators: Sequence[str] = ()) -> str:
    """Everything a deleted tenant kept in the bucket (the hook tenant deletion calls); the file
    records of the `locators` given go too (a tenant's items are removed by tenant deletion)."""
    return stage(
        txn,
        "delete_prefix",
        tenant_id,
        {"prefixes": objects.tenant_prefixes(tenant_id), "locators": list(locators)},
        now=now,
    )


def backoff_seconds(failed_attempts: int) -> float:
    return float(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (max(1, failed_attempts) - 1)))


# --- running jobs --------------------------------------------------------------------------


def _delete_objects(svc: Keyhole, job: FileJob, payload: dict[str, Any]) -> None:
    keys = [str(k) for k in payload.get("keys") or []]
    if keys:
        telemetry.add(FILE_OBJECTS_DELETED, objects.delete(svc, keys))
    records = [tuple(k) for k in payload.get("records") or []]
    _delete_records(svc, records)


def _delete_prefix(svc: Keyhole, job: FileJob, payload: dict[str, Any]) -> None:
    for prefix in payload.get("prefixes") or []:
        batch: list[str] = []
        for key in objects.list_keys(svc, str(prefix)):
            batch.append(key)
            if len(batch) >= objects.DELETE_BATCH:
                telemetry.add(FILE_OBJECTS_DELETED, objects.delete(svc, batch))
                batch = []
        if batch:
            telemetry.add(FILE_OBJECTS_DELETED, objects.delete(svc, batch))
    for locator in payload.get("locators") or []:
        keys = [(r.pk, r.sk) for r in FileRecord.query(f"FILES#{locator}", attributes_to_get=["pk", "sk"])]
        _delete_records(svc, keys)


def _delete_records(svc: Keyhole, keys: Sequence[tuple[str, ...]]) -> None:
    if not keys:
        return
    with FileRecord.batch_write() as batch:
        for pk, sk in keys:
            batch.delete(FileRecord(pk, sk))


def _bundle(svc: Keyhole, job: FileJob, payload: dict[str, Any]) -> None:
    bundles.build_all(svc, payload)


HANDLERS: dict[str, Callable[[Keyhole, FileJob, dict[str, Any]], None]] = {
    "delete_objects": _delete_objects,
    "delete_prefix": _delete_prefix,
    "bundle": _bundle,
}


def due_keys(svc: Keyhole, limit: int = DRAIN_BATCH) -> list[tuple[str, str]]:
    now_s = to_rfc3339(svc.clock.now())
    keys: list[tuple[str, str]] = []
    for shard in range(FileJob.SHARDS):
        if len(keys) >= limit:
            break
        for key in FileJob.queue.query(f"FJQ#{shard}", FileJob.gsi1sk <= f"{now_s}#~", limit=limit - len(keys)):
            keys.append((key.pk, key.sk))
    return keys


def _claim(svc: Keyhole, job: FileJob) -> bool:
    """Lease the job for this run: a conditional write, so one worker runs it at a time."""
    now = svc.clock.time()
    try:
        job.update(
            actions=[FileJob.lease_until.set(int(now) + LEASE_SECONDS)],
            condition=FileJob.pk.exists()
            & (FileJob.status == "queued")
            & (FileJob.lease_until.does_not_exist() | (FileJob.lease_until < int(now))),
        )
        return True
    except PynamoDBException as error:
        if error_code(error) in ("ConditionalCheckFailedException", "TransactionConflictException"):
            return False
        raise svc.store.translate(error) from error


def _failed(svc: Keyhole, job: FileJob, error: BaseException) -> str:
    attempts = int(job.attempts or 0) + 1
    message = f"{type(error).__name__}: {error}"[:500]
    now = svc.clock.now()
    if attempts >= MAX_ATTEMPTS:
        job.update(
            actions=[
                FileJob.attempts.set(attempts),
                FileJob.status.set("failed"),
                FileJob.last_error.set(message),
                FileJob.lease_until.remove(),
                FileJob.gsi1pk.set(FAILED_QUEUE),
                FileJob.gsi1sk.set(f"{to_rfc3339(now)}#{job.job_id}"),
            ]
        )
        telemetry.add(FILE_JOBS_FAILED)
        logger.error("files job gave up kind=%s job=%s attempts=%d error=%s", job.kind, job.job_id, attempts, message)
        return "failed"
    due = to_rfc3339(now + timedelta(seconds=backoff_seconds(attempts)))
    shard = int(job.job_id[-8:], 16) % FileJob.SHARDS
    job.update(
        actions=[
            FileJob.attempts.set(attempts),
            FileJob.last_error.set(message),
            FileJob.lease_until.remove(),
            FileJob.due_at.set(due),
            FileJob.gsi1pk.set(f"FJQ#{shard}"),
            FileJob.gsi1sk.set(f"{due}#{job.job_id}"),
        ]
    )
    telemetry.add(FILE_JOB_RETRIES)
    logger.warning("files job failed kind=%s job=%s attempt=%d error=%s", job.kind, job.job_id, attempts, message)
    return "retrying"


def run(svc: Keyhole, job: FileJob) -> str:
    """Run one claimed job: `done`, `retrying` or `failed`."""
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise ValueError(f"unknown job kind {job.kind!r}")
        handler(svc, job, decode(job.payload))
    except Exception as error:  # any failure is retried: the job is idempotent
        return _failed(svc, job, error)
    job.delete()
    telemetry.add(FILE_JOBS_DONE, dimension=("kind", job.kind))
    return "done"


def drain(svc: Keyhole, *, budget_seconds: float = 600.0, limit: int = DRAIN_BATCH) -> dict[str, int]:
    """Run due jobs until none is left or the time budget is spent."""
    started = time.monotonic()
    stats = {"due": 0, "done": 0, "retrying": 0, "failed": 0, "skipped": 0}
    keys = due_keys(svc, limit)
    telemetry.add(FILE_JOBS_DUE, len(keys))
    stats["due"] = len(keys)
    if not keys:
        return stats
    found = svc.store.batch_get([(FileJob, k) for k in keys])
    now_s = to_rfc3339(svc.clock.now())
    for job in found:
        if time.monotonic() - started > budget_seconds:
            break
        if not isinstance(job, FileJob) or job.status != "queued" or job.due_at > now_s:
            stats["skipped"] += 1
            continue
        if not _claim(svc, job):
            stats["skipped"] += 1
            continue
        stats[run(svc, job)] += 1
    return stats


def failed_jobs(svc: Keyhole, limit: int = 100) -> list[dict[str, Any]]:
    """Jobs that gave up (ops: `opscli files failed-jobs`), newest first."""
    keys = [(k.pk, k.sk) for k in FileJob.queue.query(FAILED_QUEUE, scan_index_forward=False, limit=limit)]
    out = []
    for job in svc.store.batch_get([(FileJob, k) for k in keys]):
        if isinstance(job, FileJob):
            out.append(
                {
                    "job_id": job.job_id,
                    "kind": job.kind,
                    "tenant_id": job.tenant_id,
                    "attempts": int(job.attempts or 0),
                    "last_error": job.last_error,
                    "created_at": job.created_at,
                }
            )
    return out


def retry_failed(svc: Keyhole, job_id: str) -> bool:
    """Put a failed job back in the queue (after ops fixed the cause)."""
    pk, sk = FileJob.key(job_id)
    job = svc.store.get(FileJob, (pk, sk))
    if job is None or job.status != "failed":
        return False
    now_s = to_rfc3339(svc.clock.now())
    shard = int(job.job_id[-8:], 16) % FileJob.SHARDS
    job.update(
        actions=[
            FileJob.status.set("queued"),
            FileJob.attempts.set(0),
            FileJob.due_at.set(now_s),
            FileJob.gsi1pk.set(f"FJQ#{shard}"),
            FileJob.gsi1sk.set(f"{now_s}#{job.job_id}"),
        ]
    )
    return True
