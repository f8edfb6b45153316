"""The local stream pump: what the Lambda event source mapping does on AWS, for `make run`.

`chalice local` runs no event sources, so this process reads the main table's stream from moto
(DescribeStream / GetShardIterator / GetRecords against KEYHOLE_AWS_ENDPOINT), wraps the records
in the event shape Lambda gives a DynamoDB stream function, and calls the *same* handler Lambda
runs (`app.stream_consumer`, the Chalice-wrapped function). It behaves like the mapping that
`infra/chalice-merge.json` configures:

- filter criteria: only the records that match one of the mapping's filters (the merge template's
  `FilterCriteria`, read from that file) reach the handler; a batch with none left invokes nothing
  and is checkpointed past, as Lambda discards filtered records;
- partial batch responses: a `batchItemFailures` answer checkpoints just before the lowest failed
  sequence number and re-delivers from there;
- bounded retries: after `--max-retries` failed deliveries of the same record, the pump gives up
  on that one record (as bisect-on-error plus MaximumRetryAttempts do), sends its batch info to the
  stream-failure SQS queue (the on-failure destination) and moves on, so a poison record never
  blocks its shard;
- every few seconds it also runs the webhook drain (`app.webhook_drain`, scheduled every minute
  on AWS), so retries happen while you watch, and the files worker (`app.files_worker`, also every
  minute on AWS), so zips are built and deleted objects removed within seconds. The drain runs in a
  thread of its own, as it runs in a function of its own on AWS: a slow receiver it waits for never
  holds up the stream.

Run: `python -m devstack.pump --stage local` with KEYHOLE_AWS_ENDPOINT and KEYHOLE_STREAM_ARN set
(`make run` starts it). Each batch prints one line; no line ever shows a token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.ops.stream_records import epoch as _epoch
from chalicelib.ops.stream_records import lambda_event, sequence_of, to_lambda_record

RECORD_LIMIT = 1000  # the deployed mapping's batch size (app.STREAM_BATCH_SIZE; GetRecords' maximum)
# After a failed delivery the pump waits before sending the batch again, doubling up to the cap:
# retrying at once only adds load to an emulator that is already slow (each retry re-runs the
# consumer's writes), which is how a struggling local stack used to spiral.
RETRY_BASE_SECONDS = 0.5
RETRY_CAP_SECONDS = 30.0


MERGE_TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "chalice-merge.json"

# The Lambda event shape lives in chalicelib (the ops replay tool uses it too); re-exported here.
__all__ = [
    "LocalContext",
    "Pump",
    "StreamFilter",
    "StreamReader",
    "failure_notice",
    "lambda_event",
    "sequence_of",
    "to_lambda_record",
]


class StreamFilter:
    """The event source mapping's filter criteria, applied as Lambda applies them: a record is
    handed to the function when it matches at least one pattern. Patterns are matched with moto's
    implementation of the EventBridge pattern language, which Lambda's filters use."""

    def __init__(self, patterns: list[str]) -> None:
        from moto.events.models import EventPattern

        self.patterns = list(patterns)
        self._compiled = [EventPattern.load(pattern) for pattern in patterns]

    @classmethod
    def deployed(cls, template: Path = MERGE_TEMPLATE) -> StreamFilter:
        """The filters `infra/chalice-merge.json` gives the consumer's mapping (and post_deploy applies)."""
        merge = json.loads(template.read_text())
        (source,) = merge["Resources"]["StreamConsumer"]["Properties"]["Events"].values()
        return cls([f["Pattern"] for f in source["Properties"]["FilterCriteria"]["Filters"]])

    def passes(self, lambda_record: dict[str, Any]) -> bool:
        record: Any = lambda_record  # (moto types its events as EventBridge messages: the same JSON shape)
        return any(pattern.matches_event(record) for pattern in self._compiled)


class LocalContext:
    """The parts of a Lambda context object handlers use."""

    def __init__(self, function_name: str, timeout_seconds: float = 30.0) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# --- reading the stream --------------------------------------------------------------------


class StreamReader:
    """Reads a table stream shard by shard from a checkpoint (the last processed sequence number),
    starting at the trim horizon like the deployed mapping (`starting_position="TRIM_HORIZON"`).

    Each read asks for a fresh iterator after the checkpoint: iterators expire on AWS, and moto
    replaces a table object when it rolls back a cancelled transaction, which strands old iterators.
    """

    def __init__(self, client: Any, stream_arn: str) -> None:
        self.client = client
        self.stream_arn = stream_arn
        self.checkpoints: dict[str, str | None] = {}

    def shards(self) -> list[str]:
        found: list[str] = []
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.client.describe_stream(**kwargs)["StreamDescription"]
            found += [shard["ShardId"] for shard in description.get("Shards", [])]
            last = description.get("LastEvaluatedShardId")
            if not last:
                return found
            kwargs["ExclusiveStartShardId"] = last

    def read(self, shard_id: str, limit: int = RECORD_LIMIT) -> list[dict[str, Any]]:
        checkpoint = self.checkpoints.get(shard_id)
        if checkpoint is None:
            iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        else:
            iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=checkpoint,
            )["ShardIterator"]
        return self.client.get_records(ShardIterator=iterator, Limit=limit)["Records"]

    def commit(self, shard_id: str, sequence: str) -> None:
        self.checkpoints[shard_id] = sequence

    def read_all(self, limit: int = RECORD_LIMIT) -> list[dict[str, Any]]:
        """Every record after the checkpoints, checkpointing past them (tests, benchmarks)."""
        out: list[dict[str, Any]] = []
        for shard in self.shards():
            while True:
                records = self.read(shard, limit)
                if not records:
                    break
                out += records
                self.commit(shard, sequence_of(records[-1]))
        return out


