"""The Python client (clients/python, `keyhole_client`) against the local stack over real HTTP:
every method at least once, typed answers, pagination over several pages, error mapping, and
retries (a real 429 from a key's rate limit, honouring `Retry-After`; 503s from a scripted
server, bounded in total time)."""
from __future__ import annotations

import json
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.tenancy import tenants
from keyhole_client import (
    UNSET,
    Forbidden,
    Keyhole,
    LimitReached,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RetryPolicy,
    TenantRequired,
    TokenTaken,
    TransportError,
    Unauthorized,
    Unavailable,
    ValidationError,
    models,
)
from keyhole_client.client import FOR_BROWSERS, OPERATIONS
from tests.clients.kit import scripted_server

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def admin_key(http_stack: Any) -> str:
    _, admin = tenants.create_tenant(http_stack.svc, name="Client Co", plan="team")
    return admin


@pytest.fixture()
def kh(http_stack: Any, admin_key: str) -> Any:
    with Keyhole(api_url=http_stack.api_url, api_key=admin_key) as client:
        yield client


def test_every_method_of_the_client_against_the_stack(kh: Keyhole, http_stack: Any) -> None:
    tenant = kh.tenant.get()
    assert isinstance(tenant, models.Tenant) and tenant.plan == "team"
    assert isinstance(tenant.limits, models.Limits) and tenant.limits.links_per_resource == 10
    assert isinstance(tenant.created_at, datetime) and tenant.created_at.tzinfo is not None
    assert kh.tenant.update(display_name="Client Co Billing").settings.display_name == "Client Co Billing"

    key = kh.api_keys.create("ci-operator", "operator")
    assert key.key.startswith("kh_") and key.role == "operator"
    assert key.id in [k.id for k in kh.api_keys.list()]

    with Keyhole(api_url=http_stack.api_url, api_key=key.key) as op:
        made = op.resources.put("invoice:42", type="invoice", name="Invoice #42",
                                document={"total": 1250.5, "api_key": "sk_live_1", "lines": [{"qty": 1}]},
                                redact=["api_key"], scopes={"summary": ["total"]})
        assert made.id == "invoice:42" and made.version == 1 and made.kind == "document"
        got = op.resources.get("invoice:42")
        assert got.document == {"total": 1250.5, "api_key": "sk_live_1", "lines": [{"qty": 1}]}
        assert got.redact == ["api_key"] and got.etag == made.etag
        patched = op.resources.patch("invoice:42", document={"total": 1300, "lines": None}, if_match=got.etag)
        assert patched.document == {"total": 1300, "api_key": "sk_live_1"} and patched.version == 2
        assert "invoice:42" in [r.id for r in op.resources.list()]

        link = op.links.create("invoice:42", label="For Globex", expires_in="7d", max_views=None)
        assert isinstance(link, models.NewLink) and link.url.endswith(link.token)
        assert link.expires_at is not None and link.expires_at - datetime.now(timezone.utc) > timedelta(days=6)
        data = op.viewer.data(link.url)
        assert data.document == {"total": 1300, "api_key": "***"}
        assert op.viewer.info(link.token).label == "For Globex"
        assert [x.id for x in op.links.list()] == [link.id]
        assert [x.id for x in op.links.list("invoice:42", status="all")] == [link.id]
        assert op.links.get(link.id).view_count >= 0
        updated = op.links.update(link.id, label="For Globex AP", description=UNSET, max_views=None)
        assert updated.label == "For Globex AP"
        assert op.links.reveal(link.id).token == link.token
        seen = kh.introspect(link.token)
        assert seen.active and seen.link is not None and seen.link.id == link.id
        assert seen.resource is not None and seen.resource.id == "invoice:42"
        assert kh.introspect("not-a-token").active is False
        logs = list(op.links.access_logs(link.id))
        assert [e.path.rsplit("/", 1)[-1] for e in logs] == ["info", "data"]  # newest first
        assert isinstance(logs[0], models.AccessLogEntry) and link.token not in logs[0].path
        op.links.revoke(link.id)
        assert op.links.get(link.id).status == "revoked"
        with pytest.raises(NotFound):
            op.viewer.data(link.url)

        extra = op.links.create("invoice:42", embeddable=True)
        assert extra.embeddable is True
        paused = op.links.update(extra.id, paused=True, password="a new password")
        assert paused.status == "paused" and paused.paused and paused.has_password
        assert op.links.update(extra.id, paused=False, password=None).status == "active"
        batch = op.links.revoke_many([extra.id, "lnk_" + "0" * 24], reason="ci")
        assert isinstance(batch, models.LinksRevoked) and batch.revoked == 1 and batch.complete
        assert [(r.link_id, r.status) for r in batch.links] == [(extra.id, "revoked"), ("lnk_" + "0" * 24, "not_found")]
        ticket = op.console.create_session(resource_id="invoice:42", actor="user:1")
        assert "/share#ticket=kht_" in ticket.url and ticket.expires_at is not None

        origin = op.resources.put("live:1", type="monitor", name="Live", origin={"url": "http://127.0.0.1:9/app"})
        assert origin.kind == "origin" and (origin.origin_secret or "").startswith("whsec_")
        rotated = op.resources.rotate_origin_secret("live:1")
        assert rotated.origin_secret and rotated.origin_secret != origin.origin_secret
        assert rotated.previous_secret_retires_at is not None
        op.resources.delete("live:1")
        with pytest.raises(NotFound):
            op.resources.get("live:1")

    hook = kh.webhooks.create("http://127.0.0.1:9/hook", ["share.created", "share.revoked"], description="ci")
    assert hook.secret.startswith("whsec_") and hook.events == ["share.created", "share.revoked"]
    assert [h.id for h in kh.webhooks.list()] == [hook.id]
    assert list(kh.webhooks.deliveries(hook.id)) == []
    kh.webhooks.delete(hook.id)
    actions = [event.action for event in kh.audit.list()]
    assert "link.revoked" in actions and "api_key.created" in actions
    assert kh.openapi()["info"]["version"] == "1.0.0"
    kh.api_keys.delete(key.id)
    with Keyhole(api_url=http_stack.api_url, api_key=key.key) as gone:
        with pytest.raises(Unauthorized):
            gone.tenant.get()


