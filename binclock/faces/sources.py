"""Values for the number face: a fixed number, or one read from a command every few seconds.

A source is asked for its value at each second the clock shows. It never reads the clock:
the ``now`` it is given decides whether a command is due to run again, so tests (and a
clock set with ``--at``) drive it exactly.
"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


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
    """Runs ``command`` when due and keeps the first number it printed.

    The command is split like a shell would split it but runs without one (for a pipe,
    write ``sh -c '...'``). It is due at the first read, ``every`` seconds after the last
    run, and whenever the clock has gone back past the last run. A failure (cannot start,
    timeout, non-zero exit, no number printed) is logged, not raised, and the last good
    value stays shown; the next try is ``every`` seconds later.
    """

    def __init__(
        self,
        command: str,
        every: float,
        *,
        timeout: float = 2.0,
        divide: int = 1,
        runner: Runner = subprocess.run,
    ) -> None:
        self.argv = shlex.split(command)
        if not self.argv:
            raise ValueError("the command is empty")
        self.command = command
        self.every = every
        self.timeout = timeout
        self.divide = divide
        self.runner = runner
        self.value: int | None = None
        self.last_run: float | None = None
        self._last_error: str | None = None

    def due(self, now: datetime) -> bool:
        """True when the command should run again at ``now``."""
        if self.last_run is None:
            return True
        t = now.timestamp()
        return t < self.last_run or t - self.last_run >= self.every

    def read(self, now: datetime) -> int | None:
        if self.due(now):
            self.last_run = now.timestamp()
            self._refresh()
        return self.value

    def _refresh(self) -> None:
        try:
            value = self._run()
        except _Failed as exc:
            self._report(str(exc))
            return
        if self._last_error is not None:
            log.info("%r works again: %d", self.command, value)
        self._last_error = None
        self.value = value

    def _run(self) -> int:
        kwargs: dict[str, Any] = {
            "stdin": subprocess.DEVNULL,
            "capture_output": True,
            "text": True,
            "timeout": self.timeout,
            "check": False,
        }
        try:
            done = self.runner(self.argv, **kwargs)
        except subprocess.TimeoutExpired:
            raise _Failed(f"{self.command!r} took longer than {self.timeout:g} s") from None
        except OSError as exc:
            raise _Failed(f"cannot run {self.command!r}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            said = (done.stderr or "").strip().splitlines()
            detail = f": {said[0]}" if said else ""
            raise _Failed(f"{self.command!r} exited with status {done.returncode}{detail}")
        value = first_number(done.stdout or "", self.divide)
        if value is None:
            printed = (done.stdout or "").strip()[:40]
            raise _Failed(f"{self.command!r} printed no number: {printed!r}")
        return value

    def _report(self, message: str) -> None:
        """Warn once per distinct problem; repeats go to the debug log."""
        kept = "" if self.value is None else f" (still showing {self.value})"
        level = logging.DEBUG if message == self._last_error else logging.WARNING
        log.log(level, "%s%s", message, kept)
        self._last_error = message


class _Failed(Exception):
    """One run of the command gave no value."""