# --- the pump ------------------------------------------------------------------------------


def summarise(records: list[dict[str, Any]]) -> str:
    """`ACCESS x3, LINK x1`: item kinds by key prefix (capability keys are hashes; none is printed)."""
    kinds = Counter(str(r["dynamodb"]["Keys"]["pk"]["S"]).split("#", 1)[0] for r in records)
    return ", ".join(f"{kind} x{n}" for kind, n in sorted(kinds.items()))


class Pump:
    def __init__(
        self,
        reader: StreamReader,
        handler: Callable[[dict[str, Any], Any], Any],
        *,
        region: str = "us-east-1",
        max_retries: int = 3,
        on_give_up: Callable[[str, dict[str, Any], int], None] | None = None,
        out: Callable[[str], None] = print,
        stream_filter: StreamFilter | None = None,
        unfiltered: bool = False,
    ) -> None:
        self.reader = reader
        self.handler = handler
        self.region = region
        self.max_retries = max_retries
        self.on_give_up = on_give_up
        self.out = out
        # The deployed mapping's filters unless told otherwise (`unfiltered`: every record invokes).
        self.stream_filter = None if unfiltered else stream_filter or StreamFilter.deployed()
        self.invocations = 0
        self.attempts: dict[str, int] = {}
        # Seconds to wait before the next poll: 0 after a clean delivery, backing off after failures.
        self.retry_delay = 0.0

    def poll(self) -> int:
        """One pass over every shard; returns how many records were handed to the handler."""
        handled = 0
        for shard in self.reader.shards():
            records = self.reader.read(shard)
            if records:
                handled += len(records)
                self._deliver(shard, records)
        return handled

    def _deliver(self, shard: str, records: list[dict[str, Any]]) -> None:
        event = lambda_event(records, self.reader.stream_arn, self.region)
        if self.stream_filter is not None:
            event["Records"] = [r for r in event["Records"] if self.stream_filter.passes(r)]
            if not event["Records"]:  # nothing the consumer acts on: no invocation
                self.retry_delay = 0.0
                self.reader.commit(shard, sequence_of(records[-1]))
                return
        filtered = len(records) - len(event["Records"])
        shown = f"{summarise(records)}" + (f"; {filtered} filtered out" if filtered else "")
        started = time.monotonic()
        self.invocations += 1
        try:
            response = self.handler(event, LocalContext("keyhole-local-stream_consumer"))
            failures = [str(f["itemIdentifier"]) for f in (response or {}).get("batchItemFailures", [])]
            error = None
        except Exception as exc:  # a function error: the whole batch failed
            failures, error = [str(event["Records"][0]["dynamodb"]["SequenceNumber"])], exc
        elapsed = int((time.monotonic() - started) * 1000)
        if not failures:
            self.retry_delay = 0.0
            self.reader.commit(shard, sequence_of(records[-1]))
            self.out(f"[pump] {len(records)} records ({shown}) -> ok in {elapsed} ms")
            return
        first = min(failures, key=int)
        done = [r for r in records if int(sequence_of(r)) < int(first)]
        if done:
            self.reader.commit(shard, sequence_of(done[-1]))
        attempts = self.attempts.get(first, 0) + 1
        self.attempts[first] = attempts
        # the poison record is skipped at once; a batch that will be sent again waits first
        self.retry_delay = (
            0.0 if attempts > self.max_retries else min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempts - 1))
        )
        cause = f"function error {type(error).__name__}" if error else f"{len(failures)} failed"
        if attempts > self.max_retries:
            poison = next(r for r in records if sequence_of(r) == first)
            self.reader.commit(shard, first)
            self.attempts.pop(first, None)
            if self.on_give_up:
                self.on_give_up(shard, poison, attempts)
            self.out(
                f"[pump] {len(records)} records ({shown}) -> {cause}; record {first} failed "
                f"{attempts} times: sent to the stream-failure queue and skipped"
            )
        else:
            self.out(
                f"[pump] {len(records)} records ({shown}) -> {cause}; retrying from {first} "
                f"(attempt {attempts + 1} of {self.max_retries + 1}) in {elapsed} ms"
            )


