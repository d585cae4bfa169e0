"""The picture handed to a driver: an immutable grid of RGB pixels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

RGB = tuple[int, int, int]
BLACK: RGB = (0, 0, 0)


@dataclass(frozen=True, slots=True)
class Label:
    """Text naming the pixel column at ``x`` (for drivers that can print, such as the terminal)."""

    x: int
    text: str


@dataclass(frozen=True, slots=True)
class Frame:
    """``width`` x ``height`` RGB triples, row-major from the top-left.

    ``time`` is the moment shown, ``labels`` name pixel columns and ``caption`` reads the
    value out ("13:37:42"). Frames compare by their pixels, so a driver can skip a frame
    that looks like the last one even when its time differs; and by ``off``, which says
    why a display is dark on purpose ("off (schedule 23:00-07:00)"; '' while it shows the
    clock), for drivers that print text: a dark frame is then not mistaken for a clock
    that stopped.
    """

    width: int
    height: int
    pixels: tuple[RGB, ...]
    time: datetime | None = field(default=None, compare=False)
    labels: tuple[Label, ...] = field(default=(), compare=False)
    caption: str = field(default="", compare=False)
    off: str = ""

    def __post_init__(self) -> None:
        if self.width < 0 or self.height < 0:
            raise ValueError(f"frame size must not be negative, got {self.width}x{self.height}")
        if len(self.pixels) != self.width * self.height:
            raise ValueError(
                f"a {self.width}x{self.height} frame needs {self.width * self.height} pixels,"
                f" got {len(self.pixels)}"
            )

    @classmethod
    def blank(cls, width: int, height: int, colour: RGB = BLACK) -> Frame:
        """A frame of one colour (dark by default)."""
        return cls(width, height, (colour,) * (width * height))

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def pixel(self, x: int, y: int) -> RGB:
        """The colour at column ``x``, row ``y`` (0, 0 is the top-left)."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise IndexError(f"pixel ({x}, {y}) is outside a {self.width}x{self.height} frame")
        return self.pixels[y * self.width + x]

    def rows(self) -> Iterator[tuple[RGB, ...]]:
        """Each row of pixels, top to bottom."""
        w = self.width
        for y in range(self.height):
            yield self.pixels[y * w : (y + 1) * w]

    def is_dark(self) -> bool:
        """True when every pixel is black."""
        return all(p == BLACK for p in self.pixels)


def record(frame: Frame) -> dict[str, object]:
    """``frame`` as JSON-ready data: the jsonl driver's line and the control API's frame."""
    return {
        "time": frame.time.isoformat() if frame.time else None,
        "width": frame.width,
        "height": frame.height,
        "pixels": [list(p) for p in frame.pixels],
    }
