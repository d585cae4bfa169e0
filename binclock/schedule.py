"""Night dimming: brightness by time of day, from the ``[[schedule]]`` tables. Pure.

Each range runs from ``from`` (inclusive) to ``to`` (exclusive) on the local wall clock and
may cross midnight. Its ``brightness`` multiplies ``display.brightness``; ``off = true``
darkens the display. Outside every range the factor is 1. Ranges may touch but not overlap,
so every minute of the day has exactly one brightness.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_serializer,
    model_validator,
)

MINUTES_PER_DAY = 24 * 60

_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TIME_HINT = 'expected a time of day as "HH:MM" from 00:00 to 23:59 (midnight is 00:00)'


def _time_of_day(value: Any) -> Any:
    """``"HH:MM"`` (or a TOML local time on a whole minute) as a ``datetime.time``."""
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise ValueError(_TIME_HINT)
        return value
    if isinstance(value, str):
        match = _HH_MM.fullmatch(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise ValueError(_TIME_HINT)


TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]


class ScheduleEntry(BaseModel):
    """One ``[[schedule]]`` table: a brightness (or off) for a range of the day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: TimeOfDay = Field(
        alias="from", description='start of the range, "HH:MM" local time (included)'
    )
    end: TimeOfDay = Field(
        alias="to",
        description='end of the range, "HH:MM" local time (excluded); may be after midnight',
    )
    brightness: float | None = Field(
        None, ge=0.0, le=1.0, description="factor applied to display.brightness in the range, 0-1"
    )
    off: bool = Field(False, description="turn the display dark in the range instead of dimming")

    @model_validator(mode="after")
    def _check(self) -> ScheduleEntry:
        if self.start == self.end:
            raise ValueError(
                f"from and to are both {self.start:%H:%M}, so the range is empty"
                " (to change the brightness all day, set display.brightness)"
            )
        if self.off and self.brightness is not None:
            raise ValueError("give either brightness or off = true, not both")
        if not self.off and self.brightness is None:
            raise ValueError("give a brightness (0-1) or off = true")
        return self

    @field_serializer("start", "end")
    def _hh_mm(self, value: time) -> str:
        return f"{value:%H:%M}"

    @property
    def level(self) -> float:
        """The brightness factor inside this range (0 when off)."""
        return 0.0 if self.off or self.brightness is None else self.brightness

    def covers(self, wall: time) -> bool:
        """Whether the local wall-clock time ``wall`` falls in this range."""
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _spans(entry: ScheduleEntry) -> list[tuple[int, int]]:
    """The minutes of the day ``entry`` covers, as half-open spans split at midnight."""
    start = entry.start.hour * 60 + entry.start.minute
    end = entry.end.hour * 60 + entry.end.minute
    if start < end:
        return [(start, end)]
    return [(start, MINUTES_PER_DAY)] + ([(0, end)] if end else [])


def _no_overlaps(entries: tuple[ScheduleEntry, ...]) -> tuple[ScheduleEntry, ...]:
    spans = sorted(
        ((span, entry) for entry in entries for span in _spans(entry)), key=lambda pair: pair[0]
    )
    for (prev, a), (span, b) in pairwise(spans):
        if span[0] < prev[1]:
            raise ValueError(
                f"the ranges {a} and {b} overlap; give each minute of the day one brightness"
            )
    return entries


Schedule = Annotated[tuple[ScheduleEntry, ...], AfterValidator(_no_overlaps)]
"""The ``[[schedule]]`` array: ranges that do not overlap (a field type for the config)."""


def active(schedule: Sequence[ScheduleEntry], when: datetime | time) -> ScheduleEntry | None:
    """The range covering the local wall-clock time of ``when``, if any."""
    wall = when.time() if isinstance(when, datetime) else when
    return next((entry for entry in schedule if entry.covers(wall)), None)


def brightness_at(schedule: Sequence[ScheduleEntry], when: datetime | time) -> float:
    """The brightness factor (0-1) at the local wall-clock time of ``when``; 1 outside ranges."""
    entry = active(schedule, when)
    return 1.0 if entry is None else entry.level


def next_change(schedule: Sequence[ScheduleEntry], after: datetime) -> datetime | None:
    """The first moment strictly after ``after`` when the factor changes; None if it never does.

    ``after`` must be aware; the answer is in its zone. Across a DST change the boundary
    follows the wall clock: a boundary inside the skipped hour takes effect when the clocks
    jump, and one inside the repeated hour happens twice.
    """
    if after.tzinfo is None:
        raise ValueError("next_change needs a datetime with its time zone")
    if not schedule:
        return None
    tz = after.tzinfo
    now = after.timestamp()
    current = brightness_at(schedule, after)
    boundaries = {t for entry in schedule for t in (entry.start, entry.end)}
    candidates = sorted(c for c in set(_instants(boundaries, after.date(), tz)) if c > now)
    for instant in candidates:
        moment = datetime.fromtimestamp(instant, tz)
        if brightness_at(schedule, moment) != current:
            return moment
    return None


def _instants(boundaries: set[time], around: date, tz: tzinfo) -> Iterator[float]:
    """Every instant near ``around`` where the wall clock reaches a boundary or jumps over one.

    The factor depends only on the wall-clock time, so it can change only at these instants.
    """
    for days in range(-1, 3):
        day = around + timedelta(days=days)
        for boundary in boundaries:
            naive = datetime.combine(day, boundary)
            first = naive.replace(tzinfo=tz, fold=0).timestamp()
            second = naive.replace(tzinfo=tz, fold=1).timestamp()
            yield first
            if first != second:
                # The boundary is skipped or repeated by a DST change: the wall clock also
                # jumps at the offset change between the two readings.
                yield second
                yield _offset_change(min(first, second), max(first, second), tz)


def _offset_change(lo: float, hi: float, tz: tzinfo) -> float:
    """The first whole second in ``(lo, hi]`` with another UTC offset than ``lo``'s."""
    before = datetime.fromtimestamp(lo, tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def summary(schedule: Sequence[ScheduleEntry], when: datetime) -> str:
    """The brightness at ``when`` and until when it lasts, for the log."""
    level = brightness_at(schedule, when)
    state = (
        "display off"
        if level == 0
        else "normal brightness"
        if level == 1
        else f"brightness {level * 100:g}% of normal"
    )
    entry = active(schedule, when)
    if entry is not None:
        state += f" (schedule {entry})"
    change = next_change(schedule, when) if when.tzinfo is not None else None
    return state if change is None else f"{state} until {change:%H:%M}"