def test_a_product_backend_makes_tenants_and_acts_for_them(http_stack: Any) -> None:
    """The platform namespace with a platform key of its own namespace: every method once, an id
    with `:` and `.` (sent percent-encoded), acting for a tenant as one of the product's users."""
    from chalicelib.platform import keys

    _, platform_key = keys.create_key(http_stack.svc, name="client backend", namespace=f"clients-{uuid.uuid4().hex[:8]}")
    with Keyhole(api_url=http_stack.api_url, api_key=platform_key) as platform:
        made = platform.tenants.put("org:7.a", name="Globex", plan="team", overrides={"shared_resources": 5},
                                    branding={"accent_color": "#0f766e"})
        assert isinstance(made, models.PlatformTenant) and made.id == "org:7.a" and made.status == "active"
        assert made.keyhole_id.startswith("ten_") and made.limits.shared_resources == 5
        assert made.settings.accent_color == "#0f766e" and made.settings.allow_imported_tokens is False
        assert platform.tenants.put("org:7.a", name="Globex", plan="team").keyhole_id == made.keyhole_id  # idempotent
        platform.tenants.put("org-8", name="Initech", plan="free")
        plan = platform.plans.put("pro", {"links_per_resource": 50, "shared_resources": None})
        assert isinstance(plan, models.Plan) and plan.source == "namespace" and plan.limits.links_per_resource == 50
        assert {"free", "team", "enterprise", "pro"} <= {p.name for p in platform.plans.list()}
        template = "https://app.example.com/m/{token}"
        updated = platform.tenants.update("org:7.a", plan="pro",
                                          settings={"allow_imported_tokens": True, "share_url_template": template})
        assert updated.plan == "pro" and updated.limits.links_per_resource == 50
        assert updated.settings.allow_imported_tokens and updated.settings.share_url_template == template
        pages = list(platform.tenants.list(limit=1).pages())
        assert len(pages) >= 2 and {t.id for p in pages for t in p.items} == {"org:7.a", "org-8"}
        assert platform.tenants.get("org:7.a").plan == "pro"
        with pytest.raises(TenantRequired) as required:
            platform.resources.list().first_page()
        assert required.value.status == 400

        alice = platform.for_tenant("org:7.a", actor="user:alice")
        alice.resources.put("report-7", type="report", name="Report 7", document={"score": 97})
        own = alice.links.create("report-7")
        assert own.url == template.replace("{token}", own.token)
        assert (own.token_source, own.token_strength) == ("keyhole", "strong")
        assert isinstance(own.created_by, models.ByRef) and own.created_by.actor == "user:alice"
        assert own.created_by.key_id.startswith("pkey_")
        # Token hashes are global and a stack is shared by the tests: tokens of this test's own
        legacy, longer, absent = (uuid.uuid4().hex[:n] for n in (12, 16, 13))
        imported = alice.links.create("report-7", import_token=legacy, label="old link")
        assert (imported.token, imported.token_source, imported.token_strength) == (legacy, "imported", "legacy")
        assert alice.viewer.data(imported.token).document == {"score": 97}
        then = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
        batch = alice.links.import_([
            {"resource_id": "report-7", "import_token": longer, "label": "Q1", "created_at": then},
            {"resource_id": "report-7", "import_token": legacy},
            {"resource_id": "no-such-report", "import_token": absent},
        ])
        assert isinstance(batch, models.ImportResult) and (batch.created, batch.failed) == (1, 2)
        first, taken, missing = batch.results
        assert first.status == 201 and first.link is not None and first.exception is None
        assert (first.link.label, first.link.created_at, first.link.token_source) == ("Q1", then, "imported")
        assert taken.index == 1 and taken.status == 409 and isinstance(taken.exception, TokenTaken)
        assert missing.status == 404 and isinstance(missing.exception, NotFound)
        with pytest.raises(TokenTaken):
            alice.links.create("report-7", import_token=longer)
        platform.for_tenant("org:7.a", actor="user:bob").links.create("report-7")
        assert {x.id for x in alice.links.list(actor="user:alice")} == {own.id, imported.id, first.link.id}
        alice.links.revoke(own.id)
        assert alice.links.get(own.id).revoked_by == models.ByRef(key_id=own.created_by.key_id, actor="user:alice")

        suspended = platform.tenants.suspend("org:7.a")
        assert suspended.status == "suspended" and suspended.suspended_at is not None
        with pytest.raises(NotFound):
            alice.viewer.data(imported.token)
        assert platform.tenants.resume("org:7.a").status == "active"
        assert alice.viewer.data(imported.token).document == {"score": 97}
        key = platform.tenants.create_key("org:7.a", name="Globex ops", role="operator")
        assert isinstance(key, models.NewApiKey) and key.role == "operator"
        with Keyhole(api_url=http_stack.api_url, api_key=key.key) as own_key:
            assert own_key.tenant.get().id == made.keyhole_id
            with pytest.raises(Forbidden):
                own_key.tenants.get("org:7.a")
        usage = platform.tenants.usage("org:7.a")
        assert isinstance(usage, models.TenantDailyUsage) and len(usage.daily) == 90
        assert isinstance(usage.daily[-1].date, date) and set(usage.totals) == {"views", "links_created"}
        assert platform.tenants.delete("org-8") is None
        with pytest.raises(NotFound):
            platform.tenants.get("org-8")


