"""Shared fixtures: a fake display, a clock the test moves, and frame decoding."""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from binclock.clock import ManualClock
from binclock.drivers.fake import FakeDriver
from binclock.frame import BLACK, Frame

UTC = ZoneInfo("UTC")


@pytest.fixture
def fake() -> FakeDriver:
    return FakeDriver()


@pytest.fixture
def clock() -> ManualClock:
    """A clock at 2026-03-14 13:37:41.250 UTC that moves only when slept or stepped."""
    return ManualClock(datetime(2026, 3, 14, 13, 37, 41, 250000, tzinfo=UTC))


def column_values(frame: Frame, xs: Sequence[int] | None = None) -> list[int]:
    """Read each pixel column as a binary number, top row most significant; lit = not black."""
    values = []
    for x in xs if xs is not None else range(frame.width):
        n = 0
        for y in range(frame.height):
            n = n << 1 | (frame.pixel(x, y) != BLACK)
        values.append(n)
    return values


def decode_binary(frame: Frame) -> tuple[int, ...]:
    """(hours, minutes, seconds) from a frame of the binary face in its natural layout."""
    return tuple(column_values(frame))


def decode_bcd(frame: Frame) -> tuple[int, ...]:
    """(hours, minutes, seconds) from a frame of the BCD face in its natural layout."""
    digits = column_values(frame)
    return tuple(10 * digits[i] + digits[i + 1] for i in range(0, len(digits), 2))


def send(sig: signal.Signals) -> None:
    """Signal the main thread, where the service runs (other threads may linger in tests)."""
    signal.pthread_kill(threading.main_thread().ident, sig)  # type: ignore[arg-type]
