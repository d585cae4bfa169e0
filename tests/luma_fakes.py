"""Stand-ins for the kernel's SPI and I2C devices, and models of the chips behind them.

``spidev.SpiDev`` and ``smbus2.SMBus`` are replaced by recorders that answer as the kernel
does (a missing node, a refused one); everything above them is luma's own code. The chip
models read what the MAX7219s and the SSD1306 would receive, after their datasheets, with
no help from luma: the tests read the time back from those bytes.
"""

from __future__ import annotations

import errno
import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

Pixels = set[tuple[int, int]]  # the lit pixels, as (x, y) from the top-left


# -- the kernel's devices ----------------------------------------------------------------


def refused(failure: int | None, node: str) -> OSError | None:
    """The error the kernel gives when opening ``node`` with ``failure`` (None: it opens)."""
    return None if failure is None else OSError(failure, os.strerror(failure), node)


@dataclass
class Spi:
    """What a program did with ``/dev/spidevB.D``: each ``writebytes`` is one transfer, the
    chip select held low for it."""

    failure: int | None = None  # errno of opening, e.g. ENOENT: the node is missing
    fails_after: int | None = None  # transfers that go through before each one fails (EIO)
    opened: tuple[int, int] | None = None
    transfers: list[bytes] = field(default_factory=list)
    closed: bool = False

    def SpiDev(self) -> SpiDev:  # named as spidev names it
        return SpiDev(self)


class SpiDev:
    def __init__(self, record: Spi) -> None:
        self.record = record
        self.max_speed_hz = 500000
        self.mode = 0

    def open(self, bus: int, device: int) -> None:
        error = refused(self.record.failure, f"/dev/spidev{bus}.{device}")
        if error is not None:
            raise error
        self.record.opened = (bus, device)

    def writebytes(self, data: list[int]) -> None:
        assert self.record.opened and len(data) <= 4096, "spidev takes 4096 bytes a transfer"
        if (
            self.record.fails_after is not None
            and len(self.record.transfers) >= self.record.fails_after
        ):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        self.record.transfers.append(bytes(data))

    def close(self) -> None:
        self.record.closed = True


@dataclass
class I2c:
    """What a program sent on ``/dev/i2c-N``: each message as (address, bytes)."""

    failure: int | None = None
    answers: frozenset[int] = frozenset({0x3C})  # the addresses a device acknowledges
    port: int | None = None
    messages: list[tuple[int, bytes]] = field(default_factory=list)
    closed: bool = False

    def SMBus(self, port: int) -> SMBus:  # named as smbus2 names it
        error = refused(self.failure, f"/dev/i2c-{port}")
        if error is not None:
            raise error
        self.port = port
        return SMBus(self)


class SMBus:
    def __init__(self, record: I2c) -> None:
        self.record = record

    def _send(self, address: int, payload: bytes) -> None:
        if address not in self.record.answers:
            raise OSError(errno.EREMOTEIO, os.strerror(errno.EREMOTEIO))
        self.record.messages.append((address, payload))

    def write_i2c_block_data(self, address: int, register: int, data: list[int]) -> None:
        assert len(data) <= 32, "an SMBus block is at most 32 bytes"
        self._send(address, bytes([register, *data]))

    def i2c_rdwr(self, *messages: object) -> None:
        for message in messages:
            self._send(message.addr, bytes(message))  # type: ignore[attr-defined]

    def close(self) -> None:
        self.record.closed = True


@contextmanager
def kernel(
    monkeypatch: pytest.MonkeyPatch, spi: Spi | None = None, i2c: I2c | None = None
) -> Iterator[tuple[Spi, I2c]]:
    """``spidev`` and ``smbus2`` answering from ``spi`` and ``i2c`` (with every node there
    unless they say otherwise); smbus2's own ``i2c_msg`` builds the messages."""
    import smbus2

    spi, i2c = spi or Spi(), i2c or I2c()
    monkeypatch.setitem(sys.modules, "spidev", types.SimpleNamespace(SpiDev=spi.SpiDev))
    fake_smbus2 = types.SimpleNamespace(SMBus=i2c.SMBus, i2c_msg=smbus2.i2c_msg)
    monkeypatch.setitem(sys.modules, "smbus2", fake_smbus2)
    yield spi, i2c


