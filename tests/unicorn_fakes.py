"""Stand-ins for ``spidev`` and ``RPi.GPIO`` under Pimoroni's ``unicornhatmini`` library, and
the Unicorn HAT Mini's two Holtek HT16D35 LED controllers they talk to.

The library runs unchanged: it toggles each controller's chip select on a GPIO pin (8 for
the left controller, 7 for the right) and writes its commands with ``SpiDev.xfer2``. The
bus hands each transfer to the controllers whose chip select is low, and each controller
keeps what the HT16D35 datasheet says it keeps: its display RAM (one 6-bit grey level a
byte, ``COM * 28 + ROW``), which COM and ROW lines are driven, whether its oscillator and
display are on, and its global brightness. ``Hat.image()`` then reads the 17x7 picture back
from those registers alone, through the HAT's wiring written out below, independently of
the library's own lookup table.
"""

from __future__ import annotations

import atexit
import errno
import sys
import types
from collections.abc import Callable

import pytest

RGB = tuple[int, int, int]
WIDTH, HEIGHT = 17, 7

# The HT16D35's commands, from its datasheet.
SOFT_RESET = 0xCC
GLOBAL_BRIGHTNESS = 0x37
COM_PINS = 0x41
ROW_PINS = 0x42
WRITE_DISPLAY = 0x80
SYSTEM = 0x35
SCROLL = 0x20
OSCILLATOR_ON, DISPLAY_ON = 0x02, 0x01

CE = {0: 8, 1: 7}  # SPI0's chip enables: CE0 is GPIO8, CE1 is GPIO7
LEFT_COLUMNS = 9  # the controller on GPIO8 drives columns 0-8, the one on GPIO7 9-16
COMS = (4, 7, 5, 6, 3, 1, 2)  # the COM line of each matrix row, top row first


def row_lines(column: int) -> tuple[int, int, int]:
    """The ROW lines of a controller's red, green and blue LEDs in its ``column``."""
    if column == 0:
        return (27, 26, 25)
    if column == 1:
        return (24, 23, 22)
    first = 3 * (column - 2) + 1
    return (first, first + 2, first + 1)


class HT16D35:
    """One LED controller's registers, as SPI commands set them."""

    def __init__(self) -> None:
        self.reset()
        self.writes = 0  # display RAM writes since power-up

    def reset(self) -> None:
        self.ram = bytearray(8 * 28)
        self.coms = 0  # bit n: COM line n driven
        self.rows = 0  # bit n: ROW line n driven
        self.system = 0
        self.brightness = 0x3F

    def command(self, data: list[int]) -> None:
        op, args = data[0], data[1:]
        if op == SOFT_RESET:
            self.reset()
        elif op == GLOBAL_BRIGHTNESS:
            self.brightness = args[0] & 0x3F
        elif op == SYSTEM:
            self.system = args[0]
        elif op == COM_PINS:
            self.coms = args[0]
        elif op == ROW_PINS:
            self.rows = int.from_bytes(bytes(args[:4]), "little")
        elif op == WRITE_DISPLAY:
            address = args[0]
            for offset, value in enumerate(args[1:]):
                self.ram[address + offset] = value & 0x3F
            self.writes += 1
        elif op == SCROLL:
            assert args == [0], "the clock never scrolls"
        else:
            raise AssertionError(f"unknown HT16D35 command {op:#04x}")

    @property
    def on(self) -> bool:
        return self.system & (OSCILLATOR_ON | DISPLAY_ON) == OSCILLATOR_ON | DISPLAY_ON

    def level(self, com: int, row: int) -> int:
        """The 6-bit level the LED on ``com`` and ``row`` shows (0 when it is not driven)."""
        driven = self.on and self.coms >> com & 1 and self.rows >> row & 1
        return self.ram[com * 28 + row] if driven else 0


