"""Sun times for the schedule: dawn, sunrise, noon, sunset and dusk on a day, at a place.

The sums are astral's, imported only when a schedule names the sun. Each time is a minute
of the local day, 0 (midnight at its start) to 1440 (midnight at its end). Where the sun
does not cross a horizon that day, the time falls back so the day's order still holds:

- the sun stays above it all day (polar day for sunrise and sunset; white nights for dawn
  and dusk): dawn and sunrise are 0, sunset and dusk are 1440;
- the sun stays below it all day (polar night): the time is solar noon, so the day lasts
  no time at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

MINUTES_PER_DAY = 24 * 60
EVENTS = ("dawn", "sunrise", "noon", "sunset", "dusk")
MORNING = ("dawn", "sunrise")
# The sun's centre below the horizon at each event, in degrees: the upper limb on the
# horizon seen through the atmosphere (sunrise, sunset), or civil twilight (dawn, dusk).
_DEPTH = {"dawn": 6.0, "sunrise": 0.833, "sunset": 0.833, "dusk": 6.0}
MAX_OFFSET = MINUTES_PER_DAY - 1

_SUN_TIME = re.compile(
    r"(?P<event>[a-z]+)\s*(?:(?P<sign>[+-])\s*(?:(?P<h>\d{1,2})h)?\s*(?:(?P<m>\d{1,4})m)?)?"
)
SUN_TIME_HINT = (
    "a sun time is dawn, sunrise, noon, sunset or dusk, with an offset such as"
    ' "sunset-30m", "dawn+15m" or "sunrise+1h30m"'
)


@dataclass(frozen=True)
class SunTime:
    """A schedule time relative to the sun: an event and an offset in minutes."""

    event: str
    offset: int = 0

    def __str__(self) -> str:
        if not self.offset:
            return self.event
        hours, minutes = divmod(abs(self.offset), 60)
        text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
        return f"{self.event}{'+' if self.offset > 0 else '-'}{text}"

    def at(self, events: dict[str, int]) -> int:
        """The minute of the day this time falls on, given the day's ``events``; an offset
        that would leave the day is held at its edge (0 or 1440)."""
        return min(max(events[self.event] + self.offset, 0), MINUTES_PER_DAY)


def parse(text: str) -> SunTime | None:
    """``text`` as a sun time; None when it does not start with a letter (so it is no
    sun time at all); ValueError when it starts like one but is not."""
    words = text.strip().lower()
    if not words[:1].isalpha():
        return None
    match = _SUN_TIME.fullmatch(words)
    if not match or match["event"] not in EVENTS:
        raise ValueError(SUN_TIME_HINT)
    if match["sign"] and not (match["h"] or match["m"]):
        raise ValueError(SUN_TIME_HINT)
    offset = int(match["h"] or 0) * 60 + int(match["m"] or 0)
    if offset > MAX_OFFSET:
        raise ValueError("an offset from the sun is less than 24h")
    return SunTime(match["event"], -offset if match["sign"] == "-" else offset)


@dataclass(frozen=True)
class Place:
    """Where the clock stands: latitude (north positive) and longitude (east positive)."""

    latitude: float
    longitude: float

    def events(self, day: date, tz: tzinfo) -> dict[str, int]:
        """The minute of ``day`` (local time in ``tz``) of each event, to the nearest
        minute, with the fallbacks described in the module's docstring."""
        from astral import Observer, sun  # only clocks whose schedule names the sun

        observer = Observer(self.latitude, self.longitude)
        noon = sun.noon(observer, day, tzinfo=tz)
        # The sun's height midway between its highest and lowest: when it does not cross a
        # horizon all day, both lie on one side of it, and so does their mean (which, unlike
        # the highest alone, is nowhere near the horizon then, so rounding cannot mislead).
        middle = (
            sun.elevation(observer, noon, with_refraction=False)
            + sun.elevation(observer, noon + timedelta(hours=12), with_refraction=False)
        ) / 2
        found = {"noon": _minute(noon, day, tz)}
        for event in ("dawn", "sunrise", "sunset", "dusk"):
            moment = _on(sun, observer, event, day, tz)
            if moment is not None:
                found[event] = _minute(moment, day, tz)
            elif middle < -_DEPTH[event]:  # the sun stays below this horizon all day
                found[event] = found["noon"]
            else:  # it stays above, or crosses it only just beyond the day's edge
                found[event] = 0 if event in MORNING else MINUTES_PER_DAY
            # A morning event after noon is the next morning's: this one was before the
            # day began. An evening one before noon is the last evening's: this one is
            # after the day ends.
            if event in MORNING and found[event] > found["noon"]:
                found[event] = 0
            elif event not in MORNING and found[event] < found["noon"]:
                found[event] = MINUTES_PER_DAY
        return found


def _on(sun: Any, observer: Any, event: str, day: date, tz: tzinfo) -> datetime | None:
    """astral's time of ``event`` on ``day`` in ``tz``, or None if there is none that day.

    astral works out one event per UTC day. Where the event drifts across a UTC midnight,
    one UTC day holds two, and the local day of the one left out gets none from astral:
    in a zone six hours east, a sunrise near 06:00 goes missing once or twice a year.
    Then the UTC days around ``day`` are each asked, and the missing event is put halfway
    between the wall-clock times of the days either side.
    """
    try:
        moment = getattr(sun, event)(observer, day, tzinfo=tz)
    except ValueError:
        pass
    else:
        if moment.astimezone(tz).date() == day:
            return moment
    zenith = 90.0 + (_DEPTH[event] if event in ("dawn", "dusk") else sun.SUN_APPARENT_RADIUS)
    rising = event in MORNING
    direction = sun.SunDirection.RISING if rising else sun.SunDirection.SETTING
    by_day: dict[date, list[datetime]] = {}
    for shift in (-2, -1, 0, 1, 2):
        try:
            moment = sun.time_of_transit(observer, day + timedelta(days=shift), zenith, direction)
        except ValueError:  # none that day: the sun stays on one side of this horizon
            continue
        by_day.setdefault(moment.astimezone(tz).date(), []).append(moment)
    here = by_day.get(day)
    if here:
        return min(here) if rising else max(here)
    before, after = by_day.get(day - timedelta(days=1)), by_day.get(day + timedelta(days=1))
    if before and after:
        first = max(before).astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
        last = min(after).astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        return (first + (last - first) / 2).replace(tzinfo=tz)
    return None


def _minute(moment: datetime, day: date, tz: tzinfo) -> int:
    """``moment`` as a minute of ``day`` in ``tz``, held at the day's edge if outside it."""
    local = moment.astimezone(tz)
    if local.date() != day:
        return 0 if local.date() < day else MINUTES_PER_DAY
    return min(local.hour * 60 + local.minute + round(local.second / 60), MINUTES_PER_DAY)


@lru_cache(maxsize=8)
def city(name: str) -> Place:
    """The place of a city astral's geocoder knows; ValueError naming why not."""
    from astral import LocationInfo
    from astral.geocoder import database, lookup

    try:
        found: Any = lookup(name, database())
    except KeyError:
        raise ValueError(
            "not a city the sun tables know; give clock.latitude and clock.longitude instead"
        ) from None
    if not isinstance(found, LocationInfo):
        raise ValueError("a region, not a city; name a city in it")
    return Place(found.latitude, found.longitude)


def wall(minute: int) -> str:
    """A minute of the day as ``HH:MM`` (1440, the end of the day, is ``24:00``)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"
