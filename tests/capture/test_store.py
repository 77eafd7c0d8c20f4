import threading
import time

import pytest

from harness.capture.record import CapturedRequest
from harness.capture.store import Store
from harness.errors import CaptureError


def req(i, device="d1", kind="tracking"):
    return CapturedRequest(
        method="POST",
        path=f"/p/{i}",
        headers={"a": "b"},
        body=f'{{"i":{i}}}',
        received_at=time.time(),
        device=device,
        kind=kind,
    )


def test_add_and_query_by_device_and_kind(tmp_path):
    store = Store(tmp_path / "s.db")
    ids = [store.add(req(i, device="d1" if i % 2 else "d2")) for i in range(6)]
    store.add(req(99, kind="api"))
    assert ids == sorted(ids)
    assert [r.path for r in store.query(device="d1")] == ["/p/1", "/p/3", "/p/5", "/p/99"]
    assert [r.path for r in store.query(device="d1", kinds=["tracking"])] == ["/p/1", "/p/3", "/p/5"]
    assert [r.path for r in store.query(after_id=ids[3])] == ["/p/4", "/p/5", "/p/99"]
    store.close()


def test_requests_survive_reopening(tmp_path):
    store = Store(tmp_path / "s.db")
    for i in range(50):
        store.add(req(i))
    store.close()
    again = Store(tmp_path / "s.db")
    assert again.count() == 50
    assert again.last_id == 50
    again.close()


def test_group_commit_takes_concurrent_writers_in_batches(tmp_path):
    store = Store(tmp_path / "s.db")
    futures = [store.submit(req(i)) for i in range(500)]
    ids = [f.result(10) for f in futures]
    assert len(set(ids)) == 500
    assert store.count() == 500
    store.close()


def test_wait_for_wakes_on_arrival(tmp_path):
    store = Store(tmp_path / "s.db")
    threading.Timer(0.2, lambda: [store.add(req(i)) for i in range(3)]).start()
    got = store.wait_for(lambda rs: len(rs) >= 3, timeout=10)
    assert len(got) == 3
    store.close()


def test_wait_for_times_out_with_what_arrived(tmp_path):
    store = Store(tmp_path / "s.db")
    store.add(req(1))
    with pytest.raises(TimeoutError) as info:
        store.wait_for(lambda rs: len(rs) >= 2, timeout=0.3)
    assert len(info.value.args[1]) == 1
    store.close()


def test_wait_quiet_reports_whether_traffic_stopped(tmp_path):
    store = Store(tmp_path / "s.db")
    store.add(req(1))
    assert store.wait_quiet(0.2, timeout=5)
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            store.add(req(2))
            time.sleep(0.02)

    t = threading.Thread(target=chatter)
    t.start()
    try:
        assert not store.wait_quiet(0.5, timeout=0.8)
    finally:
        stop.set()
        t.join()
    store.close()


def test_memory_store_is_refused():
    with pytest.raises(CaptureError):
        Store(":memory:")
