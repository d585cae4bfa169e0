"""Run-time controls: requests from buttons and keys, applied to the configuration.

A driver with buttons (the Sense HAT's joystick) offers ``poll_controls()``; the run loop
calls it once a second. A driver whose requests come as they happen (the terminal's keys)
offers ``push_controls(press)`` and calls ``press`` from a thread of its own, as GPIO push
buttons do (``binclock.drivers.buttons``): the clock's loop is woken for them. Either way
each request becomes a change of the run-time state (``change``), applied like a change
from the control API.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from binclock.config import Config
from binclock.control.state import Change

log = logging.getLogger(__name__)

BRIGHTNESS_STEP = 0.1
DIMMEST = 0.1  # DIMMER stops here: lower, the clock is too easy to mistake for off


class Control(enum.Enum):
    """A change of settings asked for at run time."""

    NEXT_FACE = "next face"
    BRIGHTER = "brighter"
    DIMMER = "dimmer"
    TOGGLE_SECONDS = "toggle seconds"
    TOGGLE_POWER = "toggle power"
    QUIT = "quit"  # stop the clock, as SIGTERM does (the terminal's q key)
    ALARM_STOP = "alarm stop"
    ALARM_SNOOZE = "alarm snooze"


ALARM = (Control.ALARM_STOP, Control.ALARM_SNOOZE)  # the clock's business: no change

# What a display turned off says to drivers that print text (``Frame.off``); one that reads
# keys says its own key instead.
POWER_OFF = "off — binclock ctl on"


# The names the configuration gives them (``[[controls.buttons]]`` ``press``), as in
# ``binclock.config.ButtonAction``.
BY_NAME: dict[str, Control] = {
    "next-face": Control.NEXT_FACE,
    "brighter": Control.BRIGHTER,
    "dimmer": Control.DIMMER,
    "toggle-seconds": Control.TOGGLE_SECONDS,
    "toggle-power": Control.TOGGLE_POWER,
    "alarm-stop": Control.ALARM_STOP,
    "alarm-snooze": Control.ALARM_SNOOZE,
}

Press = Callable[[Control], None]  # hands a request to the running clock, from any thread


@runtime_checkable
class Controllable(Protocol):
    """A driver whose display has buttons.

    ``poll_controls()`` must not block: it returns the requests made since the last call,
    oldest first (an empty list when there were none, or the buttons are disabled).
    """

    def poll_controls(self) -> list[Control]: ...


@runtime_checkable
class Pushing(Protocol):
    """A driver whose display takes requests as they happen (the terminal's keys).

    The clock calls ``push_controls(press)`` when it takes the driver on; the driver calls
    ``press`` with each request from a thread of its own, never from ``show()``.
    """

    def push_controls(self, press: Press) -> None: ...


def poller(driver: Any) -> Callable[[], list[Control]] | None:
    """What to call each second for ``driver``'s requests: its ``poll_controls``, or None
    for drivers without buttons. Looked up once per driver, as the clock asks every second."""
    return getattr(driver, "poll_controls", None)


def change(config: Config, control: Control, faces: Sequence[str], power: bool = True) -> Change:
    """The change of run-time state ``control`` asks for, from ``config`` and the display's
    ``power``; logged. QUIT is the clock's own business: no change.

    ``faces`` are the face names NEXT_FACE cycles through, in order (after the last comes
    the first; a face not in the list moves to the first).
    """
    if control is Control.QUIT or control in ALARM:
        return Change()
    if control is Control.TOGGLE_POWER:
        log.info("display %s", "off" if power else "on")
        return Change(power=not power)
    if control is Control.NEXT_FACE:
        if not faces:
            return Change()
        after = faces.index(config.face) + 1 if config.face in faces else 0
        face = faces[after % len(faces)]
        log.info("face %s -> %s", config.face, face)
        return Change({"face": face})
    if control is Control.TOGGLE_SECONDS:
        seconds = not config.clock.seconds
        log.info("seconds %s", "on" if seconds else "off")
        return Change({"clock": {"seconds": seconds}})
    old = config.display.brightness
    if control is Control.BRIGHTER:
        new = min(1.0, round(old + BRIGHTNESS_STEP, 2))
    else:
        new = max(min(old, DIMMEST), round(old - BRIGHTNESS_STEP, 2))
    log.info("brightness %.2f -> %.2f", old, new)
    return Change({"display": {"brightness": new}})
