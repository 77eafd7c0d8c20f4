"""The iOS profile's versions: 3.11.0 as a delta of 4.0.1 (notes/ios-3.11.0-delta.md), each gate seen
on a simulated trace of the scenario that exercises it."""

import pytest

from harness.errors import SpecError
from harness.scenario.loader import load_scenario
from harness.sdks.exponea.spec.profiles.ios import IosProfile
from harness.spec.trace import Stimulus
from tests.conftest import ROOT
from tests.spec.test_profile_ios_scenarios import ABSENCE, SCENARIOS, simulate

OLD, NEW = "3.11.0", "4.0.1"


def expect(version, scenario_file):
    return IosProfile(version).expect(simulate(load_scenario(ROOT / "scenarios" / "exponea" / scenario_file)))


def labels(ex):
    return sorted(e.label for e in ex.requests)


def test_the_default_is_4_0_1_and_an_unmodelled_version_is_a_spec_error():
    assert IosProfile().sdk_version == NEW
    assert IosProfile("4.0.0").sdk_version == "4.0.0"
    with pytest.raises(SpecError, match=r"models iOS SDK 3.11.0, 4.0.0, 4.0.1, not '3.10.0'"):
        IosProfile("3.10.0")


@pytest.mark.parametrize("version", [OLD, "4.0.0", NEW])
def test_sdk_version_is_the_modelled_version(version):
    ex = expect(version, "ios-payment.yaml")
    install = next(e for e in ex.requests if e.label == "installation")
    assert install.body["properties"]["sdk_version"] == version


def test_stop_integration_in_3_11_0_tracks_nothing_and_deletes_the_queue():
    new, old = expect(NEW, "ios-stop-with-token.yaml"), expect(OLD, "ios-stop-with-token.yaml")
    stop_new = [e for e in new.requests if "ios#62" in e.rules]
    assert sorted(e.label for e in stop_new) == ["notification_state", "session_end"]
    assert not [e for e in old.requests if "ios#62" in e.rules]
    assert [w.rules for w in old.quiet] == [w.rules for w in new.quiet]  # the quiet window is the same
    # an event queued in manual mode is flushed by 4.0.1's stop, deleted unsent by 3.11.0's
    shared_new, shared_old = expect(NEW, "stop-integration.yaml"), expect(OLD, "stop-integration.yaml")
    assert "queued_then_stopped" in labels(shared_new) and "queued_then_stopped" not in labels(shared_old)


def test_a_403_is_retried_by_4_0_1_and_counts_as_sent_in_3_11_0():
    assert labels(expect(NEW, "ios-403-retry.yaml")).count("forbidden") == 5
    old = [e for e in expect(OLD, "ios-403-retry.yaml").requests if e.label == "forbidden"]
    assert len(old) == 1 and "ios#67" in old[0].rules and old[0].max_copies == 1
    assert labels(expect(OLD, "ios-402-is-success.yaml")).count("payment_required") == 1  # 402: both


@pytest.mark.parametrize(
    ("scenario_file", "label", "new_auth", "old_auth"),
    [
        # a mapped project's rows: the main key (4.0.1) or the mapped project's own (3.11.0), ios#71
        ("ios-project-mapping.yaml", "fanned_out", {"Token harness-key"}, {"Token harness-key", "Token mapped-key"}),
        # a row queued before anonymize into another project: the new key or the old one, ios#59
        ("ios-anonymize-switch.yaml", "old_project", {"Token second-key"}, {"Token harness-key"}),
        # a row queued before a relaunch with a new key: the new key or the old one, ios#4
        ("ios-authorization-after-relaunch.yaml", "tracked_with_first_key", {"Token second-key"}, {"Token first-key"}),
    ],
)
def test_3_11_0_sends_the_authorization_a_row_was_tracked_with(scenario_file, label, new_auth, old_auth):
    def auths(version):
        return {e.authorization for e in expect(version, scenario_file).requests if e.label == label}

    assert auths(NEW) == new_auth
    assert auths(OLD) == old_auth


def test_stream_mode_is_an_error_for_3_11_0_not_a_silent_pass():
    init = Stimulus(0, "call", "init", {"configuration": {"streamId": "s-1", "baseURL": "http://h"}}, 1.0, 1.0)
    assert IosProfile(NEW).expect([init]).requests  # installation, session_start
    with pytest.raises(SpecError, match=r"\(configuration.streamId\) does not exist in iOS SDK 3.11.0"):
        IosProfile(OLD).expect([init])


OLD_SUITE = [s for s in SCENARIOS if s.applies_to_version("ios", OLD)]


def test_only_the_stream_scenarios_are_beyond_3_11_0():
    assert sorted(s.id for s in SCENARIOS if s not in OLD_SUITE) == ["ios-stream-401-resend", "ios-stream-mode"]


@pytest.mark.parametrize("scenario", OLD_SUITE, ids=[s.id for s in OLD_SUITE])
def test_every_ios_scenario_is_modelled_by_3_11_0_and_checks_what_it_claims(scenario):
    ex = IosProfile(OLD).expect(simulate(scenario))
    named = {r for e in ex.requests for r in e.rules} | {r for w in ex.quiet for r in w.rules}
    claimed = {c for c in scenario.covers if c.startswith("ios#")}
    assert claimed - ABSENCE <= named, f"claimed but never checked: {sorted(claimed - ABSENCE - named)}"
