"""Nothing lost in the stream: the consumer under faults, in process against moto.

Faults are injected only at the edges: botocore calls answered with AWS errors or crashing the
invocation right after a write committed (tests/stream/faults.py), and webhook receivers on
loopback ports that fail, hang, close the connection, answer 410 or answer slowly. Lambda's retry
from the lowest failure and its give-up are played by the devstack pump (with the mapping's filter
criteria), or by handing batches to the handler directly where the test needs that exact batch.
The assertions are final states: exact counts, audit events, and deliveries per `webhook-id`.
What is guaranteed under each fault is stated in docs/stream.md ("Under faults").
"""
from __future__ import annotations

import io
import math
import time
from typing import Any, Dict, Iterator, List, Optional

import boto3
import pytest

from chalicelib.credentials.tokens import sha256_hex
from chalicelib.webhooks.dispatch import INLINE_BUDGET_SECONDS, LEASE_SECONDS, MAX_ATTEMPTS
from devstack.pump import Pump, sequence_of
from tests.stream.faults import (
    AwsFaults,
    FaultyReceiver,
    TtlReader,
    access_items,
    counter_write_covering,
    counter_write_of,
    lambda_like,
    serve_receiver,
    stop_receiver,
    write_items,
)
from tests.stream.kit import open_link, share


# --- the world -------------------------------------------------------------------------------

@pytest.fixture
def faults(svc: Any, app_client: Any) -> Iterator[AwsFaults]:
    injected = AwsFaults(svc.store.client)
    yield injected
    injected.remove()


@pytest.fixture
def receivers() -> Iterator[Any]:
    started: List[Any] = []

    def start(mode: str = "ok", delay: float = 2.5) -> FaultyReceiver:
        state = FaultyReceiver(mode=mode, delay=delay)
        started.append((state, serve_receiver(state)))
        return state

    yield start
    for state, server in started:
        stop_receiver(state, server)


def register(api: Any, key: str, receiver: FaultyReceiver, events: Optional[List[str]] = None) -> Dict[str, Any]:
    reply = api.post("/v1/webhooks", key=key, body={"url": receiver.url, **({"events": events} if events else {})})
    assert reply.status == 201, reply
    receiver.secret = reply.json["secret"]
    return reply.json


def pump_for(aws: Dict[str, str], *, max_retries: int = 2, given_up: Optional[List[Any]] = None,
             start_after_now: bool = False) -> Pump:
    """The devstack pump over this moto (in process), from the trim horizon, Lambda-like handler."""
    import app as app_module

    reader = TtlReader(boto3.client("dynamodbstreams", region_name="us-east-1"), aws["TableStreamArn"])
    if start_after_now:
        reader.read_all()
    return Pump(reader, lambda_like(app_module.stream_consumer), max_retries=max_retries, out=lambda line: None,
                on_give_up=lambda shard, record, attempts: (given_up if given_up is not None else []).append(
                    (record["dynamodb"]["Keys"]["sk"]["S"], attempts)))


def run(pump: Pump, limit: int = 60) -> int:
    """Poll until the stream is quiet (Lambda's retries and give-up included); returns the polls."""
    polls = 0
    while pump.poll():
        polls += 1
        assert polls < limit, "the pump never got to the end of the stream"
    return polls


SCHEDULED = {"version": "0", "id": "x", "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
             "detail": {}}


def drain() -> Dict[str, int]:
    import app as app_module

    return app_module.webhook_drain(SCHEDULED, None)


def drain_everything(svc: Any) -> None:
    """Run the drain until nothing is due, moving the clock past leases and backoffs."""
    for _ in range(MAX_ATTEMPTS + 2):
        svc.clock.advance(max(LEASE_SECONDS, 8 * 3600) + 1)
        if not drain()["due"]:
            return


def view_count(api: Any, key: str, link_id: str) -> int:
    return api.get(f"/v1/links/{link_id}", key=key).json["view_count"]


def audit(api: Any, key: str, action: str) -> List[Dict[str, Any]]:
    return [e for e in api.get("/v1/audit?limit=100", key=key).json["items"] if e["action"] == action]


def delivery_log(api: Any, key: str, endpoint_id: str) -> List[Dict[str, Any]]:
    return api.get(f"/v1/webhooks/{endpoint_id}/deliveries?limit=100", key=key).json["items"]


