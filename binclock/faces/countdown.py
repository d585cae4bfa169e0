"""The countdown face: time left until a time of day, or of a duration; then it blinks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Self

from pydantic import BeforeValidator, Field, model_validator

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces import FaceOptions
from binclock.faces.stopwatch import BITS, SECOND, WRAP, Elapsed, span_grid, span_text

MINUTE = timedelta(minutes=1)
LONGEST = timedelta(hours=64)  # the 6-bit hours column shows up to 63:59:59
ALARM = "alarm"
DONE = "time's up"

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_UNITS = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_TIME_FORMS = "a time of day is HH:MM or HH:MM:SS, e.g. '07:30'"
_DURATION_FORMS = "a duration is seconds, '25m', '1h30m', '90s' or 'H:MM:SS'"


def _time_of_day(value: Any) -> Any:
    """A time of day from "7:00", "07:00" or "07:00:30"; TOML's own 07:00:00 is one already."""
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        if not match:
            raise ValueError(_TIME_FORMS)
        h, m, s = (int(g or 0) for g in match.groups())
        if h > 23 or m > 59 or s > 59:
            raise ValueError(_TIME_FORMS)
        return time(h, m, s)
    return value


def _duration(value: Any) -> Any:
    """Seconds (``1500``), units (``"25m"``, ``"1h30m"``, ``"90s"``) or ``"H:MM:SS"``."""
    try:
        return _parse_duration(value)
    except OverflowError:
        raise ValueError("that duration is too long for a clock (at most 63:59:59)") from None


def _parse_duration(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(_DURATION_FORMS)
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        clock = _CLOCK.fullmatch(text)
        if clock and clock.group(3) is not None:
            h, m, s = (int(g) for g in clock.groups())
            if m < 60 and s < 60:
                return timedelta(hours=h, minutes=m, seconds=s)
        units = _UNITS.fullmatch(text)
        if text and units:
            h, m, s = (int(g or 0) for g in units.groups())
            return timedelta(hours=h, minutes=m, seconds=s)
        raise ValueError(_DURATION_FORMS)
    return value


TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]


class CountdownOptions(FaceOptions):
    """``[faces.countdown]``: count to a time of day, or for a duration; set one of them."""

    target: TimeOfDay | None = Field(
        None, description="count down to this local time of day, every day, e.g. '07:30'"
    )
    duration: Duration | None = Field(
        None,
        description="count down for this long from the first second shown, e.g. '25m',"
        " '1h30m', '0:25:00' or seconds; under 64 hours",
    )
    blink: int = Field(
        60, ge=0, le=86399, description="seconds to blink all LEDs once the count reaches zero"
    )

    @model_validator(mode="after")
    def _one_goal(self) -> Self:
        if self.target is None and self.duration is None:
            raise ValueError("set target = 'HH:MM' (a time of day) or duration = '25m'")
        if self.target is not None and self.duration is not None:
            raise ValueError("set target or duration, not both")
        if self.duration is not None and not timedelta(0) < self.duration < LONGEST:
            raise ValueError("the duration must be more than 0 and under 64 hours")
        return self


class CountdownFace:
    """Hours, minutes and seconds left (6-bit H, M, S columns, as the binary face).

    With a ``target`` time of day it counts to its next occurrence, blinks for ``blink``
    seconds when it arrives, then counts to the next day's. With a ``duration`` the count
    starts at the first second the face is shown; time is counted as the stopwatch counts it
    (a jump of the clock is not counted); after the blink it shows zero. The blink
    alternates all LEDs on and off each second (group ``alarm``, for its own theme colour).
    Without seconds the minutes left are rounded up, so zero means the time has come.
    """

    name: ClassVar[str] = "countdown"
    description: ClassVar[str] = "time left to a time of day or of a duration, then a blink"
    Options: ClassVar[type[FaceOptions]] = CountdownOptions

    def __init__(
        self, options: CountdownOptions, *, hour12: bool = False, seconds: bool = True
    ) -> None:
        self.options = options
        self.seconds = seconds
        self.elapsed = Elapsed()

    def render(self, now: datetime) -> BitGrid:
        target, duration = self.options.target, self.options.duration
        if target is not None:
            left, since = _to_target(now, target, self.options.blink)
        else:
            left = (duration or timedelta(0)) - self.elapsed.update(now)
            since = -left
        if left > timedelta(0):
            unit = SECOND if self.seconds else MINUTE
            total = -(-left // unit) * (unit // SECOND)  # rounded up
            total = min(total, WRAP - unit // SECOND)  # 6-bit hours show at most 63:59:59
            return span_grid(total, self.seconds, f"{span_text(total, self.seconds)} left")
        if since >= timedelta(seconds=self.options.blink):
            return span_grid(0, self.seconds, DONE)
        lit = since // SECOND % 2 == 0
        labels = "HMS" if self.seconds else "HM"
        return BitGrid(tuple(BitColumn(ALARM, label, (lit,) * BITS) for label in labels), DONE)


def _to_target(now: datetime, target: time, blink: int) -> tuple[timedelta, timedelta]:
    """Time left to the next ``target`` and time since the last one; the time left is zero
    while the last one is less than ``blink`` seconds ago."""
    at = now.astimezone(UTC)
    days = (now.date() + timedelta(days=d) for d in (-1, 0, 1))
    moments = [datetime.combine(d, target, now.tzinfo).astimezone(UTC) for d in days]
    since = at - max(m for m in moments if m <= at)
    if since < timedelta(seconds=blink):
        return timedelta(0), since
    return min(m for m in moments if m > at) - at, since
