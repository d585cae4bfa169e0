"""Test doubles for the NeoPixel driver: a stand-in for rpi_ws281x's compiled module (as
upstream's own tests use), Blinka's OS-agnostic board with its writes recorded, and hosts."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from binclock.drivers.neopixel.host import Host

PI4 = "Raspberry Pi 4 Model B Rev 1.4"
PI5 = "Raspberry Pi 5 Model B Rev 1.0"
PI_ZERO = "Raspberry Pi Zero 2 W Rev 1.0"


def make_host(
    tmp_path: Path,
    model: str | None = PI4,
    devices: Iterable[str] = ("mem", "spidev0.0", "pio0"),
    denied: Iterable[str] = (),
    bufsiz: int = 4096,
) -> Host:
    """A board with these device nodes (as files under tmp_path), ``denied`` ones unopenable."""
    dev = tmp_path / "dev"
    dev.mkdir(exist_ok=True)
    for name in devices:
        (dev / name).touch()
    refused = set(denied)
    return Host(model, dev, bufsiz, access=lambda p: p.exists() and p.name not in refused)


# -- rpi_ws281x ---------------------------------------------------------------------------

# values from ws2811.h, as the compiled module exports them
WS281X_CONSTANTS = {
    "WS2811_TARGET_FREQ": 800000,
    "WS2811_STRIP_RGB": 0x00100800,
    "WS2811_STRIP_RBG": 0x00100008,
    "WS2811_STRIP_GRB": 0x00081000,
    "WS2811_STRIP_GBR": 0x00080010,
    "WS2811_STRIP_BRG": 0x00001008,
    "WS2811_STRIP_BGR": 0x00000810,
    "SK6812_STRIP_RGBW": 0x18100800,
    "SK6812_STRIP_RBGW": 0x18100008,
    "SK6812_STRIP_GRBW": 0x18081000,
    "SK6812_STRIP_GBRW": 0x18080010,
    "SK6812_STRIP_BRGW": 0x18001008,
    "SK6812_STRIP_BGRW": 0x18000810,
    "WS2811_SUCCESS": 0,
}
RETURN_TEXT = {
    0: "Success",
    -3: "Hardware revision is not supported",
    -5: "mmap() failed",
    -8: "Unable to initialize PWM",
    -10: "DMA error",
    -11: "Selected GPIO not possible",
    -13: "Unable to initialize SPI",
}


@dataclass
class Channel:
    count: int = 0
    gpionum: int = 0
    invert: int = 0
    brightness: int = 0
    strip_type: int = 0
    gamma: list[int] = field(default_factory=list)
    leds: list[int] = field(default_factory=list)


@dataclass
class Controller:
    channels: tuple[Channel, Channel] = field(default_factory=lambda: (Channel(), Channel()))
    freq: int = 0
    dma: int = 0
    started: bool = False
    finished: bool = False


class FakeWs281x:
    """Keeps what the Python part of rpi_ws281x asks of ``_rpi_ws281x``: the settings, each
    LED word set, and the words of the strip at every render."""

    def __init__(self, init_result: int = 0) -> None:
        self.init_result = init_result
        self.controllers: list[Controller] = []
        self.renders: list[tuple[int, ...]] = []
        self.led_sets = 0

    @property
    def controller(self) -> Controller:
        return self.controllers[-1]

    @property
    def channel(self) -> Channel:
        """The channel in use (the one with LEDs)."""
        return next(c for c in self.controller.channels if c.count)

    @property
    def shown(self) -> tuple[int, ...]:
        """The LED words at the last render."""
        if not self.renders:
            raise AssertionError("nothing was rendered")
        return self.renders[-1]

    def module(self) -> ModuleType:
        module = ModuleType("_rpi_ws281x")
        module.__dict__.update(WS281X_CONSTANTS)
        for name in dir(self):
            if name.startswith(("ws2811_", "new_", "delete_")):
                setattr(module, name, getattr(self, name))
        return module

    # the functions of _rpi_ws281x that PixelStrip calls
    def new_ws2811_t(self) -> Controller:
        self.controllers.append(Controller())
        return self.controllers[-1]

    def delete_ws2811_t(self, controller: Controller) -> None:
        pass

    def ws2811_channel_get(self, controller: Controller, number: int) -> Channel:
        return controller.channels[number]

    def ws2811_channel_t_count_set(self, channel: Channel, count: int) -> None:
        channel.count = count
        channel.leds = [0] * count

    def ws2811_channel_t_count_get(self, channel: Channel) -> int:
        return channel.count

    def ws2811_channel_t_gpionum_set(self, channel: Channel, value: int) -> None:
        channel.gpionum = value

    def ws2811_channel_t_gpionum_get(self, channel: Channel) -> int:
        return channel.gpionum

    def ws2811_channel_t_invert_set(self, channel: Channel, value: int) -> None:
        channel.invert = value

    def ws2811_channel_t_brightness_set(self, channel: Channel, value: int) -> None:
        channel.brightness = value

    def ws2811_channel_t_brightness_get(self, channel: Channel) -> int:
        return channel.brightness

    def ws2811_channel_t_strip_type_set(self, channel: Channel, value: int) -> None:
        channel.strip_type = value

    def ws2811_channel_t_strip_type_get(self, channel: Channel) -> int:
        return channel.strip_type

    def ws2811_channel_t_gamma_set(self, channel: Channel, value: list[int]) -> None:
        channel.gamma = list(value)

    def ws2811_t_freq_set(self, controller: Controller, value: int) -> None:
        controller.freq = value

    def ws2811_t_dmanum_set(self, controller: Controller, value: int) -> None:
        controller.dma = value

    def ws2811_init(self, controller: Controller) -> int:
        controller.started = self.init_result == 0
        return self.init_result

    def ws2811_get_return_t_str(self, code: int) -> str:
        return RETURN_TEXT.get(code, "Unknown error")

    def ws2811_led_set(self, channel: Channel, n: int, value: int) -> None:
        if not 0 <= n < channel.count:
            raise IndexError(f"LED {n} of {channel.count}")
        channel.leds[n] = value
        self.led_sets += 1

    def ws2811_led_get(self, channel: Channel, n: int) -> int:
        return channel.leds[n]

    def ws2811_render(self, controller: Controller) -> int:
        if not controller.started:
            raise AssertionError("render before a successful ws2811_init")
        self.renders.append(tuple(next(c for c in controller.channels if c.count).leds))
        return 0

    def ws2811_fini(self, controller: Controller) -> None:
        if not controller.started:
            raise AssertionError("ws2811_fini on a strip that never started crashes the library")
        controller.started = False
        controller.finished = True


def install_fake_ws281x(monkeypatch: pytest.MonkeyPatch, init_result: int = 0) -> FakeWs281x:
    """Put a FakeWs281x in place of ``_rpi_ws281x``; ``import rpi_ws281x`` then loads the
    real Python part over it."""
    fake = FakeWs281x(init_result)
    monkeypatch.setitem(sys.modules, "_rpi_ws281x", fake.module())
    for name in ("rpi_ws281x", "rpi_ws281x.rpi_ws281x"):
        # recorded by setitem, so the copy loaded over the fake is dropped after the test
        monkeypatch.setitem(sys.modules, name, None)
        del sys.modules[name]
    return fake


def words_to_rgbw(word: int) -> tuple[int, int, int, int]:
    return (word >> 16 & 255, word >> 8 & 255, word & 255, word >> 24 & 255)


@dataclass
class FakeAtexit:
    """Stands in for the atexit registry, to run exit hooks inside a test."""

    hooks: list[Callable[[], Any]] = field(default_factory=list)

    def register(self, hook: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        self.hooks.append(hook)
        return hook

    def unregister(self, hook: Callable[..., Any]) -> None:
        self.hooks = [h for h in self.hooks if h != hook]

    def run(self) -> None:
        for hook in reversed(self.hooks):
            hook()


# -- Blinka on its OS-agnostic board ----------------------------------------------------------

BLINKA_MODULES = (
    "adafruit_blinka",
    "adafruit_platformdetect",
    "adafruit_pixelbuf",
    "adafruit_bus_device",
    "board",
    "busio",
    "digitalio",
    "microcontroller",
    "neopixel",
    "neopixel_write",
    "neopixel_spi",
)
AGNOSTIC = "adafruit_blinka.microcontroller.generic_agnostic_board"


def _blinka_loaded() -> list[str]:
    return [
        name
        for name in sys.modules
        if any(name == m or name.startswith(m + ".") for m in BLINKA_MODULES)
    ]


@dataclass
class Wire:
    """What Blinka's OS-agnostic board was asked to send: NeoPixel buffers and SPI writes."""

    neopixel: list[bytes] = field(default_factory=list)
    spi: list[bytes] = field(default_factory=list)