def test_files_go_up_and_down_through_the_client(kh: Keyhole, http_stack: Any) -> None:
    from chalicelib.files import jobs

    kh.resources.put("passport:1", type="passport", name="Scan passport", document={"summary": "ok"})
    report = kh.files.upload("passport:1", "reports/report.pdf", b"%PDF-1.4 report", "application/pdf")
    assert isinstance(report, models.File) and report.status == "published" and report.resource_version == 2
    photo = kh.files.upload("passport:1", "photo.png", b"\x89PNG not really", "image/png")
    started = kh.files.start("passport:1", name="later.pdf", content_type="application/pdf", size=3, sha256="0" * 64)
    assert isinstance(started, models.FileUploadStarted) and started.upload["method"] == "PUT"
    kh.files.delete("passport:1", started.file_id)  # a pending upload is forgotten
    assert [f["name"] for f in kh.resources.get("passport:1").files or []] == ["reports/report.pdf", "photo.png"]
    link = kh.links.create("passport:1")
    data = kh.viewer.data(link.url)
    assert [f["id"] for f in data.files or []] == [report.file_id, photo.file_id]
    assert data.bundle is not None and data.bundle["status"] == "preparing"
    assert kh.viewer.download(link.url, report.file_id) == b"%PDF-1.4 report"
    jobs.drain(http_stack.svc)  # the files worker builds the zip
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(kh.viewer.download(link.token, "bundle")))
    assert sorted(archive.namelist()) == ["photo.png", "reports/report.pdf"]
    kh.files.delete("passport:1", photo.file_id)
    with pytest.raises(NotFound):
        kh.viewer.download(link.url, photo.file_id)


