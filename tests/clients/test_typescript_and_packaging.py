"""The TypeScript client's own tests (`npm ci && npm test`, Node's test runner) against the local
stack; the Express example behind a real origin link; and packaging: `npm pack` ships ESM and
types and no runtime dependency, `python -m build` makes a wheel that installs into a clean
virtualenv and does the README's walk-through there."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from chalicelib.tenancy import tenants
from keyhole_client import Keyhole
from tests.clients.kit import EXAMPLES, PYTHON_CLIENT, TS_CLIENT, npm, npm_ci
from tests.clients.test_receivers_and_examples import free_port, origin_link, through_keyhole

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def admin(http_stack: Any) -> str:
    _, key = tenants.create_tenant(http_stack.svc, name="TypeScript Co", plan="team")
    return key


@pytest.fixture(scope="module")
def built() -> Path:
    npm_ci(TS_CLIENT)
    subprocess.run([npm(), "run", "build", "--silent"], cwd=TS_CLIENT, check=True, timeout=300)
    return TS_CLIENT / "dist"


def test_npm_test_passes_against_the_stack(http_stack: Any, admin: str, built: Path, record_property: Any) -> None:
    from chalicelib.platform import keys

    _, platform_key = keys.create_key(http_stack.svc, name="TypeScript backend", namespace="clients-typescript")
    env = {**os.environ, "KEYHOLE_API_URL": http_stack.api_url, "KEYHOLE_ADMIN_KEY": admin,
           "KEYHOLE_PLATFORM_KEY": platform_key, "NO_COLOR": "1"}
    run = subprocess.run([npm(), "test", "--silent"], cwd=TS_CLIENT, env=env, capture_output=True, text=True,
                         timeout=600)
    output = run.stdout + run.stderr
    summary = [line for line in output.splitlines() if line.startswith(("# tests", "# pass", "# fail"))]
    record_property("summary", "npm test: " + ", ".join(s.lstrip("# ") for s in summary))
    assert run.returncode == 0, output[-6000:]
    assert "# fail 0" in output and "# pass 0" not in output and "# skipped 0" in output, output[-3000:]


def test_npm_pack_ships_esm_and_types_and_no_dependency(built: Path) -> None:
    run = subprocess.run([npm(), "pack", "--dry-run", "--json"], cwd=TS_CLIENT, capture_output=True, text=True,
                         timeout=300, check=True)
    packed = json.loads(run.stdout[run.stdout.index("[") :])[0]
    files = {f["path"] for f in packed["files"]}
    assert {"package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/server.js", "dist/server.d.ts",
            "dist/api.d.ts"} <= files
    assert not [f for f in files if f.startswith(("src/", "test/", "scripts/", "node_modules/"))], files
    manifest = json.loads((TS_CLIENT / "package.json").read_text())
    assert manifest["type"] == "module" and not manifest.get("dependencies"), "the client needs no runtime dependency"
    assert manifest["exports"]["."]["types"] == "./dist/index.d.ts"
    index = (built / "index.js").read_text()
    assert "export" in index and "require(" not in index


def test_the_express_example_behind_an_origin_link(http_stack: Any, admin: str, built: Path) -> None:
    example = EXAMPLES / "express_origin"
    npm_ci(example)
    kh = Keyhole(api_url=http_stack.api_url, api_key=admin)
    port = free_port()
    secret, link = origin_link(kh, "express-origin", port)
    env = {**os.environ, "KEYHOLE_ORIGIN_SECRETS": secret, "PORT": str(port)}
    server = subprocess.Popen(["node", "server.mjs"], cwd=example, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read() if server.stdout else ""
                time.sleep(0.05)
        reply = through_keyhole(http_stack.api_url, link.token, link.id, "/api/orders")
        assert reply.status == 200, reply.body
        assert reply.json == {"orders": 17, "link_id": link.id, "share_name": "For the auditors",
                              "viewer_ip": "198.51.100.7"}
        assert b"Orders today" in through_keyhole(http_stack.api_url, link.token, link.id, "/").body
        assert httpx.get(f"http://127.0.0.1:{port}/api/orders").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


WALKTHROUGH = """
import sys
from keyhole_client import Keyhole, NotFound
kh = Keyhole(api_url=sys.argv[1], api_key=sys.argv[2])
kh.resources.put("wheel-invoice", type="invoice", name="Invoice", document={"total": 5, "api_key": "sk"},
                 redact=["api_key"])
link = kh.links.create("wheel-invoice", expires_in="1h")
assert kh.viewer.data(link.url).document == {"total": 5, "api_key": "***"}
kh.links.revoke(link.id)
try:
    kh.viewer.data(link.url)
except NotFound:
    print("walkthrough ok")
"""


def test_the_wheel_installs_into_a_clean_virtualenv_and_works(http_stack: Any, admin: str, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"),
                    str(PYTHON_CLIENT)], check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("keyhole_client-1.0.0-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "keyhole_client/py.typed" in names and "keyhole_client/origin.py" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert [r.split()[1].split(">")[0].split("<")[0] for r in requires] == ["httpx"], requires
    assert "Requires-Python: >=3.10" in metadata
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=300,
                   capture_output=True)
    run = subprocess.run([str(python), "-c", WALKTHROUGH, http_stack.api_url, admin], capture_output=True, text=True,
                         timeout=120)
    assert run.stdout.strip() == "walkthrough ok", run.stdout + run.stderr
