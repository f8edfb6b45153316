"""The house by capability (docs/design.md, "Packages"): imports point one way, and nothing cycles.

Every `import` in `app.py` and `chalicelib/` counts, wherever it stands (module level, inside a
function, under `TYPE_CHECKING`): a lazy import is still a dependency. Three rules:
1. no cycle between modules;
2. no cycle between packages;
3. a package imports only packages of a lower layer (below), never one of its own layer or above.
   `runtime` is the floor; `app.py` the roof.
And the top of `chalicelib/` stays readable: at most 8 loose modules, each saying why it is loose.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lower layers first. A unit is a package of chalicelib or one of its loose modules.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("runtime",),
    ("storage", "sealing", "credentials", "outbound"),
    ("service",),  # the composition root: settings, clock, store, sealer, caches
    ("origin",),
    ("tenancy",),
    ("links", "webhooks", "files"),
    ("resources",),
    ("console",),  # Keyhole's own UI: console sessions (a credential kind), the dialog's and console's pages
    ("platform",),  # platform keys, namespaces, tenants through the API, acting for a tenant
    ("viewer", "access"),
    ("ops",),
    ("app_libraries",),  # imported first by app.py; names app.py's own imports
    ("app",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
MAX_LOOSE_MODULES = 8


def module_files(root: Path) -> dict[str, Path]:
    """`chalicelib.x.y` -> its file, for every module of the tree (and `app`)."""
    found = {"app": root / "app.py"} if (root / "app.py").exists() else {}
    for path in sorted((root / "chalicelib").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: Iterable[str]) -> list[str]:
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    resolved = []
    for name in names:
        while name and name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in known:
            resolved.append(name)
    return resolved


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the modules of the tree it imports (a package's own `__init__` is not counted
    as importing it: `from chalicelib.x import y` depends on `chalicelib.x.y`)."""
    files = module_files(root)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(name, path, node, files):
                    if target != name and not name.startswith(target + "."):
                        graph[name].add(target)
    return graph


def unit_of(module: str) -> str | None:
    """The layer unit a module belongs to: `chalicelib.links.links` -> `links`; `chalicelib` -> None."""
    parts = module.split(".")
    if parts == ["app"]:
        return "app"
    return parts[1] if len(parts) > 1 else None


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle of the graph as a path (`[a, b, a]`), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def package_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        source = unit_of(module)
        if source is None:
            continue
        units.setdefault(source, set())
        for target in targets:
            unit = unit_of(target)
            if unit is not None and unit != source:
                units[source].add(unit)
    return units


def layer_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """`a.b -> c.d` for every import that does not point to a lower layer."""
    found = []
    for module, targets in sorted(graph.items()):
        source = unit_of(module)
        if source is None:
            continue
        for target in sorted(targets):
            unit = unit_of(target)
            if unit is None or unit == source:
                continue
            if source not in RANK or unit not in RANK or RANK[unit] >= RANK[source]:
                found.append(f"{module} -> {target}")
    return found


def test_no_module_imports_another_in_a_cycle() -> None:
    assert find_cycle(import_graph(ROOT)) is None


def test_no_package_imports_another_in_a_cycle() -> None:
    assert find_cycle(package_graph(import_graph(ROOT))) is None


def test_imports_point_down_the_layers() -> None:
    """Every package and loose module is in LAYERS, and imports only from lower layers."""
    assert layer_violations(import_graph(ROOT)) == []


def test_top_level_modules_are_few_and_say_why() -> None:
    loose = sorted(p for p in (ROOT / "chalicelib").glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_MODULES, [p.name for p in loose]
    for path in loose:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        assert "loose" in doc.lower(), f"{path.name}: its docstring must say why it stands loose in chalicelib/"


def test_every_package_says_what_lives_there() -> None:
    for init in sorted((ROOT / "chalicelib").rglob("__init__.py")):
        if "assets" in init.parts:
            continue
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init.relative_to(ROOT)} has no docstring"


# The checks above can fail: the same functions on small trees with what they must refuse.


def _tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, text in {"chalicelib/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_a_module_cycle_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "chalicelib/viewer/__init__.py": "",
            "chalicelib/viewer/page_flows.py": "def f():\n    from .proxy import hand_over\n",
            "chalicelib/viewer/proxy.py": "from chalicelib.viewer.page_flows import f\n",
        },
    )
    assert find_cycle(import_graph(root)) == [
        "chalicelib.viewer.page_flows",
        "chalicelib.viewer.proxy",
        "chalicelib.viewer.page_flows",
    ]


def test_a_package_cycle_and_an_upward_import_are_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "chalicelib/links/__init__.py": "",
            "chalicelib/links/links.py": "from chalicelib.tenancy import apikeys\n",
            "chalicelib/tenancy/__init__.py": "",
            "chalicelib/tenancy/apikeys.py": "",
            "chalicelib/tenancy/limits.py": "from chalicelib.links import links\n",
            "chalicelib/runtime/__init__.py": "",
            "chalicelib/runtime/config.py": "if False:\n    from chalicelib import service\n",
            "chalicelib/service.py": "",
        },
    )
    graph = import_graph(root)
    assert find_cycle(graph) is None  # no module cycle ...
    assert find_cycle(package_graph(graph)) == ["links", "tenancy", "links"]  # ... but a package cycle
    assert layer_violations(graph) == [
        "chalicelib.runtime.config -> chalicelib.service",
        "chalicelib.tenancy.limits -> chalicelib.links.links",
    ]


@pytest.mark.parametrize("loose", [9])
def test_too_many_loose_modules_are_refused(tmp_path: Path, loose: int) -> None:
    root = _tree(tmp_path, {f"chalicelib/m{i}.py": '"""Loose: because."""\n' for i in range(loose)})
    assert len([p for p in (root / "chalicelib").glob("*.py") if p.name != "__init__.py"]) > MAX_LOOSE_MODULES
