"""The wiring test: light each pixel in order, then each column, then all, then nothing.

The first thing to run after soldering: the printed position of each lit pixel shows at once
whether the strip, matrix or pins are wired (and configured) in the order the clock expects.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TextIO

from binclock.clock import Clock
from binclock.driver import Driver
from binclock.frame import BLACK, RGB, Frame
from binclock.painter import scale

WHITE: RGB = (255, 255, 255)

PixelNamer = Callable[[int, int], str]
"""A driver's optional ``describe_pixel(x, y)``, naming where a pixel is wired ("GPIO17")."""


@dataclass(frozen=True)
class PatternStep:
    """One picture of the wiring test and the line printed with it.

    ``index`` (row-major, as in a Frame), ``x`` and ``y`` say which pixel or column is lit,
    where that applies.
    """

    kind: Literal["pixel", "column", "full", "dark"]
    description: str
    frame: Frame
    index: int | None = None
    x: int | None = None
    y: int | None = None


def steps(
    size: tuple[int, int],
    brightness: float = 1.0,
    describe_pixel: PixelNamer | None = None,
    colour: RGB = WHITE,
) -> Iterator[PatternStep]:
    """The wiring test for a ``width`` x ``height`` display, lit in ``colour`` at ``brightness``.

    Each pixel row by row from the top-left, then each column left to right, then every
    pixel at once (the most current the display will draw), then all dark.
    """
    width, height = size
    if width < 1 or height < 1:
        raise ValueError(f"a wiring test needs a display of at least 1x1, got {width}x{height}")
    if not 0.0 <= brightness <= 1.0:
        raise ValueError(f"brightness must be between 0 and 1, got {brightness}")
    lit = scale(colour, brightness)
    everything = range(width * height)

    def frame(on: Container[int], description: str) -> Frame:
        pixels = tuple(lit if i in on else BLACK for i in everything)
        return Frame(width, height, pixels, caption=description)

    for index in everything:
        y, x = divmod(index, width)
        text = f"pixel {index} at x={x}, y={y}"
        if describe_pixel is not None:
            text += f": {describe_pixel(x, y)}"
        yield PatternStep("pixel", text, frame({index}, text), index, x, y)
    for x in range(width):
        text = f"column {x} (x={x}), {height} pixel{'s' * (height > 1)}"
        yield PatternStep("column", text, frame(range(x, width * height, width), text), x=x)
    text = f"all {width * height} pixels at brightness {brightness:g}"
    yield PatternStep("full", text, frame(everything, text))
    text = "all dark"
    yield PatternStep("dark", text, frame((), text))


def run(
    driver: Driver,
    pattern: Sequence[PatternStep],
    clock: Clock,
    *,
    delay: float = 0.5,
    step: bool = False,
    read_line: Callable[[], str] = sys.stdin.readline,
    out: TextIO = sys.stdout,
) -> bool:
    """Show each step on ``driver`` and print its line; False when the user stopped early.

    Steps follow each other after ``delay`` seconds, or, with ``step``, when Enter is
    pressed; "q" or end of input stops. The last (dark) step does not wait.
    """
    if delay < 0:
        raise ValueError(f"delay must not be negative, got {delay}")
    digits = len(str(len(pattern)))
    for number, item in enumerate(pattern, 1):
        print(f"[{number:>{digits}}/{len(pattern)}] {item.description}", file=out, flush=True)
        driver.show(item.frame)
        if number == len(pattern):
            break
        if step:
            print("  [Enter: next, q: stop] ", end="", file=out, flush=True)
            answer = read_line()
            if not answer or answer.strip().lower() == "q":
                return False
        else:
            clock.sleep(delay)
    return True
