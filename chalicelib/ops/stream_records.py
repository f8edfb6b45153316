"""DynamoDB stream records in the shape Lambda hands a stream function.

GetRecords (the `dynamodbstreams` API) and Lambda's event differ in small ways: Lambda's JSON has
binary values as base64 text, `ApproximateCreationDateTime` as epoch seconds, and adds
`eventSourceARN`. The local pump (devstack/pump.py) and the replay tool (`replay.py`) both read
records with GetRecords and call the consumer exactly as Lambda would, so they share this module.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any


def _attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    """A low-level attribute value as Lambda's JSON has it (binary values are base64 text)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        return {"BS": [_b64(v) for v in inner]}
    if kind == "M":
        return {"M": {k: _attribute_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_attribute_value(v) for v in inner]}
    return {kind: inner}


def _b64(data: Any) -> str:
    return data if isinstance(data, str) else base64.b64encode(bytes(data)).decode("ascii")


def epoch(value: Any) -> Any:
    """A datetime as epoch seconds (botocore parses timestamps; Lambda sends numbers)."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


def to_lambda_record(raw: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """One GetRecords record (as botocore returns it) -> one record of a Lambda stream event."""
    stream = dict(raw["dynamodb"])
    for name in ("Keys", "NewImage", "OldImage"):
        if name in stream:
            stream[name] = {k: _attribute_value(v) for k, v in stream[name].items()}
    if "ApproximateCreationDateTime" in stream:
        stream["ApproximateCreationDateTime"] = epoch(stream["ApproximateCreationDateTime"])
    record = {
        "eventID": raw.get("eventID") or uuid.uuid4().hex,
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or region,
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = {
            "type": raw["userIdentity"].get("Type") or raw["userIdentity"].get("type"),
            "principalId": raw["userIdentity"].get("PrincipalId") or raw["userIdentity"].get("principalId"),
        }
    return record


def lambda_event(records: list[dict[str, Any]], stream_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    return {"Records": [to_lambda_record(r, stream_arn, region) for r in records]}


def sequence_of(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])
