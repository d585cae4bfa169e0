"""Memory over time: the running clock holds no more after hours than after its first hour."""

from __future__ import annotations

import os
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binclock import config
from binclock.clock import ManualClock
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service

HOUR = 3600
SETTLED = 120  # seconds of tracing before the first reading


def held_after(tmp_path: Path, hours: int) -> int:
    """Run the jsonl clock (its lines dropped) on a fake clock for ``hours`` after a first
    hour of warm-up; the bytes allocated in those hours that are still held at the end.

    The warm-up fills the caches of a running clock (bit patterns, layouts) and of CPython
    (its method cache keeps up to 4096 of the "utcoffset" names datetime asks its zone by).
    """
    path = tmp_path / "config.toml"
    path.write_text('driver = "jsonl"\n')
    clock = ManualClock(datetime(2026, 10, 24, 23, 0, 0, 300000, ZoneInfo("Europe/London")))
    start = int(clock.time())
    held: list[int] = []

    def sleep(seconds: float) -> None:
        clock.step(max(seconds, 0.0))  # a ManualClock's sleep would keep every sleep
        elapsed = int(clock.time()) - start
        if elapsed == HOUR:
            tracemalloc.start()
        # Whole hours apart, so the minute of frames rendered ahead is traced both times.
        if elapsed in (HOUR + SETTLED, (hours + 1) * HOUR + SETTLED):
            held.append(tracemalloc.get_traced_memory()[0])

    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=sleep,
        notifier=Notifier({}),
        environ={},
    )
    try:
        service.run(frames=(hours + 1) * HOUR + SETTLED + 1)
    finally:
        tracemalloc.stop()
    before, after = held
    return after - before


@pytest.fixture
def dropped_stdout(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with Path(os.devnull).open("w") as devnull:
        monkeypatch.setattr(sys, "stdout", devnull)
        yield


def test_hours_of_seconds_leave_nothing_behind(tmp_path, dropped_stdout):
    # Two hours across the autumn change to GMT: less than a byte kept per second shown.
    assert held_after(tmp_path, hours=2) < 2 * HOUR
