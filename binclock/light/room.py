"""The light in the room as the loop sees it: readings from the sensor's thread turned
into the brightness to show."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from binclock.config import LightConfig
from binclock.light.curve import Level, Smoother
from binclock.light.reader import Reader
from binclock.light.sensors import Sensor, opener

log = logging.getLogger(__name__)


class RoomLight:
    """Follows the configured sensor: ``poll`` every second (cheap: it only looks at what the
    sensor's thread has read), ``level`` is the brightness to show, None until a first
    reading (the display's own brightness and the schedule until then)."""

    def __init__(
        self, config: LightConfig, open_sensor: Callable[[], Sensor] | None = None, **handles: Any
    ) -> None:
        self.config = config
        self.smoother = Smoother(config)
        self.reader = Reader(
            open_sensor or opener(config, **handles),
            config.interval,
            config.max_backoff,
            config.sensor,
        )
        self.level: Level | None = None

    def poll(self, now: float) -> bool:
        """Take the sensor's latest reading; whether the brightness to show changed."""
        reading = self.reader.poll(now)
        if reading is None or reading.lux is None:
            return False
        if not self.smoother.update(reading.lux, now):
            return False
        shown = self.smoother.shown
        assert shown is not None
        self.level = Level(shown, self.config.min_brightness)
        log.debug("light: %.1f lux, brightness %.3f", reading.lux, shown)
        return True

    def view(self) -> dict[str, Any]:
        """What the control API shows of it."""
        shown = self.smoother.shown
        return {
            "sensor": self.config.sensor,
            "lux": None if self.smoother.lux is None else round(self.smoother.lux, 2),
            "brightness": None if shown is None else round(shown, 4),
            "working": self.reader.failures == 0,
        }

    def close(self) -> None:
        self.reader.close()


def open_light(config: LightConfig) -> RoomLight | None:
    """The room light the configuration asks for, or None without a sensor."""
    return None if config.sensor == "none" else RoomLight(config)
