"""What ``binclock doctor`` finds for the ``[[controls.buttons]]``: gpiozero and a pin
library with its device, as for GPIO LEDs, and each button on a pin no display in use takes
(which the clock would find only as it started, and stop)."""

from __future__ import annotations

from collections.abc import Mapping

from binclock.config import ControlsConfig
from binclock.drivers import pins_check
from binclock.machine import Finding, Machine

MOVE = "move the button to a pin no display takes"


def check(machine: Machine, controls: ControlsConfig, taken: Mapping[int, str]) -> list[Finding]:
    """The buttons' own finding first (a ``fix`` means the clock would not start with them),
    then the pin library's further findings; ``taken`` names, for each pin a display in
    use takes, that display."""
    first, *more = pins_check.check(machine, pwm=False)
    if first.fix:
        return [first]
    clashes = [
        f"GPIO{b.pin} (buttons.{n}) is also a pin of {taken[b.pin]}"
        for n, b in enumerate(controls.buttons)
        if b.pin in taken
    ]
    if clashes:
        return [Finding("; ".join(clashes), MOVE)]
    on = ", ".join(f"GPIO{b.pin}" for b in controls.buttons)
    return [Finding(f"{on}: {first.found}"), *more]
