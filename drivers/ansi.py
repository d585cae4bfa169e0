"""ANSI escape sequences and colour reduction for truecolor, 256- and 16-colour terminals."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from binclock.frame import RGB

ColourMode = Literal["truecolor", "256", "16", "none"]

ESC = "\x1b["
RESET = ESC + "0m"
HIDE_CURSOR = ESC + "?25l"
SHOW_CURSOR = ESC + "?25h"
ALT_SCREEN = ESC + "?1049h"
MAIN_SCREEN = ESC + "?1049l"
CLEAR = ESC + "2J"

# xterm's defaults for the 16 standard colours, in SGR order 30-37 then 90-97.
ANSI16: tuple[RGB, ...] = (
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
)
_CUBE = (0, 95, 135, 175, 215, 255)


def detect(environ: Mapping[str, str]) -> ColourMode:
    """The richest colour mode the terminal announces (``NO_COLOR``, ``COLORTERM``, ``TERM``)."""
    if "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return "none"
    if environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    if "256" in environ.get("TERM", ""):
        return "256"
    return "16"


def move(row: int, col: int) -> str:
    """Cursor to 0-based ``row``, ``col``."""
    return f"{ESC}{row + 1};{col + 1}H"


def _distance(a: RGB, b: RGB) -> int:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True))


@lru_cache(maxsize=1024)
def xterm256(rgb: RGB) -> int:
    """The nearest of xterm's 6x6x6 cube and 24 greys."""
    levels = [min(range(6), key=lambda i, c=c: abs(_CUBE[i] - c)) for c in rgb]
    cube = 16 + 36 * levels[0] + 6 * levels[1] + levels[2]
    cube_rgb = tuple(_CUBE[i] for i in levels)
    grey_step = min(range(24), key=lambda i: abs(8 + 10 * i - sum(rgb) // 3))
    grey = 8 + 10 * grey_step
    if _distance(rgb, (grey, grey, grey)) < _distance(rgb, cube_rgb):  # type: ignore[arg-type]
        return 232 + grey_step
    return cube


@lru_cache(maxsize=1024)
def ansi16(rgb: RGB) -> int:
    """The SGR foreground code (30-37, 90-97) of the nearest standard colour."""
    index = min(range(16), key=lambda i: _distance(rgb, ANSI16[i]))
    return 30 + index if index < 8 else 90 + index - 8


def foreground(rgb: RGB, mode: ColourMode) -> str:
    """The SGR sequence that sets the text colour to ``rgb`` in ``mode`` ('' for none)."""
    if mode == "truecolor":
        return f"{ESC}38;2;{rgb[0]};{rgb[1]};{rgb[2]}m"
    if mode == "256":
        return f"{ESC}38;5;{xterm256(rgb)}m"
    if mode == "16":
        return f"{ESC}{ansi16(rgb)}m"
    return ""
