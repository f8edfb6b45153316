"""Metrics (CloudWatch EMF lines, as Lambda writes them to its log) and log context, read from the
process output of real requests through the app (Chalice's test client, moto in process) and of
the Lambda event handlers (stream consumer, webhook drain, slot sweep)."""
from __future__ import annotations

import io
import json
import math
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from chalice.test import Client

from chalicelib.runtime import telemetry
from chalicelib.tenancy import tenants
from chalicelib.service import Keyhole
from devstack.moto_server import free_port
from devstack.pump import LocalContext, _scheduled_event
from tests.conftest import Api, settings_for
from tests.stream.conftest import receiver, stream, tenant  # noqa: F401 (fixtures)
from tests.stream.kit import open_link, register, share
from tests.support import fresh_ip, make_link, make_tenant, random_token


def emf(output: str) -> List[Dict[str, Any]]:
    """The EMF records in a process's output."""
    records = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            records.append(json.loads(line))
    return records


def metric(output: str, name: str, **dimensions: str) -> Tuple[float, List[List[str]]]:
    """The total of `name` over the EMF records whose dimensions include `dimensions`, and the
    dimension sets it was published under."""
    total, sets = 0.0, []
    for record in emf(output):
        (directive,) = record["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Keyhole"
        names = [m["Name"] for m in directive["Metrics"]]
        if name in names and all(record.get(k) == v for k, v in dimensions.items()):
            value = record[name]
            total += sum(value) if isinstance(value, list) else value
            sets = directive["Dimensions"]
    return total, sets


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the app's log handlers write (Powertools' handler and formatter, the same objects the
    Lambda uses; only their stream is pointed here instead of at the stdout they were created with)."""
    import app as app_module

    buffer = io.StringIO()
    handlers = list(app_module.logger.handlers)
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream_before in zip(handlers, previous):
        handler.setStream(stream_before)


def logs(output: str) -> List[Dict[str, Any]]:
    """The structured log lines (Powertools JSON) in a process's output."""
    lines = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' not in line:
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def at_window_start(clock: Any) -> None:
    """Move the clock to just after a minute boundary, so a test's requests share one window."""
    now = clock.time()
    clock.advance((math.floor(now / 60) + 1) * 60 + 0.5 - now)


def test_views_and_error_statuses_are_counted_with_the_stage_dimension(svc, app_client, capfd):
    t = make_tenant(svc, app_client, name="Metrics Co")
    link = make_link(app_client, t.operator, t.resource_id)
    capfd.readouterr()
    ip = fresh_ip()
    assert app_client.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200
    assert app_client.get(f"/share/{link['token']}", headers={"x-forwarded-for": ip}).status == 200
    assert app_client.get(f"/share/{link['token']}/info", headers={"x-forwarded-for": ip}).status == 200  # not a view
    assert app_client.get(f"/share/{random_token()}/data", headers={"x-forwarded-for": ip}).status == 404
    assert app_client.get("/v1/tenant", key="kh_nope").status == 401
    assert app_client.post("/v1/api-keys", key=t.admin, body={"role": "boss"}).status == 422
    out = capfd.readouterr().out
    assert metric(out, "views", stage="test") == (2.0, [["stage"]])
    assert metric(out, "http_4xx", stage="test")[0] == 3
    for code in ("404", "401", "422"):
        assert metric(out, "http_4xx", stage="test", code=code) == (1.0, [["stage"], ["stage", "code"]])
    assert metric(out, "http_5xx")[0] == 0 and metric(out, "rate_limited")[0] == 0
    # one EMF record per invocation and dimension set; never a `service` dimension
    assert all("service" not in sum(r["_aws"]["CloudWatchMetrics"][0]["Dimensions"], []) for r in emf(out))


