"""Views become counters and an access log, from real moto stream records."""
from __future__ import annotations

from tests.stream.kit import open_link, share


def test_views_become_view_count_and_access_log(app_client, tenant, stream):
    api, key = app_client, tenant["admin"]
    # GIVEN a shared link, opened three times from two clients, its info read once,
    # and a conditional poll answered 304
    link = share(api, key)
    stream.consume()
    token = link["token"]
    first = open_link(api, token, ip="198.51.100.1", agent="Firefox/1")
    assert first.status == 200
    assert open_link(api, token, ip="198.51.100.2", agent="Chrome/2").status == 200
    assert open_link(api, token, ip="198.51.100.2", agent="Chrome/2",
                     headers={"if-none-match": first.headers["etag"]}).status == 304
    assert open_link(api, token, ip="198.51.100.1", agent="Firefox/1", path="/info").status == 200
    assert open_link(api, token, ip="198.51.100.3", agent="curl/8").status == 200

    # WHEN the stream consumer processes what the table stream recorded
    before = api.get(f"/v1/links/{link['id']}", key=key).json
    stream.consume()

    # THEN the link counts the three document fetches, and not the poll or the info request
    after = api.get(f"/v1/links/{link['id']}", key=key).json
    assert before["view_count"] == 0
    assert after["view_count"] == 3
    assert after["last_accessed_at"] is not None
    # AND the access log lists the four recorded requests, newest first, without the token
    logs = api.get(f"/v1/links/{link['id']}/access-logs", key=key)
    assert logs.status == 200, logs
    items = logs.json["items"]
    assert [(i["ip"], i["user_agent"], i["outcome"]) for i in items] == [
        ("198.51.100.3", "curl/8", "viewed"), ("198.51.100.1", "Firefox/1", "info"),
        ("198.51.100.2", "Chrome/2", "viewed"), ("198.51.100.1", "Firefox/1", "viewed")]
    assert all(i["status"] == 200 and i["method"] == "GET" and isinstance(i["latency_ms"], int) for i in items)
    assert all(token not in i["path"] and i["path"].startswith(f"/share/{token[:6]}") for i in items)
    assert set(items[0]) == {"at", "ip", "user_agent", "method", "path", "status", "latency_ms", "outcome"}
    assert logs.json["next_cursor"] is None


def test_only_refreshes_after_an_update_are_left_out_of_view_count(app_client, tenant, stream):
    api, key = app_client, tenant["admin"]
    # GIVEN a shared link fetched once, whose document is then updated
    link = share(api, key)
    token = link["token"]
    old = open_link(api, token, ip="198.51.100.20").headers["etag"]
    assert api.patch("/v1/resources/r1", key=key, body={"document": {"status": "down"}}).status == 200
    stream.consume()
    before = api.get(f"/v1/links/{link['id']}", key=key).json["view_count"]
    # WHEN an open page polls with the old version's ETag, and another client sends a made-up one
    assert open_link(api, token, ip="198.51.100.20", headers={"if-none-match": old}).status == 200
    assert open_link(api, token, ip="198.51.100.21", headers={"if-none-match": '"junk"'}).status == 200
    stream.consume()
    # THEN only the made-up one is a view
    after = api.get(f"/v1/links/{link['id']}", key=key).json
    assert (before, after["view_count"]) == (1, 2)
    outcomes = [i["outcome"] for i in api.get(f"/v1/links/{link['id']}/access-logs", key=key).json["items"]]
    assert outcomes == ["viewed", "refreshed", "viewed"]


def test_views_are_counted_once_whatever_batches_replay_them(app_client, tenant, stream, aws):
    import boto3

    from chalicelib.storage.sizes import raw_item_bytes

    api, key = app_client, tenant["admin"]
    # GIVEN a link opened 12 times (its access events spread over the link's write shards)
    link = share(api, key)
    stream.consume()
    for n in range(12):
        assert open_link(api, link["token"], ip=f"198.51.100.{60 + n}").status == 200
    records = stream.records()
    views = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ACCESS#")]
    assert len(views) == 12 and len({r["dynamodb"]["Keys"]["pk"]["S"] for r in views}) > 1
    # WHEN the consumer gets them in two batches, then a retry of the second half of the first
    # batch together with the second (as Lambda re-delivers from a failed record), then all again
    for batch in (records[:7], records[3:], records):
        assert stream.handle(batch) == {"batchItemFailures": []}
    # THEN each view was counted exactly once, and the last access is the latest view's second
    after = api.get(f"/v1/links/{link['id']}", key=key).json
    assert after["view_count"] == 12
    latest = max(r["dynamodb"]["NewImage"]["at"]["S"] for r in views)
    assert after["last_accessed_at"] == latest[:19] + "Z"
    # AND the counters are one small item (one write unit), written once per batch, never the events
    item = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName=aws["CountersTableName"], Key={"pk": {"S": f"LV#{link['id']}"}}, ConsistentRead=True)["Item"]
    assert raw_item_bytes(item) < 1024
    assert all("counted" not in r.get("dynamodb", {}).get("NewImage", {}) for r in stream.records())


def test_a_replay_counts_only_what_lies_above_each_shards_mark(svc):
    from chalicelib.links import viewcounts
    from chalicelib.links.viewcounts import Counted

    link_id = "lnk_" + "a" * 24
    viewcounts.counter_item(link_id).save()  # as the link's creation makes it
    first = [Counted(0, "110", "2026-01-01T00:00:01Z"), Counted(1, "120", "2026-01-01T00:00:02Z")]
    # GIVEN two views counted from two of the link's shards
    assert viewcounts.count(svc.store, link_id, first) == 2
    # WHEN a batch replays both, with one new view on the second shard (the first shard has
    # nothing new), then the same batch once more, then an older view arrives late on a third
    replay = first + [Counted(1, "121", "2026-01-01T00:00:00Z")]
    assert viewcounts.count(svc.store, link_id, replay) == 1
    assert viewcounts.count(svc.store, link_id, replay) == 0
    assert viewcounts.count(svc.store, link_id, [Counted(2, "105", "2025-12-31T23:59:59Z")]) == 1
    # THEN each view counted once, and the last access never moved back
    views = viewcounts.read(svc.store, [link_id])[link_id]
    assert (views.view_count, views.last_accessed_at) == (4, "2026-01-01T00:00:02Z")