def counter_item(aws: Dict[str, str], link_id: str) -> Optional[Dict[str, Any]]:
    return boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=aws["CountersTableName"], Key={"pk": {"S": f"LV#{link_id}"}}, ConsistentRead=True).get("Item")


def _views_of(records: List[Dict[str, Any]], link_id: str) -> List[Dict[str, Any]]:
    return [r for r in records if r["eventName"] == "INSERT"
            and r["dynamodb"]["Keys"]["pk"]["S"].startswith(f"ACCESS#{link_id}#")]


# --- redelivery ------------------------------------------------------------------------------

def test_whole_and_overlapping_redelivery_change_nothing_twice(app_client, tenant, stream, receivers, svc):
    api, key = app_client, tenant["admin"]
    hook = receivers("ok")
    endpoint = register(api, key, hook)
    # GIVEN a link opened six times and another link revoked, all in the stream
    link = share(api, key)
    other = share(api, key, "r2")
    for n in range(6):
        assert open_link(api, link["token"], ip=f"192.0.2.{n + 1}").status == 200
    assert api.delete(f"/v1/links/{other['id']}", key=key).status == 204
    records = stream.records()
    # WHEN the consumer gets the first part, then the whole batch, then an overlapping tail
    # (as Lambda re-delivers from a failed record), then the whole batch once more
    half = len(records) // 2
    for batch in (records[:half], records, records[half // 2:], records):
        assert stream.handle(batch) == {"batchItemFailures": []}
    stream.consume()  # what the consumer's own writes put in the stream
    # THEN each view counted once, each event delivered once under one webhook-id, audited once
    assert view_count(api, key, link["id"]) == 6
    expected = {"share.created": 2, "share.accessed": 6, "share.revoked": 1}
    assert {t: len(hook.payloads(t)) for t in expected} == expected
    assert len(hook.ids()) == len(set(hook.ids())) == 9 and hook.bad_signatures == 0
    assert sorted(d["status"] for d in delivery_log(api, key, endpoint["id"])) == ["delivered"] * 9
    assert len(audit(api, key, "link.revoked")) == 1


# --- a crash after each side effect ------------------------------------------------------------

def _crash_world(api: Any, key: str, svc: Any, aws: Dict[str, str], receivers: Any) -> Dict[str, Any]:
    """A batch with every kind of side effect: views (counter write), a TTL removal of an expired
    link's capability (slot freed, system audit), and deliveries to a receiver (enqueue, send, record)."""
    hook = receivers("ok")
    endpoint = register(api, key, hook)
    link = share(api, key)
    expiring = share(api, key, expires_in="1h")
    for n in range(3):
        assert open_link(api, link["token"], ip=f"192.0.2.{20 + n}").status == 200
    svc.clock.advance(2 * 3600)
    cap_pk = f"CAP#{sha256_hex(expiring['token'])}"
    boto3.client("dynamodb", region_name="us-east-1").delete_item(
        TableName=aws["TableName"], Key={"pk": {"S": cap_pk}, "sk": {"S": "CAP"}})
    return {"hook": hook, "endpoint": endpoint, "link": link, "expiring": expiring, "cap_pk": cap_pk}


def _assert_exact_end_state(api: Any, key: str, world: Dict[str, Any]) -> None:
    hook = world["hook"]
    assert view_count(api, key, world["link"]["id"]) == 3
    assert api.get("/v1/tenant", key=key).json["usage"]["active_links"] == 1  # the expired slot freed once
    assert api.get(f"/v1/links/{world['expiring']['id']}", key=key).json["status"] == "expired"
    (expired,) = audit(api, key, "link.expired")
    assert expired["target_id"] == world["expiring"]["id"]
    expected = {"share.created": 2, "share.accessed": 3, "share.expired": 1}
    assert {t: len(hook.payloads(t)) for t in expected} == expected
    assert set(hook.ids()) == set(hook.unique) and hook.bad_signatures == 0  # repeats only under one id
    assert sorted(d["status"] for d in delivery_log(api, key, world["endpoint"]["id"])) == ["delivered"] * 6


# the view counter, the freed slot, the system audit event, the deliveries enqueued, the inline attempts
# recorded (a tenant no platform key manages keeps no usage per day: tests/stream/test_platform_stream.py)
SIDE_EFFECTS = ["UpdateItem", "TransactWriteItems", "PutItem", "TransactWriteItems", "BatchWriteItem"]


def test_the_side_effects_of_a_batch_in_order(app_client, tenant, svc, aws, faults, receivers):
    api, key = app_client, tenant["admin"]
    world = _crash_world(api, key, svc, aws, receivers)
    pump = pump_for(aws, start_after_now=False)
    pump.reader.ttl_keys.add(world["cap_pk"])
    # GIVEN the first batch: the set-up records, three views and the TTL removal
    first = pump.reader.read(pump.reader.shards()[0])
    faults.writes.clear()
    pump._deliver(pump.reader.shards()[0], first)
    # THEN its writes are, in order: the view counter, the freed slot, the system audit event, the
    # deliveries enqueued, the inline attempts recorded (the crash test below crashes after each)
    assert faults.writes == SIDE_EFFECTS
    run(pump)
    drain_everything(svc)
    _assert_exact_end_state(api, key, world)


@pytest.mark.parametrize("crash_after", range(1, len(SIDE_EFFECTS) + 1))
def test_a_crash_after_each_side_effect_loses_nothing_and_doubles_nothing(
        app_client, tenant, svc, aws, faults, receivers, crash_after):
    api, key = app_client, tenant["admin"]
    world = _crash_world(api, key, svc, aws, receivers)
    pump = pump_for(aws)
    pump.reader.ttl_keys.add(world["cap_pk"])
    # WHEN the invocation dies right after its n-th write committed, and Lambda retries the batch
    faults.writes.clear()
    faults.crash_after_write = crash_after
    run(pump)
    assert faults.crashed == 1
    drain_everything(svc)  # deliveries a dead invocation left queued (after their lease)
    # THEN the end state is exactly what one clean pass makes
    _assert_exact_end_state(api, key, world)


# --- poison records and refused counter writes ----------------------------------------------------

def test_a_poison_record_among_good_views_of_the_same_link_costs_none_of_them(
        app_client, tenant, svc, aws, stream, receivers):
    api, key = app_client, tenant["admin"]
    hook = receivers("ok")
    register(api, key, hook, events=["share.accessed"])
    link = share(api, key)
    stream.consume()
    # GIVEN ten good views of a link and, among them, an access event of that link in a partition
    # it does not have (#7): well formed otherwise, a view the consumer cannot place
    for n in range(5):
        assert open_link(api, link["token"], ip=f"192.0.2.{40 + n}").status == 200
    (poison,) = access_items(svc, tenant["id"], link["id"], 1, shard=7)
    write_items(aws, [poison])
    for n in range(5):
        assert open_link(api, link["token"], ip=f"192.0.2.{50 + n}").status == 200
    records = stream.records()
    poison_record = next(r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].endswith("#7"))
    # WHEN the batch is processed
    response = stream.handle(records)
    # THEN only the poison record fails, and all ten good views are counted at once
    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_of(poison_record)}]}
    assert view_count(api, key, link["id"]) == 10
    # WHEN Lambda (the pump) retries from it and gives up on it
    given_up: List[Any] = []
    run(pump_for(aws, given_up=given_up))
    # THEN it went to the failure destination alone; ten views counted, ten announced, once each
    assert given_up == [(poison["sk"]["S"], 3)]
    assert view_count(api, key, link["id"]) == 10
    assert len(hook.payloads("share.accessed")) == 10 and len(hook.ids()) == 10


