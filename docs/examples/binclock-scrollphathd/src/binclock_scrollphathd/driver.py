"""The Pimoroni Scroll pHAT HD: 17x7 white LEDs behind an IS31FL3731 chip on I²C."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from typing import Any, ClassVar

from binclock.driver import BaseDriver, DriverOptions, DriverUnavailable, Tones
from binclock.frame import Frame
from binclock.machine import Finding, Machine
from pydantic import Field

WIDTH, HEIGHT = 17, 7
LEDS = 144  # PWM registers per frame of the IS31FL3731; the pHAT wires 119 of them
PAGES = (0, 1)  # the chip's frames this driver draws into, in turn
INSTALL = "pip install scrollphathd"  # it brings smbus2 and numpy along
NOBODY_HOME = {errno.EIO, errno.ENXIO, errno.EREMOTEIO}  # how I²C says no chip answered


class ScrollPhatHdOptions(DriverOptions):
    bus: int = Field(
        1, ge=0, description="I2C bus number, as in /dev/i2c-N (1 on every Pi with a 40-pin header)"
    )
    address: int = Field(
        0x74,
        ge=0x03,
        le=0x77,
        description="I2C address of the display's IS31FL3731 (the Scroll pHAT HD answers at 0x74)",
    )


class ScrollPhatHdDriver(BaseDriver):
    """Draws each changed frame into the chip's hidden frame, then flips to it (no tearing).

    The LEDs are white, so a pixel's brightness is its brightest channel, looked up in the
    scrollphathd library's gamma table. ``i2c`` is an ``smbus2.SMBus``-like object to use
    instead of opening the bus: the tests pass a fake chip there.
    """

    name: ClassVar[str] = "scrollphathd"
    description: ClassVar[str] = "Pimoroni Scroll pHAT HD, 17x7 white LEDs on I2C (example plugin)"
    Options: ClassVar[type[DriverOptions]] = ScrollPhatHdOptions
    requires: ClassVar[tuple[str, ...]] = ("scrollphathd", "smbus2")
    tones: Tones = "grey"  # white LEDs, each at its own brightness
    size = (WIDTH, HEIGHT)

    def __init__(
        self, options: ScrollPhatHdOptions | None = None, *, i2c: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(options, **kwargs)
        opts: ScrollPhatHdOptions = self.options  # type: ignore[assignment]
        try:
            import scrollphathd
            import smbus2
            from scrollphathd.is31fl3731 import IS31FL3731
        except ImportError as exc:
            missing = exc.name or "scrollphathd"
            raise DriverUnavailable(f"the {missing} library is missing: {INSTALL}") from None
        # The pHAT's wiring and gamma table come from the vendor library, which keeps them
        # private to its module-level API (one display per process, cleared at exit); this
        # driver drives the library's chip class itself so that it owns the bus it opens.
        self.leds = wiring(scrollphathd._pixel_addr)
        self.gamma: Sequence[int] = scrollphathd._gamma_table
        self._page = PAGES[0]
        self._opened = i2c is None
        self.i2c = open_bus(smbus2, opts.bus) if i2c is None else i2c
        try:
            self.chip = IS31FL3731(i2c=self.i2c, address=opts.address)
            for page in PAGES:
                self.chip.enable_leds(page, enable_pattern(self.leds))
        except OSError as exc:
            self._close_bus()
            raise DriverUnavailable(unreachable(exc, opts)) from None

    @classmethod
    def check(cls, machine: Machine, options: ScrollPhatHdOptions) -> Finding:
        """This driver's row in ``binclock doctor``, and READY in ``--list-drivers``: the
        libraries, the bus's device node and whether you may open it. It opens nothing."""
        missing = machine.missing(cls.requires)
        if missing:
            return Finding(f"not installed: no module {', '.join(missing)}", INSTALL)
        node = machine.path(f"/dev/i2c-{options.bus}")
        if not node.exists():
            return Finding(f"no /dev/i2c-{options.bus}", no_bus(options.bus))
        if not machine.may_open(node):
            return Finding(f"/dev/i2c-{options.bus}: may not open it", machine.access_fix(node))
        return Finding(f"I2C bus {options.bus}, the pHAT expected at 0x{options.address:02x}")

    def _draw(self, frame: Frame) -> None:
        levels = [0] * LEDS
        for led, (r, g, b) in zip(self.leds, frame.pixels, strict=True):
            levels[led] = self.gamma[max(r, g, b)]
        self._flip(levels)

    def _dark(self) -> None:
        """Software shutdown: every LED off, the chip in its low-power state."""
        self.chip.sleep(True)

    def _release(self) -> None:
        self._close_bus()

    def _flip(self, levels: list[int]) -> None:
        """Upload ``levels`` to the frame not on show, then show it."""
        hidden = PAGES[1] if self._page == PAGES[0] else PAGES[0]
        self.chip.set_frame(hidden, levels)
        self.chip.update_frame(hidden)
        self.chip.show_frame(hidden)
        self._page = hidden

    def _close_bus(self) -> None:
        if self._opened:
            self.i2c.close()


def wiring(pixel_addr: Any) -> list[int]:
    """The chip's LED number for each pixel, row-major from the top-left as frames are.

    ``pixel_addr`` is scrollphathd's own map, which counts rows from the bottom.
    """
    return [pixel_addr(x, HEIGHT - 1 - y) for y in range(HEIGHT) for x in range(WIDTH)]


def enable_pattern(leds: Sequence[int]) -> list[int]:
    """The chip's LED-enable bytes (one bit per LED, 8 LEDs a byte) lighting only ``leds``."""
    pattern = [0] * (LEDS // 8)
    for led in leds:
        pattern[led // 8] |= 1 << (led % 8)
    return pattern


def open_bus(smbus2: Any, number: int) -> Any:
    """``smbus2.SMBus(number)``, with what to do when the bus is missing or not ours."""
    try:
        return smbus2.SMBus(number)
    except FileNotFoundError:
        raise DriverUnavailable(no_bus(number)) from None
    except PermissionError:
        raise DriverUnavailable(
            f"no permission to use /dev/i2c-{number}: sudo usermod -aG i2c $USER,"
            " then log out and in again"
        ) from None
    except OSError as exc:
        raise DriverUnavailable(f"cannot open /dev/i2c-{number}: {reason(exc)}") from None


def no_bus(number: int) -> str:
    """What to do when I2C bus ``number`` has no device node."""
    return (
        f"no I2C bus {number} (/dev/i2c-{number}): enable I2C with"
        " 'sudo raspi-config nonint do_i2c 0', then reboot"
    )


def unreachable(exc: OSError, opts: ScrollPhatHdOptions) -> str:
    """One line saying why the chip could not be set up, and what to check."""
    where = f"0x{opts.address:02x} on I2C bus {opts.bus}"
    if exc.errno in NOBODY_HOME:
        return (
            f"no Scroll pHAT HD answers at {where}: check it is pressed fully onto the header"
            f" ('i2cdetect -y {opts.bus}' should list {opts.address:02x})"
        )
    return f"the Scroll pHAT HD at {where} cannot be used: {reason(exc)}"


def reason(exc: OSError) -> str:
    """The error in a few words, on one line (the vendor library appends advice to some)."""
    return os.strerror(exc.errno) if exc.errno else str(exc).splitlines()[0]
