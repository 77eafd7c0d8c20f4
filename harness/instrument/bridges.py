"""Frida 17's Java/ObjC/Swift bridges, served to agents from the files frida-tools ships.

Frida 17 no longer builds the language bridges into scripts created from Python. Our agents start
with ``agents/_prelude.js``, which makes the first touch of ``Java`` (or ``ObjC``, ``Swift``) send
``{"type": "frida:load-bridge", "name": "Java"}`` and block until the host posts
``{"type": "frida:bridge-loaded", "filename": ..., "source": ...}``, exactly like frida-tools' REPL
(``frida_tools/application.py``, ``try_handle_bridge_request``).

The Java bridge shipped with frida-tools 14.x builds its class models through the ART runtime API
even on a HotSpot JVM, where that API is ``null``, so ``Java.use`` fails with "cannot convert to
object". :func:`bridge_source` patches the three places that assume ART, so the same bridge runs
the Android agents unmodified on the ``jvm:android`` test bed. On a phone (ART) the patch changes
nothing: the patched expressions only differ when the ART API is absent.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from harness.errors import InstrumentError

__all__ = ["bridge_source", "patch_java_bridge_for_hotspot"]

# Matches `function Fe(){return null===Ne&&(Ne=function(){const e=Process.enumerateModules()`
# `.filter(e=>/^lib(art|dvm).so$/...`: the bridge's (minified) getter of the ART runtime API.
_ART_API_GETTER = re.compile(
    r"function (\w+)\(\)\{return null===\w+&&\(\w+=function\(\)\{const e=Process\.enumerateModules\(\)"
    r"\.filter\(e=>/\^lib\(art\|dvm\)"
)


def _bridges_dir() -> Path:
    try:
        import frida_tools
    except ImportError as exc:  # the `frida` extra is not installed
        hint = "pip install 'engagement-harness[frida]'"
        raise InstrumentError("frida", f"frida-tools is not installed: {hint}") from exc
    return Path(frida_tools.__file__).parent / "bridges"


def patch_java_bridge_for_hotspot(source: str) -> str:
    """Make the bridge's class-model code accept a missing ART API (HotSpot); no-op if not found."""
    match = _ART_API_GETTER.search(source)
    if match is None:
        return source
    getter = match.group(1)
    safe = f'({getter}()||{{flavor:"jvm"}})'
    return (
        source.replace(f"const t={getter}(),{{jvmti:n=null}}=t,", f"const t={safe},{{jvmti:n=null}}=t,")
        .replace(f'{{const n={getter}();if("art"!==n.flavor)', f'{{const n={safe};if("art"!==n.flavor)')
        .replace(f'"art"==={getter}().flavor', f'"art"==={safe}.flavor')
    )


@functools.cache
def bridge_source(name: str) -> tuple[str, str]:
    """``(filename, source)`` of the bridge an agent asked for (``Java``, ``ObjC`` or ``Swift``)."""
    path = _bridges_dir() / f"{name.lower()}.js"
    if not path.is_file():
        raise InstrumentError("frida:load-bridge", f"frida-tools ships no bridge named {name!r} ({path})")
    source = path.read_text(encoding="utf-8")
    if name.lower() == "java":
        source = patch_java_bridge_for_hotspot(source)
    return path.name, source