def test_a_counter_write_refused_because_of_one_view_fails_that_view_alone(
        app_client, tenant, svc, aws, stream, faults, receivers):
    api, key = app_client, tenant["admin"]
    hook = receivers("ok")
    register(api, key, hook, events=["share.accessed"])
    link = share(api, key)
    stream.consume()
    for n in range(16):
        assert open_link(api, link["token"], ip=f"192.0.2.{60 + n}").status == 200
    records = stream.records()
    views = _views_of(records, link["id"])

    def shard_of(record: Dict[str, Any]) -> int:
        return int(record["dynamodb"]["Keys"]["pk"]["S"].rsplit("#", 1)[1])

    # (a view in the middle whose partition has later views in the batch too)
    bad = next(v for i, v in enumerate(views) if i >= 4 and shard_of(v) in {shard_of(w) for w in views[i + 1:]})
    shard = shard_of(bad)
    # GIVEN DynamoDB refuses (ValidationException) any counter write that covers one of the views
    faults.fail("UpdateItem", "ValidationException", when=counter_write_covering(link["id"], shard, sequence_of(bad)))
    faults.calls.clear()
    # WHEN the batch is processed
    response = stream.handle(records)
    writes = faults.calls.count("UpdateItem")
    # THEN that view alone fails, the fifteen others are counted, in a bounded number of writes
    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_of(bad)}]}
    assert view_count(api, key, link["id"]) == 15
    assert writes <= 2 * math.ceil(math.log2(16)) + 2, writes
    # WHEN Lambda (the pump) retries from it until it gives up on it
    given_up: List[Any] = []
    run(pump_for(aws, given_up=given_up))
    # THEN it alone went to the failure destination; the others were counted and announced once
    assert given_up == [(bad["dynamodb"]["Keys"]["sk"]["S"], 3)]
    assert view_count(api, key, link["id"]) == 15
    assert len(hook.payloads("share.accessed")) == 15 and len(hook.ids()) == 15


