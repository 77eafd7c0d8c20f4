"""Accepts the Customer.io canonical calls (CIO_CONTRACT.md) and answers each with its own name."""

CALLS = {
    "init",
    "identify",
    "track",
    "screen",
    "clearIdentify",
    "setProfileAttributes",
    "setDeviceAttributes",
    "registerDeviceToken",
    "deleteDeviceToken",
    "trackMetric",
    "flush",
}


class Reference:
    def __init__(self, data_dir, clock, env, faults, version=None):
        self.initialized = False

    def call(self, name, params):
        if name not in CALLS:
            raise LookupError(f"no call {name!r}")
        if name == "init":
            self.initialized = True
        return name

    def settle(self, timeout):
        return True

    def on_background(self):
        return None

    def on_foreground(self):
        return None

    def on_network(self, online):
        return None

    def close(self):
        return None
