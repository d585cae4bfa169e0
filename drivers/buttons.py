"""GPIO push buttons as run-time controls, through gpiozero's ``Button``, on any display.

gpiozero calls back from threads of its own; each press becomes a ``Control`` handed to
``press`` (the running clock's ``Service.press``), which queues it and wakes the clock's
loop, so nothing here touches the display. gpiozero is imported only when buttons are
configured.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from binclock.config import ButtonConfig, ControlsConfig
from binclock.controls import BY_NAME, Control, Press
from binclock.driver import DriverUnavailable
from binclock.drivers import pins

log = logging.getLogger(__name__)


class Button:
    """One button's presses, releases and holds as controls.

    Pin libraries debounce differently (lgpio waits for a steady level, gpiozero's native
    pins drop edges, its mock pins do nothing), so chatter is dropped here too, the same
    way on every library: an edge counts only when the level before it held for
    ``bounce_time``. Should chatter end on the other level (a press shorter than
    ``bounce_time``), the next edge that counts takes that change first, so the button
    never stays out of step with its pin. Times are the pin factory's ``ticks()``.

    Without a long press the action is taken as the button goes down; with one, a short
    press acts when the button is let go, and a press held for ``hold_time`` (gpiozero's
    ``when_held``) takes the long action instead.
    """

    def __init__(self, config: ButtonConfig, press: Press, factory: Any) -> None:
        self.config = config
        self.action = BY_NAME[config.press]
        self.long = BY_NAME[config.long_press] if config.long_press else None
        self._press = press
        self._factory = factory
        self._lock = threading.Lock()  # the pin library may call from more than one thread
        self._down = False  # as taken
        self._level = False  # as the pin last said
        self._changed: Any = None  # when the pin last changed, in the factory's ticks
        self._held = False

    def pressed(self) -> None:
        self._edge(True)

    def released(self) -> None:
        self._edge(False)

    def held(self) -> None:
        with self._lock:
            if not self._down or self._held or self.long is None:
                return
            self._held = True
        self._send([(self.long, "held")])

    def _edge(self, down: bool) -> None:
        with self._lock:
            now = self._factory.ticks()
            steady = (
                self._changed is None
                or self._factory.ticks_diff(now, self._changed) >= self.config.bounce_time
            )
            before, self._level, self._changed = self._level, down, now
            if not steady:
                return  # chatter
            actions = []
            if before != self._down:  # chatter ended on the other level: take that first
                actions += self._take(before)
            if down != self._down:
                actions += self._take(down)
        self._send(actions)

    def _take(self, down: bool) -> list[tuple[Control, str]]:
        """The button goes ``down`` or up: what that does."""
        self._down = down
        if down:
            self._held = False
            return [(self.action, "pressed")] if self.long is None else []
        return [(self.action, "pressed")] if self.long is not None and not self._held else []

    def _send(self, actions: list[tuple[Control, str]]) -> None:
        for control, how in actions:
            log.info("button on GPIO%d %s: %s", self.config.pin, how, control.value)
            self._press(control)


class Buttons:
    """The configured buttons on their pins, sending each press to ``press``; ``close()``
    lets the pins go.

    ``pin_factory`` is gpiozero's (tests pass its ``MockFactory``); unset, gpiozero's own
    choice. A missing gpiozero, or a pin that cannot be had, raises DriverUnavailable
    saying what to do, after ``where`` (whose buttons they are).
    """

    def __init__(
        self,
        config: ControlsConfig,
        press: Press,
        *,
        pin_factory: Any = None,
        where: str = "the buttons in [controls]",
    ) -> None:
        self.devices: list[Any] = []
        self.buttons: list[Button] = []
        try:
            gpiozero = pins.import_gpiozero()
            factory = pins.pin_factory(gpiozero, pin_factory)
            for button_config in config.buttons:
                self._add(gpiozero, factory, Button(button_config, press, factory))
        except DriverUnavailable as exc:
            self.close()
            raise DriverUnavailable(f"{where}: {exc}") from None
        log.info(
            "buttons: %s", ", ".join(f"GPIO{b.config.pin} {b.config.press}" for b in self.buttons)
        )

    def _add(self, gpiozero: Any, factory: Any, button: Button) -> None:
        config = button.config
        device = pins.claim(
            gpiozero,
            lambda: gpiozero.Button(
                config.pin,
                pull_up=config.pull_up,
                bounce_time=config.bounce_time or None,
                hold_time=config.hold_time,
                pin_factory=factory,
            ),
            f"the button on GPIO{config.pin}",
        )
        self.devices.append(device)
        self.buttons.append(button)
        device.when_pressed = button.pressed
        device.when_released = button.released
        if button.long is not None:
            device.when_held = button.held

    def close(self) -> None:
        """Let the pins go (a second call does nothing)."""
        devices, self.devices = self.devices, []
        for device in devices:
            device.close()


def open_buttons(config: ControlsConfig, press: Press, **handles: Any) -> Buttons | None:
    """The buttons ``config`` asks for, sending to ``press``; None when there are none
    (gpiozero is then not imported)."""
    if not config.buttons:
        return None
    return Buttons(config, press, **handles)
