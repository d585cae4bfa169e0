"""NeoPixel (WS2812/SK6812) strips and matrices on a Raspberry Pi, through rpi_ws281x,
Adafruit's neopixel (Blinka; the Pi 5's PIO) or Adafruit's neopixel_spi.

Modules: ``options`` (the config table), ``layout`` (LED -> pixel), ``colour`` (gamma and
the current model), ``prepare`` (frame -> LED words), ``host`` (board detection),
``preflight`` (checks and the auto choice), ``backend`` with ``ws281x``, ``blinka`` and
``spi`` (the libraries), ``driver`` (the Driver).
"""

from binclock.drivers.neopixel.driver import NeoPixelDriver
from binclock.drivers.neopixel.options import NeoPixelOptions

__all__ = ["NeoPixelDriver", "NeoPixelOptions"]
