"""The Customer.io Data Pipelines (Segment-compatible) API the SDK calls, and how the real API answers.

The SDK reaches ``{apiHost}`` and ``{cdnHost}``, both ``cdp.customer.io/v1`` (``cdp-eu.customer.io/v1`` for
the EU region; research other-sdks.md A3); the harness points both at ``{collector}/d/DEVICE/v1``
(``connect.py``), so the collector sees ``/v1/...`` paths whatever the region.

Answers:

- Tracking (``/v1/b``, ``/v1/batch``, ``/v1/track``, ``/v1/identify``, ``/v1/screen``, ``/v1/page``,
  ``/v1/group``, ``/v1/alias``): 200 ``{"success":true}``, the body of the Segment HTTP tracking API that
  Customer.io's CDP API mirrors (docs.customer.io/integrations/api/cdp/: the API answers 200 to every
  call unless the request sets ``X-Strict-Mode: 1``, which the SDK does not). Its clients read only the
  status: analytics-kotlin ``platform/EventPipeline.kt`` (``upload``: a 2xx deletes the batch file),
  CIO's ``core/.../network/CustomerIOHttpClient.kt`` (background delivery), segment-analytics-python /
  customerio-cdp-analytics ``request.py`` (``if res.status_code == 200: return res``).
- Settings (``GET /v1/projects/{key}/settings``): a ``Settings`` document (analytics-kotlin
  ``core/Settings.kt``: ``integrations``, ``plan``, ``edgeFunction``, ``middlewareSettings``, ``metrics``,
  ``consentSettings``, ``autoInstrumentation``). It names the ``Customer.io Data Pipelines`` destination
  (``datapipelines/.../plugins/CustomerIODestination.kt:38``) with ``apiKey`` but *no* ``apiHost``: the
  destination replaces its upload host with a settings ``apiHost`` (``CustomerIODestination.update``,
  lines 123-130), which would send the SDK's batches away from the collector. ``Segment.io`` is
  present too, as in analytics-kotlin's built-in default settings, for clients that keep Segment's own
  destination. ``metrics`` is empty, so telemetry (``Telemetry.kt``, ``metrics.sampleRate``) never starts.
"""

from __future__ import annotations

import re

from harness.capture.record import RequestKind
from harness.sdk.base import RouteRule

__all__ = ["ROUTES", "SETTINGS", "SUCCESS"]

SUCCESS = b'{"success":true}'

SETTINGS = (
    b'{"integrations":{"Customer.io Data Pipelines":{"apiKey":"harness"},'
    b'"Segment.io":{"apiKey":"harness"}},'
    b'"plan":{"track":{"__default":{"enabled":true,"integrations":{}}},"identify":{"__default":{"enabled":true}},'
    b'"group":{"__default":{"enabled":true}}},'
    b'"edgeFunction":{},"middlewareSettings":{},"metrics":{},"consentSettings":{},"autoInstrumentation":{}}'
)

# analytics-kotlin ``HTTPClient.kt:166-169`` (``upload``): ``text/plain`` with a gzipped JSON body is the
# SDK's normal traffic on the batch route (A6), so it is declared, not flagged.
_PLAIN = ("text/plain",)

ROUTES: list[RouteRule] = [
    RouteRule(
        "cio-batch",
        "POST",
        re.compile(r"^/v1/b(atch)?$"),
        RequestKind.TRACKING,
        200,
        SUCCESS,
        None,
        _PLAIN,
        ("writeKey",),  # the CDP API key travels in the body (A3 R2): masked in exports
    ),
    # R3 (background push delivery, Basic auth) and the single-event routes of the same API
    RouteRule(
        "cio-single",
        "POST",
        re.compile(r"^/v1/(track|identify|screen|page|group|alias)$"),
        RequestKind.TRACKING,
        200,
        SUCCESS,
        None,
        _PLAIN,
        ("writeKey",),  # server libraries put the key in the body too (analytics-python ``request.py``)
    ),
    RouteRule(
        "cio-settings",
        "GET",
        re.compile(r"^/v1/projects/[^/]+/settings$"),
        RequestKind.API,
        200,
        SETTINGS,
        None,
    ),
]
