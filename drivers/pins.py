"""GPIO pins for the gpio and servo drivers: pin names, pin grids in config, and gpiozero access.

Pin names come from ``binclock.pinnames``, which the configuration shares.
Nothing here imports gpiozero until a driver is built.
"""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import BeforeValidator, Field, model_validator

from binclock import machine
from binclock.driver import DriverOptions, DriverUnavailable
from binclock.frame import RGB
from binclock.pinnames import invalid, parse_pin

log = logging.getLogger(__name__)


# The default wiring (docs/gpio.md): the binary face's columns H, M, S, 32 at the top.
# Hours never reach 32, so that cell has no LED.
DEFAULT_GRID: tuple[tuple[int | None, ...], ...] = (
    (None, 16, 22),
    (4, 17, 23),
    (5, 18, 24),
    (6, 19, 25),
    (12, 20, 26),
    (13, 21, 27),
)

Pin = Annotated[int | None, BeforeValidator(parse_pin)]


# When an on/off pixel (an LED on a pin, a disc, a monochrome display's dot) is lit.
Threshold = Annotated[
    float,
    Field(
        ge=0.0,
        lt=1.0,
        description="a pixel counts as lit when its colour's luminance (0-1) is above this;"
        " 0: any colour but black",
    ),
]


def luminance(rgb: RGB) -> float:
    """Relative luminance 0-1 of an (r, g, b) colour (Rec. 709 weights)."""
    r, g, b = rgb
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@dataclass(frozen=True)
class PinLayout:
    """Which pin drives each pixel: ``pins`` row-major like a frame's pixels, None for none."""

    width: int
    height: int
    pins: tuple[int | None, ...]
    names: tuple[str, ...] = ()  # column names, left to right, when the columns were named

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def wired(self) -> list[tuple[int, int]]:
        """(pixel index, pin) of every pixel that has a pin, in pixel order."""
        return [(i, p) for i, p in enumerate(self.pins) if p is not None]

    def pin(self, x: int, y: int) -> int | None:
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError(f"pixel ({x}, {y}) is outside the {self.width}x{self.height} grid")
        return self.pins[y * self.width + x]

    def describe(self, x: int, y: int) -> str:
        """E.g. "GPIO17", "GPIO17 (hours)" for named columns, or "no pin" where none is wired."""
        pin = self.pin(x, y)
        if pin is None:
            return "no pin"
        return f"GPIO{pin} ({self.names[x]})" if self.names else f"GPIO{pin}"


class PinGridOptions(DriverOptions):
    """Where the pixels are wired: a ``grid`` of pins, or named ``columns`` of pins."""

    grid: tuple[tuple[Pin, ...], ...] = Field(
        DEFAULT_GRID,
        description="pins row by row, top row first, left to right; '-' where nothing is"
        " wired; default: the wiring in docs/gpio.md for the binary face",
    )
    columns: dict[str, tuple[Pin, ...]] | None = Field(
        None,
        description="instead of grid: named columns, left to right in the order written,"
        " each a list of pins in bit_order; shorter columns sit on the bottom row",
    )
    bit_order: Literal["msb-first", "lsb-first"] | None = Field(
        None,
        description="with columns, required: whether each list starts with the top bit"
        " (msb-first) or the bottom bit, 1 (lsb-first)",
    )
    threshold: Threshold = 0.0

    @model_validator(mode="after")
    def _check_layout(self) -> Self:
        if self.columns is None:
            if self.bit_order is not None:
                raise invalid(type(self), ("bit_order",), self.bit_order, "only used with columns")
            _check_grid(type(self), self.grid)
            return self
        if "grid" in self.model_fields_set:
            raise invalid(type(self), ("columns",), {}, "give grid or columns, not both")
        if self.bit_order is None:
            raise invalid(
                type(self), ("bit_order",), None, "say 'msb-first' or 'lsb-first' for the columns"
            )
        _check_columns(type(self), self.columns)
        return self

    def gpio_pins(self) -> frozenset[int]:
        """Every pin the display takes (what ``binclock doctor`` keeps buttons off)."""
        return frozenset(pin for _, pin in self.layout().wired())

    def layout(self) -> PinLayout:
        """The validated wiring as a PinLayout."""
        if self.columns is None:
            pins = tuple(p for row in self.grid for p in row)
            return PinLayout(len(self.grid[0]), len(self.grid), pins)
        height = max(len(column) for column in self.columns.values())
        bottom_up = self.bit_order == "lsb-first"
        padded = [
            (None,) * (height - len(c)) + (tuple(reversed(c)) if bottom_up else c)
            for c in self.columns.values()
        ]
        pins = tuple(padded[x][y] for y in range(height) for x in range(len(padded)))
        return PinLayout(len(padded), height, pins, tuple(self.columns))


def _check_grid(model: type, grid: Sequence[Sequence[int | None]]) -> None:
    if not grid or not grid[0]:
        raise invalid(model, ("grid",), [], "needs at least one row of pins")
    for y, row in enumerate(grid):
        if len(row) != len(grid[0]):
            raise invalid(
                model,
                ("grid", y),
                list(row),
                f"every row needs {len(grid[0])} cells like the first; use '-' where nothing is"
                " wired",
            )
    cells = {("grid", y, x): p for y, row in enumerate(grid) for x, p in enumerate(row)}
    _check_pins(model, "grid", cells)


