"""The stimulus trace: what the runner did to the app, in order, with the device's clock.

The trace is the only input of a profile besides its own knowledge of the SDK. Each entry records
what was done (an SDK call with its arguments, an app or environment event), when on the device
(``device_time``) and on the host (``host_time``, which the checker uses to place quiet windows
among arrivals), and whether the call failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Stimulus"]


@dataclass(frozen=True)
class Stimulus:
    """One step of a scenario as it happened.

    Attributes:
        index: position in the scenario's steps (0-based).
        kind: ``call`` (an SDK method), ``app`` (launch, kill, background, foreground, install) or
            ``env`` (clock, network, permission, push token, push delivery and click) or
            ``collector`` (a ``respond`` answer rule installed for this run; see docs/scenarios.md) or
            ``sync`` (``settle``: the SDK had nothing queued it would send and nothing in flight).
        name: the SDK method or the event name.
        args: the arguments as given (after the runner filled in defaults such as ``baseURL``).
        device_time: the device clock when it ran, epoch seconds.
        host_time: the host clock when it ran.
        error: the error text if the call raised inside the app.
        line: the scenario line, for messages.
        started_host_time: the host clock when the step began (None where not recorded). What a
            call sends while it runs (init's requests) arrives before ``host_time``: a window the
            call closes (stopIntegration's quiet window, closed by init) ends here.
    """

    index: int
    kind: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    device_time: float = 0.0
    host_time: float = 0.0
    error: str | None = None
    line: int | None = None
    started_host_time: float | None = None

    @property
    def began(self) -> float:
        """When the step began on the host: ``started_host_time``, else ``host_time``."""
        return self.host_time if self.started_host_time is None else self.started_host_time

    def label(self) -> str:
        return f"step {self.index + 1} {self.name}" + (f" (line {self.line})" if self.line else "")
