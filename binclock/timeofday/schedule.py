"""Night dimming: brightness by time of day, from the ``[[schedule]]`` tables. Pure.

Each range runs from ``from`` (inclusive) to ``to`` (exclusive) on the local wall clock and
may cross midnight. A time is ``"HH:MM"`` or relative to the sun (``"sunset-30m"``), which
the clock's place (``[clock]`` latitude and longitude, or city) turns into a wall-clock time
for each day. ``days`` limits a range to some weekdays; a range that crosses midnight
belongs to the day it starts. Its ``brightness`` multiplies ``display.brightness``;
``off = true`` darkens the display. Outside every range the factor is 1.

Ranges with fixed times may touch but not overlap, so every minute of the week has exactly
one brightness. Ranges with sun times move through the year; where one overlaps another
on some day, the earlier table in the file wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from binclock.timeofday import sun
from binclock.timeofday.sun import MINUTES_PER_DAY, Place, SunTime, wall

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The day whose sun times decide whether a range with them runs across midnight: near the
# March equinox, when day and night are about as long everywhere.
EQUINOX = date(2024, 3, 20)

_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TIME_HINT = (
    'expected a time of day as "HH:MM" from 00:00 to 23:59 (midnight is 00:00)'
    ' or a sun time such as "sunset-30m"'
)
_DAYS_HINT = (
    'expected weekdays such as "mon-fri", "sat,sun" or "mon-wed,fri"'
    " (mon, tue, wed, thu, fri, sat, sun)"
)


def _moment(value: Any) -> time | SunTime:
    """``"HH:MM"``, a TOML local time on a whole minute, or a sun time."""
    if isinstance(value, SunTime):
        return value
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise ValueError(_TIME_HINT)
        return value
    if isinstance(value, str):
        match = _HH_MM.fullmatch(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
        found = sun.parse(value)
        if found is not None:
            return found
    raise ValueError(_TIME_HINT)


def _written(value: time | SunTime) -> str:
    return str(value) if isinstance(value, SunTime) else f"{value:%H:%M}"


Moment = Annotated[
    time | SunTime,
    PlainValidator(_moment),
    PlainSerializer(_written, return_type=str),
    WithJsonSchema({"type": "string"}),
]


@lru_cache(maxsize=64)
def weekdays(text: str) -> frozenset[int]:
    """The weekdays (0 is Monday) that ``"mon-wed,fri"`` names; a range may wrap
    (``"fri-mon"``). ValueError when it names none or something else."""
    found: set[int] = set()
    for part in text.lower().split(","):
        first, dash, last = (word.strip() for word in part.partition("-"))
        if first not in WEEKDAYS or (dash and last not in WEEKDAYS):
            raise ValueError(_DAYS_HINT)
        start = WEEKDAYS.index(first)
        end = WEEKDAYS.index(last) if dash else start
        found.update((start + n) % 7 for n in range((end - start) % 7 + 1))
    return frozenset(found)


class ScheduleEntry(BaseModel):
    """One ``[[schedule]]`` table: a brightness (or off) for a range of the day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Moment = Field(
        alias="from",
        description='start of the range (included): "HH:MM" local time, or a sun time'
        ' such as "sunset-30m" (dawn, sunrise, noon, sunset, dusk; needs the clock\'s place)',
    )
    end: Moment = Field(
        alias="to",
        description='end of the range (excluded): "HH:MM" or a sun time such as "sunrise+1h";'
        " may be after midnight",
    )
    brightness: float | None = Field(
        None, ge=0.0, le=1.0, description="factor applied to display.brightness in the range, 0-1"
    )
    off: bool = Field(False, description="turn the display dark in the range instead of dimming")
    days: str | None = Field(
        None,
        description='weekdays the range starts on, such as "mon-fri", "sat,sun" or'
        ' "mon-wed,fri"; unset: every day',
    )

    @field_validator("days")
    @classmethod
    def _known_days(cls, value: str | None) -> str | None:
        if value is not None:
            weekdays(value)
            return value.strip().lower()
        return value

    @model_validator(mode="after")
    def _check(self) -> ScheduleEntry:
        if self.start == self.end:
            raise ValueError(
                f"from and to are both {_written(self.start)}, so the range is empty"
                " (to change the brightness all day, set display.brightness)"
            )
        if self.off and self.brightness is not None:
            raise ValueError("give either brightness or off = true, not both")
        if not self.off and self.brightness is None:
            raise ValueError("give a brightness (0-1) or off = true")
        return self

    @property
    def level(self) -> float:
        """The brightness factor inside this range (0 when off)."""
        return 0.0 if self.off or self.brightness is None else self.brightness

    @property
    def uses_sun(self) -> bool:
        """Whether ``from`` or ``to`` is a sun time."""
        return isinstance(self.start, SunTime) or isinstance(self.end, SunTime)

    def on(self, day: date) -> bool:
        """Whether the range starts on ``day`` (its weekday is in ``days``)."""
        return self.days is None or day.weekday() in weekdays(self.days)

    def times(self) -> tuple[tuple[str, time | SunTime], ...]:
        """Each key holding a time, with its value (for the check that sun times have a place)."""
        return (("from", self.start), ("to", self.end))

    def __str__(self) -> str:
        times = f"{_written(self.start)}-{_written(self.end)}"
        return times if self.days is None else f"{times} {self.days}"


