"""The shape of the code: data flows one way (nothing in ``analysis`` imports ``publish``), no import cycles.

Every module's imports are read with ``ast`` (absolute and relative, at the
top or inside a function, where the cheap imports of heavy libraries hide)
and resolved to the project's modules: ``from .x import y`` is an import of
``pkg.x.y`` when that is a module, else of ``pkg.x``. A package's implicit
import of its parents is left out: it is how Python loads any submodule, not
a dependency one module takes on another.
"""

import ast
from collections.abc import Iterable
from pathlib import Path
import shutil

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analysis", "publish")
#: Imports of a family's insides from outside it, allowed with the reason ARCHITECTURE.md gives.
INSIDES_ALLOWED: dict[tuple[str, str], str] = {
    ("publish.cache", "publish.site.swap"): "the site family's face exports its swap module for the cache's entries",
    ("publish.cache", "publish.site.tempdirs"): "the face exports its tempdirs module for the cache's half-written entries",
}


def _modules(root: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the packages (a package is its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of a (possibly relative) import target."""
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the project's modules it imports."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: Iterable[str] = ()
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                # "import a.b.c" imports a.b.c; keep the longest prefix that is one of our modules.
                parts = target.split(".")
                while parts and ".".join(parts) not in modules:
                    parts.pop()
                if parts and ".".join(parts) != name:
                    graph[name].add(".".join(parts))
    return graph


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where ``analysis`` reaches into ``publish``."""
    return sorted(
        (module, target)
        for module, targets in graph.items()
        if module.split(".")[0] == "analysis"
        for target in targets
        if target.split(".")[0] == "publish"
    )


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def family(module: str) -> str:
    """The family a module belongs to: its subpackage (``analysis.readers``), or itself at the top level."""
    parts = module.split(".")
    return ".".join(parts[:2])


def family_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    collapsed: dict[str, set[str]] = {}
    for module, targets in graph.items():
        collapsed.setdefault(family(module), set()).update(family(t) for t in targets if family(t) != family(module))
    return collapsed


def insides_imported(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, module) pairs where a module outside a family imports one of its modules, not its face."""
    families = {family(m) for m in graph if m.count(".") >= 2}
    return sorted(
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if target.count(".") >= 2 and family(target) in families and family(module) != family(target)
    )


def test_nothing_in_analysis_imports_publish():
    assert upward_imports(import_graph()) == []


def test_no_module_is_in_an_import_cycle():
    assert cycles(import_graph()) == []


def test_no_family_is_in_an_import_cycle():
    assert cycles(family_graph(import_graph())) == []


def test_modules_outside_a_family_import_its_face():
    found = insides_imported(import_graph())
    assert [pair for pair in found if pair[:2] not in INSIDES_ALLOWED] == []


def test_the_graph_sees_relative_absolute_and_function_level_imports():
    graph = import_graph()
    assert "analysis.readers.text_bytes" in graph["analysis.readers.text"]  # relative, inside a function
    assert "analysis.pipeline" in graph["analysis"]  # relative, inside __getattr__
    assert "analysis.engine" in graph["publish.render.context"]  # absolute, across packages
    assert "publish.site.swap" in graph["publish.site"]  # "from . import swap"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _plant(path: Path, line: str, *, in_function: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    planted = f"\n\ndef _planted():\n    {line}\n" if in_function else f"\n{line}\n"
    path.write_text(text + planted, encoding="utf-8")


def test_the_checker_catches_a_planted_upward_import(copy):
    _plant(copy / "analysis" / "statistics" / "sample.py", "from publish.site import swap", in_function=True)
    assert upward_imports(import_graph(copy)) == [("analysis.statistics.sample", "publish.site.swap")]


def test_the_checker_catches_a_planted_cycle_between_modules_and_families(copy):
    assert cycles(import_graph(copy)) == []
    # errors is imported by config; a function-level import back closes the loop.
    _plant(copy / "analysis" / "errors.py", "from .config import AnalysisConfig", in_function=True)
    assert ["analysis.config", "analysis.errors"] in cycles(import_graph(copy))
    # The readers import nothing of the binned engine; an import back from it makes two families a cycle.
    _plant(copy / "analysis" / "readers" / "ages.py", "from ..binned import grid")
    _plant(copy / "analysis" / "binned" / "grid.py", "from ..readers import ages")
    assert any({"analysis.readers", "analysis.binned"} <= set(c) for c in cycles(family_graph(import_graph(copy))))


def test_a_module_over_300_lines_says_why_at_its_top():
    long = []
    for path in [ROOT / "build.py", *_modules(ROOT).values()]:
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > 300 and "300 lines" not in doc:
            long.append(path.relative_to(ROOT).as_posix())
    assert long == []
