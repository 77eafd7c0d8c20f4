"""Header rules: what the SDKs put on a request besides its body.

The body schemas (``lint``) and the expectations (``checker``) say what a payload holds; these rules
say what the headers of every SDK request must be, per platform and per kind of route:

- **Content type.** Android (OkHttp 4.12.0): ``application/json; charset=utf-8`` on a POST, because
  the body is ``RequestBody.create("application/json", String)`` and OkHttp's bridge replaces the
  SDK's ``Content-Type: application/json`` with the body's type; a GET keeps the plain
  ``application/json`` the SDK added (``NetworkHandlerImpl.kt:75-92``; research android §2.2, §2.6).
  iOS: ``content-type: application/json`` and ``accept: application/json`` on every request
  (``RequestFactory.swift:137-144``, ``Constants.swift:17-19``); a request without a body may lack the
  content type (lenient: whether URLSession keeps it on a body-less request is not verified).
- **Authorization.** Android tracking sends the stored project's value verbatim, which init only
  accepts as ``Token ...`` (``ExponeaConfiguration.kt:161-175`` refuses ``Basic`` explicitly); with no
  authorization configured the database round trip turns null into the literal ``null``
  (``Converters.kt:27-30``, android#75). Other Android calls send the configured value or no header;
  App Inbox and content-block calls may carry ``Bearer <customer token>`` from an
  ``AuthorizationProvider`` (``ExponeaProjectFactory.kt:38-55``, ``AppInboxManagerImpl.kt:236-238``,
  ``InAppContentBlockManagerImpl.kt:248,385``). iOS sends ``Token x``, ``Bearer x`` or nothing
  (``.none``) in project mode (``RequestFactory.swift:147-157``); stream routes a ``Bearer`` JWT or
  nothing (``:158-163``); inbox, content blocks and segments may use the customer-token Bearer
  (research ios §2.2). Neither SDK ever sends ``Basic``.
- **User agent.** Neither SDK sets one: Android gets OkHttp's ``okhttp/<version>``, iOS URLSession's
  ``<App>/<build> CFNetwork/<v> Darwin/<v>`` (research android §2.2, ios §2.2). The shape is checked,
  not the versions. An absent user agent passes: the in-app capture hooks see a request as the app
  built it, before the HTTP client adds one (``_okhttp_capture.js``, ``_nsurlsession_capture.js``).

With no run to go by (``harness check``) only the forms are checked. A profile that knows the run's
configuration gives :class:`HeaderRules` the authorizations its main project had
(``api_authorizations``), and the checker then requires one of exactly those on the non-tracking
calls; tracking requests are held to their own project's exact value by their expectations.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from harness.errors import SpecError
from harness.spec.verdict import Violation
from harness.wire.observation import Observation

__all__ = ["HeaderRules", "header_rules_for", "rules_for"]

_PLATFORMS = {"exponea-android": "android", "android": "android", "exponea-ios": "ios", "ios": "ios"}
# Calls that are not the Engagement API (Sentry telemetry, GitHub release checks) or not known: not judged.
_NOT_JUDGED = {"telemetry", "version_check", "unknown"}
# Calls that may carry a customer-token Bearer (see the module docstring for the sources).
_BEARER_CALLS = {
    "android": {"app_inbox", "content_blocks", "content_block_bundle"},
    "ios": {"app_inbox", "content_blocks", "content_block_bundle", "segments"},
}
_USER_AGENTS = {
    "android": (re.compile(r"okhttp/\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z.-]+)?"), "okhttp/<version> (OkHttp's default)"),
    "ios": (
        re.compile(r"[^/\s][^/]*/\S+ CFNetwork/\d+(?:\.\d+)* Darwin/\d+(?:\.\d+)*"),
        "<App>/<build> CFNetwork/<version> Darwin/<version> (URLSession's default)",
    ),
}
_JSON = "application/json"
_MASKED = "****"
_JSON_UTF8 = "application/json; charset=utf-8"


def _media(value: str) -> str:
    """A content type compared as a media type: case and spaces around ``;`` do not matter."""
    return "; ".join(part.strip().lower() for part in value.split(";") if part.strip())


def _show(value: str | None) -> str:
    return "no header" if value is None else repr(value)


@dataclass(frozen=True)
class HeaderRules:
    """The header rules of one platform, optionally with what one run configured.

    Attributes:
        platform: ``android`` or ``ios``.
        api_authorizations: every authorization the run's main project had while the SDK was
            configured (None: no authorization, so no header); non-tracking calls must carry one of
            them (or a Bearer where a customer token may be used). Empty: not known, forms only.
    """

    platform: str
    api_authorizations: frozenset[str | None] = frozenset()

    def violations(self, obs: Observation, skip: Collection[str] = ()) -> list[Violation]:
        """What is wrong with the headers of one request; ``skip``: names already judged elsewhere
        (an expectation's own headers). Requests that are not SDK calls are not judged."""
        tracking = obs.route != "other"
        if not tracking and obs.endpoint in _NOT_JUDGED:
            return []
        what = obs.route if tracking else obs.endpoint
        out: list[Violation] = []
        headers = obs.headers
        for name, reason in self._reasons(obs, tracking):
            if name in skip:
                continue
            out.append(
                Violation(
                    "header",
                    f"{what}: {reason}",
                    path=f"headers.{name}",
                    request_id=obs.request_id,
                    actual=headers.get(name),
                )
            )
        return out

    def _reasons(self, obs: Observation, tracking: bool) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        headers = obs.headers
        reason = self._content_type(obs, headers.get("content-type"))
        if reason:
            out.append(("content-type", reason))
        if self.platform == "ios":
            accept = headers.get("accept")
            if accept is None or _media(accept) != _JSON:
                out.append(("accept", f"expected {_JSON!r} (set on every iOS request), got {_show(accept)}"))
        reason = self._authorization(obs, tracking, headers.get("authorization"))
        if reason:
            out.append(("authorization", reason))
        agent = headers.get("user-agent")
        pattern, shape = _USER_AGENTS[self.platform]
        if agent is not None and not pattern.fullmatch(agent):
            out.append(("user-agent", f"{agent!r} is not the {self.platform} SDK's user agent, {shape}"))
        return out

    def _content_type(self, obs: Observation, value: str | None) -> str | None:
        if self.platform == "android":
            want = _JSON if obs.method.upper() == "GET" else _JSON_UTF8
            if value is None or _media(value) != want:
                return f"expected {want!r} on a {obs.method.upper()} (OkHttp), got {_show(value)}"
            return None
        if value is None:
            if obs.body is not None:
                return f"expected {_JSON!r} on a request with a body, got no header"
            return None
        if _media(value) != _JSON:
            return f"expected {_JSON!r}, got {value!r}"
        return None

    def _authorization(self, obs: Observation, tracking: bool, value: str | None) -> str | None:
        if value == _MASKED:
            return None  # an export masked it whole (harness.capture.export.mask): nothing left to judge
        android = self.platform == "android"
        if value is not None and value[:6].lower() == "basic ":
            where = " (ExponeaConfiguration.kt refuses it at init)" if android else ""
            # The credential is a password in base64: not repeated here.
            return f"Basic authorization is never sent by the {self.platform} SDK{where}: 'Basic ****'"
        stream = obs.stream_id is not None or "/streams/" in obs.path
        bearer_ok = stream or obs.endpoint in _BEARER_CALLS[self.platform]
        if value is not None and bearer_ok and _form(value, "Bearer"):
            return None
        if android and tracking:
            # The stored project's authorization, verbatim; a null one comes back as "null" (android#75).
            if value == "null" or (value is not None and _form(value, "Token")):
                return None
            return f"expected 'Token <key>' or the literal 'null' (android#1, android#75), got {_show(value)}"
        if self.api_authorizations and not tracking:
            if value in self.api_authorizations:
                return None
            allowed = ", ".join(sorted(_show(v) for v in self.api_authorizations))
            return f"expected the configured authorization ({allowed}), got {_show(value)}"
        if value is None:
            return None
        if stream:
            return f"expected a Bearer JWT or no header on a stream route, got {value!r}"
        if _form(value, "Token") or (not android and _form(value, "Bearer")):
            return None
        forms = "'Token <key>'" if android else "'Token <key>', 'Bearer <token>'"
        if bearer_ok:
            forms += " or a customer-token 'Bearer <token>'"
        return f"expected {forms} or no header, got {value!r}"


def _form(value: str, scheme: str) -> bool:
    """``<scheme> <something>``: the scheme as the SDKs spell it, then a non-empty credential."""
    return value.startswith(scheme + " ") and bool(value[len(scheme) + 1 :].strip())


def header_rules_for(profile: str) -> HeaderRules:
    """The forms-only rules of a profile (``exponea-android`` / ``android``...), for ``harness check``."""
    platform = _PLATFORMS.get(profile)
    if platform is None:
        raise SpecError(f"no header rules for profile {profile!r}; known: {', '.join(sorted(_PLATFORMS))}")
    return HeaderRules(platform)


def rules_for(platform: str) -> HeaderRules:
    """The SDK plug-in's hook (``Sdk.headers``): the forms-only rules of ``android`` or ``ios``."""
    return header_rules_for(platform)
