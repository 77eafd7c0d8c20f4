"""harness.spec and harness.virtual must never import each other (design rule)."""

import ast

from tests.conftest import ROOT


def imports_of(package):
    found = set()
    for path in (ROOT / "harness" / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {(path.name, a.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
    return found


def test_spec_does_not_import_virtual():
    assert not [i for i in imports_of("spec") if i[1].startswith("harness.virtual")]


def test_virtual_does_not_import_spec_or_the_rest_of_the_harness():
    bad = [i for i in imports_of("virtual") if i[1].startswith("harness.") and not i[1].startswith("harness.virtual")]
    assert not bad, bad
