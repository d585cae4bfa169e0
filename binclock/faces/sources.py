"""Values for the number face: a fixed number, or one read from a command every few seconds.

A source is asked for its value at each second the clock shows. It never reads the clock:
the ``now`` it is given decides whether a command is due to run again, so tests (and a
clock set with ``--at``) drive it exactly. A command runs on a thread of its own, so a slow
one never holds up the clock's second: asking starts a run when one is due and gives the
last value the command printed.
"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from binclock.faces import rendering_use

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

Popen = Callable[..., "subprocess.Popen[str]"]
# A run waited for (one frame) gets this long beyond the command's timeout to be stopped.
_GRACE = 5.0


class Source(Protocol):
    """Something that has a whole number to show at a given moment (None: nothing yet)."""

    def read(self, now: datetime) -> int | None: ...


@dataclass(frozen=True)
class Constant:
    """Always the same number (``value = 42``, ``binclock show 42``)."""

    value: int

    def read(self, now: datetime) -> int:
        return self.value


def first_number(text: str, divide: int = 1) -> int | None:
    """The first number in ``text`` divided by ``divide``, rounded half up; None when there
    is none. ``"temp=48.6'C"`` gives 49; ``"48312"`` with ``divide=1000`` gives 48."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    scaled = Decimal(match.group()) / divide
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class CommandSource:
    """Runs ``command`` when due, on a thread of its own, and keeps the first number it
    printed.

    The command is split like a shell would split it but runs without one (for a pipe,
    write ``sh -c '...'``). It is due at the first read, ``every`` seconds after the last
    run started, and whenever the clock has gone back past the last run; a run still going
    when the next is due is not doubled. A read never waits (except for one frame, see
    ``binclock.faces.rendering``): it gives the last good value, None before the first. A
    failure (cannot start, timeout, non-zero exit, no number printed) is logged, not
    raised, and the last good value stays shown; the next try is ``every`` seconds later.
    A command still running when the source is closed or dropped, or when binclock exits,
    is killed.
    """

    def __init__(
        self,
        command: str,
        every: float,
        *,
        timeout: float = 2.0,
        divide: int = 1,
        popen: Popen = subprocess.Popen,
    ) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("the command is empty")
        self.command = command
        self.every = every
        self.timeout = timeout
        self.divide = divide
        self.popen = popen
        self.value: int | None = None
        self.last_run: float | None = None
        self._last_error: str | None = None
        self._run: _Run | None = None  # the run going, or ended and not yet taken
        self._closed = False
        self._stop = weakref.finalize(self, lambda: None)

    def due(self, now: datetime) -> bool:
        """True when the command should run again at ``now``."""
        if self.last_run is None:
            return True
        t = now.timestamp()
        return t < self.last_run or t - self.last_run >= self.every

    @property
    def running(self) -> bool:
        """Whether a run has started and not yet ended."""
        return self._run is not None and not self._run.done.is_set()

    def read(self, now: datetime) -> int | None:
        use = rendering_use()
        self._take()
        if use != "layout" and not self._closed and self._run is None and self.due(now):
            self.last_run = now.timestamp()
            self._start()
        if use == "one frame":
            self.settle(self.timeout + _GRACE)
            self._take()
        return self.value

    def settle(self, timeout: float | None = None) -> bool:
        """Wait for the run going, if any, to end (at most ``timeout`` s); whether none is
        left going."""
        run = self._run
        return run is None or run.done.wait(timeout)

    def close(self) -> None:
        """Start no more runs; kill the command if it is still running."""
        self._closed = True
        self._stop()
        if self._run is not None:
            self._run.thread.join(_GRACE)

    def _start(self) -> None:
        run = _Run(self.argv, self.command, self.timeout, self.divide, self.popen)
        self._stop.detach()
        self._stop = weakref.finalize(self, run.kill)
        self._run = run
        run.thread.start()

    def _take(self) -> None:
        """Take the result of a run that has ended: a value, or a failure to report."""
        run = self._run
        if run is None or not run.done.is_set():
            return
        self._run = None
        if run.error is not None:
            self._report(run.error)
            return
        if self._last_error is not None:
            log.info("%r works again: %d", self.command, run.value)
        self._last_error = None
        self.value = run.value

    def _report(self, message: str) -> None:
        """Warn once per distinct problem; repeats go to the debug log."""
        kept = "" if self.value is None else f" (still showing {self.value})"
        level = logging.DEBUG if message == self._last_error else logging.WARNING
        log.log(level, "%s%s", message, kept)
        self._last_error = message


class _Run:
    """One run of the command on a daemon thread: its child process and what it gave.

    It holds nothing of its source, so a source no face uses any more is dropped (and its
    finaliser kills a run still going)."""

    def __init__(
        self, argv: list[str], command: str, timeout: float, divide: int, popen: Popen
    ) -> None:
        self.argv = argv
        self.command = command
        self.timeout = timeout
        self.divide = divide
        self.popen = popen
        self.value: int | None = None
        self.error: str | None = None
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[str] | None = None
        self._killed = False
        self.thread = threading.Thread(target=self._work, name="number command", daemon=True)

    def kill(self) -> None:
        """Kill the child if it is still running (and start none if it has not yet)."""
        with self._lock:
            self._killed = True
            if self._child is not None and self._child.poll() is None:
                self._child.kill()

    def _work(self) -> None:
        try:
            self.value = self._result()
        except _Failed as exc:
            self.error = str(exc)
        finally:
            self.done.set()

    def _result(self) -> int:
        kwargs: dict[str, Any] = {
            "stdin": subprocess.DEVNULL,
            "stdout": subprocess.PIPE,
            "stderr": subprocess.PIPE,
            "text": True,
        }
        with self._lock:
            if self._killed:
                raise _Failed(f"{self.command!r} was stopped")
            try:
                child = self._child = self.popen(self.argv, **kwargs)
            except OSError as exc:
                raise _Failed(f"cannot run {self.command!r}: {exc.strerror or exc}") from None
        try:
            out, err = child.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()  # not communicate(): what it started may hold its output open
            raise _Failed(f"{self.command!r} took longer than {self.timeout:g} s") from None
        if self._killed:
            raise _Failed(f"{self.command!r} was stopped")
        if child.returncode != 0:
            said = (err or "").strip().splitlines()
            detail = f": {said[0]}" if said else ""
            raise _Failed(f"{self.command!r} exited with status {child.returncode}{detail}")
        value = first_number(out or "", self.divide)
        if value is None:
            printed = (out or "").strip()[:40]
            raise _Failed(f"{self.command!r} printed no number: {printed!r}")
        return value


class _Failed(Exception):
    """One run of the command gave no value."""
