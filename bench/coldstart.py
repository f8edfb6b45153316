"""Cold start as Lambda pays it: from the unpacked deployment package, in fresh processes of the
runtime's Python, against `import boto3` plus one client in the same conditions.

- The package is `build/package/deployment.zip`, as `make package` writes it; its size as shipped.
- The interpreter is the runtime's (python3.12), started with `-S` (no site-packages) and the path
  Lambda gives a function: the unpacked package first (`/var/task`), then the runtime's own SDK
  (`/var/runtime`: boto3, botocore and their dependencies). The runtime's SDK here is this
  virtualenv's boto3/botocore copied aside and compiled for python3.12, as the runtime ships its
  libraries compiled. The package directory is read-only on Lambda, so nothing is compiled into it
  (`PYTHONDONTWRITEBYTECODE`): code that ships without `.pyc` files is compiled on every cold start.
- Measured: `import app` plus the first DynamoDB client (`app.service().store.client`), and
  `import boto3; boto3.client("dynamodb")`; medians over fresh processes (alternating, so load
  on the machine falls on both alike), and their ratio; the import and the first client are also
  reported apart, so a change shows where it moved time.

A second figure takes the same package compiled for python3.12 and without a bundled SDK (what
the deployment package is meant to be), so the application's own import work is visible apart
from packaging.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench.lambda_env import COLD_IMPORT_ENV

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "build" / "package" / "deployment.zip"
DEPLOY_VENV_PYTHON = ROOT / "build" / "venv-deploy" / "bin" / "python"  # `make deploy-venv`: Python 3.12


def _runtime_python() -> str:
    """The Lambda runtime's Python (3.12): KEYHOLE_RUNTIME_PYTHON, else the deploy virtualenv's
    (which `make package` builds), else a python3.12 on PATH."""
    chosen = os.environ.get("KEYHOLE_RUNTIME_PYTHON") or (
        str(DEPLOY_VENV_PYTHON) if DEPLOY_VENV_PYTHON.exists() else shutil.which("python3.12")
    )
    if not chosen:
        raise SystemExit("bench: no Python 3.12 found; run `make deploy-venv` or set KEYHOLE_RUNTIME_PYTHON")
    return chosen


RUNTIME_PYTHON = _runtime_python()
# What the Lambda python3.12 runtime provides on its path (besides the standard library).
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
SIZE_BUDGET_BYTES = 8 * 1024 * 1024
RATIO_BUDGET = 1.0

ENV = COLD_IMPORT_ENV

# Each prints the seconds its import took and the seconds its first client took; both run behind
# `depth` plain calls (the Lambda bootstrap imports the handler from some depth of its own).
APP = """
import sys, time
sys.path[:0] = [{task!r}, {runtime!r}]
def at_depth(n):
    if n:
        return at_depth(n - 1)
    started = time.perf_counter()
    import app
    imported = time.perf_counter()
    app.service().store.client
    print(imported - started, time.perf_counter() - imported)
at_depth({depth})
"""
BOTO3 = """
import sys, time
sys.path[:0] = [{task!r}, {runtime!r}]
def at_depth(n):
    if n:
        return at_depth(n - 1)
    started = time.perf_counter()
    import boto3
    imported = time.perf_counter()
    boto3.client("dynamodb", region_name="us-east-1")
    print(imported - started, time.perf_counter() - imported)
at_depth({depth})
"""
# Caller depths spread over one 16 KB frame-stack chunk (about 120 frames of `at_depth`): on the
# runtime's Python, what a cold import costs depends on where in a chunk it starts
# (chalicelib/runtime/stack_headroom.py), so one figure is taken at depth 0 and one over these.
SPREAD_DEPTHS = (0, 17, 34, 51, 68, 85, 102, 119, 8, 25, 42, 59, 76, 93, 110)


def build_package() -> Path:
    """`make package`'s output (python3.12, compiled, without the SDK the runtime provides); built
    with the same command when it is missing."""
    if not PACKAGE.exists():
        subprocess.run(["make", "--no-print-directory", "-s", "package", "REGION=us-east-1"], cwd=ROOT, check=True)
    return PACKAGE


def _runtime_sdk(into: Path) -> None:
    import botocore

    site = Path(botocore.__file__).resolve().parent.parent
    for name in RUNTIME_SDK:
        source = site / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, into / name)
    _compile(into)


def _compile(directory: Path) -> None:
    subprocess.run(
        [RUNTIME_PYTHON, "-S", "-m", "compileall", "-q", "-j", "0", str(directory)],
        check=True,
        capture_output=True,
    )


def _sample(code: str, task: Path, runtime: Path, depth: int = 0) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEYHOLE_", "PYTHON"))}
    env.update(ENV)
    out = subprocess.run(
        [RUNTIME_PYTHON, "-S", "-c", code.format(task=str(task), runtime=str(runtime), depth=depth)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode != 0:
        raise RuntimeError(f"cold start failed:\n{out.stderr[-2000:]}")
    imported, client = out.stdout.strip().splitlines()[-1].split()
    return float(imported), float(client)


def _ratio(task: Path, runtime: Path, runs: int, depths: tuple[int, ...] = (0,)) -> dict[str, Any]:
    _sample(APP, task, runtime), _sample(BOTO3, task, runtime)  # warm the file cache
    app_times, boto_times = [], []
    for run in range(runs):
        depth = depths[run % len(depths)]
        app_times.append(_sample(APP, task, runtime, depth))
        boto_times.append(_sample(BOTO3, task, runtime, depth))
    app_s, boto_s = statistics.median(sum(t) for t in app_times), statistics.median(sum(t) for t in boto_times)
    return {
        "app_seconds": round(app_s, 4),
        "boto3_client_seconds": round(boto_s, 4),
        "ratio": round(app_s / boto_s, 3),
        # Where the time goes (medians of each part, so they need not add up to the totals).
        "app_import_seconds": round(statistics.median(t[0] for t in app_times), 4),
        "app_first_client_seconds": round(statistics.median(t[1] for t in app_times), 4),
        "boto3_import_seconds": round(statistics.median(t[0] for t in boto_times), 4),
        "boto3_first_client_seconds": round(statistics.median(t[1] for t in boto_times), 4),
        "runs": runs,
        "caller_depths": sorted(set(depths)),
    }


def run(runs: int = 15) -> dict[str, Any]:
    package = build_package()
    with tempfile.TemporaryDirectory(prefix="keyhole-coldstart-") as tmp:
        base = Path(tmp)
        runtime, task = base / "runtime", base / "task"
        runtime.mkdir()
        _runtime_sdk(runtime)
        with zipfile.ZipFile(package) as archive:
            archive.extractall(task)
            names = archive.namelist()
        bundled_sdk = sorted({n.split("/")[0] for n in names if n.split("/")[0] in ("boto3", "botocore")})
        sources = [n for n in names if n.endswith(".py")]
        compiled = [n for n in names if n.endswith(".pyc")]
        shipped = _ratio(task, runtime, runs)
        shipped_spread = _ratio(task, runtime, len(SPREAD_DEPTHS), SPREAD_DEPTHS)
        # The package as it should ship: compiled for the runtime, the SDK left to the runtime.
        for name in RUNTIME_SDK:
            target = task / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        _compile(task)
        lean = _ratio(task, runtime, runs)
    return {
        "python": RUNTIME_PYTHON,
        "package_bytes": package.stat().st_size,
        "package_py_files": len(sources),
        "package_pyc_files": len(compiled),
        "package_bundles": bundled_sdk,
        "as_shipped": shipped,
        "as_shipped_over_caller_depths": shipped_spread,
        "compiled_without_bundled_sdk": lean,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
