"""The run loop: one frame per wall-clock second until a signal says stop."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType

from binclock.clock import Clock
from binclock.driver import Driver
from binclock.pipeline import Pipeline
from binclock.ticker import Ticker


class Stopped(Exception):
    """SIGTERM or SIGINT arrived."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into Stopped while the clock runs."""
    previous = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run(pipeline: Pipeline, driver: Driver, clock: Clock, frames: int | None = None) -> None:
    """Show the time at each second boundary (``frames`` of them, or until stopped)."""
    ticker = Ticker(clock)
    shown = 0
    while frames is None or shown < frames:
        second = ticker.wait()
        driver.show(pipeline.render(datetime.fromtimestamp(second, clock.tz)))
        shown += 1