def minute_of(value: time | SunTime, events: dict[str, int] | None) -> int:
    if isinstance(value, SunTime):
        assert events is not None  # a schedule with sun times has a place
        return value.at(events)
    return value.hour * 60 + value.minute


def _week_spans(entry: ScheduleEntry) -> list[tuple[int, int]]:
    """The minutes of the week a fixed-time ``entry`` covers, as half-open spans."""
    start, end = minute_of(entry.start, None), minute_of(entry.end, None)
    if end <= start:
        end += MINUTES_PER_DAY
    spans = []
    for day in sorted(weekdays(entry.days or "mon-sun")):
        first, last = day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end
        spans.append((first, min(last, MINUTES_PER_WEEK)))
        if last > MINUTES_PER_WEEK:  # Sunday night into Monday
            spans.append((0, last - MINUTES_PER_WEEK))
    return spans


def _no_overlaps(entries: tuple[ScheduleEntry, ...]) -> tuple[ScheduleEntry, ...]:
    fixed = (entry for entry in entries if not entry.uses_sun)
    spans = sorted(
        ((span, entry) for entry in fixed for span in _week_spans(entry)), key=lambda p: p[0]
    )
    for (prev, a), (span, b) in pairwise(spans):
        if span[0] < prev[1]:
            raise ValueError(
                f"the ranges {a} and {b} overlap; give each minute of the day one brightness"
            )
    return entries


