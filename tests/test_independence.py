"""Profiles and reference SDKs never import each other (design rule), generically and inside each vendor.

``harness/spec`` and ``harness/virtual`` never import each other; ``harness/virtual`` imports only
itself and the SDK seam (``harness.sdk``, which imports neither). Inside each vendor package
(``harness/sdks/<vendor>/``) ``spec/`` and ``virtual/`` never import each other, relative imports
included.
"""

import ast
from pathlib import Path

from tests.conftest import ROOT


def _imports(path: Path, package: str) -> set[str]:
    """Absolute module names ``path`` imports (relative imports resolved against ``package``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
                found |= {module} | {f"{module}.{a.name}" for a in node.names}
            elif node.module:
                found.add(node.module)
    return found


def imports_of(folder: Path) -> set[tuple[str, str]]:
    out = set()
    for path in folder.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        package = ".".join(rel.parts[:-1])  # a module and a package's __init__ resolve "." alike
        out |= {(str(path.relative_to(ROOT)), m) for m in _imports(path, package)}
    return out


def test_spec_does_not_import_virtual():
    assert not [i for i in imports_of(ROOT / "harness" / "spec") if i[1].startswith("harness.virtual")]


def test_virtual_imports_only_itself_and_the_sdk_seam():
    bad = [
        i
        for i in imports_of(ROOT / "harness" / "virtual")
        if (i[1].startswith("harness.") and not i[1].startswith(("harness.virtual", "harness.sdk.", "harness.sdk")))
        or i[1].startswith("harness.sdks")
    ]
    assert not bad, bad


def test_the_sdk_seam_imports_neither_side():
    bad = [i for i in imports_of(ROOT / "harness" / "sdk") if i[1].startswith(("harness.spec", "harness.virtual"))]
    assert not bad, bad


def vendors():
    return [p for p in (ROOT / "harness" / "sdks").iterdir() if p.is_dir() and (p / "__init__.py").exists()]


def test_inside_each_vendor_the_profile_and_the_reference_sdk_never_import_each_other():
    assert vendors(), "no vendor package under harness/sdks"
    for vendor in vendors():
        name = f"harness.sdks.{vendor.name}"
        if (vendor / "spec").is_dir():
            bad = [i for i in imports_of(vendor / "spec") if i[1].startswith((f"{name}.virtual", "harness.virtual"))]
            assert not bad, bad
        if (vendor / "virtual").is_dir():
            bad = [i for i in imports_of(vendor / "virtual") if i[1].startswith((f"{name}.spec", "harness.spec"))]
            assert not bad, bad


def test_relative_imports_are_resolved(tmp_path):
    pkg = tmp_path / "a" / "b"
    pkg.mkdir(parents=True)
    mod = pkg / "m.py"
    mod.write_text("from ..spec import x\nfrom . import y\n")
    assert _imports(mod, "a.b") == {"a.spec", "a.spec.x", "a.b", "a.b.y"}
