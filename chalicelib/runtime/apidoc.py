"""The API's OpenAPI 3.1 document, `chalicelib/runtime/openapi.json`: the one description of every route
the app serves (parameters, bodies, every status each route answers, the error shape), bundled into
the Lambda package with the code it describes and served at `GET /v1/openapi.json`.

The file is the source of truth: `docs/api.md` is generated from it (`scripts/api_docs.py`), the
tests check that it lists exactly the routes the app serves and validate every response the
functional tests receive against it, and Schemathesis fuzzes the running stack with it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).with_name("openapi.json")
# Public and the same for every caller; it changes only with a deployment.
MAX_AGE_SECONDS = 300


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The document as stored (read once per container)."""
    loaded: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=16)
def served(base_url: str) -> str:
    """The document with `servers` naming this deployment's public URL, as compact JSON.

    The base URL comes from `public_url` (the configured public URL or API Gateway's own domain on
    deployed stages), so it is one value per deployment; the cache bound only matters locally."""
    described = {**document(), "servers": [{"url": base_url, "description": "this deployment"}]}
    return json.dumps(described, separators=(",", ":"), ensure_ascii=False)
