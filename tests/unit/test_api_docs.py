"""docs/api.md is generated from the OpenAPI document: it must say what the document says."""
from __future__ import annotations

import json

from scripts import api_docs


def test_docs_api_md_is_generated_from_the_current_openapi_document():
    expected = api_docs.render(json.loads(api_docs.DOCUMENT.read_text(encoding="utf-8")))
    assert api_docs.OUTPUT.read_text(encoding="utf-8") == expected, \
        "docs/api.md is stale: run `.venv/bin/python -m scripts.api_docs`"


def test_the_reference_has_a_curl_example_for_every_route():
    document = json.loads(api_docs.DOCUMENT.read_text(encoding="utf-8"))
    text = api_docs.OUTPUT.read_text(encoding="utf-8")
    for path, item in {**document["paths"], **document["x-keyhole-proxied"]["paths"]}.items():
        for method in item:
            if method == "parameters":
                continue
            section = text.split(f"### {method.upper()} {path}\n", 1)[1].split("\n### ", 1)[0]
            assert "```sh\ncurl -s" in section, (method, path)
            assert ("-X " + method.upper() in section) == (method != "get"), (method, path)
