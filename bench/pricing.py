"""Prices and the serverless floor that `make bench` measures Keyhole against.

us-east-1 on-demand list prices (the same constants everywhere in the benchmark's output), and the
latency model used to bill Lambda for time spent waiting on DynamoDB (the emulator's own time is
not DynamoDB's, so it is measured, subtracted, and replaced by these figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# --- us-east-1 on-demand list prices (USD) --------------------------------------------------
API_GATEWAY_REST_PER_MILLION = 3.50
LAMBDA_REQUEST_PER_MILLION = 0.20
LAMBDA_GB_SECOND = 0.0000166667
DYNAMODB_WRU_PER_MILLION = 0.625
DYNAMODB_RRU_PER_MILLION = 0.125
# Data transfer out is billed too, but neither the floor nor the budget includes it: it is shown
# separately (per million responses) so compression can be judged.
DATA_TRANSFER_OUT_PER_GB = 0.09
# A file download: the viewer's browser makes one S3 GET on the presigned URL (S3 Standard,
# $0.0004 per 1,000 GET requests), billed to the bucket's account. S3's own KMS requests for
# SSE-KMS are amortised by the Bucket Key (S3 reuses a bucket-level key for a while) and left out.
S3_GET_PER_MILLION = 0.40

# --- DynamoDB's rounding rules --------------------------------------------------------------
READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024

# --- the floor (docs/capacity.md) ------------------------------------------------------------------
FLOOR_LAMBDA_MS = 10
FLOOR_LAMBDA_MB = 256
BUDGET_RATIO = 1.25

# Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. Keyhole's
# own time is measured on this machine's cores, so it is scaled by 1769 / memory (never below 1).
LAMBDA_FULL_VCPU_MB = 1769

# --- DynamoDB latency model (ms per request, same Region, warm connection) -----------------
# Typical single-digit-millisecond figures for small items; a request's own time in the emulator
# is replaced by these when billing Lambda duration.
DYNAMODB_LATENCY_MS = {
    "GetItem": 4.0,
    "BatchGetItem": 5.0,
    "Query": 5.0,
    "PutItem": 5.0,
    "UpdateItem": 5.0,
    "DeleteItem": 5.0,
    "BatchWriteItem": 8.0,
    "TransactWriteItems": 12.0,
    "TransactGetItems": 8.0,
}
DEFAULT_AWS_LATENCY_MS = 10.0  # anything else (KMS, DescribeTable, ...)
# Large reads take longer: add this per 4 KB read beyond the first.
DYNAMODB_LATENCY_MS_PER_EXTRA_READ_UNIT = 0.05


def lambda_duration_price(ms: float, memory_mb: int) -> float:
    """Lambda bills per started millisecond at the configured memory."""
    return math.ceil(ms) / 1000 * (memory_mb / 1024) * LAMBDA_GB_SECOND


def rru_price(units: float) -> float:
    return units * DYNAMODB_RRU_PER_MILLION / 1e6


def wru_price(units: float) -> float:
    return units * DYNAMODB_WRU_PER_MILLION / 1e6


def read_units(size_bytes: int, *, consistent: bool = True) -> float:
    units = max(1, math.ceil(size_bytes / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def write_units(size_bytes: int) -> int:
    return max(1, math.ceil(size_bytes / WRITE_UNIT_BYTES))


@dataclass(frozen=True)
class Floor:
    """One REST request + one Lambda request billed 10 ms at 256 MB + one strongly consistent
    read of the document + one 1 KB access-event write."""

    document_bytes: int

    @property
    def rru(self) -> float:
        return read_units(self.document_bytes)

    @property
    def per_million(self) -> float:
        return (
            API_GATEWAY_REST_PER_MILLION
            + LAMBDA_REQUEST_PER_MILLION
            + lambda_duration_price(FLOOR_LAMBDA_MS, FLOOR_LAMBDA_MB) * 1e6
            + rru_price(self.rru) * 1e6
            + wru_price(1) * 1e6
        )


@dataclass(frozen=True)
class DownloadFloor:
    """A file download's floor: the viewer floor with one S3 GET instead of the document read
    (one REST request + one Lambda request billed 10 ms at 256 MB + one S3 GET + one 1 KB
    access-event write). Data transfer out is billed per GB and shown apart."""

    @property
    def per_million(self) -> float:
        return (
            API_GATEWAY_REST_PER_MILLION
            + LAMBDA_REQUEST_PER_MILLION
            + lambda_duration_price(FLOOR_LAMBDA_MS, FLOOR_LAMBDA_MB) * 1e6
            + S3_GET_PER_MILLION
            + wru_price(1) * 1e6
        )


def describe() -> list[str]:
    """Lines for the benchmark's output: every constant it uses, named."""
    return [
        f"prices (us-east-1 on-demand): API Gateway REST ${API_GATEWAY_REST_PER_MILLION}/M requests; "
        f"Lambda ${LAMBDA_REQUEST_PER_MILLION}/M requests + ${LAMBDA_GB_SECOND}/GB-s (per ms); "
        f"DynamoDB ${DYNAMODB_WRU_PER_MILLION}/M WRU, ${DYNAMODB_RRU_PER_MILLION}/M RRU",
        "units: strongly consistent read 1 RRU/4 KB (eventually consistent 0.5), write 1 WRU/1 KB (larger of "
        "the old and new item), transactional 2x, ConditionCheck = write units, a failed condition still pays, "
        "each GSI entry written 1 WRU; missing items still cost the minimum",
        f"floor: 1 REST request + 1 Lambda request billed {FLOOR_LAMBDA_MS} ms at {FLOOR_LAMBDA_MB} MB + "
        "1 strongly consistent read of the document + 1 write of 1 KB (the access event); a file download's: "
        f"the same with 1 S3 GET (${S3_GET_PER_MILLION}/M) instead of the document read, data transfer apart "
        f"(${DATA_TRANSFER_OUT_PER_GB}/GB)",
        "Lambda duration: Keyhole's own time measured in process (this thread's CPU time minus the time inside "
        f"the emulator's AWS calls), scaled by {LAMBDA_FULL_VCPU_MB}/memory for Lambda's CPU share, plus a DynamoDB "
        f"latency model per request ({', '.join(f'{k} {v:g} ms' for k, v in DYNAMODB_LATENCY_MS.items())}; others "
        f"{DEFAULT_AWS_LATENCY_MS:g} ms), billed per started ms at the stage's configured memory",
    ]
