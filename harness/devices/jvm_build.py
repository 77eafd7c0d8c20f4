"""Compiles the ``jvm:android`` test bed with plain ``javac``, once.

The sources are the generic bed (``jvm_testbed/``: the app's Context, OkHttp, the RPC to the virtual
app) plus every registered SDK plug-in's Java mirrors (``Sdk.testbed``, a package of ``.java`` files),
compiled together into one class path, so one JVM serves every vendor's agents.

The Java sources ship inside the Python package (package-data ``**/*.java``), so ``pip install``
brings them along; the classes go to a cache directory named after a hash of the sources, so an
upgrade recompiles and parallel runs never see a half-written directory (compile, then rename).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from harness.errors import DeviceError
from harness.sdk.registry import all_sdks

__all__ = ["JDK_HINT", "find_jdk", "testbed_classes", "testbed_preload", "testbed_roots", "testbed_sources"]

URI = "jvm:android"
JDK_HINT = "install a JDK 17+ (Debian/Ubuntu: apt-get install default-jdk-headless)"
MAIN_CLASS = "harness.testbed.Main"
PRELOAD = Path("harness") / "testbed" / "preload.txt"  # the classes Main loads at start (a class-path resource)


def find_jdk() -> tuple[str, str]:
    """``(java, javac)`` paths; DeviceError naming the package to install when either is missing."""
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None or javac is None:
        missing = " and ".join(name for name, path in (("java", java), ("javac", javac)) if path is None)
        raise DeviceError(URI, f"{missing} not found on PATH: {JDK_HINT}")
    return java, javac


def _packages() -> list[tuple[str, str]]:
    """``(sdk name, package)`` of each registered SDK's test bed (``Sdk.testbed``); no repeats."""
    unique: dict[str, str] = {}
    for sdk in all_sdks():
        if sdk.testbed is not None:
            unique.setdefault(sdk.testbed, sdk.name)
    return [(name, package) for package, name in unique.items()]


def testbed_roots() -> list[Path]:
    """The folders of Java sources: the generic bed, then each registered SDK's ``testbed`` package."""
    roots = [Path(str(resources.files("harness.devices") / "jvm_testbed")).resolve()]
    for name, package in _packages():
        spec = importlib.util.find_spec(package)  # a folder of .java files: a package, or a namespace one
        if spec is None or not spec.submodule_search_locations:
            raise DeviceError(URI, f"the {name} SDK's test bed package {package!r} is not installed")
        for location in spec.submodule_search_locations:
            if Path(location).resolve() not in roots:
                roots.append(Path(location).resolve())
    return roots


def testbed_sources() -> list[Path]:
    return [src for root in testbed_roots() for src in sorted(root.rglob("*.java"))]


def testbed_preload() -> list[str]:
    """The classes the test bed loads at start: each test bed package's ``PRELOAD`` (optional)."""
    return [name for _, package in _packages() for name in getattr(importlib.import_module(package), "PRELOAD", ())]


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "engagement-harness" / "jvm-testbed"


def testbed_classes() -> Path:
    """The directory of compiled test-bed classes, compiling them on first use."""
    _, javac = find_jdk()
    sources = testbed_sources()
    if not sources:
        raise DeviceError(URI, "the test bed's Java sources are missing from the installed package")
    preload = "".join(f"{name}\n" for name in testbed_preload())
    digest = hashlib.sha256(preload.encode())
    for src in sources:
        digest.update(str(src).encode())
        digest.update(src.read_bytes())
    target = _cache_root() / digest.hexdigest()[:16]
    if (target / "harness" / "testbed" / "Main.class").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent))
    proc = subprocess.run(
        [javac, "-nowarn", "-encoding", "UTF-8", "--release", "11", "-d", str(staging), *map(str, sources)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DeviceError(URI, f"javac failed to build the test bed:\n{proc.stderr.strip()[:2000]}")
    (staging / PRELOAD).write_text(preload, encoding="utf-8")
    try:
        staging.rename(target)
    except OSError:  # another process won the race; its classes are the same
        shutil.rmtree(staging, ignore_errors=True)
    return target
