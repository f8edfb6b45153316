"""The files bucket: object keys, presigned URLs, checks and deletions.

Keys name their owner, so IAM can grant each function exactly the prefixes it needs
(infra/template.json) and a tenant's or a resource's objects can be listed by prefix:

- `files/<tenant_id>/<locator>/<file_id>`: a file (the locator names one incarnation of a
  resource: a resource deleted and created again never meets its predecessor's objects);
- `bundles/<tenant_id>/<locator>/<digest>.zip`: the zip of one set of its files.

The S3 client is made on first use from the process's botocore session
(`chalicelib/runtime/awsclients.py`): page views, `/data` and `/info` never create it. Presigning
is local work (a signature with the function's credentials), no request to S3. URLs are
virtual-hosted on the bucket's regional endpoint (`https://<bucket>.s3.<region>.amazonaws.com`),
so the viewer page's CSP can name that one origin for previews (`presigned_origin`); with a
custom endpoint (moto locally) they are path-style on that endpoint.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from chalicelib.runtime import awsclients
from chalicelib.runtime.config import Settings
from chalicelib.runtime.errors import Conflict
from chalicelib.service import Keyhole

# A presigned GET handed to a viewer: at most this long (SPEC: "valid at most 60 s"). A revoked
# link makes no new ones; one already handed out works until it expires.
DOWNLOAD_URL_SECONDS = 60
# A presigned PUT: the upload must start within this time (S3 checks it when the request begins).
UPLOAD_URL_SECONDS = 3600
# Uploads carry this tag until they are completed; the bucket's lifecycle rule expires objects
# that still carry it (abandoned uploads).
PENDING_TAG = "keyhole-upload=pending"
DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys

_CLIENT = "files.s3"


class FilesUnavailable(Conflict):
    code = "files_unavailable"
    default_message = "This deployment stores no files (no files bucket is configured)"


def bucket(settings: Settings) -> str:
    if not settings.files_bucket:
        raise FilesUnavailable()
    return settings.files_bucket


def client(svc: Keyhole) -> Any:
    """The container's S3 client (made on first use)."""
    found = svc.cache.get(_CLIENT)
    if found is None:
        found = awsclients.client(
            svc.settings,
            "s3",
            signature_version="s3v4",
            s3={
                "addressing_style": "path" if svc.settings.aws_endpoint else "virtual",
                "us_east_1_regional_endpoint": "regional",
            },
        )
        svc.cache[_CLIENT] = found
    return found


def presigned_origin(settings: Settings) -> str | None:
    """The scheme and host of every presigned URL Keyhole makes (for the page's `img-src`)."""
    if not settings.files_bucket:
        return None
    if settings.aws_endpoint:
        parts = urlsplit(settings.aws_endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    suffix = "amazonaws.com.cn" if settings.region.startswith("cn-") else "amazonaws.com"
    return f"https://{settings.files_bucket}.s3.{settings.region}.{suffix}"


def file_key(tenant_id: str, locator: str, file_id: str) -> str:
    return f"files/{tenant_id}/{locator}/{file_id}"


def bundle_key(tenant_id: str, locator: str, digest: str) -> str:
    return f"bundles/{tenant_id}/{locator}/{digest}.zip"


def resource_prefixes(tenant_id: str, locator: str) -> list[str]:
    return [f"files/{tenant_id}/{locator}/", f"bundles/{tenant_id}/{locator}/"]


def tenant_prefixes(tenant_id: str) -> list[str]:
    return [f"files/{tenant_id}/", f"bundles/{tenant_id}/"]


def sha256_base64(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


def upload_headers(*, size: int, sha256_hex: str, content_type: str) -> dict[str, str]:
    """The headers the presigned PUT is signed with: S3 refuses the upload unless each is sent
    with exactly this value (Content-Length and the checksum among them) and the body's SHA-256
    matches the checksum."""
    return {
        "Content-Type": content_type,
        "Content-Length": str(size),
        "x-amz-checksum-sha256": sha256_base64(sha256_hex),
        "x-amz-sdk-checksum-algorithm": "SHA256",
        "x-amz-tagging": PENDING_TAG,
    }


def presign_put(svc: Keyhole, key: str, *, size: int, sha256_hex: str, content_type: str) -> str:
    return str(
        client(svc).generate_presigned_url(
            "put_object",
            Params={
                "Bucket": bucket(svc.settings),
                "Key": key,
                "ContentLength": size,
                "ContentType": content_type,
                "ChecksumAlgorithm": "SHA256",
                "ChecksumSHA256": sha256_base64(sha256_hex),
                "Tagging": PENDING_TAG,
            },
            ExpiresIn=UPLOAD_URL_SECONDS,
        )
    )


def presign_get(svc: Keyhole, key: str, *, content_type: str, disposition: str) -> str:
    """A GET valid `DOWNLOAD_URL_SECONDS`, answered with the given type and disposition (S3's
    response overrides, part of the signature). Range requests work on it as on any GET."""
    return str(
        client(svc).generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket(svc.settings),
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": "private, no-store",
            },
            ExpiresIn=DOWNLOAD_URL_SECONDS,
        )
    )


def head(svc: Keyhole, key: str) -> dict[str, Any] | None:
    """The stored object's size, type and SHA-256 checksum (None when there is none)."""
    from botocore.exceptions import ClientError

    try:
        found = client(svc).head_object(Bucket=bucket(svc.settings), Key=key, ChecksumMode="ENABLED")
    except ClientError as error:
        # Without s3:ListBucket (the API role has none) S3 answers a missing key with 403, not 404.
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound", "403", "AccessDenied"):
            return None
        raise
    return {
        "size": int(found.get("ContentLength", -1)),
        "content_type": found.get("ContentType"),
        "sha256": found.get("ChecksumSHA256"),
    }


def clear_pending_tag(svc: Keyhole, key: str) -> None:
    """A completed upload is no longer abandoned: its lifecycle tag goes."""
    client(svc).delete_object_tagging(Bucket=bucket(svc.settings), Key=key)


def delete(svc: Keyhole, keys: Sequence[str]) -> int:
    """Delete objects (deleting a missing key is no error); returns how many were asked for.
    Raises on any key S3 could not delete, so the job that asked is retried."""
    s3 = client(svc)
    done = 0
    for start in range(0, len(keys), DELETE_BATCH):
        batch = list(keys[start : start + DELETE_BATCH])
        answer = s3.delete_objects(
            Bucket=bucket(svc.settings), Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
        )
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise RuntimeError(f"S3 could not delete {len(errors)} objects, e.g. {first.get('Code')}")
        done += len(batch)
    return done


def list_keys(svc: Keyhole, prefix: str) -> Iterator[str]:
    """Every key under a prefix, page by page."""
    s3 = client(svc)
    kwargs: dict[str, Any] = {"Bucket": bucket(svc.settings), "Prefix": prefix}
    while True:
        page = s3.list_objects_v2(**kwargs)
        for item in page.get("Contents") or []:
            yield str(item["Key"])
        if not page.get("IsTruncated"):
            return
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
