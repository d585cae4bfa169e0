"""Alarms and the wake-up light, from the ``[[alarm]]`` tables. Pure.

An alarm rings at a time of day (``"HH:MM"`` or a sun time such as ``"sunrise+10m"``) on
some weekdays. Before it, a sunrise fade of ``fade`` minutes lights the display from dark
red through orange to warm white, ending as it rings (a single-colour display gets the
fade's brightness alone); then it shows its ``then`` (a blink, or a face) for ``ring``
minutes, unless stopped or snoozed.

What shows at a second is worked out from that second alone (and from the alarms stopped
or snoozed), never from a count of seconds: a clock restarted mid-fade resumes at the
right point, and a clock stepped back or forward shows what belongs to the new second.
An alarm rings once a day, at the first instant its time is reached on the wall clock:
at a time the clocks skip (02:30 on the day they spring forward, where they jump from
02:00 to 03:00) it rings as the clocks jump; at a time they repeat (on the day they fall
back) it rings the first time round only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from binclock.driver import Tones
from binclock.frame import BLACK, RGB
from binclock.painter import scale
from binclock.pinnames import parse_pin
from binclock.timeofday.schedule import Moment, minute_of, offset_change, placed, weekdays
from binclock.timeofday.sun import Place, SunTime

BLINK = "blink"
# The sunrise: colour stops from the fade's start (0) to its end (1), and the brightness
# the fade starts at (it rises in step with the colour to full at the alarm time).
SUNRISE: tuple[tuple[float, RGB], ...] = (
    (0.0, (160, 0, 0)),  # dark red
    (0.5, (255, 100, 0)),  # orange
    (1.0, (255, 200, 140)),  # warm white
)
FIRST_LIGHT = 0.05
WARM_WHITE = SUNRISE[-1][1]
WHITE: RGB = (255, 255, 255)  # a single-colour display's fade: its one colour, at a level
FORGET = 2 * 86400  # seconds after it rang that an alarm stopped or snoozed is forgotten


class AlarmEntry(BaseModel):
    """One ``[[alarm]]`` table: when it rings, and what the display does."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time: Moment = Field(
        description='when it rings: "HH:MM" local time, or a sun time such as "sunrise+10m"'
        " (dawn, sunrise, noon, sunset, dusk; needs the clock's place)"
    )
    days: str | None = Field(
        None,
        description='weekdays it rings on, such as "mon-fri", "sat,sun" or "mon-wed,fri";'
        " unset: every day",
    )
    fade: int = Field(
        0,
        ge=0,
        le=120,
        description="minutes of sunrise fade (dark red, orange, warm white; its brightness"
        " alone on a single-colour display) ending at the alarm time; 0: none",
    )
    then: str = Field(
        BLINK,
        description='what shows once it rings: "blink" (warm white, every other second)'
        " or the name of a face",
    )
    ring: int = Field(10, ge=1, le=120, description="minutes it shows then, unless stopped")
    snooze: int = Field(9, ge=1, le=60, description="minutes a snooze puts it off")
    buzzer: Annotated[int | None, BeforeValidator(parse_pin)] = Field(
        None,
        description="the GPIO pin of a buzzer that sounds while it rings (a BCM number such"
        " as 18, or 'GPIO18', 'BOARD12'); unset: silent",
    )
    chime: Literal["beep", "hour"] = Field(
        "beep",
        description='what the buzzer sounds: "beep" (a short beep each second) or "hour"'
        " (the hour in binary on a tonal buzzer, see docs/alarms.md)",
    )

    @field_validator("days")
    @classmethod
    def _known_days(cls, value: str | None) -> str | None:
        if value is None:
            return value
        weekdays(value)
        return value.strip().lower()

    @field_validator("then")
    @classmethod
    def _known_face(cls, value: str) -> str:
        from binclock import registry  # the registry reads the configuration models

        faces = registry.registered(registry.FACES)
        if value != BLINK and value not in faces:
            raise ValueError(f'expected "blink" or an installed face ({", ".join(faces)})')
        return value

    def times(self) -> tuple[tuple[str, time | SunTime], ...]:
        """Each key holding a time, with its value."""
        return (("time", self.time),)

    def on(self, day: date) -> bool:
        """Whether it rings on ``day``."""
        return self.days is None or day.weekday() in weekdays(self.days)

    def __str__(self) -> str:
        when = str(self.time) if isinstance(self.time, SunTime) else f"{self.time:%H:%M}"
        return when if self.days is None else f"{when} {self.days}"


