"""A real headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

``--dump-dom`` shows the page as loaded; clicking a control needs the protocol. The pipe needs no
port and no extra package: commands go in on the child's fd 3, answers come out on its fd 4, each a
JSON message ended by a NUL byte.
"""

import contextlib
import fcntl
import json
import os
import subprocess
import time

from tests.report.conftest import chromium_binary


class Browser:
    def __init__(self, url):
        binary = chromium_binary()
        assert binary, "chromium is not installed (apt-get install -y chromium)"
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire():  # in the child: our pipes become fds 3 and 4, whatever numbers they had
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]
            for target, fd in zip((3, 4), high, strict=True):
                os.dup2(fd, target)
                os.set_inheritable(target, True)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            close_fds=False,  # (closing would run after ``wire`` and take fds 3 and 4; ours are not inheritable)
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        target = self.call("Target.createTarget", url=url)["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def call(self, method, session=None, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self._buf:
                chunk = os.read(self._from_child, 1 << 16)
                assert chunk, "chromium closed the DevTools pipe"
                self._buf += chunk
            raw, _, self._buf = self._buf.partition(b"\0")
            answer = json.loads(raw)
            if answer.get("id") == self._id:
                assert "error" not in answer, answer["error"]
                return answer["result"]

    def js(self, expression):
        """The value of ``expression`` evaluated in the page (awaited if it is a promise)."""
        result = self.call(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression, attempts=600):
        """Poll ``expression`` until it is truthy (the page loads on its own schedule)."""
        for _ in range(attempts):
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"never true in the page: {expression}")

    def close(self):
        with contextlib.suppress(AssertionError, OSError):  # it may be gone already
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
