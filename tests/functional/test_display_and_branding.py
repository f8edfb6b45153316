"""Display hints on resources and tenant branding through the admin API, and what the viewer's page
makes of them: validated with field errors like every other input (422 naming each field, nothing
written), stored, returned, used by the page; the not-found page stays neutral."""
from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest


from chalicelib.resources import display
from chalicelib.tenancy import tenants
from chalicelib.runtime.errors import MAX_FIELD_CHARS, clip
from chalicelib.service import Keyhole
from tests.conftest import Api
from tests.functional.test_viewer_page import Page
from tests.images import data_uri, png
from tests.support import RESOURCE_BODY, TenantKeys, make_link, refused, refused_fields

LOGO = data_uri("png", png(24, 24, (200, 30, 60)))


def _resource(display_value: Any) -> Dict[str, Any]:
    body = json.loads(json.dumps(RESOURCE_BODY))
    body["display"] = display_value
    return body


DISPLAY_ERRORS = [
    ("not an object", "line", ["display"]),
    ("unknown top-level key", {"charts": {}}, ["display.charts"]),
    ("fields not an object", {"fields": ["a"]}, ["display.fields"]),
    ("hint not an object", {"fields": {"a": "line"}}, ["display.fields.a"]),
    ("unknown kind", {"fields": {"a": {"as": "pie"}}}, ["display.fields.a.as"]),
    ("unknown hint key", {"fields": {"a": {"colour": "red"}}}, ["display.fields.a.colour"]),
    ("label too long", {"fields": {"a": {"label": "x" * 101}}}, ["display.fields.a.label"]),
    ("label blank", {"fields": {"a": {"label": " "}}}, ["display.fields.a.label"]),
    ("label with bidi override", {"fields": {"a": {"label": "Total\u202e"}}}, ["display.fields.a.label"]),
    ("unit too long", {"fields": {"a": {"unit": "u" * 17}}}, ["display.fields.a.unit"]),
    ("unit not a string", {"fields": {"a": {"unit": 5}}}, ["display.fields.a.unit"]),
    ("columns not a list", {"fields": {"a": {"columns": "x"}}}, ["display.fields.a.columns"]),
    ("columns empty", {"fields": {"a": {"columns": []}}}, ["display.fields.a.columns"]),
    ("too many series", {"fields": {"a": {"y": [f"s{i}" for i in range(9)]}}}, ["display.fields.a.y"]),
    ("labels not strings", {"fields": {"a": {"labels": {"x": 1}}}}, ["display.fields.a.labels.x"]),
    ("decimals out of range", {"fields": {"a": {"decimals": 7}}}, ["display.fields.a.decimals"]),
    ("decimals a boolean", {"fields": {"a": {"decimals": True}}}, ["display.fields.a.decimals"]),
    ("collapsed not a boolean", {"fields": {"a": {"collapsed": "yes"}}}, ["display.fields.a.collapsed"]),
    # Error bodies clip a field name to 200 characters (chalicelib/runtime/errors.py), marked with an ellipsis.
    ("path too long", {"fields": {"p" * 513: {"as": "line"}}}, [clip("display.fields." + "p" * 513, MAX_FIELD_CHARS)]),
    ("path with a control", {"fields": {"a\u0000b": {}}}, ["display.fields.a\u0000b"]),
    ("too many fields", {"fields": {f"f{i}": {} for i in range(201)}}, ["display.fields"]),
    ("every bad field at once", {"fields": {"a": {"as": "pie", "unit": 5}, "b": {"decimals": -1}}},
     ["display.fields.a.as", "display.fields.a.unit", "display.fields.b.decimals"]),
]


@pytest.mark.parametrize("value,expected", [c[1:] for c in DISPLAY_ERRORS], ids=[c[0] for c in DISPLAY_ERRORS])
def test_bad_display_hints_are_422_naming_each_field_and_change_nothing(module_svc: Keyhole, module_api: Api,
                                                                       module_tenant: TenantKeys, value: Any,
                                                                       expected: List[str]) -> None:
    send = lambda: module_api.put("/v1/resources/hinted", key=module_tenant.operator, body=_resource(value))  # noqa: E731
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)