AlarmTables = Annotated[tuple[AlarmEntry, ...], AfterValidator(placed)]
"""The ``[[alarm]]`` array (a field type for the config; sun times need the clock's place)."""

Occurrence = tuple[int, int]  # the alarm's index, and the instant (epoch second) it rings


@dataclass(frozen=True)
class Held:
    """The alarms stopped or snoozed: each by its occurrence, so it holds across clock steps
    and for that day only."""

    stopped: frozenset[Occurrence] = frozenset()
    snoozed: dict[Occurrence, int] = field(default_factory=dict)  # until this instant

    def stop(self, occurrence: Occurrence) -> Held:
        snoozed = {o: u for o, u in self.snoozed.items() if o != occurrence}
        return Held(self.stopped | {occurrence}, snoozed).since(occurrence[1] - FORGET)

    def snooze(self, occurrence: Occurrence, until: int) -> Held:
        return replace(self, snoozed={**self.snoozed, occurrence: until}).since(
            occurrence[1] - FORGET
        )

    def renumbered(self, moved: dict[int, int]) -> Held:
        """The same holds after a reload: ``moved`` maps an alarm's index before to its index
        now; an alarm no longer configured (or changed) is let go, so its hold does not pass
        to the alarm that takes its place."""
        return Held(
            frozenset((moved[i], at) for i, at in self.stopped if i in moved),
            {(moved[i], at): u for (i, at), u in self.snoozed.items() if i in moved},
        )

    def saved(self, entries: Sequence[AlarmEntry]) -> list[dict[str, Any]]:
        """The holds as kept in the state file: each with the alarm it belongs to, so a
        restart can tell whether that alarm is still configured as it was."""
        records = [(o, None) for o in sorted(self.stopped)] + sorted(self.snoozed.items())
        return [
            {"alarm": entries[i].model_dump(mode="json"), "at": at}
            | ({} if until is None else {"snoozed_until": until})
            for (i, at), until in records
        ]

    @classmethod
    def restored(cls, records: Any, entries: Sequence[AlarmEntry], second: int) -> Held:
        """The holds ``saved`` kept, for the alarms still configured as they were and not
        older than the forget horizon at ``second``; ValueError if they make no sense."""
        if not isinstance(records, list) or not all(_record(r) for r in records):
            raise ValueError("'alarms' is not a list of {'alarm', 'at', 'snoozed_until'}")
        now = [e.model_dump(mode="json") for e in entries]
        held = cls(
            frozenset((n, r["at"]) for n, r in enumerate(records) if "snoozed_until" not in r),
            {
                (n, r["at"]): r["snoozed_until"]
                for n, r in enumerate(records)
                if "snoozed_until" in r
            },
        )
        return held.renumbered(matching([r["alarm"] for r in records], now)).since(second - FORGET)

    def since(self, second: int) -> Held:
        """Only the alarms that rang from ``second`` on (a clock running for months does
        not keep every alarm it ever stopped)."""
        return Held(
            frozenset(o for o in self.stopped if o[1] >= second),
            {o: u for o, u in self.snoozed.items() if o[1] >= second},
        )


def matching(before: Sequence[Any], now: Sequence[Any]) -> dict[int, int]:
    """Each alarm's index in ``before`` mapped to the index of the same alarm, unchanged, in
    ``now``; an alarm taken out or changed has none."""
    return {i: now.index(e) for i, e in enumerate(before) if e in now}


