"""Painter: colours a BitGrid and places it on the display, giving a Frame. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Literal

from binclock.bitgrid import BitGrid
from binclock.frame import BLACK, RGB, Frame, Label

Rotation = Literal[0, 90, 180, 270]

DEFAULT_ON: Mapping[str, RGB] = {
    "hours": (255, 72, 40),
    "minutes": (48, 220, 96),
    "seconds": (56, 136, 255),
    "default": (255, 190, 64),
}
DEFAULT_OFF: Mapping[str, RGB] = {"default": BLACK}


class PlacementError(ValueError):
    """The face does not fit on the display as configured."""


@dataclass(frozen=True)
class Theme:
    """On and off colours per column group; the ``default`` key covers groups not named."""

    on: Mapping[str, RGB] = field(default_factory=lambda: dict(DEFAULT_ON))
    off: Mapping[str, RGB] = field(default_factory=lambda: dict(DEFAULT_OFF))

    def colour(self, group: str, lit: bool) -> RGB:
        table, fallback = (self.on, DEFAULT_ON) if lit else (self.off, DEFAULT_OFF)
        return table.get(group) or table.get("default") or fallback.get(group, fallback["default"])


@dataclass(frozen=True)
class Layout:
    """Where each bit of a grid of one shape lands: a flat pixel index per (column, bit)."""

    width: int
    height: int
    cells: tuple[tuple[int, ...], ...]
    labels: tuple[tuple[int, int], ...]  # (column index, x) for upright orientations


def scale(colour: RGB, brightness: float) -> RGB:
    """``colour`` at ``brightness`` (0-1), rounded to whole channel values."""
    if brightness >= 1.0:
        return colour
    r, g, b = colour
    return (round(r * brightness), round(g * brightness), round(b * brightness))


def visible(colour: RGB, threshold: int) -> RGB:
    """``colour`` scaled up until its brightest channel reaches ``threshold``; black stays."""
    brightest = max(colour)
    if brightest == 0 or brightest >= threshold:
        return colour
    r, g, b = (min(255, -(-channel * threshold // brightest)) for channel in colour)
    return (r, g, b)


def _auto_gap(columns: int, turned: bool, size: tuple[int, int] | None) -> int:
    """One dark column between face columns where a fixed-size display has room, else none."""
    if size is None:
        return 0
    across = size[1] if turned else size[0]
    return 1 if 2 * columns - 1 <= across else 0


@lru_cache(maxsize=32)
def _labels(places: tuple[tuple[int, int], ...], texts: tuple[str, ...]) -> tuple[Label, ...]:
    return tuple(Label(x, texts[c]) for c, x in places)


@lru_cache(maxsize=32)
def _layout(
    heights: tuple[int, ...],
    gap: int | None,
    rotation: Rotation,
    mirror: bool,
    size: tuple[int, int] | None,
    offset: tuple[int, int] | None,
) -> Layout:
    columns = len(heights)
    turned = rotation in (90, 270)
    if gap is None:
        gap = _auto_gap(columns, turned, size)
    face_w = columns + gap * max(columns - 1, 0)
    face_h = max(heights, default=0)
    placed_w, placed_h = (face_h, face_w) if turned else (face_w, face_h)
    width, height = size if size is not None else (placed_w, placed_h)
    if offset is None:
        ox, oy = (width - placed_w) // 2, (height - placed_h) // 2
    else:
        ox, oy = offset
    if ox < 0 or oy < 0 or ox + placed_w > width or oy + placed_h > height:
        raise PlacementError(
            f"the face needs {placed_w}x{placed_h} pixels at ({ox}, {oy})"
            f" but the display is {width}x{height}"
        )

    def place(x: int, y: int) -> tuple[int, int]:
        if mirror:
            x = face_w - 1 - x
        if rotation == 90:
            x, y = face_h - 1 - y, x
        elif rotation == 180:
            x, y = face_w - 1 - x, face_h - 1 - y
        elif rotation == 270:
            x, y = y, face_w - 1 - x
        return ox + x, oy + y

    cells = []
    labels = []
    for c, n in enumerate(heights):
        fx = c * (gap + 1)
        points = [place(fx, face_h - n + i) for i in range(n)]
        cells.append(tuple(y * width + x for x, y in points))
        if not turned:
            labels.append((c, place(fx, 0)[0]))
    return Layout(width, height, tuple(cells), tuple(labels))


@dataclass(frozen=True)
class Painter:
    """Turns grids into frames for one display.

    ``size`` is the display's size (``None``: the face's own size); ``offset`` puts the
    face's top-left corner there instead of centring it; ``gap`` leaves dark pixel columns
    between the face's columns (``None``: one where a fixed-size display has room);
    ``mirror`` flips left-right before the clockwise ``rotation``.
    """

    theme: Theme = field(default_factory=Theme)
    brightness: float = 1.0
    size: tuple[int, int] | None = None
    offset: tuple[int, int] | None = None
    gap: int | None = None
    rotation: Rotation = 0
    mirror: bool = False
    background: RGB = BLACK
    _palette: dict[str, tuple[RGB, RGB]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def colours(self, group: str) -> tuple[RGB, RGB]:
        """The on and off colours of ``group`` at this brightness (worked out once)."""
        pair = self._palette.get(group)
        if pair is None:
            pair = (
                scale(self.theme.colour(group, True), self.brightness),
                scale(self.theme.colour(group, False), self.brightness),
            )
            self._palette[group] = pair
        return pair

    def layout(self, grid: BitGrid) -> Layout:
        """The placement of ``grid``'s shape; raises PlacementError when it does not fit."""
        heights = tuple(len(c.bits) for c in grid.columns)
        return _layout(heights, self.gap, self.rotation, self.mirror, self.size, self.offset)

    def paint(self, grid: BitGrid, time: datetime | None = None) -> Frame:
        layout = self.layout(grid)
        pixels = [scale(self.background, self.brightness)] * (layout.width * layout.height)
        for column, cells in zip(grid.columns, layout.cells, strict=True):
            on, off = self.colours(column.group)
            for index, bit in zip(cells, column.bits, strict=True):
                pixels[index] = on if bit else off
        labels = _labels(layout.labels, tuple(c.label for c in grid.columns))
        return Frame(
            layout.width,
            layout.height,
            tuple(pixels),
            time=time,
            labels=labels,
            caption=grid.caption,
        )