def test_display_hints_over_16_kib_are_413(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys) -> None:
    hints = {"fields": {f"field_{i:03d}": {"label": "L" * 100} for i in range(200)}}
    error = refused(module_svc, lambda: module_api.put("/v1/resources/hinted", key=module_tenant.operator,
                                                       body=_resource(hints)), 413, "payload_too_large")
    assert error["details"] == [{"field": "display", "message": "must be at most 16 KiB as compact JSON"}]


def test_display_hints_are_stored_returned_and_cleared(module_api: Api, module_tenant: TenantKeys) -> None:
    hints = {"fields": {"history": {"as": "area", "unit": "ms", "label": "Latency", "decimals": 1},
                        "history.at": {"label": "When"}, "rows": {"columns": ["b", "a", "b"], "collapsed": True}}}
    reply = module_api.put("/v1/resources/hinted-ok", key=module_tenant.operator, body=_resource(hints))
    assert reply.status in (200, 201), reply
    stored = {"fields": {**hints["fields"], "rows": {"columns": ["b", "a"], "collapsed": True}}}
    assert reply.json["display"] == stored
    assert module_api.get("/v1/resources/hinted-ok", key=module_tenant.viewer).json["display"] == stored
    # WHEN the resource is replaced without hints THEN they are gone (PUT replaces)
    cleared = module_api.put("/v1/resources/hinted-ok", key=module_tenant.operator, body=RESOURCE_BODY)
    assert cleared.json["display"] == {}
    assert display.parse(None) == display.NO_HINTS


BRANDING_ERRORS = [
    ("svg logo", {"logo": data_uri("svg+xml", b"<svg onload=alert(1)></svg>")}, ["logo"]),
    ("remote logo", {"logo": "https://evil.example/logo.png"}, ["logo"]),
    ("css in the colour", {"accent_color": "#fff;background:url(//evil.example)"}, ["accent_color"]),
    ("named colour", {"accent_color": "red"}, ["accent_color"]),
    ("display name too long", {"display_name": "x" * 101}, ["display_name"]),
    ("display name with bidi", {"display_name": "Acme\u202e"}, ["display_name"]),
    ("all at once", {"logo": "x", "accent_color": "x", "display_name": ""}, ["logo", "accent_color", "display_name"]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in BRANDING_ERRORS], ids=[c[0] for c in BRANDING_ERRORS])
def test_bad_branding_is_422_naming_each_field_and_changes_nothing(module_svc: Keyhole, module_api: Api,
                                                                  module_tenant: TenantKeys, body: Dict[str, Any],
                                                                  expected: List[str]) -> None:
    before = module_api.get("/v1/tenant", key=module_tenant.viewer).json
    send = lambda: module_api.patch("/v1/tenant", key=module_tenant.admin, body=body)  # noqa: E731
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)
    assert module_api.get("/v1/tenant", key=module_tenant.viewer).json == before


def test_branding_needs_the_admin_role(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys) -> None:
    refused(module_svc, lambda: module_api.patch("/v1/tenant", key=module_tenant.operator,
                                                 body={"accent_color": "#123456"}), 403, "forbidden")


def test_public_info_names_the_tenant_by_its_display_name(module_svc: Keyhole, module_api: Api) -> None:
    # GIVEN a tenant whose viewers know it by its display name
    _, admin = tenants.create_tenant(module_svc, name="Info Co Internal Ltd", plan="team")
    assert module_api.patch("/v1/tenant", key=admin, body={"display_name": "Info Co"}).status == 200
    module_api.put("/v1/resources/info-branded", key=admin, body=RESOURCE_BODY)
    token = make_link(module_api, admin, "info-branded")["url"].rsplit("/", 1)[1]
    # WHEN a viewer asks who shared the link THEN /info answers with the name the page shows
    info = module_api.get(f"/share/{token}/info", headers={"x-forwarded-for": "198.51.100.21"})
    assert info.status == 200 and info.json["tenant"] == {"name": "Info Co"}
    page = Page(module_api.get(f"/share/{token}", headers={"x-forwarded-for": "198.51.100.21"}).body)
    assert "Shared with you by Info Co" in page.text and "Info Co Internal Ltd" not in json.dumps(info.json)