def _record(record: Any) -> bool:
    """Whether ``record`` is a hold as ``Held.saved`` writes it."""
    if not isinstance(record, dict) or not isinstance(record.get("alarm"), dict):
        return False
    numbers = [record[k] for k in ("at", "snoozed_until") if k in record]
    return "at" in record and all(type(n) is int for n in numbers)


@dataclass(frozen=True)
class Phase:
    """What an alarm shows at a second: its ``fade`` or its ``ring``, ``elapsed`` seconds
    into one of ``length`` seconds."""

    index: int
    entry: AlarmEntry
    at: int  # the instant it rings
    kind: Literal["fade", "ring"]
    elapsed: int
    length: int

    @property
    def occurrence(self) -> Occurrence:
        return (self.index, self.at)

    def level(self) -> float:
        """The fade's brightness (0-1) this second, as ``sunrise`` rises."""
        return rise(self.elapsed / self.length)

    def fade(self, tones: Tones, width: int, height: int, brightness: float) -> tuple[RGB, ...]:
        """The fade's pixels this second on a ``width`` x ``height`` display showing
        ``tones``, at its ``brightness``: the sunrise's colour all over in colour; white at
        the fade's level all over in shades of one colour; where each pixel is lit or dark,
        white on a share of the pixels that is the fade's level (``daybreak``)."""
        if tones == "colour":
            return (scale(sunrise(self.elapsed / self.length), brightness),) * (width * height)
        if tones == "grey":
            return (scale(WHITE, self.level() * brightness),) * (width * height)
        lit, dark = scale(WHITE, brightness), BLACK
        return tuple(lit if on else dark for on in daybreak(self.level(), width, height))

    def blink(self) -> RGB | None:
        """The blink's colour this second (None: black)."""
        return None if self.elapsed % 2 else WARM_WHITE


def rise(progress: float) -> float:
    """The fade's brightness ``progress`` (0-1) of the way through it: from ``FIRST_LIGHT``
    in a straight line to full as the alarm rings."""
    return FIRST_LIGHT + (1 - FIRST_LIGHT) * min(max(progress, 0.0), 1.0)


def sunrise(progress: float) -> RGB:
    """The fade's colour ``progress`` (0-1) of the way through it, brightness included."""
    progress = min(max(progress, 0.0), 1.0)
    level = rise(progress)
    for (start, low), (end, high) in pairwise(SUNRISE):
        if progress <= end:
            part = (progress - start) / (end - start)
            mixed = (a + (b - a) * part for a, b in zip(low, high, strict=True))
            return tuple(round(c * level) for c in mixed)  # type: ignore[return-value]
    return WARM_WHITE


def daybreak(level: float, width: int, height: int) -> tuple[bool, ...]:
    """Which pixels, row by row from the top-left, a display of lit-or-dark pixels lights
    at the fade's ``level``: that share of them (one at least), like a sun coming up: the
    bottom row first, each row from the middle out. As the level rises each pixel lights
    once and stays lit (a flip-disc turns once), until all are lit as the alarm rings."""
    count = width * height
    lit = set(_dawn_order(width, height)[: min(max(round(level * count), 1), count)])
    return tuple(i in lit for i in range(count))


@lru_cache(maxsize=8)
def _dawn_order(width: int, height: int) -> tuple[int, ...]:
    """The pixels' indices in the order ``daybreak`` lights them."""

    def key(i: int) -> tuple[int, int, int]:
        x, y = i % width, i // width
        return (height - 1 - y, abs(2 * x - (width - 1)), x)

    return tuple(sorted(range(width * height), key=key))