def test_a_link_whose_every_counter_write_is_refused_fails_its_views_within_a_bound(
        app_client, tenant, svc, aws, stream, faults):
    api, key = app_client, tenant["admin"]
    link, other = share(api, key), share(api, key, "r2")
    stream.consume()
    for n in range(20):
        assert open_link(api, link["token"], ip=f"192.0.2.{100 + n}").status == 200
    assert open_link(api, other["token"], ip="192.0.2.200").status == 200
    records = stream.records()
    faults.fail("UpdateItem", "ValidationException", when=counter_write_of(link["id"]))
    faults.calls.clear()
    response = stream.handle(records)
    writes = faults.calls.count("UpdateItem") - 1  # (the other link's one)
    # every view of that link fails (its counters cannot be written at all), the other link's commits
    assert sorted(int(f["itemIdentifier"]) for f in response["batchItemFailures"]) == sorted(
        int(sequence_of(r)) for r in _views_of(records, link["id"]))
    assert view_count(api, key, other["id"]) == 1
    assert writes <= 2 * math.ceil(math.log2(20)) + 2, writes


# --- a throttled counter write on a busy link ---------------------------------------------------

@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the app's log handlers write (the Powertools handler the Lambda uses, pointed here)."""
    import app as app_module

    buffer = io.StringIO()
    handlers = list(app_module.logger.handlers)
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream_before in zip(handlers, previous):
        handler.setStream(stream_before)


def test_a_throttled_counter_write_on_a_busy_link_is_logged_once_and_retried_whole(
        app_client, tenant, svc, aws, stream, faults, log_output):
    api, key = app_client, tenant["admin"]
    link = share(api, key)
    stream.consume()
    # GIVEN 800 views of one link in one batch, and DynamoDB throttling that link's counter write
    write_items(aws, access_items(svc, tenant["id"], link["id"], 800))
    records = stream.records()
    assert len(records) == 800
    faults.fail("UpdateItem", "ProvisionedThroughputExceededException", when=counter_write_of(link["id"]))
    # WHEN the batch is processed
    started = time.monotonic()
    response = stream.handle(records)
    elapsed = time.monotonic() - started
    # THEN all 800 fail for redelivery (a transient error: nothing isolated, nothing counted) ...
    assert len(response["batchItemFailures"]) == 800
    assert view_count(api, key, link["id"]) == 0
    # ... the failure is logged once, in a bounded line, and the handler is quick about it
    # (one exception re-raised for every record used to write 108 MB of tracebacks in 22 s)
    written = log_output.getvalue()
    assert len(written) < 8_000, len(written)
    lines = [line for line in written.splitlines() if link["id"] in line]
    assert len(lines) == 1 and "ProvisionedThroughputExceeded" in lines[0], written
    assert elapsed < 10, elapsed
    # WHEN the throttling ends and Lambda delivers them again
    faults.clear()
    assert stream.handle(records) == {"batchItemFailures": []}
    # THEN each is counted once
    assert view_count(api, key, link["id"]) == 800


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServerError", "ConditionalCheckFailedException"])
def test_transient_and_unexpected_failures_of_a_counter_write_lose_no_view(
        app_client, tenant, svc, aws, faults, code):
    api, key = app_client, tenant["admin"]
    link = share(api, key)
    for n in range(8):
        assert open_link(api, link["token"], ip=f"192.0.2.{130 + n}").status == 200
    # GIVEN the link's counter write fails a few times (a condition failing when nothing should
    # make it fail included: the consumer reads the item and tries again)
    faults.fail("UpdateItem", code, when=counter_write_of(link["id"]), times=3)
    # WHEN the pump runs the consumer, with Lambda's retries
    run(pump_for(aws, max_retries=5))
    # THEN every view is counted, once
    assert view_count(api, key, link["id"]) == 8


