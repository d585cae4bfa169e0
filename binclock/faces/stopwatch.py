"""The stopwatch face: time elapsed since it was first shown, as hours, minutes and seconds.

Also home of the two pieces the countdown shares: counting elapsed time from the ``now``
values a face is shown at (faces never read the clock), and drawing a span of time as
6-bit H, M, S columns like the binary face.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces import FaceOptions

BITS = 6
WRAP = 64 * 3600  # 6-bit hours: the stopwatch rolls over to zero after 63:59:59
MAX_STEP = timedelta(seconds=60)
SECOND = timedelta(seconds=1)


class Elapsed:
    """Time gone by between the moments a face was shown, starting at the first one.

    A jump of the wall clock between two renders (back, or forward by more than
    ``MAX_STEP``) is not counted: that is the clock being set, as when NTP corrects
    a Raspberry Pi that booted without a real-time clock, not time passing. It also means
    a face that is not rendered for over a minute does not count that minute.
    """

    def __init__(self) -> None:
        self.total = timedelta(0)
        self.last: datetime | None = None

    def update(self, now: datetime) -> timedelta:
        """Count the time since the previous call and return the total so far."""
        if self.last is not None:
            step = _utc(now) - _utc(self.last)
            if timedelta(0) < step <= MAX_STEP:
                self.total += step
        self.last = now
        return self.total


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo subtract as wall times, which is wrong across DST;
    # a naive one is taken as the system's local time.
    return moment.astimezone(UTC)


def hms(total: int) -> tuple[int, int, int]:
    """Whole seconds as (hours, minutes, seconds)."""
    minutes, seconds = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    return hours, minutes, seconds


def span_grid(total: int, seconds: bool, caption: str, group: str | None = None) -> BitGrid:
    """``total`` seconds (under 64 hours) as H, M and optionally S columns of 6 bits.

    Without seconds, ``total`` is shown as whole minutes (the caller rounds). The columns
    take the time faces' groups (hours, minutes, seconds) unless ``group`` names one for all.
    """
    h, m, s = hms(total)
    fields = [("hours", "H", h), ("minutes", "M", m)] + ([("seconds", "S", s)] if seconds else [])
    return BitGrid(
        tuple(BitColumn.of(group or g, label, v, BITS) for g, label, v in fields), caption
    )


def span_text(total: int, seconds: bool) -> str:
    """``total`` seconds as people write a span: "01:02:03", or "01:02" without seconds."""
    h, m, s = hms(total)
    return f"{h:02d}:{m:02d}:{s:02d}" if seconds else f"{h:02d}:{m:02d}"


class StopwatchFace:
    """Counts up from 00:00:00 at the first second it is shown (see ``Elapsed``)."""

    name: ClassVar[str] = "stopwatch"
    description: ClassVar[str] = "time since it started, columns H, M, S of 6 bits"
    Options: ClassVar[type[FaceOptions]] = FaceOptions

    def __init__(
        self, options: FaceOptions | None = None, *, hour12: bool = False, seconds: bool = True
    ) -> None:
        self.seconds = seconds
        self.elapsed = Elapsed()

    def render(self, now: datetime) -> BitGrid:
        total = self.elapsed.update(now) // SECOND % WRAP
        if not self.seconds:
            total -= total % 60
        return span_grid(total, self.seconds, span_text(total, self.seconds))