def test_lists_are_iterators_that_follow_next_cursor(kh: Keyhole) -> None:
    for n in range(5):
        kh.resources.put(f"page-{n}", type="t", name=f"Page {n}", document={"n": n})
    pages = list(kh.resources.list(limit=2).pages())
    assert len(pages) >= 3 and all(len(p.items) <= 2 for p in pages) and pages[-1].next_cursor is None
    ids = [r.id for r in kh.resources.list(limit=2)]
    assert len(ids) == len(set(ids)) and {f"page-{n}" for n in range(5)} <= set(ids)
    first = kh.resources.list(limit=2).first_page()
    rest = [r.id for r in kh.resources.list(limit=2, cursor=first.next_cursor)]
    assert [r.id for r in first.items] + rest == ids


def test_errors_carry_status_code_details_and_request_id(kh: Keyhole, http_stack: Any) -> None:
    kh.resources.put("errors-0", type="t", name="Errors", document={})
    with pytest.raises(NotFound) as missing:
        kh.links.get("lnk_000000000000000000000000")
    assert missing.value.status == 404 and missing.value.code == "not_found" and missing.value.request_id
    with pytest.raises(ValidationError) as invalid:
        kh.links.create("errors-0", expires_in="a fortnight")
    assert invalid.value.status == 422 and [d.field for d in invalid.value.details] == ["expires_in"]
    assert "expires_in" in str(invalid.value)
    stale = kh.resources.get("errors-0").etag
    kh.resources.patch("errors-0", name="Renamed")
    with pytest.raises(PreconditionFailed):
        kh.resources.patch("errors-0", name="Again", if_match=stale)
    viewer = kh.api_keys.create("read-only", "viewer")
    with Keyhole(api_url=http_stack.api_url, api_key=viewer.key) as read_only, pytest.raises(Forbidden):
        read_only.resources.delete("errors-0")
    _, free = tenants.create_tenant(http_stack.svc, name="Free Co", plan="free")
    with Keyhole(api_url=http_stack.api_url, api_key=free) as small:
        small.resources.put("one", type="t", name="n", document={})
        small.links.create("one")
        with pytest.raises(LimitReached) as limit:
            small.links.create("one")
    assert limit.value.status == 409 and limit.value.limit == "links_per_resource"
    with Keyhole(api_url=http_stack.api_url, api_key="kh_nope") as nobody, pytest.raises(Unauthorized):
        nobody.tenant.get()


def test_a_real_429_is_retried_after_retry_after_within_the_time_bound(http_stack: Any) -> None:
    _, key = tenants.create_tenant(http_stack.svc, name="Busy Co", plan="team", overrides={"api_requests_per_min": 3})
    # Within a short bound the client does not wait for the window: RateLimited at once, with the wait.
    impatient = Keyhole(api_url=http_stack.api_url, api_key=key, retry=RetryPolicy(max_total_seconds=0.5))
    started = time.monotonic()
    with pytest.raises(RateLimited) as limited:
        for _ in range(4):
            impatient.tenant.get()
    assert time.monotonic() - started < 5
    assert limited.value.status == 429 and 1 <= (limited.value.retry_after or 0) <= 60
    # With the default bound (65 s: more than any window's Retry-After) it waits for the window to end and succeeds.
    patient = Keyhole(api_url=http_stack.api_url, api_key=key)
    started = time.monotonic()
    assert patient.tenant.get().name == "Busy Co"
    waited = time.monotonic() - started
    assert limited.value.retry_after - 2 <= waited <= 65, waited


