"""`make run` when its port is taken (a `make run` still going, or another program): one line that
names the port and the variable that picks another, before anything starts; the running stack's
`.keyhole/local.json` is left as it is."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.moto_server import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
NEEDED = ("Makefile", "requirements.txt", "requirements-dev.txt", "requirements-deploy.txt", "requirements-checkov.txt",
          "devstack", "chalicelib", "infra", ".chalice")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """What `make run` needs of the repository, in a directory of its own."""
    for name in NEEDED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    return tmp_path


@pytest.fixture
def taken() -> Iterator[int]:
    """A port something listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def make_run(copy: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "MOTO_PORT"))}
    return subprocess.run(["make", "-C", str(copy), "-s", "run", f"VENV={VENV}", *variables], env=env,
                          capture_output=True, text=True, timeout=120)


def own_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith(("make: ", "make["))]


def test_a_second_make_run_leaves_the_running_stack_alone(copy: Path, taken: int) -> None:
    # GIVEN a stack `make run` started on the port, with its state for scripts
    state = copy / ".keyhole" / "local.json"
    state.parent.mkdir()
    state.write_text(json.dumps({"api_url": f"http://127.0.0.1:{taken}", "admin_key": "kh_first_stack"}) + "\n")
    before = state.read_bytes(), state.stat().st_mtime_ns
    # WHEN a second `make run` asks for the same port
    result = make_run(copy, f"PORT={taken}")
    # THEN one line says the port is taken and which variable picks another; nothing started
    assert result.returncode != 0
    assert own_lines(result) == [
        f"make run: port {taken} on 127.0.0.1 is taken, by the Keyhole an earlier `make run` started "
        f"(.keyhole/local.json is left as it is); pick another with PORT={taken + 1} make run"], result.stderr
    assert "Traceback" not in result.stderr and "Keyhole is running" not in result.stdout
    assert "Starting moto" not in result.stdout
    # AND the first stack's file is untouched: its scripts keep working
    assert (state.read_bytes(), state.stat().st_mtime_ns) == before


@pytest.mark.parametrize("case", ["another program on PORT", "MOTO_PORT taken", "PORT not a number"])
def test_every_port_problem_is_one_line_naming_the_variable(copy: Path, taken: int, case: str) -> None:
    variables, expected = {
        "another program on PORT": ([f"PORT={taken}"],
                                    f"make run: port {taken} on 127.0.0.1 is taken; pick another with "
                                    f"PORT={taken + 1} make run"),
        "MOTO_PORT taken": ([f"PORT={free_port()}", f"MOTO_PORT={taken}"],
                            f"make run: port {taken} on 127.0.0.1 is taken; pick another MOTO_PORT, or leave it "
                            "unset for a free one"),
        "PORT not a number": (["PORT=eighty"], "make run: PORT='eighty' is not a port number (1-65535)"),
    }[case]
    result = make_run(copy, *variables)
    assert result.returncode != 0 and own_lines(result) == [expected], result.stderr
    assert not (copy / ".keyhole").exists()
