"""The toy profile: every ``track`` call is one request, now, with its name and properties (toy-android#1)."""

from harness.spec.expectation import Expectations, Expected
from harness.spec.matchers import DeviceTime


class ToyProfile:
    name = "toy-android"
    platform = "android"
    sdk_version = "1.0.0"

    def __init__(self, version=None):
        self.version = version

    def expect(self, trace):
        out = Expectations(ordered=True)
        token = None
        for s in trace:
            if s.kind == "call" and s.name == "init":
                token = s.args.get("token")
            if s.kind == "call" and s.name == "track" and token and s.error is None:
                body = {
                    "event_type": s.args["name"],
                    "timestamp": DeviceTime(s.device_time, 2.0),
                    "properties": dict(s.args.get("properties") or {}),
                }
                out.requests.append(
                    Expected("events", token, None, body, s.index, rules=("toy-android#1",), label=s.args["name"])
                )
        return out
