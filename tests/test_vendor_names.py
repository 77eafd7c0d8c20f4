"""Outside ``harness/sdks/<vendor>/`` no module names a vendor: generic code goes through the SDK registry."""

import re

from tests.conftest import ROOT

VENDOR = re.compile(r"exponea|bloomreach", re.IGNORECASE)
SUFFIXES = {".py", ".js", ".json", ".java", ".html", ".css"}
# The public API keeps ``from harness import ExponeaSdk`` working (a lazy re-export of the plug-in's facade).
ALLOWED = {"harness/__init__.py"}


def generic_files():
    for path in sorted((ROOT / "harness").rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if path.is_file() and path.suffix in SUFFIXES and not rel.startswith("harness/sdks/") and rel not in ALLOWED:
            yield rel, path


def test_no_generic_module_names_a_vendor():
    hits = [
        f"{rel}:{n}: {line.strip()[:100]}"
        for rel, path in generic_files()
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if VENDOR.search(line)
    ]
    assert not hits, f"{len(hits)} lines name a vendor outside harness/sdks/:\n" + "\n".join(hits[:60])


def test_the_search_finds_a_vendor_name():
    assert VENDOR.search("the Bloomreach SDK") and VENDOR.search("harness/sdks/EXPONEA")
