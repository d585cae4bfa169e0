"""Colour corrections for LEDs: gamma, and WLED's current model for the brightness limiter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

FULL = 256  # the limiter's scale is a fraction of this: FULL means no dimming


@lru_cache(maxsize=8)
def gamma_table(gamma: float) -> bytes:
    """Channel value -> LED duty, so that steps look even to the eye (1.0: unchanged)."""
    return bytes(round(255 * (v / 255) ** gamma) for v in range(256))


@lru_cache(maxsize=FULL)
def scale_table(scale: int) -> bytes:
    """Channel value -> value dimmed to ``scale``/256, rounded down."""
    return bytes((v * scale) >> 8 for v in range(256))


@dataclass(frozen=True)
class CurrentModel:
    """WLED's estimate of what a strip draws: each channel at 255 takes a third of
    ``led_ma`` (the current of an LED at full white) and every LED takes ``idle_ma``."""

    leds: int
    led_ma: float = 55.0
    idle_ma: float = 1.0

    def milliamps(self, channel_sum: int) -> float:
        """Estimated draw when the channel values sent add up to ``channel_sum``."""
        return self.leds * self.idle_ma + channel_sum * self.led_ma / 765


@dataclass(frozen=True)
class Limiter:
    """Dims whole frames so the estimated draw stays within ``budget_ma``."""

    model: CurrentModel
    budget_ma: float

    def scale(self, channel_sum: int) -> int:
        """The dimming for a frame, in 256ths: FULL when it is within the budget."""
        colour_ma = channel_sum * self.model.led_ma / 765
        room = self.budget_ma - self.model.leds * self.model.idle_ma
        if colour_ma <= room:
            return FULL
        return max(0, min(FULL - 1, math.floor(FULL * room / colour_ma)))