# -- the chips ---------------------------------------------------------------------------

NOOP, DECODE_MODE, INTENSITY, SCAN_LIMIT, SHUTDOWN, DISPLAY_TEST = 0, 9, 10, 11, 12, 15


class Max7219Chain:
    """``n`` MAX7219s daisy-chained, each driving an 8x8 matrix, the chain 8n pixels wide.

    Each chip shifts 16-bit words (register, value) on to the next and acts on the word it
    holds when chip select rises, so the first word of a transfer lands in the chip furthest
    down the chain. The chip nearest the Pi drives the leftmost matrix; digit register
    d (1-8) holds its column d-1, bit b of the value lights row b.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.registers = [dict.fromkeys(range(16), 0) for _ in range(n)]  # shutdown at power-on
        self.words: list[tuple[int, int]] = [(NOOP, 0)] * n

    def transfer(self, data: bytes) -> None:
        assert len(data) % 2 == 0, "the MAX7219 takes 16-bit words"
        for i in range(0, len(data), 2):
            self.words = [(data[i], data[i + 1]), *self.words[:-1]]
        for chip, (register, value) in enumerate(self.words):
            if register != NOOP:
                self.registers[chip][register] = value

    def lit(self) -> Pixels:
        pixels: Pixels = set()
        for chip, registers in enumerate(self.registers):
            if registers[DISPLAY_TEST] & 1:
                pixels |= {(8 * chip + x, y) for x in range(8) for y in range(8)}
                continue
            if not registers[SHUTDOWN] & 1:
                continue
            assert registers[DECODE_MODE] == 0, "digits BCD-decoded: not a matrix"
            for digit in range(1, min(registers[SCAN_LIMIT] & 7, 7) + 2):
                value = registers[digit]
                pixels |= {(8 * chip + digit - 1, y) for y in range(8) if value >> y & 1}
        return pixels

    def intensity(self) -> set[int]:
        return {registers[INTENSITY] & 15 for registers in self.registers}


def max7219_chain(spi: Spi, n: int) -> Max7219Chain:
    """The chain after every transfer ``spi`` recorded."""
    chain = Max7219Chain(n)
    for data in spi.transfers:
        chain.transfer(data)
    return chain


# SSD1306 commands and how many argument bytes follow each.
ARGUMENTS = {0x81: 1, 0x20: 1, 0x21: 2, 0x22: 2, 0xA8: 1, 0xD3: 1, 0xD5: 1, 0x8D: 1, 0xDA: 1}
ARGUMENTS |= {0xD9: 1, 0xDB: 1}
CONTRAST, MEMORY_MODE, COLUMNS, PAGES, DISPLAY_OFF, DISPLAY_ON = 0x81, 0x20, 0x21, 0x22, 0xAE, 0xAF


class Ssd1306:
    """An SSD1306's display RAM: ``height / 8`` pages of ``width`` column bytes, bit b of a
    byte being row 8 x page + b. A message's control byte says commands (0x00) or data
    (0x40); with horizontal addressing, data fills the column window, then the next page."""

    def __init__(self, width: int = 128, height: int = 64) -> None:
        self.width, self.pages = width, height // 8
        self.ram = [[0] * width for _ in range(self.pages)]
        self.on = False
        self.contrast = 0x7F
        self.mode = 2  # page addressing at reset
        self.columns, self.page_window = (0, width - 1), (0, self.pages - 1)
        self.column = self.page = 0

    def receive(self, payload: bytes) -> None:
        control, body = payload[0], payload[1:]
        if control == 0x00:
            self.commands(body)
        elif control == 0x40:
            for byte in body:
                self.write(byte)
        else:
            raise AssertionError(f"control byte {control:#04x}")

    def commands(self, body: bytes) -> None:
        i = 0
        while i < len(body):
            command = body[i]
            args = body[i + 1 : i + 1 + ARGUMENTS.get(command, 0)]
            i += 1 + len(args)
            if command == CONTRAST:
                self.contrast = args[0]
            elif command == MEMORY_MODE:
                self.mode = args[0]
            elif command == COLUMNS:
                self.columns, self.column = (args[0], args[1]), args[0]
            elif command == PAGES:
                self.page_window, self.page = (args[0], args[1]), args[0]
            elif command in (DISPLAY_OFF, DISPLAY_ON):
                self.on = command == DISPLAY_ON

    def write(self, byte: int) -> None:
        assert self.mode == 0, "the model follows horizontal addressing only"
        self.ram[self.page][self.column] = byte
        self.column += 1
        if self.column > self.columns[1]:
            self.column = self.columns[0]
            self.page = self.page + 1 if self.page < self.page_window[1] else self.page_window[0]

    def lit(self) -> Pixels:
        if not self.on:
            return set()
        return {
            (x, 8 * page + bit)
            for page, row in enumerate(self.ram)
            for x, byte in enumerate(row)
            for bit in range(8)
            if byte >> bit & 1
        }


# SH1106 commands followed by one argument byte; every other byte is a command of its own.
SH1106_ARGUMENTS = {0x81, 0xA8, 0xAD, 0xD3, 0xD5, 0xD9, 0xDA, 0xDB}


class Sh1106:
    """An SH1106's display RAM: 8 pages of 132 column bytes, of which a 128-pixel panel
    shows columns 2 to 129. Page addressing only: 0xB0 + n picks page n, 0x0L and 0x1H the
    column's low and high nibbles; data goes to the column, which then moves one right."""

    COLUMNS, FIRST_SHOWN, WIDTH = 132, 2, 128

    def __init__(self) -> None:
        self.ram = [[0] * self.COLUMNS for _ in range(8)]
        self.on = False
        self.contrast = 0x80
        self.page = self.column = 0

    def receive(self, payload: bytes) -> None:
        control, body = payload[0], payload[1:]
        if control == 0x40:
            for byte in body:
                if self.column < self.COLUMNS:
                    self.ram[self.page][self.column] = byte
                self.column += 1
            return
        assert control == 0x00, f"control byte {control:#04x}"
        i = 0
        while i < len(body):
            command, argument = body[i], body[i + 1] if i + 1 < len(body) else None
            i += 2 if command in SH1106_ARGUMENTS else 1
            if command == CONTRAST:
                self.contrast = argument
            elif command in (DISPLAY_OFF, DISPLAY_ON):
                self.on = command == DISPLAY_ON
            elif 0xB0 <= command <= 0xB7:
                self.page = command - 0xB0
            elif command <= 0x0F:
                self.column = self.column & 0xF0 | command
            elif command <= 0x1F:
                self.column = self.column & 0x0F | (command & 0x0F) << 4

    def lit(self) -> Pixels:
        if not self.on:
            return set()
        first = self.FIRST_SHOWN
        return {
            (x - first, 8 * page + bit)
            for page, row in enumerate(self.ram)
            for x in range(first, first + self.WIDTH)
            for bit in range(8)
            if row[x] >> bit & 1
        }


def oled(i2c: I2c, model: type[Ssd1306 | Sh1106], address: int = 0x3C) -> Ssd1306 | Sh1106:
    """The display after every message ``i2c`` recorded for ``address``."""
    display = model()
    for to, payload in i2c.messages:
        if to == address:
            display.receive(payload)
    return display


# -- reading the clock -------------------------------------------------------------------


def cells(lit: Pixels, size: tuple[int, int], dot: int = 1, origin=(0, 0)) -> Pixels:
    """The clock pixels shown as dots of ``dot`` pixels from ``origin``: read at each dot's
    middle."""
    middle = (dot - 1) // 2
    ox, oy = origin
    w, h = size
    return {
        (x, y)
        for x in range(w)
        for y in range(h)
        if (ox + x * dot + middle, oy + y * dot + middle) in lit
    }


def read_binary(pixels: Pixels, columns: list[int], height: int) -> tuple[int, ...]:
    """Each of ``columns`` read as a binary number, the bottom row worth 1."""
    return tuple(
        sum(1 << (height - 1 - y) for y in range(height) if (x, y) in pixels) for x in columns
    )
