"""What every ``harness`` command shares: one-line argument errors, checked option values, and how an
exception becomes one line on stderr and an exit status.

Exit statuses: 0 success; 1 a failure the command found (a failing scenario, a regression) or a bug in
the harness; 2 bad input (an unknown option value, a missing file, a device that is not there);
130 interrupted. A traceback is printed only with ``--debug`` or ``HARNESS_DEBUG=1``: CI logs and
people get the one line that names what is wrong.
"""

from __future__ import annotations

import argparse
import os
import select
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

from harness.errors import HarnessError

__all__ = ["DEBUG_ENV", "OneLineParser", "debug_wanted", "port_number", "run_command"]

DEBUG_ENV = "HARNESS_DEBUG"


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (argparse prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def port_number(text: str) -> int:
    """argparse type of a TCP port: 0 (pick a free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535; 0 picks a free one)")
    return value


def debug_wanted(flag: bool) -> bool:
    return flag or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _stdout_is_broken() -> bool:
    """Whether stdout is a pipe whose reader has gone (``| head``), as opposed to some other socket."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLERR)
        return bool(poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll() on this system, or no real stdout
        return True


def _fail(message: str, exc: BaseException, status: int, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc)
    print(f"error: {' '.join(message.split())}", file=sys.stderr, flush=True)
    return status


def _os_message(exc: OSError) -> str:
    if exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace, *, debug: bool) -> int:
    """Run one command and turn whatever it raises into one line and an exit status (see the module)."""
    try:
        status = int(func(args))
        sys.stdout.flush()  # inside the try: a reader that left shows here, not at interpreter exit
        return status
    except BrokenPipeError as exc:
        if not _stdout_is_broken():
            return _fail(_os_message(exc), exc, 1, debug)
        # The Python docs' recipe (library/signal.html, "Note on SIGPIPE"): point stdout at devnull so
        # the interpreter's final flush cannot fail again, and leave quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except HarnessError as exc:
        return _fail(str(exc), exc, 2, debug)
    except OSError as exc:  # a path the user named is missing or unwritable, a port is taken
        return _fail(_os_message(exc), exc, 2, debug)
    except Exception as exc:  # a bug in the harness: still one line, the traceback on request
        hint = "" if debug else f" (--debug or {DEBUG_ENV}=1 shows the traceback)"
        return _fail(f"internal error: {type(exc).__name__}: {exc}{hint}", exc, 1, debug)
