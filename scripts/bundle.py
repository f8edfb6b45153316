"""The Chalice project a stage is deployed from: code, vendored dependencies, generated config.

`chalice deploy` and `chalice package` both run on `build/deploy/<stage>/` (never on the
repository root), which holds:

- `app.py` and `chalicelib/` copied from the working tree, with bytecode compiled by the Lambda
  runtime's Python (`__pycache__/*.cpython-312.pyc`, unchecked-hash: /var/task is read-only, so a
  package without bytecode compiles every module on every cold start);
- `vendor/`: the runtime dependencies of `requirements.txt`, installed from manylinux wheels for
  the runtime's Python and platform, *without* the AWS SDK the runtime already has (boto3,
  botocore, s3transfer and their dependencies: see EXCLUDED), compiled the same way; plus the
  bytecode of `app.py` and of the two Chalice modules the packager adds (chalice/app.py,
  chalice/__init__.py), because Chalice copies vendor/ into the zip root as it is;
- an empty `requirements.txt`: Chalice's own dependency builder has nothing left to do;
- `.chalice/config.json`: the tracked config plus this stage's values (table names, key ARN,
  stream ARN, one execution role per function), taken from the infra stack's outputs. No tracked
  file is edited per account.

Chalice derives the Lambda runtime from the interpreter that runs it, so the deploy virtualenv
(`make deploy-venv`) runs Python 3.12 and everything here that must match the runtime (bytecode,
wheel tags) is done by that interpreter or for it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalicelib.ops import stage as stage_settings

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
RUNTIME = "python3.12"
RUNTIME_VERSION = "3.12"
# Amazon Linux 2023 (the python3.12 runtime) has glibc 2.34: any of these wheels runs there.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64")
# Distributions the Lambda runtime ships with boto3 (the AWS SDK and what botocore depends on):
# bundling them would add ~17 MB and shadow the runtime's copies. Type-stub packages carry no code.
EXCLUDED = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
EXCLUDED_PREFIXES = ("types-",)
# Parts of Powertools Keyhole never imports (Chalice routes HTTP; no pydantic, so no parser models;
# none of these utilities is used). Nothing Keyhole imports imports them: a test imports every
# module from the unpacked package with the runtime's Python. ~2.5 MB uncompressed, 1 MB zipped.
PRUNED = tuple(
    f"aws_lambda_powertools/{part}"
    for part in (
        "event_handler",
        "utilities/parser",
        "utilities/idempotency",
        "utilities/feature_flags",
        "utilities/parameters",
        "utilities/kafka",
        "utilities/auth_alpha",
        "utilities/circuit_breaker",
        "utilities/data_masking",
        "utilities/streaming",
        "utilities/validation",
    )
)
MAX_PACKAGE_BYTES = 8_000_000
# Chalice's function names for the handlers in app.py, and the infra stack outputs naming their roles.
FUNCTION_ROLES = {
    "api_handler": "ApiRoleArn",
    "stream_consumer": "StreamConsumerRoleArn",
    "webhook_drain": "WebhookDrainRoleArn",
    "sweep_expired_slots": "SweepRoleArn",
    "files_worker": "FilesWorkerRoleArn",
}
# `chalice package` output is deployed through CloudFormation with these values as parameters
# (infra/chalice-merge.json puts `Ref`s in their place); a test asserts none is left in sam.json.
PACKAGE_PLACEHOLDER = "REPLACED-BY-MERGE-TEMPLATE"


class BundleError(RuntimeError):
    """A step of building the deployment project failed; the message says which and why."""


def project_dir(stage: str) -> Path:
    return BUILD / "deploy" / stage


def tracked_config() -> dict[str, Any]:
    return json.loads((ROOT / ".chalice" / "config.json").read_text())


def stage_config(
    stage: str,
    outputs: Mapping[str, str],
    *,
    tracing: bool = False,
    reserved_concurrency: bool = True,
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Chalice config for `stage`: the tracked one plus what only the account knows.

    The key is named by ARN, not alias: the roles may use that key only, so repointing the alias
    cannot repoint Keyhole. Roles are the infra stack's (`manage_iam_role: false`). Which output
    sets which variable is `chalicelib.ops.stage` (the ops CLI reads a stage the same way).
    """
    config = copy.deepcopy(dict(base if base is not None else tracked_config()))
    stages = config.setdefault("stages", {})
    section = stages.setdefault(stage, {})
    section.update(
        {
            "api_gateway_stage": config.get("api_gateway_stage", "api"),
            "manage_iam_role": False,
            "autogen_policy": False,
            "iam_role_arn": outputs[FUNCTION_ROLES["api_handler"]],
            "xray": tracing,
            "tags": {"app": "keyhole", "stage": stage},
        }
    )
    # Tables, key, stream; and, when the stack has them, previous keys and the custom domains' URLs.
    section.setdefault("environment_variables", {}).update(stage_settings.environment(stage, outputs))
    functions = section.setdefault("lambda_functions", {})
    for function, output in FUNCTION_ROLES.items():
        functions.setdefault(function, {})["iam_role_arn"] = outputs[output]
    if not reserved_concurrency:
        for scope in (config.get("lambda_functions", {}), functions):
            for settings in scope.values():
                settings.pop("reserved_concurrency", None)
    return config


