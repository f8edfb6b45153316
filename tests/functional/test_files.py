"""Files through the local stack over real HTTP: uploads through presigned PUTs into the emulator's
S3, downloads through `/share/{token}/files/{id}` and the presigned GETs it redirects to, the zip,
and what deleting removes (docs/files.md).

moto serves presigned URLs on its own address (loopback). It checks neither signatures nor
checksums by itself; the local stack's moto runs `devstack.moto_patches` (7), which refuses a
presigned PUT missing a signed header and any PUT whose body does not hash to its
`x-amz-checksum-sha256`, as S3 does. What it cannot model (a signed header sent with another
value) is asserted on the URL's signed headers instead.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from typing import Any, Dict
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from chalicelib.files import jobs
from chalicelib.tenancy import tenants
from tests.support import fresh_ip

pytestmark = pytest.mark.http

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + os.urandom(2000)
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2213bc40000000049454e44ae426082"
)


class Tenant:
    def __init__(self, stack: Any, name: str = "Files Co") -> None:
        self.stack = stack
        _, self.admin = tenants.create_tenant(stack.svc, name=name, plan="team")
        self.api = stack.api_url

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return requests.request(
            method,
            f"{self.api}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.admin}", **kw.pop("headers", {})},
            **kw,
        )

    def resource(self, resource_id: str, **body: Any) -> Dict[str, Any]:
        reply = self.call(
            "PUT",
            f"/v1/resources/{resource_id}",
            {"type": "bundle", "name": "Scan passport", "document": {"summary": "ok"}, **body},
        )
        assert reply.status_code in (200, 201), reply.text
        return reply.json()

    def start(
        self, resource_id: str, name: str, data: bytes, content_type: str = "application/pdf", **overrides: Any
    ) -> requests.Response:
        body = {
            "name": name,
            "content_type": content_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            **overrides,
        }
        return self.call("POST", f"/v1/resources/{resource_id}/files", body)

    def upload(self, resource_id: str, name: str, data: bytes, content_type: str = "application/pdf") -> Dict[str, Any]:
        started = self.start(resource_id, name, data, content_type)
        assert started.status_code == 201, started.text
        upload = started.json()["upload"]
        put = requests.put(upload["url"], data=data, headers=upload["headers"])
        assert put.status_code == 200, put.text
        done = self.call("POST", f"/v1/resources/{resource_id}/files/{started.json()['file_id']}/complete")
        assert done.status_code == 200, done.text
        return done.json()

    def link(self, resource_id: str, **body: Any) -> Dict[str, Any]:
        reply = self.call("POST", f"/v1/resources/{resource_id}/links", body)
        assert reply.status_code == 201, reply.text
        return reply.json()


def viewer(ip: str | None = None) -> Dict[str, str]:
    return {"x-forwarded-for": ip or fresh_ip()}


def s3(stack: Any) -> Any:
    return boto3.client("s3", region_name="us-east-1", endpoint_url=stack.aws_endpoint)


def drain(stack: Any) -> Dict[str, int]:
    return jobs.drain(stack.svc)


def test_upload_complete_download_gets_identical_bytes(http_stack: Any) -> None:
    # GIVEN a resource and a PDF uploaded through the presigned PUT, then completed
    t = Tenant(http_stack)
    t.resource("passport-1")
    started = t.start("passport-1", "reports/scan report.pdf", PDF)
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["status"] == "pending" and body["upload"]["method"] == "PUT"
    signed = parse_qs(urlsplit(body["upload"]["url"]).query)["X-Amz-SignedHeaders"][0].split(";")
    # the PUT is signed with the size, type and checksum: S3 refuses any other value
    assert {"content-length", "content-type", "x-amz-checksum-sha256", "x-amz-tagging"} <= set(signed)
    assert urlsplit(body["upload"]["url"]).netloc == urlsplit(http_stack.aws_endpoint).netloc
    assert requests.put(body["upload"]["url"], data=PDF, headers=body["upload"]["headers"]).status_code == 200
    done = t.call("POST", f"/v1/resources/passport-1/files/{body['file_id']}/complete")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "published" and done.json()["resource_version"] == 2
    # completing again answers the same file (idempotent)
    again = t.call("POST", f"/v1/resources/passport-1/files/{body['file_id']}/complete")
    assert again.status_code == 200 and again.json()["file_id"] == body["file_id"]
    listed = t.call("GET", "/v1/resources/passport-1").json()
    assert [f["name"] for f in listed["files"]] == ["reports/scan report.pdf"] and listed["file_count"] == 1
    # WHEN a link is made and the file downloaded through it
    link = t.link("passport-1")
    data = requests.get(link["url"] + "/data", headers=viewer()).json()
    (entry,) = data["files"]
    assert entry["download_url"] == f"{link['url']}/files/{body['file_id']}" and entry["size"] == len(PDF)
    assert data["bundle"] is None  # one file: no zip
    redirect = requests.get(entry["download_url"], headers=viewer(), allow_redirects=False)
    # THEN a 302 to a presigned GET valid 60 seconds, under the viewer headers
    assert redirect.status_code == 302, redirect.text
    location = redirect.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == ['attachment; filename="scan report.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    assert redirect.headers["Cache-Control"] == "no-store" and redirect.headers["Referrer-Policy"] == "no-referrer"
    assert link["token"] not in location  # the bucket never sees the token
    fetched = requests.get(location)
    assert fetched.status_code == 200 and fetched.content == PDF
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    assert fetched.headers["Content-Type"] == "application/pdf"
    # AND Range requests work (a large download resumes)
    part = requests.get(location, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == PDF[10:20]
    # AND the download is a view in the access log, naming the file (never the token)
    logs = t.call("GET", f"/v1/links/{link['id']}/access-logs").json()["items"]
    downloaded = [e for e in logs if e["path"].endswith(f"/files/{body['file_id']}")]
    assert downloaded and downloaded[0]["outcome"] == "viewed" and link["token"] not in downloaded[0]["path"]


def test_s3_refuses_bytes_other_than_the_declared_ones(http_stack: Any) -> None:
    t = Tenant(http_stack)
    t.resource("r-wrong")
    started = t.start("r-wrong", "a.pdf", PDF).json()
    url, headers = started["upload"]["url"], started["upload"]["headers"]
    # WHEN other bytes of the same length are PUT THEN S3 refuses them (BadDigest)
    tampered = bytes([PDF[0] ^ 1]) + PDF[1:]
    assert requests.put(url, data=tampered, headers=headers).status_code in (400, 403)
    # WHEN another length is sent THEN refused (signature mismatch on S3; the checksum here)
    assert requests.put(url, data=PDF + b"x", headers={**headers, "Content-Length": str(len(PDF) + 1)}).status_code in (
        400,
        403,
    )
    # WHEN the checksum header is left out THEN refused (a signed header is missing)
    partial = {k: v for k, v in headers.items() if k != "x-amz-checksum-sha256"}
    assert requests.put(url, data=PDF, headers=partial).status_code == 403
    # AND nothing was stored: completing is 409 (not uploaded yet)
    done = t.call("POST", f"/v1/resources/r-wrong/files/{started['file_id']}/complete")
    assert done.status_code == 409 and done.json()["error"]["code"] == "conflict"
    # WHEN an object that is not the declared file gets there anyway (written around the URL)
    bucket = http_stack.outputs["FilesBucketName"]
    objects = s3(http_stack).list_objects_v2(Bucket=bucket, Prefix="files/").get("Contents") or []
    assert not [o for o in objects if o["Key"].endswith(started["file_id"])]
    record_key = next(k for k in _keys_for(http_stack, started["file_id"]))
    s3(http_stack).put_object(Bucket=bucket, Key=record_key, Body=b"not the file", ContentType="application/pdf")
    # THEN completing is 422 naming what differs, and the object is removed
    mismatch = t.call("POST", f"/v1/resources/r-wrong/files/{started['file_id']}/complete")
    assert mismatch.status_code == 422, mismatch.text
    assert {d["field"] for d in mismatch.json()["error"]["details"]} >= {"size", "sha256"}
    assert not s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=record_key).get("Contents")


def _keys_for(stack: Any, file_id: str) -> list:
    from chalicelib.storage.models import FileRecord

    stack.svc  # binds the models to the stack
    found = [r for r in FileRecord.scan(FileRecord.file_id == file_id)]
    return [f"files/{r.tenant_id}/{r.pk.removeprefix('FILES#')}/{r.file_id}" for r in found]


def test_upload_requests_are_validated(http_stack: Any) -> None:
    t = Tenant(http_stack)
    t.resource("r-rules")
    too_big = t.start("r-rules", "big.bin", b"x", size=5 * 1024**3 + 1)
    assert too_big.status_code == 413 and "5 GiB" in too_big.json()["error"]["message"]
    for name in ("../x.pdf", "/abs.pdf", "a//b.pdf", "dir/", "a\\b.pdf", "bad\u202egnp.exe", "x" * 256, "a/./b"):
        reply = t.start("r-rules", name, PDF)
        assert reply.status_code == 422 and reply.json()["error"]["details"][0]["field"] == "name", name
    assert t.start("r-rules", "a.pdf", PDF, content_type="not a type").status_code == 422
    assert t.start("r-rules", "a.pdf", PDF, sha256="00").status_code == 422
    assert t.start("r-rules", "a.pdf", PDF, extra=1).status_code == 422
    assert t.start("missing", "a.pdf", PDF).status_code == 404
    # an origin resource holds no files
    t.call(
        "PUT",
        "/v1/resources/r-origin",
        {"type": "t", "name": "o", "origin": {"url": "http://127.0.0.1:9/", "allowed_paths": ["/"]}},
    )
    assert t.start("r-origin", "a.pdf", PDF).status_code == 409
    # another tenant's resource is the usual 404
    other = Tenant(http_stack, "Other Co")
    assert other.start("r-rules", "a.pdf", PDF).status_code == 404
    # a viewer key cannot upload
    key = t.call("POST", "/v1/api-keys", {"name": "ro", "role": "viewer"}).json()["key"]
    reply = requests.post(
        f"{t.api}/v1/resources/r-rules/files",
        json={"name": "a.pdf", "content_type": "application/pdf", "size": 1, "sha256": "0" * 64},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert reply.status_code == 403


def test_scriptable_types_are_served_as_octet_stream_attachments(http_stack: Any) -> None:
    t = Tenant(http_stack)
    t.resource("r-html")
    html = b"<html><script>alert(1)</script></html>"
    page = t.upload("r-html", "pages/index.html", html, "text/html; charset=utf-8")
    svg = t.upload(
        "r-html", "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>", "image/svg+xml"
    )
    link = t.link("r-html")
    for entry in (page, svg):
        location = requests.get(
            f"{link['url']}/files/{entry['file_id']}", headers=viewer(), allow_redirects=False
        ).headers["Location"]
        fetched = requests.get(location)
        assert fetched.headers["Content-Type"] == "application/octet-stream"
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
    # a name that is not ASCII keeps an ASCII fallback and the exact name (RFC 6266 / 5987)
    odd = t.upload("r-html", 'Prüfbericht "final".pdf', PDF)
    location = requests.get(f"{link['url']}/files/{odd['file_id']}", headers=viewer(), allow_redirects=False).headers[
        "Location"
    ]
    disposition = parse_qs(urlsplit(location).query)["response-content-disposition"][0]
    assert (
        disposition
        == "attachment; filename=\"Pr_fbericht _final_.pdf\"; filename*=UTF-8''Pr%C3%BCfbericht%20%22final%22.pdf"
    )


def test_downloads_obey_password_view_limit_rate_limit_scope_and_revocation(http_stack: Any) -> None:
    t = Tenant(http_stack)
    t.resource("r-gated", scopes={"report": ["summary", "file:report.pdf"], "audit": ["file:audit/*"]})
    report = t.upload("r-gated", "report.pdf", PDF)
    photo = t.upload("r-gated", "audit/photo.png", PNG, "image/png")
    dead = requests.get(f"{t.api}/share/{'A' * 64}/files/{report['file_id']}", headers=viewer())
    assert dead.status_code == 404
    # password: 401 until the unlock cookie comes along
    locked = t.link("r-gated", password="correct horse")
    url = f"{locked['url']}/files/{report['file_id']}"
    assert requests.get(url, headers=viewer(), allow_redirects=False).status_code == 401
    session = requests.Session()
    assert (
        session.post(locked["url"] + "/unlock", json={"password": "correct horse"}, headers=viewer()).status_code == 200
    )
    assert session.get(url, headers=viewer(), allow_redirects=False).status_code == 302
    # view limit: a GET never downloads (unfurlers), a POST uses a view, then the link is exhausted
    limited = t.link("r-gated", max_views=1)
    url = f"{limited['url']}/files/{report['file_id']}"
    got = requests.get(url, headers=viewer(), allow_redirects=False)
    assert got.status_code == 409 and got.json()["error"]["code"] == "confirm_required"
    posted = requests.post(url, headers=viewer(), allow_redirects=False)
    assert posted.status_code == 303 and urlsplit(posted.headers["Location"]).netloc
    assert requests.post(url, headers=viewer(), allow_redirects=False).status_code == 404
    # rate limit: a download is a view against the link's window
    slow = t.link("r-gated", rate_limit_per_min=2)
    url = f"{slow['url']}/files/{report['file_id']}"
    assert [requests.get(url, headers=viewer(), allow_redirects=False).status_code for _ in range(3)] == [302, 302, 429]
    # scope: the report scope shows the report only; the photo is the one 404 there, byte for byte
    scoped = t.link("r-gated", scope="report")
    data = requests.get(scoped["url"] + "/data", headers=viewer()).json()
    assert [f["name"] for f in data["files"]] == ["report.pdf"] and data["document"] == {"summary": "ok"}
    outside = requests.get(f"{scoped['url']}/files/{photo['file_id']}", headers=viewer())
    assert outside.status_code == 404 and outside.content == dead.content
    assert {
        k: v for k, v in outside.headers.items() if k.lower() not in ("date", "x-request-id", "content-length")
    } == {k: v for k, v in dead.headers.items() if k.lower() not in ("date", "x-request-id", "content-length")}
    assert requests.get(f"{scoped['url']}/files/fil_{'0' * 20}", headers=viewer()).content == dead.content
    audit = t.link("r-gated", scope="audit")
    assert [f["name"] for f in requests.get(audit["url"] + "/data", headers=viewer()).json()["files"]] == [
        "audit/photo.png"
    ]
    assert requests.get(audit["url"] + "/data", headers=viewer()).json()["document"] == {}
    # revocation: the link stops downloads at once
    open_link = t.link("r-gated")
    url = f"{open_link['url']}/files/{report['file_id']}"
    assert requests.get(url, headers=viewer(), allow_redirects=False).status_code == 302
    assert t.call("DELETE", f"/v1/links/{open_link['id']}").status_code == 204
    revoked = requests.get(url, headers=viewer(), allow_redirects=False)
    assert revoked.status_code == 404 and revoked.content == dead.content


def test_download_all_zip_is_built_once_with_the_right_entries(http_stack: Any) -> None:
    t = Tenant(http_stack)
    t.resource("r-zip", scopes={"photos": ["file:photos/*"]})
    files = {"report.pdf": PDF, "photos/a.png": PNG, "photos/b.png": PNG[::-1]}
    for name, data in files.items():
        t.upload("r-zip", name, data, "application/pdf" if name.endswith("pdf") else "image/png")
    link = t.link("r-zip")
    data = requests.get(link["url"] + "/data", headers=viewer()).json()
    assert data["bundle"]["status"] == "preparing"
    preparing = requests.get(data["bundle"]["download_url"], headers=viewer())
    assert preparing.status_code == 409 and preparing.json()["error"]["code"] == "preparing"
    assert preparing.headers["Retry-After"]
    # WHEN the files worker runs
    stats = drain(http_stack)
    assert stats["done"] >= 1 and stats["failed"] == 0
    # THEN the zip is ready, and holds every file with its exact bytes
    data = requests.get(link["url"] + "/data", headers=viewer()).json()
    assert data["bundle"]["status"] == "ready" and data["bundle"]["size"] > 0
    location = requests.get(data["bundle"]["download_url"], headers=viewer(), allow_redirects=False).headers["Location"]
    archive = zipfile.ZipFile(io.BytesIO(requests.get(location).content))
    assert sorted(archive.namelist()) == sorted(files)
    for name, content in files.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == hashlib.sha256(content).hexdigest()
    # AND a scope's link gets the zip of its own files
    photos = t.link("r-zip", scope="photos")
    bundle = requests.get(photos["url"] + "/data", headers=viewer()).json()["bundle"]
    assert bundle["status"] == "ready"
    location = requests.get(bundle["download_url"], headers=viewer(), allow_redirects=False).headers["Location"]
    assert sorted(zipfile.ZipFile(io.BytesIO(requests.get(location).content)).namelist()) == [
        "photos/a.png",
        "photos/b.png",
    ]
    # AND a document update keeps the zips (same files: nothing to build again)
    t.call("PATCH", "/v1/resources/r-zip", {"document": {"summary": "updated"}})
    assert requests.get(link["url"] + "/data", headers=viewer()).json()["bundle"]["status"] == "ready"
    assert drain(http_stack)["due"] == 0


def test_deleting_files_and_resources_removes_their_objects(http_stack: Any) -> None:
    t = Tenant(http_stack)
    t.resource("r-del")
    bucket = http_stack.outputs["FilesBucketName"]
    first = t.upload("r-del", "one.pdf", PDF)
    t.upload("r-del", "two.pdf", PDF[::-1])
    link = t.link("r-del")
    drain(http_stack)  # the zip of both
    (key_one,) = _keys_for(http_stack, first["file_id"])
    prefix = key_one.rsplit("/", 1)[0] + "/"
    assert len(s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]) == 2
    # WHEN a file is deleted THEN viewers lose it at once, and the worker removes its object
    assert t.call("DELETE", f"/v1/resources/r-del/files/{first['file_id']}").status_code == 204
    assert requests.get(f"{link['url']}/files/{first['file_id']}", headers=viewer()).status_code == 404
    assert [f["name"] for f in requests.get(link["url"] + "/data", headers=viewer()).json()["files"]] == ["two.pdf"]
    assert t.call("DELETE", f"/v1/resources/r-del/files/{first['file_id']}").status_code == 404
    drain(http_stack)
    assert not [
        o for o in s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"] if o["Key"] == key_one
    ]
    # WHEN the resource is deleted THEN every object of it goes (files and zips)
    tenant_prefix = "/".join(key_one.split("/")[:3]) + "/"
    assert t.call("DELETE", "/v1/resources/r-del").status_code == 204
    drain(http_stack)
    assert not s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=tenant_prefix).get("Contents")
    assert (
        not s3(http_stack)
        .list_objects_v2(Bucket=bucket, Prefix=tenant_prefix.replace("files/", "bundles/"))
        .get("Contents")
    )


def test_a_failing_deletion_is_retried_and_counted(http_stack: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a deletion job whose first attempt meets an S3 outage (a fault at the AWS edge)
    from botocore.exceptions import EndpointConnectionError

    from chalicelib.files import objects

    t = Tenant(http_stack)
    t.resource("r-retry")
    entry = t.upload("r-retry", "x.pdf", PDF)
    t.call("DELETE", f"/v1/resources/r-retry/files/{entry['file_id']}")
    client = objects.client(http_stack.svc)
    real = client.delete_objects
    calls = {"n": 0}

    def flaky(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise EndpointConnectionError(endpoint_url=http_stack.aws_endpoint)
        return real(**kwargs)

    monkeypatch.setattr(client, "delete_objects", flaky)
    # WHEN the worker runs THEN the job is rescheduled with backoff, not lost
    assert drain(http_stack)["retrying"] == 1
    http_stack.svc.clock.advance(jobs.backoff_seconds(1) + 1)
    try:
        assert drain(http_stack)["done"] == 1
    finally:
        http_stack.svc.clock.advance(-(jobs.backoff_seconds(1) + 1))
    (key,) = _keys_for(http_stack, entry["file_id"]) or [None]
    assert key is None  # the record went with the object


def test_a_50_mb_file_goes_up_and_down_without_the_handler_holding_it(http_stack: Any) -> None:
    # GIVEN the handler process's peak memory so far
    def peak_kb() -> int:
        status = open(f"/proc/{http_stack.server_pid}/status").read()
        return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])

    t = Tenant(http_stack)
    t.resource("r-big")
    t.upload("r-big", "warm.pdf", PDF)  # the handler's own first-use costs (clients) are paid
    link = t.link("r-big")
    requests.get(link["url"] + "/data", headers=viewer())
    before = peak_kb()
    big = os.urandom(50 * 1024 * 1024)
    # WHEN 50 MB go up through the presigned PUT and down through the share link
    entry = t.upload("r-big", "big.bin", big, "application/octet-stream")
    location = requests.get(f"{link['url']}/files/{entry['file_id']}", headers=viewer(), allow_redirects=False).headers[
        "Location"
    ]
    with requests.get(location, stream=True) as fetched:
        digest = hashlib.sha256()
        for chunk in fetched.iter_content(1024 * 1024):
            digest.update(chunk)
    # THEN the bytes are identical and the handler's peak memory did not grow by the file
    assert digest.hexdigest() == hashlib.sha256(big).hexdigest()
    assert peak_kb() - before < 10 * 1024, (before, peak_kb())


def test_a_job_that_keeps_failing_is_set_aside_for_ops_and_can_be_retried(
    http_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.files import objects
    from chalicelib.storage.models import FileJob

    svc = http_stack.svc
    txn = svc.store.txn()
    job_id = jobs.stage_delete_objects(
        txn, "ten_0000000000000000", ["files/ten_0000000000000000/x/y"], now=svc.clock.time()
    )
    txn.commit()
    FileJob(*FileJob.key(job_id)).update(actions=[FileJob.attempts.set(jobs.MAX_ATTEMPTS - 1)])

    def outage(**kwargs: Any) -> Any:  # S3 answers, but refuses every key (a fault at the AWS edge)
        return {"Errors": [{"Key": kwargs["Delete"]["Objects"][0]["Key"], "Code": "AccessDenied"}]}

    monkeypatch.setattr(objects.client(svc), "delete_objects", outage)
    # WHEN its last attempt fails THEN it leaves the queue and is listed for ops, with its error
    assert drain(http_stack)["failed"] == 1
    listed = [j for j in jobs.failed_jobs(svc) if j["job_id"] == job_id]
    assert listed and listed[0]["attempts"] == jobs.MAX_ATTEMPTS and "AccessDenied" in listed[0]["last_error"]
    assert drain(http_stack)["due"] == 0
    # WHEN ops put it back after fixing the cause THEN it runs
    monkeypatch.undo()
    assert jobs.retry_failed(svc, job_id) and not jobs.retry_failed(svc, job_id)
    assert drain(http_stack)["done"] == 1
    assert svc.store.get(FileJob, FileJob.key(job_id)) is None


def test_a_tenant_purge_removes_every_object_of_the_tenant(http_stack: Any) -> None:
    # GIVEN a tenant with files in two resources (what tenant deletion stages, through its hook)
    t = Tenant(http_stack, "Leaving Co")
    for resource_id in ("r-a", "r-b"):
        t.resource(resource_id)
        t.upload(resource_id, "a.pdf", PDF)
        t.upload(resource_id, "b.pdf", PDF[::-1])
    staying = Tenant(http_stack, "Staying Co")
    staying.resource("r-stay")
    staying.upload("r-stay", "keep.pdf", PDF)
    staying_id = staying.call("GET", "/v1/tenant").json()["id"]
    svc = http_stack.svc
    tenant_id = t.call("GET", "/v1/tenant").json()["id"]
    bucket = http_stack.outputs["FilesBucketName"]
    drain(http_stack)
    assert len(s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=f"files/{tenant_id}/")["Contents"]) == 4
    assert s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=f"bundles/{tenant_id}/").get("Contents")
    # WHEN the purge job runs
    txn = svc.store.txn()
    jobs.stage_tenant_purge(txn, tenant_id, now=svc.clock.time())
    txn.commit()
    assert drain(http_stack)["done"] == 1
    # THEN nothing of the tenant is left in the bucket, and other tenants' objects are untouched
    for prefix in (f"files/{tenant_id}/", f"bundles/{tenant_id}/"):
        assert not s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents")
    assert s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=f"files/{staying_id}/").get("Contents")


def test_deleting_a_tenant_through_the_platform_api_removes_its_objects(http_stack: Any) -> None:
    # GIVEN a product's tenant, made through the platform API, with files
    from chalicelib.platform import keys

    _, platform = keys.create_key(http_stack.svc, name="product backend", namespace="files-ns")
    auth = {"Authorization": f"Bearer {platform}"}
    made = requests.put(
        f"{http_stack.api_url}/v1/tenants/org-files", json={"name": "Org with files", "plan": "team"}, headers=auth
    )
    assert made.status_code == 201, made.text
    tenant_id = made.json()["keyhole_id"]
    acting = {**auth, "Keyhole-Tenant": "org-files"}
    api = http_stack.api_url
    assert (
        requests.put(
            f"{api}/v1/resources/r", json={"type": "t", "name": "n", "document": {}}, headers=acting
        ).status_code
        == 201
    )
    started = requests.post(
        f"{api}/v1/resources/r/files",
        headers=acting,
        json={
            "name": "a.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
        },
    )
    upload = started.json()["upload"]
    assert requests.put(upload["url"], data=PDF, headers=upload["headers"]).status_code == 200
    assert (
        requests.post(f"{api}/v1/resources/r/files/{started.json()['file_id']}/complete", headers=acting).status_code
        == 200
    )
    (key,) = _keys_for(http_stack, started.json()["file_id"])
    tenant_prefix = "/".join(key.split("/")[:2]) + "/"
    assert key.split("/")[1] == tenant_id
    bucket = http_stack.outputs["FilesBucketName"]
    assert s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=tenant_prefix).get("Contents")
    # WHEN the product deletes the tenant, and the files worker runs
    assert requests.delete(f"{api}/v1/tenants/org-files", headers=auth).status_code in (202, 204)
    drain(http_stack)
    # THEN nothing of it is left in the bucket
    assert not s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=tenant_prefix).get("Contents")


def test_a_version_with_many_large_sets_still_publishes_and_gets_its_zips(http_stack: Any) -> None:
    # GIVEN a resource of 100 files with long names in 25 folders, and 25 scopes that each show
    # every folder but one: 26 sets of about 100 files (their entries, copied into one job,
    # would be ~600 KB compressed, past DynamoDB's 400 KB item limit)
    import random
    import string

    folders = 25
    scopes = {f"s{k}": [f"file:f{j:02d}/*" for j in range(folders) if j != k] for k in range(folders)}
    t = Tenant(http_stack, "Many Sets Co")
    t.resource("r-sets", scopes=scopes)
    rng = random.Random(7)
    names = []
    for n in range(folders * 4):
        name = f"f{n % folders:02d}/" + "".join(rng.choices(string.ascii_letters + string.digits, k=230)) + ".bin"
        # WHEN each file is published THEN every version is written (no 500)
        t.upload("r-sets", name, f"file {n}".encode(), "application/octet-stream")
        names.append(name)
    assert t.call("PATCH", "/v1/resources/r-sets", {"document": {"summary": "still writable"}}).status_code == 200
    # AND the worker builds the zips from the version's stored files
    while drain(http_stack)["due"]:
        pass
    whole = t.link("r-sets")
    bundle = requests.get(whole["url"] + "/data", headers=viewer()).json()["bundle"]
    assert bundle["status"] == "ready"
    location = requests.get(bundle["download_url"], headers=viewer(), allow_redirects=False).headers["Location"]
    assert sorted(zipfile.ZipFile(io.BytesIO(requests.get(location).content)).namelist()) == sorted(names)
    scoped = t.link("r-sets", scope="s3")
    bundle = requests.get(scoped["url"] + "/data", headers=viewer()).json()["bundle"]
    assert bundle["status"] == "ready"
    location = requests.get(bundle["download_url"], headers=viewer(), allow_redirects=False).headers["Location"]
    shown = [n for n in names if not n.startswith("f03/")]
    assert sorted(zipfile.ZipFile(io.BytesIO(requests.get(location).content)).namelist()) == sorted(shown)


def test_a_zip_built_while_a_file_is_deleted_does_not_stay_in_the_bucket(http_stack: Any) -> None:
    # GIVEN three published files, whose zip the worker is about to build
    from chalicelib.files import objects

    t = Tenant(http_stack, "Racing Co")
    t.resource("r-race")
    gone = t.upload("r-race", "gone.pdf", PDF)
    t.upload("r-race", "stays.pdf", PDF[::-1])
    t.upload("r-race", "also.pdf", PDF[1:])
    tenant_id = t.call("GET", "/v1/tenant").json()["id"]
    client = objects.client(http_stack.svc)
    deleted = []

    def delete_the_file(**kwargs: Any) -> None:
        # WHEN the file is deleted just as the zip's upload completes (a new version)
        if not deleted:
            deleted.append(t.call("DELETE", f"/v1/resources/r-race/files/{gone['file_id']}").status_code)

    client.meta.events.register("before-call.s3.CompleteMultipartUpload", delete_the_file, unique_id="race-delete")
    try:
        drain(http_stack)
    finally:
        client.meta.events.unregister("before-call.s3.CompleteMultipartUpload", unique_id="race-delete")
    assert deleted == [204]
    while drain(http_stack)["due"]:
        pass
    # THEN the new version's zip is ready, and no zip in the bucket holds the deleted file
    link = t.link("r-race")
    assert requests.get(link["url"] + "/data", headers=viewer()).json()["bundle"]["status"] == "ready"
    bucket = http_stack.outputs["FilesBucketName"]
    stored = s3(http_stack).list_objects_v2(Bucket=bucket, Prefix=f"bundles/{tenant_id}/").get("Contents") or []
    assert stored
    for item in stored:
        body = s3(http_stack).get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        assert "gone.pdf" not in zipfile.ZipFile(io.BytesIO(body)).namelist(), item["Key"]


def test_a_complete_that_fails_to_publish_leaves_the_upload_tagged_pending(http_stack: Any) -> None:
    # GIVEN an uploaded file (tagged pending by its PUT), and a complete run by the API's own code
    from chalicelib.files import objects
    from chalicelib.resources import resource_files
    from chalicelib.runtime.errors import NotFound
    from chalicelib.service import RequestInfo
    from chalicelib.storage.models import ResourceHead
    from chalicelib.tenancy import apikeys

    svc = http_stack.svc
    t = Tenant(http_stack, "Tagged Co")
    t.resource("r-tag")
    started = t.start("r-tag", "a.pdf", PDF).json()
    upload = started["upload"]
    assert requests.put(upload["url"], data=PDF, headers=upload["headers"]).status_code == 200
    tenant_id = t.call("GET", "/v1/tenant").json()["id"]
    principal, (head,) = apikeys.authenticate(svc, t.admin, [(ResourceHead, ResourceHead.key(tenant_id, "r-tag"))])
    (key,) = _keys_for(http_stack, started["file_id"])
    client = objects.client(svc)
    removed = []

    def remove_the_resource(**kwargs: Any) -> None:
        # WHEN the resource goes while the complete checks the stored object (publishing then fails)
        if not removed:
            removed.append(t.call("DELETE", "/v1/resources/r-tag").status_code)

    client.meta.events.register("before-call.s3.HeadObject", remove_the_resource, unique_id="tag-race")
    try:
        with pytest.raises(NotFound):
            resource_files.complete(svc, principal, head, started["file_id"], RequestInfo(request_id="tag-test"))
    finally:
        client.meta.events.unregister("before-call.s3.HeadObject", unique_id="tag-race")
    assert removed == [204]
    # THEN the object keeps its pending tag (the lifecycle rule still removes it)
    bucket = http_stack.outputs["FilesBucketName"]
    tags = s3(http_stack).get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    assert {"Key": "keyhole-upload", "Value": "pending"} in tags


def test_completing_a_published_file_again_clears_its_pending_tag(http_stack: Any) -> None:
    # GIVEN a published file whose object got its pending tag back (a clear lost after the publish)
    t = Tenant(http_stack, "Repair Co")
    t.resource("r-repair")
    entry = t.upload("r-repair", "a.pdf", PDF)
    (key,) = _keys_for(http_stack, entry["file_id"])
    bucket = http_stack.outputs["FilesBucketName"]
    assert s3(http_stack).get_object_tagging(Bucket=bucket, Key=key)["TagSet"] == []
    s3(http_stack).put_object_tagging(
        Bucket=bucket, Key=key, Tagging={"TagSet": [{"Key": "keyhole-upload", "Value": "pending"}]}
    )
    # WHEN the complete is repeated THEN it answers the file and the tag is gone
    again = t.call("POST", f"/v1/resources/r-repair/files/{entry['file_id']}/complete")
    assert again.status_code == 200 and again.json()["file_id"] == entry["file_id"]
    assert s3(http_stack).get_object_tagging(Bucket=bucket, Key=key)["TagSet"] == []
