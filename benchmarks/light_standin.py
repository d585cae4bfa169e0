"""A BH1750 for benchmarks/ticker.py --config benchmarks/light-standin.toml: Adafruit's
driver over the tests' stand-in I2C bus, in a room that goes from dark to daylight and
back every minute, so the clock keeps changing its brightness while it is measured.

Run with the benchmarks and tests folders importable:
PYTHONPATH=benchmarks:tests python benchmarks/ticker.py --config benchmarks/light-standin.toml
(``sensor = "light_standin:bh1750_steady"`` instead: a room whose light never changes, so
only the sensor's own cost is measured)
"""

from __future__ import annotations

import math
import time

from i2c_fakes import Bh1750Chip, Room, StandInI2C

from binclock.config import LightConfig
from binclock.light.sensors import Bh1750


class ChangingRoom(Room):
    """Lux from 0.1 to 10,000 and back once a minute, on a logarithmic sine."""

    @property  # type: ignore[override]
    def lux(self) -> float:
        phase = math.sin(2 * math.pi * time.time() / 60)
        return 10 ** (1.5 + 2.5 * phase)

    @lux.setter
    def lux(self, value: float) -> None:
        pass


def bh1750(config: LightConfig) -> Bh1750:
    return Bh1750(config, i2c=StandInI2C(Bh1750Chip(ChangingRoom())))


def bh1750_steady(config: LightConfig) -> Bh1750:
    """The same in a room whose light never changes: the sensor's cost alone."""
    return Bh1750(config, i2c=StandInI2C(Bh1750Chip(Room(lux=30.0))))
