"""The OpenAPI document as real client generators read it: openapi-python-client and
openapi-typescript run over `chalicelib/runtime/openapi.json` and must say nothing: no skipped operation,
no dropped response, no schema they cannot type (`Record<string, never>` for an object that says
nothing of its members), and one error model per surface, not one per operation and status."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from chalicelib.runtime import apidoc
from tests.clients.kit import TS_CLIENT, npm_ci

# One model per schema and per inline enum or nested object: 158 with the platform, files and console
# schemas. The allOf-per-status errors once made 856; a regression of that kind shows far above this.
MAX_PYTHON_MODELS = 250


def test_openapi_python_client_generates_every_operation_without_a_warning(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))  # no ruff formatting of the output: not what is tested
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(apidoc.DOCUMENT_PATH),
         "--output-path", str(tmp_path / "out"), "--meta", "none", "--config", str(config)],
        capture_output=True, text=True, timeout=300,
    )
    said = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    assert run.returncode == 0 and said == [f"Generating {tmp_path / 'out'}"], "\n".join(said)
    generated = {p.stem for p in (tmp_path / "out" / "api").rglob("*.py") if p.stem != "__init__"}
    operations = {op["operationId"] for item in apidoc.document()["paths"].values()
                  for method, op in item.items() if method != "parameters"}
    snake = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() for name in operations}
    assert snake - generated == set(), f"operations without a generated function: {sorted(snake - generated)}"
    models = [p for p in (tmp_path / "out" / "models").glob("*.py") if p.stem != "__init__"]
    assert len(models) <= MAX_PYTHON_MODELS, f"{len(models)} models: is an error schema narrowed per operation again?"


def test_openapi_typescript_types_every_object(tmp_path: Path) -> None:
    modules = npm_ci()
    out = tmp_path / "api.ts"
    run = subprocess.run([str(modules / ".bin" / "openapi-typescript"), str(apidoc.DOCUMENT_PATH), "-o", str(out)],
                         cwd=TS_CLIENT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in (run.stdout + run.stderr).splitlines() if "warn" in line.lower() or "error" in line.lower()]
    assert warnings == []
    # The generator's own empty top-level maps (`webhooks`, `$defs`) say nothing about a schema.
    never = [line.strip() for line in out.read_text().splitlines()
             if "Record<string, never>" in line and not line.startswith("export type")]
    assert never == [], f"objects typed as Record<string, never>: {never}"
