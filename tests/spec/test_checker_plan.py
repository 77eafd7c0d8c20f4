"""The shape-cached plans give the general plan's answer (and ``diff_value``'s) on many generated bodies.

The fast path (one generated check per body shape, leaves compared as tuples) must never judge a
pair differently from the general plan it replaces: same exact/not-exact answer, same ``Var``
sightings in the same order. Bodies are generated from a fixed seed, then rendered into a matching
captured body and mutated the way real traffic differs (1 vs 1.0 vs true, a key dropped or added,
an array one item longer, a timestamp off, a cookie in the wrong case...).
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from harness.spec.matchers import CLOCK_OFFSET, Absent, Any_, Approx, DeviceTime, Int, OneOf, Var, diff_value
from harness.spec.plan import compile_general, compile_value
from harness.spec.plan_shapes import compile_shaped

KEYS = ["event_type", "timestamp", "a", "b", "count", "in_stock", "tags", "nested", "x"]
UUIDS = ["0f8fad5b-d9cb-469f-a165-70867728950e", "7C9E6679-7425-40DE-944B-E07FC1F90AE7"]
OFFSET = 1.5


def leaf(rng: random.Random, depth: int, var_names: list[str]) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.12:
        return body(rng, depth + 1, var_names)
    if depth < 3 and roll < 0.2:
        items = [leaf(rng, depth + 1, var_names) for _ in range(rng.randint(0, 3))]
        return tuple(items) if rng.random() < 0.2 else items
    return rng.choice(
        [
            lambda: rng.choice(["s", "sku-1", "", "true"]),
            lambda: rng.choice([0, 1, 2, 5, -3, 10**6]),
            lambda: rng.choice([0.0, 1.0, 2.5, 5.0, 1.712345678123e9]),
            lambda: rng.choice([True, False]),
            lambda: None,
            lambda: Approx(rng.choice([100.0, 5.0]), rng.choice([0.0, 1.0])),
            lambda: DeviceTime(rng.choice([100.0, 1.712345678e9]), 2.0),
            lambda: Var(
                rng.choice(var_names), kind=rng.choice(["uuid", "any"]), case=rng.choice([None, "lower", "upper"])
            ),
            lambda: Any_(),
            lambda: Absent(),
            lambda: OneOf(rng.choice([("mobile", "tablet"), (1, "one"), (True,)])),
            lambda: Int(rng.choice([0, 1, 7])),
        ]
    )()


def body(rng: random.Random, depth: int = 0, var_names: list[str] | None = None) -> dict[str, Any]:
    names = var_names if var_names is not None else ["v1", "v2"]
    return {k: leaf(rng, depth, names) for k in rng.sample(KEYS, rng.randint(0, 5))}


def render(value: Any, rng: random.Random) -> Any:
    """A captured value that a correct SDK could have sent for ``value`` (None for an absent key)."""
    if isinstance(value, DeviceTime):
        return value.value + OFFSET + rng.choice([0.0, 0.5])
    if isinstance(value, Approx):
        return value.value
    if isinstance(value, Var):
        u = rng.choice(UUIDS) if value.kind == "uuid" or rng.random() < 0.5 else "plain"
        return u.lower() if value.case == "lower" else u.upper() if value.case == "upper" else u
    if isinstance(value, Any_):
        return rng.choice(["x", 3, None, {"k": 1}])
    if isinstance(value, OneOf):
        return value.options[0]
    if isinstance(value, Absent):
        return "an item"  # only in an array, where nothing can be absent
    if isinstance(value, Int):
        return value.value
    if isinstance(value, dict):
        return {k: render(v, rng) for k, v in value.items() if not isinstance(v, Absent)}
    if isinstance(value, list | tuple):
        return [render(v, rng) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.5:
        return float(value)  # Gson: 5 -> 5.0
    return value


def mutate(value: Any, rng: random.Random) -> Any:
    """The same value with one random change somewhere (or none)."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        roll = rng.random()
        out = dict(value)
        if roll < 0.15:
            del out[key]
        elif roll < 0.25:
            out["extra"] = 1
        else:
            out[key] = mutate(out[key], rng)
        return out
    if isinstance(value, list) and value and rng.random() < 0.7:
        out_list = list(value)
        if rng.random() < 0.2:
            out_list.append("more")
        else:
            i = rng.randrange(len(out_list))
            out_list[i] = mutate(out_list[i], rng)
        return out_list
    swaps: dict[Any, list[Any]] = {
        True: [1, 1.0, False, "true"],
        False: [0, 0.0, True, None],
    }
    if value is True or value is False:
        return rng.choice(swaps[value])
    if isinstance(value, int | float):
        near = [value + 0.25, value + 1, value + 2.25]  # across the tolerances (0, 1, 2) of the timestamps
        return rng.choice([value, True if value == 1 else False if value == 0 else value + 1, str(value), *near])
    if isinstance(value, str):
        return rng.choice([value.swapcase(), value + "!", 5, None])
    return rng.choice([None, "x", [], {}])