def _check_columns(model: type, columns: Mapping[str, Sequence[int | None]]) -> None:
    if not columns:
        raise invalid(model, ("columns",), {}, "needs at least one column of pins")
    for name, pins in columns.items():
        if not pins:
            raise invalid(model, ("columns", name), [], "needs at least one pin")
    cells = {("columns", n, i): p for n, pins in columns.items() for i, p in enumerate(pins)}
    _check_pins(model, "columns", cells)


def _check_pins(model: type, key: str, cells: Mapping[tuple[str | int, ...], int | None]) -> None:
    seen: dict[int, tuple[str | int, ...]] = {}
    for loc, pin in cells.items():
        if pin is None:
            continue
        if pin in seen:
            first = ".".join(map(str, seen[pin]))
            raise invalid(model, loc, pin, f"GPIO{pin} is already used at {first}")
        seen[pin] = loc
    if not seen:
        raise invalid(model, (key,), [], "no pins: every cell is '-'")


# -- gpiozero ---------------------------------------------------------------------------

FACTORY_ENV = "GPIOZERO_PIN_FACTORY"
GPIO_GROUP = (
    "no permission to use the GPIO pins: add this user to the gpio group"
    " (sudo adduser $USER gpio) and log in again"
)
_PERMISSION = ("permission denied", "no access to /dev/mem", "errno 13", "operation not permitted")


def import_gpiozero() -> ModuleType:
    """gpiozero, or DriverUnavailable naming the extra that installs it."""
    try:
        return importlib.import_module("gpiozero")
    except ImportError:
        raise DriverUnavailable(
            "gpiozero is not installed: pip install 'binclock[gpio]'"
            " (or sudo apt install python3-gpiozero)"
        ) from None


def pin_factory(gpiozero: ModuleType, given: Any = None, proc: Path = Path("/proc")) -> Any:
    """The pin factory to build devices on: ``given``, else gpiozero's own choice.

    gpiozero picks the factory (``$GPIOZERO_PIN_FACTORY``, else lgpio, RPi.GPIO, pigpio,
    native); when none works, the warnings it gave on the way say why, and the error
    raised says what to do about it.
    """
    if given is not None:
        return given
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gpiozero.Device.ensure_pin_factory()
        # A factory's constructor raises its own library's errors (lgpio.error, RuntimeError
        # from RPi.GPIO, OSError, ImportError); any of them means no pins here.
        except Exception as exc:
            notes = [str(w.message) for w in caught]
            raise DriverUnavailable(no_factory(exc, notes, os.environ, proc)) from exc
    for w in caught:
        if type(w.message).__name__ == "NativePinFactoryFallback":
            log.warning("gpiozero fell back to its native pin factory; install lgpio for PWM")
        else:
            log.debug("%s", w.message)
    return gpiozero.Device.pin_factory


def no_factory(
    exc: BaseException, notes: Sequence[str], environ: Mapping[str, str], proc: Path
) -> str:
    """What to do when gpiozero found no pin factory, as one line."""
    text = " ".join([str(exc), *notes]).lower()
    pi = is_raspberry_pi(proc)
    # lgpio says only "can not open gpiochip"; every Pi has one, so it is the permission.
    if any(marker in text for marker in _PERMISSION) or (pi and "can not open gpiochip" in text):
        return GPIO_GROUP
    if environ.get(FACTORY_ENV):
        return f"{FACTORY_ENV}={environ[FACTORY_ENV]} cannot be used here: {_first_line(exc)}"
    if not pi:
        return (
            "no GPIO pins here (this is not a Raspberry Pi): run binclock on the Pi, or try it"
            f" on simulated pins with {FACTORY_ENV}=mock GPIOZERO_MOCK_PIN_CLASS=mockpwmpin"
        )
    return (
        "gpiozero has no pin library to drive the GPIO pins: install lgpio"
        " (sudo apt install python3-lgpio, or pip install lgpio); on a Pi 5 only lgpio works"
    )


def is_raspberry_pi(proc: Path = Path("/proc")) -> bool:
    """True when the board's model (the device tree's, else cpuinfo's) names a Raspberry Pi."""
    return machine.is_pi(machine.read_model(proc / "device-tree" / "model", proc / "cpuinfo"))


T = TypeVar("T")


def claim(gpiozero: ModuleType, build: Callable[[], T], what: str) -> T:
    """``build()`` a gpiozero device; failures to get its pins become DriverUnavailable."""
    try:
        return build()
    # Pin libraries raise their own error types (lgpio.error, RuntimeError, OSError) when a
    # pin cannot be had; gpiozero's own are GPIOZeroError subclasses.
    except Exception as exc:
        raise DriverUnavailable(device_error(gpiozero, exc, what)) from exc


def device_error(gpiozero: ModuleType, exc: BaseException, what: str) -> str:
    """What to do when the pins for ``what`` (e.g. "the LEDs") could not be claimed."""
    reason = _first_line(exc)
    if isinstance(exc, gpiozero.PinPWMUnsupported):
        return (
            f"the pin library cannot do PWM, needed for {what}: install lgpio"
            " (with the mock factory, set GPIOZERO_MOCK_PIN_CLASS=mockpwmpin)"
        )
    if any(marker in reason.lower() for marker in _PERMISSION):
        return GPIO_GROUP
    if isinstance(exc, gpiozero.GPIOPinInUse) or "busy" in reason.lower():
        return f"a pin for {what} is in use by another program or device: {reason}"
    return f"cannot use the GPIO pins for {what}: {reason}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]  # lgpio's errors come quoted: "'GPIO busy'"
    return text.splitlines()[0] if text else type(exc).__name__