# --- receivers that fail, hang, close, answer 410 or answer slowly --------------------------------

def test_receivers_that_fail_hang_close_answer_410_or_are_slow_delay_only_their_own(
        app_client, svc, aws, stream, receivers):
    from chalicelib.tenancy import tenants

    api = app_client
    modes = ["ok", "fail", "hang", "close", "gone", "slow"]
    world = {}
    for mode in modes:  # one tenant per receiver
        _, admin = tenants.create_tenant(svc, name=f"Receiver {mode}", plan="team")
        hook = receivers(mode, delay=2.5)
        endpoint = register(api, admin, hook, events=["share.accessed"])
        world[mode] = {"admin": admin, "hook": hook, "endpoint": endpoint, "link": share(api, admin)}
    stream.consume()
    # GIVEN views of every tenant's link in one batch
    for mode in modes:
        for n in range(3):
            assert open_link(api, world[mode]["link"]["token"], ip=f"192.0.2.{n + 1}").status == 200
    records = stream.records()
    # WHEN the consumer handles it
    started = time.monotonic()
    assert stream.handle(records) == {"batchItemFailures": []}
    elapsed = time.monotonic() - started
    # THEN the batch took about the inline budget, not the slow receivers' time (10.4 s before;
    # the margin is the emulator's own time on a busy machine)
    assert elapsed < INLINE_BUDGET_SECONDS + 4, elapsed
    # AND the healthy receiver has its three deliveries, delivered at once
    ok = world["ok"]
    assert len(ok["hook"].payloads()) == 3
    assert [d["status"] for d in delivery_log(api, ok["admin"], ok["endpoint"]["id"])] == ["delivered"] * 3
    # AND the others' deliveries are queued for retry (none lost, none failed yet)
    for mode in modes[1:]:
        log = delivery_log(api, world[mode]["admin"], world[mode]["endpoint"]["id"])
        assert len(log) == 3 and all(d["status"] in ("pending", "retrying") for d in log), (mode, log)
    # WHEN more views come: endpoints that failed, timed out or were slow get no inline attempt for a
    # while (their deliveries go to the queue), the 410 one (answered at once) is still tried inline
    seen = {mode: len(world[mode]["hook"].ids()) for mode in modes}
    for mode in modes:
        assert open_link(api, world[mode]["link"]["token"], ip="192.0.2.9").status == 200
    stream.consume()
    tried = {mode for mode in modes if len(world[mode]["hook"].ids()) > seen[mode]}
    assert tried == {"ok", "gone"}, tried
    # WHEN the drain runs until nothing is due (the clock moved past every backoff)
    world["hang"]["hook"].released.set()
    drain_everything(svc)
    # THEN the healthy and the slow receiver processed each event once (the slow one saw repeats
    # of a delivery whose inline attempt timed out, under the same webhook-id)
    for mode in ("ok", "slow"):
        hook = world[mode]["hook"]
        assert len(hook.unique) == 4 and set(hook.ids()) == set(hook.unique), mode
        assert [d["status"] for d in delivery_log(api, world[mode]["admin"], world[mode]["endpoint"]["id"])] == [
            "delivered"] * 4
    # AND the failing ones were retried to the bound and given up, each under one webhook-id
    for mode in ("fail", "gone", "close", "hang"):
        log = delivery_log(api, world[mode]["admin"], world[mode]["endpoint"]["id"])
        assert [(d["status"], d["attempts"]) for d in log] == [("failed", MAX_ATTEMPTS)] * 4, (mode, log)
        assert len(set(world[mode]["hook"].ids())) == 4


