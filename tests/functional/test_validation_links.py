"""Every field, range and limit of SPEC.md's admin API, at and just past each boundary: creating
and patching links.

A refused request gets 400/413/422 in Keyhole's error format (422 naming each bad field) and
changes nothing: `Unchanged` watches the table's stream for any write during the request.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import pytest

from chalicelib.runtime.clock import parse_rfc3339
from chalicelib.service import Keyhole
from tests.conftest import Api
from tests.support import TenantKeys, make_link, make_tenant, refused_fields


def _at(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- creating links ------------------------------------------------------------------------

def _link_path(t: TenantKeys) -> str:
    return f"/v1/resources/{t.resource_id}/links"


LINK_CREATE_ERRORS = [
    ("label too long", {"label": "l" * 101}, ["label"]),
    ("label not a string", {"label": 5}, ["label"]),
    ("label control chars", {"label": "a\x00b"}, ["label"]),
    ("label DEL", {"label": "a\x7fb"}, ["label"]),
    ("label right-to-left override", {"label": "invoice\u202efdp.exe"}, ["label"]),
    ("description C1 control", {"description": "a\x85b"}, ["description"]),
    ("description directional isolate", {"description": "a\u2067b"}, ["description"]),
    ("description too long", {"description": "d" * 501}, ["description"]),
    ("description not a string", {"description": {"a": 1}}, ["description"]),
    ("scope unknown", {"scope": "nope"}, ["scope"]),
    ("scope empty", {"scope": ""}, ["scope"]),
    ("scope not a string", {"scope": ["summary"]}, ["scope"]),
    ("scope case differs", {"scope": "Summary"}, ["scope"]),
    ("expires_in garbage", {"expires_in": "soon"}, ["expires_in"]),
    ("expires_in zero", {"expires_in": "0h"}, ["expires_in"]),
    ("expires_in seconds unit", {"expires_in": "30s"}, ["expires_in"]),
    ("expires_in weeks unit", {"expires_in": "1w"}, ["expires_in"]),
    ("expires_in negative", {"expires_in": "-1h"}, ["expires_in"]),
    ("expires_in fraction", {"expires_in": "1.5h"}, ["expires_in"]),
    ("expires_in no number", {"expires_in": "h"}, ["expires_in"]),
    ("expires_in inner space", {"expires_in": "1 h"}, ["expires_in"]),
    ("expires_in upper case", {"expires_in": "1H"}, ["expires_in"]),
    ("expires_in NEVER", {"expires_in": "NEVER"}, ["expires_in"]),
    ("expires_in empty", {"expires_in": ""}, ["expires_in"]),
    ("expires_in a number", {"expires_in": 3600}, ["expires_in"]),
    ("expires_in null", {"expires_in": None}, ["expires_in"]),
    ("expires_in over ten years", {"expires_in": "3661d"}, ["expires_in"]),
    ("expires_in huge", {"expires_in": "99999999d"}, ["expires_in"]),
    ("expires_in leading zero", {"expires_in": "01h"}, ["expires_in"]),
    ("expires_at past", {"expires_at": "2020-01-01T00:00:00Z"}, ["expires_at"]),
    ("expires_at garbage", {"expires_at": "tomorrow"}, ["expires_at"]),
    ("expires_at without zone", {"expires_at": "2099-01-01T00:00:00"}, ["expires_at"]),
    ("expires_at date only", {"expires_at": "2099-01-01"}, ["expires_at"]),
    ("expires_at a number", {"expires_at": 4102444800}, ["expires_at"]),
    ("expires_at month 13", {"expires_at": "2099-13-01T00:00:00Z"}, ["expires_at"]),
    ("expires_at before year 1 in UTC", {"expires_at": "0001-01-01T00:00:00+01:00"}, ["expires_at"]),
    ("expires_at after year 9999 in UTC", {"expires_at": "9999-12-31T23:59:59-01:00"}, ["expires_at"]),
    ("expires_at beyond ten years", {"expires_at": "2999-01-01T00:00:00Z"}, ["expires_at"]),
    ("both expiry fields", {"expires_in": "1h", "expires_at": "2099-01-01T00:00:00Z"}, ["expires_in", "expires_at"]),
    ("password too short", {"password": "1234567"}, ["password"]),
    ("password too long", {"password": "p" * 257}, ["password"]),
    ("password not a string", {"password": 12345678}, ["password"]),
    ("password empty", {"password": ""}, ["password"]),
    ("max_views zero", {"max_views": 0}, ["max_views"]),
    ("max_views negative", {"max_views": -1}, ["max_views"]),
    ("max_views over a million", {"max_views": 1_000_001}, ["max_views"]),
    ("max_views a string", {"max_views": "5"}, ["max_views"]),
    ("max_views true", {"max_views": True}, ["max_views"]),
    ("max_views false", {"max_views": False}, ["max_views"]),
    ("max_views a float", {"max_views": 1.5}, ["max_views"]),
    ("max_views a whole float", {"max_views": 5.0}, ["max_views"]),
    ("max_views a list", {"max_views": [5]}, ["max_views"]),
    ("rate_limit zero", {"rate_limit_per_min": 0}, ["rate_limit_per_min"]),
    ("rate_limit over 1000", {"rate_limit_per_min": 1001}, ["rate_limit_per_min"]),
    ("rate_limit a string", {"rate_limit_per_min": "10"}, ["rate_limit_per_min"]),
    ("rate_limit true", {"rate_limit_per_min": True}, ["rate_limit_per_min"]),
    ("rate_limit a float", {"rate_limit_per_min": 2.5}, ["rate_limit_per_min"]),
    ("unknown field", {"labels": "x"}, ["labels"]),
    ("caller-chosen token", {"token": "A" * 64}, ["token"]),
    ("caller-chosen id", {"id": "lnk_000000000000000000000000"}, ["id"]),
    ("everything wrong at once", {"label": 1, "max_views": 0, "rate_limit_per_min": 1001, "scope": "x", "x": 1},
     ["x", "label", "max_views", "rate_limit_per_min", "scope"]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in LINK_CREATE_ERRORS], ids=[c[0] for c in LINK_CREATE_ERRORS])
def test_link_create_field_errors_are_422_and_create_nothing(module_svc: Keyhole, module_api: Api,
                                                             module_tenant: TenantKeys, body: Dict[str, Any],
                                                             expected: List[str]) -> None:
    # GIVEN a bad create-link body WHEN posted THEN 422 naming every bad field; no link, no slot, no audit
    send = lambda: module_api.post(_link_path(module_tenant), key=module_tenant.operator, body=body)  # noqa: E731
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)


LINK_CREATE_OK = [
    ("empty body", {}),
    ("label of 100", {"label": "l" * 100}),
    ("label of 100 emoji", {"label": "🔑" * 100}),
    ("label null", {"label": None}),
    ("description of 500", {"description": "d" * 500}),
    ("scope", {"scope": "summary"}),
    ("scope null", {"scope": None}),
    ("password of 8", {"password": "12345678"}),
    ("password of 256", {"password": "p" * 256}),
    ("max_views 1", {"max_views": 1}),
    ("max_views 1,000,000", {"max_views": 1_000_000}),
    ("rate_limit 1", {"rate_limit_per_min": 1}),
    ("rate_limit 1000", {"rate_limit_per_min": 1000}),
]


@pytest.mark.parametrize("body", [c[1] for c in LINK_CREATE_OK], ids=[c[0] for c in LINK_CREATE_OK])
def test_link_create_accepts_every_field_at_its_limits(module_api: Api, module_tenant: TenantKeys,
                                                       body: Dict[str, Any]) -> None:
    # GIVEN / WHEN a body at the limits THEN 201 and the link carries exactly those values
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id, **body)
    for name in ("label", "description", "scope", "max_views", "rate_limit_per_min"):
        if name in body:
            assert link[name] == body[name]
    assert link["has_password"] is ("password" in body)


@pytest.mark.parametrize("expires_in,seconds", [
    ("1h", 3600), ("24h", 86400), ("7d", 7 * 86400), ("30d", 30 * 86400), ("90m", 5400), ("1m", 60),
    ("2d", 2 * 86400), ("3660d", 3660 * 86400), (" 1h ", 3600), ("never", None),
])
def test_expires_in_presets_and_n_m_h_d(module_api: Api, module_tenant: TenantKeys, expires_in: str,
                                       seconds: Optional[int]) -> None:
    # GIVEN / WHEN a link is created with `expires_in` THEN expires_at is now + that duration (or null)
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id, expires_in=expires_in)
    if seconds is None:
        assert link["expires_at"] is None
    else:
        expected = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        assert abs((parse_rfc3339(link["expires_at"]) - expected).total_seconds()) < 5


def test_expires_at_in_the_future_is_kept_to_the_second(module_api: Api, module_tenant: TenantKeys) -> None:
    # GIVEN a future timestamp with an offset WHEN used as expires_at THEN it is stored in UTC
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id,
                     expires_at="2030-06-01T12:00:00+02:00")
    assert link["expires_at"] == "2030-06-01T10:00:00Z"


def test_without_expiry_the_tenant_default_applies(module_api: Api, module_tenant: TenantKeys) -> None:
    # GIVEN the default tenant settings (default_expires_in 7d) WHEN a link names no expiry
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id)
    # THEN it expires in 7 days
    expected = datetime.now(timezone.utc) + timedelta(days=7)
    assert abs((parse_rfc3339(link["expires_at"]) - expected).total_seconds()) < 5


@pytest.fixture(scope="module")
def strict(module_svc: Keyhole, module_api: Api) -> TenantKeys:
    """A tenant whose links must expire within 30 days (default 1 day) and carry a password."""
    t = make_tenant(module_svc, module_api, name="Strict Co")
    reply = module_api.patch("/v1/tenant", key=t.admin, body={"default_expires_in": "1d", "max_expires_in": "30d",
                                                               "require_password": True})
    assert reply.status == 200, reply
    return t


@pytest.mark.parametrize("body,field", [
    ({"expires_in": "31d", "password": "12345678"}, "expires_in"),
    ({"expires_in": "721h", "password": "12345678"}, "expires_in"),
    ({"expires_in": "never", "password": "12345678"}, "expires_in"),
    ({"expires_at": _at(timedelta(days=31)), "password": "12345678"}, "expires_at"),
    ({"expires_at": None, "password": "12345678"}, "expires_at"),
    ({"expires_in": "1h"}, "password"),
    ({"password": None}, "password"),
])
def test_the_tenant_ceiling_and_password_requirement_are_enforced(module_svc: Keyhole, module_api: Api,
                                                                 strict: TenantKeys, body: Dict[str, Any],
                                                                 field: str) -> None:
    # GIVEN a tenant with max_expires_in 30d and require_password WHEN a link breaks either rule
    send = lambda: module_api.post(_link_path(strict), key=strict.operator, body=body)  # noqa: E731
    # THEN 422 naming the field, and nothing is created
    assert refused_fields(module_svc, send) == [field]


def test_links_within_the_ceiling_use_the_tenant_default(module_api: Api, strict: TenantKeys) -> None:
    # GIVEN the strict tenant WHEN links are created within its rules THEN they are accepted
    default = make_link(module_api, strict.operator, strict.resource_id, password="12345678")
    expected = datetime.now(timezone.utc) + timedelta(days=1)
    assert abs((parse_rfc3339(default["expires_at"]) - expected).total_seconds()) < 5
    assert default["has_password"] is True
    at_max = make_link(module_api, strict.operator, strict.resource_id, password="12345678", expires_in="30d")
    assert at_max["expires_at"] > default["expires_at"]


# --- patching links ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def patch_target(module_api: Api, module_tenant: TenantKeys) -> str:
    return make_link(module_api, module_tenant.admin, module_tenant.resource_id, label="patch me")["id"]


LINK_PATCH_ERRORS = [
    ("label too long", {"label": "l" * 101}, ["label"]),
    ("label not a string", {"label": 1}, ["label"]),
    ("description too long", {"description": "d" * 501}, ["description"]),
    ("expires_in garbage", {"expires_in": "later"}, ["expires_in"]),
    ("expires_at past", {"expires_at": "2001-01-01T00:00:00Z"}, ["expires_at"]),
    ("expires_at garbage", {"expires_at": "yesterday"}, ["expires_at"]),
    ("both expiry fields", {"expires_in": "1h", "expires_at": _at(timedelta(hours=2))}, ["expires_in", "expires_at"]),
    ("max_views zero", {"max_views": 0}, ["max_views"]),
    ("max_views over a million", {"max_views": 1_000_001}, ["max_views"]),
    ("max_views a string", {"max_views": "3"}, ["max_views"]),
    ("max_views true", {"max_views": True}, ["max_views"]),
    ("rate_limit zero", {"rate_limit_per_min": 0}, ["rate_limit_per_min"]),
    ("rate_limit over 1000", {"rate_limit_per_min": 1001}, ["rate_limit_per_min"]),
    ("rate_limit a float", {"rate_limit_per_min": 9.5}, ["rate_limit_per_min"]),
    ("scope is not patchable", {"scope": "summary"}, ["scope"]),
    ("password too short", {"password": "1234567"}, ["password"]),
    ("paused not a boolean", {"paused": "yes"}, ["paused"]),
    ("token is not patchable", {"token": "A" * 64}, ["token"]),
    ("status is not patchable", {"status": "active"}, ["status"]),
    ("empty object", {}, ["body"]),
    ("valid and invalid together", {"label": "fine", "max_views": 0}, ["max_views"]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in LINK_PATCH_ERRORS], ids=[c[0] for c in LINK_PATCH_ERRORS])
def test_link_patch_field_errors_are_422_and_change_nothing(module_svc: Keyhole, module_api: Api,
                                                            module_tenant: TenantKeys, patch_target: str,
                                                            body: Dict[str, Any], expected: List[str]) -> None:
    # GIVEN a live link WHEN a bad PATCH is sent THEN 422 naming every bad field, and the link is as before
    before = module_api.get(f"/v1/links/{patch_target}", key=module_tenant.viewer).json
    send = lambda: module_api.patch(f"/v1/links/{patch_target}", key=module_tenant.operator, body=body)  # noqa: E731
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)
    assert module_api.get(f"/v1/links/{patch_target}", key=module_tenant.viewer).json == before


def test_a_patch_with_no_body_at_all_is_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                            patch_target: str) -> None:
    send = lambda: module_api.patch(f"/v1/links/{patch_target}", key=module_tenant.operator, raw=b"")  # noqa: E731
    assert refused_fields(module_svc, send) == ["body"]


def test_link_patch_sets_and_clears_each_field(module_api: Api, module_tenant: TenantKeys) -> None:
    # GIVEN a link
    link_id = make_link(module_api, module_tenant.operator, module_tenant.resource_id, label="old")["id"]
    path = f"/v1/links/{link_id}"
    # WHEN every patchable field is set THEN the link reflects them
    reply = module_api.patch(path, key=module_tenant.operator, body={
        "label": "l" * 100, "description": "d" * 500, "max_views": 1_000_000, "rate_limit_per_min": 1000,
        "expires_at": "2031-01-01T00:00:00Z"})
    assert reply.status == 200, reply
    got = module_api.get(path, key=module_tenant.viewer).json
    assert (got["label"], got["description"], got["max_views"], got["rate_limit_per_min"], got["expires_at"]) == (
        "l" * 100, "d" * 500, 1_000_000, 1000, "2031-01-01T00:00:00Z")
    # WHEN they are cleared with null (expiry via expires_in never) THEN they are gone
    reply = module_api.patch(path, key=module_tenant.operator, body={
        "label": None, "description": None, "max_views": None, "rate_limit_per_min": None, "expires_in": "never"})
    assert reply.status == 200, reply
    got = module_api.get(path, key=module_tenant.viewer).json
    assert (got["label"], got["description"], got["max_views"], got["rate_limit_per_min"], got["expires_at"]) == (
        None, None, None, None, None)


def test_link_patch_respects_the_tenant_ceiling(module_svc: Keyhole, module_api: Api, strict: TenantKeys) -> None:
    # GIVEN a link of the strict tenant WHEN a PATCH would push its expiry past 30d or to never THEN 422
    link_id = make_link(module_api, strict.operator, strict.resource_id, password="12345678")["id"]
    for body, field in (({"expires_in": "31d"}, "expires_in"), ({"expires_in": "never"}, "expires_in"),
                        ({"expires_at": None}, "expires_at")):
        send = lambda: module_api.patch(f"/v1/links/{link_id}", key=strict.operator, body=body)  # noqa: E731
        assert refused_fields(module_svc, send) == [field]
