"""Every request that got an answer is in the store after ``kill -9`` of the collector under load."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading

import httpx

EVENTS = "/track/v2/projects/t/customers/events"


def test_answered_requests_survive_kill_9_under_load(tmp_path):
    store = tmp_path / "capture.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "collector", "serve", "--port", "0", "--store", str(store)],
        stdout=subprocess.PIPE,
        text=True,
    )
    answered: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on "), line
        url = line.split()[-1] + EVENTS

        def load(worker: int) -> None:
            with httpx.Client(timeout=5) as client:
                for i in range(5000):  # bounded; the kill ends it much sooner
                    marker = f"w{worker}-{i}"
                    try:
                        r = client.post(url, json={"marker": marker})
                    except httpx.HTTPError:
                        return
                    if r.status_code == 200:
                        with lock:
                            answered.append(marker)
                            if len(answered) >= 400:
                                enough.set()

        threads = [threading.Thread(target=load, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        assert enough.wait(60), f"only {len(answered)} answers"
        os.kill(proc.pid, signal.SIGKILL)  # mid-load: the workers are still sending
        for t in threads:
            t.join(30)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    conn = sqlite3.connect(store)  # reopening recovers the WAL
    stored = {row[0] for row in conn.execute("SELECT json_extract(body, '$.marker') FROM requests")}
    conn.close()
    missing = set(answered) - stored
    assert not missing, f"{len(missing)} answered requests not in the store, e.g. {sorted(missing)[:5]}"
    assert len(stored) >= len(answered) >= 400
