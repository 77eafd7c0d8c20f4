"""The toy reference SDK: ``track`` POSTs JSON at once, with the device clock as an ISO-8601 timestamp."""

import datetime

import httpx


class ToySdk:
    def __init__(self, data_dir, clock, env, faults, version=None):
        self.clock, self.env, self.faults = clock, env, faults
        self.base = self.token = None
        self.client = httpx.Client(timeout=10.0, transport=env.network)

    def call(self, name, params):
        if name == "init":
            self.base, self.token = str(params["baseUrl"]).rstrip("/"), params["token"]
            return None
        if name == "track":
            event = params["name"].upper() if "toy-shouts" in self.faults else params["name"]
            ts = datetime.datetime.fromtimestamp(self.clock.now(), datetime.UTC).isoformat()
            body = {"event": event, "ts": ts, "props": params.get("properties") or {}}
            self.client.post(f"{self.base}/toy/v1/{self.token}/track", json=body)
            return None
        raise LookupError(f"toy SDK has no call {name!r}")

    def settle(self, timeout):
        return True

    def on_background(self):
        return None

    def on_foreground(self):
        return None

    def on_network(self, online):
        return None

    def close(self):
        self.client.close()
