"""The pure building blocks behind the API contract: expiry parsing, cursors, redaction, token and
key formats, body parsing, and the log scrubbers. Fast, table-driven, no AWS.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import pytest

from chalicelib.tenancy import expiry
from chalicelib.runtime import pagination, validation
from chalicelib.resources import redaction
from chalicelib.credentials import tokens
from chalicelib.runtime.errors import BadRequest, Collector, PayloadTooLarge, ValidationFailed
from chalicelib.runtime.logs import scrub
from devstack.serve import drop_query, mask_tokens

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


# --- expiry --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,seconds", [("1m", 60), ("90m", 5400), ("1h", 3600), ("24h", 86400), ("7d", 604800),
                                          ("30d", 2592000), ("3660d", 3660 * 86400), ("never", None),
                                          (" 7d ", 604800)])
def test_parse_duration_accepts_presets_and_n_m_h_d(text: str, seconds: Optional[int]) -> None:
    assert expiry.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "0d", "01h", "1s", "1w", "1y", "1.5h", "-1h", "+1h", "1 h", "h", "1H",
                                  "Never", "3661d", "99999999d", "１h", "1h\n1h", None, 1, 3600, ["1h"]])
def test_parse_duration_rejects_everything_else(text: Any) -> None:
    with pytest.raises(ValueError):
        expiry.parse_duration(text)


def _resolve(body: dict, default: str = "7d", maximum: str = "never") -> tuple:
    errors = Collector()
    given, at = expiry.resolve(body, now=NOW, default_expires_in=default, max_expires_in=maximum, errors=errors)
    return given, at, [d["field"] for d in errors.details]


def test_resolve_applies_the_default_and_the_ceiling() -> None:
    assert _resolve({}) == (True, NOW + timedelta(days=7), [])
    assert _resolve({}, default="never") == (True, None, [])
    assert _resolve({"expires_in": "30d"}, maximum="30d") == (True, NOW + timedelta(days=30), [])
    assert _resolve({"expires_in": "31d"}, maximum="30d")[2] == ["expires_in"]
    assert _resolve({"expires_in": "never"}, maximum="30d")[2] == ["expires_in"]
    assert _resolve({"expires_at": "2026-01-31T00:00:01Z"}, maximum="30d")[2] == ["expires_at"]
    assert _resolve({"expires_at": "2026-01-31T00:00:00Z"}, maximum="30d")[2] == []


@pytest.mark.parametrize("value", ["2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+02:00"])
def test_resolve_refuses_expires_at_now_or_in_the_past(value: str) -> None:
    assert _resolve({"expires_at": value})[2] == ["expires_at"]


def test_resolve_leaves_expiry_alone_when_a_patch_names_none() -> None:
    errors = Collector()
    assert expiry.resolve({"label": "x"}, now=NOW, default_expires_in="7d", max_expires_in="never", errors=errors,
                          use_default=False) == (False, None)


# --- cursors -------------------------------------------------------------------------------

KEY = {"pk": {"S": "TENANT#ten_1"}, "sk": {"S": "RES#r1"}}


def test_a_cursor_round_trips_for_its_own_list_only() -> None:
    cursor = pagination.encode(KEY, list_id="resources")
    assert cursor and "=" not in cursor
    decoded = pagination.decode(cursor, partition_attr="pk", partition_value="TENANT#ten_1",
                                allowed_attrs=("pk", "sk"), list_id="resources")
    assert decoded == KEY
    for list_id, partition in (("api-keys", "TENANT#ten_1"), ("resources", "TENANT#ten_2")):
        with pytest.raises(ValidationFailed):
            pagination.decode(cursor, partition_attr="pk", partition_value=partition, allowed_attrs=("pk", "sk"),
                              list_id=list_id)


@pytest.mark.parametrize("flat", [
    {"pk": "TENANT#ten_1", "sk": "RES#r1"},  # no list name
    {"pk": "TENANT#ten_1", "sk": "RES#r1", "list": "resources", "extra": "x"},
    {"pk": "TENANT#ten_1", "sk": 5, "list": "resources"},
    {"sk": "RES#r1", "list": "resources"},
    ["pk", "sk"],
])
def test_edited_cursors_are_refused(flat: Any) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(flat).encode()).decode()
    with pytest.raises(ValidationFailed):
        pagination.decode(cursor, partition_attr="pk", partition_value="TENANT#ten_1", allowed_attrs=("pk", "sk"),
                          list_id="resources")


@pytest.mark.parametrize("limit,expected,ok", [(None, 50, True), ("1", 1, True), ("100", 100, True),
                                               ("0", 50, False), ("101", 50, False), ("x", 50, False)])
def test_parse_limit(limit: Optional[str], expected: int, ok: bool) -> None:
    errors = Collector()
    assert pagination.parse_limit({} if limit is None else {"limit": limit}, errors) == expected
    assert bool(errors) is not ok


# --- redaction -----------------------------------------------------------------------------

def test_redaction_replaces_whole_values_at_any_depth_case_insensitively() -> None:
    document = {"a": {"Secret": {"x": 1}}, "b": [{"SECRET": [1, 2]}, {"c": "secret"}], "secret": None}
    assert redaction.redact(document, ["secret"]) == {"a": {"Secret": "***"}, "b": [{"SECRET": "***"},
                                                                                    {"c": "secret"}], "secret": "***"}


def test_projection_keeps_only_scope_fields_in_document_order() -> None:
    document = {"b": 2, "a": 1, "c": {"a": 3}}
    assert list(redaction.project(document, ["a", "b", "zzz"])) == ["b", "a"]
    assert redaction.project(document, None) == document


def test_depth_stops_early_on_deep_values() -> None:
    value: Any = 1
    for _ in range(100_000):
        value = [value]
    assert redaction.depth(value, 64) == 65


# --- tokens and keys -----------------------------------------------------------------------

def test_share_tokens_are_64_url_safe_chars_with_256_secret_bits_and_parse_back() -> None:
    locator = "0123456789abcdef" * 2
    made = [tokens.new_share_token(locator) for _ in range(50)]
    assert len({t.value for t in made}) == 50
    for token in made:
        raw = base64.urlsafe_b64decode(token.value)
        assert len(token.value) == 64 and len(raw) == 48 and raw[32:].hex() == locator
        assert tokens.parse_share_token(token.value) == token and token.preview == token.value[:6]


@pytest.mark.parametrize("value", ["", "A" * 63, "A" * 65, "A" * 63 + "=", "+" * 64, "/" * 64, " " + "A" * 63,
                                   "A" * 64 + "\n", None, 5])
def test_malformed_share_tokens_do_not_parse(value: Any) -> None:
    assert tokens.parse_share_token(value) is None


def test_api_keys_name_their_tenant_and_parse_strictly() -> None:
    key = tokens.new_api_key("0123456789abcdef")
    assert tokens.parse_api_key(key.value) == key and key.tenant_id == "ten_0123456789abcdef"
    assert key.key_id.startswith("key_") and key.value not in key.key_id
    for bad in (key.value[:-1], key.value + "A", key.value.replace("kh_", "KH_"), key.value.upper(), "", None):
        assert tokens.parse_api_key(bad) is None  # type: ignore[arg-type]


# --- request bodies ------------------------------------------------------------------------

@pytest.mark.parametrize("raw,error", [
    (b"", BadRequest), (b"   ", BadRequest), (b"[]", BadRequest), (b"null", BadRequest), (b"{", BadRequest),
    (b'{"a": NaN}', BadRequest), (b'{"a": Infinity}', BadRequest), (b'{"a": 1e999}', BadRequest),
    (b'{"a": "\\udfff"}', BadRequest), (b"[" * 100_000, BadRequest), (b"{}" + b" " * 200_000, PayloadTooLarge),
], ids=["empty", "blank", "array", "null", "truncated", "NaN", "Infinity", "overflow", "lone surrogate",
        "100k nesting", "over max_bytes"])
def test_parse_json_object_refuses_what_is_not_a_storable_json_object(raw: bytes, error: type) -> None:
    with pytest.raises(error):
        validation.parse_json_object(raw, max_bytes=150_000)


def test_parse_json_object_accepts_objects_and_empty_patches() -> None:
    assert validation.parse_json_object(b'{"a": [1, 2.5, "\\u00e9"]}', max_bytes=1024) == {"a": [1, 2.5, "é"]}
    assert validation.parse_json_object(b"", max_bytes=1024, allow_empty=True) == {}


# --- log scrubbing -------------------------------------------------------------------------

def test_scrub_masks_tokens_keys_and_webhook_secrets() -> None:
    token = tokens.new_share_token("0123456789abcdef" * 2).value
    key = tokens.new_api_key("0123456789abcdef").value
    text = scrub(f"GET /share/{token}/data key={key} secret=whsec_{'a' * 32}")
    assert token not in text and key not in text and "whsec_aaaa" not in text


def test_chalice_local_request_lines_mask_share_tokens() -> None:
    token = tokens.new_share_token("0123456789abcdef" * 2).value
    for line in (f'"GET /share/{token}/data HTTP/1.1" 200 -', f'"GET /share/{token} HTTP/1.1" 404 -',
                 f'"POST /share/{token}/unlock?next=1 HTTP/1.1" 303 -'):
        masked = mask_tokens(line)
        assert token not in masked and "/share/<token>" in masked


def test_chalice_local_request_lines_drop_query_strings() -> None:
    key = tokens.new_api_key("0123456789abcdef").value
    line = f'127.0.0.1 - "GET /v1/tenant?api_key={key}&x=1 HTTP/1.1" 401 -'
    assert drop_query(line) == '127.0.0.1 - "GET /v1/tenant HTTP/1.1" 401 -'


def test_the_aws_sdk_never_logs_at_debug_even_when_the_service_does() -> None:
    """botocore at DEBUG prints request/response bodies: KMS plaintext data keys, documents."""
    import logging

    from chalicelib.runtime import logs

    root = logging.getLogger()
    saved = root.level, logging.getLogger("botocore").level
    try:
        root.setLevel(logging.DEBUG)
        logging.getLogger("botocore").setLevel(logging.NOTSET)
        logs.configure(level="DEBUG")
        assert logging.getLogger("botocore").getEffectiveLevel() >= logging.INFO
        assert logging.getLogger("botocore.endpoint").getEffectiveLevel() >= logging.INFO
    finally:
        root.setLevel(saved[0])
        logging.getLogger("botocore").setLevel(saved[1])
