"""What the client tests share: the TypeScript package's node modules (installed with `npm ci` from
the committed package-lock.json, once per checkout, under a file lock so parallel test processes
do not install twice), and the paths of the clients and examples."""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

from tests.stack import ROOT

PYTHON_CLIENT = ROOT / "clients" / "python"
TS_CLIENT = ROOT / "clients" / "typescript"
EXAMPLES = ROOT / "examples"
NPM_TIMEOUT = 600


def npm() -> str:
    found = shutil.which("npm")
    assert found, "npm is needed for the TypeScript client's tests (Node.js 18 or later)"
    return found


def npm_ci(package: Path = TS_CLIENT) -> Path:
    """`npm ci` in `package` unless its node_modules already match its package-lock.json."""
    lock = package / "package-lock.json"
    stamp = package / "node_modules" / ".keyhole-lock.json"
    with open(package / ".npm-install.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        wanted = json.dumps(json.loads(lock.read_text()), sort_keys=True)
        if not stamp.exists() or stamp.read_text() != wanted:
            subprocess.run([npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=package, check=True,
                           timeout=NPM_TIMEOUT)
            stamp.write_text(wanted)
    return package / "node_modules"
