"""An IS31FL3731 LED driver chip on an I2C bus, as an ``smbus2.SMBus``-like object.

It keeps the chip's register memory the way the datasheet lays it out: register 0xFD
selects a page; pages 0-7 are picture frames (LED-enable bits at 0x00, PWM levels at
0x24), page 0x0B holds the function registers (mode, the frame on show, shutdown). What
the LEDs show is worked out from that memory alone, so the tests see what a real chip
would light, whatever code wrote it.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

PAGE_SELECT = 0xFD
FUNCTION_PAGE = 0x0B
FRAME_PAGES = range(8)
FRAME_BYTES = 0xB4
ENABLE, PWM = 0x00, 0x24
MODE, PICTURE_FRAME, SHUTDOWN = 0x00, 0x01, 0x0A
LEDS = 144
BLOCK_MAX = 32  # the most an SMBus block write carries (smbus2 refuses more)


class FakeIS31FL3731:
    """The chip at ``address``; any other address gets the bus's "nobody answered" error."""

    def __init__(self, address: int = 0x74) -> None:
        self.address = address
        self.page = 0
        self.frames = [bytearray(FRAME_BYTES) for _ in FRAME_PAGES]
        self.function = bytearray(0x0D)  # power-up: all zero, so in shutdown
        self.writes = 0
        self.writes_to_shown_frame = 0
        self.closed = False

    # -- the smbus2.SMBus methods the vendor library uses --------------------------------

    def write_byte_data(self, address: int, register: int, value: int) -> None:
        self._transfer(address)
        if register == PAGE_SELECT:
            if value not in FRAME_PAGES and value != FUNCTION_PAGE:
                raise ValueError(f"no page {value:#x} on an IS31FL3731")
            self.page = value
            return
        self._store(register, [int(value)])

    def write_i2c_block_data(self, address: int, register: int, data: Sequence[int]) -> None:
        if len(data) > BLOCK_MAX:
            raise ValueError(f"an SMBus block write carries at most {BLOCK_MAX} bytes")
        self._transfer(address)
        self._store(register, [int(v) for v in data])

    def read_byte_data(self, address: int, register: int) -> int:
        self._transfer(address, write=False)
        if register == PAGE_SELECT:
            return self.page
        return self._memory()[register]

    def close(self) -> None:
        self.closed = True

    # -- what the LEDs show ----------------------------------------------------------------

    @property
    def awake(self) -> bool:
        return bool(self.function[SHUTDOWN] & 1)

    @property
    def shown_frame(self) -> int:
        return self.function[PICTURE_FRAME] & 0x07

    @property
    def picture_mode(self) -> bool:
        """Showing one still frame (mode bits 4:3 clear), not playing frames in turn."""
        return self.function[MODE] & 0x18 == 0

    def levels(self) -> list[int]:
        """The PWM level each of the 144 LEDs is lit at now (0: dark)."""
        if not self.awake or not self.picture_mode:
            return [0] * LEDS
        frame = self.frames[self.shown_frame]
        return [
            frame[PWM + led] if frame[ENABLE + led // 8] >> (led % 8) & 1 else 0
            for led in range(LEDS)
        ]

    # -- the bus ---------------------------------------------------------------------------

    def _transfer(self, address: int, *, write: bool = True) -> None:
        if self.closed:
            raise ValueError("the bus is closed")
        if address != self.address:
            raise OSError(errno.EREMOTEIO, "Remote I/O error")
        self.writes += write

    def _memory(self) -> bytearray:
        return self.function if self.page == FUNCTION_PAGE else self.frames[self.page]

    def _store(self, register: int, values: list[int]) -> None:
        memory = self._memory()
        if register + len(values) > len(memory) or not all(0 <= v <= 255 for v in values):
            raise ValueError(f"bad write of {values} at {register:#x} on page {self.page:#x}")
        if self.page == self.shown_frame and self.awake and register >= PWM:
            self.writes_to_shown_frame += 1
        memory[register : register + len(values)] = bytes(values)


def absent_bus() -> int:
    """An I2C bus number this machine does not have (no /dev/i2c-N)."""
    return next(n for n in range(1, 256) if not Path(f"/dev/i2c-{n}").exists())
