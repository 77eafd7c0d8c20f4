"""Each matcher reads as a person reads it, and keeps a tagged machine form for results.json."""

import json

import pytest

from harness.report.record import readable
from harness.spec.matchers import Absent, Any_, Approx, DeviceTime, Int, OneOf, Var


@pytest.mark.parametrize(
    ("matcher", "text"),
    [
        (Var("app_version"), "any value (bound as app_version)"),
        (Var("cookie#2", kind="uuid", case="lower", distinct_from=("cookie#1",)),
         "a lower-case UUID (bound as cookie#2, not the cookie#1 value)"),
        (Approx(9.5, 0.5), "≈ 9.5 ± 0.5"),
        (DeviceTime(1712345678.1, 2), "≈ 1712345678.1 ± 2 s (device time, 2024-04-05 19:34:38 UTC)"),
        (OneOf(("mobile", "tablet")), "one of: mobile, tablet"),
        (Int(5), "the integer 5"),
        (Any_(), "any value"),
        (Absent(), "absent"),
    ],
)  # fmt: skip
def test_describe(matcher, text):
    assert matcher.describe() == text
    tagged = matcher.as_json()
    assert tagged["text"] == text and json.loads(json.dumps(tagged)) == tagged


def test_readable_json_shows_matchers_unquoted_and_literals_as_json():
    doc = {"event_type": "purchase", "cookie": Var("cookie#1", kind="uuid"), "ids": [Int(1), "x"]}
    assert readable(doc).splitlines() == [
        "{",
        '  "cookie": a UUID (bound as cookie#1),',
        '  "event_type": "purchase",',
        '  "ids": [',
        "    the integer 1,",
        '    "x"',
        "  ]",
        "}",
    ]
    assert readable("a UUID (bound as cookie#1)") == '"a UUID (bound as cookie#1)"'  # a literal stays quoted
