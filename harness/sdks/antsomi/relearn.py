"""Regenerate the committed pinned profile of the STAND-IN Antsomi SDK, the way a person did it once.

``python -m harness.sdks.antsomi.relearn [--out DIR] [--sdk-version V] [--scenarios DIR]``

Nothing here knows the wire: it drives the harness's own CLI, as a person would.

1. **Record**: ``harness run scenarios/antsomi --device virtual:android --report rec-1``, then again
   into ``rec-2`` (two recordings, so values that differ between installs are marked volatile).
2. **Learn**: ``harness learn rec-1 rec-2 --out DIR --sdk antsomi --force``.
3. **Review**: the decisions the reviewer took on the stand-in, replayed with ``harness learn --review``:

   - the identity mapping (``uid``, ``cid``, ``event``) is confirmed only when the learner proposes
     what was reviewed before (:data:`REVIEWED`: ``uid``, ``dims.customers.customer_id``, ``ec``/``ea``);
     and so are the event names the calls send (:data:`REVIEWED_CALLS`: ``track`` sends ``custom/{en}``,
     ``trackScreen`` ``screen/view``); anything else stops here with exit 1, for a person to review by hand;
   - every field is confirmed (``--confirm-all-fields``): the stand-in is this project's own code, its
     fields were read once against its source (``virtual/android.py``). For a real app a person reads
     ``harness learn --review DIR`` and the golden examples before confirming anything.

The recordings run under the pinned profile in force (their verdicts do not matter: only what was
sent is learned). The result goes to ``harness/sdks/antsomi/spec/pinned/`` unless ``--out`` says
otherwise; commit it like code. Exit status: 0 written, 1 a proposal differs from the reviewed one
(or a command failed), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["REVIEWED", "REVIEWED_CALLS", "main", "relearn"]

PACKAGE_PIN = Path(__file__).resolve().parent / "spec" / "pinned"
SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios" / "antsomi"
# the identity mapping the reviewer confirmed on the stand-in
REVIEWED: dict[str, str | list[str]] = {"uid": "uid", "cid": "dims.customers.customer_id", "event": ["ec", "ea"]}
# the event name each call sends, as the reviewer confirmed it ({en}: the track's name)
REVIEWED_CALLS = {"track": "custom/{en}", "trackScreen": "screen/view"}


def _harness(args: Sequence[str], cwd: Path, ok: Sequence[int] = (0,)) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "harness", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if proc.returncode not in ok:
        raise RuntimeError(f"harness {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def relearn(out: Path, scenarios: Path, sdk_version: str | None = None, log: bool = True) -> dict[str, object]:
    """Record, learn and review into ``out``; returns the written ``pin.json``. RuntimeError when a step
    fails or the learner's identity proposal is not the reviewed one."""
    out = out.resolve()
    version = ["--sdk-version", sdk_version] if sdk_version else []
    with tempfile.TemporaryDirectory(prefix="antsomi-relearn-") as tmp:
        work = Path(tmp)
        for rec in ("rec-1", "rec-2"):
            # 1: the runs may fail against a pin in force that is out of date; what was sent is recorded
            _harness(["run", str(scenarios), "--device", "virtual:android", *version, "--report", rec], work, (0, 1))
        from harness.sdk.registry import get_sdk

        name = f"antsomi-standin-{sdk_version or get_sdk('antsomi').newest('android')}"
        _harness(["learn", "rec-1", "rec-2", "--out", str(out), "--sdk", "antsomi", "--name", name, "--force"], work)
        proposed = json.loads((out / "pin.json").read_text(encoding="utf-8"))["identity"]
        for key in ("uid", "cid", "event"):
            if proposed.get(key) != REVIEWED[key]:
                raise RuntimeError(
                    f"the learner proposes {key} = {json.dumps(proposed.get(key))}, the reviewed mapping is "
                    f"{json.dumps(REVIEWED[key])}: review {out} by hand (harness learn --review {out})"
                )
        calls = json.loads((out / "pin.json").read_text(encoding="utf-8")).get("calls")
        if calls != REVIEWED_CALLS:
            raise RuntimeError(
                f"the learner proposes the calls' event names {json.dumps(calls)}, the reviewed ones are "
                f"{json.dumps(REVIEWED_CALLS)}: review {out} by hand (harness learn --review {out})"
            )
        text = _harness(["learn", "--review", str(out), "--confirm", "identity", "--confirm-all-fields"], work)
    if log:
        print(text, end="")
    pin: dict[str, object] = json.loads((out / "pin.json").read_text(encoding="utf-8"))
    return pin


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.sdks.antsomi.relearn", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=PACKAGE_PIN, help=f"where to write (default {PACKAGE_PIN})")
    parser.add_argument("--sdk-version", help="the stand-in release to record (default: the newest)")
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS, help="the Antsomi scenarios (default: the suite)")
    args = parser.parse_args(argv)
    if not args.scenarios.is_dir():
        print(f"error: {args.scenarios}: no such folder (want the Antsomi scenarios)", file=sys.stderr)
        return 2
    try:
        relearn(args.out, args.scenarios, args.sdk_version)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"written to {args.out}: commit it (git add {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
