"""Header rules of the Customer.io Android SDK (``harness check --profile customerio-android`` and every run).

Sources (research other-sdks.md A3/A6, analytics-kotlin 1.24.1 ``core/.../HTTPClient.kt``):

- batch ``POST /v1/b`` (never ``/v1/batch``, android#1): ``Content-Type: text/plain``,
  ``Content-Encoding: gzip`` (``upload``, lines 166-169),
  ``User-Agent: analytics-kotlin/<version>`` (``openConnection``), no ``Authorization`` (the key is the
  body's ``writeKey``) (android#3, android#31);
- background delivery ``POST /v1/track``: ``Authorization: Basic base64("<cdpApiKey>:")``, JSON, and
  ``User-Agent: Android Client/<version>`` without the ``Customer.io`` prefix
  (customerio-android ``core/.../network/CustomerIOHttpClient.kt``; A6) (android#39).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from harness.spec.verdict import Violation
from harness.wire.observation import Observation

__all__ = ["HeaderRules", "rules_for"]

_SEGMENT_UA = re.compile(r"^analytics-kotlin/\d+(\.\d+)*")
_TRACK_UA = re.compile(r"^(Android|Flutter) Client/\d+(\.\d+)*")


@dataclass(frozen=True)
class HeaderRules:
    """The header rules of one platform (Android only is modelled)."""

    platform: str = "android"

    def reasons(self, obs: Observation) -> list[tuple[str, str, tuple[str, ...]]]:
        """(header, what is wrong, checklist ids) for one request."""
        h = obs.headers
        out: list[tuple[str, str, tuple[str, ...]]] = []
        if obs.route == "batch":
            if obs.index not in (None, 0):
                return []  # judged once per request, on its first event
            if obs.path.split("?", 1)[0].rstrip("/").endswith("/batch"):
                # Segment's API takes /batch too, but analytics-kotlin posts every batch to "https://$apiHost/b"
                # (HTTPClient.kt upload): /batch comes from another client, not this SDK
                out.append(("path", "is /batch; the SDK posts its batches to {apiHost}/b", ("android#1",)))
            ctype = h.get("content-type", "")
            if ctype.split(";", 1)[0].strip().lower() != "text/plain":
                out.append(("content-type", f"is {ctype or 'missing'!r}, the SDK sends 'text/plain'", ("android#31",)))
            if h.get("content-encoding", "").lower() != "gzip":
                out.append(("content-encoding", "is not 'gzip' (the SDK gzips every batch)", ("android#31",)))
            if "authorization" in h:
                out.append(("authorization", "is present; a batch carries its key in the body only", ("android#3",)))
            if not _SEGMENT_UA.match(h.get("user-agent", "")):
                out.append(("user-agent", f"{h.get('user-agent')!r} is not 'analytics-kotlin/<v>'", ("android#31",)))
        elif obs.route == "single":
            if not h.get("authorization", "").startswith("Basic "):
                out.append(("authorization", "is not 'Basic base64(<cdpApiKey>:)'", ("android#39",)))
            if not _TRACK_UA.match(h.get("user-agent", "")):
                out.append(("user-agent", f"{h.get('user-agent')!r} is not 'Android Client/<v>'", ("android#39",)))
        return out

    def violations(self, obs: Observation, skip: Collection[str] = ()) -> list[Violation]:
        return [
            Violation(
                "header",
                f"{obs.route}: {name} {why}",
                path="path" if name == "path" else f"headers.{name}",
                request_id=obs.request_id,
                rules=rules,
                index=obs.index,
            )
            for name, why, rules in self.reasons(obs)
            if name not in skip
        ]


def rules_for(platform: str) -> HeaderRules:
    return HeaderRules(platform)
