"""Outside ``harness/sdks/<vendor>/`` no module names a vendor: generic code goes through the SDK registry."""

import re

from tests.conftest import ROOT

VENDOR = re.compile(r"exponea|bloomreach", re.IGNORECASE)
SUFFIXES = {".py", ".js", ".json", ".java", ".html", ".css"}
ALLOWED = {
    # the public API keeps ``from harness import ExponeaSdk`` working (a lazy re-export of the plug-in's facade)
    "harness/__init__.py",
    # generated from the registered SDKs' call vocabularies (python -m harness.scenario.vocabulary)
    "harness/scenario/schema.json",
}
JVM_TESTBED = ("harness/devices/jvm_testbed/", "harness/devices/jvm_build.py")


def generic_files(only=("harness/",)):
    for path in sorted((ROOT / "harness").rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        generic = path.is_file() and path.suffix in SUFFIXES and not rel.startswith("harness/sdks/")
        if generic and rel not in ALLOWED and rel.startswith(only):
            yield rel, path


def hits(files):
    return [
        f"{rel}:{n}: {line.strip()[:100]}"
        for rel, path in files
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if VENDOR.search(line)
    ]


def test_no_generic_module_names_a_vendor():
    found = hits(generic_files())
    assert not found, f"{len(found)} lines name a vendor outside harness/sdks/:\n" + "\n".join(found[:60])


def test_the_jvm_test_bed_names_no_vendor():
    """The test bed's own code and generic mirrors; each SDK's mirrors live in its plug-in (``Sdk.testbed``)."""
    files = list(generic_files(only=JVM_TESTBED))
    assert any(rel.endswith(".java") for rel, _ in files), "the test bed's sources were not searched"
    assert not hits(files)


def test_the_search_finds_a_vendor_name():
    assert VENDOR.search("the Bloomreach SDK") and VENDOR.search("harness/sdks/EXPONEA")