def failure_notice(stream_arn: str, shard: str, record: dict[str, Any], attempts: int) -> dict[str, Any]:
    """What Lambda sends an on-failure destination for a stream batch (metadata, not the record)."""
    arrival = _epoch(record["dynamodb"].get("ApproximateCreationDateTime"))
    arrival_s = datetime.fromtimestamp(arrival, tz=UTC).isoformat() if isinstance(arrival, (int, float)) else None
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
            "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:keyhole-local-stream_consumer",
        },
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "DDBStreamBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": sequence_of(record),
            "endSequenceNumber": sequence_of(record),
            "approximateArrivalOfFirstRecord": arrival_s,
            "approximateArrivalOfLastRecord": arrival_s,
            "batchSize": 1,
            "streamArn": stream_arn,
        },
    }


def _scheduled_event() -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [],
        "detail": {},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--poll-seconds", type=float, default=1.0)
    parser.add_argument("--drain-seconds", type=float, default=5.0, help="how often to run the webhook drain")
    parser.add_argument("--sweep-seconds", type=float, default=60.0, help="how often to run the expired-slot sweep")
    parser.add_argument("--files-seconds", type=float, default=2.0, help="how often to run the files worker")
    parser.add_argument("--max-retries", type=int, default=3)
    args = parser.parse_args(argv)

    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, project)
    from chalicelib.ops.cli import stage_environment

    for name, value in stage_environment(args.stage).items():  # like Lambda: the stage's variables
        os.environ.setdefault(name, value)
    endpoint = os.environ.get("KEYHOLE_AWS_ENDPOINT")
    stream_arn = os.environ.get("KEYHOLE_STREAM_ARN")
    if not stream_arn:
        print("KEYHOLE_STREAM_ARN is not set (the infra stack's TableStreamArn output)", file=sys.stderr)
        return 2
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"

    import boto3

    import app as app_module  # after the environment is complete, as the Lambda runtime would

    session = boto3.Session(region_name=region)
    streams = session.client("dynamodbstreams", endpoint_url=endpoint)
    sqs = session.client("sqs", endpoint_url=endpoint)
    queue_name = os.environ.get("KEYHOLE_TABLE", f"keyhole-{args.stage}") + "-stream-failures"

    def give_up(shard: str, record: dict[str, Any], attempts: int) -> None:
        try:
            url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(failure_notice(stream_arn, shard, record, attempts)))
        except Exception as error:
            print(f"[pump] could not reach the stream-failure queue: {type(error).__name__}", file=sys.stderr)

    pump = Pump(
        StreamReader(streams, stream_arn),
        app_module.stream_consumer,
        region=region,
        max_retries=args.max_retries,
        on_give_up=give_up,
        out=lambda line: print(line, flush=True),
    )
    print(
        f"[pump] reading {stream_arn.split('/stream/')[0].split('/')[-1]} stream from the trim horizon; "
        f"webhook drain every {args.drain_seconds:g}s",
        flush=True,
    )
    last_drain = last_sweep = last_files = 0.0
    drainer: threading.Thread | None = None

    def drain() -> None:
        try:
            stats = app_module.webhook_drain(_scheduled_event(), LocalContext("keyhole-local-webhook_drain"))
            if stats and stats.get("due"):
                print(f"[pump] webhook drain: {stats}", flush=True)
        except Exception as error:
            print(f"[pump] webhook drain failed: {type(error).__name__}", file=sys.stderr, flush=True)

    try:
        while True:
            try:
                handled = pump.poll()
            except Exception as error:  # moto restarting, a network hiccup: keep pumping
                print(f"[pump] stream read failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                handled = 0
            # One drain at a time, beside the stream (its own function on AWS): never in its way.
            if time.monotonic() - last_drain >= args.drain_seconds and not (drainer and drainer.is_alive()):
                last_drain = time.monotonic()
                drainer = threading.Thread(target=drain, name="webhook-drain", daemon=True)
                drainer.start()
            if time.monotonic() - last_sweep >= args.sweep_seconds:
                last_sweep = time.monotonic()
                try:  # Lambda runs this on a schedule; chalice local runs no schedules
                    stats = app_module.sweep_expired_slots(_scheduled_event(), LocalContext("keyhole-local-sweep"))
                    if stats and stats.get("slots_freed"):
                        print(f"[pump] expired-slot sweep: {stats}", flush=True)
                except Exception as error:
                    print(f"[pump] expired-slot sweep failed: {type(error).__name__}", file=sys.stderr, flush=True)
            if time.monotonic() - last_files >= args.files_seconds:
                last_files = time.monotonic()
                try:  # Lambda runs this every minute; chalice local runs no schedules
                    stats = app_module.files_worker(_scheduled_event(), LocalContext("keyhole-local-files_worker", 900))
                    if stats and stats.get("due"):
                        print(f"[pump] files worker: {stats}", flush=True)
                except Exception as error:
                    print(f"[pump] files worker failed: {type(error).__name__}", file=sys.stderr, flush=True)
            if pump.retry_delay:
                time.sleep(pump.retry_delay)
            elif not handled:
                time.sleep(args.poll_seconds)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
