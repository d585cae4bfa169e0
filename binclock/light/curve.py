"""From lux to brightness: a logarithmic curve, smoothed over time, with hysteresis. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from binclock.config import LightConfig


def brightness_for(lux: float, config: LightConfig) -> float:
    """The brightness (0-1) for ``lux`` on the curve: ``min_brightness`` at or below
    ``dark_lux``, ``max_brightness`` at or above ``bright_lux``, and in between linear in
    the logarithm of the lux, as the eye sees light."""
    low, high = config.min_brightness, config.max_brightness
    if lux <= config.dark_lux:
        return low
    if lux >= config.bright_lux:
        return high
    span = math.log(config.bright_lux) - math.log(config.dark_lux)
    share = (math.log(lux) - math.log(config.dark_lux)) / span
    return low + (high - low) * share


@dataclass(frozen=True)
class Level:
    """The brightness the light asks for, and the floor below which a lit clock looks off."""

    level: float
    floor: float

    def cap(self, scheduled: float) -> float:
        """The brightness shown: the light's, capped by the schedule's (1.0 when none is in
        force), never below the floor unless the schedule turns the display off."""
        if scheduled <= 0.0:
            return 0.0
        return max(self.floor, min(self.level, scheduled))


STEP = 1 / 255  # the smallest change a display can show of a full channel


class Smoother:
    """Turns readings into the brightness to show: the curve's brightness for a reading
    becomes the target only once it is ``hysteresis`` away from the target before (or at a
    limit of the curve), so light wavering around a level leaves it be; the brightness
    shown glides to the target with an exponential time constant, so a reading or two of a
    passing shadow or flash barely moves it."""

    def __init__(self, config: LightConfig) -> None:
        self.config = config
        self.target: float | None = None
        self.shown: float | None = None
        self.lux: float | None = None
        self._smoothed = 0.0
        self._at = 0.0

    def update(self, lux: float, at: float) -> bool:
        """Take a reading of ``lux`` made at ``at`` (seconds); whether the brightness shown
        changed."""
        self.lux = lux
        wanted = brightness_for(lux, self.config)
        limits = (self.config.min_brightness, self.config.max_brightness)
        if self.target is None or self.shown is None:
            self.target = self._smoothed = self.shown = wanted
            self._at = at
            return True
        if abs(wanted - self.target) >= self.config.hysteresis or wanted in limits:
            self.target = wanted
        tau = self.config.smoothing
        elapsed = max(at - self._at, 0.0)
        self._at = at
        if tau == 0:
            self._smoothed = self.target
        else:
            self._smoothed += (self.target - self._smoothed) * (1.0 - math.exp(-elapsed / tau))
        if abs(self._smoothed - self.target) < STEP / 2:
            self._smoothed = self.target  # arrived: an exponential never quite does
        if abs(self._smoothed - self.shown) < STEP and self._smoothed != self.target:
            return False
        changed = self._smoothed != self.shown
        self.shown = self._smoothed
        return changed
