"""The beat: wakes at each wall-clock second boundary, whatever the clock does meanwhile."""

from __future__ import annotations

import math
from collections.abc import Callable

from binclock.clock import Clock


class Ticker:
    """Yields each new wall-clock second once, as soon as it begins.

    After every wake the second is recomputed from the wall clock, so a step forward or
    back is followed at once, no second is shown twice in a row, and the wait is always
    until the next boundary (never a busy loop, never a free-running ``sleep(1)``).
    ``sleep`` defaults to the clock's; ``interrupted`` lets a pending signal end a wait.
    """

    def __init__(
        self,
        clock: Clock,
        sleep: Callable[[float], None] | None = None,
        interrupted: Callable[[], bool] = lambda: False,
    ) -> None:
        self.clock = clock
        self.sleep = sleep or clock.sleep
        self.interrupted = interrupted
        self.last: int | None = None

    def wait(self) -> int | None:
        """Block until a second other than the last one has begun and return it;
        None when interrupted first."""
        while True:
            now = self.clock.time()
            second = math.floor(now)
            if second != self.last:
                self.last = second
                return second
            if self.interrupted():
                return None
            self.sleep(second + 1 - now)