@contextmanager
def agnostic_blinka(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    """Blinka freshly loaded on its OS-agnostic board, with the board's no-op
    ``neopixel_write`` and SPI ``write`` recording the bytes instead."""
    saved_env = {k: os.environ.get(k) for k in ("SPI_BUFSIZE", "BLINKA_SKIP_DEPENDENCY_CHECK")}
    monkeypatch.setenv("BLINKA_OS_AGNOSTIC", "1")
    for name in _blinka_loaded():
        monkeypatch.delitem(sys.modules, name)
    wire = Wire()
    writer = importlib.import_module(f"{AGNOSTIC}.neopixel")
    spi = importlib.import_module(f"{AGNOSTIC}.spi")

    def neopixel_write(gpio: Any, buf: bytearray) -> None:
        wire.neopixel.append(bytes(buf))

    def spi_write(self: Any, buf: bytes, start: int = 0, end: int | None = None) -> None:
        wire.spi.append(bytes(buf[start:end]))

    monkeypatch.setattr(writer, "neopixel_write", neopixel_write)
    monkeypatch.setattr(spi.SPI, "write", spi_write)
    try:
        yield wire
    finally:
        for name in _blinka_loaded():
            del sys.modules[name]
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def decode_spi(payload: bytes, reset: int = 64) -> bytes:
    """The LED bytes in a neopixel_spi transfer: one SPI byte per data bit between resets."""
    body = payload[reset : len(payload) - reset]
    if payload[:reset] != bytes(reset) or payload[len(payload) - reset :] != bytes(reset):
        raise AssertionError("the transfer does not start and end with a reset")
    out = bytearray()
    for i in range(0, len(body), 8):
        byte = 0
        for symbol in body[i : i + 8]:
            if symbol not in (0b11000000, 0b11110000):
                raise AssertionError(f"{symbol:#010b} is neither a 0 nor a 1 bit")
            byte = byte << 1 | (symbol == 0b11110000)
        out.append(byte)
    return bytes(out)


def triples(data: bytes, bpp: int = 3) -> list[tuple[int, ...]]:
    return [tuple(data[i : i + bpp]) for i in range(0, len(data), bpp)]
