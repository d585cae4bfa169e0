"""What the night-dimming schedule costs the clock each second, with and without the sun.

The run loop asks the schedule about every second it shows (to dim the frame and to log a
change). This renders an hour of consecutive seconds, from 23:30 so midnight is crossed,
through the real pipeline (binary face, painter, schedule) for: no schedule, fixed times,
and sun times, each timetable kept as the clock keeps it; and, as the baseline that shows
why it is kept, sun times worked out afresh for every second. It prints microseconds per
frame and per schedule lookup alone (the median of --repeat runs), and how many times the
sun was worked out.

Run: python benchmarks/schedule.py [--seconds 3600] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from binclock.faces.time import BinaryFace
from binclock.painter import Painter
from binclock.pipeline import Pipeline
from binclock.timeofday.schedule import Schedule, Timetable
from binclock.timeofday.sun import Place

OSLO = ZoneInfo("Europe/Oslo")
START = datetime(2026, 12, 1, 23, 30, tzinfo=OSLO)
FIXED = [
    {"from": "21:00", "to": "22:30", "brightness": 0.3},
    {"from": "22:30", "to": "07:00", "off": True},
]
SUN = [
    {"from": "sunset-30m", "to": "22:30", "brightness": 0.3},
    {"from": "22:30", "to": "sunrise", "off": True, "days": "mon-fri"},
]


class CountingPlace(Place):
    """Oslo, counting how often the sun is worked out."""

    worked_out = 0

    def events(self, day: date, tz: ZoneInfo) -> dict[str, int]:  # type: ignore[override]
        CountingPlace.worked_out += 1
        return super().events(day, tz)


def run(render: Callable[[datetime], object], seconds: int) -> float:
    """Seconds taken to render ``seconds`` consecutive seconds from START."""
    moments = [START + timedelta(seconds=n) for n in range(seconds)]
    began = time.perf_counter()
    for moment in moments:
        render(moment)
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600, help="seconds rendered per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (median)")
    args = parser.parse_args()
    entries = TypeAdapter(Schedule)
    place = CountingPlace(59.9139, 10.7522)
    face, painter = BinaryFace(), Painter()

    def kept(tables: list[dict]) -> Callable[[], Timetable]:
        return lambda: Timetable(entries.validate_python(tables), place, OSLO)

    class Afresh(Timetable):
        """The sun schedule, forgetting each day's times as soon as it has used them."""

        def brightness_at(self, when: datetime) -> float:
            self._days.clear()
            self._suns.clear()
            return super().brightness_at(when)

    cases = [
        ("no schedule", kept([])),
        ("fixed times", kept(FIXED)),
        ("sun times, kept per day", kept(SUN)),
        ("sun times, every second", lambda: Afresh(entries.validate_python(SUN), place, OSLO)),
    ]
    print(f"{args.seconds} consecutive seconds from {START:%Y-%m-%d %H:%M %Z}, Oslo;")
    print(f"median of {args.repeat} runs, microseconds per second shown")
    print(f"{'':26}{'frame':>10}{'vs none':>9}{'lookup':>10}{'sun worked out':>16}")
    baseline = None
    for name, make in cases:
        frames, lookups, counts = [], [], []
        for _ in range(args.repeat):
            table = make()
            CountingPlace.worked_out = 0
            frames.append(run(Pipeline(face, painter, table).render, args.seconds))
            counts.append(CountingPlace.worked_out)
            lookups.append(run(make().brightness_at, args.seconds))
        frame = statistics.median(frames) / args.seconds * 1e6
        lookup = statistics.median(lookups) / args.seconds * 1e6
        baseline = baseline or frame
        print(f"{name:26}{frame:>8.1f}us{frame / baseline:>8.2f}x{lookup:>8.1f}us{max(counts):>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
