"""Profile ``antsomi-android``: the identity rules layer over the pinned identity fields.

The real wire is not public (research other-sdks.md B1), so this profile judges identity only
(B5's advice: UID, CID, event name), through the dotted paths of the pinned profile in force
(``identity`` of ``spec/pinned/pin.json``, learned from the stand-in and reviewed, or the folder
``HARNESS_ANTSOMI_PIN`` names), never through a hard-coded field; and it hands the runner that
pinned profile as ``request_rules``, so every run's requests are held to the reviewed wire shape
(a field that appears, disappears, changes type or was never reviewed is a violation of the run).
Which call sends what comes from B2/B5: ``track`` and ``trackScreen`` send one event each;
``config``, the identity calls and the getters send nothing on Android (B5 #4, the launch event, is
iOS only). The optional ``calls`` map of ``pin.json`` gives the expected event name per call
(``{en}``: the track's name); without it any present name is accepted (a name the pin does not know
is still ``unexpected`` by the pinned schemas). Whether ``resetCustomer`` rotates the UID is not
documented (B5 #8), so the UID after it is bound afresh, not compared.

Checklist items checked here: 1 (the UID part), 2, 3 (portal_id/prop_id as the request's source),
5 (name and no CID), 6, 7, 8, 9, 10, 11. Not here: 4 (iOS only), 12-15 (push, inbox, automatic
screen tracking: the stand-in has none, and their wire is unknown); the getters' return values
(part of 1, 3, 6, 8) are not in the stimulus trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from harness.errors import SpecError
from harness.sdk.base import parse_version
from harness.sdks.antsomi.wire import identity_fields, pin, pin_dir
from harness.spec.expectation import Expectations
from harness.spec.identity import IdentityModel, IdentityRules
from harness.spec.pinned import PinnedProfile, load_pinned
from harness.spec.trace import Stimulus

__all__ = ["AntsomiProfile"]

_RULES = IdentityRules(
    uid_first=("android#1",),
    uid_stable=("android#2",),
    cid_set=("android#6",),
    cid_cleared=("android#8",),
    uid_reset=("android#9",),
    uid_set=("android#10",),
    event_name=(),
    source=("android#3",),
)
_QUIET = {"getUid", "getCustomerId", "getPortalId", "getPropsId"}


@cache
def _pinned(folder: str) -> PinnedProfile:
    """The pinned profile's compiled schemas, once per folder (a run judges many scenarios)."""
    return load_pinned(folder)


class AntsomiProfile:
    """The identity model of the Antsomi SDK on Android (Flutter API names)."""

    name = "antsomi-android"
    platform = "android"

    def __init__(self, version: str | None = None) -> None:
        self.version = version or "1.1.0"
        parse_version(self.version)
        self.sdk_version = self.version

    def expect(self, trace: Sequence[Stimulus]) -> Expectations:
        try:
            fields = identity_fields()
        except ValueError as exc:
            raise SpecError(str(exc)) from None
        model = IdentityModel(fields, _RULES, "events")
        model.out.request_rules = _pinned(str(pin_dir()))
        names: dict[str, Any] = dict(pin().get("calls") or {})
        target = ""
        for s in trace:
            if s.kind == "app" and s.name == "install":
                model.install()
            elif s.kind == "app" and s.name == "kill":
                model.relaunch()
            elif s.kind != "call" or s.error is not None:
                continue
            elif s.name == "config":
                target = f"{s.args.get('portalId')}/{s.args.get('propsId')}"
            elif s.name == "setCustomerProperties":
                model.identify(str(s.args["customerId"]))
            elif s.name in ("resetCustomer", "removeCustomer"):
                model.reset_customer()
                model.unknown_uid()  # B5 #8: whether the UID changes is recorded, not judged
            elif s.name == "resetUid":
                model.reset_uid()
            elif s.name == "setUid":
                model.set_uid(str(s.args["uid"]))
            elif s.name == "track":
                customer = dict(s.args.get("customerProps") or {})
                own = customer.get("customer_id")
                template = names.get("track")
                name = template.format(en=s.args["en"]) if isinstance(template, str) else None
                rules = ("android#5",) if model.cid is None and own is None else ()
                if own is not None:
                    rules = (*rules, "android#7")
                model.event(s.index, target, name, rules, str(own) if own is not None else None, str(s.args["en"]))
            elif s.name == "trackScreen":
                template = names.get("trackScreen")
                name = template.format(name=s.args["name"]) if isinstance(template, str) else None
                model.event(s.index, target, name, ("android#11",), label=f"screen {s.args['name']}")
            elif s.name not in _QUIET:
                raise SpecError(f"antsomi-android does not model SDK call {s.name!r} ({s.label()})")
        return model.out
