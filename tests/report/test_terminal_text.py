"""The terminal report and JUnit read matchers as the HTML does (``describe()``), never as tokens
(``<cookie#1>``, ``≈1712345678.123±2``, ``<absent>``) a person has to decode (real CLI, seeded faults)."""

import pytest

from tests.report.conftest import harness

TOKENS = ("<absent>", "<cookie#", "<device_id#", '"≈', '±2"', "Var(", "DeviceTime(")


@pytest.mark.parametrize(
    ("device", "fault", "readable"),
    [
        (
            "virtual:android",
            "no-device-id",
            [
                "expected a UUID (device_id#2), got nothing (the key is absent)",
                '"device_id": a UUID (bound as device_id#2',
            ],
        ),
        ("virtual:android", "timestamp-millis", ['"timestamp": ≈ ', " ± 2 s (device time, "]),
        ("virtual:ios", "ios-cookie-lowercase", ['"cookie": an upper-case UUID (bound as cookie#1)']),
    ],
)
def test_terminal_and_junit_describe_matchers(tmp_path, device, fault, readable):
    junit = tmp_path / "junit.xml"
    proc = harness(
        "run", "--device", device, "--fault", fault, "--junit", str(junit), "scenarios/exponea/custom-event.yaml"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    xml = junit.read_text()
    for text in (proc.stdout, xml):
        assert not [t for t in TOKENS if t in text], text
    assert '"count": 5,' not in proc.stdout  # 5 and 5.0 are the same number: no diff line for it
    for phrase in readable:
        assert phrase in proc.stdout, proc.stdout
        assert phrase.replace('"', "&quot;") in xml or phrase in xml, xml