def test_the_drain_sends_each_endpoints_deliveries_in_lanes_of_its_own(app_client, svc, aws, stream, receivers):
    from chalicelib.tenancy import tenants

    api = app_client
    slow_hook, fast_hook = receivers("slow", delay=1.0), receivers("ok")
    _, slow_admin = tenants.create_tenant(svc, name="Slow receiver", plan="team")
    _, fast_admin = tenants.create_tenant(svc, name="Fast receiver", plan="team")
    register(api, slow_admin, slow_hook, events=["share.accessed"])
    register(api, fast_admin, fast_hook, events=["share.accessed"])
    slow_link, fast_link = share(api, slow_admin), share(api, fast_admin)
    stream.consume()
    # GIVEN a backlog of twelve deliveries for a receiver that takes a second each, queued before
    # four for a fast one (the slow one is sidelined, so the consumer queues without trying)
    svc.slow_endpoints.put(next(iter(_endpoint_ids(api, slow_admin))), True, svc.clock.time())
    svc.slow_endpoints.put(next(iter(_endpoint_ids(api, fast_admin))), True, svc.clock.time())
    for n in range(12):
        assert open_link(api, slow_link["token"], ip=f"192.0.2.{n + 1}").status == 200
    stream.consume()
    for n in range(4):
        assert open_link(api, fast_link["token"], ip=f"192.0.2.{n + 1}").status == 200
    stream.consume()
    assert slow_hook.ids() == [] and fast_hook.ids() == []
    # WHEN the drain runs
    stats = drain()
    # THEN everything due was delivered, and the fast receiver had all of its deliveries before the
    # slow one's second round began (it takes four at a time, a second each): the slow one's lanes
    # held up only its own deliveries
    assert stats["due"] == 16 and stats["delivered"] == 16
    last_fast = max(at for at, _ in fast_hook.requests)
    second_round = sorted(at for at, _ in slow_hook.requests)[4]
    assert last_fast < second_round, (last_fast, sorted(at for at, _ in slow_hook.requests))


def test_one_endpoints_long_backlog_does_not_starve_the_others_in_the_drain(app_client, svc, aws, stream, receivers):
    """One endpoint's backlog fills the head of every queue partition (deliveries are spread by
    their id): the drain reads past it, so another endpoint's due deliveries go out in the same run."""
    from datetime import timedelta

    from chalicelib.storage.models import WebhookDelivery, WebhookEndpoint
    from chalicelib.tenancy import tenants
    from chalicelib.webhooks import dispatch

    noisy_hook, quiet_hook = receivers("ok"), receivers("ok")
    _, noisy_admin = tenants.create_tenant(svc, name="Noisy receiver", plan="team")
    _, quiet_admin = tenants.create_tenant(svc, name="Quiet receiver", plan="team")
    noisy = register(app_client, noisy_admin, noisy_hook)
    quiet = register(app_client, quiet_admin, quiet_hook)

    def endpoint(admin: str, made: Dict[str, Any]) -> Any:
        tenant_id = app_client.get("/v1/tenant", key=admin).json["id"]
        return svc.store.get(WebhookEndpoint, WebhookEndpoint.key(tenant_id, made["id"]))

    now = svc.clock.now()

    def backlog(ep: Any, count: int, due: Any, name: str) -> None:
        with WebhookDelivery.batch_write() as batch:
            for n in range(count):
                event = dispatch.Event(event_id=f"{name}:{n}", type="share.accessed", tenant_id=ep.tenant_id,
                                       at="2026-01-01T00:00:00Z", data={"n": n})
                batch.save(dispatch.new_delivery(event, ep, now, due=due))

    # GIVEN 40 due deliveries per queue partition for one endpoint, due before 4 of another's
    backlog(endpoint(noisy_admin, noisy), 40 * dispatch.QUEUE_SHARDS, now - timedelta(minutes=10), "noisy")
    backlog(endpoint(quiet_admin, quiet), 4, now - timedelta(minutes=1), "quiet")
    # WHEN the drain runs once
    drain()
    # THEN the quiet endpoint had all four, and the noisy one its share
    assert len(set(quiet_hook.ids())) == 4
    assert len(set(noisy_hook.ids())) == dispatch.DRAIN_PER_ENDPOINT


def _endpoint_ids(api: Any, key: str) -> List[str]:
    return [e["id"] for e in api.get("/v1/webhooks", key=key).json["items"]]


# --- TTL removals around a revoke --------------------------------------------------------------

