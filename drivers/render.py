"""Draws a frame as round LEDs on a dark background with Pillow (for the png and gif drivers).

Imports Pillow at the top: the drivers import this module only inside their constructors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

from binclock.frame import BLACK, RGB, Frame

SUPERSAMPLE = 4  # the disc is drawn this many times larger, then box-averaged for smooth edges
GIF_COLOURS = 256


@dataclass(frozen=True)
class Style:
    """How LEDs look: ``led_size`` is a disc's diameter and ``spacing`` the gap between discs
    (and around the edge), both in image pixels; ``unlit`` is the colour of an LED that is off."""

    led_size: int = 24
    spacing: int = 8
    background: RGB = (16, 16, 16)
    unlit: RGB = (40, 40, 40)

    @property
    def pitch(self) -> int:
        """Image pixels from one LED's left edge to the next one's."""
        return self.led_size + self.spacing


def image_size(width: int, height: int, style: Style) -> tuple[int, int]:
    """The picture's size for a ``width`` x ``height`` frame."""
    return (
        max(width * style.pitch + style.spacing, 1),
        max(height * style.pitch + style.spacing, 1),
    )


def corner(x: int, y: int, style: Style) -> tuple[int, int]:
    """The top-left image pixel of the square holding frame pixel ``x``, ``y``'s LED."""
    return (style.spacing + x * style.pitch, style.spacing + y * style.pitch)


def centre(x: int, y: int, style: Style) -> tuple[int, int]:
    """The image pixel at the middle of the LED for frame pixel ``x``, ``y``."""
    left, top = corner(x, y, style)
    return (left + style.led_size // 2, top + style.led_size // 2)


def led_colour(pixel: RGB, style: Style) -> RGB:
    """What an LED shows for a frame pixel: its colour, or the unlit colour when black."""
    return style.unlit if pixel == BLACK else pixel


@lru_cache(maxsize=8)
def disc(led_size: int) -> Image.Image:
    """How much of each pixel of an LED's square the round LED covers (0-255)."""
    big = led_size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, big - 1, big - 1), fill=255)
    return mask.reduce(SUPERSAMPLE)


def draw(frame: Frame, style: Style) -> Image.Image:
    """The frame as an RGB picture: one disc per pixel, in the pixel's colour at its centre."""
    image = Image.new("RGB", image_size(frame.width, frame.height, style), style.background)
    mask = disc(style.led_size)
    for y, row in enumerate(frame.rows()):
        for x, pixel in enumerate(row):
            image.paste(led_colour(pixel, style), corner(x, y, style), mask)
    return image


def draw_indexed(frame: Frame, style: Style) -> Image.Image:
    """The frame as a picture of at most 256 colours (for a GIF), every LED centre exact.

    The palette holds the background and each LED colour first, then as many of the edge
    shades as fit, the same number for every colour. (Pillow's quantizers would merge
    close LED colours; this never does, up to 255 LED colours.)
    """
    mask = disc(style.led_size)
    colours = list(dict.fromkeys(led_colour(p, style) for p in frame.pixels))[: GIF_COLOURS - 1]
    levels = [v for v, n in enumerate(mask.histogram()) if n and 0 < v < 255]
    room = (GIF_COLOURS - 1 - len(colours)) // max(len(colours), 1)
    kept = _spread(levels, room)
    palette = [style.background, *colours]
    tiles: dict[RGB, Image.Image] = {}
    for i, colour in enumerate(colours, start=1):
        entry = {0: 0, 255: i}
        for level in kept:
            entry[level] = len(palette)
            palette.append(_mix(style.background, colour, level))
        lut = [entry[_closest(v, entry)] for v in range(256)]
        tiles[colour] = mask.point(lut)
    canvas = Image.new("L", image_size(frame.width, frame.height, style), 0)
    for y, row in enumerate(frame.rows()):
        for x, pixel in enumerate(row):
            colour = led_colour(pixel, style)
            tile = tiles[colour] if colour in tiles else tiles[_nearest(colour, colours)]
            canvas.paste(tile, corner(x, y, style))
    indexed = Image.frombytes("P", canvas.size, canvas.tobytes())
    indexed.putpalette([channel for rgb in palette for channel in rgb])
    return indexed


def read_leds(image: Image.Image, width: int, height: int, style: Style) -> list[RGB]:
    """The colour at each LED's centre, row-major: what a picture shows, for checking it."""
    rgb = image.convert("RGB")
    return [rgb.getpixel(centre(x, y, style)) for y in range(height) for x in range(width)]  # type: ignore[misc]


def _spread(levels: list[int], count: int) -> list[int]:
    """``count`` of ``levels``, evenly spread (all of them when there is room)."""
    if count >= len(levels):
        return levels
    if count <= 0:
        return []
    step = len(levels) / count
    return [levels[int(i * step + step / 2)] for i in range(count)]


def _mix(background: RGB, colour: RGB, level: int) -> RGB:
    """``colour`` covering ``level``/255 of a pixel over ``background``."""
    return tuple(
        round((c * level + b * (255 - level)) / 255)
        for b, c in zip(background, colour, strict=True)
    )  # type: ignore[return-value]


def _closest(level: int, levels: dict[int, int]) -> int:
    return min(levels, key=lambda kept: abs(kept - level))


def _nearest(colour: RGB, colours: list[RGB]) -> RGB:
    return min(colours, key=lambda c: sum((p - q) ** 2 for p, q in zip(c, colour, strict=True)))
