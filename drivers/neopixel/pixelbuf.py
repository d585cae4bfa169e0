"""Writing LED words into Adafruit's pixel buffers (``neopixel.NeoPixel``, ``NeoPixel_SPI``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from binclock.drivers.neopixel.backend import vendor


def blinka(module: str) -> ModuleType:
    """Import a Blinka library without Blinka's offer to pip-install missing platform
    libraries, which would prompt or download at run time; the extra installs them."""
    os.environ.setdefault("BLINKA_SKIP_DEPENDENCY_CHECK", "1")
    return vendor(module)


class PixelBufWriter:
    """Sets only the changed LEDs of a pixel buffer, then shows it.

    The buffer is made with the strip's colour order and brightness 1.0, so Adafruit's
    code reorders the channels and nothing is dimmed twice.
    """

    def __init__(self, pixels: Any, rgbw: bool) -> None:
        self.pixels = pixels
        self.rgbw = rgbw

    def write(self, words: Sequence[int], changed: Sequence[int]) -> None:
        pixels = self.pixels
        if self.rgbw:
            # a packed int would put the white byte into red: RGBW takes (r, g, b, w)
            for led in changed:
                word = words[led]
                pixels[led] = (word >> 16 & 255, word >> 8 & 255, word & 255, word >> 24)
        else:
            for led in changed:
                pixels[led] = words[led]
        pixels.show()
