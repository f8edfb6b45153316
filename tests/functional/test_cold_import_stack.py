"""A cold import of `app` does not churn the interpreter's frame-stack chunks, whatever the depth
of the code that imports it (chalicelib/runtime/stack_headroom.py says why this costs cold-start time on
the Lambda runtime's Python).

Each import runs in a fresh interpreter under `strace`, behind a chain of `depth` plain calls (the
Lambda bootstrap, `chalice local` and a test all import `app` from different depths), and the
chunks it maps are counted: a frame-stack chunk is an anonymous 16 KB mapping. A control imports
the same libraries at the same depths without headroom, and must show the churn, so the count is
known to see it.
"""

from __future__ import annotations

import ast
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.lambda_env import COLD_IMPORT_ENV
from chalicelib.app_libraries import APP_LIBRARIES

ROOT = Path(__file__).resolve().parents[2]
# The 16 KB chunk holds about 120 frames of the padding function: 14 depths land all over it.
DEPTHS = range(0, 261, 20)

SCRIPT = """
import sys
sys.path.insert(0, {root!r})

def at_depth(n):
    if n:
        return at_depth(n - 1)
    if sys.argv[2] == "app":
        import app
        app.service().store.client
    else:  # the control: the same libraries, no headroom
        import botocore.session, pynamodb.models, chalice.app, aws_lambda_powertools.logging.formatter

at_depth(int(sys.argv[1]))
"""



def _chunks_mapped(mode: str, depth: int, script: Path, workdir: Path) -> int:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace is missing: `make test` installs Debian's strace (scripts/ensure-debian-tools.sh strace)")
    trace = workdir / f"{mode}-{depth}.trace"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEYHOLE_", "AWS_"))}
    env.update(COLD_IMPORT_ENV)
    result = subprocess.run(
        [strace, "-f", "-e", "trace=mmap", "-o", str(trace), sys.executable, str(script), str(depth), mode],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return trace.read_text().count("mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS")


@pytest.fixture(scope="module")
def counts() -> dict[str, dict[int, int]]:
    with tempfile.TemporaryDirectory(prefix="keyhole-stack-") as tmp:
        workdir = Path(tmp)
        script = workdir / "import_at_depth.py"
        script.write_text(SCRIPT.format(root=str(ROOT)))
        return {
            mode: {depth: _chunks_mapped(mode, depth, script, workdir) for depth in DEPTHS}
            for mode in ("control", "app")
        }


def test_the_count_sees_chunk_churn_when_the_libraries_load_without_headroom(
    counts: dict[str, dict[int, int]],
) -> None:
    control = counts["control"]
    assert statistics.mean(control.values()) >= 300, control


def test_a_cold_import_of_app_maps_almost_no_frame_stack_chunks_at_any_depth(
    counts: dict[str, dict[int, int]], record_property: object
) -> None:
    app, control = counts["app"], counts["control"]
    if callable(record_property):
        record_property(
            "summary",
            f"frame-stack chunks mapped by a cold import of app over {len(app)} caller depths: "
            f"mean {statistics.mean(app.values()):.0f}, max {max(app.values())} "
            f"(the libraries without headroom: mean {statistics.mean(control.values()):.0f}, "
            f"max {max(control.values())})",
        )
    # What is left runs outside the headroom: the few imports before it, Chalice's route table.
    assert statistics.mean(app.values()) <= 40, app
    assert max(app.values()) <= 300, app


def test_app_libraries_lists_every_module_app_py_imports() -> None:
    """A module app.py imports that the list misses would load at the caller's depth."""
    tree = ast.parse((ROOT / "app.py").read_text())
    imported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            if not (ROOT / node.module.replace(".", "/")).is_dir():  # a package comes with its modules
                imported.add(node.module)
            for alias in node.names:  # `from chalicelib import tokens` imports a module
                candidate = f"{node.module}.{alias.name}"
                if (ROOT / (candidate.replace(".", "/") + ".py")).exists():
                    imported.add(candidate)
    imported -= {"chalicelib.app_libraries", "chalicelib.runtime.stack_headroom"}
    missing = sorted(name for name in imported if name not in APP_LIBRARIES)
    assert not missing, f"add to chalicelib/app_libraries.py: {missing}"