@pytest.mark.parametrize("order", ["ttl_then_revoke_in_one_batch", "ttl_handled_then_revoke"])
def test_ttl_removals_around_a_revoke_free_the_slot_once_and_announce_what_happened(
        app_client, tenant, svc, aws, receivers, order):
    api, key = app_client, tenant["admin"]
    hook = receivers("ok")
    register(api, key, hook, events=["share.expired", "share.revoked"])
    link = share(api, key, expires_in="1h")
    keeper = share(api, key, "r2")
    pump = pump_for(aws)
    run(pump)
    # GIVEN the link has expired and TTL removed its capability
    svc.clock.advance(2 * 3600)
    cap_pk = f"CAP#{sha256_hex(link['token'])}"
    pump.reader.ttl_keys.add(cap_pk)
    boto3.client("dynamodb", region_name="us-east-1").delete_item(
        TableName=aws["TableName"], Key={"pk": {"S": cap_pk}, "sk": {"S": "CAP"}})
    if order == "ttl_handled_then_revoke":
        run(pump)  # the consumer frees the slot and announces the expiry first
    # WHEN the admin revokes it (before or after the consumer saw the removal)
    assert api.delete(f"/v1/links/{link['id']}", key=key).status == 204
    run(pump)
    # AND every record comes once more (a replay of the whole stream)
    replay = pump_for(aws)
    replay.reader.ttl_keys.add(cap_pk)
    run(replay)
    # THEN the slot was freed exactly once (the other link still holds its own)
    assert api.get("/v1/tenant", key=key).json["usage"] == {"active_links": 1, "shared_resources": 1}
    assert api.get(f"/v1/links/{link['id']}", key=key).json["status"] == "revoked"
    assert api.get(f"/v1/links/{keeper['id']}", key=key).json["status"] == "active"
    # AND what happened is announced once: an expiry only if the consumer saw it before the revoke
    announced = sorted(p["type"] for p in hook.payloads())
    if order == "ttl_handled_then_revoke":
        assert announced == ["share.expired", "share.revoked"] and len(audit(api, key, "link.expired")) == 1
    else:
        assert announced == ["share.revoked"] and audit(api, key, "link.expired") == []
    assert len(audit(api, key, "link.revoked")) == 1 and len(hook.ids()) == len(announced)


# --- a link whose record is gone -----------------------------------------------------------------

def test_views_of_a_link_whose_record_is_gone_are_announced_and_leave_no_counter(
        app_client, tenant, svc, aws, stream, receivers):
    api, key = app_client, tenant["admin"]
    hook = receivers("ok")
    register(api, key, hook, events=["share.accessed"])
    link = share(api, key)
    assert open_link(api, link["token"], ip="192.0.2.70").status == 200
    run(pump := pump_for(aws))
    assert counter_item(aws, link["id"])["view_count"]["N"] == "1"
    # GIVEN the link's record is removed (as a tenant's data is, once its retention ends)
    table = boto3.client("dynamodb", region_name="us-east-1")
    table.delete_item(TableName=aws["TableName"], Key={"pk": {"S": f"LINK#{link['id']}"}, "sk": {"S": "LINK"}})
    run(pump)
    # THEN its counter item went with it
    assert counter_item(aws, link["id"]) is None
    # WHEN views of it that happened before reach the consumer after that (another stream shard)
    write_items(aws, access_items(svc, tenant["id"], link["id"], 2))
    run(pump)
    # THEN they make no new counter item, fail nothing, and are announced all the same
    assert counter_item(aws, link["id"]) is None
    assert len(hook.payloads("share.accessed")) == 3


def test_a_link_created_before_counters_were_made_with_it_gets_one_on_its_first_view(
        app_client, tenant, svc, aws):
    api, key = app_client, tenant["admin"]
    link = share(api, key)
    # GIVEN a link whose counter item does not exist (made before links got one when created)
    boto3.client("dynamodb", region_name="us-east-1").delete_item(
        TableName=aws["CountersTableName"], Key={"pk": {"S": f"LV#{link['id']}"}})
    for n in range(2):
        assert open_link(api, link["token"], ip=f"192.0.2.{80 + n}").status == 200
    # WHEN the consumer counts its views
    run(pump_for(aws))
    # THEN the item was made (its record exists) and counts both
    assert view_count(api, key, link["id"]) == 2