def package_outputs() -> dict[str, str]:
    """Stand-ins for the stack outputs when packaging for CloudFormation (no stack needed)."""
    arn = f"arn:aws:iam::123456789012:role/{PACKAGE_PLACEHOLDER}"
    return {
        "TableName": PACKAGE_PLACEHOLDER,
        "CountersTableName": PACKAGE_PLACEHOLDER,
        "KmsKeyArn": PACKAGE_PLACEHOLDER,
        "FilesBucketName": PACKAGE_PLACEHOLDER,
        "TableStreamArn": f"arn:aws:dynamodb:us-east-1:123456789012:table/{PACKAGE_PLACEHOLDER}/stream/x",
        **{output: arn for output in FUNCTION_ROLES.values()},
    }


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BundleError(f"{what} failed: " + " | ".join(tail))


def _requirements_hash(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(json.dumps([RUNTIME, PLATFORMS, EXCLUDED, EXCLUDED_PREFIXES, PRUNED]).encode())
    return digest.hexdigest()[:16]


def _excluded(distribution: str) -> bool:
    name = distribution.lower().replace("_", "-")
    return name in EXCLUDED or name.startswith(EXCLUDED_PREFIXES)


def _remove_distribution(target: Path, dist_info: Path) -> None:
    """Delete every file a wheel installed (its RECORD), then the directories left empty."""
    record = dist_info / "RECORD"
    paths = [line.split(",")[0] for line in record.read_text().splitlines() if line.strip()]
    for relative in paths:
        path = (target / relative).resolve()
        if path.is_relative_to(target.resolve()) and path.is_file():
            path.unlink()
    shutil.rmtree(dist_info, ignore_errors=True)
    for directory in sorted((p for p in target.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()


def runtime_dependencies(
    runtime_python: Path, requirements: Path = ROOT / "requirements.txt", cache: Path | None = None
) -> Path:
    """Install requirements.txt for the runtime (cached by its content), minus EXCLUDED, compiled."""
    target = (cache or BUILD / "deps") / f"{RUNTIME}-{_requirements_hash(requirements)}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    _run(
        [
            str(runtime_python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
            "--target", str(target), "--implementation", "cp", "--python-version", RUNTIME_VERSION,
            "--only-binary=:all:", *platforms, "-r", str(requirements),
        ],
        "installing the runtime dependencies (manylinux wheels for the runtime's Python)",
    )  # fmt: skip
    for dist_info in sorted(target.glob("*.dist-info")):
        distribution = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        if _excluded(distribution):
            _remove_distribution(target, dist_info)
    for part in (*PRUNED, "bin"):
        shutil.rmtree(target / part, ignore_errors=True)
    compile_tree(runtime_python, target, "/var/task")
    (target / ".complete").write_text("")
    return target


def compile_tree(runtime_python: Path, directory: Path, runtime_path: str) -> None:
    """Bytecode for the runtime's Python, valid without checking sources (no mtimes in a zip)."""
    _run(
        [str(runtime_python), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
         "-d", runtime_path, str(directory)],
        f"compiling {directory.name}",
    )  # fmt: skip


_COMPILE_ONE = """
import chalice, chalice.app, py_compile, sys
out, app_py = sys.argv[1], sys.argv[2]
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
tag = sys.implementation.cache_tag
py_compile.compile(app_py, cfile=f"{out}/__pycache__/app.{tag}.pyc", dfile="/var/task/app.py",
                   doraise=True, invalidation_mode=mode)
for module, name in ((chalice.app, "app"), (chalice, "__init__")):
    source = module.__file__[:-1] if module.__file__.endswith(".pyc") else module.__file__
    py_compile.compile(source, cfile=f"{out}/chalice/__pycache__/{name}.{tag}.pyc",
                       dfile=f"/var/task/chalice/{name}.py", doraise=True, invalidation_mode=mode)
"""


def build_project(
    stage: str,
    config: Mapping[str, Any],
    runtime_python: Path,
    *,
    directory: Path | None = None,
    deps_cache: str | Path | None = None,
) -> Path:
    """Lay out the Chalice project for `stage` (see the module docstring); returns its directory."""
    directory = directory or project_dir(stage)
    version = subprocess.run(  # noqa: S603
        [str(runtime_python), "-c", "import sys; print('python%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if version != RUNTIME:
        raise BundleError(
            f"the deploy virtualenv runs {version}, the Lambda runtime is {RUNTIME}: run `make deploy-venv`"
        )
    deps = runtime_dependencies(runtime_python, cache=Path(deps_cache) if deps_cache else None)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in ("chalicelib", "vendor"):
        shutil.rmtree(directory / stale, ignore_errors=True)
    shutil.copy2(ROOT / "app.py", directory / "app.py")
    shutil.copytree(
        ROOT / "chalicelib", directory / "chalicelib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    (directory / "requirements.txt").write_text("# Dependencies are vendored by scripts/bundle.py (vendor/).\n")
    shutil.copytree(deps, directory / "vendor", ignore=shutil.ignore_patterns(".complete"))
    compile_tree(runtime_python, directory / "chalicelib", "/var/task/chalicelib")
    _run(
        [str(runtime_python), "-c", _COMPILE_ONE, str(directory / "vendor"), str(directory / "app.py")],
        "compiling app.py and Chalice's runtime modules",
    )
    chalice_dir = directory / ".chalice"
    chalice_dir.mkdir(exist_ok=True)
    (chalice_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    return directory


def check_package(zip_path: Path) -> dict[str, Any]:
    """What a package must be: small, no AWS SDK, bytecode for every module. Raises BundleError."""
    import zipfile

    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    size = zip_path.stat().st_size
    top = {name.split("/")[0] for name in names}
    sdk = sorted(top & {"boto3", "botocore", "s3transfer"})
    sources = [n for n in names if n.endswith(".py")]
    tag = "cpython-" + RUNTIME_VERSION.replace(".", "")
    compiled = {n for n in names if n.endswith(f".{tag}.pyc")}
    missing = [
        s
        for s in sources
        if f"{s.rsplit('/', 1)[0] + '/' if '/' in s else ''}__pycache__/{Path(s).stem}.{tag}.pyc" not in compiled
    ]
    foreign = [n for n in names if n.endswith(".pyc") and n not in compiled]
    problems = []
    if size > MAX_PACKAGE_BYTES:
        problems.append(f"{size / 1e6:.1f} MB (limit {MAX_PACKAGE_BYTES / 1e6:.1f} MB)")
    if sdk:
        problems.append(f"bundles {', '.join(sdk)}")
    if missing:
        problems.append(f"{len(missing)} modules without {tag} bytecode, e.g. {missing[0]}")
    if foreign:
        problems.append(f"bytecode for another Python, e.g. {foreign[0]}")
    if problems:
        raise BundleError(f"{zip_path.name}: " + "; ".join(problems))
    return {"bytes": size, "files": len(names), "modules": len(sources)}


if __name__ == "__main__":  # pragma: no cover - a debugging aid: `python -m scripts.bundle ZIP`
    print(json.dumps(check_package(Path(sys.argv[1]))))
