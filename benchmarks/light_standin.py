"""What the room's light costs the clock's second, three rooms side by side in one run: no
sensor (the baseline), a steady room, and a room that goes from dark to daylight and back
every minute, so the clock keeps changing its brightness.

Each room runs the real service (``Service``) on the terminal driver (writing to
/dev/null) with a BH1750 through Adafruit's driver over the tests' stand-in I2C bus, on a
manual clock: the seconds are simulated, so a run of minutes takes seconds, and each is
measured as the CPU time of the loop's thread for that second (the sensor is read on a
thread of its own and is not counted). Printed per room, the median over the runs of: the
mean cost of a second, the median and 99th-percentile second, the frames rendered per
minute, and the mean cost as a multiple of the no-sensor clock's.

Run with the benchmarks and tests folders importable:
PYTHONPATH=benchmarks:tests python benchmarks/light_standin.py [--minutes 5] [--runs 5]
[--profile] (--profile: where the sweeping room's seconds go, by function)

The same stand-in sensors serve benchmarks/ticker.py, which measures the real clock's lag
in a pseudo-terminal:
PYTHONPATH=benchmarks:tests python benchmarks/ticker.py --config benchmarks/light-standin.toml
(``sensor = "light_standin:bh1750_steady"`` instead: a room whose light never changes, so
only the sensor's own cost is measured)
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import math
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from i2c_fakes import Bh1750Chip, Room, StandInI2C
from ticker import percentile

from binclock import config
from binclock.clock import ManualClock
from binclock.config import LightConfig
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.light.sensors import Bh1750

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class ChangingRoom(Room):
    """Lux from 0.1 to 10,000 and back once a minute, on a logarithmic sine, by ``clock``."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    @property  # type: ignore[override]
    def lux(self) -> float:
        phase = math.sin(2 * math.pi * self.clock() / 60)
        return 10 ** (1.5 + 2.5 * phase)

    @lux.setter
    def lux(self, value: float) -> None:
        pass


def bh1750(config: LightConfig) -> Bh1750:
    return Bh1750(config, i2c=StandInI2C(Bh1750Chip(ChangingRoom())))


def bh1750_steady(config: LightConfig) -> Bh1750:
    """The same in a room whose light never changes: the sensor's cost alone."""
    return Bh1750(config, i2c=StandInI2C(Bh1750Chip(Room(lux=30.0))))


ROOM: Room = Room()  # the room of the clock being measured


def bh1750_simulated(config: LightConfig) -> Bh1750:
    """The BH1750 in ``ROOM``, the room this benchmark sets up for each clock."""
    return Bh1750(config, i2c=StandInI2C(Bh1750Chip(ROOM)))


CONFIG = """driver = "terminal"
[clock]
timezone = "UTC"
"""
LIGHT = """[light]
sensor = "__main__:bh1750_simulated"  # this script's ROOM
smoothing = 5
interval = 2
"""


class Measured:
    """One clock's run: the CPU time of each second on the loop's thread, and the frames
    rendered."""

    def __init__(self) -> None:
        self.costs_ms: list[float] = []
        self.renders = 0


def run(room: Room | None, seconds: int, folder: Path) -> Measured:
    """Run a clock in ``room`` (None: no sensor) for ``seconds`` simulated seconds."""
    global ROOM
    path = folder / "config.toml"
    path.write_text(CONFIG + (LIGHT if room is not None else ""))
    clock = ManualClock(START)
    if isinstance(room, ChangingRoom):
        room.clock = clock.time
    ROOM = room or Room()
    measured = Measured()
    service: Service | None = None

    def sleep(wait: float) -> None:
        if service is not None and service.light is not None:
            service.light.reader.settle()  # each second sees the readings asked for before
        clock.sleep(wait)

    with Path(os.devnull).open("w") as null, contextlib.redirect_stdout(null):
        service = Service(
            lambda: config.load(path, environ={}), clock=clock, sleep=sleep, notifier=Notifier({})
        )
        tick, render = service._tick, service._render

        def timed_tick(second: int) -> bool:
            began = time.thread_time_ns()
            try:
                return tick(second)
            finally:
                measured.costs_ms.append((time.thread_time_ns() - began) / 1e6)

        def counted_render(*args: object) -> object:
            measured.renders += 1
            return render(*args)  # type: ignore[arg-type]

        service._tick = timed_tick  # type: ignore[method-assign]
        service._render = counted_render  # type: ignore[assignment,method-assign]
        service.run(frames=seconds)
    return measured


ROOMS: dict[str, Callable[[], Room | None]] = {
    "no sensor": lambda: None,
    "steady room": lambda: Room(lux=30.0),
    "sweeping room": ChangingRoom,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=5, help="simulated minutes per run")
    parser.add_argument("--runs", type=int, default=5, help="runs per room (medians shown)")
    parser.add_argument("--profile", action="store_true", help="profile the sweeping room")
    args = parser.parse_args()
    seconds = args.minutes * 60
    if args.profile:
        with tempfile.TemporaryDirectory() as here:
            profile = cProfile.Profile()
            profile.enable()
            run(ChangingRoom(), seconds, Path(here))
            profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return 0
    print(
        f"one clock per room, {args.minutes} simulated minutes each, {args.runs} runs:"
        " medians over the runs of the loop thread's CPU time per second"
    )
    print(f"{'':16}{'mean':>10}{'p50':>10}{'p99':>10}{'renders/min':>13}{'x no sensor':>13}")
    baseline = None
    for name, make in ROOMS.items():
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as here:
                runs.append(run(make(), seconds, Path(here)))
        mean = statistics.median(statistics.fmean(r.costs_ms) for r in runs)
        p50 = statistics.median(statistics.median(r.costs_ms) for r in runs)
        p99 = statistics.median(percentile(r.costs_ms, 99) for r in runs)
        renders = statistics.median(r.renders for r in runs) / args.minutes
        baseline = baseline or mean
        print(
            f"{name:16}{mean:>8.3f}ms{p50:>8.3f}ms{p99:>8.3f}ms{renders:>13.0f}"
            f"{mean / baseline:>12.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
