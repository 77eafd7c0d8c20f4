"""A plug-in names its checklist (``Sdk.checklist_names``): Antsomi's Android checklist is its Flutter
plugin's, so ids are reported as ``antsomi-flutter#N`` and ``antsomi-android#N`` / ``android#N`` (in an
Antsomi scenario) / ``flutter#N`` are all read as the same item; other SDKs keep ``<sdk>-<platform>#N``."""

from __future__ import annotations

from harness.scenario.coverage import coverage
from harness.sdk.base import ChecklistId, Sdk
from tests.conftest import ROOT


def test_every_form_of_an_antsomi_id_is_one_item_reported_as_antsomi_flutter() -> None:
    forms = [("antsomi-flutter#5", "exponea"), ("antsomi-android#5", "exponea"), ("android#5", "antsomi")]
    forms.append(("flutter#5", "antsomi"))
    assert {ChecklistId.parse(item, sdk).full for item, sdk in forms} == {"antsomi-flutter#5"}
    assert ChecklistId.parse("antsomi-android#5", "x") == ChecklistId.parse("antsomi-flutter#5", "y")
    assert ChecklistId.parse("android#5", "exponea").full == "exponea-android#5"
    assert ChecklistId.parse("customerio-android#2", "exponea").full == "customerio-android#2"


def test_coverage_reports_the_antsomi_items_by_the_plugins_checklist_name() -> None:
    report = coverage([ROOT / "scenarios" / "antsomi"])
    section = report["checklists"]["antsomi-flutter"]  # the checklist's name, as its items
    text = repr(section)
    assert "antsomi-flutter#6" in text and "antsomi-android#" not in text


def test_a_checklist_name_must_be_a_name_of_a_modelled_platform() -> None:
    base = dict(
        name="x", title="x", versions={"android": ("1.0",)}, routes="a:b", decoder="a:b", calls="a:b",
        profiles={"android": "a:b"}, reference={"android": "a:b"}, faults="a",
    )  # fmt: skip
    assert Sdk(**base, checklist_names={"android": "flutter"}).problems() == []  # type: ignore[arg-type]
    bad = Sdk(**base, checklist_names={"ios": "Flutter"}).problems()  # type: ignore[arg-type]
    assert "checklist_names: 'ios' is not a platform it models" in bad
    assert any("'Flutter' must be lower-case" in p for p in bad)
    other = Sdk(**base, checklist_names={"android": "ios"}).problems()  # type: ignore[arg-type]
    assert any("not another platform" in p for p in other)
