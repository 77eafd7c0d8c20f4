from harness.spec.matchers import Absent, Any_, Approx, OneOf, Var, diff_value
from harness.wire.observation import ABSENT

U1 = "0f8fad5b-d9cb-469f-a165-70867728950e"
U2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def test_numbers_compare_by_value_but_not_with_booleans():
    assert diff_value(5, 5.0, {}, "$") == []
    assert diff_value(1, True, {}, "$")[0][0] == "type"
    assert diff_value(True, True, {}, "$") == []


def test_objects_report_json_paths_and_unexpected_keys():
    diffs = diff_value({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}, {}, "$")
    assert ("mismatch", "$.a.b") in [(k, p) for k, p, _ in diffs]
    assert ("unexpected-key", "$.a.c") in [(k, p) for k, p, _ in diffs]
    assert diff_value({"a": 1}, {"a": 1, "c": 3}, {}, "$", exact=False) == []


def test_missing_key_is_reported():
    (diff,) = diff_value({"a": 1}, {}, {}, "$")
    assert diff[0] == "missing" and diff[1] == "$.a"


def test_var_binds_then_requires_the_same_value_and_can_require_a_new_one():
    b = {}
    assert Var("cookie#1", kind="uuid").check(U1, b) is None
    assert Var("cookie#1", kind="uuid").check(U1, b) is None
    assert "same cookie#1" in Var("cookie#1", kind="uuid").check(U2, b)
    assert "new cookie#2" in Var("cookie#2", kind="uuid", distinct_from=("cookie#1",)).check(U1, b)
    assert "UUID" in Var("x", kind="uuid").check("nope", {})
    assert "lower-case" in Var("x", kind="uuid", case="lower").check(U1.upper(), {})


def test_approx_absent_any_oneof():
    assert Approx(100.0, 1.0).check(100.5, {}) is None
    assert "off by +2.000" in Approx(100.0, 1.0).check(102.0, {})
    assert "number" in Approx(1.0, 1.0).check("1", {})
    assert Absent().check(ABSENT, {}) is None and Absent().check(None, {}) is not None
    assert Any_().check(None, {}) is None and Any_().check(ABSENT, {}) is not None
    assert OneOf(("mobile", "tablet")).check("tablet", {}) is None
    assert OneOf(("mobile", "tablet")).check("tv", {}) is not None


def test_marker_duration_is_the_marker_minus_the_start_read_from_the_device_clock():
    from harness.spec.matchers import CLOCK_OFFSET, MarkerDuration

    m = MarkerDuration(-1.0, 1_796_401_579.0, 2.0)
    assert m.check(-1_796_401_580.1, {}) is None
    # the device clock runs 4 s ahead: its start reading was 4 s later, the duration 4 s smaller
    assert m.check(-1_796_401_584.0, {CLOCK_OFFSET: 4.0}) is None
    assert m.check(-1_796_401_580.0, {CLOCK_OFFSET: 4.0}) is not None
    assert "minus the session start" in (m.check(0.0, {}) or "")
