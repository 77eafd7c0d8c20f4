"""No import cycle between the top-level packages of ``harness`` (``capture``, ``devices``, ``instrument``,
``spec``, ``wire``, ... and top-level modules such as ``errors`` or ``cli``).

The graph is built from the AST of every ``harness/**/*.py``, with **every** import statement: those at
module level, those under ``if TYPE_CHECKING:`` and those inside functions (lazy imports) alike. A lazy
import is still a dependency at run time; it only hides the cycle from the interpreter, not from a reader.
Relative imports are resolved. Edges inside one package are ignored: only package → package counts.

Known exception, and the only one (``KNOWN``): the live inspector (``harness/capture/inspector.py``) judges
stored requests with the spec and the wire decoder while ``spec`` and ``wire`` read the capture format
(``capture.record``), so ``capture → spec/wire → capture``. Its fix is to move the inspector into its own
package that the collector is handed, not one it imports; until then these exact module edges are
excluded, and the test fails if one of them disappears (so the list cannot outlive the debt) or if any
other edge closes a cycle. ``devices ↔ instrument`` is not an exception: the SDK-call contract
(``SdkTransport``, ``CallResult``) lives in ``harness.instrument.transport`` and devices import
instrument, never the reverse.
"""

from __future__ import annotations

import ast
import graphlib
import itertools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "harness"

#: (importing module, imported module) edges that close the capture → spec/wire → capture cycle.
KNOWN = {
    ("harness.capture.inspector", "harness.spec.lint"),
    ("harness.capture.inspector", "harness.spec.verdict"),
    ("harness.capture.inspector", "harness.wire.decode"),
    ("harness.capture.inspector", "harness.wire.observation"),
}

Edges = dict[tuple[str, str], set[tuple[str, str]]]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path) -> bool:
    where = root.parent.joinpath(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def imported(path: Path, root: Path) -> set[str]:
    """Every ``harness*`` module named by an import anywhere in this file (functions and ``if`` blocks too)."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            out.add(target)
            # ``from harness import errors``, ``from . import x``: the names are modules, not attributes
            out.update(f"{target}.{a.name}" for a in node.names if is_module(f"{target}.{a.name}", root))
    return {name for name in out if name.split(".")[0] == root.name}


def unit(module: str) -> str:
    """The top-level package (or module) a module belongs to: ``harness.capture.store`` → ``capture``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def module_edges(root: Path = ROOT) -> Edges:
    """(package, package) → the (module, module) imports behind it."""
    edges: Edges = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        source = module_name(path, root)
        for target in imported(path, root):
            if unit(source) != unit(target):
                edges[unit(source), unit(target)].add((source, target))
    return edges


def package_cycle(edges: Edges, known: set[tuple[str, str]]) -> str | None:
    """One cycle between packages (with the imports behind each hop), or None; ``known`` edges left out."""
    graph: dict[str, set[str]] = defaultdict(set)
    for (a, b), behind in edges.items():
        if behind - known:
            graph[a].add(b)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as err:
        # graphlib lists each node before the one that depends on it: reversed, each hop is an import
        cycle = list(reversed(err.args[1]))
        hops = itertools.pairwise(cycle)
        behind = "; ".join(f"{a} imports {b}" for hop in hops for a, b in sorted(edges[hop] - known))
        return " → ".join(cycle) + ": " + behind
    return None


def test_no_import_cycle_between_harness_packages():
    cycle = package_cycle(module_edges(), KNOWN)
    assert cycle is None, f"import cycle between harness packages: {cycle}"


def test_the_known_exceptions_still_exist():
    """An exception whose import is gone must leave the list, so the list never hides a new cycle."""
    present = set().union(*module_edges().values())
    assert present >= KNOWN, f"no longer imported, remove from KNOWN: {sorted(KNOWN - present)}"


def test_devices_and_instrument_import_one_way():
    edges = module_edges()
    assert not edges.get(("instrument", "devices")), sorted(edges[("instrument", "devices")])
    assert edges.get(("devices", "instrument"))  # the drivers build the instrument's transports


def test_the_graph_sees_lazy_relative_and_type_checking_imports(tmp_path):
    """The checker itself: a cycle made only of a function-level import, a relative import and a
    ``TYPE_CHECKING`` import is found, and it names the modules behind it."""
    pkg = tmp_path / "harness"
    for folder in ("a", "b", "c"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "a" / "x.py").write_text("def f():\n    from harness.b import y\n")
    (pkg / "b" / "y.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..c import z\n")
    (pkg / "c" / "z.py").write_text("from harness.a import x\n")
    edges = module_edges(pkg)
    assert ("harness.b.y", "harness.c.z") in edges[("b", "c")]  # the relative import under TYPE_CHECKING
    cycle = package_cycle(edges, set())
    assert (
        cycle is not None and "harness.a.x imports harness.b.y" in cycle and "harness.c.z imports harness.a.x" in cycle
    )


def test_a_cycle_through_devices_and_instrument_would_be_caught():
    """Put back the import the fix removed (instrument.facade → devices.base): the test must fail."""
    edges = module_edges()
    edges[("instrument", "devices")].add(("harness.sdks.exponea.facade", "harness.devices.base"))
    cycle = package_cycle(edges, KNOWN)
    assert cycle is not None and "harness.sdks.exponea.facade imports harness.devices.base" in cycle
