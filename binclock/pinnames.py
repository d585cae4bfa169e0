"""Pin names on the Raspberry Pi's 40-pin header, as the configuration takes them.

Pins are BCM GPIO numbers (``17``) or names gpiozero also understands (``"GPIO17"``,
``"BCM17"``, ``"BOARD11"``, ``"J8:11"``); ``"-"`` marks a cell with nothing wired to it.
The configuration's buttons and the gpio and servo drivers' grids read pins with these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

# The 40-pin header of every Pi since the B+: physical pin -> BCM GPIO number or supply rail.
HEADER: Mapping[int, int | str] = {
    1: "3V3", 2: "5V", 3: 2, 4: "5V", 5: 3, 6: "GND", 7: 4, 8: 14, 9: "GND", 10: 15,
    11: 17, 12: 18, 13: 27, 14: "GND", 15: 22, 16: 23, 17: "3V3", 18: 24, 19: 10, 20: "GND",
    21: 9, 22: 25, 23: 11, 24: 8, 25: "GND", 26: 7, 27: 0, 28: 1, 29: 5, 30: "GND",
    31: 6, 32: 12, 33: 13, 34: "GND", 35: 19, 36: 16, 37: 26, 38: 20, 39: "GND", 40: 21,
}  # fmt: skip
GPIOS = frozenset(p for p in HEADER.values() if isinstance(p, int))  # GPIO0 .. GPIO27

NONE = "-"
PIN_HELP = "a pin is a BCM number such as 17, or 'GPIO17', 'BOARD11' or '-' for none"

_BCM = re.compile(r"(?:GPIO|BCM)?(\d+)")
_PHYSICAL = re.compile(r"(?:BOARD|J8:)(\d+)")


def parse_pin(value: Any) -> int | None:
    """A pin as a BCM number on the 40-pin header, or None for ``"-"``; ValueError otherwise."""
    if value is None or value == NONE:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(PIN_HELP)
    if isinstance(value, str):
        text = value.strip().upper()
        if match := _PHYSICAL.fullmatch(text):
            return _physical(int(match.group(1)))
        match = _BCM.fullmatch(text)
        if not match:
            raise ValueError(PIN_HELP)
        value = int(match.group(1))
    if value not in GPIOS:
        raise ValueError(f"GPIO{value} is not on the 40-pin header (GPIO0 to GPIO27)")
    return value


def _physical(number: int) -> int:
    if number not in HEADER:
        raise ValueError(f"the header has pins 1 to 40, not {number}")
    pin = HEADER[number]
    if isinstance(pin, str):
        raise ValueError(f"header pin {number} is {pin}, not a GPIO")
    return pin


def invalid(model: type, loc: tuple[str | int, ...], value: Any, message: str) -> ValidationError:
    """A validation error at ``loc`` (so the config error names that key), for model checks."""
    error = PydanticCustomError("invalid_pins", message)
    return ValidationError.from_exception_data(
        model.__name__, [InitErrorDetails(type=error, loc=loc, input=value)]
    )