def test_branding_shows_on_the_page_and_never_on_the_not_found_page(module_svc: Keyhole, module_api: Api) -> None:
    # GIVEN a tenant with a display name, an accent colour and a logo, and a link to its resource
    _, admin = tenants.create_tenant(module_svc, name="Brand Co Internal", plan="team")
    reply = module_api.patch("/v1/tenant", key=admin, body={"display_name": "Acme <Status>", "accent_color": "#C0FFEE",
                                                            "logo": LOGO})
    assert reply.status == 200, reply
    assert {k: reply.json["settings"][k] for k in ("display_name", "accent_color", "logo")} == {
        "display_name": "Acme <Status>", "accent_color": "#c0ffee", "logo": LOGO}
    module_api.put("/v1/resources/branded", key=admin, body=RESOURCE_BODY)
    link = make_link(module_api, admin, "branded")
    token = link["url"].rsplit("/", 1)[1]
    # WHEN a viewer opens the page
    page = module_api.get(f"/share/{token}", headers={"x-forwarded-for": "198.51.100.7"})
    html_text = page.body.decode()
    parsed = Page(page.body)
    # THEN the header shows the display name and the logo, the favicon is the logo, the accent is the colour
    assert "Shared with you by Acme <Status>" in parsed.text
    assert [a["src"] for a in parsed.all("img")] == [LOGO]
    assert [a["href"] for a in parsed.all("link") if a.get("rel") == "icon"] == [LOGO]
    assert ":root{--accent:#" in html_text and "Brand Co Internal" not in parsed.text
    # AND a dead link of that tenant gets the same bytes as any dead link: nothing of the brand
    module_api.delete(f"/v1/links/{link['id']}", key=admin)
    dead = module_api.get(f"/share/{token}", headers={"x-forwarded-for": "198.51.100.8"})
    unknown = module_api.get("/share/" + "A" * 64, headers={"x-forwarded-for": "198.51.100.9"})
    assert dead.status == unknown.status == 404 and dead.body == unknown.body
    assert b"Acme" not in dead.body and LOGO.encode() not in dead.body and b"c0ffee" not in dead.body.lower()
    # AND null clears the branding again
    cleared = module_api.patch("/v1/tenant", key=admin, body={"display_name": None, "accent_color": None, "logo": None})
    assert {k: cleared.json["settings"][k] for k in ("display_name", "accent_color", "logo")} == {
        "display_name": None, "accent_color": None, "logo": None}
    assert module_api.get("/v1/tenant", key=admin).json["settings"]["logo"] is None


def test_display_hints_reach_the_page(module_api: Api, module_tenant: TenantKeys) -> None:
    document = {"latency": [80, 85, 260, 90, 88, 91, 87], "orders": [{"sku": "SKU-00001", "total": 14.1}]}
    hints = {"fields": {"latency": {"as": "area", "unit": "ms", "label": "Response time"},
                        "orders": {"columns": ["total", "sku"], "labels": {"total": "Total (EUR)"}}}}
    body = {"type": "monitor", "name": "Hinted", "document": document, "display": hints}
    assert module_api.put("/v1/resources/hinted-page", key=module_tenant.operator, body=body).status in (200, 201)
    link = make_link(module_api, module_tenant.operator, "hinted-page")
    page = Page(module_api.get(f"/share/{link['url'].rsplit('/', 1)[1]}",
                               headers={"x-forwarded-for": "198.51.100.10"}).body)
    assert "Response time" in page.text and "260 ms" in page.text
    headers = [attrs.get("title") for tag, attrs in page.elements if tag == "th"]
    assert headers[-2:] == ["total", "sku"]
    assert any(tag == "path" and "area" in (attrs.get("class") or "") for tag, attrs in page.elements)
