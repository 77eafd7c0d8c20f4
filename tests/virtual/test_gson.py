import pytest

from harness.sdks.exponea.virtual.gson import dumps, java_double


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5, "5.0"),
        (12.5, "12.5"),
        (1712345678.123, "1.712345678123E9"),
        (12345678901, "1.2345678901E10"),
        (1e7, "1.0E7"),
        (9999999.0, "9999999.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (-3.5, "-3.5"),
        (0.0, "0.0"),
    ],
)
def test_doubles_print_like_java(value, text):
    assert java_double(value) == text


def test_gson_drops_null_map_values_keeps_html_and_doubles_ints():
    assert dumps({"a": 1, "b": None, "s": "a<b>&'", "l": [1, 2]}) == '{"a":1.0,"s":"a<b>&\'","l":[1.0,2.0]}'
