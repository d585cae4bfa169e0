"""The Sense HAT joystick as run-time controls: presses in, ``Control`` requests out."""

from __future__ import annotations

import logging
from typing import Any

from binclock.controls import Control

log = logging.getLogger(__name__)

CLOCKWISE = ("up", "right", "down", "left")

ACTIONS: dict[str, Control] = {
    "middle": Control.NEXT_FACE,
    "up": Control.BRIGHTER,
    "down": Control.DIMMER,
    "left": Control.TOGGLE_SECONDS,
    "right": Control.TOGGLE_SECONDS,
}


def as_seen(direction: str, rotation: int) -> str:
    """The way a push looks to someone reading a matrix turned by ``rotation``.

    ``SenseHat.set_rotation`` turns the picture, not the stick: on a HAT mounted a quarter
    turn anticlockwise (rotation 90), pushing the stick towards the top of the picture
    reports "right".
    """
    if direction not in CLOCKWISE:
        return direction
    return CLOCKWISE[(CLOCKWISE.index(direction) - rotation // 90) % 4]


class Joystick:
    """Reads the stick without blocking (``stick.get_events()``) and maps presses to controls.

    Only presses count (not releases, nor the repeats of a held stick). A disabled joystick
    is never read. A stick that fails to read is logged once and left alone from then on;
    the clock keeps running. ``stick`` is None where there is no joystick.
    """

    def __init__(self, stick: Any, rotation: int = 0, enabled: bool = True) -> None:
        self.stick: Any | None = stick
        self.rotation = rotation
        self.enabled = enabled

    def poll(self) -> list[Control]:
        """The controls asked for since the last poll, oldest first."""
        if self.stick is None or not self.enabled:
            return []
        try:
            events = self.stick.get_events()
        except (OSError, ValueError) as exc:
            log.warning("the Sense HAT joystick stopped working (%s); ignoring it from now", exc)
            self.stick = None
            return []
        controls = []
        for event in events:
            if event.action != "pressed":
                continue
            direction = as_seen(event.direction, self.rotation)
            control = ACTIONS.get(direction)
            if control is not None:
                log.info("joystick %s: %s", direction, control.value)
                controls.append(control)
        return controls

    def close(self) -> None:
        """Let go of the input device."""
        stick, self.stick = self.stick, None
        if stick is not None and hasattr(stick, "close"):
            stick.close()