def test_429s_are_counted_by_the_limit_that_refused_them(svc, app_client, clock, capfd):
    t = make_tenant(svc, app_client, name="Limits Co",
                    overrides={"api_requests_per_min": 3, "viewer_requests_per_min_per_ip": 3})
    capped = make_link(app_client, t.operator, t.resource_id, rate_limit_per_min=1)
    roomy = make_tenant(svc, app_client, name="Unlock Co")
    locked = make_link(app_client, roomy.operator, roomy.resource_id, password="correct horse")
    at_window_start(clock)
    capfd.readouterr()
    # the API key's window
    assert [app_client.get("/v1/tenant", key=t.viewer).status for _ in range(4)] == [200, 200, 200, 429]
    # the link's own window
    ip = fresh_ip()
    assert [app_client.get(f"/share/{capped['token']}/data", headers={"x-forwarded-for": ip}).status
            for _ in range(2)] == [200, 429]
    # the viewer address's window (3 a minute): every viewer request from the address counts against
    # it, the one the link's window refused too (the address is counted first, in its own write)
    info = [app_client.get(f"/share/{capped['token']}/info", headers={"x-forwarded-for": ip}).status
            for _ in range(3)]
    assert info == [200, 429, 429]
    # password attempts on one link (5 a minute)
    other_ip = fresh_ip()
    statuses = [app_client.post(f"/share/{locked['token']}/unlock", body={"password": "wrong one!"},
                                headers={"x-forwarded-for": other_ip}).status for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    # the enumeration guard (30 dead tokens a minute for unknown tokens)
    guard_ip = fresh_ip()
    dead = [app_client.get(f"/share/{random_token()}/data", headers={"x-forwarded-for": guard_ip}).status
            for _ in range(31)]
    assert dead == [404] * 30 + [429]
    out = capfd.readouterr().out
    assert metric(out, "rate_limited", limit="api_requests_per_min") == (1.0, [["stage"], ["stage", "limit"]])
    assert metric(out, "rate_limited", limit="link_rate_limit_per_min")[0] == 1
    assert metric(out, "rate_limited", limit="viewer_requests_per_min_per_ip")[0] == 2
    assert metric(out, "rate_limited", limit="password_attempts_per_min")[0] == 2
    assert metric(out, "rate_limited", limit="failed_resolves_per_min_per_ip")[0] == 1
    assert metric(out, "rate_limited", limit="unknown")[0] == 0
    assert metric(out, "rate_limited", stage="test")[0] == metric(out, "http_4xx", code="429")[0] == 7


@pytest.fixture
def down(aws: Any, svc: Keyhole) -> Iterator[Tuple[Api, str, str]]:
    """A tenant created while AWS was up, then an API whose AWS endpoint refuses connections."""
    import app as app_module

    created, admin = tenants.create_tenant(svc, name="Outage Co", plan="team")
    broken = Keyhole(settings_for(aws, aws_endpoint=f"http://127.0.0.1:{free_port()}",
                                  aws_connect_timeout_seconds=0.5, aws_read_timeout_seconds=0.5))
    app_module.use_service(broken)
    with Client(app_module.app, stage_name="local") as client:
        yield Api(client), admin, created.tenant_id
    app_module.use_service(None)


def test_503s_are_counted_and_every_log_line_names_the_request_and_tenant(down, capfd, log_output):
    api, admin, tenant_id = down
    capfd.readouterr()
    reply = api.get("/v1/tenant", key=admin)
    assert reply.status == 503
    out = capfd.readouterr().out
    assert metric(out, "unavailable_503")[0] == 1
    assert metric(out, "http_5xx", code="503")[0] == 1
    lines = logs(log_output.getvalue())
    assert [line["name"] for line in lines] == ["chalicelib.storage.store"], lines  # "dynamodb unavailable"
    request_id = reply.headers["x-request-id"]
    for line in lines:
        assert line.get("request_id") == request_id, line
        assert line.get("tenant_id") == tenant_id, line
    # AND the next request's lines carry its own ids, not the last one's
    log_output.truncate(0)
    log_output.seek(0)
    viewer = api.get(f"/share/{random_token()}/data")
    assert viewer.status == 503
    following = logs(log_output.getvalue())
    assert following and all(line.get("request_id") == viewer.headers["x-request-id"] for line in following)
    assert all(line.get("tenant_id") != tenant_id for line in following)


def test_stream_batches_and_schedules_emit_their_metrics(app_client, tenant, stream, receiver, svc, clock,  # noqa: F811
                                                         capfd):
    import app as app_module

    api, key = app_client, tenant["admin"]
    link = share(api, key)
    register(api, key, receiver, events=["share.accessed"])
    stream.consume()
    receiver.plan = [500]  # the consumer's first attempt fails ...
    assert open_link(api, link["token"], ip="192.0.2.10").status == 200
    capfd.readouterr()
    stream.consume()
    out = capfd.readouterr().out
    assert metric(out, "webhook_failures")[0] == 1 and metric(out, "webhook_deliveries")[0] == 0
    assert metric(out, "stream_records_failed") == (0.0, [["stage"]])
    # ... the drain retries it once due, and it is delivered
    clock.advance(6 * 3600)
    drained = app_module.webhook_drain(_scheduled_event(), LocalContext("keyhole-test-webhook_drain"))
    assert drained["delivered"] == 1
    out = capfd.readouterr().out
    assert metric(out, "drain_backlog")[0] == 1 and metric(out, "webhook_deliveries")[0] == 1
    # the sweep reports how long it took
    context = LocalContext("keyhole-test-sweep_expired_slots")
    app_module.sweep_expired_slots(_scheduled_event(), context)
    out = capfd.readouterr().out
    duration = [r for r in emf(out) if "sweep_duration_ms" in r]
    assert len(duration) == 1
    assert duration[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "sweep_duration_ms",
                                                                         "Unit": "Milliseconds"}]
    # a poison record fails, and says so
    records = stream.records()
    poison = {"eventID": "x", "eventName": "INSERT", "dynamodb": {
        "Keys": {"pk": {"S": f"ACCESS#{link['id']}"}, "sk": {"S": "bad"}}, "NewImage": {"pk": {"S": "x"}},
        "SequenceNumber": "99999999999999999999", "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    response = stream.handle([*records, poison])
    assert response["batchItemFailures"] == [{"itemIdentifier": "99999999999999999999"}]
    assert metric(capfd.readouterr().out, "stream_records_failed")[0] == 1


def test_event_handler_log_lines_carry_the_lambda_request_id(app_client, tenant, stream, log_output):  # noqa: F811
    import app as app_module

    context = LocalContext("keyhole-test-stream_consumer")
    poison = {"eventID": "x", "eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": {
        "Keys": {"pk": {"S": "ACCESS#lnk_000000000000000000000000"}, "sk": {"S": "bad"}},
        "NewImage": {"pk": {"S": "x"}}, "SequenceNumber": "123", "SizeBytes": 1,
        "StreamViewType": "NEW_AND_OLD_IMAGES"}}
    app_module.stream_consumer({"Records": [poison]}, context)
    lines = logs(log_output.getvalue())
    assert lines and all(line.get("request_id") == context.aws_request_id for line in lines), lines


def test_the_proxy_hook_counts_proxied_requests(capfd):
    with telemetry.invocation("req-1"):
        telemetry.proxied_request()
        telemetry.proxied_request()
    assert metric(capfd.readouterr().out, "proxied_requests")[0] == 2
    # outside an invocation (the ops CLI, scripts) nothing is recorded or written
    telemetry.proxied_request()
    assert emf(capfd.readouterr().out) == []

