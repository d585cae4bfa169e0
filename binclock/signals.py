"""Signals as messages: handlers only note them, and a pending signal cuts a sleep short."""

from __future__ import annotations

import contextlib
import select
import signal
import socket
from types import FrameType, TracebackType

WATCHED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class SignalInbox:
    """Collects SIGTERM, SIGINT and SIGHUP while installed (main thread only).

    ``sleep`` waits on a self-pipe that ``signal.set_wakeup_fd`` writes to, so the
    service wakes at once for a signal but never runs its own code inside a handler.
    """

    def __init__(self, signals: tuple[signal.Signals, ...] = WATCHED) -> None:
        self.signals = signals
        self.pending: list[signal.Signals] = []
        self._reader, self._writer = socket.socketpair()
        for s in (self._reader, self._writer):
            s.setblocking(False)
        self._previous: dict[signal.Signals, object] = {}
        self._previous_fd = -1

    def __enter__(self) -> SignalInbox:
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for s in self.signals:
            self._previous[s] = signal.signal(s, self._note)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)  # type: ignore[arg-type]
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()

    def _note(self, signum: int, _frame: FrameType | None) -> None:
        self.pending.append(signal.Signals(signum))

    def sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``; return early when a signal arrives."""
        if self.pending:
            return
        if seconds > 0:
            select.select([self._reader], [], [], seconds)
        with contextlib.suppress(BlockingIOError):
            while self._reader.recv(64):
                pass

    def take(self) -> list[signal.Signals]:
        """The signals received since the last call, oldest first."""
        taken = []
        while self.pending:
            taken.append(self.pending.pop(0))  # pop is atomic: a signal noted meanwhile stays
        return taken
