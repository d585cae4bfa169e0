"""The spi backend: Adafruit's ``neopixel_spi`` on SPI0 (GPIO 10); no root, any Pi."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from binclock.drivers.neopixel.backend import starting
from binclock.drivers.neopixel.host import DEFAULT_SPIDEV_BUFSIZ, Host
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.drivers.neopixel.pixelbuf import PixelBufWriter, blinka
from binclock.drivers.neopixel.preflight import check_spi, neopixel_spi_bytes


class SpiBackend(PixelBufWriter):
    """``NeoPixel_SPI`` on ``busio.SPI(board.SCK, board.MOSI)``: each data bit becomes one
    SPI byte at eight times the LED data rate."""

    name: ClassVar[str] = "spi"

    def __init__(self, options: NeoPixelOptions, host: Host) -> None:
        self.pin = options.data_pin(self.name)
        check_spi(host, self.pin, options)
        bpp = len(options.colour_order)
        if neopixel_spi_bytes(options.led_count, bpp, options.frequency) > DEFAULT_SPIDEV_BUFSIZ:
            # Adafruit_PureIO splits writes into SPI_BUFSIZE chunks; the pause between two
            # would latch half a frame, so send the frame whole (spidev allows it, see check).
            os.environ.setdefault("SPI_BUFSIZE", str(host.spidev_bufsiz))
        neopixel_spi = blinka("neopixel_spi")
        board = blinka("board")
        busio = blinka("busio")
        with starting("busio.SPI"):
            self.bus: Any = busio.SPI(board.SCK, board.MOSI)
        try:
            with starting("neopixel_spi"):
                pixels = neopixel_spi.NeoPixel_SPI(
                    self.bus,
                    options.led_count,
                    bpp=bpp,
                    brightness=1.0,
                    auto_write=False,
                    pixel_order=options.colour_order,
                    frequency=8 * options.frequency,
                )
        except BaseException:
            self.bus.deinit()
            raise
        super().__init__(pixels, options.rgbw)

    def close(self) -> None:
        self.pixels.deinit()
        self.bus.deinit()
