"""Reads the light sensor on its own thread, so the loop never waits for I2C: the loop asks
for a reading when one is due and takes the last one made; a sensor that fails is logged
once and tried again with a growing wait."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from binclock.light.sensors import Sensor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """One try at the sensor: the lux read, or why it failed."""

    lux: float | None
    error: str | None = None


class Reader:
    """Opens and reads a sensor on a thread of its own, when the loop says a reading is due.

    Time is the loop's (``poll``'s ``now``), so an injected clock paces the readings.
    """

    def __init__(
        self, open_sensor: Callable[[], Sensor], interval: float, max_backoff: float, name: str
    ) -> None:
        self.open_sensor = open_sensor
        self.interval = interval
        self.max_backoff = max_backoff
        self.name = name
        self.failures = 0
        self._sensor: Sensor | None = None
        self._due = 0.0
        self._result: Reading | None = None
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="light sensor", daemon=True)
        self._thread.start()

    def poll(self, now: float) -> Reading | None:
        """The reading made since the last call (None: none yet), and a new one asked for
        when it is due."""
        result = None
        if self._idle.is_set():  # the thread is waiting: the result is not being written
            result, self._result = self._result, None
        if result is not None:
            self._judge(result, now)
        # A due time further off than any wait: the clock was stepped back, so read now.
        stepped_back = self._due - now > max(self.interval, self.max_backoff)
        if (now >= self._due or stepped_back) and self._idle.is_set():
            self._due = now + self.interval
            self._idle.clear()
            self._wanted.set()
        return result if result is not None and result.lux is not None else None

    def _judge(self, result: Reading, now: float) -> None:
        """Log a failure once and back off; say when the sensor works again."""
        if result.error is None:
            if self.failures:
                log.info("the %s light sensor works again", self.name)
            self.failures = 0
            return
        self.failures += 1
        wait = min(self.interval * 2**self.failures, self.max_backoff)
        self._due = now + wait
        if self.failures == 1:
            log.warning(
                "the %s light sensor failed (%s); keeping the last brightness, retrying"
                " with a growing wait up to %gs",
                self.name,
                result.error,
                self.max_backoff,
            )
        else:
            log.debug("the %s light sensor failed again (%s)", self.name, result.error)

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until the reading asked for is made; whether it was within ``timeout``."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop the thread (a reading under way ends first, unless it hangs)."""
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout=1.0)

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopping:
                return
            self._result = self._read()
            self._idle.set()

    def _read(self) -> Reading:
        try:
            if self._sensor is None:
                self._sensor = self.open_sensor()
            return Reading(self._sensor.lux())
        except Exception as exc:  # noqa: BLE001 - any fault of the sensor or its library
            self._sensor = None  # opened again on the next try: it may have been replugged
            return Reading(None, str(exc) or type(exc).__name__)
