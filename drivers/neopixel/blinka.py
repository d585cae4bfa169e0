"""The blinka backend: Adafruit's ``neopixel.NeoPixel`` on a GPIO pin; the Pi 5's way (PIO)."""

from __future__ import annotations

import sys
from typing import ClassVar

from binclock.drivers.neopixel.backend import starting
from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.drivers.neopixel.pixelbuf import PixelBufWriter, blinka
from binclock.drivers.neopixel.preflight import check_blinka, unavailable

PI5_WRITER = "adafruit_raspberry_pi5_neopixel_write"


class BlinkaBackend(PixelBufWriter):
    """``neopixel.NeoPixel(microcontroller.pin.D<pin>, ...)``: rpi_ws281x underneath on a
    Pi 1-4 (so root for PWM), Adafruit-Blinka-Raspberry-Pi5-Neopixel's PIO on a Pi 5."""

    name: ClassVar[str] = "blinka"

    def __init__(self, options: NeoPixelOptions, host: Host) -> None:
        self.pin = options.data_pin(self.name)
        check_blinka(host, self.pin, options)
        neopixel = blinka("neopixel")
        # microcontroller.pin names the SoC's pins: D18 is GPIO 18 on every Pi
        pin = getattr(blinka("microcontroller.pin"), f"D{self.pin}", None)
        if pin is None:
            raise unavailable(f"Blinka knows no GPIO {self.pin} on this board")
        with starting("neopixel"):
            pixels = neopixel.NeoPixel(
                pin,
                options.led_count,
                bpp=len(options.colour_order),
                brightness=1.0,
                auto_write=False,
                pixel_order=options.colour_order,
            )
        super().__init__(pixels, options.rgbw)

    def close(self) -> None:
        self.pixels.deinit()
        pio = sys.modules.get(PI5_WRITER)
        if pio is not None:
            pio.free_pio()