def instant(day: date, minute: int, tz: tzinfo) -> int:
    """The first epoch second at which the wall clock in ``tz`` reads ``minute`` of ``day``
    or later: the first of a repeated time, the clocks' jump for a skipped one."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = int(wall.replace(tzinfo=tz, fold=0).timestamp())
    if _wall(first, tz) == wall:
        return first
    # Skipped: with the offset after the jump the instant is before it, with the one
    # before, after it; the jump lies between.
    return int(offset_change(int(wall.replace(tzinfo=tz, fold=1).timestamp()), first, tz))


def _wall(second: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(second, tz).replace(tzinfo=None)


class Alarms:
    """The alarms at a place and in a zone: what shows at any second, and when each rings.

    Asked about every second, so each day's ring instants are kept, not redone.
    """

    _KEPT_DAYS = 8

    def __init__(
        self, entries: Sequence[AlarmEntry], place: Place | None = None, tz: tzinfo | None = None
    ) -> None:
        self.entries = tuple(entries)
        self.place = place
        self.tz = tz or ZoneInfo("UTC")
        if place is None and any(isinstance(e.time, SunTime) for e in self.entries):
            raise ValueError("an alarm at a sun time needs the clock's place")
        self._days: dict[date, tuple[Occurrence, ...]] = {}
        # The longest an alarm shows around its ring instant, to know which days to ask.
        self._reach = max((e.fade + e.ring for e in self.entries), default=0) * 60

    def __bool__(self) -> bool:
        return bool(self.entries)

    def rings(self, day: date) -> tuple[Occurrence, ...]:
        """Each alarm ringing on ``day``, with the instant it rings."""
        found = self._days.get(day)
        if found is None:
            if len(self._days) >= self._KEPT_DAYS:
                self._days.clear()
            found = self._days[day] = self._resolve(day)
        return found

    def _resolve(self, day: date) -> tuple[Occurrence, ...]:
        events = None
        if self.place is not None and any(isinstance(e.time, SunTime) for e in self.entries):
            events = self.place.events(day, self.tz)
        return tuple(
            (index, instant(day, minute_of(entry.time, events), self.tz))
            for index, entry in enumerate(self.entries)
            if entry.on(day)
        )

    def phase(self, second: int, held: Held | None = None) -> Phase | None:
        """What shows at ``second`` (an epoch second), given the alarms ``held``; None: the
        clock. One ringing wins over one fading, an earlier one over a later."""
        if not self.entries:
            return None
        held = held or Held()
        found: list[Phase] = []
        day = _wall(second, self.tz).date()
        span = timedelta(seconds=self._reach)
        first = _wall(second - self._reach, self.tz).date()
        last = (_wall(second, self.tz) + span).date()
        days = {day, first, last}
        for ring_day in sorted(days):
            for index, at in self.rings(ring_day):
                if (index, at) not in held.snoozed:
                    found += self._at(second, index, at, held)
        for (index, at), until in held.snoozed.items():  # however far it was put off
            if index >= len(self.entries):
                continue  # an alarm the configuration no longer has
            entry = self.entries[index]
            if until <= second < until + entry.ring * 60:
                found.append(Phase(index, entry, at, "ring", second - until, entry.ring * 60))
        if not found:
            return None
        return min(found, key=lambda p: (p.kind != "ring", p.at, p.index))

    def _at(self, second: int, index: int, at: int, held: Held) -> list[Phase]:
        """The alarm ringing at ``at`` at ``second``, unless stopped (none or one)."""
        if (index, at) in held.stopped:
            return []
        entry = self.entries[index]
        fade, ring = entry.fade * 60, entry.ring * 60
        if at - fade <= second < at:
            return [Phase(index, entry, at, "fade", second - (at - fade), fade)]
        if at <= second < at + ring:
            return [Phase(index, entry, at, "ring", second - at, ring)]
        return []

    def moment(self, second: int) -> str:
        """An epoch second as local ISO 8601."""
        return datetime.fromtimestamp(second, self.tz).isoformat()

    def describe(self, phase: Phase, held: Held) -> dict[str, Any]:
        """An alarm showing, for the state view."""
        until = held.snoozed.get(phase.occurrence)
        return {
            "alarm": str(phase.entry),
            "phase": phase.kind,
            "rings": self.moment(phase.at),
            "snoozed_until": None if until is None else self.moment(until),
            "seconds_left": phase.length - phase.elapsed,
        }
