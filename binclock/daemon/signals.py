"""Signals as messages: blocked while the clock runs, collected when it is ready for them.

The service sleeps in ``sigtimedwait``, which returns at once when SIGTERM, SIGINT, SIGHUP
or SIGUSR1 (sent by the control API's threads when a change waits) arrives, and otherwise
wakes at its deadline with the timer's usual 50 µs slack. (A ``select`` sleep would let the
kernel add 0.1% of the timeout: a millisecond late every second.) No handler runs in the
middle of a frame.

What ``sigtimedwait`` returns is checked: when the wait is interrupted (the process was
stopped and continued, or a handler such as SIGWINCH's ran) and its deadline has passed by
then, CPython hands back a struct that the kernel never filled in. A number that is not one
of the watched signals is such garbage: it counts as a sleep that ended early, and the
kernel is asked again without waiting.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType
from typing import Any

# SIGUSR1 is the control API's wake-up: a change is waiting for the loop.
WATCHED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1)

Wait = Callable[[Iterable[int], float], Any]  # signal.sigtimedwait: a struct_siginfo or None


class SignalInbox:
    """Holds SIGTERM, SIGINT, SIGHUP and SIGUSR1 for the service while installed (main thread).

    The signals are blocked, so threads started afterwards (a driver's worker) leave them
    to this thread too; handlers that only take note cover a signal that still lands on a
    thread started earlier.
    """

    def __init__(
        self, signals: tuple[signal.Signals, ...] = WATCHED, wait: Wait = signal.sigtimedwait
    ) -> None:
        self.signals = signals
        self._wait = wait
        self.pending: list[signal.Signals] = []
        self._previous: dict[signal.Signals, object] = {}
        self._mask: set[signal.Signals] | None = None
        self._slept_out = False

    def open(self) -> None:
        """Start holding the signals (before any driver starts a thread of its own)."""
        if self._mask is not None:
            return
        for s in self.signals:
            self._previous[s] = signal.signal(s, self._note)
        self._mask = signal.pthread_sigmask(signal.SIG_BLOCK, self.signals)

    def close(self) -> None:
        """Give the signals back to their previous handlers."""
        if self._mask is None:
            return
        self.take()
        signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
        self._mask = None
        for s, handler in self._previous.items():
            signal.signal(s, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def __enter__(self) -> SignalInbox:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        self.pending.append(signal.Signals(signum))

    def holding(self) -> bool:
        """True while the signals are held here (between ``open`` and ``close``)."""
        return self._mask is not None

    def received(self) -> bool:
        """True when a signal has been collected and not yet taken (no system call)."""
        return bool(self.pending)

    def waiting(self) -> bool:
        """True when a signal is waiting to be taken.

        Right after a sleep that ran to its deadline the kernel is not asked again: nothing
        was waiting then, and a signal that arrives since will end the next sleep at once.
        """
        if self.pending:
            return True
        if self._slept_out:
            self._slept_out = False
            return False
        return self.collect()

    def collect(self) -> bool:
        """Move the signals waiting in the kernel to the inbox; True when it holds any."""
        while (info := self._wait(self.signals, 0)) is not None and self._file(info):
            pass
        return bool(self.pending)

    def sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``; return early when a signal arrives or is waiting."""
        if self.pending or seconds <= 0:
            return
        info = self._wait(self.signals, seconds)
        if info is None:
            self._slept_out = True
        elif not self._file(info):
            self.collect()  # an interrupted wait took nothing: look again, without waiting

    def _file(self, info: Any) -> bool:
        """Put the signal ``info`` names in the inbox; False when it names none watched."""
        if info.si_signo not in self.signals:
            return False
        self.pending.append(signal.Signals(info.si_signo))
        return True

    def take(self) -> list[signal.Signals]:
        """The signals received since the last call, oldest first."""
        self.collect()
        taken = []
        while self.pending:
            taken.append(self.pending.pop(0))  # pop is atomic: a signal noted meanwhile stays
        return taken


def release() -> None:
    """Give the watched signals their usual effect again, for a command that does not
    run the clock (one that came meanwhile acts now): ``python -m binclock`` holds them from
    its first line."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, WATCHED)
