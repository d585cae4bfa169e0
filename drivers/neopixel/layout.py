"""Which pixel of the frame each LED on the strip shows.

A layout is a tuple with one entry per LED: the row-major index of the pixel that LED
shows (0 is the top-left pixel), or -1 for an LED that shows none and stays dark.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from binclock.drivers.neopixel.options import Corner, NeoPixelOptions

NO_PIXEL = -1


def strip(
    width: int,
    height: int,
    *,
    along: Literal["columns", "rows"] = "rows",
    start: Corner = "top-left",
    serpentine: bool = False,
) -> tuple[int, ...]:
    """A strip laid in lines (columns or rows) from the ``start`` corner.

    Lines are taken in order moving away from the start corner; each runs away from the
    start side, except that with ``serpentine`` every second line runs back.
    """
    top = start.startswith("top")
    left = start.endswith("left")
    xs = list(range(width)) if left else list(range(width - 1, -1, -1))
    ys = list(range(height)) if top else list(range(height - 1, -1, -1))
    order: list[int] = []
    if along == "rows":
        for n, y in enumerate(ys):
            run = xs[::-1] if serpentine and n % 2 else xs
            order.extend(y * width + x for x in run)
    else:
        for n, x in enumerate(xs):
            run = ys[::-1] if serpentine and n % 2 else ys
            order.extend(y * width + x for y in run)
    return tuple(order)


def from_index_map(index_map: Sequence[int], leds: int) -> tuple[int, ...]:
    """Invert a pixel -> LED map (``-1``: no LED) into the LED -> pixel layout."""
    layout = [NO_PIXEL] * leds
    for pixel, led in enumerate(index_map):
        if led >= 0:
            layout[led] = pixel
    return tuple(layout)


def for_options(options: NeoPixelOptions) -> tuple[int, ...]:
    """The layout the options describe, padded with dark LEDs to the strip's length."""
    if options.index_map is not None:
        return from_index_map(options.index_map, options.led_count)
    laid = strip(
        options.width,
        options.height,
        along=options.layout,
        start=options.start,
        serpentine=options.serpentine,
    )
    return laid + (NO_PIXEL,) * (options.led_count - len(laid))
