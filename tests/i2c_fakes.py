"""A stand-in for Blinka's ``busio.I2C`` with light-sensor chips on it that answer from their
registers as the real ones do, so Adafruit's own drivers run over it unchanged; and a
stand-in for ``smbus`` with the Sense HAT v2's colour sensor on it."""

from __future__ import annotations

import errno
import types
from dataclasses import dataclass, field

from binclock.config import LightConfig

TSL2591_GAINS = {0x00: 1.0, 0x10: 25.0, 0x20: 428.0, 0x30: 9876.0}  # CONTROL's gain bits
TCS3400_GAINS = {0: 1, 1: 4, 2: 16, 3: 64}


@dataclass
class Room:
    """The light falling on every chip: set ``lux`` to change it."""

    lux: float = 0.0


def _ioerror(address: int) -> OSError:
    return OSError(errno.EREMOTEIO, f"no answer at 0x{address:02x}")


class Chip:
    """One device on the bus: what it does with bytes written to it and what it answers."""

    address = 0

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, count: int) -> bytes:
        raise NotImplementedError


@dataclass
class Bh1750Chip(Chip):
    """A BH1750: one-byte opcodes; reads give the 16-bit count of the mode set (big-endian),
    1.2 counts per lux, twice that in high-resolution mode 2."""

    room: Room
    address: int = 0x23
    opcodes: list[int] = field(default_factory=list)

    def write(self, data: bytes) -> None:
        self.opcodes += list(data)

    def read(self, count: int) -> bytes:
        mode = self.opcodes[-1] if self.opcodes else 0
        per_lux = 2.4 if mode & 0x03 == 0x01 else 1.2
        raw = min(int(self.room.lux * per_lux), 0xFFFF)
        return raw.to_bytes(2, "big")[:count]


@dataclass
class Tsl2591Chip(Chip):
    """A TSL2591: a command byte (0xA0 | register) selects a register, a second byte writes
    it; channel 0 counts the light at the gain and integration time in CONTROL (channel 1,
    infrared, reads 0), and saturates as the real chip does."""

    room: Room
    address: int = 0x29
    registers: dict[int, int] = field(default_factory=lambda: {0x12: 0x50})
    pointer: int = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.pointer = data[0] & 0x1F
        for offset, value in enumerate(data[1:]):
            self.registers[self.pointer + offset] = value

    def _channel0(self) -> int:
        control = self.registers.get(0x01, 0)
        atime = 100.0 * (control & 0x07) + 100.0
        counts_per_lux = atime * TSL2591_GAINS[control & 0x30] / 408.0
        ceiling = 0x9400 if control & 0x07 == 0 else 0xFFFF  # 100 ms saturates at 37888
        return min(int(self.room.lux * counts_per_lux), ceiling)

    def read(self, count: int) -> bytes:
        channel0 = self._channel0()
        data = {0x14: channel0 & 0xFF, 0x15: channel0 >> 8, 0x16: 0, 0x17: 0}
        return bytes(
            data.get(r, self.registers.get(r, 0)) for r in range(self.pointer, self.pointer + count)
        )


class StandInI2C:
    """Blinka's ``busio.I2C`` as the drivers use it, with ``chips`` on it; ``broken``
    makes every transfer fail as a bus whose device went away does, and ``transfers``
    counts them."""

    def __init__(self, *chips: Chip) -> None:
        self.chips = {chip.address: chip for chip in chips}
        self.broken = False
        self.locked = False
        self.transfers = 0

    def try_lock(self) -> bool:
        if self.locked:
            return False
        self.locked = True
        return True

    def unlock(self) -> None:
        self.locked = False

    def scan(self) -> list[int]:
        return [] if self.broken else sorted(self.chips)

    def _chip(self, address: int) -> Chip:
        assert self.locked, "the bus is used without its lock"
        self.transfers += 1
        chip = self.chips.get(address)
        if chip is None or self.broken:
            raise _ioerror(address)
        return chip

    def writeto(self, address: int, buffer: bytes, *, start: int = 0, end: int | None = None):
        self._chip(address).write(bytes(buffer[start:end]))

    def readfrom_into(
        self, address: int, buffer: bytearray, *, start: int = 0, end: int | None = None
    ) -> None:
        end = len(buffer) if end is None else end
        buffer[start:end] = self._chip(address).read(end - start)

    def writeto_then_readfrom(
        self,
        address: int,
        out_buffer: bytes,
        in_buffer: bytearray,
        *,
        out_start: int = 0,
        out_end: int | None = None,
        in_start: int = 0,
        in_end: int | None = None,
    ) -> None:
        chip = self._chip(address)
        chip.write(bytes(out_buffer[out_start:out_end]))
        in_end = len(in_buffer) if in_end is None else in_end
        in_buffer[in_start:in_end] = chip.read(in_end - in_start)

    def deinit(self) -> None:
        pass


class Tcs3400:
    """The Sense HAT v2's TCS3400 colour sensor behind ``smbus.SMBus`` as the sense-hat
    library uses it: byte registers, and the RGBC block from CDATA. The clear channel counts
    the room's light at the gain and integration cycles set."""

    ADDRESS = 0x39

    def __init__(self, room: Room) -> None:
        self.room = room
        self.registers = {0x92: 0x90, 0x81: 0xFF, 0x8F: 0, 0x80: 0}

    def SMBus(self, bus: int) -> Tcs3400:
        return self

    def write_quick(self, address: int) -> None:
        if address != self.ADDRESS:
            raise _ioerror(address)

    def read_byte_data(self, address: int, register: int) -> int:
        return self.registers.get(register, 0)

    def write_byte_data(self, address: int, register: int, value: int) -> None:
        self.registers[register] = value

    def read_i2c_block_data(self, address: int, register: int, count: int) -> list[int]:
        cycles = 256 - self.registers[0x81]
        gain = TCS3400_GAINS[self.registers[0x8F] & 0x03]
        ceiling = min(1024 * cycles, 0xFFFF)
        clear = min(int(self.room.lux * gain * cycles * 2.75 / 310), ceiling)
        block = [clear & 0xFF, clear >> 8] + [0] * 6
        return block[:count]

    def module(self) -> types.ModuleType:
        """An ``smbus`` module whose bus is this sensor."""
        smbus = types.ModuleType("smbus")
        smbus.SMBus = self.SMBus  # type: ignore[attr-defined]
        return smbus


# A room and a BH1750 in it for a clock configured with sensor = "i2c_fakes:bh1750_in_room".
ROOM = Room()
BUS = StandInI2C(Bh1750Chip(ROOM))


def bh1750_in_room(config: LightConfig):
    """Adafruit's BH1750 driver over the stand-in bus, in ``ROOM``."""
    from binclock.light.sensors import Bh1750

    return Bh1750(config, i2c=BUS)
