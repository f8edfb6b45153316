"""The environment a deployed `prod` function sees, as far as a cold import of `app` reads it:
fresh-process measurements (bench/coldstart.py, tests/functional/test_cold_import_stack.py) use it
so that `app` configures itself as on Lambda without reaching AWS."""

from __future__ import annotations

COLD_IMPORT_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "KEYHOLE_STAGE": "prod",
    "KEYHOLE_TABLE": "keyhole-prod",
    "KEYHOLE_COUNTERS_TABLE": "keyhole-prod-counters",
    "KEYHOLE_KMS_KEY_ID": "alias/keyhole-prod",
    "KEYHOLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/keyhole-prod/stream/x",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
}