def placed(entries: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
    """Sun times need the clock's place; the error names the first key that has one.
    Each entry says which of its keys hold times (``times()``)."""
    clock = (info.data or {}).get("clock")
    if clock is None or clock.place() is not None:
        return entries
    for index, entry in enumerate(entries):
        for key, value in entry.times():
            if isinstance(value, SunTime):
                raise ValidationError.from_exception_data(
                    info.field_name or "entries",
                    [
                        {
                            "type": "value_error",
                            "loc": (index, key),
                            "input": str(value),
                            "ctx": {
                                "error": "a sun time needs the clock's place: set"
                                " clock.latitude and clock.longitude, or clock.city"
                            },
                        }
                    ],
                )
    return entries


Schedule = Annotated[
    tuple[ScheduleEntry, ...], AfterValidator(_no_overlaps), AfterValidator(placed)
]
"""The ``[[schedule]]`` array: ranges that do not overlap, with a place if they need one
(a field type for the config; the place comes from the ``clock`` field before it)."""


@dataclass(frozen=True)
class Span:
    """A range as it falls on one day: minutes from that day's midnight (``end`` past 1440
    when it runs into the next day)."""

    entry: ScheduleEntry
    start: int
    end: int

    def __str__(self) -> str:
        return f"{wall(self.start)}-{wall(self.end % MINUTES_PER_DAY)}"


class Timetable:
    """The schedule at a place and in a zone, resolved into spans once per day.

    The clock asks it about every second, so each day's sun sums are kept, not redone.
    """

    _KEPT_DAYS = 16  # more than the days next_change looks at
    _AHEAD_DAYS = 8  # a week, for a range on one weekday, and the night after it

    def __init__(
        self,
        entries: Sequence[ScheduleEntry],
        place: Place | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        self.entries = tuple(entries)
        self.place = place
        self.tz = tz or ZoneInfo("UTC")
        if place is None and any(entry.uses_sun for entry in self.entries):
            raise ValueError("a schedule with sun times needs the clock's place")
        self._sunny = place is not None and any(entry.uses_sun for entry in self.entries)
        self._days: dict[date, tuple[Span | None, ...]] = {}
        self._suns: dict[date, dict[str, int]] = {}
        equinox = self._events(EQUINOX)
        self._crosses = tuple(
            minute_of(e.end, equinox) <= minute_of(e.start, equinox) for e in self.entries
        )

    def __bool__(self) -> bool:
        return bool(self.entries)

    def _events(self, day: date) -> dict[str, int] | None:
        if not self._sunny or self.place is None:
            return None
        found = self._suns.get(day)
        if found is None:
            found = self._suns[day] = self.place.events(day, self.tz)
        return found

    def spans(self, day: date) -> tuple[Span | None, ...]:
        """Each entry's span starting on ``day`` (None: not that day, or empty that day)."""
        found = self._days.get(day)
        if found is None:
            if len(self._days) >= self._KEPT_DAYS:
                self._days.clear()
                self._suns.clear()
            found = self._days[day] = self._resolve(day)
        return found

    def _resolve(self, day: date) -> tuple[Span | None, ...]:
        today = self._events(day)
        tomorrow = self._events(day + timedelta(days=1))
        spans: list[Span | None] = []
        for entry, crosses in zip(self.entries, self._crosses, strict=True):
            start = minute_of(entry.start, today)
            if crosses:
                end = MINUTES_PER_DAY + minute_of(entry.end, tomorrow)
            else:
                end = minute_of(entry.end, today)
            spans.append(Span(entry, start, end) if entry.on(day) and start < end else None)
        return tuple(spans)

    def in_force(self, when: datetime) -> Span | None:
        """The span covering the wall-clock time of ``when``; the earlier entry wins."""
        day = when.date()
        minute = when.hour * 60 + when.minute
        today, yesterday = self.spans(day), self.spans(day - timedelta(days=1))
        for ours, before in zip(today, yesterday, strict=True):
            if ours is not None and ours.start <= minute < ours.end:
                return ours
            if before is not None and minute < before.end - MINUTES_PER_DAY:
                return before
        return None

    def active(self, when: datetime) -> ScheduleEntry | None:
        """The entry in force at the wall-clock time of ``when``, if any."""
        span = self.in_force(when)
        return None if span is None else span.entry

    def brightness_at(self, when: datetime) -> float:
        """The brightness factor (0-1) at the wall-clock time of ``when``; 1 outside."""
        span = self.in_force(when)
        return 1.0 if span is None else span.entry.level

    def next_change(self, after: datetime) -> datetime | None:
        """The first moment strictly after ``after`` when the factor changes; None if it
        does not within a week (ranges with sun times may be empty for a season).

        ``after`` must be aware; the answer is in its zone. Across a DST change the
        boundary follows the wall clock: a boundary inside the skipped hour takes effect
        when the clocks jump, and one inside the repeated hour happens twice.
        """
        if after.tzinfo is None:
            raise ValueError("next_change needs a datetime with its time zone")
        if not self.entries:
            return None
        tz = after.tzinfo
        now = after.timestamp()
        current = self.brightness_at(after)
        instants = set(_instants(self._boundaries(after.date()), tz))
        candidates = sorted(c for c in instants if c > now)
        for instant in candidates:
            moment = datetime.fromtimestamp(instant, tz)
            if self.brightness_at(moment) != current:
                return moment
        return None

    def _boundaries(self, around: date) -> set[datetime]:
        """The wall-clock starts and ends of every span from the day before ``around`` to
        a week after it (naive)."""
        found: set[datetime] = set()
        for days in range(-1, self._AHEAD_DAYS + 1):
            day = around + timedelta(days=days)
            midnight = datetime.combine(day, time())
            for span in self.spans(day):
                if span is not None:
                    found.add(midnight + timedelta(minutes=span.start))
                    found.add(midnight + timedelta(minutes=span.end))
        return found

    def summary(self, when: datetime) -> str:
        """The brightness at ``when`` and until when it lasts, for the log."""
        level = self.brightness_at(when)
        state = (
            "display off"
            if level == 0
            else "normal brightness"
            if level == 1
            else f"brightness {level * 100:g}% of normal"
        )
        span = self.in_force(when)
        if span is not None:
            times = f" at {span}" if span.entry.uses_sun else ""
            state += f" (schedule {span.entry}{times})"
        change = self.next_change(when) if when.tzinfo is not None else None
        if change is None:
            return state
        # A time alone is the next one to come; a change a day or more away (a range on
        # some weekdays) needs its day too.
        until = "%H:%M" if change - when < timedelta(days=1) else "%a %H:%M"
        return f"{state} until {change:{until}}"

    def today(self, day: date) -> list[str]:
        """Each entry and the times it has on ``day``, a line each (for check-config)."""
        lines = []
        for entry, span in zip(self.entries, self.spans(day), strict=True):
            if span is not None:
                lines.append(f"{entry}: {span}")
            elif entry.on(day):
                lines.append(f"{entry}: empty today")
            else:
                lines.append(f"{entry}: not today")
        return lines


def describe(span: Span) -> str:
    """The entry of ``span``, with the times it has that day when they move with the sun."""
    return f"{span.entry} ({span})" if span.entry.uses_sun else str(span.entry)


def _instants(boundaries: set[datetime], tz: tzinfo) -> Iterator[float]:
    """Every instant where the wall clock reaches a boundary or jumps over one.

    The factor depends only on the wall-clock time, so it can change only at these instants.
    """
    for naive in boundaries:
        first = naive.replace(tzinfo=tz, fold=0).timestamp()
        second = naive.replace(tzinfo=tz, fold=1).timestamp()
        yield first
        if first != second:
            # The boundary is skipped or repeated by a DST change: the wall clock also
            # jumps at the offset change between the two readings.
            yield second
            yield offset_change(min(first, second), max(first, second), tz)


def offset_change(lo: float, hi: float, tz: tzinfo) -> float:
    """The first whole second in ``(lo, hi]`` with another UTC offset than ``lo``'s."""
    before = datetime.fromtimestamp(lo, tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


# -- for a schedule of fixed times, without building a timetable first -----------------------


def _table(schedule: Timetable | Sequence[ScheduleEntry]) -> Timetable:
    return schedule if isinstance(schedule, Timetable) else Timetable(schedule)


def active(schedule: Timetable | Sequence[ScheduleEntry], when: datetime) -> ScheduleEntry | None:
    """The range covering the local wall-clock time of ``when``, if any."""
    return _table(schedule).active(when)


def brightness_at(schedule: Timetable | Sequence[ScheduleEntry], when: datetime) -> float:
    """The brightness factor (0-1) at the local wall-clock time of ``when``; 1 outside ranges."""
    return _table(schedule).brightness_at(when)


def next_change(schedule: Timetable | Sequence[ScheduleEntry], after: datetime) -> datetime | None:
    """The first moment strictly after ``after`` when the factor changes (see Timetable)."""
    return _table(schedule).next_change(after)


def summary(schedule: Timetable | Sequence[ScheduleEntry], when: datetime) -> str:
    """The brightness at ``when`` and until when it lasts, for the log."""
    return _table(schedule).summary(when)