def judge(check: Any, actual: Any) -> tuple[bool, list[Any]]:
    seen: list[Any] = []
    ok = check(actual, seen, OFFSET)
    return ok, seen if ok else []


def cases(seed: int, n: int) -> list[tuple[dict[str, Any], bool, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        expected = body(rng)
        actual = json.loads(json.dumps(render(expected, rng)))  # through JSON, as captured
        for _ in range(rng.choice([0, 0, 1, 2])):
            actual = mutate(actual, rng)
        out.append((expected, rng.random() < 0.8, actual))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_shaped_plan_agrees_with_the_general_plan(seed):
    shaped_seen = 0
    exact_pairs = 0
    for expected, exact, actual in cases(seed, 600):
        want = judge(compile_general(expected, exact), actual)
        shaped = compile_shaped(expected, exact, "$")
        if shaped is not None:
            shaped_seen += 1
            assert judge(shaped, actual) == want, (expected, exact, actual)
        assert judge(compile_value(expected, exact), actual) == want, (expected, exact, actual)
        exact_pairs += want[0]
    # The generator must exercise both answers and the fast path itself, or this test proves nothing.
    assert shaped_seen > 500 and 100 < exact_pairs < 500


@pytest.mark.parametrize("seed", range(4))
def test_plans_agree_with_diff_value_where_no_variable_repeats(seed):
    rng = random.Random(1000 + seed)
    checked = 0
    for _ in range(600):
        names = [f"v{i}" for i in range(40)]
        expected = body(rng, 0, names)
        if "Var(" in repr(expected):  # Var of kind "any" on a missing key: diff_value binds <absent>
            continue
        exact = rng.random() < 0.8
        actual = json.loads(json.dumps(render(expected, rng)))
        if rng.random() < 0.6:
            actual = mutate(actual, rng)
        ok = not diff_value(expected, actual, {CLOCK_OFFSET: OFFSET}, "$", exact)
        assert judge(compile_value(expected, exact), actual)[0] == ok, (expected, exact, actual)
        checked += 1
    assert checked > 200


def test_one_shape_serves_bodies_with_different_values():
    def event(ts: float, sku: str, count: int, flag: bool) -> dict[str, Any]:
        return {
            "timestamp": DeviceTime(ts, 2.0),
            "customer_ids": {"cookie": Var("cookie", kind="uuid", case="lower")},
            "properties": {"sku": sku, "count": count, "in_stock": flag, "gone": Absent()},
        }

    a, b = event(100.0, "a", 0, True), event(200.0, "b", 1, False)
    ca, cb = compile_shaped(a, True, "$"), compile_shaped(b, True, "$")
    assert ca is not None and cb is not None and ca.func is cb.func  # type: ignore[attr-defined]
    sent = {
        "timestamp": 201.5,
        "customer_ids": {"cookie": UUIDS[0]},
        "properties": {"sku": "b", "count": 1.0, "in_stock": False},
    }
    seen: list[Any] = []
    assert cb(sent, seen, OFFSET) and seen == [(b["customer_ids"]["cookie"], UUIDS[0], "$.customer_ids.cookie")]
    assert not ca(sent, [], OFFSET)
    for wrong in ({"count": True}, {"in_stock": 0}, {"gone": None}, {"sku": "B"}):
        body = copy.deepcopy(sent)
        body["properties"].update(wrong)
        assert not cb(body, [], OFFSET), wrong
    assert not cb({**sent, "timestamp": 205.0}, [], OFFSET)
    assert not cb({**sent, "customer_ids": {"cookie": UUIDS[1]}}, [], OFFSET)  # upper case


def test_values_the_generator_does_not_know_fall_back_to_the_general_plan():
    class Tagged(str):
        pass

    class Later(DeviceTime):
        pass

    for expected in ({"a": Tagged("x")}, {"a": {1: "x"}}, {"t": Later(1.0, 1.0)}, {"m": {"k": "v"}.keys()}):
        assert compile_shaped(expected, True, "$") is None
        assert compile_value(expected, True)(json.loads(json.dumps({"a": "x"})), [], 0.0) is (expected == {"a": "x"})
