"""The identity rules layer judged on real observations of the STAND-IN Antsomi SDK.

The expectations come from the profile (the identity layer over ``pin.json``), the observations from
real HTTP captured by the collector and decoded by the plug-in's decoder. A wire shape other than the
stand-in's is proven by rewriting the captured bodies into another shape and judging them through
other ``IdentityFields``: the layer reads nothing but the dotted paths it is given.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from harness.sdks.antsomi.spec.profile import AntsomiProfile
from harness.spec.checker import check
from harness.spec.identity import IdentityFields, IdentityModel, IdentityRules
from harness.spec.verdict import Verdict
from harness.wire.observation import Observation
from tests.sdks.antsomi.conftest import PORTAL, PROPS, Phone


def identity_flow(p: Phone) -> dict[str, Any]:
    """The B5 identity flow; returns what the getters said (not in the trace: the profile cannot see it)."""
    got: dict[str, Any] = {}
    p.call("config")
    got["uid"] = p.call("getUid")
    p.call("track", en="view_product", eventProps={"price": 10}, items=[{"type": "product", "id": "p1"}])
    p.call("setCustomerProperties", customerId="c-1")
    got["cid"] = p.call("getCustomerId")
    p.call("track", en="purchase")
    p.relaunch()
    p.call("config")
    got["portal"], got["props"] = p.call("getPortalId"), p.call("getPropsId")
    p.call("trackScreen", name="Home", title="Home", type="home")
    p.call("resetCustomer")
    got["cid_after_reset"] = p.call("getCustomerId")
    p.call("track", en="browse")
    p.call("resetUid")
    got["uid_after_reset"] = p.call("getUid")
    p.call("track", en="after_reset")
    p.call("setUid", uid="X-1")
    got["uid_after_set"] = p.call("getUid")
    p.call("track", en="after_set")
    return got


def judge(p: Phone) -> Verdict:
    return check(AntsomiProfile().expect(p.trace), p.observations())


def rules_of(verdict: Verdict) -> set[str]:
    return {r for v in verdict.violations for r in v.rules}


def test_a_correct_stand_in_passes_the_identity_rules(phone_factory: Any) -> None:
    p = phone_factory()
    got = identity_flow(p)
    assert got["uid"] and got["uid_after_reset"] not in ("", got["uid"])
    assert (got["cid"], got["cid_after_reset"], got["uid_after_set"]) == ("c-1", None, "X-1")
    assert (got["portal"], got["props"]) == (PORTAL, PROPS)
    obs = p.observations()
    assert [o.event_type for o in obs] == [
        "custom/view_product",
        "custom/purchase",
        "screen/view",
        "custom/browse",
        "custom/after_reset",
        "custom/after_set",
    ]
    assert {o.project_token for o in obs} == {f"{PORTAL}/{PROPS}"}
    verdict = judge(p)
    assert verdict.passed, [v.message for v in verdict.violations]


@pytest.mark.parametrize(
    ("fault", "rule"),
    [
        ("uid-rotates-on-relaunch", "android#2"),
        ("cid-missing-after-identify", "android#6"),
        ("cid-kept-after-reset", "android#8"),
        ("reset-uid-keeps-old", "android#9"),
        ("set-uid-ignored", "android#10"),
        ("uid-missing-on-first-event", "android#1"),
        ("cid-before-identify", "android#5"),
        ("screen-as-custom", "android#11"),
        ("prop-id-missing", "android#3"),
    ],
)
def test_each_identity_fault_is_a_violation_of_its_rule(phone_factory: Any, fault: str, rule: str) -> None:
    p = phone_factory(fault)
    identity_flow(p)
    verdict = judge(p)
    assert not verdict.passed
    assert rule in rules_of(verdict), [(v.rules, v.message) for v in verdict.violations]


def _reshape(o: Observation) -> Observation:
    """The same event in another wire shape: ``{who: {id}, customer, name}``."""
    body = o.body
    cid = (body.get("dims") or {}).get("customers", {}).get("customer_id")
    new: dict[str, Any] = {"who": {"id": body["uid"]}, "name": body["ea"]}
    if cid is not None:
        new["customer"] = cid
    return dataclasses.replace(o, body=new, event_type=new["name"])


def _generic_expect(p: Phone, fields: IdentityFields) -> IdentityModel:
    """A minimal caller of the generic layer: track/screen send, identity calls change state."""
    model = IdentityModel(
        fields, IdentityRules(uid_stable=("r#stable",), uid_set=("r#set",), cid_set=("r#cid",)), "events"
    )
    for s in p.trace:
        if s.kind == "app" and s.name == "kill":
            model.relaunch()
        elif s.name == "setCustomerProperties":
            model.identify(s.args["customerId"])
        elif s.name == "setUid":
            model.set_uid(s.args["uid"])
        elif s.name == "track":
            model.event(s.index, f"{PORTAL}/{PROPS}", s.args["en"])
    return model


@pytest.mark.parametrize("fault", [None, "set-uid-ignored", "uid-rotates-on-relaunch", "cid-missing-after-identify"])
def test_the_layer_judges_any_wire_shape_through_its_dotted_paths(phone_factory: Any, fault: str | None) -> None:
    p = phone_factory(fault)
    p.call("config")
    p.call("track", en="a")
    p.relaunch()
    p.call("config")
    p.call("track", en="b")
    p.call("setCustomerProperties", customerId="c-2")
    p.call("setUid", uid="U-9")
    p.call("track", en="c")
    fields = IdentityFields.from_json({"uid": "who.id", "cid": "customer", "event": "name"})
    verdict = check(_generic_expect(p, fields).out, [_reshape(o) for o in p.observations()])
    want = {None: set(), "set-uid-ignored": {"r#set"}, "uid-rotates-on-relaunch": {"r#stable"}}
    want["cid-missing-after-identify"] = {"r#cid"}
    assert verdict.passed is (fault is None), [v.message for v in verdict.violations]
    assert want[fault] <= rules_of(verdict)


def test_identity_fields_parse_and_refuse_bad_input() -> None:
    fields = IdentityFields.from_json({"uid": "uid", "cid": "dims.customers.customer_id", "event": ["ec", "ea"]})
    assert fields == IdentityFields("uid", "dims.customers.customer_id", ("ec", "ea"))
    assert IdentityFields.from_json(fields.as_json()) == fields
    assert fields.event_name({"ec": "screen", "ea": "view"}) == "screen/view"
    for bad, words in [
        ([], "must be an object"),
        ({"uid": "uid", "cid": "c"}, "lacks event"),
        ({"uid": "", "cid": "c", "event": "e"}, "identity.uid"),
        ({"uid": "u", "cid": "a..b", "event": "e"}, "identity.cid"),
        ({"uid": "u", "cid": "c", "event": []}, "identity.event"),
        ({"uid": "u", "cid": "c", "event": "e", "x": 1}, "unknown key"),
    ]:
        with pytest.raises(ValueError, match=words):
            IdentityFields.from_json(bad)


def test_an_empty_uid_is_flagged_by_the_decoder() -> None:
    from harness.capture.record import CapturedRequest
    from harness.sdks.antsomi.wire import decode

    def obs(uid: Any) -> Observation:
        body = json.dumps({"uid": uid, "ec": "custom", "ea": "e", "dims": {}})
        path = f"/antsomi/v3/event?portal_id={PORTAL}&prop_id={PROPS}"
        (o,) = decode(CapturedRequest("POST", path, {}, body, 0.0))
        return o

    assert obs("u-1").problems == ()
    assert obs("").problems == ("the UID field 'uid' is empty",)
    assert obs(None).problems == ("the UID field 'uid' is empty",)
    (other,) = decode(CapturedRequest("POST", "/antsomi/v3/event?portal_id=1", {}, "{oops", 0.0))
    assert other.route == "events" and len(other.problems) == 2  # not JSON, no prop_id: stored and flagged