class Hat:
    """The HAT on its bus: GPIO levels, SPI devices and the two controllers.

    ``missing`` or ``forbidden`` make opening the SPI devices fail as the kernel does.
    """

    def __init__(self) -> None:
        self.levels: dict[int, int] = {}
        self.chips = {CE[0]: HT16D35(), CE[1]: HT16D35()}
        self.missing = False
        self.forbidden = False
        self.devices: list[SpiDev] = []

    def selected(self, device: SpiDev) -> list[HT16D35]:
        low = {pin for pin, level in self.levels.items() if level == 0}
        if not device.no_cs:
            low.add(CE[device.device])
        return [chip for pin, chip in self.chips.items() if pin in low]

    def image(self) -> list[RGB]:
        """The 17x7 picture the LEDs show, row by row, each channel 6 bits (0-63)."""
        pixels = []
        for y in range(HEIGHT):
            for x in range(WIDTH):
                chip = self.chips[CE[0] if x < LEFT_COLUMNS else CE[1]]
                lines = row_lines(x if x < LEFT_COLUMNS else x - LEFT_COLUMNS)
                r, g, b = (chip.level(COMS[y], row) for row in lines)
                pixels.append((r, g, b))
        return pixels

    def writes(self) -> int:
        return sum(chip.writes for chip in self.chips.values())

    # -- the modules the library imports ----------------------------------------------

    def spidev(self) -> types.ModuleType:
        hat = self
        module = types.ModuleType("spidev")

        def open_device(bus: int, device: int) -> SpiDev:
            return SpiDev(hat, bus, device)

        module.SpiDev = open_device  # type: ignore[attr-defined]
        return module

    def gpio(self) -> types.ModuleType:
        hat = self
        module = types.ModuleType("RPi.GPIO")
        module.BCM, module.OUT, module.IN = 11, 0, 1  # type: ignore[attr-defined]
        module.LOW, module.HIGH = 0, 1  # type: ignore[attr-defined]
        module.setwarnings = lambda flag: None  # type: ignore[attr-defined]
        module.setmode = lambda mode: None  # type: ignore[attr-defined]

        def setup(pin: int, direction: int, initial: int = 0) -> None:
            hat.levels[pin] = initial

        def output(pin: int, level: int) -> None:
            assert pin in hat.levels, f"GPIO{pin} written before it was set up"
            hat.levels[pin] = level

        module.setup, module.output = setup, output  # type: ignore[attr-defined]
        return module


class SpiDev:
    """``spidev.SpiDev(bus, device)``: each ``xfer2`` goes to the selected controllers."""

    def __init__(self, hat: Hat, bus: int, device: int) -> None:
        path = f"/dev/spidev{bus}.{device}"
        if hat.missing:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory")
        if hat.forbidden:
            raise PermissionError(errno.EACCES, "Permission denied")
        self.hat, self.bus, self.device, self.path = hat, bus, device, path
        self.no_cs = False
        self.max_speed_hz = 0
        self.closed = False
        hat.devices.append(self)

    def xfer2(self, data: list[int]) -> list[int]:
        if self.closed:
            raise OSError(errno.EBADF, "Bad file descriptor")
        assert all(0 <= byte <= 0xFF for byte in data), "SPI carries bytes"
        for chip in self.hat.selected(self):
            chip.command(list(data))
        return [0] * len(data)

    def close(self) -> None:
        self.closed = True


def install(monkeypatch: pytest.MonkeyPatch, hat: Hat) -> list[Callable[[], None]]:
    """Make ``unicornhatmini`` run on ``hat``; the list collects what it leaves for exit."""
    spidev, gpio = hat.spidev(), hat.gpio()
    rpi = types.ModuleType("RPi")
    rpi.GPIO = gpio  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "spidev", spidev)
    monkeypatch.setitem(sys.modules, "RPi", rpi)
    monkeypatch.setitem(sys.modules, "RPi.GPIO", gpio)
    import unicornhatmini  # after the stand-ins: it imports RPi.GPIO as it loads

    monkeypatch.setattr(unicornhatmini, "spidev", spidev)
    monkeypatch.setattr(unicornhatmini, "GPIO", gpio)
    at_exit: list[Callable[[], None]] = []

    def register(function: Callable[[], None]) -> Callable[[], None]:
        at_exit.append(function)
        return function

    def unregister(function: Callable[[], None]) -> None:
        at_exit[:] = [f for f in at_exit if f != function]

    monkeypatch.setattr(atexit, "register", register)
    monkeypatch.setattr(atexit, "unregister", unregister)
    return at_exit
