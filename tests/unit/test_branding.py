"""Tenant branding (chalicelib/tenancy/branding.py): what a tenant may set, and that nothing it types reaches
the page except as re-made values."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chalicelib.tenancy import branding
from chalicelib.runtime.errors import Collector
from chalicelib.storage.models import Tenant
from tests.images import data_uri, jpeg, png, png_header_only, webp_lossless


def validate(body: Any) -> tuple:
    errors = Collector()
    changes = branding.validate(body, errors)
    return changes, [d["field"] for d in errors.details]


@pytest.mark.parametrize("value,expected", [("#3B5BDB", "#3b5bdb"), ("#abc", "#aabbcc"), ("#000000", "#000000")])
def test_colours_are_normalised(value: str, expected: str) -> None:
    assert validate({"accent_color": value}) == ({"accent_color": expected}, [])


@pytest.mark.parametrize("value", [
    "red", "#12345", "#1234567", "#ggg", "rgb(1,2,3)", "#fff;background:url(https://evil.example/x)",
    "#fff}</style><script>alert(1)</script>", "\uff03ffffff", " #ffffff", "#ffffff ", "#ff\u0000ff", 123, True,
    ["#fff"], {"r": 1}, "var(--x)", "expression(alert(1))", "#fff\n}body{display:none",
])
def test_anything_but_a_hex_colour_is_refused(value: Any) -> None:
    assert validate({"accent_color": value}) == ({}, ["accent_color"])


@pytest.mark.parametrize("kind,data", [("png", png(16, 16)), ("jpeg", jpeg(40, 30)), ("webp", webp_lossless(64, 64)),
                                       ("png", png(512, 1))])
def test_small_png_jpeg_and_webp_logos_are_accepted_as_rebuilt_data_uris(kind: str, data: bytes) -> None:
    changes, errors = validate({"logo": data_uri(kind, data)})
    assert errors == []
    assert changes["logo"] == f"data:image/{kind};base64," + base64.b64encode(data).decode()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
BAD_LOGOS = [
    ("svg", data_uri("svg+xml", SVG)),
    ("svg bytes named png", data_uri("png", SVG)),
    ("remote url", "https://evil.example/logo.png"),
    ("protocol-relative", "//evil.example/logo.png"),
    ("jpeg bytes named png", data_uri("png", jpeg())),
    ("png bytes named webp", data_uri("webp", png())),
    ("too many bytes", data_uri("png", png(16, 16) + b"\0" * (branding.MAX_LOGO_BYTES - 70))),
    ("too many pixels", data_uri("png", png_header_only(513, 16))),
    ("decompression bomb", data_uri("png", png_header_only(65535, 65535))),
    ("zero size", data_uri("png", png_header_only(0, 16))),
    ("not base64", "data:image/png;base64,@@@@"),
    ("base64 with spaces", "data:image/png;base64," + base64.b64encode(png()).decode()[:10] + " " +
     base64.b64encode(png()).decode()[10:]),
    ("parameters", "data:image/png;charset=utf-8;base64," + base64.b64encode(png()).decode()),
    ("no base64", "data:image/png," + png().decode("latin-1")),
    ("quote breaking out", data_uri("png", png()) + '" onerror="alert(1)'),
    ("html", data_uri("png", png()) + "<script>"),
    ("upper-case type", data_uri("PNG", png())),
    ("gif", data_uri("gif", b"GIF89a\x10\x00\x10\x00")),
    ("truncated png", data_uri("png", png()[:20])),
    ("empty", "data:image/png;base64,"),
    ("not a string", 42),
]


@pytest.mark.parametrize("value", [c[1] for c in BAD_LOGOS], ids=[c[0] for c in BAD_LOGOS])
def test_svg_remote_oversized_and_mislabelled_logos_are_refused(value: Any) -> None:
    assert validate({"logo": value}) == ({}, ["logo"])


@pytest.mark.parametrize("value", ["", " ", "x" * 101, "Acme\u202egpj.exe", "Acme\u0007", 7])
def test_display_names_follow_the_rules_of_names(value: Any) -> None:
    assert validate({"display_name": value})[1] == ["display_name"]


def test_null_clears_each_setting() -> None:
    assert validate({"display_name": None, "accent_color": None, "logo": None}) == (
        {"display_name": None, "accent_color": None, "logo": None}, [])


def test_the_brand_css_is_built_from_the_colour_only() -> None:
    css = branding.Brand("x", "#ffee00").css()
    # THEN only custom properties with hex values, readable on the light card (yellow is darkened)
    assert css.startswith(":root{--accent:#") and "url(" not in css and "<" not in css
    assert branding.contrast(branding._rgb(css.split("--accent:")[1][:7]), (255, 255, 255)) >= 4.5
    # AND a stored value that somehow is not a colour gives no CSS at all
    assert branding.brand_of({"accent_color": "red;}</style>"}, "T").css() == ""
    assert branding.brand_of({"logo": "https://evil.example/x.png"}, "T").logo is None
    assert branding.brand_of({"display_name": "  "}, "Tenant name").name == "Tenant name"


def test_a_tenant_item_with_the_largest_branding_fits_one_read_unit() -> None:
    # GIVEN a tenant whose every setting is at its largest (a 100-character display name of 4-byte
    # characters, the largest logo, every limit overridden)
    biggest_logo = data_uri("png", png(16, 16) + b"\0" * (branding.MAX_LOGO_BYTES - len(png(16, 16))))
    assert branding.parse_logo(biggest_logo) is not None
    limits = {name: 1_000_000 for name in ("links_per_resource", "shared_resources", "api_requests_per_min",
                                           "viewer_requests_per_min_per_ip", "failed_resolves_per_min_per_ip")}
    tenant = Tenant(pk="TENANT#ten_0123456789abcdef", sk="TENANT", tenant_id="ten_0123456789abcdef", name="N" * 100,
                    plan="enterprise", overrides=limits, limits=limits,
                    settings={"default_expires_in": "720h", "max_expires_in": "never", "token_display": "recopyable",
                              "require_password": False, "access_log_retention_days": 365, "default_redact": True,
                              "display_name": "\U0001F600" * 100, "accent_color": "#3b5bdb", "logo": biggest_logo},
                    active_links=10**9, shared_resources=10**9, created_at="2026-11-20T09:58:00Z",
                    gsi1pk="TENANTS", gsi1sk="2026-11-20T09:58:00Z#ten_0123456789abcdef",
                    gsi3pk="PLAN#enterprise", gsi3sk="ten_0123456789abcdef")
    # WHEN it is measured as DynamoDB does (attribute names plus values, UTF-8)
    size = _item_size(tenant.serialize())
    # THEN it stays inside one 4 KB strongly consistent read: every viewer request reads it
    assert size <= 4096, size
    print("largest tenant item:", size, "bytes")


def _item_size(item: dict) -> int:
    def value_size(value: dict) -> int:
        (kind, inner), = value.items()
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return len(inner.lstrip("-").replace(".", "")) // 2 + 1 + 1
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
        if kind == "L":
            return 3 + sum(value_size(v) + 1 for v in inner)
        return len(json.dumps(inner))
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())
