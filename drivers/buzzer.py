"""The alarms' buzzers on GPIO pins, through gpiozero's ``Buzzer`` and ``TonalBuzzer``.

The clock's loop says each second what sounds in it (``sound``): the sound starts at
once, and a device's ``source`` ends it on gpiozero's own thread, so the loop never
waits on a buzzer. gpiozero is imported only when an alarm has a buzzer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from binclock.driver import DriverUnavailable
from binclock.drivers import pins
from binclock.timeofday.alarms import AlarmEntry, Phase

log = logging.getLogger(__name__)

BITS = 4  # the hour on a 12-hour clock (1-12; 12 at noon and midnight), 1 to 1100
REST = 2  # silent seconds after the hour's bits, before it is chimed again
HIGH, LOW = 1.0, -1.0  # a TonalBuzzer's values: an octave above and below its mid tone
TONE = 0.5  # seconds a tone sounds, at the start of its second
BEEP = 0.2  # seconds a beep sounds


def chime_bit(hour: int, elapsed: int) -> bool | None:
    """The bit of ``hour`` (0-23) chimed ``elapsed`` seconds into the ring, most
    significant first; None for a silent second between chimes."""
    place = elapsed % (BITS + REST)
    if place >= BITS:
        return None
    twelve = hour % 12 or 12
    return bool(twelve >> (BITS - 1 - place) & 1)


class Buzzers:
    """A buzzer on each pin the ``entries`` name: a ``TonalBuzzer`` where an alarm chimes the
    hour, else a ``Buzzer``; ``close()`` silences them and lets the pins go.

    ``pin_factory`` is gpiozero's (tests pass its ``MockFactory``); unset, gpiozero's own
    choice. A missing gpiozero, or a pin that cannot be had, raises DriverUnavailable.
    """

    def __init__(self, entries: Sequence[AlarmEntry], *, pin_factory: Any = None) -> None:
        self.wanted = needs(entries)
        self.devices: dict[int, Any] = {}
        self._sounding: int | None = None  # the pin sounding now
        tonal = {e.buzzer for e in entries if e.chime == "hour"}
        wanted = sorted({e.buzzer for e in entries if e.buzzer is not None})
        try:
            gpiozero = pins.import_gpiozero()
            factory = pins.pin_factory(gpiozero, pin_factory)
            for pin in wanted:
                kind = gpiozero.TonalBuzzer if pin in tonal else gpiozero.Buzzer
                self.devices[pin] = pins.claim(
                    gpiozero,
                    lambda kind=kind, pin=pin: kind(pin, pin_factory=factory),
                    f"the alarm's buzzer on GPIO{pin}",
                )
        except DriverUnavailable as exc:
            self.close()
            raise DriverUnavailable(f"the buzzer in [[alarm]]: {exc}") from None
        log.info("alarm buzzers: %s", ", ".join(f"GPIO{p}" for p in self.devices))

    def sound(self, alarm: Phase | None, second: int, tz: tzinfo) -> None:
        """Sound ``second`` (an epoch second) of ``alarm``, or be silent when it does not
        ring or has no buzzer; the hour chimed is the wall clock's in ``tz``."""
        ringing = alarm if alarm is not None and alarm.kind == "ring" else None
        pin = None if ringing is None else ringing.entry.buzzer
        if pin != self._sounding:
            self.silence()
        if ringing is None or pin is None:
            return
        self._sounding = pin
        device = self.devices[pin]
        if ringing.entry.chime == "hour":
            hour = datetime.fromtimestamp(second, tz).hour
            bit = chime_bit(hour, ringing.elapsed)
            if bit is None:
                _quiet(device)
            else:
                _sound(device, HIGH if bit else LOW, TONE)
        else:
            _sound(device, 0.0 if _tonal(device) else 1, BEEP)

    def silence(self) -> None:
        """Stop the buzzer sounding, at once."""
        pin, self._sounding = self._sounding, None
        if pin is None:
            return
        _quiet(self.devices[pin])

    def close(self) -> None:
        """Silence the buzzers and let their pins go (a second call does nothing)."""
        self.silence()
        devices, self.devices = self.devices, {}
        for device in devices.values():
            device.close()


def _tonal(device: Any) -> bool:
    return hasattr(device, "play")


def _sound(device: Any, value: float, length: float) -> None:
    """Sound ``value`` now, and silence it after ``length`` seconds on gpiozero's thread
    for a device's ``source``."""
    _quiet(device)  # the last second's sound, should it still be on: each sound is heard
    device.value = value
    device.source_delay = length
    device.source = [value, None if _tonal(device) else 0]


def _quiet(device: Any) -> None:
    device.source = None
    device.value = None if _tonal(device) else 0


def needs(entries: Sequence[AlarmEntry]) -> frozenset[tuple[int, str]]:
    """Each buzzer's pin the alarms ``entries`` name, with its chime."""
    return frozenset((e.buzzer, e.chime) for e in entries if e.buzzer is not None)


def open_buzzers(entries: Sequence[AlarmEntry], **handles: Any) -> Buzzers | None:
    """The buzzers the alarms ``entries`` name; None when there are none (gpiozero is then
    not imported)."""
    if not any(e.buzzer is not None for e in entries):
        return None
    return Buzzers(entries, **handles)
