"""The collector's JSON check: a fast syntax check first, ``json.loads`` for whatever it refuses.

The fast check (msgspec, which builds no objects) must never accept a body that ``json.loads`` refuses,
or a malformed body would be stored as fine. These tests set the two against each other on hand-picked
edge cases and on seeded random mutations of real SDK payloads.
"""

import json
import random

import pytest

from harness.capture.collector import analyse_body

SDK_BODIES = [
    '{"customer_ids":{"cookie":"0b3f6c1e-1111-4222-8333-944455556666"},"event_type":"purchase",'
    '"timestamp":1712345678.123,"properties":{"item":"Speed Boost","price":9.99,"count":5}}',
    '{"data":[{"customer_ids":{"registered":"jane@example.com"},"properties":{"first_name":"J\\u00e9"}}]}',
    '{"commands":[{"name":"crm/events","data":{"type":"session_start","age":-1.5e-3,"ok":true,"x":null}}]}',
    '[1, 2.0, -0, 1e400, "\\ud83d\\ude00", {"": []}]',
]
EDGE_CASES = [
    '"\\q"',
    '"\\ud800"',
    "1.",
    "-",
    ".5",
    "1e",
    "01",
    "-01",
    "[1,]",
    '{"a" 1}',
    '{"a":1}}',
    '"\\u12"',
    "nul",
    "1 2",
    " ",
    '"a\tb"',
    "\ufeff{}",
    "[-]",
    "[1e+]",
    "{1:1}",
    "NaN",
    "Infinity",
    "[NaN]",
    '{"a":1,}',
    "[,1]",
    '"\\x41"',
    "tru",
    "[true false]",
    '{"a":"\\u00zz"}',
    "\u00a0{}",
    "{}\u00a0",
]


def verdict(text: str) -> str:
    problems: list[str] = []
    analyse_body(text.encode("utf-8", "surrogatepass"), {"content-type": "application/json"}, problems)
    return "malformed" if any("malformed JSON" in p for p in problems) else "ok"


def loads_verdict(text: str) -> str:
    try:
        json.loads(text)
    except ValueError:
        return "malformed"
    except RecursionError:
        return "deep"
    return "ok"


@pytest.mark.parametrize("text", EDGE_CASES + SDK_BODIES)
def test_edge_cases_get_json_loads_verdict(text):
    assert verdict(text) == loads_verdict(text), text


def test_random_mutations_of_sdk_bodies_get_json_loads_verdict():
    rng = random.Random(20261122)
    alphabet = [*'{}[]":,.-+eE0123456789 \t\\u/abntrfl', "\\u00", "\\ud800", "NaN", "\u00e9", "\x01"]
    checked = malformed = 0
    for _ in range(4000):
        text = list(rng.choice(SDK_BODIES))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text) + 1)
            op = rng.random()
            if op < 0.4 and text:
                del text[min(i, len(text) - 1)]
            elif op < 0.8:
                text.insert(i, rng.choice(alphabet))
            else:
                text[min(i, len(text) - 1)] = rng.choice(alphabet)
        body = "".join(text)
        expected = loads_verdict(body)
        if expected == "deep":
            continue
        assert verdict(body) == expected, body
        checked += 1
        malformed += expected == "malformed"
    assert checked > 3900 and 1000 < malformed < checked  # the corpus holds both kinds, so the test can fail
