"""Profile ``customerio-android``: what the Customer.io Android SDK 4.19.0 sends for a stimulus trace.

Written from research other-sdks.md Part A (A6 wins over A1-A5) and, where it is unclear, the real
source (cited in ``model.py``). Every event is its own expectation (route ``batch``: one observation per
event of a Segment batch), so how events are grouped into uploads is not judged; what the collector
answered each upload decides what is re-sent (same messageIds, same sentAt) or dropped.

Modules: ``state`` (constants, stored state), ``matchers`` (context, booleans), ``answers`` (``respond``
rules), ``model`` (identity, events, device token, push, lifecycle, flushing).

Known limits: Android 15's background-aware timer and custom flush policies are not modelled; a push that
arrives while the process is not running (no ``init`` in this process) is not modelled; the device id is
checked to be constant, not to equal the first anonymousId; a ``java.util.Date`` property (sent as null,
A6) cannot be passed through the JSON call vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.sdk.base import parse_version
from harness.sdks.customerio.spec.profiles.android.model import Model
from harness.sdks.customerio.spec.profiles.android.state import VERSION
from harness.spec.expectation import Expectations
from harness.spec.trace import Stimulus

__all__ = ["CustomerIoAndroidProfile"]


class CustomerIoAndroidProfile:
    """The executable model of the Customer.io Android SDK."""

    name = "customerio-android"
    platform = "android"
    sdk_version = VERSION

    def __init__(self, version: str | None = None) -> None:
        """``version``: the SDK version whose gated rules apply (identify dedup since 4.18.0, Application
        Foregrounded since 4.5.1, delivered metric since 4.5.3); default the modelled 4.19.0."""
        self.version = version or VERSION
        parse_version(self.version)
        self.sdk_version = self.version

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        model = Model(self.version)
        for stimulus in trace:
            model.apply(stimulus)
        model.finish()
        return model.out
