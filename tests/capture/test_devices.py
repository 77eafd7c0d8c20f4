"""Many devices at once: requests are attributed to their device and run, whatever the interleaving."""

import threading

import httpx

from harness.capture.client import CollectorClient

EVENTS = "/track/v2/projects/t/customers/events"
CUSTOMERS = "/track/v2/projects/t/customers"


def test_concurrent_devices_are_kept_apart(live_collector):
    devices = [f"phone-{i}" for i in range(8)]
    per_device = 40
    errors: list[str] = []

    def device(name: str) -> None:
        with httpx.Client(base_url=live_collector.device_url(name)) as c:
            for i in range(per_device):
                path = EVENTS if i % 2 else CUSTOMERS
                r = c.post(path, json={"device": name, "seq": i})
                if r.status_code != 200:
                    errors.append(f"{name} {i}: {r.status_code}")

    threads = [threading.Thread(target=device, args=(d,)) for d in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for name in devices:
        got = live_collector.store.query(device=name)
        assert [r.json_body() for r in got] == [{"device": name, "seq": i} for i in range(per_device)]
    assert len(live_collector.store.query()) == len(devices) * per_device


def test_runs_are_told_apart_on_one_store(live_collector):
    live_collector.app.run = "run-1"
    for dev in ("a", "b"):
        httpx.post(live_collector.device_url(dev) + EVENTS, json={})
    live_collector.app.run = "run-2"
    httpx.post(live_collector.device_url("a") + EVENTS, json={})
    store = live_collector.store
    assert [(r.device, r.run) for r in store.query(run="run-1")] == [("a", "run-1"), ("b", "run-1")]
    assert [(r.device, r.run) for r in store.query(device="a", run="run-2")] == [("a", "run-2")]


def test_waiting_per_device_while_others_send(live_collector):
    """A waiter for one device is not satisfied by another device's traffic."""
    with CollectorClient(live_collector.url) as client:
        stop = threading.Event()

        def noise() -> None:
            with httpx.Client() as c:
                for _ in range(200):
                    if stop.is_set():
                        return
                    c.post(live_collector.device_url("noisy") + EVENTS, json={})

        t = threading.Thread(target=noise)
        t.start()
        try:
            threading.Timer(0.3, lambda: httpx.post(live_collector.device_url("quiet") + EVENTS, json={"q": 1})).start()
            got = client.wait_for(lambda rs: len(rs) >= 1, timeout=30, device="quiet")
        finally:
            stop.set()
            t.join()
    assert [r.json_body() for r in got] == [{"q": 1}]