def test_503_is_retried_with_backoff_and_given_up_within_the_bound() -> None:
    calls: list[float] = []

    def answers(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        calls.append(time.monotonic())
        if len(calls) <= 2:
            error = {"error": {"code": "unavailable", "message": "busy", "request_id": f"r{len(calls)}"}}
            return 503, {"Content-Type": "application/json", "Retry-After": "1"}, json.dumps(error).encode()
        return 200, {"Content-Type": "application/json"}, json.dumps({"active": False}).encode()

    with scripted_server(answers) as (url, received):
        kh = Keyhole(api_url=url, api_key="kh_x", tenant="org-7", actor="user:42")
        assert kh.introspect("t").active is False
        assert len(calls) == 3 and calls[1] - calls[0] >= 1 and calls[2] - calls[1] >= 1
        method, path, headers, body = received[-1]
        assert (method, path) == ("POST", "/v1/introspect") and json.loads(body) == {"token": "t"}
        assert headers["authorization"] == "Bearer kh_x"
        assert headers["keyhole-tenant"] == "org-7" and headers["keyhole-actor"] == "user:42"
        assert headers["user-agent"].startswith("keyhole-client-python/")
        calls.clear()
        with pytest.raises(Unavailable) as unavailable:
            Keyhole(api_url=url, api_key="kh_x", retry=RetryPolicy(max_retries=1)).introspect("t")
        assert unavailable.value.status == 503 and unavailable.value.request_id == "r2" and len(calls) == 2
    with pytest.raises(TransportError):
        Keyhole(api_url=url, api_key="kh_x", timeout=2).tenant.get()  # the server is gone


def test_path_parameters_are_encoded_and_the_operation_table_follows_the_document() -> None:
    with scripted_server(lambda *a: (404, {"Content-Type": "application/json"},
                                     b'{"error": {"code": "not_found", "message": "x", "request_id": "r"}}')) as (url, got):
        with pytest.raises(NotFound):
            Keyhole(api_url=url, api_key="k").resources.get("a/b:c d")
        assert got[0][1] == "/v1/resources/a%2Fb%3Ac%20d"
    from chalicelib.runtime import apidoc

    document_ops = {op["operationId"] for item in apidoc.document()["paths"].values()
                    for method, op in item.items() if method != "parameters"}
    assert set(OPERATIONS) | FOR_BROWSERS == document_ops, "a route the Python client does not follow"
    for name in OPERATIONS.values():
        target: Any = Keyhole(api_url="http://127.0.0.1:9", api_key="k")
        for part in name.split("."):
            target = getattr(target, part)
        assert callable(target), name


def test_the_models_follow_the_documents_schemas() -> None:
    """A field the document adds, renames or drops fails here until the model follows."""
    import dataclasses

    from chalicelib.runtime import apidoc

    document = apidoc.document()
    schemas = document["components"]["schemas"]
    answered: set[str] = set()  # the schemas the client's operations answer with (page items included)
    for item in document["paths"].values():
        for method, op in item.items():
            if method == "parameters" or op["operationId"] not in OPERATIONS or op["operationId"] == "getOpenApi":
                continue
            for status, response in op["responses"].items():
                ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                if status.startswith("2") and ref:
                    name = ref.rsplit("/", 1)[-1]
                    item_ref = schemas[name].get("properties", {}).get("items", {}).get("items", {}).get("$ref")
                    answered.add(item_ref.rsplit("/", 1)[-1] if name.endswith("Page") and item_ref else name)
    assert answered - set(models.SCHEMAS) == set(), "answers the Python client has no model for"
    for name, model in models.SCHEMAS.items():
        fields = {f.name for f in dataclasses.fields(model)} - {"extra"}
        assert fields == set(schemas[name]["properties"]), (name, fields ^ set(schemas[name]["properties"]))


def test_the_clients_versions_follow_the_api() -> None:
    import tomllib

    import keyhole_client
    from chalicelib.runtime import apidoc
    from tests.clients.kit import PYTHON_CLIENT, TS_CLIENT

    version = apidoc.document()["info"]["version"]
    assert keyhole_client.__version__ == keyhole_client.API_VERSION == version
    assert tomllib.loads((PYTHON_CLIENT / "pyproject.toml").read_text())["project"]["version"] == version
    assert json.loads((TS_CLIENT / "package.json").read_text())["version"] == version


def test_viewer_requests_carry_no_key_tenant_or_actor() -> None:
    info = {"label": None, "description": None, "expires_at": None, "has_password": False, "tenant": {"name": "T"},
            "resource": {"type": "t", "name": "n"}}
    with scripted_server(lambda *a: (200, {"Content-Type": "application/json"}, json.dumps(info).encode())) as (url, got):
        kh = Keyhole(api_url=url, api_key="kh_secret", tenant="org-7", actor="user:42")
        assert kh.viewer.info(f"{url}/share/{'A' * 64}").tenant == {"name": "T"}
        assert kh.viewer.info("B" * 64).label is None
    assert [path for _, path, _, _ in got] == [f"/share/{'A' * 64}/info", f"/share/{'B' * 64}/info"]
    for _, _, headers, _ in got:
        assert not {"authorization", "keyhole-tenant", "keyhole-actor"} & set(headers), headers
