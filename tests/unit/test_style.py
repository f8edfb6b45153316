"""The code's habits, enforced by `make test`: ruff (lint and `ruff format --check`) and mypy over
the code that ships or runs the product (app.py, chalicelib/, devstack/, bench/, scripts/, the Python
client in clients/python/src and the examples), with
the settings in pyproject.toml. A finding fails the suite with the tool's own report; fix the
code rather than silencing it (a `# noqa` or `# type: ignore` needs a reason that the finding is
wrong, written next to it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATHS = ("app.py", "chalicelib", "devstack", "bench", "scripts", "clients/python/src", "examples")
CONFIG = str(ROOT / "pyproject.toml")


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "--no-cache", *PATHS), ("ruff", "format", "--check", "--no-cache", *PATHS), ("mypy", *PATHS)],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_code_has_no_findings(command: tuple[str, ...]) -> None:
    result = run(*command)
    assert result.returncode == 0, f"`{' '.join(command)}` found problems:\n{result.stdout}{result.stderr}"


def test_the_tools_do_report_findings_with_the_projects_settings(tmp_path: Path) -> None:
    """The checks above can fail: the same tools and settings refuse a file with a finding each."""
    bad = tmp_path / "bad.py"
    bad.write_text('import os\n\n\ndef half(n: int) -> int:\n    return n / 2\n\n\nx = "a"+"b"\n')
    lint = run("ruff", "check", "--no-cache", "--config", CONFIG, str(bad), cwd=tmp_path)
    assert lint.returncode == 1 and "F401" in lint.stdout, lint.stdout + lint.stderr
    layout = run("ruff", "format", "--check", "--no-cache", "--config", CONFIG, str(bad), cwd=tmp_path)
    assert layout.returncode == 1, layout.stdout + layout.stderr
    types = run("mypy", "--config-file", CONFIG, "--no-incremental", str(bad), cwd=tmp_path)
    assert types.returncode == 1 and "Incompatible return value type" in types.stdout, types.stdout + types.stderr
