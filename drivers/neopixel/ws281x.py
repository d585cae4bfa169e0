"""The rpi_ws281x backend: jgarff's C library (PWM, PCM or SPI with DMA) on a Pi 1 to 4."""

from __future__ import annotations

import atexit
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from binclock.driver import DriverUnavailable
from binclock.drivers.neopixel.backend import vendor
from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.drivers.neopixel.preflight import (
    CMDLINE_BUFSIZ,
    check_rpi_ws281x,
    key,
    needs_root,
    pwm_channel,
    unavailable,
)

_CODE = re.compile(r"code (-?\d+)")
# ws2811_return_t values (ws2811.h)
_NEEDS_ROOT = {-4, -5, -6, -9}  # mem lock, mmap, map registers, mailbox device
_NOT_SUPPORTED = -3
_PWM_SETUP, _DMA, _ILLEGAL_GPIO, _PCM_SETUP, _SPI_SETUP, _SPI_TRANSFER = -8, -10, -11, -12, -13, -14


def strip_type_name(colour_order: str) -> str:
    """rpi_ws281x's constant for a colour order, such as WS2811_STRIP_GRB or SK6812_STRIP_GRBW."""
    family = "SK6812" if len(colour_order) == 4 else "WS2811"
    return f"{family}_STRIP_{colour_order}"


class Ws281xBackend:
    """A ``PixelStrip`` with the strip's colour order; gamma and brightness stay ours."""

    name: ClassVar[str] = "rpi_ws281x"

    def __init__(self, options: NeoPixelOptions, host: Host) -> None:
        self.pin = options.data_pin(self.name)
        check_rpi_ws281x(host, self.pin, options)
        library = vendor("rpi_ws281x")
        self.strip: Any = library.PixelStrip(
            options.led_count,
            self.pin,
            freq_hz=options.frequency,
            dma=options.dma,
            invert=options.invert,
            brightness=255,
            channel=pwm_channel(self.pin) if options.channel is None else options.channel,
            strip_type=getattr(library, strip_type_name(options.colour_order)),
        )
        try:
            self.strip.begin()
        except RuntimeError as exc:
            # PixelStrip's exit hook calls ws2811_fini, which crashes on a strip that never
            # started: drop the hook along with the strip.
            atexit.unregister(self.strip._cleanup)
            raise explain(exc, self.pin, options) from None

    def write(self, words: Sequence[int], changed: Sequence[int]) -> None:
        strip = self.strip
        for led in changed:
            strip.setPixelColor(led, words[led])
        strip.show()

    def close(self) -> None:
        # Stops PWM/DMA and frees the library's memory; PixelStrip runs this at exit but
        # has no public way to do it sooner. Safe to call twice.
        self.strip._cleanup()


def explain(error: RuntimeError, pin: int, options: NeoPixelOptions) -> DriverUnavailable:
    """ws2811_init's failure, with the strip on ``pin`` as ``options`` ask, as what to do
    about it."""
    match = _CODE.search(str(error))
    code = int(match.group(1)) if match else None
    text = " ".join(str(error).split())
    if code in _NEEDS_ROOT:
        return needs_root("rpi_ws281x", pin, options)
    if code == _NOT_SUPPORTED:
        return unavailable(
            "rpi_ws281x does not know this board; upgrade it (pip install -U rpi_ws281x)"
            f' or set {key(options, "backend")} = "spi" and wire the data line to GPIO 10'
        )
    if code == _PWM_SETUP:
        return unavailable(
            "rpi_ws281x could not set up PWM, which analogue audio also uses; add"
            " dtparam=audio=off to /boot/firmware/config.txt and reboot"
        )
    if code == _PCM_SETUP:
        return unavailable(
            "rpi_ws281x could not set up PCM on GPIO 21; turn off I2S audio overlays in"
            " /boot/firmware/config.txt and reboot"
        )
    if code == _DMA:
        return unavailable(
            f"DMA channel {options.dma} is busy; set {key(options, 'dma')} to another"
        )
    if code == _ILLEGAL_GPIO:
        return unavailable(f"rpi_ws281x cannot use GPIO {pin} on this Pi")
    if code == _SPI_SETUP:
        return unavailable(
            "rpi_ws281x could not open SPI; enable it (sudo raspi-config nonint do_spi 0) and"
            " add the user to the spi group"
        )
    if code == _SPI_TRANSFER:
        return unavailable(f"rpi_ws281x's SPI transfer was refused; {CMDLINE_BUFSIZ}")
    return unavailable(f"rpi_ws281x could not start: {text}")
