"""Observations of events inside one request (a batch): keys, labels, copies, and how violations name them."""

from __future__ import annotations

from harness.spec.verdict import Match, Violation
from harness.wire.decode import mark_copies
from harness.wire.observation import Observation


def _obs(rid: int, index: int | None = None, event_id: str | None = None) -> Observation:
    return Observation(rid, "batch", "POST", "/b", "k", None, {}, {}, event_type="E", index=index, event_id=event_id)


def test_a_whole_request_keeps_its_request_id_as_key_and_label():
    obs = _obs(12)
    assert obs.key == 12 and obs.where() == "#12" and obs.label() == "#12 batch 'E'"


def test_events_of_one_batch_have_distinct_keys_that_are_never_a_request_id():
    keys = {_obs(12, i).key for i in range(5)} | {_obs(13, i).key for i in range(5)}
    assert len(keys) == 10 and all(k < 0 for k in keys)
    assert _obs(12, 3).label() == "#12 event 3 batch 'E'"


def test_a_re_sent_event_is_marked_a_copy_of_the_first_and_others_are_left_alone():
    first, other, again = _obs(1, 0, "m1"), _obs(1, 1, "m2"), _obs(2, 0, "m1")
    plain = _obs(3)
    out = mark_copies([first, other, again, plain])
    assert [o.copy_of for o in out] == [None, None, first.key, None]
    assert out[2].label() == "#2 event 0 batch 'E' (copy)"
    unchanged = [plain, _obs(4)]
    assert mark_copies(unchanged) is unchanged


def test_violations_and_matches_name_the_event_inside_the_request():
    assert Violation("unexpected", "x", request_id=12, index=3).line().startswith("unexpected request #12 event 3:")
    assert Violation("unexpected", "x", request_id=12).line().startswith("unexpected request #12:")
    assert "index" not in Violation("unexpected", "x", request_id=12).as_json()
    assert Match(0, 12, True, "l", 0, 3).as_json()["index"] == 3 and "index" not in Match(0, 12, True).as_json()
