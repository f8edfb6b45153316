"""`scripts/ops` (what `make ops` runs): the ops CLI against the local stack with the CLI's own exit
status, which make cannot pass on (make exits 0 or 2)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ops.kit import ROOT

pytestmark = pytest.mark.http
VENV = ROOT / ".venv"
NEEDED = ("Makefile", "requirements.txt", "requirements-dev.txt", "requirements-deploy.txt",
          "requirements-checkov.txt", "chalicelib", ".chalice", "scripts")


@pytest.fixture
def checkout(stack: Any, tmp_path: Path) -> Path:
    """A checkout whose `.keyhole/local.json` names the test stack, as `make run` writes it."""
    for name in NEEDED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    (tmp_path / ".keyhole").mkdir()
    (tmp_path / ".keyhole" / "local.json").write_text(json.dumps({
        "api_url": stack.api_url, "aws_endpoint": stack.aws_endpoint, "region": "us-east-1",
        "stream_arn": stack.outputs["TableStreamArn"]}))
    return tmp_path


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KEYHOLE_"))} | {"VENV": str(VENV)}


@pytest.mark.parametrize("args, status", [
    (["plan", "list"], 0),
    (["views", "recount", "--tenant", "ten_00000000deadbeef"], 1),
    (["tenant", "override", "ten_00000000deadbeef", "links_per_resource"], 2),
], ids=["done", "failed", "usage"])
def test_scripts_ops_exits_with_the_clis_status(checkout: Path, args: list, status: int) -> None:
    done = subprocess.run([str(checkout / "scripts" / "ops"), *args], env=_env(), capture_output=True, text=True,
                          timeout=120, cwd="/")
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == (0 if status == 0 else 1)


def test_make_ops_prints_only_the_clis_line_before_makes_own(checkout: Path) -> None:
    done = subprocess.run(["make", "-C", str(checkout), "-s", "ops", f"VENV={VENV}",
                           "ARGS=views recount --tenant ten_00000000deadbeef"], env=_env(), capture_output=True,
                          text=True, timeout=120)
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and lines[0] == "error: no tenant ten_00000000deadbeef", done.stderr
    assert all(line.startswith(("make: ", "make[")) for line in lines[1:]) and done.stdout == ""
