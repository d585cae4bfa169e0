"""Frame pixels in, one 32-bit word per LED out: layout, gamma, limiter and white in one pass.

Words are ``0xWWRRGGBB``, the form both rpi_ws281x and Adafruit's pixel buffers take; they
put the channels in the strip's own order themselves. The work is done on byte strings by
C-level primitives (``bytes.translate`` for tables, ``itemgetter`` for the reordering,
``array`` for the words), so a 16x16 matrix takes tens of microseconds instead of the
hundreds a per-pixel loop needs (see benchmarks/neopixel_prepare.py).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter, sub

from binclock.drivers.neopixel.colour import FULL, Limiter, gamma_table, scale_table
from binclock.frame import RGB

_WORD = "I" if array("I").itemsize == 4 else "L"


class Preparer:
    """Turns a frame's pixels into LED words for one strip.

    ``layout`` gives the pixel index each LED shows (-1: none), ``gamma`` corrects the
    channels, ``limiter`` (optional) dims frames that would draw too much, and
    ``white`` moves the grey part of each colour to the white LED of an RGBW strip.
    ``scale`` is the dimming applied to the last frame, in 256ths (256: none).
    """

    def __init__(
        self,
        layout: Sequence[int],
        pixels: int,
        *,
        gamma: float = 1.0,
        limiter: Limiter | None = None,
        white: bool = False,
    ) -> None:
        self.leds = len(layout)
        self.pixels = pixels
        self.limiter = limiter
        self.white = white
        self.scale = FULL
        self._gamma = gamma_table(gamma) if gamma != 1.0 else None
        dark = 3 * pixels  # index of a zero byte appended to the flattened pixels
        sources: list[int] = []
        for pixel in layout:
            if pixel < 0:
                sources += (dark, dark, dark, dark)
            else:
                # a little-endian word 0xWWRRGGBB is stored as the bytes B, G, R, W
                sources += (3 * pixel + 2, 3 * pixel + 1, 3 * pixel, dark)
        self._gather = itemgetter(*sources)

    def __call__(self, pixels: Sequence[RGB]) -> list[int]:
        """The LED words for ``pixels`` (row-major RGB triples, as in a Frame)."""
        flat = bytes(chain.from_iterable(pixels))
        if self._gamma is not None:
            flat = flat.translate(self._gamma)
        leds = bytes(self._gather(flat + b"\0"))
        if self.limiter is not None:
            self.scale = self.limiter.scale(sum(leds))
            if self.scale < FULL:
                leds = leds.translate(scale_table(self.scale))
        if self.white:
            leds = _white(leds)
        words = array(_WORD, leds)
        if sys.byteorder == "big":
            words.byteswap()
        return words.tolist()

    def dark(self) -> list[int]:
        """The words of an unlit strip."""
        return [0] * self.leds


def _white(leds: bytes) -> bytes:
    """Move min(R, G, B) of each LED to its white channel (WLED's "accurate" white)."""
    b, g, r = leds[0::4], leds[1::4], leds[2::4]
    w = bytes(map(min, r, g, b))
    out = bytearray(len(leds))
    out[0::4] = bytes(map(sub, b, w))
    out[1::4] = bytes(map(sub, g, w))
    out[2::4] = bytes(map(sub, r, w))
    out[3::4] = w
    return bytes(out)
