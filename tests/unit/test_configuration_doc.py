"""docs/configuration.md lists every `KEYHOLE_*` environment variable the code reads, and nothing
the code does not read: the reference cannot fall behind a new setting."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A variable name, not part of a longer identifier (`_KEYHOLE_SVG` is a constant, not a variable).
VARIABLE = re.compile(r"(?<![A-Za-z0-9_])KEYHOLE_[A-Z0-9_]+")
SOURCES = ["app.py", "chalicelib", "devstack", "scripts", "bench", "infra", ".chalice", "Makefile", "tests", "clients", "examples"]


def _read_by_code() -> set:
    found = set()
    for source in SOURCES:
        path = ROOT / source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            if (file.suffix in (".py", ".json", ".sh", ".yml", ".yaml", ".mjs", ".ts", "") and "__pycache__" not in file.parts
                    and "node_modules" not in file.parts):
                found |= set(VARIABLE.findall(file.read_text(errors="ignore")))
    return found


def test_every_keyhole_variable_is_documented_and_every_documented_one_exists() -> None:
    documented = set(VARIABLE.findall((ROOT / "docs" / "configuration.md").read_text()))
    used = _read_by_code()
    assert used - documented == set(), f"add to docs/configuration.md: {sorted(used - documented)}"
    assert documented - used == set(), f"documented but never read: {sorted(documented - used)}"


def test_the_docs_stand_alone() -> None:
    """README and docs/ never point outside the repository (nor at a tracker a reader does not have)."""
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text()
        assert "../shared" not in text and "SPEC.md" not in text, doc.name
        assert not re.search(r"\bissue #?\d+", text, re.IGNORECASE), doc.name
        for target in re.findall(r"\]\(([^)#]+)", text):
            if not target.startswith(("http://", "https://", "mailto:")):
                assert (doc.parent / target).resolve().is_relative_to(ROOT), (doc.name, target)
                assert (doc.parent / target).exists(), (doc.name, target)
